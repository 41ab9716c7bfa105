"""
Neutron's floating IPs over real sockets: made on the public network,
associated with a port and disassociated, made on a port and freed with
it, on a named subnet, and the errors Neutron answers.
"""

from __future__ import annotations

from tests.neutron_support import (  # noqa: F401
    PRIVATE,
    PUBLIC,
    assert_neutron_error,
    neutron,
)


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
