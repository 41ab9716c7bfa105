"""
Nova's microversions, each change tested at its boundary: the version
before answers the old shape, the version itself the new one. Answers are
validated against tempest.lib's schema for that route and version
(:func:`tests.nova_schemas.schema_at`); the rules are Nova's REST API
version history (nova/api/openstack/api_version_request.py) and the code
behind each entry (github:openstack/nova, nova/api/openstack/compute/).
"""

from __future__ import annotations

import pathlib
import re

import pytest

from mimic.rest import nova_microversions, nova_views
from mimic.rest.nova_microversions import (
    LISTING,
    REBUILD,
    SERVER_MILESTONES,
    SHOW,
    UPDATE,
    APIVersion,
    server_view,
)
from tests.nova_schemas import assert_schema, schema_at
from tests.nova_support import (  # noqa: F401
    TENANT,
    admin_nova_for,
    UBUNTU,
    Nova,
    error_of,
    microversion,
    nova,
)

SERVER = {"name": "web", "imageRef": UBUNTU, "flavorRef": "2"}


def at(version):
    return {"headers": microversion(version)}


def create(nova, version, **fields):
    body = {**SERVER, **fields}
    if version_key(version) >= (2, 37) and "networks" not in body:
        body["networks"] = "auto"
    response = nova.post("servers", json={"server": body}, **at(version))
    assert response.status_code == 202, response.text
    return response.json()["server"]["id"]


def version_key(version: str) -> tuple:
    return tuple(int(p) for p in version.split("."))


def show(nova, server_id, version):
    response = nova.get(f"servers/{server_id}", **at(version))
    return assert_schema(schema_at(version, "servers", "get_server"), response)["server"]


def update(nova, server_id, version, **fields):
    response = nova.put(f"servers/{server_id}", json={"server": fields}, **at(version))
    return assert_schema(schema_at(version, "servers", "update_server"), response)["server"]


def rebuild(nova, server_id, version, **fields):
    response = nova.action(server_id, {"rebuild": {"imageRef": UBUNTU, **fields}}) \
        if version == "2.1" else nova.post(f"servers/{server_id}/action", json={
            "rebuild": {"imageRef": UBUNTU, **fields}}, **at(version))
    schema = schema_at(version, "servers", "rebuild_server_with_admin_pass")
    return assert_schema(schema, response)["server"]


# Negotiation and the version documents.

def test_too_high_or_too_low_a_version_is_406_in_novas_words(nova):
    for requested in ("2.101", "2.0", "3.1"):
        message = error_of(nova.get("servers", **at(requested)), 406, "computeFault")
        assert message == (f"Version {requested} is not supported by the API. "
                           "Minimum is 2.1 and maximum is 2.100.")


def test_every_version_from_2_1_to_2_100_is_served_and_echoed(nova):
    for minor in (1, 2, 36, 37, 75, 99, 100):
        response = nova.get("flavors", **at(f"2.{minor}"))
        assert response.headers["OpenStack-API-Version"] == f"compute 2.{minor}"


def test_openstacksdk_negotiates_2_100_from_the_catalog_url(mimic):
    import openstack

    connection = openstack.connect(
        auth_url=f"{mimic.base_url}/identity/v2.0", username="sdk-user", password="x",
        project_id="880001", region_name="ORD", identity_api_version="2")
    try:
        endpoint = connection.compute.get_endpoint_data()
        assert (endpoint.min_microversion, endpoint.max_microversion) == ((2, 1), (2, 100))
        assert endpoint.url.endswith("/mimicking/nova/ORD/v2/880001")
    finally:
        connection.close()


# 2.2: keypair type; create 201, delete 204.

def test_2_2_keypairs_have_a_type_and_answer_201_and_204(nova):
    response = nova.post("os-keypairs", json={"keypair": {"name": "old"}}, **at("2.1"))
    created = assert_schema(schema_at("2.1", "keypairs", "create_keypair"), response)
    assert response.status_code == 200 and "type" not in created["keypair"]
    error_of(nova.post("os-keypairs", json={"keypair": {"name": "x", "type": "ssh"}},
                       **at("2.1")), 400, "badRequest")
    response = nova.post("os-keypairs", json={"keypair": {"name": "new", "type": "x509"}},
                         **at("2.2"))
    created = assert_schema(schema_at("2.2", "keypairs", "create_keypair"), response)
    assert response.status_code == 201 and created["keypair"]["type"] == "x509"
    listed = assert_schema(schema_at("2.2", "keypairs", "list_keypairs"),
                           nova.get("os-keypairs", **at("2.2")))["keypairs"]
    assert {k["keypair"]["name"]: k["keypair"]["type"] for k in listed} == \
        {"old": "ssh", "new": "x509"}
    assert "type" not in nova.get("os-keypairs/new", **at("2.1")).json()["keypair"]
    assert nova.delete("os-keypairs/old", **at("2.1")).status_code == 202
    assert nova.delete("os-keypairs/new", **at("2.2")).status_code == 204


# 2.9: locked.

def test_2_9_servers_show_whether_they_are_locked(nova):
    server_id = create(nova, "2.1")
    assert nova.action(server_id, {"lock": None}).status_code == 202
    assert "locked" not in show(nova, server_id, "2.8")
    assert show(nova, server_id, "2.9")["locked"] is True
    assert update(nova, server_id, "2.9", name="renamed")["locked"] is True


# 2.10: keypairs of a named user.

def test_2_10_a_user_id_may_name_ones_own_keypairs_only(nova):
    nova.post("os-keypairs", json={"keypair": {"name": "mine"}}, **at("2.10"))
    own = nova.get("os-keypairs/mine").json()["keypair"]["user_id"]
    assert nova.get(f"os-keypairs?user_id={own}", **at("2.10")).status_code == 200
    error_of(nova.get("os-keypairs?user_id=someone-else", **at("2.10")), 403, "forbidden")
    # Before 2.10 the parameter means nothing (and a body field is refused).
    assert nova.get("os-keypairs?user_id=someone-else", **at("2.9")).status_code == 200
    error_of(nova.post("os-keypairs", json={"keypair": {"name": "x", "user_id": own}},
                       **at("2.9")), 400, "badRequest")


# 2.3 and 2.16: extended attributes and host status, for admins (Nova's
# default policy); a project member sees neither.

def test_2_3_admins_see_more_extended_attributes(nova, mimic):
    server_id = create(nova, "2.1", user_data="aGk=")
    admin = admin_nova_for(mimic, TENANT)
    at_2_1 = show(admin, server_id, "2.1")
    assert at_2_1["OS-EXT-SRV-ATTR:host"] and "OS-EXT-SRV-ATTR:instance_name" in at_2_1
    assert "OS-EXT-SRV-ATTR:reservation_id" not in at_2_1
    at_2_3 = show(admin, server_id, "2.3")
    assert at_2_3["OS-EXT-SRV-ATTR:user_data"] == "aGk="
    assert at_2_3["OS-EXT-SRV-ATTR:hostname"] == "web"
    assert at_2_3["OS-EXT-SRV-ATTR:launch_index"] == 0
    assert at_2_3["OS-EXT-SRV-ATTR:reservation_id"].startswith("r-")
    member = show(nova, server_id, "2.3")
    assert not [key for key in member if key.startswith("OS-EXT-SRV-ATTR:")]


def test_2_16_host_status_is_shown_to_admins_only(nova, mimic):
    server_id = create(nova, "2.16")
    admin = admin_nova_for(mimic, TENANT)
    assert "host_status" not in show(admin, server_id, "2.15")
    assert show(admin, server_id, "2.16")["host_status"] == "UP"
    assert "host_status" not in show(nova, server_id, "2.16")


# 2.19: description.

def test_2_19_servers_have_a_description(nova):
    response = nova.post("servers", json={"server": {**SERVER, "description": "x"}},
                         **at("2.18"))
    error_of(response, 400, "badRequest")
    server_id = create(nova, "2.19", description="the web server")
    assert "description" not in show(nova, server_id, "2.18")
    assert show(nova, server_id, "2.19")["description"] == "the web server"
    assert update(nova, server_id, "2.19", description=None)["description"] is None
    assert rebuild(nova, server_id, "2.19", description="rebuilt")["description"] == "rebuilt"
    error_of(nova.put(f"servers/{server_id}", json={"server": {"description": "x"}},
                      **at("2.18")), 400, "badRequest")


# 2.26: tags.

def test_2_26_servers_have_tags_and_tag_routes(nova):
    server_id = create(nova, "2.26")
    error_of(nova.get(f"servers/{server_id}/tags", **at("2.25")), 404, "itemNotFound")
    assert "tags" not in show(nova, server_id, "2.25")
    response = nova.put(f"servers/{server_id}/tags", json={"tags": ["a", "b", "a"]},
                        **at("2.26"))
    assert response.json() == {"tags": ["a", "b"]}
    assert nova.put(f"servers/{server_id}/tags/c", **at("2.26")).status_code == 201
    assert nova.put(f"servers/{server_id}/tags/c", **at("2.26")).status_code == 204
    assert nova.get(f"servers/{server_id}/tags/c", **at("2.26")).status_code == 204
    assert show(nova, server_id, "2.26")["tags"] == ["a", "b", "c"]
    assert nova.delete(f"servers/{server_id}/tags/a", **at("2.26")).status_code == 204
    error_of(nova.delete(f"servers/{server_id}/tags/a", **at("2.26")), 404, "itemNotFound")
    error_of(nova.put(f"servers/{server_id}/tags/x%2Cy", **at("2.26")), 400, "badRequest")
    error_of(nova.put(f"servers/{server_id}/tags", json={"tags": ["t"] * 0 + [
        f"t{i}" for i in range(51)]}, **at("2.26")), 400, "badRequest")
    assert nova.get(f"servers/{server_id}/tags", **at("2.26")).json() == {"tags": ["b", "c"]}
    assert nova.delete(f"servers/{server_id}/tags", **at("2.26")).status_code == 204
    assert nova.get(f"servers/{server_id}/tags", **at("2.26")).json() == {"tags": []}


def test_2_26_listings_filter_by_tags(nova):
    first = create(nova, "2.26")
    second = create(nova, "2.26")
    nova.put(f"servers/{first}/tags", json={"tags": ["web", "prod"]}, **at("2.26"))
    nova.put(f"servers/{second}/tags", json={"tags": ["web"]}, **at("2.26"))

    def ids(query, version="2.26"):
        return {s["id"] for s in nova.get(f"servers?{query}", **at(version)).json()["servers"]}

    assert ids("tags=web,prod") == {first}
    assert ids("tags-any=prod,none") == {first}
    assert ids("not-tags=web,prod") == {second}
    assert ids("not-tags-any=prod") == {second}
    assert ids("tags=prod", version="2.25") == {first, second}


# 2.32 to 2.36 and from 2.42: a device tag on a requested network.

def test_network_tags_come_and_go_with_the_versions(nova):
    private = nova.neutron("GET", "networks?name=private", expect=200)["networks"][0]["id"]

    def with_tag(version):
        return nova.post("servers", json={"server": {**SERVER, "networks": [
            {"uuid": private, "tag": "data"}]}}, **at(version))

    error_of(with_tag("2.31"), 400, "badRequest")
    assert with_tag("2.32").status_code == 202
    error_of(with_tag("2.37"), 400, "badRequest")
    assert with_tag("2.42").status_code == 202


# 2.35: keypair pages.

def test_2_35_keypairs_come_in_pages(nova):
    for name in ("a", "b", "c"):
        nova.post("os-keypairs", json={"keypair": {"name": name}})
    assert len(nova.get("os-keypairs?limit=1", **at("2.34")).json()["keypairs"]) == 3
    page = nova.get("os-keypairs?limit=2", **at("2.35")).json()
    assert [k["keypair"]["name"] for k in page["keypairs"]] == ["a", "b"]
    assert "marker=b" in page["keypairs_links"][0]["href"]
    rest = nova.get("os-keypairs?limit=2&marker=b", **at("2.35")).json()
    assert [k["keypair"]["name"] for k in rest["keypairs"]] == ["c"]
    error_of(nova.get("os-keypairs?marker=zz", **at("2.35")), 400, "badRequest")


# 2.36: the network proxy APIs and the images proxy are gone; limits lose
# the network quotas (and at 2.39 image metadata, at 2.57 personality).

@pytest.mark.parametrize("path", ["images", "images/detail",
                                  "images/a1b2c3d4-0001-4e6f-8a9b-0c1d2e3f4a01"])
def test_2_36_the_images_proxy_is_404(nova, path):
    assert nova.get(path, **at("2.35")).status_code == 200
    error_of(nova.get(path, **at("2.36")), 404, "itemNotFound")


def test_limits_lose_proxied_and_removed_quotas(nova):
    def absolute(version):
        response = nova.get("limits", **at(version))
        return assert_schema(schema_at(version, "limits", "get_limit"),
                             response)["limits"]["absolute"]

    assert {"maxSecurityGroups", "totalFloatingIpsUsed"} <= set(absolute("2.35"))
    at_36 = absolute("2.36")
    assert not {"maxSecurityGroups", "maxSecurityGroupRules", "maxTotalFloatingIps",
                "totalSecurityGroupsUsed", "totalFloatingIpsUsed"} & set(at_36)
    assert "maxImageMeta" in at_36 and "maxImageMeta" not in absolute("2.39")
    assert "maxPersonality" in absolute("2.56")
    assert not {"maxPersonality", "maxPersonalitySize"} & set(absolute("2.57"))


# 2.36: the network proxy APIs are gone.

@pytest.mark.parametrize("path", ["os-security-groups", "os-floating-ips",
                                  "os-floating-ip-pools", "os-networks"])
def test_2_36_proxy_apis_are_404(nova, path):
    assert nova.get(path, **at("2.35")).status_code == 200
    message = error_of(nova.get(path, **at("2.36")), 404, "itemNotFound")
    assert message == "The resource could not be found."


def test_2_36_proxy_creates_are_404_and_change_nothing(nova):
    response = nova.post("os-security-groups", json={"security_group": {
        "name": "web", "description": ""}}, **at("2.36"))
    error_of(response, 404, "itemNotFound")
    assert nova.neutron("GET", "security-groups?name=web", expect=200)["security_groups"] == []


# 2.37: networks required, "auto" and "none".

def test_2_37_networks_are_required_and_may_be_auto_or_none(nova):
    error_of(nova.post("servers", json={"server": {**SERVER, "networks": "none"}},
                       **at("2.36")), 400, "badRequest")
    assert nova.post("servers", json={"server": SERVER}, **at("2.36")).status_code == 202
    message = error_of(nova.post("servers", json={"server": SERVER}, **at("2.37")),
                       400, "badRequest")
    assert message.endswith("'networks' is a required property")
    none = create(nova, "2.37", networks="none")
    auto = create(nova, "2.37", networks="auto")
    assert nova.server(none)["addresses"] == {}
    assert set(nova.server(auto)["addresses"]) == {"public", "private"}


# 2.38: an unknown status filter is a 400.

def test_2_38_an_unknown_status_filter_is_a_400(nova):
    assert nova.get("servers?status=NOPE", **at("2.37")).json() == {"servers": []}
    assert error_of(nova.get("servers?status=NOPE", **at("2.38")), 400, "badRequest") == \
        "Invalid status value"


# 2.44: the network actions are gone.

def test_2_44_network_actions_are_404(nova):
    server_id = create(nova, "2.1")
    private = nova.neutron("GET", "networks?name=private", expect=200)["networks"][0]["id"]
    body = {"addFixedIp": {"networkId": private}}
    assert nova.post(f"servers/{server_id}/action", json=body, **at("2.43")).status_code \
        == 202
    error_of(nova.post(f"servers/{server_id}/action", json=body, **at("2.44")),
             404, "itemNotFound")


# 2.45: createImage answers the image id in its body.

def test_2_45_create_image_answers_the_image_id(nova):
    server_id = create(nova, "2.1")
    body = {"createImage": {"name": "snap"}}
    old = nova.post(f"servers/{server_id}/action", json=body, **at("2.44"))
    assert old.status_code == 202 and old.content == b"" and "location" in old.headers
    new = nova.post(f"servers/{server_id}/action", json=body, **at("2.45"))
    image = assert_schema(schema_at("2.45", "images", "create_image"), new)
    assert "location" not in new.headers
    assert nova.get(f"images/{image['image_id']}").json()["image"]["name"] == "snap"


# 2.47: the flavor is embedded.

def test_2_47_servers_embed_their_flavor(nova):
    server_id = create(nova, "2.1", flavorRef="general1-1")
    assert show(nova, server_id, "2.46")["flavor"]["id"] == "general1-1"
    flavor = show(nova, server_id, "2.47")["flavor"]
    assert flavor == {"vcpus": 1, "ram": 1024, "disk": 20, "ephemeral": 0, "swap": 0,
                      "original_name": "1 GB General Purpose v1", "extra_specs": {}}


def test_2_47_an_unknown_flavor_embeds_the_default_sizes(nova):
    server_id = create(nova, "2.1", flavorRef="performance9-99")
    flavor = show(nova, server_id, "2.47")["flavor"]
    assert (flavor["vcpus"], flavor["ram"], flavor["disk"]) == (1, 512, 20)


# 2.52: tags at create.

def test_2_52_tags_at_create(nova):
    error_of(nova.post("servers", json={"server": {**SERVER, "networks": "auto",
                                                   "tags": ["a"]}}, **at("2.51")),
             400, "badRequest")
    server_id = create(nova, "2.52", tags=["a", "b"])
    assert show(nova, server_id, "2.52")["tags"] == ["a", "b"]
    error_of(nova.post("servers", json={"server": {**SERVER, "networks": "auto",
                                                   "tags": ["a/b"]}}, **at("2.52")),
             400, "badRequest")


# 2.54 and 2.57: rebuild changes the key pair, then the user data.

def test_2_54_rebuild_sets_the_key_pair(nova):
    nova.post("os-keypairs", json={"keypair": {"name": "k2"}})
    server_id = create(nova, "2.1")
    error_of(nova.post(f"servers/{server_id}/action", json={"rebuild": {
        "imageRef": UBUNTU, "key_name": "k2"}}, **at("2.53")), 400, "badRequest")
    rebuilt = rebuild(nova, server_id, "2.54", key_name="k2")
    assert rebuilt["key_name"] == "k2" and nova.server(server_id)["key_name"] == "k2"
    error_of(nova.post(f"servers/{server_id}/action", json={"rebuild": {
        "imageRef": UBUNTU, "key_name": "nope"}}, **at("2.54")), 400, "badRequest")


def test_2_57_rebuild_sets_user_data_and_personality_is_gone(nova, mimic):
    server_id = create(nova, "2.1")
    error_of(nova.post(f"servers/{server_id}/action", json={"rebuild": {
        "imageRef": UBUNTU, "user_data": "aGk="}}, **at("2.56")), 400, "badRequest")
    assert "user_data" not in rebuild(nova, server_id, "2.56")
    mimic.tick(10)  # out of REBUILD
    assert rebuild(nova, server_id, "2.57", user_data="aGk=")["user_data"] == "aGk="
    error_of(nova.post("servers", json={"server": {**SERVER, "networks": "auto",
                                                   "personality": []}}, **at("2.57")),
             400, "badRequest")


# 2.66: changes-before.

def test_2_66_changes_before_filters_listings(nova, mimic):
    early = create(nova, "2.1")
    mimic.tick(60)
    create(nova, "2.1")
    query = "servers?changes-before=1970-01-01T00:00:30Z"
    assert len(nova.get(query, **at("2.65")).json()["servers"]) == 2
    assert [s["id"] for s in nova.get(query, **at("2.66")).json()["servers"]] == [early]
    error_of(nova.get("servers?changes-since=1970-01-01T00:01:00Z&changes-before="
                      "1970-01-01T00:00:30Z", **at("2.66")), 400, "badRequest")



def test_a_servers_own_updated_time_finds_it_both_ways(nova, mimic):
    # Nova keeps updated_at in whole seconds and shows it so; python-
    # openstackclient's functional test_server_list_with_changes_before
    # passes a server's own ``updated`` back as changes-before.
    mimic.tick(0.7)
    server_id = create(nova, "2.1")
    updated = show(nova, server_id, "2.66")["updated"]
    for name in ("changes-before", "changes-since"):
        listed = nova.get(f"servers?{name}={updated}", **at("2.66")).json()["servers"]
        assert [s["id"] for s in listed] == [server_id], name


# 2.71: server groups.

def test_2_71_servers_show_their_server_groups(nova):
    server_id = create(nova, "2.1")
    assert "server_groups" not in show(nova, server_id, "2.70")
    assert show(nova, server_id, "2.71")["server_groups"] == []
    assert update(nova, server_id, "2.71", name="x")["server_groups"] == []
    # Not in the detail listing (Nova's view leaves it out there).
    listed = nova.get("servers/detail", **at("2.71")).json()["servers"]
    assert "server_groups" not in listed[0]


# 2.73: the reason for a lock.

def test_2_73_a_lock_has_a_reason(nova):
    server_id = create(nova, "2.1")
    # Before 2.73 the lock action's body is not looked at (schema ``{}``).
    assert nova.post(f"servers/{server_id}/action", json={
        "lock": {"locked_reason": "ignored"}}, **at("2.72")).status_code == 202
    assert show(nova, server_id, "2.73")["locked_reason"] is None
    nova.action(server_id, {"unlock": None})
    error_of(nova.post(f"servers/{server_id}/action", json={
        "lock": {"locked_reason": ""}}, **at("2.73")), 400, "badRequest")
    assert nova.post(f"servers/{server_id}/action", json={
        "lock": {"locked_reason": "maintenance"}}, **at("2.73")).status_code == 202
    assert "locked_reason" not in show(nova, server_id, "2.72")
    assert show(nova, server_id, "2.73")["locked_reason"] == "maintenance"
    locked = nova.get("servers?locked=true", **at("2.73")).json()["servers"]
    assert [s["id"] for s in locked] == [server_id]
    nova.action(server_id, {"unlock": None})
    assert show(nova, server_id, "2.73")["locked_reason"] is None


# 2.75: update and rebuild answer the whole server; flavors' swap is 0.

def test_2_75_update_and_rebuild_answer_as_get_does(nova, mimic):
    server_id = create(nova, "2.1")
    assert "OS-EXT-AZ:availability_zone" not in update(nova, server_id, "2.74", name="a")
    updated = update(nova, server_id, "2.75", name="b")
    assert updated["OS-EXT-AZ:availability_zone"] == "nova"
    assert updated["key_name"] is None and "OS-EXT-STS:vm_state" in updated
    assert "OS-EXT-AZ:availability_zone" not in rebuild(nova, server_id, "2.74")
    mimic.tick(10)  # out of REBUILD
    response = nova.post(f"servers/{server_id}/action", json={"rebuild": {
        "imageRef": UBUNTU}}, **at("2.75"))
    rebuilt = assert_schema(schema_at("2.75", "servers", "rebuild_server_with_admin_pass"),
                            response)
    assert rebuilt["server"]["OS-EXT-AZ:availability_zone"] == "nova"


def test_2_75_unknown_query_parameters_are_a_400(nova):
    assert nova.get("servers?bogus=1", **at("2.74")).status_code == 200
    message = error_of(nova.get("servers?bogus=1", **at("2.75")), 400, "badRequest")
    assert "Additional properties are not allowed ('bogus' was unexpected)" in message
    assert nova.get("servers/detail?limit=5&name=web&sort_key=name",
                    **at("2.75")).status_code == 200


def test_2_75_flavor_swap_is_zero_not_empty(nova):
    assert nova.get("flavors/general1-1", **at("2.74")).json()["flavor"]["swap"] == ""
    assert nova.get("flavors/general1-1", **at("2.75")).json()["flavor"]["swap"] == 0
    assert nova.get("flavors/2", **at("2.75")).json()["flavor"]["swap"] == 512


def test_flavor_description_2_55_and_extra_specs_2_61(nova):
    assert "description" not in nova.get("flavors/2", **at("2.54")).json()["flavor"]
    flavor = nova.get("flavors/2", **at("2.61")).json()["flavor"]
    assert flavor["description"] is None and flavor["extra_specs"] == {}
    assert_schema(schema_at("2.61", "flavors", "create_update_get_flavor_details"),
                  nova.get("flavors/2", **at("2.61")))


# 2.90: hostname.

def test_2_90_hostname_is_shown_and_may_be_set(nova):
    server_id = create(nova, "2.1", name="My Web_Server")
    assert "OS-EXT-SRV-ATTR:hostname" not in show(nova, server_id, "2.89")
    assert show(nova, server_id, "2.90")["OS-EXT-SRV-ATTR:hostname"] == "my-web-server"
    named = create(nova, "2.90", hostname="db01")
    assert show(nova, named, "2.90")["OS-EXT-SRV-ATTR:hostname"] == "db01"
    assert update(nova, named, "2.90", hostname="db02")["OS-EXT-SRV-ATTR:hostname"] == "db02"
    error_of(nova.post("servers", json={"server": {**SERVER, "networks": "auto",
                                                   "hostname": "x"}}, **at("2.89")),
             400, "badRequest")
    error_of(nova.post("servers", json={"server": {**SERVER, "networks": "auto",
                                                   "hostname": "x", "min_count": 2}},
                       **at("2.90")), 400, "badRequest")


def test_multiple_servers_get_numbered_hostnames(nova):
    nova.post("servers", json={"server": {**SERVER, "networks": "auto", "min_count": 2}},
              **at("2.90"))
    listed = nova.get("servers/detail", **at("2.90")).json()["servers"]
    assert sorted(s["OS-EXT-SRV-ATTR:hostname"] for s in listed) == ["web-1", "web-2"]


# 2.92: keypairs are no longer generated; names may hold @ and dots.

def test_2_92_keypairs_need_a_public_key_and_may_have_dotted_names(nova):
    generated = nova.post("os-keypairs", json={"keypair": {"name": "gen"}}, **at("2.91"))
    public_key = generated.json()["keypair"]["public_key"]
    assert "private_key" in generated.json()["keypair"]
    message = error_of(nova.post("os-keypairs", json={"keypair": {"name": "again"}},
                                 **at("2.92")), 400, "badRequest")
    assert message.endswith("'public_key' is a required property")
    error_of(nova.post("os-keypairs", json={"keypair": {
        "name": "me@host.example", "public_key": public_key}}, **at("2.91")),
        400, "badRequest")
    response = nova.post("os-keypairs", json={"keypair": {
        "name": "me@host.example", "public_key": public_key}}, **at("2.92"))
    created = assert_schema(schema_at("2.92", "keypairs", "create_keypair"), response)
    assert "private_key" not in created["keypair"]


# 2.96: the pinned availability zone.

def test_2_96_pinned_availability_zone(nova):
    pinned = create(nova, "2.1", availability_zone="nova")
    free = create(nova, "2.1")
    assert "pinned_availability_zone" not in show(nova, pinned, "2.95")
    assert show(nova, pinned, "2.96")["pinned_availability_zone"] == "nova"
    assert show(nova, free, "2.96")["pinned_availability_zone"] is None
    # Update shows it only where it shows the availability zone (2.75+).
    assert update(nova, free, "2.96", name="x")["pinned_availability_zone"] is None


# 2.98 and 2.100: image properties and scheduler hints.

def test_2_98_servers_embed_their_images_properties(nova):
    server_id = create(nova, "2.1")
    assert "properties" not in show(nova, server_id, "2.97")["image"]
    properties = show(nova, server_id, "2.98")["image"]["properties"]
    assert properties["os_distro"] == "ubuntu"


def test_2_100_servers_show_their_scheduler_hints(nova):
    response = nova.post("servers", json={"server": {**SERVER, "networks": "auto"},
                                          "os:scheduler_hints": {"custom": "g1"}},
                         **at("2.100"))
    server_id = response.json()["server"]["id"]
    assert "scheduler_hints" not in show(nova, server_id, "2.99")
    assert show(nova, server_id, "2.100")["scheduler_hints"] == {"custom": "g1"}


def test_the_whole_server_at_2_100_matches_tempests_schemas(nova):
    server_id = create(nova, "2.100", description="d", tags=["t"])
    show(nova, server_id, "2.100")
    assert_schema(schema_at("2.100", "servers", "list_servers_detail"),
                  nova.get("servers/detail", **at("2.100")))
    update(nova, server_id, "2.100", name="x")
    response = nova.post(f"servers/{server_id}/action", json={"rebuild": {
        "imageRef": UBUNTU}}, **at("2.100"))
    assert_schema(schema_at("2.100", "servers", "rebuild_server_with_admin_pass"), response)


def test_every_microversion_a_server_view_tests_for_is_a_listed_milestone():
    # ServerView decides once which milestones a version has reached; a
    # literal missing from SERVER_MILESTONES would silently never be reached.
    tested = set()
    for module in (nova_microversions, nova_views):
        source = pathlib.Path(module.__file__).read_text()
        tested |= set(re.findall(r'"(2\.\d+)" in (?:view\.)?reached', source))
    assert tested
    assert tested <= set(SERVER_MILESTONES)


def test_a_server_view_decides_the_same_as_comparing_its_version():
    for minor in range(1, 101):
        version = APIVersion(2, minor)
        for route in (SHOW, LISTING, UPDATE, REBUILD):
            for admin in (False, True):
                view = server_view(version, route, admin)
                assert view.reached == {m for m in SERVER_MILESTONES if version >= m}
                full = route in (SHOW, LISTING) or version >= "2.75"
                assert view.full is full
                assert view.extended_attributes is (admin and full)
                assert view.key_name is (full or (route == REBUILD and version >= "2.54"))
                assert view.server_groups is (route != LISTING and version >= "2.71")
