"""
Cinder's wire format: reading request bodies into the model's terms, and
rendering volumes, snapshots, types and attachments as Cinder v3 does at a
given microversion (``cinder/api/v3/views/*.py`` are the reference: which
keys a view carries, and from which microversion).

Validation failures are worded as Cinder's JSON-schema validator words them:
``Invalid input for field/attribute <name>. Value: <value>. <reason>``.
"""

from __future__ import annotations

from typing import Any, Optional

from mimic.bounds import decimal
from mimic.model.cinder import (
    NAME_LENGTH,
    Attachment,
    Snapshot,
    Volume,
    VolumeSpec,
    VolumeType,
)
from mimic.model.cinder_errors import BadRequest
from mimic.util import iso_time

Version = tuple[int, int]

# The microversions whose response or request shapes Mimic serves.
GROUP_VOLUME = (3, 13)
GROUP_SNAPSHOT = (3, 14)
GROUP_VOLUME_LIST = (3, 25)
NEW_ATTACH = (3, 27)
GROUP_REPLICATION = (3, 38)
SNAPSHOT_USER_ID = (3, 41)
EXTEND_IN_USE = (3, 42)
ATTACHMENT_COMPLETE = (3, 44)
SHARED_TARGETS = (3, 48)
ATTACHMENT_MODE = (3, 54)
TRANSFER_WITH_SNAPSHOTS = (3, 55)
TRANSFER_WITH_HISTORY = (3, 57)
PROJECT_ID = (3, 58)
VOLUME_TYPE_ID = (3, 63)
CONSUMES_QUOTA = (3, 65)
SNAPSHOT_IN_USE = (3, 66)


def invalid_field(name: str, value: Any, reason: str) -> BadRequest:
    return BadRequest(f"Invalid input for field/attribute {name}. Value: {value}. {reason}")


def section(body: Any, key: str) -> dict:
    """``body[key]``, which must be an object (``{"volume": {...}}``)."""
    if not isinstance(body, dict) or key not in body:
        raise invalid_field(key, body, f"'{key}' is a required property")
    value = body[key]
    if not isinstance(value, dict):
        raise invalid_field(key, value, f"{value!r} is not of type 'object'")
    return value


def optional_text(part: dict, key: str, length: int = NAME_LENGTH) -> Optional[str]:
    value = part.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid_field(key, value, f"{value!r} is not of type 'string', 'null'")
    if len(value) > length:
        raise invalid_field(key, value, f"{value!r} is too long")
    return value


def size_field(part: dict, key: str, required: bool) -> Optional[int]:
    """A size in GiB: an integer (or digits in a string, as Cinder allows), >= 1."""
    value = part.get(key)
    if value is None:
        if required:
            raise invalid_field(key, value, f"'{key}' is a required property")
        return None
    if isinstance(value, str) and decimal(value.strip()) is not None:
        value = decimal(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid_field(key, value, f"{value!r} is not of type 'integer', 'string'")
    if value < 1:
        raise invalid_field(key, value, f"{value} is less than the minimum of 1")
    if value > 2 ** 31 - 1:
        raise invalid_field(key, value, f"{value} is greater than the maximum of 2147483647")
    return value


def metadata_field(part: dict, key: str = "metadata") -> dict:
    value = part.get(key) or {}
    if not isinstance(value, dict):
        raise invalid_field(key, value, f"{value!r} is not of type 'object'")
    return value


def read_volume_spec(body: Any) -> VolumeSpec:
    part = section(body, "volume")
    image = part.get("imageRef", part.get("image_id"))
    if image is not None and not isinstance(image, str):
        raise invalid_field("imageRef", image, f"{image!r} is not of type 'string'")
    for key in ("snapshot_id", "source_volid", "volume_type", "availability_zone",
                "group_id"):
        if part.get(key) is not None and not isinstance(part[key], str):
            raise invalid_field(key, part[key], f"{part[key]!r} is not of type 'string'")
    from_something = part.get("snapshot_id") or part.get("source_volid")
    return VolumeSpec(
        size=size_field(part, "size", required=not from_something),
        name=optional_text(part, "name"),
        description=optional_text(part, "description"),
        volume_type=part.get("volume_type"),
        availability_zone=part.get("availability_zone"),
        metadata=metadata_field(part),
        image_id=image,
        snapshot_id=part.get("snapshot_id"),
        source_volid=part.get("source_volid"),
        group_id=part.get("group_id"),
    )


def boolean_field(part: dict, key: str, default: bool = False) -> bool:
    """A boolean as Cinder's ``strutils.bool_from_string(strict=True)`` reads one."""
    value = part.get(key, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "yes", "on", "y", "t"):
        return True
    if isinstance(value, str) and value.lower() in ("false", "0", "no", "off", "n", "f"):
        return False
    raise invalid_field(key, value, f"{value!r} is not of type 'boolean'")


def from_microversion(body: dict, version: Version, *gated: tuple) -> dict:
    """
    ``body`` with each ``(microversion, fields)`` of ``gated`` added, in
    order, when ``version`` is at least that microversion: Cinder's views
    carry a key from the microversion that brought it on.
    """
    for since, fields in gated:
        if version >= since:
            body.update(fields)
    return body


def links(prefix: str, tenant_id: str, collection: str, item_id: str) -> list:
    return [
        {"href": f"{prefix}/v3/{tenant_id}/{collection}/{item_id}", "rel": "self"},
        {"href": f"{prefix}/{tenant_id}/{collection}/{item_id}", "rel": "bookmark"},
    ]


def timestamp(seconds: Optional[float]) -> Optional[str]:
    """A clock time as Cinder writes one: ISO 8601 with microseconds and no zone."""
    return None if seconds is None else iso_time(seconds, microseconds=True).rstrip("Z")


def volume_summary(volume: Volume, prefix: str, tenant_id: str) -> dict:
    return {"id": volume.id, "name": volume.name,
            "links": links(prefix, tenant_id, "volumes", volume.id)}


def volume_attachment(attachment: Attachment) -> dict:
    """A volume's ``attachments`` entry (only completed attachments are shown)."""
    return {
        "id": attachment.volume_id,
        "attachment_id": attachment.id,
        "volume_id": attachment.volume_id,
        "server_id": attachment.instance,
        "host_name": None,
        "device": attachment.device,
        "attached_at": timestamp(attachment.attached_at),
    }


def volume_detail(volume: Volume, now: float, version: Version, prefix: str,
                  tenant_id: str) -> dict:
    body = {
        "id": volume.id,
        "status": volume.status_at(now),
        "size": volume.size,
        "availability_zone": volume.availability_zone,
        "created_at": timestamp(volume.created),
        "updated_at": timestamp(volume.updated_at(now)),
        "name": volume.name,
        "description": volume.description,
        "volume_type": volume.volume_type.name,
        "snapshot_id": volume.snapshot_id,
        "source_volid": volume.source_volid,
        "metadata": dict(volume.metadata),
        "links": links(prefix, tenant_id, "volumes", volume.id),
        "user_id": volume.user_id,
        "bootable": "true" if volume.bootable else "false",
        "encrypted": False,
        "replication_status": None,
        "consistencygroup_id": None,
        "multiattach": False,
        "attachments": [volume_attachment(a) for a in volume.attached()],
    }
    if volume.image_metadata is not None:
        body["volume_image_metadata"] = dict(volume.image_metadata)
    return from_microversion(
        body, version,
        (GROUP_VOLUME, {"group_id": volume.group_id}),
        (SHARED_TARGETS, {"shared_targets": False, "service_uuid": None}),
        (VOLUME_TYPE_ID, {"volume_type_id": volume.volume_type.id}),
        (CONSUMES_QUOTA, {"consumes_quota": True}))


def snapshot_detail(snapshot: Snapshot, now: float, version: Version,
                    tenant_id: str) -> dict:
    body = {
        "id": snapshot.id,
        "created_at": timestamp(snapshot.created),
        "updated_at": timestamp(snapshot.updated),
        "name": snapshot.name,
        "description": snapshot.description,
        "volume_id": snapshot.volume_id,
        "status": snapshot.status_at(now),
        "size": snapshot.size,
        "metadata": dict(snapshot.metadata),
        "os-extended-snapshot-attributes:progress": "100%",
        "os-extended-snapshot-attributes:project_id": tenant_id,
    }
    return from_microversion(
        body, version,
        (GROUP_SNAPSHOT, {"group_snapshot_id": snapshot.group_snapshot_id}),
        (SNAPSHOT_USER_ID, {"user_id": snapshot.user_id}),
        (CONSUMES_QUOTA, {"consumes_quota": True}))


def volume_type_json(volume_type: VolumeType) -> dict:
    return {
        "id": volume_type.id,
        "name": volume_type.name,
        "description": volume_type.description,
        "is_public": volume_type.is_public,
        "os-volume-type-access:is_public": volume_type.is_public,
        "qos_specs_id": volume_type.qos_specs_id,
        "extra_specs": dict(volume_type.extra_specs),
    }


def attachment_summary(attachment: Attachment) -> dict:
    return {"id": attachment.id, "status": attachment.status,
            "instance": attachment.instance, "volume_id": attachment.volume_id}


def attachment_detail(attachment: Attachment) -> dict:
    return {
        **attachment_summary(attachment),
        # Cinder's view answers '' for times not yet reached.
        "attached_at": timestamp(attachment.attached_at) or "",
        "detached_at": timestamp(attachment.detached_at) or "",
        "attach_mode": attachment.mode,
        "connection_info": attachment.connection_info(),
    }
