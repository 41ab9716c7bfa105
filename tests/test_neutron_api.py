"""
Neutron v2.0 over real sockets as a whole: the catalog and discovery, the
token every route wants, lists (filters, fields, pages, sorting) as
clients use them, Mimic's clock in the timestamps, and every error in
Neutron's ``NeutronError`` body with Neutron's status code, never a 500.
Each noun's routes have a module of their own (networks, ports, security
groups, floating IPs, routers, subnets, ...).
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


def test_tenants_and_regions_are_separate(neutron, mimic):
    neutron.ok("POST", "/ports", 201, json={"port": {"network_id": PRIVATE}})
    bob = connect(mimic, "bob")
    assert bob.ok("GET", "/ports")["ports"] == []
    dfw = connect(mimic, "alice", "DFW")
    assert dfw.ok("GET", "/ports")["ports"] == []
    assert len(neutron.ok("GET", "/ports")["ports"]) == 1


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
