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
NEW_ATTACH = (3, 27)
SNAPSHOT_USER_ID = (3, 41)
EXTEND_IN_USE = (3, 42)
ATTACHMENT_COMPLETE = (3, 44)
SHARED_TARGETS = (3, 48)
ATTACHMENT_MODE = (3, 54)
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


def links(prefix: str, tenant_id: str, collection: str, item_id: str) -> list:
    return [
        {"href": f"{prefix}/v3/{tenant_id}/{collection}/{item_id}", "rel": "self"},
        {"href": f"{prefix}/{tenant_id}/{collection}/{item_id}", "rel": "bookmark"},
    ]


def _time(seconds: Optional[float]) -> Optional[str]:
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
        "attached_at": _time(attachment.attached_at),
    }


def volume_detail(volume: Volume, now: float, version: Version, prefix: str,
                  tenant_id: str) -> dict:
    body = {
        "id": volume.id,
        "status": volume.status_at(now),
        "size": volume.size,
        "availability_zone": volume.availability_zone,
        "created_at": _time(volume.created),
        "updated_at": _time(volume.updated_at(now)),
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
    if version >= GROUP_VOLUME:
        body["group_id"] = volume.group_id
    if version >= SHARED_TARGETS:
        body["shared_targets"] = False
        body["service_uuid"] = None
    if version >= VOLUME_TYPE_ID:
        body["volume_type_id"] = volume.volume_type.id
    if version >= CONSUMES_QUOTA:
        body["consumes_quota"] = True
    return body


def snapshot_detail(snapshot: Snapshot, now: float, version: Version,
                    tenant_id: str) -> dict:
    body = {
        "id": snapshot.id,
        "created_at": _time(snapshot.created),
        "updated_at": _time(snapshot.updated),
        "name": snapshot.name,
        "description": snapshot.description,
        "volume_id": snapshot.volume_id,
        "status": snapshot.status_at(now),
        "size": snapshot.size,
        "metadata": dict(snapshot.metadata),
        "os-extended-snapshot-attributes:progress": "100%",
        "os-extended-snapshot-attributes:project_id": tenant_id,
    }
    if version >= GROUP_SNAPSHOT:
        body["group_snapshot_id"] = snapshot.group_snapshot_id
    if version >= SNAPSHOT_USER_ID:
        body["user_id"] = snapshot.user_id
    if version >= CONSUMES_QUOTA:
        body["consumes_quota"] = True
    return body


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
        "attached_at": _time(attachment.attached_at) or "",
        "detached_at": _time(attachment.detached_at) or "",
        "attach_mode": attachment.mode,
        "connection_info": attachment.connection_info(),
    }
