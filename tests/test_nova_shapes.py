"""
The shape of every Nova answer, route by route, validated against
tempest.lib's published response schemas (see :mod:`tests.nova_schemas`),
and Nova's create rules for multiple servers.

Nova's rules relied on (github:openstack/nova): update and rebuild answer
through the view builder with every ``show_*`` switch off before 2.75
(nova/api/openstack/compute/servers.py ``update`` and ``_action_rebuild``);
``max_count`` defaults to ``min_count`` and multiple servers are named
``<name>-<n>`` (servers.py ``create``, nova/compute/api.py
``_populate_instance_names``); ``return_reservation_id`` answers only the
reservation id; snapshot properties given by the user win over
``image_type`` (compute/api.py ``_create_image``); access IPs are netaddr
fields, so Nova gives them back in canonical form.
"""

from __future__ import annotations

from tests.nova_schemas import (
    assert_schema,
    availability_zone,
    flavors,
    images,
    interfaces,
    keypairs,
    limits,
    servers,
)
from tests.nova_support import UBUNTU, error_of, nova  # noqa: F401

EXTENDED = ("OS-EXT-AZ:availability_zone", "config_drive", "key_name",
            "OS-SRV-USG:launched_at", "OS-EXT-STS:vm_state", "security_groups",
            "os-extended-volumes:volumes_attached")


def test_create_show_and_list_answers_match_tempest_schemas(nova):
    created = assert_schema(servers.create_server_with_admin_pass, nova.post(
        "servers", json={"server": {"name": "web", "imageRef": UBUNTU, "flavorRef": "2"}}))
    server_id = created["server"]["id"]
    shown = assert_schema(servers.get_server, nova.get(f"servers/{server_id}"))
    assert all(key in shown["server"] for key in EXTENDED)
    assert_schema(servers.list_servers, nova.get("servers"))
    assert_schema(servers.list_servers_detail, nova.get("servers/detail"))
    assert_schema(servers.list_addresses, nova.get(f"servers/{server_id}/ips"))
    assert_schema(servers.list_server_metadata, nova.get(f"servers/{server_id}/metadata"))
    assert_schema(servers.set_server_metadata, nova.put(
        f"servers/{server_id}/metadata", json={"metadata": {"a": "b"}}))
    assert_schema(servers.set_show_server_metadata_item,
                  nova.get(f"servers/{server_id}/metadata/a"))
    assert_schema(interfaces.list_interfaces, nova.get(f"servers/{server_id}/os-interface"))
    assert_schema(servers.delete_server, nova.delete(f"servers/{server_id}"))


def test_server_in_error_and_shut_off_match_the_detail_schema(nova):
    broken = nova.create_id(metadata={"server_error": "1"})
    shown = assert_schema(servers.get_server, nova.get(f"servers/{broken}"))["server"]
    assert shown["fault"]["code"] == 500
    stopped = nova.create_id()
    assert nova.action(stopped, {"os-stop": None}).status_code == 202
    shown = assert_schema(servers.get_server, nova.get(f"servers/{stopped}"))["server"]
    # Nova shows progress only in ACTIVE, BUILD, REBUILD, RESIZE, VERIFY_RESIZE.
    assert shown["status"] == "SHUTOFF" and "progress" not in shown


def test_update_answers_without_the_extended_attributes(nova):
    server_id = nova.create_id()
    response = nova.put(f"servers/{server_id}", json={"server": {"name": "renamed"}})
    updated = assert_schema(servers.update_server, response)["server"]
    assert updated["name"] == "renamed"
    assert not set(EXTENDED) & set(updated)
    # GET still shows them.
    assert all(key in nova.server(server_id) for key in EXTENDED)


def test_rebuild_answers_without_the_extended_attributes(nova):
    server_id = nova.create_id()
    response = nova.action(server_id, {"rebuild": {"imageRef": UBUNTU, "adminPass": "pw"}})
    rebuilt = assert_schema(servers.rebuild_server_with_admin_pass, response)["server"]
    assert rebuilt["adminPass"] == "pw"
    assert not set(EXTENDED) & set(rebuilt)


def test_access_ips_are_given_back_in_canonical_form(nova):
    server_id = nova.create_id(accessIPv6="2001:DB8:0:0::0001")
    assert nova.server(server_id)["accessIPv6"] == "2001:db8::1"
    response = nova.put(f"servers/{server_id}", json={"server": {
        "accessIPv6": "FE80:0000::0BAD", "accessIPv4": "10.0.0.1"}})
    updated = assert_schema(servers.update_server, response)["server"]
    assert (updated["accessIPv6"], updated["accessIPv4"]) == ("fe80::bad", "10.0.0.1")


def test_create_image_keeps_the_users_image_type(nova, mimic):
    server_id = nova.create_id()
    response = nova.action(server_id, {"createImage": {
        "name": "gold", "metadata": {"image_type": "golden", "tier": "1"}}})
    assert_schema(servers.server_actions_common_schema, response)
    image_id = response.headers["location"].rsplit("/", 1)[-1]
    mimic.tick(10)
    image = assert_schema(images.get_image, nova.get(f"images/{image_id}"))["image"]
    assert image["metadata"]["image_type"] == "golden"
    assert image["metadata"]["tier"] == "1"
    assert image["metadata"]["instance_uuid"] == server_id


def test_snapshot_without_image_type_is_a_snapshot(nova, mimic):
    server_id = nova.create_id()
    response = nova.action(server_id, {"createImage": {"name": "plain"}})
    image_id = response.headers["location"].rsplit("/", 1)[-1]
    assert nova.get(f"images/{image_id}").json()["image"]["metadata"]["image_type"] == \
        "snapshot"


def test_catalogue_answers_match_tempest_schemas(nova):
    assert_schema(flavors.list_flavors, nova.get("flavors"))
    assert_schema(flavors.list_flavors_details, nova.get("flavors/detail"))
    assert_schema(flavors.create_update_get_flavor_details, nova.get("flavors/2"))
    assert_schema(images.list_images, nova.get("images"))
    assert_schema(images.list_images_details, nova.get("images/detail"))
    assert_schema(images.get_image, nova.get(f"images/{UBUNTU}"))
    assert_schema(limits.get_limit, nova.get("limits"))
    assert_schema(availability_zone.list_availability_zone_list,
                  nova.get("os-availability-zone"))


def test_keypair_answers_match_tempest_schemas(nova):
    assert_schema(keypairs.create_keypair, nova.post(
        "os-keypairs", json={"keypair": {"name": "mine"}}))
    assert_schema(keypairs.list_keypairs, nova.get("os-keypairs"))
    assert_schema(keypairs.get_keypair, nova.get("os-keypairs/mine"))
    assert_schema(keypairs.delete_keypair, nova.delete("os-keypairs/mine"))


# Create rules for several servers at once.

def names_of(nova) -> list:
    return sorted(s["name"] for s in nova.get("servers").json()["servers"])


def test_min_count_alone_makes_that_many_servers_named_as_nova_names_them(nova):
    response = nova.post("servers", json={"server": {
        "name": "web", "imageRef": UBUNTU, "flavorRef": "2", "min_count": 3}})
    assert_schema(servers.create_server_with_admin_pass, response)
    assert names_of(nova) == ["web-1", "web-2", "web-3"]


def test_one_server_keeps_its_name(nova):
    nova.create(min_count=1, max_count=1)
    assert names_of(nova) == ["web"]


def test_min_count_above_max_count_is_refused(nova):
    response = nova.post("servers", json={"server": {
        "name": "web", "imageRef": UBUNTU, "flavorRef": "2", "min_count": 3,
        "max_count": 2}})
    assert error_of(response, 400, "badRequest") == "min_count must be <= max_count"
    assert names_of(nova) == []


def test_return_reservation_id_answers_only_the_reservation(nova):
    response = nova.post("servers", json={"server": {
        "name": "batch", "imageRef": UBUNTU, "flavorRef": "2", "min_count": 2,
        "return_reservation_id": True}})
    assert response.status_code == 202
    body = response.json()
    assert list(body) == ["reservation_id"] and body["reservation_id"].startswith("r-")
    nova.create(name="other")
    listed = nova.get("servers", params={"reservation_id": body["reservation_id"]})
    assert sorted(s["name"] for s in listed.json()["servers"]) == ["batch-1", "batch-2"]


def test_return_reservation_id_false_answers_the_server(nova):
    response = nova.post("servers", json={"server": {
        "name": "one", "imageRef": UBUNTU, "flavorRef": "2",
        "return_reservation_id": "false"}})
    assert_schema(servers.create_server_with_admin_pass, response)
    response = nova.post("servers", json={"server": {
        "name": "one", "imageRef": UBUNTU, "flavorRef": "2",
        "return_reservation_id": "maybe"}})
    error_of(response, 400, "badRequest")


def test_fixed_ip_with_several_servers_is_novas_400(nova):
    network_id = nova.neutron("GET", "networks?name=private", expect=200)["networks"][0]["id"]
    response = nova.post("servers", json={"server": {
        "name": "web", "imageRef": UBUNTU, "flavorRef": "2", "max_count": 2,
        "networks": [{"uuid": network_id, "fixed_ip": "10.180.0.200"}]}})
    assert error_of(response, 400, "badRequest") == (
        "Failed to launch instances: max_count cannot be greater than 1 if an "
        "fixed_ip is specified.")
    assert names_of(nova) == []
