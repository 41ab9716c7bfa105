"""
The things Cinder holds, one class per noun of its API: volume types,
volumes, snapshots and attachments, and the validated body of a volume
create. :mod:`mimic.model.cinder` keeps them per tenant and region and
holds the rules that move them from state to state.
"""

from __future__ import annotations

from typing import Optional

import attrs

AVAILABILITY_ZONE = "nova"
NAME_LENGTH = 255


@attrs.define(eq=False)
class VolumeType:
    """
    A volume type. An operator can rename it, change its specs, its
    private ``projects`` access, its ``encryption`` and QoS association
    (:class:`mimic.model.cinder_types.BlockStorageCatalog`); volumes keep a
    reference, so they show the type as it is now, as Cinder's join does.
    """

    id: str
    name: str
    description: Optional[str] = None
    is_public: bool = True
    extra_specs: dict = attrs.field(factory=dict)
    projects: tuple = ()
    encryption: Optional[dict] = None
    qos_specs_id: Optional[str] = None


@attrs.frozen
class Passing:
    """A passing state: the thing shows ``status`` until the clock reaches ``until``."""

    status: str
    until: float


@attrs.define(eq=False)
class Attachment:
    """
    One attachment of a volume to a server (the v3 attachments API's noun).
    ``status`` is Cinder's ``attach_status``: ``reserved`` (no connector
    yet), ``attaching`` (connector given), ``attached`` (completed).
    """

    id: str
    volume_id: str
    instance: Optional[str]
    status: str
    created: float
    mode: str = "rw"
    connector: Optional[dict] = None
    device: Optional[str] = None
    attached_at: Optional[float] = None
    detached_at: Optional[float] = None

    def connection_info(self) -> Optional[dict]:
        """What a connector gets back: an iSCSI target, as LVM would give."""
        if self.connector is None:
            return None
        return {
            "driver_volume_type": "iscsi",
            "target_iqn": f"iqn.2010-10.org.openstack:volume-{self.volume_id}",
            "target_portal": "127.0.0.1:3260",
            "target_lun": 0,
            "volume_id": self.volume_id,
            "access_mode": self.mode,
            "attachment_id": self.id,
        }


@attrs.define(eq=False)
class Volume:
    """
    A volume. ``status`` is where it settles; while ``passing`` lasts it
    shows that status instead; ``gone_at`` is set once deletion started.
    """

    id: str
    name: Optional[str]
    description: Optional[str]
    size: int
    user_id: Optional[str]
    volume_type: VolumeType
    created: float
    updated: float
    status: str
    availability_zone: str = AVAILABILITY_ZONE
    passing: Optional[Passing] = None
    metadata: dict = attrs.field(factory=dict)
    bootable: bool = False
    snapshot_id: Optional[str] = None
    source_volid: Optional[str] = None
    image_metadata: Optional[dict] = None
    attachments: list = attrs.field(factory=list)
    deleting_seconds: float = 0.0
    gone_at: Optional[float] = None
    group_id: Optional[str] = None

    def status_at(self, now: float) -> str:
        if self.gone_at is not None:
            return "deleting"
        passing = self.passing
        if passing is not None and now < passing.until:
            return passing.status
        return self.status

    def updated_at(self, now: float) -> float:
        passing = self.passing
        if passing is not None and now >= passing.until:
            return max(self.updated, passing.until)
        return self.updated

    def settle(self, now: float) -> None:
        passing = self.passing
        if passing is not None and now >= passing.until:
            self.updated = max(self.updated, passing.until)
            self.passing = None

    def attached(self) -> list:
        return [a for a in self.attachments if a.status == "attached"]


@attrs.define(eq=False)
class Snapshot:
    """A snapshot of a volume; Mimic makes them ``available`` at once."""

    id: str
    volume_id: str
    name: Optional[str]
    description: Optional[str]
    size: int
    user_id: Optional[str]
    created: float
    updated: float
    status: str = "available"
    metadata: dict = attrs.field(factory=dict)
    group_snapshot_id: Optional[str] = None

    def status_at(self, now: float) -> str:
        return self.status


@attrs.frozen
class VolumeSpec:
    """A validated ``POST volumes`` body."""

    size: Optional[int] = None
    name: Optional[str] = None
    description: Optional[str] = None
    volume_type: Optional[str] = None
    availability_zone: Optional[str] = None
    metadata: dict = attrs.field(factory=dict)
    image_id: Optional[str] = None
    snapshot_id: Optional[str] = None
    source_volid: Optional[str] = None
    group_id: Optional[str] = None

