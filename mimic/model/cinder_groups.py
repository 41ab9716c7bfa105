"""
Cinder's generic volume groups (3.13) and group snapshots (3.14) for one
tenant in one region: a group has a group type and the volume types its
volumes may have; a group snapshot snapshots every volume of its group at
once. Mimic makes both ``available`` at once; deleting a group with
``delete-volumes`` deletes its volumes too (``api-ref/source/v3/groups.inc``,
``group-snapshots.inc``). The records live in the tenant's
:class:`mimic.model.cinder.BlockStorageRegion` (``groups``,
``group_snapshots``), the rules here.
"""

from __future__ import annotations

from typing import Any, Optional

import attrs

from mimic.model.cinder_errors import BadRequest, NotFound, invalid_input
from mimic.model.cinder_records import AVAILABILITY_ZONE

#: Mimic's bound on the groups (and group snapshots) one tenant may hold.
MAX_GROUPS = 100


@attrs.define(eq=False)
class Group:
    """A generic volume group."""

    id: str
    name: Optional[str]
    description: Optional[str]
    group_type_id: str
    volume_type_ids: tuple
    created: float
    project_id: str
    status: str = "available"
    availability_zone: str = AVAILABILITY_ZONE
    group_snapshot_id: Optional[str] = None
    source_group_id: Optional[str] = None


@attrs.define(eq=False)
class GroupSnapshot:
    """A snapshot of every volume of a group, taken together."""

    id: str
    group_id: str
    group_type_id: str
    name: Optional[str]
    description: Optional[str]
    created: float
    project_id: str
    snapshot_ids: tuple = ()
    status: str = "available"


def group(storage: Any, group_id: str) -> Group:
    found = storage.groups.get(group_id)
    if found is None:
        raise NotFound(f"Group {group_id} could not be found.")
    return found


def create_group(storage: Any, name: Optional[str], description: Optional[str],
                 group_type_ref: str, volume_type_refs: list,
                 availability_zone: Optional[str] = None) -> Group:
    catalog = storage.catalog
    group_type = catalog.group_type(group_type_ref, by_name=True)
    if not volume_type_refs:
        raise invalid_input("volume_types must be provided to create group")
    volume_types = tuple(catalog.volume_type(ref).id for ref in volume_type_refs)
    if availability_zone not in (None, AVAILABILITY_ZONE):
        raise invalid_input(f"Availability zone '{availability_zone}' is invalid.")
    if len(storage.groups) >= MAX_GROUPS:
        raise BadRequest(f"A project holds at most {MAX_GROUPS} groups (Mimic's bound)")
    made = Group(storage.ids.uuid(), name, description, group_type.id, volume_types,
                 storage.now(), storage.tenant_id)
    storage.groups[made.id] = made
    return made


def group_volumes(storage: Any, group_id: str) -> list:
    return [v for v in storage.volumes() if v.group_id == group_id]


def update_group(storage: Any, group_id: str, name: Any = attrs.NOTHING,
                 description: Any = attrs.NOTHING, add_volumes: tuple = (),
                 remove_volumes: tuple = ()) -> Group:
    found = group(storage, group_id)
    adding = [storage.volume(v) for v in add_volumes]
    removing = [storage.volume(v) for v in remove_volumes]
    for volume in adding:
        if volume.volume_type.id not in found.volume_type_ids:
            raise invalid_input(f"Cannot add volume {volume.id} to group {group_id}: its "
                                "volume type is not supported by the group.")
        if volume.group_id not in (None, group_id):
            raise invalid_input(f"Cannot add volume {volume.id} to group {group_id}: it "
                                "is already in a group.")
    for volume in removing:
        if volume.group_id != group_id:
            raise invalid_input(f"Cannot remove volume {volume.id} from group "
                                f"{group_id}: it is not in the group.")
    if name is not attrs.NOTHING:
        found.name = name
    if description is not attrs.NOTHING:
        found.description = description
    for volume in adding:
        volume.group_id = group_id
    for volume in removing:
        volume.group_id = None
    return found


def delete_group(storage: Any, group_id: str, delete_volumes: bool) -> None:
    found = group(storage, group_id)
    members = group_volumes(storage, group_id)
    if members and not delete_volumes:
        raise BadRequest(f"Invalid group: Group {group_id} still contains volumes. The "
                         "delete-volumes flag is required to delete it.")
    if any(s.group_id == group_id for s in storage.group_snapshots.values()):
        raise BadRequest(f"Invalid group: Group {group_id} has group snapshots.")
    for volume in members:
        storage.delete_volume(volume.id, in_group=True)
    del storage.groups[found.id]


def group_snapshot(storage: Any, snapshot_id: str) -> GroupSnapshot:
    found = storage.group_snapshots.get(snapshot_id)
    if found is None:
        raise NotFound(f"GroupSnapshot {snapshot_id} could not be found.")
    return found


def create_group_snapshot(storage: Any, group_id: str, name: Optional[str],
                          description: Optional[str],
                          user_id: Optional[str] = None) -> GroupSnapshot:
    found = group(storage, group_id)
    members = group_volumes(storage, group_id)
    if not members:
        raise BadRequest(f"Invalid group: Group {group_id} contains no volumes.")
    if len(storage.group_snapshots) >= MAX_GROUPS:
        raise BadRequest(f"A project holds at most {MAX_GROUPS} group snapshots "
                         "(Mimic's bound)")
    made = GroupSnapshot(storage.ids.uuid(), found.id, found.group_type_id, name,
                         description, storage.now(), storage.tenant_id)
    snapshots = [storage.create_snapshot(v.id, name=name, force=True, user_id=user_id)
                 for v in members]
    for snapshot in snapshots:
        snapshot.group_snapshot_id = made.id
    made.snapshot_ids = tuple(s.id for s in snapshots)
    storage.group_snapshots[made.id] = made
    return made


def delete_group_snapshot(storage: Any, snapshot_id: str) -> None:
    found = group_snapshot(storage, snapshot_id)
    for member in found.snapshot_ids:
        if member in storage.snapshot_ids():
            storage.delete_snapshot(member, in_group=True)
    del storage.group_snapshots[found.id]
