"""
OpenStack Block Storage (Cinder) state for one tenant in one region:
volumes, snapshots and attachments, the volume types and quotas they are
counted against, and the misbehaviour a test asks for (metadata presets on
create, behaviors registered through the control API).

The records themselves (:class:`Volume`, :class:`Snapshot`,
:class:`Attachment`, :class:`VolumeType`) are in
:mod:`mimic.model.cinder_records`, the behavior events and presets in
:mod:`mimic.model.cinder_behaviors`; both are re-exported here. The rules
of attaching are in :mod:`mimic.model.cinder_attachments`, groups in
:mod:`mimic.model.cinder_groups`, transfers in
:mod:`mimic.model.cinder_transfers`, and what the region shares (types,
QoS specs, services) in :mod:`mimic.model.cinder_types`.

Time is Mimic's clock, read when asked, as in :mod:`mimic.model.nova`: a
volume that takes 30 s to create holds a :class:`Passing` state
("creating until t, then available") and its status is computed on every
read; a volume being deleted shows ``deleting`` until its time is up and is
forgotten the next time anything looks. Nothing is scheduled.

Nova's side (attaching a volume to a server, booting from one) goes through
the small public API at the end of :class:`BlockStorageRegion`
(:meth:`~BlockStorageRegion.reserve_for_server`,
:meth:`~BlockStorageRegion.attach_to_server`,
:meth:`~BlockStorageRegion.detach_from_server`,
:meth:`~BlockStorageRegion.volume_for_boot`), reached with
:func:`block_storage_for`, so both APIs always tell the same story.
"""

from __future__ import annotations

from typing import Any, Optional

import attrs

from mimic.model.behaviors import BehaviorRegistry
from mimic.model.cinder_attachments import AttachmentRules
from mimic.model.cinder_behaviors import (  # noqa: F401 - re-exported
    CREATION_EVENT,
    DELETION_EVENT,
    EVENTS,
    PRESETS,
    CreationPresets,
)
from mimic.model.cinder_errors import (
    BadRequest,
    InjectedFailure,
    NotFound,
    QuotaExceeded,
    invalid_input,
    invalid_snapshot,
    invalid_volume,
)
from mimic.model.cinder_records import (  # noqa: F401 - re-exported
    AVAILABILITY_ZONE,
    NAME_LENGTH,
    Attachment,
    Passing,
    Snapshot,
    Volume,
    VolumeSpec,
    VolumeType,
)
from mimic.model.cinder_types import BlockStorageCatalog
from mimic.model.images import ImageStore, image_store_for
from mimic.profiles import profile_of
from mimic.util import IdSource

#: Cinder's default quotas (``cinder/quota.py``: ``quota_volumes`` 10,
#: ``quota_snapshots`` 10, ``quota_gigabytes`` 1000, backups likewise,
#: ``per_volume_size_limit`` -1). They also bound what a client can make.
DEFAULT_QUOTAS = {
    "volumes": 10,
    "snapshots": 10,
    "gigabytes": 1000,
    "backups": 10,
    "backup_gigabytes": 1000,
    "groups": 10,
    "per_volume_gigabytes": -1,
}

#: Mimic's bounds on what a client may attach to a volume or snapshot.
METADATA_ITEMS = 128

#: Statuses a volume may be deleted from (Cinder's ``delete`` expects them).
DELETABLE = ("available", "error", "error_restoring", "error_extending",
             "error_managing")


@attrs.define
class BlockStorageRegion(AttachmentRules):
    """Everything Cinder keeps for one tenant in one region."""

    tenant_id: str
    clock: Any
    ids: IdSource
    images: ImageStore
    catalog: BlockStorageCatalog
    creation_behaviors: BehaviorRegistry
    deletion_behaviors: BehaviorRegistry
    _volumes: dict = attrs.field(factory=dict)
    _snapshots: dict = attrs.field(factory=dict)
    _attachments: dict = attrs.field(factory=dict)
    #: Groups and group snapshots (:mod:`mimic.model.cinder_groups`), and
    #: transfers offered (:mod:`mimic.model.cinder_transfers`), by id.
    groups: dict = attrs.field(factory=dict)
    group_snapshots: dict = attrs.field(factory=dict)
    transfers: dict = attrs.field(factory=dict)
    quotas: dict = attrs.field(factory=lambda: dict(DEFAULT_QUOTAS))

    def now(self) -> float:
        return self.clock.seconds()

    def behaviors(self, event: str) -> BehaviorRegistry:
        """The registry for ``event``; :class:`NotFound` for an unknown one."""
        if event == CREATION_EVENT.name:
            return self.creation_behaviors
        if event == DELETION_EVENT.name:
            return self.deletion_behaviors
        raise NotFound(f"Cinder has no behavior event {event!r}; "
                       f"known: {', '.join(sorted(EVENTS))}.")

    # volumes

    def _forget_finished_deletions(self, now: float) -> None:
        gone = [v for v in self._volumes.values()
                if v.gone_at is not None and now >= v.gone_at]
        for volume in gone:
            del self._volumes[volume.id]

    def holds_volume(self, volume_id: str) -> bool:
        """Whether the volume is this tenant's (gone or not yet forgotten alike)."""
        return volume_id in self._volumes

    def uses_group_type(self, type_id: str) -> bool:
        return any(g.group_type_id == type_id for g in self.groups.values())

    def uses_type(self, type_id: str) -> bool:
        return any(v.volume_type.id == type_id for v in self._volumes.values())

    def volume(self, volume_id: str) -> Volume:
        now = self.now()
        volume = self._volumes.get(volume_id)
        if volume is not None and volume.gone_at is not None and now >= volume.gone_at:
            del self._volumes[volume_id]
            volume = None
        if volume is None:
            raise NotFound(f"Volume {volume_id} could not be found.")
        volume.settle(now)
        return volume

    def volumes(self, name: Optional[str] = None, status: Optional[str] = None,
                limit: int = 1000, marker: Optional[str] = None) -> list:
        """Newest first, as Cinder sorts by default (``created_at`` desc)."""
        now = self.now()
        self._forget_finished_deletions(now)
        listed = list(reversed(list(self._volumes.values())))
        if marker is not None:
            ids = [v.id for v in listed]
            if marker not in ids:
                raise NotFound(f"Volume {marker} could not be found.")
            listed = listed[ids.index(marker) + 1:]
        listed = [v for v in listed
                  if (name is None or v.name == name)
                  and (status is None or v.status_at(now) == status)]
        return listed[:limit]

    def _usage(self) -> tuple[int, int]:
        self._forget_finished_deletions(self.now())
        volumes = list(self._volumes.values())
        gigabytes = sum(v.size for v in volumes) + sum(s.size for s in self._snapshots.values())
        return len(volumes), gigabytes

    def _check_quota(self, volumes: int, gigabytes: int) -> None:
        used_volumes, used_gigabytes = self._usage()
        allowed = self.quotas["volumes"]
        if volumes and allowed >= 0 and used_volumes + volumes > allowed:
            raise QuotaExceeded(f"Maximum number of volumes allowed ({allowed}) "
                                "exceeded for quota 'volumes'.")
        quota = self.quotas["gigabytes"]
        if quota >= 0 and used_gigabytes + gigabytes > quota:
            raise QuotaExceeded(
                "Requested volume or snapshot exceeds allowed gigabytes quota. "
                f"Requested {gigabytes}G, quota is {quota}G and {used_gigabytes}G "
                "has been consumed.")

    def create_volume(self, spec: VolumeSpec, user_id: Optional[str] = None) -> Volume:
        """
        A new volume: empty, from an image, a snapshot or another volume.
        Everything is checked before anything changes.
        """
        _check_metadata(spec.metadata)
        presets = CreationPresets.from_metadata(spec.metadata)
        volume_type = self.catalog.volume_type(spec.volume_type) if spec.volume_type \
            else self.catalog.default_type(self.tenant_id)
        if spec.availability_zone not in (None, AVAILABILITY_ZONE):
            raise invalid_input(f"Availability zone '{spec.availability_zone}' is invalid.")
        size = spec.size
        bootable = False
        image_metadata = None
        snapshot = source = None
        if spec.snapshot_id is not None:
            snapshot = self.snapshot(spec.snapshot_id)
            if snapshot.status_at(self.now()) != "available":
                raise invalid_snapshot("Originating snapshot status must be one of "
                                       "'available' values")
            size = snapshot.size if size is None else size
            if size < snapshot.size:
                raise invalid_input(f"Volume size '{size}'GB cannot be smaller than the "
                                    f"snapshot size {snapshot.size}GB. They must be >= "
                                    "original snapshot size.")
            bootable = self.volume(snapshot.volume_id).bootable \
                if snapshot.volume_id in self._volumes else False
        elif spec.source_volid is not None:
            source = self.volume(spec.source_volid)
            size = source.size if size is None else size
            if size < source.size:
                raise invalid_input(f"Volume size '{size}'GB cannot be smaller than the "
                                    f"original volume size  {source.size}GB. They must "
                                    "be >= original volume size.")
            bootable, image_metadata = source.bootable, source.image_metadata
        if size is None:
            raise invalid_input("Volume size 'None' must be an integer and greater than 0")
        if spec.image_id is not None:
            image = self.images.find(spec.image_id)
            if image is None:
                raise BadRequest("Invalid image identifier or unable to access "
                                 "requested image.")
            if size < image.min_disk:
                raise invalid_input(f"Volume size {size}GB cannot be smaller than the "
                                    f"image minDisk size {image.min_disk}GB.")
            bootable = True
            image_metadata = {"image_id": image.id, "image_name": image.name,
                              "min_disk": str(image.min_disk),
                              "min_ram": str(image.min_ram),
                              "disk_format": image.disk_format,
                              "container_format": image.container_format,
                              "size": str(image.size)}
        if spec.group_id is not None:
            group = self.groups.get(spec.group_id)
            if group is None:
                raise NotFound(f"Group {spec.group_id} could not be found.")
            if volume_type.id not in group.volume_type_ids:
                raise invalid_input(f"Invalid volume_type provided: {volume_type.id} "
                                    "(requested type is not compatible with the group).")
        self._check_quota(1, size)
        chosen = self.creation_behaviors.choose(
            {"volume_name": spec.name or "", "metadata": spec.metadata})
        if chosen.name == "fail":
            raise InjectedFailure(chosen.parameters["code"], chosen.parameters["message"],
                                  chosen.parameters["type"])
        creating = presets.creating
        if chosen.name == "creating":
            creating = max(creating, chosen.parameters["duration"])
        now = self.now()
        volume = Volume(
            id=self.ids.uuid(), name=spec.name, description=spec.description,
            size=size, user_id=user_id, volume_type=volume_type, created=now,
            updated=now,
            status="error" if presets.error or chosen.name == "error" else "available",
            passing=Passing("creating", now + creating) if creating > 0 else None,
            metadata=dict(spec.metadata), bootable=bootable,
            snapshot_id=spec.snapshot_id, source_volid=spec.source_volid,
            image_metadata=image_metadata, deleting_seconds=presets.deleting,
            group_id=spec.group_id,
        )
        self._volumes[volume.id] = volume
        return volume

    def update_volume(self, volume_id: str, name: Any = attrs.NOTHING,
                      description: Any = attrs.NOTHING,
                      metadata: Optional[dict] = None) -> Volume:
        volume = self.volume(volume_id)
        if metadata is not None:
            _check_metadata(metadata)
            volume.metadata = dict(metadata)
        if name is not attrs.NOTHING:
            volume.name = name
        if description is not attrs.NOTHING:
            volume.description = description
        volume.updated = self.now()
        return volume

    def set_metadata(self, volume_id: str, metadata: dict, replace: bool) -> dict:
        volume = self.volume(volume_id)
        merged = dict(metadata) if replace else {**volume.metadata, **metadata}
        _check_metadata(merged)
        volume.metadata = merged
        volume.updated = self.now()
        return merged

    def delete_metadata_item(self, volume_id: str, key: str) -> None:
        volume = self.volume(volume_id)
        if key not in volume.metadata:
            raise NotFound(f"Volume {volume_id} has no metadata with key {key}.")
        del volume.metadata[key]
        volume.updated = self.now()

    def set_image_metadata(self, volume_id: str, metadata: dict) -> dict:
        """``os-set_image_metadata``: merge into the volume's image metadata."""
        volume = self.volume(volume_id)
        merged = {**(volume.image_metadata or {}), **metadata}
        _check_metadata(merged)
        volume.image_metadata = merged
        volume.updated = self.now()
        return merged

    def unset_image_metadata(self, volume_id: str, key: str) -> None:
        volume = self.volume(volume_id)
        if key not in (volume.image_metadata or {}):
            raise NotFound(f"Glance metadata for volume/snapshot {volume_id} cannot be "
                           "found.")
        del volume.image_metadata[key]
        volume.updated = self.now()

    def delete_volume(self, volume_id: str, in_group: bool = False,
                      force: bool = False) -> None:
        """
        ``in_group``: the group's own delete, the one way to delete its
        volumes; ``force`` (``os-force_delete``): whatever the status, as
        long as nothing is attached and no snapshot depends on it.
        """
        volume = self.volume(volume_id)
        now = self.now()
        has_snapshots = any(s.volume_id == volume_id for s in self._snapshots.values())
        grouped = volume.group_id is not None and not in_group
        wrong_status = volume.status_at(now) not in DELETABLE and not (
            force and volume.status_at(now) != "deleting")
        if wrong_status or volume.attachments or has_snapshots or grouped:
            raise invalid_volume(
                "Volume status must be " + " or ".join(DELETABLE) + " and must not be "
                "migrating, attached, belong to a group, have snapshots, awaiting a "
                "transfer, or be disassociated from snapshots after volume transfer.")
        chosen = self.deletion_behaviors.choose(
            {"volume_name": volume.name or "", "metadata": volume.metadata})
        if chosen.name == "fail":
            raise InjectedFailure(chosen.parameters["code"], chosen.parameters["message"],
                                  chosen.parameters["type"])
        seconds = volume.deleting_seconds
        if chosen.name == "deleting":
            seconds = max(seconds, chosen.parameters["duration"])
        if seconds > 0:
            volume.gone_at = now + seconds
            volume.updated = now
        else:
            del self._volumes[volume_id]

    def _expect(self, volume: Volume, action: str, *statuses: str) -> float:
        now = self.now()
        status = volume.status_at(now)
        if status not in statuses:
            raise invalid_volume(f"Volume {volume.id} status must be "
                                 f"{' or '.join(statuses)} to {action}, but the current "
                                 f"status is {status}.")
        return now

    def extend(self, volume_id: str, new_size: int, allow_in_use: bool = False) -> Volume:
        """``allow_in_use`` is microversion 3.42: attached volumes may grow too."""
        volume = self.volume(volume_id)
        if new_size <= volume.size:
            raise invalid_input("New size for extend must be greater than current size. "
                                f"(current: {volume.size}, extended: {new_size}).")
        now = self.now()
        status = volume.status_at(now)
        expected = ("available", "in-use") if allow_in_use else ("available",)
        if status not in expected:
            raise invalid_volume(f"Volume {volume.id} status must be "
                                 f"'{' or '.join(expected)}' to extend, currently {status}.")
        self._check_quota(0, new_size - volume.size)
        volume.size = new_size
        volume.updated = now
        return volume

    def set_bootable(self, volume_id: str, bootable: bool) -> None:
        volume = self.volume(volume_id)
        volume.bootable = bootable
        volume.updated = self.now()

    def reset_status(self, volume_id: str, status: str) -> None:
        if status not in ("available", "error", "in-use", "creating", "attaching",
                          "detaching", "reserved", "error_deleting", "maintenance"):
            raise invalid_input(f"Invalid status {status!r}")
        volume = self.volume(volume_id)
        volume.status, volume.passing = status, None
        volume.updated = self.now()

    # snapshots

    def snapshot(self, snapshot_id: str) -> Snapshot:
        snapshot = self._snapshots.get(snapshot_id)
        if snapshot is None:
            raise NotFound(f"Snapshot {snapshot_id} could not be found.")
        return snapshot

    def snapshots(self, volume_id: Optional[str] = None, limit: int = 1000,
                  marker: Optional[str] = None) -> list:
        listed = list(reversed(list(self._snapshots.values())))
        if marker is not None:
            ids = [s.id for s in listed]
            if marker not in ids:
                raise NotFound(f"Snapshot {marker} could not be found.")
            listed = listed[ids.index(marker) + 1:]
        return [s for s in listed if volume_id is None or s.volume_id == volume_id][:limit]

    def create_snapshot(self, volume_id: str, name: Optional[str] = None,
                        description: Optional[str] = None, metadata: Optional[dict] = None,
                        force: bool = False, user_id: Optional[str] = None) -> Snapshot:
        """``force`` (or microversion 3.66) allows snapshotting an in-use volume."""
        metadata = dict(metadata or {})
        _check_metadata(metadata)
        volume = self.volume(volume_id)
        now = self.now()
        valid = ("available", "in-use") if force else ("available",)
        status = volume.status_at(now)
        if status not in valid:
            raise invalid_volume(f"Volume {volume.id} status must be {', '.join(valid)}, "
                                 f"but current status is: {status}.")
        allowed = self.quotas["snapshots"]
        if allowed >= 0 and len(self._snapshots) + 1 > allowed:
            raise QuotaExceeded(f"Maximum number of snapshots allowed ({allowed}) exceeded")
        self._check_quota(0, volume.size)
        snapshot = Snapshot(self.ids.uuid(), volume.id, name, description, volume.size,
                            user_id, now, now, metadata=metadata)
        self._snapshots[snapshot.id] = snapshot
        return snapshot

    def update_snapshot(self, snapshot_id: str, name: Any = attrs.NOTHING,
                        description: Any = attrs.NOTHING) -> Snapshot:
        snapshot = self.snapshot(snapshot_id)
        if name is not attrs.NOTHING:
            snapshot.name = name
        if description is not attrs.NOTHING:
            snapshot.description = description
        snapshot.updated = self.now()
        return snapshot

    def set_snapshot_metadata(self, snapshot_id: str, metadata: dict,
                              replace: bool) -> dict:
        snapshot = self.snapshot(snapshot_id)
        merged = dict(metadata) if replace else {**snapshot.metadata, **metadata}
        _check_metadata(merged)
        snapshot.metadata = merged
        snapshot.updated = self.now()
        return merged

    def delete_snapshot_metadata_item(self, snapshot_id: str, key: str) -> None:
        snapshot = self.snapshot(snapshot_id)
        if key not in snapshot.metadata:
            raise NotFound(f"Snapshot {snapshot_id} has no metadata with key {key}.")
        del snapshot.metadata[key]
        snapshot.updated = self.now()

    def snapshot_ids(self) -> list:
        return list(self._snapshots)

    def hand_over(self, volume: Volume, destination: "BlockStorageRegion",
                  with_snapshots: bool = True) -> None:
        """A transfer's end: the volume (and its snapshots) become ``destination``'s."""
        destination._check_quota(1, volume.size)
        del self._volumes[volume.id]
        destination._volumes[volume.id] = volume
        for snapshot in [s for s in self._snapshots.values() if s.volume_id == volume.id]:
            del self._snapshots[snapshot.id]
            if with_snapshots:
                destination._snapshots[snapshot.id] = snapshot

    def reset_snapshot_status(self, snapshot_id: str, status: str) -> None:
        """``os-reset_status``: an operator says what the snapshot's status is."""
        if status not in ("available", "error", "creating", "deleting", "error_deleting"):
            raise invalid_input(f"Invalid status {status!r}")
        snapshot = self.snapshot(snapshot_id)
        snapshot.status, snapshot.updated = status, self.now()

    def delete_snapshot(self, snapshot_id: str, in_group: bool = False,
                        force: bool = False) -> None:
        snapshot = self.snapshot(snapshot_id)
        if snapshot.group_snapshot_id is not None and not in_group:
            raise invalid_snapshot("Snapshot is part of a group snapshot; delete the "
                                   "group snapshot instead.")
        if not force and snapshot.status_at(self.now()) not in ("available", "error"):
            raise invalid_snapshot("Snapshot status must be available or error and must "
                                   "not be part of a group.")
        del self._snapshots[snapshot_id]

    def volume_for_boot(self, source_type: str, uuid: Optional[str],
                        size: Optional[int], name: Optional[str] = None) -> Volume:
        """
        The volume a server boots from: an existing one (``volume``), or a new
        one made from an image or a snapshot, as Nova asks Cinder for.
        """
        if source_type == "volume":
            return self.volume(uuid or "")
        if source_type == "image":
            return self.create_volume(VolumeSpec(size=size, name=name, image_id=uuid))
        if source_type == "snapshot":
            return self.create_volume(VolumeSpec(size=size, name=name, snapshot_id=uuid))
        raise BadRequest(f"Unknown source_type {source_type!r}")

    # limits and quotas

    def usage(self) -> dict:
        """``in_use`` per quota resource."""
        volumes, gigabytes = self._usage()
        return {"volumes": volumes, "snapshots": len(self._snapshots),
                "gigabytes": gigabytes, "backups": 0, "backup_gigabytes": 0,
                "groups": len(self.groups), "per_volume_gigabytes": 0}


def _check_metadata(metadata: dict) -> None:
    if len(metadata) > METADATA_ITEMS:
        raise invalid_input(f"metadata may hold at most {METADATA_ITEMS} items "
                            "(Mimic's bound)")
    for key, value in metadata.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise invalid_input("Invalid metadata: keys and values must be strings")
        if not key or len(key) > 255 or len(value) > 255:
            raise invalid_input("Invalid metadata size: keys must be 1 to 255 "
                                "characters and values at most 255")


def catalog_for(session_store: Any, region: str) -> BlockStorageCatalog:
    """The region's volume types, QoS specs, group types and services."""
    return session_store.data_for_api(("cinder", region), lambda: BlockStorageCatalog.canned(
        session_store.ids, profile_of(session_store.options).name))


def block_storage_for(session_store: Any, tenant_id: str, region: str) -> BlockStorageRegion:
    """The tenant's Cinder state in ``region``, made on first use, shared by every API."""

    def make() -> BlockStorageRegion:
        ids = session_store.ids
        return BlockStorageRegion(
            tenant_id=tenant_id,
            clock=session_store.clock,
            ids=ids,
            images=image_store_for(session_store, tenant_id, region),
            catalog=catalog_for(session_store, region),
            creation_behaviors=BehaviorRegistry(CREATION_EVENT, ids),
            deletion_behaviors=BehaviorRegistry(DELETION_EVENT, ids),
        )

    return session_store.tenant(tenant_id).data_for_api(("cinder", region), make)



def known_block_storage(session_store: Any, region: str) -> list:
    """Every tenant's Cinder state in ``region`` that exists (makes nothing)."""
    found = []
    for tenant in session_store.tenants():
        storage = tenant.known_data_for_api(("cinder", region))
        if storage is not None:
            found.append(storage)
    return found


def volume_owner(session_store: Any, region: str, volume_id: str) -> Optional[BlockStorageRegion]:
    """
    The tenant state that holds ``volume_id``, whoever owns it: what an
    admin's request reaches, since Cinder's admin context is not bound to
    its own project (``cinder/db/sqlalchemy/api.py``, ``project_only``).
    """
    for storage in known_block_storage(session_store, region):
        if storage.holds_volume(volume_id):
            return storage
    return None
