"""
Port security and stateless security groups as Neutron enforces them
(``neutron/db/portsecurity_db_common.py`` and the ML2 plugin's checks, the
``port-security`` and ``stateful-security-group`` extensions): a network's
``port_security_enabled`` is its ports' default; a port without port
security takes no groups (400 ``PortSecurityAndIPRequiredForSecurityGroups``
when a request names some, 409 ``PortSecurityPortHasSecurityGroup`` when
turning it off while groups remain); a port's groups are all stateful or all
stateless (409 ``SecurityGroupConflict``, ``_validate_sgs_for_port``); a
group its ports use cannot change ``stateful`` (409 ``SecurityGroupInUse``).
"""

from __future__ import annotations

import openstack

from tests.neutron_support import PRIVATE, assert_neutron_error, neutron  # noqa: F401


def test_network_port_security_is_its_ports_default(neutron):
    network = neutron.ok("POST", "/networks", 201, json={"network": {
        "port_security_enabled": False}})["network"]
    assert network["port_security_enabled"] is False
    neutron.ok("POST", "/subnets", 201, json={"subnet": {
        "network_id": network["id"], "cidr": "10.60.0.0/24"}})
    port = neutron.ok("POST", "/ports", 201, json={"port": {
        "network_id": network["id"]}})["port"]
    assert port["port_security_enabled"] is False and port["security_groups"] == []
    secured = neutron.ok("POST", "/ports", 201, json={"port": {
        "network_id": network["id"], "port_security_enabled": True}})["port"]
    assert secured["port_security_enabled"] is True and len(secured["security_groups"]) == 1
    changed = neutron.ok("PUT", f"/networks/{network['id']}", json={"network": {
        "port_security_enabled": True}})["network"]
    assert changed["port_security_enabled"] is True


def test_a_port_without_port_security_takes_no_groups(neutron):
    group = neutron.ok("GET", "/security-groups")["security_groups"][0]
    response = neutron.post("/ports", json={"port": {
        "network_id": PRIVATE, "port_security_enabled": False,
        "security_groups": [group["id"]]}})
    assert_neutron_error(response, 400, "PortSecurityAndIPRequiredForSecurityGroups")
    port = neutron.ok("POST", "/ports", 201, json={"port": {"network_id": PRIVATE}})["port"]
    assert_neutron_error(neutron.put(f"/ports/{port['id']}", json={"port": {
        "port_security_enabled": False}}), 409, "PortSecurityPortHasSecurityGroup")
    assert neutron.ok("GET", f"/ports/{port['id']}")["port"] == port
    off = neutron.ok("PUT", f"/ports/{port['id']}", json={"port": {
        "port_security_enabled": False, "security_groups": []}})["port"]
    assert off["port_security_enabled"] is False and off["security_groups"] == []
    assert_neutron_error(neutron.put(f"/ports/{port['id']}", json={"port": {
        "security_groups": [group["id"]]}}), 400, "PortSecurityAndIPRequiredForSecurityGroups")


def test_stateful_and_stateless_groups_do_not_mix_on_a_port(neutron):
    stateless = neutron.ok("POST", "/security-groups", 201, json={"security_group": {
        "name": "fast", "stateful": False}})["security_group"]
    assert stateless["stateful"] is False
    default = next(g for g in neutron.ok("GET", "/security-groups")["security_groups"]
                   if g["name"] == "default")
    assert_neutron_error(neutron.post("/ports", json={"port": {
        "network_id": PRIVATE, "security_groups": [default["id"], stateless["id"]]}}),
        409, "SecurityGroupConflict")
    port = neutron.ok("POST", "/ports", 201, json={"port": {
        "network_id": PRIVATE, "security_groups": [stateless["id"]]}})["port"]
    assert_neutron_error(neutron.put(f"/security-groups/{stateless['id']}", json={
        "security_group": {"stateful": True}}), 409, "SecurityGroupInUse")
    neutron.ok("DELETE", f"/ports/{port['id']}", 204)
    flipped = neutron.ok("PUT", f"/security-groups/{stateless['id']}", json={
        "security_group": {"stateful": True}})["security_group"]
    assert flipped["stateful"] is True


def test_openstacksdk_creates_a_stateless_group_and_an_unsecured_port(mimic):
    conn = openstack.connect(
        auth_url=mimic.base_url + "/identity/v2.0", username="psec-user", password="secret",
        project_name="psec-project", identity_api_version="2", region_name="ORD")
    try:
        group = conn.network.create_security_group(name="stateless", stateful=False)
        assert group.stateful is False
        port = conn.network.create_port(network_id=PRIVATE, port_security_enabled=False)
        assert port.is_port_security_enabled is False and port.security_group_ids == []
    finally:
        conn.close()
