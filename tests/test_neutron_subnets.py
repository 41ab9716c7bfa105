"""
Subnet details as Neutron has them: CIDRs with host bits (neutron-lib's
``validate_subnet`` takes ``10.0.0.5/24``; Neutron stores the network,
``10.0.0.0/24``), ``host_routes`` and ``service_types`` kept and changed,
and ``gateway_ip`` moved with ``PUT`` (outside the subnet's pool, and not
while a router interface holds it: ``GatewayIpInUse``). A gateway outside
the CIDR is Neutron's to take (neutron/ipam/utils.py
``check_gateway_invalid_in_subnet``: "If gateway is out of subnet, there is
no way to check"), an IPv4 subnet's network or broadcast address is not
(neutron/db/db_base_plugin_v2.py ``_validate_subnet``: "Gateway is not
valid on subnet"), nor one of the other IP version.
"""

from __future__ import annotations

import openstack
import pytest
from openstack import exceptions as sdk_exceptions

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
    for bad, code, kind in (("10.0.0.0", 400, "InvalidInput"),
                            ("10.0.0.255", 400, "InvalidInput"),
                            ("fd00::1", 400, "InvalidInput"),
                            ("10.0.0.15", 409, "GatewayConflictWithAllocationPools"),
                            ("nonsense", 400, "HTTPBadRequest")):
        assert_neutron_error(neutron.put(f"/subnets/{subnet['id']}", json={"subnet": {
            "gateway_ip": bad}}), code, kind)
    assert neutron.ok("GET", f"/subnets/{subnet['id']}")["subnet"]["gateway_ip"] == \
        "10.0.0.254"
    none = neutron.ok("PUT", f"/subnets/{subnet['id']}", json={"subnet": {
        "gateway_ip": None}})["subnet"]
    assert none["gateway_ip"] is None


def test_openstacksdk_sets_a_gateway_outside_the_subnet_and_unsets_it(mimic):
    # What OSC's test_subnet_set_show_unset does: `subnet set --no-dhcp
    # --gateway 10.10.11.1` on a random /26, then `subnet unset --gateway`.
    conn = openstack.connect(
        auth_url=mimic.base_url + "/identity/v2.0", username="gateway-user",
        password="secret", project_name="gateway-project", identity_api_version="2",
        region_name="ORD")
    try:
        network = conn.network.create_network(name="gw")
        subnet = conn.network.create_subnet(network_id=network.id, cidr="172.16.5.0/26",
                                            ip_version=4, description="aaaa")
        conn.network.update_subnet(subnet.id, name="gw-2", description="bbbb",
                                   is_dhcp_enabled=False, gateway_ip="10.10.11.1")
        shown = conn.network.get_subnet(subnet.id)
        assert (shown.name, shown.description, shown.is_dhcp_enabled, shown.gateway_ip) == (
            "gw-2", "bbbb", False, "10.10.11.1")
        conn.network.update_subnet(subnet.id, gateway_ip=None)
        assert conn.network.get_subnet(subnet.id).gateway_ip is None
        # A router interface takes the gateway address, which must be the subnet's.
        conn.network.update_subnet(subnet.id, gateway_ip="10.10.11.1")
        router = conn.network.create_router(name="gw-router")
        with pytest.raises(sdk_exceptions.BadRequestException, match="not a valid IP"):
            conn.network.add_interface_to_router(router, subnet_id=subnet.id)
        assert conn.network.get_router(router.id).revision_number == router.revision_number
    finally:
        conn.close()


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
