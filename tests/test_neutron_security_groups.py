"""
Neutron's security groups and their rules over real sockets: the default
group and its rules, groups and rules made, listed, shown, changed and
deleted, and bad rules refused with Neutron's messages and nothing made.
"""

from __future__ import annotations

import pytest

from tests.neutron_support import (  # noqa: F401
    PRIVATE,
    assert_neutron_error,
    neutron,
)


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
