"""
Subnet details as Neutron has them: CIDRs with host bits (neutron-lib's
``validate_subnet`` takes ``10.0.0.5/24``; Neutron stores the network,
``10.0.0.0/24``), ``host_routes`` and ``service_types`` kept and changed,
and ``gateway_ip`` moved with ``PUT`` (in the subnet, outside its pool, and
not while a router interface holds it: ``GatewayIpInUse``).
"""

from __future__ import annotations

import openstack

from tests.neutron_support import assert_neutron_error, neutron  # noqa: F401


def new_subnet(neutron, **fields):
    network = neutron.ok("POST", "/networks", 201, json={"network": {}})["network"]
    return neutron.ok("POST", "/subnets", 201, json={"subnet": {
        "network_id": network["id"], **fields}})["subnet"]


def test_cidr_with_host_bits_is_stored_as_its_network(neutron):
    subnet = new_subnet(neutron, cidr="10.0.0.5/24")
    assert subnet["cidr"] == "10.0.0.0/24" and subnet["gateway_ip"] == "10.0.0.1"
    six = new_subnet(neutron, cidr="fd00:1::5/64", ip_version=6)
    assert six["cidr"] == "fd00:1::/64"


def test_host_routes_and_service_types_are_kept_and_changed(neutron):
    route = {"destination": "192.168.0.0/16", "nexthop": "10.0.0.9"}
    subnet = new_subnet(neutron, cidr="10.0.0.0/24", host_routes=[route],
                        service_types=["compute:nova"])
    assert subnet["host_routes"] == [route]
    assert subnet["service_types"] == ["compute:nova"]
    other = {"destination": "172.16.0.0/12", "nexthop": "10.0.0.10"}
    changed = neutron.ok("PUT", f"/subnets/{subnet['id']}", json={"subnet": {
        "host_routes": [route, other], "service_types": []}})["subnet"]
    assert changed["host_routes"] == [route, other] and changed["service_types"] == []
    cleared = neutron.ok("PUT", f"/subnets/{subnet['id']}", json={"subnet": {
        "host_routes": None}})["subnet"]
    assert cleared["host_routes"] == []
    assert_neutron_error(neutron.put(f"/subnets/{subnet['id']}", json={"subnet": {
        "host_routes": [route] * 21}}), 400)
    assert neutron.ok("GET", f"/subnets/{subnet['id']}")["subnet"]["host_routes"] == []


def test_gateway_ip_moves_within_the_subnet_and_outside_the_pool(neutron):
    subnet = new_subnet(neutron, cidr="10.0.0.0/24", allocation_pools=[
        {"start": "10.0.0.10", "end": "10.0.0.20"}])
    moved = neutron.ok("PUT", f"/subnets/{subnet['id']}", json={"subnet": {
        "gateway_ip": "10.0.0.254"}})["subnet"]
    assert moved["gateway_ip"] == "10.0.0.254"
    for bad, code, kind in (("10.0.1.1", 400, "InvalidInput"),
                            ("10.0.0.15", 409, "GatewayConflictWithAllocationPools"),
                            ("nonsense", 400, "HTTPBadRequest")):
        assert_neutron_error(neutron.put(f"/subnets/{subnet['id']}", json={"subnet": {
            "gateway_ip": bad}}), code, kind)
    assert neutron.ok("GET", f"/subnets/{subnet['id']}")["subnet"]["gateway_ip"] == \
        "10.0.0.254"
    none = neutron.ok("PUT", f"/subnets/{subnet['id']}", json={"subnet": {
        "gateway_ip": None}})["subnet"]
    assert none["gateway_ip"] is None


def test_gateway_held_by_a_router_interface_cannot_move(neutron):
    subnet = new_subnet(neutron, cidr="10.0.0.0/24")
    router = neutron.ok("POST", "/routers", 201, json={"router": {}})["router"]
    neutron.ok("PUT", f"/routers/{router['id']}/add_router_interface",
               json={"subnet_id": subnet["id"]})
    assert_neutron_error(neutron.put(f"/subnets/{subnet['id']}", json={"subnet": {
        "gateway_ip": "10.0.0.254"}}), 409, "GatewayIpInUse")


def test_openstacksdk_creates_a_subnet_with_host_routes(mimic):
    conn = openstack.connect(
        auth_url=mimic.base_url + "/identity/v2.0", username="subnet-user",
        password="secret", project_name="subnet-project", identity_api_version="2",
        region_name="ORD")
    try:
        network = conn.network.create_network(name="routed")
        subnet = conn.network.create_subnet(
            network_id=network.id, cidr="10.50.0.7/24", ip_version=4,
            allocation_pools=[{"start": "10.50.0.10", "end": "10.50.0.200"}],
            host_routes=[{"destination": "0.0.0.0/0", "nexthop": "10.50.0.254"}])
        assert subnet.cidr == "10.50.0.0/24"
        assert subnet.host_routes == [{"destination": "0.0.0.0/0", "nexthop": "10.50.0.254"}]
        updated = conn.network.update_subnet(subnet, gateway_ip="10.50.0.253")
        assert updated.gateway_ip == "10.50.0.253"
    finally:
        conn.close()


def test_network_mtu_is_set_and_bounded(neutron):
    # Neutron's net-mtu-writable: an MTU up to the physical network's
    # (global_physnet_mtu, 1500 by default), at least IPv4's 68.
    network = neutron.ok("POST", "/networks", 201, json={"network": {"mtu": 1400}})["network"]
    assert network["mtu"] == 1400
    changed = neutron.ok("PUT", f"/networks/{network['id']}", json={"network": {
        "mtu": 1450}})["network"]
    assert changed["mtu"] == 1450
    for bad in (9000, 10, "big"):
        assert_neutron_error(neutron.put(f"/networks/{network['id']}", json={"network": {
            "mtu": bad}}), 400)
    assert_neutron_error(neutron.post("/networks", json={"network": {"mtu": 9000}}), 400,
                         "InvalidInput")
    assert neutron.ok("GET", f"/networks/{network['id']}")["network"]["mtu"] == 1450
    assert neutron.ok("POST", "/networks", 201, json={"network": {}})["network"]["mtu"] == 1500
