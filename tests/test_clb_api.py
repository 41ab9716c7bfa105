"""
Cloud Load Balancers routes over real HTTP: load balancers, nodes, the
settings below a load balancer, metadata, limits and every documented
refusal (in the CLB fault shape, changing nothing).
"""

from __future__ import annotations

import pytest

from tests.clb_support import TENANT, assert_fault, clb, clb_for, lb_body  # noqa: F401


# catalog -----------------------------------------------------------------


def test_catalog_offers_cloud_load_balancers_per_region(mimic):
    access = mimic.authenticate("cat-user", "secret", "777")
    entries = {s["type"]: s for s in access["serviceCatalog"]}
    api = entries["rax:load-balancer"]
    assert api["name"] == "cloudLoadBalancers"
    ord_url = [e for e in api["endpoints"] if e["region"] == "ORD"][0]["publicURL"]
    assert ord_url == f"{mimic.base_url}/mimicking/clb/ORD/v1.0/777"
    control = entries["rax:load-balancer:control"]
    assert {e["region"] for e in control["endpoints"]} == {
        e["region"] for e in api["endpoints"]}


# create, list, get -----------------------------------------------------------


def test_create_answers_202_in_build_with_integer_ids(clb):
    lb = clb.create()
    assert isinstance(lb["id"], int)
    assert lb["status"] == "BUILD"
    assert lb["name"] == "a-new-loadbalancer"
    assert lb["protocol"] == "HTTP" and lb["port"] == 80
    assert lb["algorithm"] == "RANDOM"
    assert [n["address"] for n in lb["nodes"]] == ["10.1.1.1"]
    node = lb["nodes"][0]
    assert isinstance(node["id"], int)
    assert node["condition"] == "ENABLED" and node["type"] == "PRIMARY"
    assert node["weight"] == 1 and node["status"] == "ONLINE"
    assert lb["created"]["time"] == "1970-01-01T00:00:00Z"


def test_public_vip_without_version_gets_ipv4_and_ipv6(clb):
    lb = clb.create()
    versions = sorted(v["ipVersion"] for v in lb["virtualIps"])
    assert versions == ["IPV4", "IPV6"]
    assert all(v["type"] == "PUBLIC" for v in lb["virtualIps"])


def test_servicenet_vip_is_ipv4_only(clb):
    lb = clb.create(virtualIps=[{"type": "SERVICENET"}])
    assert [(v["type"], v["ipVersion"]) for v in lb["virtualIps"]] == [("SERVICENET", "IPV4")]
    response = clb.mimic.post(f"{clb.url}/loadbalancers", json=lb_body(
        virtualIps=[{"type": "SERVICENET", "ipVersion": "IPV6"}]))
    assert_fault(response, 400, "IPV6 is not supported for SERVICENET")


def test_shared_vip_needs_an_existing_vip_and_a_distinct_port(clb):
    first = clb.create()
    vip_id = first["virtualIps"][0]["id"]
    shared = clb.create(name="second", port=8080, virtualIps=[{"id": vip_id}])
    assert shared["virtualIps"][0]["address"] == first["virtualIps"][0]["address"]
    same_port = clb.mimic.post(f"{clb.url}/loadbalancers",
                               json=lb_body(virtualIps=[{"id": vip_id}]))
    assert_fault(same_port, 400, "Port 80")
    unknown = clb.mimic.post(f"{clb.url}/loadbalancers",
                             json=lb_body(port=81, virtualIps=[{"id": 999999}]))
    assert_fault(unknown, 400, "999999")


def test_ids_never_collide_even_after_delete(clb):
    first = clb.create()
    assert clb.mimic.delete(clb.lb_url(first["id"])).status_code == 202
    second = clb.create()
    other_tenant = clb_for(clb.mimic, "999").create()
    ids = {first["id"], second["id"], other_tenant["id"]}
    assert len(ids) == 3
    node_ids = {first["nodes"][0]["id"], second["nodes"][0]["id"],
                other_tenant["nodes"][0]["id"]}
    assert len(node_ids) == 3


def test_list_shows_the_tenants_load_balancers_in_the_region(clb):
    one = clb.create(name="one")
    two = clb.create(name="two", protocol="TCP", port=9000)
    clb_for(clb.mimic, "other").create(name="not-mine")
    response = clb.mimic.get(f"{clb.url}/loadbalancers")
    assert response.status_code == 200
    listed = response.json()["loadBalancers"]
    assert [lb["id"] for lb in listed] == [one["id"], two["id"]]
    assert listed[1]["protocol"] == "TCP" and listed[1]["port"] == 9000
    assert listed[0]["nodeCount"] == 1
    dfw = clb.url.replace("/ORD/", "/DFW/")
    assert clb.mimic.get(f"{dfw}/loadbalancers").json() == {"loadBalancers": []}


def test_list_filters_by_status_and_node_address(clb):
    one = clb.create(name="one")
    clb.create(name="two", nodes=[{"address": "10.9.9.9", "port": 80,
                                   "condition": "ENABLED"}])
    clb.mimic.delete(clb.lb_url(one["id"]))
    by_status = clb.mimic.get(f"{clb.url}/loadbalancers", params={"status": "ACTIVE"})
    assert [lb["name"] for lb in by_status.json()["loadBalancers"]] == ["two"]
    by_node = clb.mimic.get(f"{clb.url}/loadbalancers",
                            params={"nodeaddress": "10.9.9.9"})
    assert [lb["name"] for lb in by_node.json()["loadBalancers"]] == ["two"]


def test_get_shows_details_and_settings(clb):
    lb = clb.create(
        metadata=[{"key": "env", "value": "test"}],
        healthMonitor={"type": "CONNECT", "delay": 10, "timeout": 5,
                       "attemptsBeforeDeactivation": 2},
        sessionPersistence={"persistenceType": "HTTP_COOKIE"},
        connectionLogging={"enabled": True},
        accessList=[{"address": "192.0.2.0/24", "type": "DENY"}],
    )
    details = clb.get(lb["id"])
    assert details["status"] == "ACTIVE"
    assert details["metadata"][0]["key"] == "env"
    assert details["healthMonitor"]["type"] == "CONNECT"
    assert details["sessionPersistence"] == {"persistenceType": "HTTP_COOKIE"}
    assert details["connectionLogging"] == {"enabled": True}
    assert details["accessList"][0]["address"] == "192.0.2.0/24"


def test_protocol_without_default_port_needs_a_port(clb):
    response = clb.mimic.post(f"{clb.url}/loadbalancers", json=lb_body(protocol="TCP"))
    assert_fault(response, 400, "port is required for protocol TCP")
    assert clb.mimic.get(f"{clb.url}/loadbalancers").json()["loadBalancers"] == []


@pytest.mark.parametrize("overrides, expected", [
    ({"protocol": "GOPHER"}, "protocol must be one of"),
    ({"name": ""}, "name must be"),
    ({"name": "x" * 129}, "name must be"),
    ({"virtualIps": []}, "virtualIps must be a non-empty list"),
    ({"virtualIps": [{"type": "PRIVATE"}]}, "type must be one of PUBLIC, SERVICENET"),
    ({"algorithm": "FASTEST"}, "algorithm must be one of"),
    ({"port": 70000}, "port must be an integer from 1 to 65535"),
    ({"port": "80"}, "port must be an integer"),
    ({"nodes": [{"address": "not an ip!", "port": 80, "condition": "ENABLED"}]},
     "address is invalid"),
    ({"nodes": [{"address": "10.0.0.1", "port": 80, "condition": "ON"}]},
     "condition must be one of ENABLED, DISABLED, DRAINING"),
    ({"nodes": [{"address": "10.0.0.1", "port": 80, "condition": "ENABLED",
                 "weight": 101}]}, "weight must be an integer from 1 to 100"),
    ({"nodes": [{"address": "10.0.0.1", "port": 80, "condition": "ENABLED"}] * 2},
     "Duplicate nodes detected"),
    ({"metadata": [{"key": "a", "value": "1"}, {"key": "a", "value": "2"}]},
     "Duplicate metadata keys"),
    ({"metadata": [{"key": "lb_building", "value": "soon"}]}, "lb_building"),
    ({"healthMonitor": {"type": "HTTP", "delay": 10, "timeout": 5,
                        "attemptsBeforeDeactivation": 2}}, "path is required"),
    ({"accessList": [{"address": "nowhere", "type": "ALLOW"}]},
     "address must be an IP address or CIDR"),
])
def test_invalid_create_is_a_validation_fault_and_creates_nothing(clb, overrides, expected):
    response = clb.mimic.post(f"{clb.url}/loadbalancers", json=lb_body(**overrides))
    body = assert_fault(response, 400, expected)
    assert body["message"] == "Validation Failure"
    assert clb.mimic.get(f"{clb.url}/loadbalancers").json()["loadBalancers"] == []


def test_create_without_the_load_balancer_object_is_refused(clb):
    assert_fault(clb.mimic.post(f"{clb.url}/loadbalancers", json={"name": "x"}),
                 400, "loadBalancer")
    assert_fault(clb.mimic.post(f"{clb.url}/loadbalancers", data=b"{not json"),
                 400, "not valid JSON")
    assert_fault(clb.mimic.post(f"{clb.url}/loadbalancers", json={"loadBalancer": []}),
                 400, "loadBalancer must be an object")


def test_node_limit_is_25_at_creation(clb):
    nodes = [{"address": f"10.0.0.{i}", "port": 80, "condition": "ENABLED"}
             for i in range(26)]
    response = clb.mimic.post(f"{clb.url}/loadbalancers", json=lb_body(nodes=nodes))
    assert_fault(response, 400, "Nodes must not exceed 25")
    assert clb.create(nodes=nodes[:25])["nodes"][24]["address"] == "10.0.0.24"


def test_create_accepts_a_load_balancer_with_no_nodes(clb):
    lb = clb.create(nodes=[])
    assert lb["nodes"] == []


def test_unknown_load_balancer_is_404_in_clb_shape(clb):
    for path in ("/loadbalancers/424242", "/loadbalancers/abc",
                 "/loadbalancers/424242/nodes", "/loadbalancers/424242/healthmonitor"):
        body = assert_fault(clb.mimic.get(clb.url + path), 404)
        assert body["message"] == "Load balancer not found."
    assert_fault(clb.mimic.delete(clb.lb_url(424242)), 404)
    assert_fault(clb.mimic.get(clb.url + "/no/such/route"), 404)


def test_wrong_method_is_405_in_clb_shape(clb):
    assert_fault(clb.mimic.patch(f"{clb.url}/loadbalancers", json={}), 405)


def test_protocols_algorithms_and_limits(clb):
    protocols = clb.mimic.get(f"{clb.url}/loadbalancers/protocols").json()["protocols"]
    assert {"name": "HTTP", "port": 80} in protocols
    assert {"name": "TCP", "port": 0} in protocols
    algorithms = clb.mimic.get(f"{clb.url}/loadbalancers/algorithms").json()["algorithms"]
    assert {"name": "ROUND_ROBIN"} in algorithms
    limits = clb.mimic.get(f"{clb.url}/loadbalancers/absolutelimits").json()["absolute"]
    assert {"name": "NODE_LIMIT", "value": 25} in limits
    assert {"name": "BATCH_DELETE_LIMIT", "value": 10} in limits


# update --------------------------------------------------------------------------


def test_update_changes_attributes_with_202(clb):
    lb = clb.create()
    response = clb.mimic.put(clb.lb_url(lb["id"]), json={"loadBalancer": {
        "name": "renamed", "algorithm": "ROUND_ROBIN", "protocol": "HTTPS",
        "port": 443, "timeout": 60, "halfClosed": True}})
    assert response.status_code == 202 and response.content == b""
    details = clb.get(lb["id"])
    assert (details["name"], details["algorithm"], details["protocol"], details["port"],
            details["timeout"], details["halfClosed"]) == (
        "renamed", "ROUND_ROBIN", "HTTPS", 443, 60, True)


@pytest.mark.parametrize("changes, expected", [
    ({"protocol": "SPDY"}, "protocol must be one of"),
    ({"nodes": []}, "cannot be updated"),
    ({"id": 5}, "cannot be updated"),
    ({}, "At least one attribute"),
    ({"port": 0}, "port must be an integer"),
])
def test_invalid_update_changes_nothing(clb, changes, expected):
    lb = clb.create()
    response = clb.mimic.put(clb.lb_url(lb["id"]), json={"loadBalancer": changes})
    assert_fault(response, 400, expected)
    details = clb.get(lb["id"])
    assert details["status"] == "ACTIVE"
    assert (details["name"], details["protocol"], details["port"]) == (
        lb["name"], lb["protocol"], lb["port"])


# delete -----------------------------------------------------------------------------


def test_delete_answers_202_and_the_load_balancer_is_deleted(clb):
    lb = clb.create()
    response = clb.mimic.delete(clb.lb_url(lb["id"]))
    assert response.status_code == 202 and response.content == b""
    assert clb.status(lb["id"]) == "DELETED"


def test_bulk_delete_by_id(clb):
    ids = [clb.create(name=f"lb{i}")["id"] for i in range(3)]
    response = clb.mimic.delete(f"{clb.url}/loadbalancers",
                                params=[("id", ids[0]), ("id", ids[2])])
    assert response.status_code == 202
    assert [clb.status(i) for i in ids] == ["DELETED", "ACTIVE", "DELETED"]


def test_bulk_delete_is_all_or_nothing(clb):
    good = clb.create()["id"]
    response = clb.mimic.delete(f"{clb.url}/loadbalancers",
                                params=[("id", good), ("id", 31337)])
    assert_fault(response, 404)
    assert clb.status(good) == "ACTIVE"
    assert_fault(clb.mimic.delete(f"{clb.url}/loadbalancers"), 400, "one or more id")
    too_many = [("id", good)] * 11
    assert_fault(clb.mimic.delete(f"{clb.url}/loadbalancers", params=too_many), 400,
                 "more than 10")
    assert clb.status(good) == "ACTIVE"
