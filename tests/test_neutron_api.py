"""
Neutron v2.0 over real sockets: every route, its JSON shape, the filters
clients use, and every error in Neutron's ``NeutronError`` body with
Neutron's status code, leaving the state unchanged.
"""

from __future__ import annotations

import pytest

from tests.neutron_support import (  # noqa: F401
    PRIVATE,
    PUBLIC,
    assert_neutron_error,
    connect,
    neutron,
)


# catalog and discovery


def test_catalog_lists_network_service_unversioned_per_region(mimic):
    # Real clouds list Neutron without a version (devstack:
    # http://<host>:9696/networking) and clients append v2.0 after reading
    # the versions document; a versioned catalog URL made them call
    # .../v2.0/v2.0/networks.
    access = mimic.authenticate("alice")
    service = next(s for s in access["serviceCatalog"] if s["type"] == "network")
    assert service["name"] == "cloudNetworks"
    for endpoint in service["endpoints"]:
        assert endpoint["publicURL"] == (
            f"{mimic.base_url}/mimicking/neutron/{endpoint['region']}")


def test_v3_catalog_lists_network_service_unversioned(mimic):
    response = mimic.post("/identity/v3/auth/tokens", json={"auth": {"identity": {
        "methods": ["password"], "password": {"user": {
            "name": "alice", "domain": {"id": "default"}, "password": "secret"}}}}})
    assert response.status_code == 201, response.text
    service = next(s for s in response.json()["token"]["catalog"] if s["type"] == "network")
    urls = {e["url"] for e in service["endpoints"]}
    assert f"{mimic.base_url}/mimicking/neutron/ORD" in urls
    assert not any(url.endswith("v2.0") for url in urls)


def test_root_is_the_versions_document_and_v2_lists_resources(neutron, mimic):
    root = neutron.url[: -len("/v2.0")]
    response = mimic.get(root)
    assert response.status_code == 200
    versions = response.json()["versions"]
    assert versions == [{"id": "v2.0", "status": "CURRENT",
                         "links": [{"href": root + "/v2.0/", "rel": "self"}]}]
    for path in ("", "/"):
        resources = mimic.get(neutron.url + path).json()["resources"]
        assert {r["collection"] for r in resources} >= {
            "networks", "subnets", "ports", "security_groups", "floatingips"}


def test_extensions_list_and_show(neutron):
    aliases = {e["alias"] for e in neutron.ok("GET", "/extensions")["extensions"]}
    assert {"security-group", "external-net", "router"} <= aliases
    assert neutron.ok("GET", "/extensions/security-group")["extension"]["alias"] == \
        "security-group"
    assert_neutron_error(neutron.get("/extensions/nope"), 404)


def test_requests_without_a_valid_token_are_401(neutron, mimic):
    for headers in ({}, {"x-auth-token": "not-a-token"}):
        response = mimic.get(neutron.url + "/networks", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == 401


def test_unknown_path_and_wrong_method_are_neutron_errors(neutron):
    assert_neutron_error(neutron.get("/bogus"), 404, "HTTPNotFound")
    assert_neutron_error(neutron.call("PATCH", "/networks", json={"network": {}}), 405,
                         "HTTPMethodNotAllowed")
    assert_neutron_error(neutron.post(f"/networks/{PUBLIC}", json={}), 405)
    assert_neutron_error(neutron.put("/security-group-rules/x", json={}), 405)


# networks and subnets


def test_every_tenant_has_public_and_private_networks(neutron):
    networks = neutron.ok("GET", "/networks")["networks"]
    assert [(n["id"], n["name"], n["router:external"]) for n in networks] == [
        (PUBLIC, "public", True), (PRIVATE, "private", False)]
    public = networks[0]
    for key in ("status", "admin_state_up", "subnets", "shared", "mtu", "tenant_id",
                "project_id", "created_at", "updated_at", "revision_number", "tags",
                "port_security_enabled", "availability_zones", "description"):
        assert key in public
    assert public["status"] == "ACTIVE"
    assert len(public["subnets"]) == 2


@pytest.mark.parametrize("query, names", [
    ("name=public", ["public"]),
    (f"id={PRIVATE}", ["private"]),
    ("router:external=true", ["public"]),
    ("router:external=False", ["private"]),
    ("name=public&name=private", ["public", "private"]),
    ("name=nothing", []),
    ("sort_key=name&sort_dir=asc", ["private", "public"]),
])
def test_network_filters(neutron, query, names):
    assert [n["name"] for n in neutron.ok("GET", f"/networks?{query}")["networks"]] == names


def test_list_fields_and_pages(neutron):
    body = neutron.ok("GET", "/networks?fields=id&fields=name")
    assert body["networks"][0] == {"id": PUBLIC, "name": "public"}
    first = neutron.ok("GET", "/networks?limit=1")
    assert [n["name"] for n in first["networks"]] == ["public"]
    next_link = first["networks_links"][0]
    assert next_link["rel"] == "next"
    second = neutron.mimic.get(next_link["href"], headers={"x-auth-token": neutron.token})
    assert [n["name"] for n in second.json()["networks"]] == ["private"]
    assert "networks_links" not in second.json()


@pytest.mark.parametrize("query", ["bogus=1", "limit=-1", "limit=x", "sort_dir=up",
                                   "sort_key=bogus"])
def test_bad_list_queries_are_400(neutron, query):
    assert_neutron_error(neutron.get(f"/networks?{query}"), 400, "HTTPBadRequest")


def test_marker_not_found_is_404(neutron):
    assert_neutron_error(neutron.get("/networks?marker=nope"), 404)


def test_show_network_and_unknown_network(neutron):
    assert neutron.ok("GET", f"/networks/{PRIVATE}")["network"]["name"] == "private"
    assert neutron.ok("GET", f"/networks/{PRIVATE}?fields=name")["network"] == {
        "name": "private"}
    message = assert_neutron_error(neutron.get("/networks/nope"), 404, "NetworkNotFound")
    assert message == "Network nope could not be found."


def test_subnets_list_filter_and_show(neutron):
    subnets = neutron.ok("GET", "/subnets")["subnets"]
    assert [(s["name"], s["ip_version"]) for s in subnets] == [
        ("public-ipv4", 4), ("public-ipv6", 6), ("private-ipv4", 4)]
    private = neutron.ok("GET", f"/subnets?network_id={PRIVATE}")["subnets"]
    assert len(private) == 1
    shown = neutron.ok("GET", f"/subnets/{private[0]['id']}")["subnet"]
    assert shown == private[0]
    assert shown["allocation_pools"][0]["start"] != shown["gateway_ip"]
    assert len(neutron.ok("GET", "/subnets?ip_version=6")["subnets"]) == 1
    assert_neutron_error(neutron.get("/subnets/nope"), 404, "SubnetNotFound")


def test_tenants_and_regions_are_separate(neutron, mimic):
    neutron.ok("POST", "/ports", 201, json={"port": {"network_id": PRIVATE}})
    bob = connect(mimic, "bob")
    assert bob.ok("GET", "/ports")["ports"] == []
    dfw = connect(mimic, "alice", "DFW")
    assert dfw.ok("GET", "/ports")["ports"] == []
    assert len(neutron.ok("GET", "/ports")["ports"]) == 1


# ports


def test_create_port_allocates_addresses_mac_and_default_group(neutron):
    port = neutron.ok("POST", "/ports", 201, json={"port": {"network_id": PUBLIC,
                                                            "name": "p"}})["port"]
    assert port["name"] == "p" and port["status"] == "DOWN"
    assert port["network_id"] == PUBLIC
    versions = [":" in f["ip_address"] for f in port["fixed_ips"]]
    assert versions == [False, True]
    assert port["mac_address"].startswith("fa:16:3e:")
    default = neutron.ok("GET", "/security-groups?name=default")["security_groups"][0]
    assert port["security_groups"] == [default["id"]]
    assert neutron.ok("GET", f"/ports/{port['id']}")["port"] == port
    other = neutron.ok("POST", "/ports", 201, json={"port": {"network_id": PUBLIC}})["port"]
    assert other["mac_address"] != port["mac_address"]
    assert {f["ip_address"] for f in other["fixed_ips"]}.isdisjoint(
        {f["ip_address"] for f in port["fixed_ips"]})


def test_create_port_with_requested_fixed_ips(neutron):
    subnet = neutron.ok("GET", f"/subnets?network_id={PRIVATE}")["subnets"][0]
    port = neutron.ok("POST", "/ports", 201, json={"port": {
        "network_id": PRIVATE,
        "fixed_ips": [{"ip_address": "10.176.1.1"}, {"subnet_id": subnet["id"]}]}})["port"]
    assert port["fixed_ips"][0] == {"subnet_id": subnet["id"], "ip_address": "10.176.1.1"}
    assert len(port["fixed_ips"]) == 2
    listed = neutron.ok("GET", "/ports?fixed_ips=ip_address%3D10.176.1.1")["ports"]
    assert [p["id"] for p in listed] == [port["id"]]


@pytest.mark.parametrize("body, code, kind", [
    ({"port": {}}, 400, "HTTPBadRequest"),
    ({"port": {"network_id": "nope"}}, 404, "NetworkNotFound"),
    ({"port": {"network_id": PRIVATE, "bogus": 1}}, 400, "HTTPBadRequest"),
    ({"port": {"network_id": PRIVATE, "name": 5}}, 400, "HTTPBadRequest"),
    ({"port": {"network_id": PRIVATE, "admin_state_up": "maybe"}}, 400, "HTTPBadRequest"),
    ({"port": {"network_id": PRIVATE, "fixed_ips": "10.176.0.9"}}, 400, "HTTPBadRequest"),
    ({"port": {"network_id": PRIVATE, "fixed_ips": [{"ip_address": "x"}]}}, 400,
     "HTTPBadRequest"),
    ({"port": {"network_id": PRIVATE, "fixed_ips": [{"ip_address": "10.1.0.1"}]}}, 400,
     "InvalidIpForNetwork"),
    ({"port": {"network_id": PRIVATE, "fixed_ips": [{"subnet_id": "nope"}]}}, 404,
     "SubnetNotFound"),
    ({"port": {"network_id": PRIVATE, "security_groups": ["nope"]}}, 404,
     "SecurityGroupNotFound"),
    ({"port": {"network_id": PRIVATE, "mac_address": "zz"}}, 400, "HTTPBadRequest"),
    ({"port": {"network_id": PRIVATE, "tenant_id": "someone-else"}}, 403, "HTTPForbidden"),
    ([1, 2], 400, "HTTPBadRequest"),
])
def test_bad_port_requests_are_refused_and_make_nothing(neutron, body, code, kind):
    assert_neutron_error(neutron.post("/ports", json=body), code, kind)
    assert neutron.ok("GET", "/ports")["ports"] == []


def test_malformed_and_empty_bodies_are_400(neutron):
    for data in (b"{", b""):
        assert_neutron_error(neutron.post("/ports", data=data), 400, "HTTPBadRequest")


def test_taken_address_and_mac_are_409_and_make_nothing(neutron):
    first = neutron.ok("POST", "/ports", 201, json={"port": {
        "network_id": PRIVATE, "fixed_ips": [{"ip_address": "10.176.0.9"}]}})["port"]
    assert_neutron_error(neutron.post("/ports", json={"port": {
        "network_id": PRIVATE, "fixed_ips": [{"ip_address": "10.176.0.9"}]}}), 409,
        "IpAddressAlreadyAllocated")
    assert_neutron_error(neutron.post("/ports", json={"port": {
        "network_id": PRIVATE, "mac_address": first["mac_address"]}}), 409, "MacAddressInUse")
    assert [p["id"] for p in neutron.ok("GET", "/ports")["ports"]] == [first["id"]]


def test_ports_listed_by_device_and_network(neutron):
    on_server = neutron.ok("POST", "/ports", 201, json={"port": {
        "network_id": PRIVATE, "device_id": "server-1", "device_owner": "compute:nova"}})["port"]
    assert on_server["status"] == "ACTIVE"
    loose = neutron.ok("POST", "/ports", 201, json={"port": {"network_id": PUBLIC}})["port"]
    assert [p["id"] for p in neutron.ok("GET", "/ports?device_id=server-1")["ports"]] == [
        on_server["id"]]
    assert [p["id"] for p in neutron.ok("GET", f"/ports?network_id={PUBLIC}")["ports"]] == [
        loose["id"]]
    assert [p["id"] for p in neutron.ok("GET", "/ports?device_id=")["ports"]] == [loose["id"]]
    assert neutron.ok("GET", "/ports?device_id=server-2")["ports"] == []
    both = neutron.ok("GET", "/ports?device_owner=compute:nova&network_id=" + PRIVATE)
    assert [p["id"] for p in both["ports"]] == [on_server["id"]]


def test_update_port(neutron):
    port = neutron.ok("POST", "/ports", 201, json={"port": {"network_id": PRIVATE}})["port"]
    group = neutron.ok("POST", "/security-groups", 201,
                       json={"security_group": {"name": "web"}})["security_group"]
    updated = neutron.ok("PUT", f"/ports/{port['id']}", json={"port": {
        "name": "renamed", "security_groups": [group["id"]]}})["port"]
    assert updated["name"] == "renamed"
    assert updated["security_groups"] == [group["id"]]
    assert updated["revision_number"] == port["revision_number"] + 1
    assert_neutron_error(neutron.put(f"/ports/{port['id']}", json={
        "port": {"security_groups": ["nope"]}}), 404, "SecurityGroupNotFound")
    assert_neutron_error(neutron.put(f"/ports/{port['id']}", json={
        "port": {"network_id": PUBLIC}}), 400)
    assert_neutron_error(neutron.put("/ports/nope", json={"port": {"name": "x"}}), 404,
                         "PortNotFound")
    assert neutron.ok("GET", f"/ports/{port['id']}")["port"] == updated


def test_delete_port_releases_its_address(neutron):
    port = neutron.ok("POST", "/ports", 201, json={"port": {
        "network_id": PRIVATE, "fixed_ips": [{"ip_address": "10.176.0.9"}]}})["port"]
    assert neutron.delete(f"/ports/{port['id']}").status_code == 204
    assert_neutron_error(neutron.get(f"/ports/{port['id']}"), 404, "PortNotFound")
    assert_neutron_error(neutron.delete(f"/ports/{port['id']}"), 404, "PortNotFound")
    neutron.ok("POST", "/ports", 201, json={"port": {
        "network_id": PRIVATE, "fixed_ips": [{"ip_address": "10.176.0.9"}]}})


# security groups and rules


def test_default_group_has_neutrons_default_rules(neutron):
    groups = neutron.ok("GET", "/security-groups")["security_groups"]
    assert [g["name"] for g in groups] == ["default"]
    default = groups[0]
    rules = sorted((r["direction"], r["ethertype"], r["remote_group_id"])
                   for r in default["security_group_rules"])
    assert rules == [("egress", "IPv4", None), ("egress", "IPv6", None),
                     ("ingress", "IPv4", default["id"]), ("ingress", "IPv6", default["id"])]
    assert all(r["belongs_to_default_sg"] for r in default["security_group_rules"])
    assert neutron.ok("GET", f"/security-groups/{default['id']}")["security_group"] == default


def test_security_group_create_update_delete(neutron):
    group = neutron.ok("POST", "/security-groups", 201, json={"security_group": {
        "name": "web", "description": "web servers"}})["security_group"]
    assert group["description"] == "web servers"
    assert sorted(r["ethertype"] for r in group["security_group_rules"]) == ["IPv4", "IPv6"]
    assert all(r["direction"] == "egress" and not r["belongs_to_default_sg"]
               for r in group["security_group_rules"])
    renamed = neutron.ok("PUT", f"/security-groups/{group['id']}", json={
        "security_group": {"name": "www"}})["security_group"]
    assert renamed["name"] == "www"
    assert [g["name"] for g in neutron.ok("GET", "/security-groups?name=www")[
        "security_groups"]] == ["www"]
    assert neutron.delete(f"/security-groups/{group['id']}").status_code == 204
    assert_neutron_error(neutron.get(f"/security-groups/{group['id']}"), 404,
                         "SecurityGroupNotFound")
    assert neutron.ok("GET", f"/security-group-rules?security_group_id={group['id']}")[
        "security_group_rules"] == []


def test_security_group_errors(neutron):
    default = neutron.ok("GET", "/security-groups")["security_groups"][0]
    assert_neutron_error(neutron.post("/security-groups", json={
        "security_group": {"name": "default"}}), 409, "SecurityGroupDefaultAlreadyExists")
    assert_neutron_error(neutron.delete(f"/security-groups/{default['id']}"), 409,
                         "SecurityGroupCannotRemoveDefault")
    assert_neutron_error(neutron.put(f"/security-groups/{default['id']}", json={
        "security_group": {"name": "x"}}), 409, "SecurityGroupCannotUpdateDefault")
    assert_neutron_error(neutron.post("/security-groups", json={
        "security_group": {"name": 3}}), 400, "HTTPBadRequest")
    assert_neutron_error(neutron.delete("/security-groups/nope"), 404, "SecurityGroupNotFound")
    group = neutron.ok("POST", "/security-groups", 201,
                       json={"security_group": {"name": "used"}})["security_group"]
    neutron.ok("POST", "/ports", 201, json={"port": {
        "network_id": PRIVATE, "security_groups": [group["id"]]}})
    assert_neutron_error(neutron.delete(f"/security-groups/{group['id']}"), 409,
                         "SecurityGroupInUse")
    names = [g["name"] for g in neutron.ok("GET", "/security-groups")["security_groups"]]
    assert names == ["default", "used"]


def test_security_group_rules_create_list_show_delete(neutron):
    group = neutron.ok("POST", "/security-groups", 201,
                       json={"security_group": {"name": "web"}})["security_group"]
    rule = neutron.ok("POST", "/security-group-rules", 201, json={"security_group_rule": {
        "security_group_id": group["id"], "direction": "ingress", "protocol": "tcp",
        "port_range_min": 80, "port_range_max": 80, "remote_ip_prefix": "0.0.0.0/0",
    }})["security_group_rule"]
    assert (rule["protocol"], rule["port_range_min"], rule["ethertype"]) == ("tcp", 80, "IPv4")
    assert neutron.ok("GET", f"/security-group-rules/{rule['id']}")[
        "security_group_rule"] == rule
    shown = neutron.ok("GET", f"/security-groups/{group['id']}")["security_group"]
    assert rule in shown["security_group_rules"]
    listed = neutron.ok("GET", "/security-group-rules?direction=ingress&protocol=tcp")
    assert [r["id"] for r in listed["security_group_rules"]] == [rule["id"]]
    assert_neutron_error(neutron.post("/security-group-rules", json={"security_group_rule": {
        "security_group_id": group["id"], "direction": "ingress", "protocol": "tcp",
        "port_range_min": 80, "port_range_max": 80, "remote_ip_prefix": "0.0.0.0/0",
    }}), 409, "SecurityGroupRuleExists")
    assert neutron.delete(f"/security-group-rules/{rule['id']}").status_code == 204
    assert_neutron_error(neutron.get(f"/security-group-rules/{rule['id']}"), 404,
                         "SecurityGroupRuleNotFound")
    assert_neutron_error(neutron.delete(f"/security-group-rules/{rule['id']}"), 404,
                         "SecurityGroupRuleNotFound")


@pytest.mark.parametrize("rule, code, kind", [
    ({"direction": "ingress"}, 400, "HTTPBadRequest"),
    ({"security_group_id": "nope", "direction": "ingress"}, 404, "SecurityGroupNotFound"),
    ({"direction": "sideways"}, 400, "HTTPBadRequest"),
    ({"direction": "ingress", "ethertype": "IPv5"}, 400, "HTTPBadRequest"),
    ({"direction": "ingress", "protocol": "carrier-pigeon"}, 400,
     "SecurityGroupRuleInvalidProtocol"),
    ({"direction": "ingress", "port_range_min": 22}, 400,
     "SecurityGroupProtocolRequiredWithPorts"),
    ({"direction": "ingress", "protocol": "tcp", "port_range_min": 90,
      "port_range_max": 80}, 400, "SecurityGroupInvalidPortRange"),
    ({"direction": "ingress", "protocol": "tcp", "port_range_min": 70000}, 400,
     "SecurityGroupInvalidPortValue"),
    # The port-range rules of neutron/db/securitygroups_db.py
    # (_validate_port_range): a port protocol needs both ends, non-zero.
    ({"direction": "ingress", "protocol": "tcp", "port_range_max": 80}, 400,
     "SecurityGroupInvalidPortRange"),
    ({"direction": "ingress", "protocol": "udp", "port_range_min": 53}, 400,
     "SecurityGroupInvalidPortRange"),
    ({"direction": "ingress", "protocol": "tcp", "port_range_min": 0,
      "port_range_max": 80}, 400, "SecurityGroupInvalidPortValue"),
    ({"direction": "ingress", "port_range_max": 80}, 400,
     "SecurityGroupProtocolRequiredWithPorts"),
    # Other protocols than DCCP, SCTP, TCP, UDP, UDPLITE and ICMP take no ports.
    ({"direction": "ingress", "protocol": "gre", "port_range_min": 1,
      "port_range_max": 2}, 400, "SecurityGroupInvalidProtocolForPort"),
    ({"direction": "ingress", "protocol": "47", "port_range_min": 5,
      "port_range_max": 5}, 400, "SecurityGroupInvalidProtocolForPort"),
    # ICMP: min is the type, max the code, each 0-255, no code without type.
    ({"direction": "ingress", "protocol": "icmp", "port_range_max": 0}, 400,
     "SecurityGroupMissingIcmpType"),
    ({"direction": "ingress", "protocol": "icmp", "port_range_min": 256}, 400,
     "SecurityGroupInvalidIcmpValue"),
    ({"direction": "ingress", "remote_ip_prefix": "::/0"}, 400,
     "SecurityGroupRuleParameterConflict"),
    ({"direction": "ingress", "remote_ip_prefix": "not-a-cidr"}, 400, "HTTPBadRequest"),
    ({"direction": "ingress", "remote_ip_prefix": "10.0.0.0/8",
      "remote_group_id": "x"}, 400, "SecurityGroupRemoteGroupAndRemoteIpPrefix"),
    ({"direction": "ingress", "remote_group_id": "nope"}, 404, "SecurityGroupNotFound"),
])
def test_bad_rules_are_refused_and_make_nothing(neutron, rule, code, kind):
    group = neutron.ok("GET", "/security-groups")["security_groups"][0]
    before = neutron.ok("GET", "/security-group-rules")["security_group_rules"]
    body = {"security_group_id": group["id"], **rule}
    if "security_group_id" in rule or rule == {"direction": "ingress"}:
        body = dict(rule)
    response = neutron.post("/security-group-rules", json={"security_group_rule": body})
    assert_neutron_error(response, code, kind)
    assert neutron.ok("GET", "/security-group-rules")["security_group_rules"] == before


def test_port_range_messages_are_neutrons(neutron):
    group = neutron.ok("GET", "/security-groups")["security_groups"][0]

    def refusal(**rule):
        return assert_neutron_error(neutron.post("/security-group-rules", json={
            "security_group_rule": {"security_group_id": group["id"], "direction": "ingress",
                                    **rule}}), 400)

    assert refusal(protocol="tcp", port_range_max=22) == (
        "For TCP/UDP protocols, port_range_min must be <= port_range_max")
    assert refusal(protocol="gre", port_range_min=1, port_range_max=1) == (
        "Ports cannot be specified for protocol 47. Ports are only supported for DCCP, "
        "SCTP, TCP, UDP, UDPLITE.")
    assert refusal(protocol="icmp", port_range_max=3) == (
        "ICMP code (port-range-max) 3 is provided but ICMP type (port-range-min) is "
        "missing.")


def test_icmp_type_alone_and_the_whole_port_range_are_accepted(neutron):
    group = neutron.ok("POST", "/security-groups", 201, json={
        "security_group": {"name": "ranges"}})["security_group"]

    def rule(**fields):
        return neutron.ok("POST", "/security-group-rules", 201, json={"security_group_rule": {
            "security_group_id": group["id"], "direction": "ingress", **fields}})[
                "security_group_rule"]

    echo = rule(protocol="icmp", port_range_min=8)
    assert (echo["port_range_min"], echo["port_range_max"]) == (8, None)
    # Neutron stores 1-65535 as no range (_make_canonical_port_range).
    everything = rule(protocol="tcp", port_range_min=1, port_range_max=65535)
    assert (everything["port_range_min"], everything["port_range_max"]) == (None, None)
    single = rule(protocol="udp", port_range_min=53, port_range_max=53)
    assert (single["port_range_min"], single["port_range_max"]) == (53, 53)


# floating IPs


def test_floating_ip_create_associate_disassociate_delete(neutron):
    port = neutron.ok("POST", "/ports", 201, json={"port": {
        "network_id": PRIVATE, "device_id": "server-1",
        "device_owner": "compute:nova"}})["port"]
    fip = neutron.ok("POST", "/floatingips", 201, json={"floatingip": {
        "floating_network_id": PUBLIC}})["floatingip"]
    assert fip["status"] == "DOWN" and fip["port_id"] is None
    assert fip["fixed_ip_address"] is None and fip["floating_ip_address"]
    associated = neutron.ok("PUT", f"/floatingips/{fip['id']}", json={
        "floatingip": {"port_id": port["id"]}})["floatingip"]
    assert associated["port_id"] == port["id"]
    assert associated["fixed_ip_address"] == port["fixed_ips"][0]["ip_address"]
    assert associated["status"] == "ACTIVE"
    assert associated["port_details"]["device_id"] == "server-1"
    by_port = neutron.ok("GET", f"/floatingips?port_id={port['id']}")["floatingips"]
    assert [f["id"] for f in by_port] == [fip["id"]]
    by_address = neutron.ok(
        "GET", f"/floatingips?floating_ip_address={fip['floating_ip_address']}")
    assert [f["id"] for f in by_address["floatingips"]] == [fip["id"]]
    released = neutron.ok("PUT", f"/floatingips/{fip['id']}", json={
        "floatingip": {"port_id": None}})["floatingip"]
    assert released["port_id"] is None and released["status"] == "DOWN"
    assert neutron.ok("GET", f"/floatingips/{fip['id']}")["floatingip"] == released
    assert neutron.delete(f"/floatingips/{fip['id']}").status_code == 204
    assert_neutron_error(neutron.get(f"/floatingips/{fip['id']}"), 404, "FloatingIPNotFound")
    assert_neutron_error(neutron.delete(f"/floatingips/{fip['id']}"), 404,
                         "FloatingIPNotFound")


def test_floating_ip_created_on_a_port_and_freed_with_it(neutron):
    port = neutron.ok("POST", "/ports", 201, json={"port": {"network_id": PRIVATE}})["port"]
    fip = neutron.ok("POST", "/floatingips", 201, json={"floatingip": {
        "floating_network_id": PUBLIC, "port_id": port["id"],
        "floating_ip_address": "198.18.7.7"}})["floatingip"]
    assert (fip["floating_ip_address"], fip["port_id"]) == ("198.18.7.7", port["id"])
    neutron.ok("DELETE", f"/ports/{port['id']}", 204)
    assert neutron.ok("GET", f"/floatingips/{fip['id']}")["floatingip"]["port_id"] is None
    assert_neutron_error(neutron.post("/floatingips", json={"floatingip": {
        "floating_network_id": PUBLIC, "floating_ip_address": "198.18.7.7"}}), 409,
        "IpAddressAlreadyAllocated")


def test_floating_ip_errors(neutron):
    public_port = neutron.ok("POST", "/ports", 201,
                             json={"port": {"network_id": PUBLIC}})["port"]
    private_port = neutron.ok("POST", "/ports", 201,
                              json={"port": {"network_id": PRIVATE}})["port"]
    assert_neutron_error(neutron.post("/floatingips", json={"floatingip": {}}), 400)
    assert_neutron_error(neutron.post("/floatingips", json={"floatingip": {
        "floating_network_id": PRIVATE}}), 400, "BadRequest")
    assert_neutron_error(neutron.post("/floatingips", json={"floatingip": {
        "floating_network_id": "nope"}}), 404, "NetworkNotFound")
    assert_neutron_error(neutron.post("/floatingips", json={"floatingip": {
        "floating_network_id": PUBLIC, "port_id": public_port["id"]}}), 404,
        "ExternalGatewayForFloatingIPNotFound")
    assert neutron.ok("GET", "/floatingips")["floatingips"] == []
    fip = neutron.ok("POST", "/floatingips", 201, json={"floatingip": {
        "floating_network_id": PUBLIC}})["floatingip"]
    assert_neutron_error(neutron.put(f"/floatingips/{fip['id']}", json={
        "floatingip": {"port_id": "nope"}}), 404, "PortNotFound")
    assert_neutron_error(neutron.put(f"/floatingips/{fip['id']}", json={
        "floatingip": {"port_id": private_port["id"], "fixed_ip_address": "10.9.9.9"}}),
        400, "BadRequest")
    assert_neutron_error(neutron.put("/floatingips/nope", json={
        "floatingip": {"port_id": None}}), 404, "FloatingIPNotFound")
    neutron.ok("PUT", f"/floatingips/{fip['id']}", json={
        "floatingip": {"port_id": private_port["id"]}})
    second = neutron.ok("POST", "/floatingips", 201, json={"floatingip": {
        "floating_network_id": PUBLIC}})["floatingip"]
    assert_neutron_error(neutron.put(f"/floatingips/{second['id']}", json={
        "floatingip": {"port_id": private_port["id"]}}), 409,
        "FloatingIPPortAlreadyAssociated")
    assert neutron.ok("GET", f"/floatingips/{second['id']}")["floatingip"]["port_id"] is None


def test_timestamps_come_from_mimics_clock(neutron, mimic):
    mimic.tick(3600)
    port = neutron.ok("POST", "/ports", 201, json={"port": {"network_id": PRIVATE}})["port"]
    assert port["created_at"] == "1970-01-01T01:00:00Z"
    mimic.tick(60)
    updated = neutron.ok("PUT", f"/ports/{port['id']}", json={"port": {"name": "x"}})["port"]
    assert updated["updated_at"] == "1970-01-01T01:01:00Z"
    assert updated["created_at"] == port["created_at"]


def test_plugin_provides_the_contract_and_is_discovered():
    from twisted.plugin import IPlugin, getPlugins
    from zope.interface.verify import verifyObject

    import mimic.plugins
    from mimic.imimic import IAPIMock
    from mimic.plugins.neutron_plugin import neutron as plugin

    assert verifyObject(IAPIMock, plugin)
    assert IPlugin.providedBy(plugin)
    assert plugin in list(getPlugins(IAPIMock, mimic.plugins))


def test_update_port_fixed_ips_keeps_adds_and_releases(neutron):
    port = neutron.ok("POST", "/ports", 201, json={"port": {
        "network_id": PRIVATE, "fixed_ips": [{"ip_address": "10.176.0.5"}]}})["port"]
    fip = neutron.ok("POST", "/floatingips", 201, json={"floatingip": {
        "floating_network_id": PUBLIC, "port_id": port["id"]}})["floatingip"]
    assert fip["fixed_ip_address"] == "10.176.0.5"
    both = neutron.ok("PUT", f"/ports/{port['id']}", json={"port": {"fixed_ips": [
        {"ip_address": "10.176.0.5"}, {"ip_address": "10.176.0.6"}]}})["port"]
    assert [f["ip_address"] for f in both["fixed_ips"]] == ["10.176.0.5", "10.176.0.6"]
    assert neutron.ok("GET", f"/floatingips/{fip['id']}")["floatingip"]["port_id"] == port["id"]
    assert_neutron_error(neutron.put(f"/ports/{port['id']}", json={"port": {"fixed_ips": [
        {"ip_address": "10.176.0.7"}, {"ip_address": "192.0.2.1"}]}}), 400,
        "InvalidIpForNetwork")
    assert neutron.ok("GET", f"/ports/{port['id']}")["port"]["fixed_ips"] == both["fixed_ips"]
    moved = neutron.ok("PUT", f"/ports/{port['id']}", json={"port": {"fixed_ips": [
        {"ip_address": "10.176.0.6"}]}})["port"]
    assert [f["ip_address"] for f in moved["fixed_ips"]] == ["10.176.0.6"]
    assert neutron.ok("GET", f"/floatingips/{fip['id']}")["floatingip"]["port_id"] is None
    neutron.ok("POST", "/ports", 201, json={"port": {
        "network_id": PRIVATE, "fixed_ips": [{"ip_address": "10.176.0.5"}]}})


def test_floating_ip_on_a_named_subnet(neutron):
    subnets = neutron.ok("GET", f"/subnets?network_id={PUBLIC}")["subnets"]
    v4 = next(s for s in subnets if s["ip_version"] == 4)
    v6 = next(s for s in subnets if s["ip_version"] == 6)
    fip = neutron.ok("POST", "/floatingips", 201, json={"floatingip": {
        "floating_network_id": PUBLIC, "subnet_id": v4["id"]}})["floatingip"]
    assert fip["floating_ip_address"].startswith("198.1")
    assert_neutron_error(neutron.post("/floatingips", json={"floatingip": {
        "floating_network_id": PUBLIC, "subnet_id": v6["id"]}}), 400, "BadRequest")
    assert_neutron_error(neutron.post("/floatingips", json={"floatingip": {
        "floating_network_id": PUBLIC, "subnet_id": "nope"}}), 404, "SubnetNotFound")


def test_filters_are_checked_even_when_nothing_is_listed(neutron):
    assert neutron.ok("GET", "/floatingips?port_id=x")["floatingips"] == []
    assert_neutron_error(neutron.get("/floatingips?bogus=x"), 400, "HTTPBadRequest")
    assert_neutron_error(neutron.get("/ports?device_id=nobody&bogus=x"), 400)


def test_sorting_numbers_in_numeric_order(neutron):
    group = neutron.ok("GET", "/security-groups")["security_groups"][0]
    for port in (9, 10, 100):
        neutron.ok("POST", "/security-group-rules", 201, json={"security_group_rule": {
            "security_group_id": group["id"], "direction": "ingress", "protocol": "tcp",
            "port_range_min": port, "port_range_max": port}})
    rules = neutron.ok("GET", "/security-group-rules?protocol=tcp&sort_key=port_range_min"
                       "&sort_dir=desc")["security_group_rules"]
    assert [r["port_range_min"] for r in rules] == [100, 10, 9]


# networks and subnets a tenant makes


def test_tenant_network_with_subnet_lifecycle(neutron):
    network = neutron.ok("POST", "/networks", 201, json={"network": {
        "name": "backend"}})["network"]
    assert (network["name"], network["router:external"], network["shared"],
            network["subnets"]) == ("backend", False, False, [])
    subnet = neutron.ok("POST", "/subnets", 201, json={"subnet": {
        "network_id": network["id"], "cidr": "192.168.10.0/24", "ip_version": 4,
        "name": "backend-v4", "dns_nameservers": ["192.0.2.53"]}})["subnet"]
    assert subnet["gateway_ip"] == "192.168.10.1"
    assert subnet["allocation_pools"] == [{"start": "192.168.10.2", "end": "192.168.10.254"}]
    assert subnet["dns_nameservers"] == ["192.0.2.53"]
    assert neutron.ok("GET", f"/networks/{network['id']}")["network"]["subnets"] == [
        subnet["id"]]
    assert [n["name"] for n in neutron.ok("GET", "/networks?shared=false")["networks"]] == [
        "backend"]
    renamed = neutron.ok("PUT", f"/networks/{network['id']}", json={"network": {
        "name": "db"}})["network"]
    assert renamed["name"] == "db"
    assert neutron.ok("PUT", f"/subnets/{subnet['id']}", json={"subnet": {
        "name": "db-v4"}})["subnet"]["name"] == "db-v4"
    port = neutron.ok("POST", "/ports", 201, json={"port": {
        "network_id": network["id"]}})["port"]
    assert port["fixed_ips"] == [{"subnet_id": subnet["id"], "ip_address": "192.168.10.2"}]
    assert_neutron_error(neutron.delete(f"/subnets/{subnet['id']}"), 409, "SubnetInUse")
    assert_neutron_error(neutron.delete(f"/networks/{network['id']}"), 409, "NetworkInUse")
    fip = neutron.ok("POST", "/floatingips", 201, json={"floatingip": {
        "floating_network_id": PUBLIC}})["floatingip"]
    assert_neutron_error(neutron.put(f"/floatingips/{fip['id']}", json={"floatingip": {
        "port_id": port["id"]}}), 404, "ExternalGatewayForFloatingIPNotFound")
    neutron.ok("DELETE", f"/ports/{port['id']}", 204)
    neutron.ok("DELETE", f"/subnets/{subnet['id']}", 204)
    assert_neutron_error(neutron.get(f"/subnets/{subnet['id']}"), 404, "SubnetNotFound")
    neutron.ok("DELETE", f"/networks/{network['id']}", 204)
    assert_neutron_error(neutron.get(f"/networks/{network['id']}"), 404, "NetworkNotFound")
    assert [n["name"] for n in neutron.ok("GET", "/networks")["networks"]] == [
        "public", "private"]


def test_subnet_with_pool_gateway_and_ipv6(neutron):
    network = neutron.ok("POST", "/networks", 201, json={"network": {}})["network"]
    subnet = neutron.ok("POST", "/subnets", 201, json={"subnet": {
        "network_id": network["id"], "cidr": "10.9.0.0/24", "gateway_ip": "10.9.0.254",
        "allocation_pools": [{"start": "10.9.0.10", "end": "10.9.0.11"}]}})["subnet"]
    assert subnet["gateway_ip"] == "10.9.0.254"
    v6 = neutron.ok("POST", "/subnets", 201, json={"subnet": {
        "network_id": network["id"], "cidr": "fd00::/64", "ip_version": 6,
        "ipv6_address_mode": "slaac", "ipv6_ra_mode": "slaac"}})["subnet"]
    assert v6["ipv6_address_mode"] == "slaac"
    ports = [neutron.ok("POST", "/ports", 201, json={"port": {
        "network_id": network["id"], "fixed_ips": [{"subnet_id": subnet["id"]}]}})["port"]
        for _ in range(2)]
    assert [p["fixed_ips"][0]["ip_address"] for p in ports] == ["10.9.0.10", "10.9.0.11"]
    assert_neutron_error(neutron.post("/ports", json={"port": {
        "network_id": network["id"], "fixed_ips": [{"subnet_id": subnet["id"]}]}}), 409,
        "IpAddressGenerationFailure")
    both = neutron.ok("POST", "/ports", 201, json={"port": {"network_id": network["id"],
        "fixed_ips": [{"subnet_id": v6["id"]}]}})["port"]
    assert both["fixed_ips"][0]["ip_address"].startswith("fd00::")


@pytest.mark.parametrize("subnet, code, kind", [
    ({"cidr": "10.0.0.0/24"}, 400, "HTTPBadRequest"),
    ({"network_id": "nope", "cidr": "10.0.0.0/24"}, 404, "NetworkNotFound"),
    ({"network_id": PRIVATE, "cidr": "10.0.0.0/24"}, 403, "HTTPForbidden"),
    ({"cidr": "banana"}, 400, "HTTPBadRequest"),
    ({"cidr": "10.0.0.0/24", "ip_version": 6}, 400, "InvalidInput"),
    ({"cidr": "10.0.0.0/24", "ip_version": 5}, 400, "HTTPBadRequest"),
    ({"cidr": "10.0.0.0/31"}, 400, "InvalidInput"),
    # A gateway outside the CIDR is allowed (neutron/ipam/utils.py
    # check_gateway_invalid_in_subnet), an IPv4 broadcast address is not.
    ({"cidr": "10.0.0.0/24", "gateway_ip": "10.0.0.255"}, 400, "InvalidInput"),
    ({"cidr": "10.0.0.0/24", "allocation_pools": [{"start": "10.0.0.2",
                                                   "end": "10.0.1.9"}]}, 400,
     "OutOfBoundsAllocationPool"),
    ({"cidr": "10.0.0.0/24", "allocation_pools": [{"start": "10.0.0.1",
                                                   "end": "10.0.0.9"}]}, 409,
     "GatewayConflictWithAllocationPools"),
    ({"cidr": "10.0.0.0/24", "allocation_pools": "all"}, 400, "HTTPBadRequest"),
    ({"cidr": "10.0.0.0/24", "allocation_pools": [{"start": "::a", "end": "::b"}]}, 400,
     "OutOfBoundsAllocationPool"),
    ({"cidr": "10.0.0.0/24", "gateway_ip": "::1"}, 400, "InvalidInput"),
    ({"cidr": "10.0.0.0/24", "gateway_ip": 7}, 400, "HTTPBadRequest"),
    # neutron-lib's validate_subnet: a prefix length is needed, and an IPv4
    # CIDR must be written canonically (host bits are fine, see below).
    ({"cidr": "10.0.0.5"}, 400, "HTTPBadRequest"),
    ({"cidr": "10.0.0.0/024"}, 400, "HTTPBadRequest"),
    ({"cidr": "10.0.0.0/24", "host_routes": [{"destination": "10.9.0.0/16"}]}, 400,
     "HTTPBadRequest"),
    ({"cidr": "10.0.0.0/24", "host_routes": [{"destination": "::/0",
                                              "nexthop": "10.0.0.9"}]}, 400, "InvalidInput"),
    ({"cidr": "10.0.0.0/24", "host_routes": "none"}, 400, "HTTPBadRequest"),
    ({"cidr": "10.0.0.0/24", "host_routes": [{"destination": "10.9.0.0/16",
                                              "nexthop": "10.0.0.9"}] * 2}, 400,
     "HTTPBadRequest"),
    ({"cidr": "10.0.0.0/24", "service_types": "compute:nova"}, 400, "HTTPBadRequest"),
    ({"cidr": "10.0.0.0/24", "subnetpool_id": "x"}, 404, "SubnetPoolNotFound"),
    ({}, 400, "BadRequest"),
    ({"cidr": "10.0.0.0/24", "ipv6_ra_mode": "magic"}, 400, "HTTPBadRequest"),
    ({"cidr": "10.0.0.0/24", "bogus": 1}, 400, "HTTPBadRequest"),
])
def test_bad_subnets_are_refused_and_make_nothing(neutron, subnet, code, kind):
    network = neutron.ok("POST", "/networks", 201, json={"network": {}})["network"]
    body = {"network_id": network["id"], **subnet}
    if "network_id" not in subnet and "cidr" in subnet and len(subnet) == 1 and \
            subnet["cidr"] == "10.0.0.0/24":
        body.pop("network_id")
    before = neutron.ok("GET", "/subnets")["subnets"]
    assert_neutron_error(neutron.post("/subnets", json={"subnet": body}), code, kind)
    assert neutron.ok("GET", "/subnets")["subnets"] == before


def test_overlapping_subnet_is_refused(neutron):
    network = neutron.ok("POST", "/networks", 201, json={"network": {}})["network"]
    neutron.ok("POST", "/subnets", 201, json={"subnet": {
        "network_id": network["id"], "cidr": "10.0.0.0/16"}})
    assert_neutron_error(neutron.post("/subnets", json={"subnet": {
        "network_id": network["id"], "cidr": "10.0.3.0/24"}}), 400, "InvalidInput")


def test_shared_networks_cannot_be_changed_or_deleted(neutron):
    for network_id in (PUBLIC, PRIVATE):
        assert_neutron_error(neutron.put(f"/networks/{network_id}", json={
            "network": {"name": "mine"}}), 403, "PolicyNotAuthorized")
        assert_neutron_error(neutron.delete(f"/networks/{network_id}"), 403,
                             "PolicyNotAuthorized")
    subnet = neutron.ok("GET", "/subnets")["subnets"][0]
    assert_neutron_error(neutron.delete(f"/subnets/{subnet['id']}"), 403)
    assert_neutron_error(neutron.put(f"/subnets/{subnet['id']}", json={
        "subnet": {"name": "x"}}), 403)
    assert_neutron_error(neutron.post("/networks", json={"network": {"shared": True}}), 403,
                         "PolicyNotAuthorized")
    assert_neutron_error(neutron.post("/networks", json={"network": {"name": 1}}), 400)
    assert [n["name"] for n in neutron.ok("GET", "/networks")["networks"]] == [
        "public", "private"]


ODD_VALUES = [None, 0, -1, 70000, True, "", "x", "10.176.0.300", [], [{}], [1], ["x"],
              {}, {"a": 1}, [{"ip_address": 5}], [{"subnet_id": None}], 1.5]

WRITABLE = {
    "ports": ("network_id", "name", "description", "admin_state_up", "fixed_ips",
              "device_id", "device_owner", "security_groups", "mac_address",
              "port_security_enabled"),
    "security-groups": ("name", "description"),
    "security-group-rules": ("security_group_id", "direction", "ethertype", "protocol",
                             "port_range_min", "port_range_max", "remote_ip_prefix",
                             "remote_group_id", "description"),
    "floatingips": ("floating_network_id", "floating_ip_address", "port_id",
                    "fixed_ip_address", "description", "subnet_id"),
    "networks": ("name", "description", "admin_state_up", "shared", "router:external"),
    "subnets": ("network_id", "cidr", "ip_version", "name", "gateway_ip",
                "allocation_pools", "enable_dhcp", "dns_nameservers", "ipv6_ra_mode",
                "ipv6_address_mode"),
}
MEMBER = {"ports": "port", "security-groups": "security_group",
          "security-group-rules": "security_group_rule", "floatingips": "floatingip",
          "networks": "network", "subnets": "subnet"}


@pytest.mark.parametrize("collection", sorted(WRITABLE))
def test_odd_values_in_any_attribute_never_get_a_500(neutron, collection):
    """Every attribute given every odd JSON value: an answer, never a failure."""
    network = neutron.ok("POST", "/networks", 201, json={"network": {}})["network"]
    group = neutron.ok("GET", "/security-groups")["security_groups"][0]
    port = neutron.ok("POST", "/ports", 201, json={"port": {"network_id": PRIVATE}})["port"]
    valid = {"ports": {"network_id": PRIVATE},
             "security-groups": {"name": "g"},
             "security-group-rules": {"security_group_id": group["id"],
                                      "direction": "ingress"},
             "floatingips": {"floating_network_id": PUBLIC},
             "networks": {"name": "n"},
             "subnets": {"network_id": network["id"], "cidr": "10.50.0.0/24"}}[collection]
    existing = {"ports": port["id"], "security-groups": None,
                "security-group-rules": None, "floatingips": None,
                "networks": network["id"], "subnets": None}[collection]
    member = MEMBER[collection]
    for key in WRITABLE[collection]:
        for value in ODD_VALUES:
            body = {member: {**valid, key: value}}
            response = neutron.post(f"/{collection}", json=body)
            assert response.status_code < 500, (key, value, response.text)
            assert response.json()
            if existing is not None:
                response = neutron.put(f"/{collection}/{existing}", json={member: {key: value}})
                assert response.status_code < 500, (key, value, response.text)
