"""
The Block Storage model without HTTP: the small API Nova's side calls
(reserve, attach, detach, a volume to boot from), time on a
``task.Clock``, and the plugin objects' contracts.
"""

from __future__ import annotations

import pytest
from twisted.internet.task import Clock
from zope.interface.verify import verifyObject

from mimic.imimic import IAPIMock, IPresetProvider
from mimic.model.cinder import (
    BadRequest,
    NotFound,
    VolumeSpec,
    block_storage_for,
)
from mimic.model.cinder_errors import QuotaExceeded
from mimic.model.identity import SessionStore
from mimic.plugins.cinder_plugin import cinder, cinder_control
from mimic.util import IdSource

UBUNTU = "a1b2c3d4-0001-4e6f-8a9b-0c1d2e3f4a01"


@pytest.fixture
def store() -> SessionStore:
    return SessionStore(clock=Clock(), ids=IdSource(0))


def test_plugins_provide_their_interfaces():
    assert verifyObject(IAPIMock, cinder) and verifyObject(IPresetProvider, cinder)
    assert verifyObject(IAPIMock, cinder_control)
    types = [entry.type for entry in cinder.catalog_entries("t", ("ORD",))]
    assert types == ["block-storage", "volumev3", "volumev2"]


def test_state_is_per_tenant_and_region_and_shared_by_every_caller(store):
    ord_storage = block_storage_for(store, "t1", "ORD")
    assert block_storage_for(store, "t1", "ORD") is ord_storage
    volume = ord_storage.create_volume(VolumeSpec(size=1))
    with pytest.raises(NotFound):
        block_storage_for(store, "t1", "DFW").volume(volume.id)
    with pytest.raises(NotFound):
        block_storage_for(store, "t2", "ORD").volume(volume.id)


def test_attach_to_server_makes_the_volume_in_use_and_detach_frees_it(store):
    storage = block_storage_for(store, "t1", "ORD")
    volume = storage.create_volume(VolumeSpec(size=1))
    attachment = storage.attach_to_server(volume.id, "server-1", device="/dev/vdb")
    assert (volume.status_at(0), attachment.status, attachment.device) == (
        "in-use", "attached", "/dev/vdb")
    assert storage.attachments(instance_id="server-1") == [attachment]
    with pytest.raises(BadRequest):
        storage.attach_to_server(volume.id, "server-2")
    storage.detach_from_server(volume.id, "server-1")
    assert volume.status_at(0) == "available" and storage.attachments() == []
    with pytest.raises(NotFound):
        storage.detach_from_server(volume.id, "server-1")


def test_reserve_for_server_leaves_the_volume_reserved(store):
    storage = block_storage_for(store, "t1", "ORD")
    volume = storage.create_volume(VolumeSpec(size=1))
    attachment = storage.reserve_for_server(volume.id, "server-1")
    assert (attachment.status, volume.status_at(0)) == ("reserved", "reserved")
    completed = storage.attach_to_server(volume.id, "server-1", device="/dev/vdc")
    assert completed is attachment and storage.attachments() == [attachment]
    assert (attachment.status, volume.status_at(0)) == ("attached", "in-use")


def test_volume_for_boot_uses_or_makes_a_volume(store):
    storage = block_storage_for(store, "t1", "ORD")
    existing = storage.create_volume(VolumeSpec(size=1))
    assert storage.volume_for_boot("volume", existing.id, None) is existing
    from_image = storage.volume_for_boot("image", UBUNTU, 20, name="root")
    assert from_image.bootable and from_image.image_metadata["image_id"] == UBUNTU
    snapshot = storage.create_snapshot(from_image.id)
    from_snapshot = storage.volume_for_boot("snapshot", snapshot.id, None)
    assert (from_snapshot.size, from_snapshot.bootable) == (20, True)
    with pytest.raises(BadRequest):
        storage.volume_for_boot("blank-ish", None, 1)


def test_creating_ends_when_the_clock_reaches_it(store):
    storage = block_storage_for(store, "t1", "ORD")
    volume = storage.create_volume(VolumeSpec(size=1, metadata={"volume_creating": "7"}))
    assert volume.status_at(store.clock.seconds()) == "creating"
    store.clock.advance(7)
    assert storage.volume(volume.id).status_at(store.clock.seconds()) == "available"
    assert storage.volume(volume.id).updated_at(7) == 7


def test_a_refused_create_changes_nothing(store):
    storage = block_storage_for(store, "t1", "ORD")
    with pytest.raises(QuotaExceeded):
        storage.create_volume(VolumeSpec(size=1001))
    with pytest.raises(BadRequest):
        storage.create_volume(VolumeSpec(size=1, metadata={"volume_creating": "-1"}))
    assert storage.volumes() == [] and storage.usage()["gigabytes"] == 0
