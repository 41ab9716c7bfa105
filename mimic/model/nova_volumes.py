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

from mimic.model import cinder_errors
from mimic.model.cinder import BlockStorageRegion, block_storage_for
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
