"""
Cinder's volume actions (``POST /v3/<tenant>/volumes/<id>/action``), one
function per action name: each reads its argument, calls
:class:`mimic.model.cinder.BlockStorageRegion` and says which status Cinder
answers with (202 for most, 200 for ``os-set_bootable``). An action name
not in :data:`VOLUME_ACTIONS` is Cinder's "There is no such action" 400.
"""

from __future__ import annotations

from typing import Callable

from mimic.model.cinder import BlockStorageRegion
from mimic.model.cinder_errors import BadRequest
from mimic.rest.cinder_json import (
    EXTEND_IN_USE,
    Version,
    boolean_field,
    invalid_field,
    size_field,
)


def _extend(storage: BlockStorageRegion, volume_id: str, argument: dict,
            version: Version) -> int:
    new_size = size_field(argument, "new_size", required=True)
    assert new_size is not None
    storage.extend(volume_id, new_size, allow_in_use=version >= EXTEND_IN_USE)
    return 202


def _attach(storage: BlockStorageRegion, volume_id: str, argument: dict,
            version: Version) -> int:
    instance = argument.get("instance_uuid")
    mountpoint = argument.get("mountpoint")
    mode = argument.get("mode", "rw")
    if instance is not None and not isinstance(instance, str):
        raise invalid_field("instance_uuid", instance, f"{instance!r} is not of type 'string'")
    if mountpoint is not None and not isinstance(mountpoint, str):
        raise invalid_field("mountpoint", mountpoint, f"{mountpoint!r} is not of type 'string'")
    if mode not in ("rw", "ro"):
        raise BadRequest(f"Invalid attaching mode '{mode}' for volume {volume_id}.")
    storage.attach_legacy(volume_id, instance, mountpoint, mode)
    return 202


def _detach(storage: BlockStorageRegion, volume_id: str, argument: dict,
            version: Version) -> int:
    attachment_id = argument.get("attachment_id")
    if attachment_id is not None and not isinstance(attachment_id, str):
        raise invalid_field("attachment_id", attachment_id,
                            f"{attachment_id!r} is not of type 'string'")
    storage.detach_legacy(volume_id, attachment_id)
    return 202


def _set_bootable(storage: BlockStorageRegion, volume_id: str, argument: dict,
                  version: Version) -> int:
    if "bootable" not in argument:
        raise invalid_field("bootable", None, "'bootable' is a required property")
    storage.set_bootable(volume_id, boolean_field(argument, "bootable"))
    return 200


def _reset_status(storage: BlockStorageRegion, volume_id: str, argument: dict,
                  version: Version) -> int:
    status = argument.get("status")
    if not isinstance(status, str):
        raise invalid_field("status", status, "'status' is a required property")
    storage.reset_status(volume_id, status)
    return 202


def _set_image_metadata(storage: BlockStorageRegion, volume_id: str, argument: dict,
                        version: Version) -> int:
    if not isinstance(argument.get("metadata"), dict):
        raise invalid_field("metadata", argument.get("metadata"),
                            "'metadata' is a required property")
    storage.set_image_metadata(volume_id, argument["metadata"])
    return 200


def _unset_image_metadata(storage: BlockStorageRegion, volume_id: str, argument: dict,
                          version: Version) -> int:
    key = argument.get("key")
    if not isinstance(key, str):
        raise invalid_field("key", key, "'key' is a required property")
    storage.unset_image_metadata(volume_id, key)
    return 200


def _update_readonly_flag(storage: BlockStorageRegion, volume_id: str, argument: dict,
                          version: Version) -> int:
    if "readonly" not in argument:
        raise invalid_field("readonly", None, "'readonly' is a required property")
    boolean_field(argument, "readonly")
    storage.volume(volume_id)
    return 202


def _simple(method: str) -> Callable:
    def perform(storage: BlockStorageRegion, volume_id: str, argument: dict,
                version: Version) -> int:
        getattr(storage, method)(volume_id)
        return 202

    return perform


def _force_delete(storage: BlockStorageRegion, volume_id: str, argument: dict,
                  version: Version) -> int:
    storage.delete_volume(volume_id, force=True)
    return 202


VOLUME_ACTIONS: dict[str, Callable] = {
    "os-force_delete": _force_delete,
    "os-extend": _extend,
    "os-reserve": _simple("reserve"),
    "os-unreserve": _simple("unreserve"),
    "os-attach": _attach,
    "os-begin_detaching": _simple("begin_detaching"),
    "os-roll_detaching": _simple("roll_detaching"),
    "os-detach": _detach,
    "os-set_bootable": _set_bootable,
    "os-reset_status": _reset_status,
    "os-set_image_metadata": _set_image_metadata,
    "os-unset_image_metadata": _unset_image_metadata,
    "os-update_readonly_flag": _update_readonly_flag,
}
