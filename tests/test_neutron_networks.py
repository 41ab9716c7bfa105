"""
Neutron's networks and subnets over real sockets: the ``public`` and
``private`` networks every tenant has, the networks and subnets a tenant
makes, changes and deletes, and the bad subnets refused in Neutron's words
with nothing made.
"""

from __future__ import annotations

import pytest

from tests.neutron_support import (  # noqa: F401
    PRIVATE,
    PUBLIC,
    assert_neutron_error,
    neutron,
)


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
