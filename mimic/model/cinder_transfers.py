"""
Volume transfers (``os-volume-transfer``, and ``volume-transfers`` from
3.55) for one region: the owner offers a volume (it shows
``awaiting-transfer``), gets an ``auth_key`` once, and whoever presents
the id and that key takes the volume into their own project; deleting the
offer puts the volume back to ``available`` (``api-ref/source/v3/
volumes-v3-volumes-transfer.inc``). An offer is kept by the volume's
tenant state (:class:`mimic.model.cinder.BlockStorageRegion`,
``transfers``); the accepting tenant is found by id across the region.
"""

from __future__ import annotations

import hashlib
from typing import Any, Optional

import attrs

from mimic.model.cinder_errors import BadRequest, NotFound, invalid_volume

#: Cinder's ``volume_transfer_key_length`` default.
KEY_LENGTH = 16
#: Mimic's bound on the transfers one tenant may have open.
MAX_TRANSFERS = 100


@attrs.define(eq=False)
class Transfer:
    """An open offer of one volume; only the key's digest is kept, as Cinder does."""

    id: str
    volume_id: str
    name: Optional[str]
    created: float
    salt: str
    key_digest: str
    source_project_id: str
    no_snapshots: bool = False

    def accepts(self, auth_key: str) -> bool:
        return _digest(self.salt, auth_key) == self.key_digest


def _digest(salt: str, key: str) -> str:
    return hashlib.sha1((salt + key).encode()).hexdigest()


def transfer(storage: Any, transfer_id: str) -> Transfer:
    found = storage.transfers.get(transfer_id)
    if found is None:
        raise NotFound(f"Transfer {transfer_id} could not be found.")
    return found


def create_transfer(storage: Any, volume_id: str, name: Optional[str],
                    no_snapshots: bool = False) -> tuple:
    """Offer the volume: ``(transfer, auth_key)``; the key is never shown again."""
    volume = storage.volume(volume_id)
    status = volume.status_at(storage.now())
    if status != "available":
        raise invalid_volume(f"Status of volume must be available, but current status "
                             f"is: {status}.")
    if len(storage.transfers) >= MAX_TRANSFERS:
        raise BadRequest(f"A project holds at most {MAX_TRANSFERS} open transfers "
                         "(Mimic's bound)")
    auth_key = storage.ids.hex(KEY_LENGTH)
    salt = storage.ids.hex(8)
    made = Transfer(storage.ids.uuid(), volume.id, name, storage.now(), salt,
                    _digest(salt, auth_key), storage.tenant_id, no_snapshots)
    storage.transfers[made.id] = made
    volume.status, volume.updated = "awaiting-transfer", storage.now()
    return made, auth_key


def delete_transfer(storage: Any, transfer_id: str) -> None:
    found = transfer(storage, transfer_id)
    del storage.transfers[found.id]
    if storage.holds_volume(found.volume_id):
        volume = storage.volume(found.volume_id)
        if volume.status == "awaiting-transfer":
            volume.status, volume.updated = "available", storage.now()


def accept_transfer(source: Any, destination: Any, transfer_id: str,
                    auth_key: str) -> Transfer:
    """Move the offered volume (and, unless ``no_snapshots``, its snapshots) over."""
    found = transfer(source, transfer_id)
    if not found.accepts(auth_key):
        raise BadRequest(f"Invalid auth key: Attempt to transfer {transfer_id} with "
                         "invalid auth key.")
    volume = source.volume(found.volume_id)
    del source.transfers[found.id]
    source.hand_over(volume, destination, with_snapshots=not found.no_snapshots)
    volume.status, volume.updated = "available", destination.now()
    return found
