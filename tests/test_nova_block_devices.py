"""
A create's ``block_device_mapping_v2`` is read, checked and kept, not
dropped; and the create answer echoes the security groups as named.

Nova's rules relied on (github:openstack/nova, nova/block_device.py
``BlockDeviceDict.from_api`` and exceptions ``InvalidBDMFormat``,
``InvalidBDMBootSequence``; schemas/block_device_mapping.py): a source
other than ``blank`` needs a ``uuid``; an image mapped to a local disk must
be the boot device; without an ``imageRef`` one device must have
``boot_index`` 0; unknown keys are refused; ``volume_type`` from 2.67.
"""

from __future__ import annotations

from tests.nova_schemas import assert_schema, servers
from tests.nova_support import (  # noqa: F401
    TENANT, UBUNTU, Nova, admin_nova_for, error_of, microversion, nova)


def create(nova, devices, version=None, **fields):
    server = {"name": "bdm", "flavorRef": "2", "block_device_mapping_v2": devices, **fields}
    return nova.post("servers", json={"server": server}, headers=microversion(version))


def test_an_image_boot_device_stands_for_the_image_ref(nova, mimic):
    made = assert_schema(servers.create_server_with_admin_pass, create(nova, [{
        "source_type": "image", "destination_type": "local", "uuid": UBUNTU,
        "boot_index": 0, "device_name": "/dev/sda", "delete_on_termination": True}]))
    server_id = made["server"]["id"]
    assert nova.server(server_id)["image"]["id"] == UBUNTU
    admin = admin_nova_for(mimic)
    shown = admin.get(f"servers/{server_id}", headers=microversion("2.3")).json()["server"]
    assert shown["OS-EXT-SRV-ATTR:root_device_name"] == "/dev/sda"


def test_mapping_beside_an_image_ref_is_kept(nova, mimic):
    made = create(nova, [{"source_type": "blank", "destination_type": "local",
                          "guest_format": "swap", "volume_size": 1}], imageRef=UBUNTU)
    assert made.status_code == 202, made.text
    shown = admin_nova_for(mimic).get(f"servers/{made.json()['server']['id']}",
                                  headers=microversion("2.3")).json()["server"]
    assert shown["OS-EXT-SRV-ATTR:root_device_name"] == "/dev/vda"


def test_invalid_mappings_are_nova_400s_and_make_no_server(nova):
    for devices, words in (
        ([{"source_type": "image", "destination_type": "local", "boot_index": 0}],
         "Missing device UUID."),
        ([{"source_type": "image", "destination_type": "local", "uuid": UBUNTU,
           "boot_index": 1}], "Mapping image to local is not supported."),
        ([{"source_type": "blank", "destination_type": "local", "volume_size": 1}],
         "Boot sequence for the instance"),
        ([{"source_type": "floppy", "uuid": UBUNTU, "boot_index": 0}], "source_type"),
        ([{"source_type": "image", "uuid": UBUNTU, "boot_index": 0, "colour": "red"}],
         "Additional properties"),
        ([{"source_type": "image", "uuid": UBUNTU, "boot_index": "first"}], "boot_index"),
        ([{"source_type": "blank", "volume_size": 0}], "volume_size"),
        ("all of them", "is not of type 'array'"),
    ):
        assert words in error_of(create(nova, devices), 400, "badRequest")
    assert nova.get("servers").json()["servers"] == []


def test_2_67_volume_type_is_accepted_from_its_version(nova):
    device = {"source_type": "blank", "destination_type": "local", "volume_size": 1,
              "volume_type": "fast"}
    error_of(create(nova, [device], "2.66", imageRef=UBUNTU, networks="auto"),
             400, "badRequest")
    assert create(nova, [device], "2.67", imageRef=UBUNTU,
                  networks="auto").status_code == 202


def test_create_echoes_security_groups_as_the_request_named_them(nova):
    group = nova.security_group("web")
    made = nova.create(security_groups=[{"name": group["id"]}, {"name": "default"}])
    assert made["server"]["security_groups"] == [{"name": group["id"]},
                                                {"name": "default"}]
