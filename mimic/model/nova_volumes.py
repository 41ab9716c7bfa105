"""
Nova's side of Block Storage: the volumes attached to a server
(``servers/<id>/os-volume_attachments`` and the server's
``volumes_attached``). The volumes themselves are Cinder's
(:mod:`mimic.model.cinder`): attaching goes through Cinder's attachment API
for Nova (:meth:`~mimic.model.cinder.BlockStorageRegion.attach_to_server`),
so Cinder shows the volume ``in-use`` by that server, and what Nova keeps is
the block device it became on the server (:class:`BlockDevice`, held on the
server record). Deleting a server detaches its volumes, and deletes those
marked ``delete_on_termination``, as Nova does.
"""

from __future__ import annotations

from typing import Any, Optional

import attrs

from mimic.bounds import decimal
from mimic.model import cinder_errors
from mimic.model.cinder import BlockStorageRegion, VolumeSpec, block_storage_for
from mimic.model.nova_errors import BadRequest, Conflict, NotFound
from mimic.model.nova_server import Server

#: The states a server may have a volume attached or detached in (Nova's
#: ``check_instance_state`` for attach_volume/detach_volume).
ATTACHABLE = ("ACTIVE", "PAUSED", "SHUTOFF", "SUSPENDED", "RESCUE", "VERIFY_RESIZE")
#: Device names Nova hands out after the root disk, ``/dev/vda``.
DEVICE_LETTERS = "bcdefghijklmnopqrstuvwxyz"


@attrs.frozen
class BlockDevice:
    """A volume as a server sees it: its device and Cinder's attachment."""

    volume_id: str
    device: str
    attachment_id: str
    delete_on_termination: bool = False
    tag: Optional[str] = None


def _refused_by_cinder(fault: cinder_errors.BlockStorageError) -> Exception:
    """Nova passes Cinder's refusals on: a missing volume 404, the rest 400."""
    if isinstance(fault, cinder_errors.NotFound):
        return NotFound(fault.message)
    return BadRequest(fault.message)


def storage_for(session_store: Any, tenant_id: str, region: str) -> BlockStorageRegion:
    return block_storage_for(session_store, tenant_id, region)


def attached(server: Server, volume_id: str) -> BlockDevice:
    for device in server.volumes:
        if device.volume_id == volume_id:
            return device
    raise NotFound(f"volume_id not found: {volume_id}")


def attach_volume(storage: BlockStorageRegion, server: Server, volume_id: str,
                  now: float, device: Optional[str] = None,
                  delete_on_termination: bool = False,
                  tag: Optional[str] = None) -> BlockDevice:
    """Attach ``volume_id`` to ``server`` as the next free ``/dev/vdX`` (or ``device``)."""
    status = server.status_at(now)
    if status not in ATTACHABLE:
        raise Conflict(f"Cannot 'attach_volume' instance {server.id} while it is in "
                       f"vm_state {status.lower()}")
    if any(d.volume_id == volume_id for d in server.volumes):
        raise BadRequest(f"Invalid volume: volume {volume_id} is already attached to "
                         f"instance {server.id}")
    taken = {d.device for d in server.volumes}
    if device is None:
        free = [f"/dev/vd{letter}" for letter in DEVICE_LETTERS
                if f"/dev/vd{letter}" not in taken]
        if not free:
            raise BadRequest("No free disk device names for prefix 'vd'")
        device = free[0]
    elif device in taken:
        raise BadRequest(f"The supplied device path ({device}) is in use.")
    try:
        attachment = storage.attach_to_server(volume_id, server.id, device=device)
    except cinder_errors.BlockStorageError as fault:
        raise _refused_by_cinder(fault) from None
    block = BlockDevice(volume_id, device, attachment.id, delete_on_termination, tag)
    server.volumes = (*server.volumes, block)
    server.touch(now)
    return block


def detach_volume(storage: BlockStorageRegion, server: Server, volume_id: str,
                  now: float) -> None:
    block = attached(server, volume_id)
    status = server.status_at(now)
    if status not in ATTACHABLE:
        raise Conflict(f"Cannot 'detach_volume' instance {server.id} while it is in "
                       f"vm_state {status.lower()}")
    try:
        storage.detach_from_server(volume_id, server.id)
    except cinder_errors.NotFound:
        pass  # Cinder forgot it already (reset by a test): Nova's record goes too.
    server.volumes = tuple(d for d in server.volumes if d is not block)
    server.touch(now)


def update_attachment(storage: BlockStorageRegion, server: Server, volume_id: str,
                      new_volume_id: str, delete_on_termination: Optional[bool],
                      now: float) -> None:
    """
    Nova's ``PUT os-volume_attachments/<volume>``: swap to another volume
    on the same device (what an admin asks), and from 2.85 change
    ``delete_on_termination``.
    """
    block = attached(server, volume_id)
    if new_volume_id != volume_id:
        detach_volume(storage, server, volume_id, now)
        try:
            block = attach_volume(storage, server, new_volume_id, now, device=block.device,
                                  delete_on_termination=block.delete_on_termination,
                                  tag=block.tag)
        except Exception:
            attach_volume(storage, server, volume_id, now, device=block.device,
                          delete_on_termination=block.delete_on_termination, tag=block.tag)
            raise
    if delete_on_termination is not None:
        changed = attrs.evolve(block, delete_on_termination=delete_on_termination)
        server.volumes = tuple(changed if d is block else d for d in server.volumes)
    server.touch(now)


def release_volumes(storage: BlockStorageRegion, server: Server) -> None:
    """A deleted server's volumes: detached, and deleted if it said so."""
    for block in server.volumes:
        try:
            storage.detach_from_server(block.volume_id, server.id)
            if block.delete_on_termination:
                storage.delete_volume(block.volume_id)
        except cinder_errors.BlockStorageError:
            continue
    server.volumes = ()


# Booting from volume: block_device_mapping_v2 entries whose destination is a volume.

@attrs.frozen
class BootVolume:
    """One ``block_device_mapping_v2`` entry with ``destination_type: volume``."""

    source_type: str
    uuid: Optional[str]
    size: Optional[int]
    boot_index: Optional[int]
    delete_on_termination: bool = False
    tag: Optional[str] = None


def _invalid_mapping(reason: str) -> BadRequest:
    # nova/exception.py InvalidBDM*: "Block Device Mapping is Invalid: ..."
    return BadRequest(f"Block Device Mapping is Invalid: {reason}")


def read_boot_volumes(server_body: dict) -> tuple[BootVolume, ...]:
    """The volume mappings of a create body (local ones are Nova's, not Cinder's)."""
    mappings = server_body.get("block_device_mapping_v2") or []
    if not isinstance(mappings, list) or not all(isinstance(m, dict) for m in mappings):
        raise BadRequest("Invalid input for field/attribute block_device_mapping_v2. "
                         f"Value: {mappings}. must be an array of objects")
    volumes = []
    for mapping in mappings:
        source = mapping.get("source_type")
        destination = mapping.get("destination_type", "volume" if source in
                                  ("volume", "snapshot") else "local")
        if destination != "volume":
            continue
        if source not in ("image", "volume", "snapshot", "blank"):
            raise _invalid_mapping(f"unknown source_type {source!r}.")
        uuid = mapping.get("uuid")
        if source != "blank" and not isinstance(uuid, str):
            raise _invalid_mapping(f"a {source} source needs a uuid.")
        size = mapping.get("volume_size")
        if isinstance(size, str) and decimal(size) is not None:
            size = decimal(size)
        if size is not None and (isinstance(size, bool) or not isinstance(size, int)
                                 or size < 1):
            raise _invalid_mapping(f"volume_size {size!r} must be a positive integer.")
        if source in ("image", "blank") and size is None:
            raise _invalid_mapping("Images with destination_type 'volume' need to have "
                                   "a non-zero size specified")
        boot_index = mapping.get("boot_index")
        if isinstance(boot_index, str) and decimal(boot_index, signed=True) is not None:
            boot_index = decimal(boot_index, signed=True)
        delete = mapping.get("delete_on_termination", False)
        if not isinstance(delete, bool):
            delete = BOOLEAN_WORDS.get(delete) if isinstance(delete, str) else None
        if delete is None:
            raise _invalid_mapping("delete_on_termination must be a boolean.")
        volumes.append(BootVolume(source, uuid, size, boot_index, delete, mapping.get("tag")))
    return tuple(volumes)


#: The strings Nova's request schemas take for a boolean (its
#: ``parameter_types.boolean``), as the legacy ``--block-device-mapping
#: dev=id:type:size:true`` form of the CLI sends ``delete_on_termination``.
BOOLEAN_WORDS = {
    **dict.fromkeys(("True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes"), True),
    **dict.fromkeys(("False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no"),
                    False),
}


def check_boot_volumes(storage: BlockStorageRegion, mappings: tuple, count: int = 1) -> None:
    """Refuse, before any server is made, mappings whose sources Cinder lacks."""
    if count > 1 and any(m.source_type == "volume" for m in mappings):
        # nova/compute/api.py refuses one volume for several servers.
        raise BadRequest("Cannot attach one or more volumes to multiple instances")
    for mapping in mappings:
        try:
            if mapping.source_type == "volume":
                volume = storage.volume(mapping.uuid)
                if volume.status_at(storage.now()) != "available":
                    raise _invalid_mapping(f"Volume {mapping.uuid} is not available.")
            elif mapping.source_type == "snapshot":
                storage.snapshot(mapping.uuid)
            elif mapping.source_type == "image" and storage.images.find(mapping.uuid) is None:
                raise _invalid_mapping(f"failed to get image {mapping.uuid}.")
        except cinder_errors.NotFound:
            raise _invalid_mapping(f"failed to get {mapping.source_type} "
                                   f"{mapping.uuid}.") from None


def attach_boot_volumes(storage: BlockStorageRegion, server: Server, mappings: tuple,
                        now: float) -> None:
    """Make (or take) each mapped volume and attach it; the boot volume is ``/dev/vda``."""
    ordered = sorted(mappings, key=lambda m: (m.boot_index is None or m.boot_index < 0,
                                              m.boot_index or 0))
    for mapping in ordered:
        try:
            if mapping.source_type == "blank":
                volume = storage.create_volume(VolumeSpec(size=mapping.size))
            else:
                volume = storage.volume_for_boot(mapping.source_type, mapping.uuid,
                                                 mapping.size, name=None)
            device = "/dev/vda" if mapping.boot_index == 0 else None
            attachment = storage.attach_to_server(volume.id, server.id,
                                                  device=device or _next_device(server))
        except cinder_errors.BlockStorageError as fault:
            raise _refused_by_cinder(fault) from None
        server.volumes = (*server.volumes, BlockDevice(
            volume.id, attachment.device, attachment.id, mapping.delete_on_termination,
            mapping.tag))
    if ordered:
        server.touch(now)


def _next_device(server: Server) -> str:
    taken = {d.device for d in server.volumes}
    for letter in DEVICE_LETTERS:
        if f"/dev/vd{letter}" not in taken:
            return f"/dev/vd{letter}"
    raise BadRequest("No free disk device names for prefix 'vd'")
