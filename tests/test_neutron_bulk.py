"""
Neutron's bulk create (``{"networks": [...]}``, ``{"subnets": [...]}``,
``{"ports": [...]}``) over real sockets: all made, or none.

Neutron's API layer (``neutron/api/v2/base.py``, ``prepare_request_body``)
takes the collection key with a list whose items are the objects or
``{member: {...}}``, refuses an empty list with "Resources required", and
with ML2's native bulk support creates the lot in one transaction, so a
refused item leaves nothing behind; the answer is 201 with the collection.
"""

from __future__ import annotations

import openstack
import pytest

from tests.neutron_support import PRIVATE, assert_neutron_error, neutron  # noqa: F401


def test_bulk_network_create_answers_the_collection_in_order(neutron):
    before = len(neutron.ok("GET", "/networks")["networks"])
    made = neutron.ok("POST", "/networks", 201, json={"networks": [
        {"name": "red"}, {"network": {"name": "green"}}, {"name": "blue",
                                                          "admin_state_up": False}]})
    assert [n["name"] for n in made["networks"]] == ["red", "green", "blue"]
    assert made["networks"][2]["admin_state_up"] is False
    listed = neutron.ok("GET", "/networks")["networks"]
    assert len(listed) == before + 3
    assert {n["id"] for n in made["networks"]} <= {n["id"] for n in listed}


def test_bulk_network_create_with_one_bad_item_makes_none(neutron):
    before = neutron.ok("GET", "/networks")["networks"]
    response = neutron.post("/networks", json={"networks": [{"name": "ok"}, {"name": 7}]})
    assert_neutron_error(response, 400)
    assert neutron.ok("GET", "/networks")["networks"] == before


@pytest.mark.parametrize("body, message", [
    ({"networks": []}, "Resources required"),
    ({"networks": {"name": "x"}}, "Body contains invalid data"),
    ({"networks": ["x"]}, "Unable to find 'network' in request body"),
    ({"networks": [{"name": "x"}] * 1001}, "at most 1000"),
])
def test_malformed_bulk_bodies_are_400(neutron, body, message):
    before = neutron.ok("GET", "/networks")["networks"]
    assert message in assert_neutron_error(neutron.post("/networks", json=body), 400)
    assert neutron.ok("GET", "/networks")["networks"] == before


def test_bulk_subnets_on_new_networks_and_overlap_rolls_back(neutron):
    network = neutron.ok("POST", "/networks", 201, json={"network": {}})["network"]
    made = neutron.ok("POST", "/subnets", 201, json={"subnets": [
        {"network_id": network["id"], "cidr": "10.1.0.0/24", "ip_version": 4},
        {"network_id": network["id"], "cidr": "fd00:1::/64", "ip_version": 6},
    ]})["subnets"]
    assert [s["cidr"] for s in made] == ["10.1.0.0/24", "fd00:1::/64"]
    shown = neutron.ok("GET", f"/networks/{network['id']}")["network"]
    assert shown["subnets"] == [s["id"] for s in made]
    # The second subnet overlaps the first one made in this request: the
    # refusal is Neutron's, and the first one is gone again.
    other = neutron.ok("POST", "/networks", 201, json={"network": {}})["network"]
    response = neutron.post("/subnets", json={"subnets": [
        {"network_id": other["id"], "cidr": "10.2.0.0/24", "ip_version": 4},
        {"network_id": other["id"], "cidr": "10.2.0.128/25", "ip_version": 4},
    ]})
    assert "overlaps" in assert_neutron_error(response, 400, "InvalidInput")
    after = neutron.ok("GET", f"/networks/{other['id']}")["network"]
    assert after == other
    assert neutron.ok("GET", f"/subnets?network_id={other['id']}")["subnets"] == []


def test_bulk_ports_release_their_addresses_when_one_is_refused(neutron):
    network = neutron.ok("POST", "/networks", 201, json={"network": {}})["network"]
    subnet = neutron.ok("POST", "/subnets", 201, json={"subnet": {
        "network_id": network["id"], "cidr": "10.3.0.0/29", "ip_version": 4}})["subnet"]
    made = neutron.ok("POST", "/ports", 201, json={"ports": [
        {"network_id": network["id"], "name": "a"},
        {"network_id": network["id"], "name": "b",
         "fixed_ips": [{"subnet_id": subnet["id"], "ip_address": "10.3.0.6"}]},
    ]})["ports"]
    assert [p["name"] for p in made] == ["a", "b"]
    assert made[1]["fixed_ips"][0]["ip_address"] == "10.3.0.6"
    # The third port asks for an address the first of this request took.
    response = neutron.post("/ports", json={"ports": [
        {"network_id": network["id"], "name": "c"},
        {"network_id": network["id"], "name": "d",
         "fixed_ips": [{"subnet_id": subnet["id"], "ip_address": "10.3.0.3"}]},
    ]})
    assert_neutron_error(response, 409, "IpAddressAlreadyAllocated")
    names = [p["name"] for p in neutron.ok(
        "GET", f"/ports?network_id={network['id']}")["ports"]]
    assert names == ["a", "b"]
    # The address c held is free again: the next port gets it.
    again = neutron.ok("POST", "/ports", 201, json={"port": {
        "network_id": network["id"], "name": "e"}})["port"]
    assert again["fixed_ips"][0]["ip_address"] == "10.3.0.3"


def test_bulk_port_with_unknown_network_makes_none(neutron):
    before = neutron.ok("GET", "/ports")["ports"]
    response = neutron.post("/ports", json={"ports": [
        {"network_id": PRIVATE}, {"network_id": "no-such-network"}]})
    assert_neutron_error(response, 404, "NetworkNotFound")
    assert neutron.ok("GET", "/ports")["ports"] == before


def test_openstacksdk_bulk_creates_ports(mimic):
    # openstacksdk's create_ports sends {"ports": [...]} in one POST.
    conn = openstack.connect(
        auth_url=mimic.base_url + "/identity/v2.0", username="bulk-user", password="secret",
        project_name="bulk-project", identity_api_version="2", region_name="ORD")
    try:
        network = conn.network.create_network(name="bulk")
        conn.network.create_subnet(network_id=network.id, cidr="10.4.0.0/24", ip_version=4)
        ports = list(conn.network.create_ports([
            {"network_id": network.id, "name": "p1"},
            {"network_id": network.id, "name": "p2"}]))
        assert [p.name for p in ports] == ["p1", "p2"]
        assert sorted(p.name for p in conn.network.ports(network_id=network.id)) == [
            "p1", "p2"]
    finally:
        conn.close()
