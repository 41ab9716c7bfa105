"""
Real clients against a running Mimic: openstacksdk (which discovers the
compute version from the catalog URL, 2.100) and python-novaclient (at 2.1
and at its newest, 2.96). What they send and parse is the specification.
"""

from __future__ import annotations

import openstack
import pytest
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v2
from novaclient import client as nova_client
from novaclient import exceptions as nova_exceptions

from tests.nova_support import UBUNTU


@pytest.fixture
def sdk(mimic):
    connection = openstack.connect(
        auth_url=f"{mimic.base_url}/identity/v2.0",
        username="sdk-user",
        password="secret",
        project_id="880001",
        region_name="ORD",
        identity_api_version="2",
    )
    yield connection
    connection.close()


@pytest.fixture
def novaclient(mimic):
    auth = v2.Password(auth_url=f"{mimic.base_url}/identity/v2.0",
                       username="nova-user", password="secret", tenant_id="880002")
    return nova_client.Client("2.1", session=ks_session.Session(auth=auth),
                              region_name="ORD")


def test_openstacksdk_lists_flavors_and_images(sdk):
    flavors = {flavor.id: flavor for flavor in sdk.compute.flavors()}
    assert flavors["general1-1"].ram == 1024
    assert flavors["general1-1"].vcpus == 1
    images = {image.id: image for image in sdk.compute.images()}
    assert images[UBUNTU].name.startswith("Ubuntu 22.04")
    assert sdk.compute.get_image(UBUNTU).min_disk == 20


def test_openstacksdk_server_life_cycle(sdk):
    created = sdk.compute.create_server(name="sdk-1", image_id=UBUNTU, flavor_id="2",
                                        networks="auto",
                                        metadata={"team": "qa"})
    assert created.admin_password
    server = sdk.compute.wait_for_server(created, wait=10, interval=0.05)
    assert server.status == "ACTIVE"
    fetched = sdk.compute.get_server(created.id)
    assert fetched.name == "sdk-1"
    assert fetched.metadata == {"team": "qa"}
    assert fetched.image.id == UBUNTU
    assert [s.id for s in sdk.compute.servers()] == [created.id]
    assert [s.name for s in sdk.compute.servers(name="^sdk")] == ["sdk-1"]
    ips = list(sdk.compute.server_ips(created.id))
    assert {ip.network_label for ip in ips} == {"public", "private"}
    assert {ip.address for ip in ips} == {
        a["addr"] for entries in fetched.addresses.values() for a in entries}
    sdk.compute.delete_server(created.id)
    sdk.compute.wait_for_delete(fetched, wait=10, interval=0.05)
    assert sdk.compute.find_server(created.id) is None
    assert list(sdk.compute.servers()) == []


def test_openstacksdk_waits_through_build_on_mimics_clock(sdk, mimic):
    created = sdk.compute.create_server(name="slow", image_id=UBUNTU, flavor_id="2",
                                        networks="auto",
                                        metadata={"server_building": "30"})
    assert sdk.compute.get_server(created.id).status == "BUILD"
    mimic.tick(30)
    assert sdk.compute.wait_for_server(created, wait=5, interval=0.05).status == "ACTIVE"


def test_openstacksdk_keypairs_including_generated(sdk):
    generated = sdk.compute.create_keypair(name="generated")
    assert generated.private_key.startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert generated.fingerprint
    imported = sdk.compute.create_keypair(name="imported", public_key=generated.public_key)
    assert imported.fingerprint == generated.fingerprint
    assert {k.name for k in sdk.compute.keypairs()} == {"generated", "imported"}
    assert sdk.compute.get_keypair("imported").public_key == generated.public_key
    sdk.compute.delete_keypair("imported")
    assert {k.name for k in sdk.compute.keypairs()} == {"generated"}


def test_openstacksdk_limits(sdk):
    sdk.compute.create_server(name="counted", image_id=UBUNTU, flavor_id="4", networks="auto")
    absolute = sdk.compute.get_limits().absolute
    assert absolute.instances_used == 1
    assert absolute.total_cores_used == 2
    assert absolute.server_meta == 40


def test_openstacksdk_reports_novas_errors(sdk):
    with pytest.raises(openstack.exceptions.BadRequestException) as raised:
        sdk.compute.create_server(name="bad", image_id="no-such-image", flavor_id="2",
                                  networks="auto")
    assert "'no-such-image' is not valid under any of the given schemas" in str(raised.value)
    with pytest.raises(openstack.exceptions.NotFoundException):
        sdk.compute.get_server("no-such-server")


def test_novaclient_2_1_server_life_cycle(novaclient):
    server = novaclient.servers.create("nc-1", UBUNTU, "2", meta={"a": "b"})
    fetched = novaclient.servers.get(server.id)
    assert fetched.status == "ACTIVE"
    assert set(fetched.networks) == {"public", "private"}
    assert [s.name for s in novaclient.servers.list()] == ["nc-1"]
    assert [s.name for s in novaclient.servers.list(search_opts={"name": "nomatch"})] == []
    novaclient.servers.set_meta(fetched, {"c": "d"})
    assert novaclient.servers.get(server.id).metadata == {"a": "b", "c": "d"}
    novaclient.servers.reboot(fetched, "HARD")
    assert novaclient.servers.get(server.id).status == "HARD_REBOOT"
    novaclient.servers.delete(fetched)
    with pytest.raises(nova_exceptions.NotFound):
        novaclient.servers.get(server.id)


def test_novaclient_actions_and_resources(novaclient, mimic):
    server = novaclient.servers.create("nc-2", UBUNTU, "2")
    novaclient.servers.stop(server)
    assert novaclient.servers.get(server.id).status == "SHUTOFF"
    with pytest.raises(nova_exceptions.Conflict):
        novaclient.servers.stop(server)
    novaclient.servers.start(server)
    novaclient.servers.resize(server, "4")
    mimic.tick(5)
    assert novaclient.servers.get(server.id).status == "VERIFY_RESIZE"
    novaclient.servers.confirm_resize(server)
    assert novaclient.servers.get(server.id).flavor["id"] == "4"
    image_id = novaclient.servers.create_image(server, "snap")
    assert image_id
    assert novaclient.flavors.get("general1-2").ram == 2048
    assert {k.name for k in novaclient.keypairs.list()} == set()
    keypair = novaclient.keypairs.create("nk")
    assert keypair.private_key
    assert [k.name for k in novaclient.keypairs.list()] == ["nk"]
    assert novaclient.availability_zones.list(detailed=False)[0].zoneName == "nova"
    absolute = {limit.name: limit.value for limit in novaclient.limits.get().absolute}
    assert absolute["totalInstancesUsed"] == 1


def test_novaclient_at_its_newest_microversion(mimic):
    # python-novaclient's API_MAX_VERSION is 2.96: what it parses there.
    auth = v2.Password(auth_url=f"{mimic.base_url}/identity/v2.0",
                       username="nova-user", password="secret", tenant_id="880003")
    client = nova_client.Client("2.96", session=ks_session.Session(auth=auth),
                                region_name="ORD")
    server = client.servers.create("nc-96", UBUNTU, "general1-1", nics="auto",
                                   description="new", tags=["a"], hostname="nc96")
    fetched = client.servers.get(server.id)
    assert fetched.flavor["original_name"] == "1 GB General Purpose v1"
    assert (fetched.description, fetched.tags, fetched.locked) == ("new", ["a"], False)
    assert getattr(fetched, "OS-EXT-SRV-ATTR:hostname") == "nc96"
    assert fetched.pinned_availability_zone is None
    client.servers.lock(fetched, reason="testing")
    assert client.servers.get(server.id).locked_reason == "testing"
    assert client.servers.tag_list(fetched) == ["a"]
    client.servers.add_tag(fetched, "b")
    assert [s.id for s in client.servers.list(search_opts={"tags": "a,b"})] == [server.id]
    client.servers.unlock(fetched)
    client.servers.delete(fetched)
    with pytest.raises(nova_exceptions.NotFound):
        client.servers.get(server.id)
