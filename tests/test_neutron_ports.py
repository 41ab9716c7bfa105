"""
Neutron's ports over real sockets: addresses, MAC and default security
group on create, requested fixed IPs, lists by device and network,
updates that keep, add and release addresses, and bad, taken or malformed
requests refused in Neutron's words with nothing made.
"""

from __future__ import annotations

import pytest

from tests.neutron_support import (  # noqa: F401
    PRIVATE,
    PUBLIC,
    assert_neutron_error,
    neutron,
)


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
