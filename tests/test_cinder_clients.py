"""
Real clients against Mimic's Block Storage: openstacksdk's
``conn.block_storage`` (which finds Cinder by the ``block-storage``
catalog type, discovers ``/v3`` and negotiates a microversion from the
version document: 3.71 for volumes and attachments, 3.65 for snapshots, its
resources' ``_max_microversion``) and the ``openstack volume ...`` commands
of python-openstackclient, which go through the same SDK. What they send and
parse is the specification.
"""

from __future__ import annotations

import openstack
import pytest
from openstack import exceptions as sdk_exceptions

from tests.conftest import json_of
from tests.nova_support import UBUNTU


@pytest.fixture
def sdk(mimic):
    connection = openstack.connect(
        auth_url=f"{mimic.base_url}/identity/v2.0",
        username="sdk-vol",
        password="secret",
        project_id="880101",
        region_name="ORD",
        identity_api_version="2",
    )
    yield connection
    connection.close()


def test_openstacksdk_negotiates_cinders_microversions(sdk):
    storage = sdk.block_storage
    assert storage.get_endpoint().endswith("/mimicking/cinder/ORD/v3/880101")
    assert storage.get_endpoint_data().max_microversion == (3, 71)
    volume = storage.create_volume(size=1, name="negotiated")
    # volume_type_id is only in answers from 3.63 on: the SDK asked for more.
    assert storage.get_volume(volume.id).volume_type_id is not None


def test_openstacksdk_volume_life_cycle(sdk):
    storage = sdk.block_storage
    volume = storage.create_volume(size=1, name="sdk-vol", metadata={"team": "qa"})
    volume = storage.wait_for_status(volume, "available", wait=5, interval=0.05)
    assert [v.name for v in storage.volumes()] == ["sdk-vol"]
    assert storage.find_volume("sdk-vol").id == volume.id
    storage.extend_volume(volume, 3)
    fetched = storage.get_volume(volume.id)
    assert (fetched.size, fetched.metadata, fetched.is_bootable) == (3, {"team": "qa"}, False)
    storage.delete_volume(volume)
    storage.wait_for_delete(volume, wait=5, interval=0.05)
    assert list(storage.volumes()) == []
    with pytest.raises(sdk_exceptions.NotFoundException):
        storage.get_volume(volume.id)


def test_openstacksdk_waits_through_creating_on_mimics_clock(sdk, mimic):
    storage = sdk.block_storage
    volume = storage.create_volume(size=1, metadata={"volume_creating": "30"})
    assert storage.get_volume(volume.id).status == "creating"
    mimic.tick(30)
    assert storage.wait_for_status(volume, "available", wait=5,
                                   interval=0.05).status == "available"


def test_openstacksdk_snapshots_and_volumes_from_them_and_from_images(sdk):
    storage = sdk.block_storage
    volume = storage.create_volume(size=2, name="origin")
    snapshot = storage.create_snapshot(volume_id=volume.id, name="snap")
    assert storage.wait_for_status(snapshot, "available", wait=5,
                                   interval=0.05).size == 2
    assert [s.name for s in storage.snapshots()] == ["snap"]
    restored = storage.create_volume(snapshot_id=snapshot.id, name="restored")
    assert (restored.size, restored.snapshot_id) == (2, snapshot.id)
    bootable = storage.create_volume(size=20, image_id=UBUNTU, name="boot")
    assert storage.get_volume(bootable.id).is_bootable is True
    storage.delete_snapshot(snapshot)
    assert list(storage.snapshots()) == []


def test_openstacksdk_types_zones_limits_and_quotas(sdk):
    storage = sdk.block_storage
    assert {t.name for t in storage.types()} == {"__DEFAULT__", "SSD", "SATA"}
    assert [z.name for z in storage.availability_zones()] == ["nova"]
    storage.create_volume(size=5)
    assert storage.get_limits().absolute.total_gigabytes_used == 5
    quotas = storage.get_quota_set(sdk.current_project_id, usage=True)
    assert quotas.volumes == 10 and quotas.usage["volumes"] == 1


def test_openstacksdk_attachment_reserve_complete_and_delete(sdk):
    storage = sdk.block_storage
    volume = storage.create_volume(size=1)
    attachment = storage.create_attachment(volume.id, connector={"host": "compute-1"},
                                           instance="server-1")
    assert attachment.status == "attaching"
    assert attachment.connection_info["driver_volume_type"] == "iscsi"
    storage.complete_attachment(attachment.id)
    attached = storage.get_volume(volume.id)
    assert attached.status == "in-use"
    assert [a["server_id"] for a in attached.attachments] == ["server-1"]
    storage.delete_attachment(attachment.id)
    assert storage.get_volume(volume.id).status == "available"


def test_openstacksdk_reports_cinders_refusals(sdk):
    storage = sdk.block_storage
    with pytest.raises(sdk_exceptions.BadRequestException) as refused:
        storage.create_volume(size=1, image_id=UBUNTU)
    assert "cannot be smaller than the image minDisk size 20GB" in str(refused.value)
    assert list(storage.volumes()) == []


def test_openstack_cli_volume_commands(mimic, openstack_cli):
    # Each command costs seconds of CPU: five of them cover create, set, list,
    # snapshot create and a refusal.
    def cli(*args):
        return openstack_cli(mimic.base_url, *args)

    created = json_of(cli("volume", "create", "--size", "1", "--property", "team=qa",
                          "cli-vol", "-f", "json"))
    assert (created["name"], created["size"], created["status"]) == ("cli-vol", 1, "available")
    assert created["properties"] == {"team": "qa"}
    resized = cli("volume", "set", "--size", "4", "cli-vol")
    assert resized.returncode == 0, resized.stderr
    assert json_of(cli("volume", "list", "-f", "json")) == [
        {"ID": created["id"], "Name": "cli-vol", "Status": "available", "Size": 4,
         "Attached to": []}]
    snapshot = json_of(cli("volume", "snapshot", "create", "--volume", "cli-vol",
                           "cli-snap", "-f", "json"))
    assert (snapshot["name"], snapshot["size"], snapshot["status"]) == (
        "cli-snap", 4, "available")
    refused = cli("volume", "delete", "cli-vol")
    assert refused.returncode != 0 and "have snapshots" in refused.stderr
