"""
Nova's network proxy APIs (security groups and their rules, floating IPs
and pools, networks) at microversion 2.1: answers validated against
tempest.lib's schemas, state shared with Neutron, refusals as Nova's code
words them (github:openstack/nova nova/network/security_group_api.py,
nova/api/openstack/compute/security_groups.py, floating_ips.py,
networks.py). From 2.36 on they are 404s: see
``test_proxy_apis_are_404_from_2_36`` in tests/test_nova_microversions.py.
"""

from __future__ import annotations

from tests.nova_schemas import assert_schema, floating_ips, security_groups
from tests.nova_support import error_of, nova  # noqa: F401


def create_group(nova, name="web", description="web servers"):
    response = nova.post("os-security-groups", json={"security_group": {
        "name": name, "description": description}})
    return assert_schema(security_groups.create_security_group, response)["security_group"]


def test_security_groups_list_shows_neutrons_groups_with_ingress_rules_only(nova):
    groups = assert_schema(security_groups.list_security_groups,
                           nova.get("os-security-groups"))["security_groups"]
    (default,) = groups
    assert default["name"] == "default"
    # Neutron's default group: egress to anywhere (not shown: Nova's format
    # has no direction) and ingress from the group itself.
    assert [(r["group"]["name"], r["ip_range"], r["ip_protocol"]) for r in default["rules"]] \
        == [("default", {}, None), ("default", {}, None)]


def test_a_group_made_through_nova_is_neutrons_and_servers_can_join_it(nova):
    group = create_group(nova)
    assert group["rules"] == [] and group["description"] == "web servers"
    neutron = nova.neutron("GET", f"security-groups/{group['id']}", expect=200)
    assert neutron["security_group"]["name"] == "web"
    server_id = nova.create_id(security_groups=[{"name": "web"}])
    assert nova.server(server_id)["security_groups"] == [{"name": "web"}]
    shown = assert_schema(security_groups.get_security_group,
                          nova.get(f"os-security-groups/{group['id']}"))
    assert shown["security_group"]["id"] == group["id"]


def test_groups_list_sorted_by_tenant_and_name(nova):
    create_group(nova, "zeta")
    create_group(nova, "alpha")
    names = [g["name"] for g in nova.get("os-security-groups").json()["security_groups"]]
    assert names == ["alpha", "default", "zeta"]


def test_update_and_delete_security_group(nova):
    group = create_group(nova)
    response = nova.put(f"os-security-groups/{group['id']}", json={"security_group": {
        "name": "www", "description": "renamed"}})
    assert assert_schema(security_groups.update_security_group,
                         response)["security_group"]["name"] == "www"
    assert_schema(security_groups.delete_security_group,
                  nova.delete(f"os-security-groups/{group['id']}"))
    assert nova.neutron("GET", f"security-groups/{group['id']}", expect=404)


def test_security_group_refusals(nova):
    assert error_of(nova.get("os-security-groups/nope"), 400, "badRequest") == \
        "Security group id should be uuid"
    error_of(nova.get("os-security-groups/aaaaaaaa-0000-4000-8000-000000000000"),
             404, "itemNotFound")
    error_of(nova.post("os-security-groups", json={"security_group": {"name": "x"}}),
             400, "badRequest")
    # A second "default" is Neutron's 409, which Nova reports as a quota 403.
    error_of(nova.post("os-security-groups", json={"security_group": {
        "name": "default", "description": ""}}), 403, "forbidden")
    group = create_group(nova)
    nova.create_id(security_groups=[{"name": "web"}])
    # In use: Neutron's 409, Nova's Invalid (400).
    error_of(nova.delete(f"os-security-groups/{group['id']}"), 400, "badRequest")


def test_rules_from_cidr_and_from_group(nova):
    group = create_group(nova)
    response = nova.post("os-security-group-rules", json={"security_group_rule": {
        "parent_group_id": group["id"], "ip_protocol": "tcp", "from_port": 22,
        "to_port": 22, "cidr": "10.0.0.0/8"}})
    rule = assert_schema(security_groups.create_security_group_rule,
                         response)["security_group_rule"]
    assert (rule["ip_protocol"], rule["from_port"], rule["to_port"], rule["ip_range"],
            rule["group"]) == ("tcp", 22, 22, {"cidr": "10.0.0.0/8"}, {})
    neutron_rule = nova.neutron("GET", f"security-group-rules/{rule['id']}",
                                expect=200)["security_group_rule"]
    assert (neutron_rule["direction"], neutron_rule["port_range_min"],
            neutron_rule["remote_ip_prefix"]) == ("ingress", 22, "10.0.0.0/8")
    # From a group with no ports: everything of that protocol.
    response = nova.post("os-security-group-rules", json={"security_group_rule": {
        "parent_group_id": group["id"], "ip_protocol": "udp", "group_id": group["id"]}})
    rule = assert_schema(security_groups.create_security_group_rule,
                         response)["security_group_rule"]
    assert (rule["from_port"], rule["to_port"], rule["group"]["name"]) == (1, 65535, "web")
    shown = nova.get(f"os-security-groups/{group['id']}").json()["security_group"]
    assert len(shown["rules"]) == 2


def test_icmp_rule_without_ports_reads_back_as_minus_one(nova):
    group = create_group(nova)
    response = nova.post("os-security-group-rules", json={"security_group_rule": {
        "parent_group_id": group["id"], "ip_protocol": "icmp", "from_port": -1,
        "to_port": -1}})
    rule = assert_schema(security_groups.create_security_group_rule,
                         response)["security_group_rule"]
    assert (rule["from_port"], rule["to_port"], rule["ip_range"]) == \
        (-1, -1, {"cidr": "0.0.0.0/0"})


def test_rule_refusals_are_novas(nova):
    group = create_group(nova)

    def refused(code, kind, **rule):
        body = {"security_group_rule": {"parent_group_id": group["id"], **rule}}
        return error_of(nova.post("os-security-group-rules", json=body), code, kind)

    assert refused(400, "badRequest", ip_protocol="tcp", from_port=30, to_port=20) == \
        "Invalid port range 30:20. Former value cannot be greater than the later"
    assert refused(400, "badRequest", ip_protocol="tcp", from_port=0, to_port=20) == \
        "Invalid port range 0:20. Valid TCP ports should be between 1-65535"
    assert refused(400, "badRequest", ip_protocol="gre", from_port=1, to_port=2) == \
        "Invalid IP protocol gre."
    assert refused(400, "badRequest", ip_protocol="tcp", from_port="a", to_port=2) == \
        "Invalid input received: To and From ports must be integers"
    assert refused(400, "badRequest", cidr="10.0.0.0/8") == \
        "Not enough parameters to build a valid rule."
    assert refused(400, "badRequest", ip_protocol="tcp", from_port=1, to_port=2,
                   cidr="not-a-cidr") == "not-a-cidr is not a valid IP network."
    nova.post("os-security-group-rules", json={"security_group_rule": {
        "parent_group_id": group["id"], "ip_protocol": "tcp", "from_port": 80,
        "to_port": 80}})
    assert refused(400, "badRequest", ip_protocol="tcp", from_port=80, to_port=80) == \
        f"This rule already exists in group {group['id']}"
    error_of(nova.post("os-security-group-rules", json={"security_group_rule": {
        "parent_group_id": "aaaaaaaa-0000-4000-8000-000000000000"}}), 404, "itemNotFound")
    shown = nova.get(f"os-security-groups/{group['id']}").json()["security_group"]
    assert len(shown["rules"]) == 1


def test_delete_rule(nova):
    group = create_group(nova)
    rule = nova.post("os-security-group-rules", json={"security_group_rule": {
        "parent_group_id": group["id"], "ip_protocol": "tcp", "from_port": 80,
        "to_port": 80}}).json()["security_group_rule"]
    assert_schema(security_groups.delete_security_group_rule,
                  nova.delete(f"os-security-group-rules/{rule['id']}"))
    error_of(nova.delete(f"os-security-group-rules/{rule['id']}"), 404, "itemNotFound")
    assert nova.get(f"os-security-groups/{group['id']}").json()["security_group"][
        "rules"] == []


def test_floating_ips_allocate_show_associate_and_release(nova):
    response = nova.post("os-floating-ips", json={"pool": "public"})
    fip = assert_schema(floating_ips.create_get_floating_ip, response)["floating_ip"]
    assert (fip["pool"], fip["instance_id"], fip["fixed_ip"]) == ("public", None, None)
    assert nova.neutron("GET", f"floatingips/{fip['id']}", expect=200)
    server_id = nova.create_id()
    assert nova.action(server_id, {"addFloatingIp": {"address": fip["ip"]}}).status_code \
        == 202
    shown = assert_schema(floating_ips.create_get_floating_ip,
                          nova.get(f"os-floating-ips/{fip['id']}"))["floating_ip"]
    assert shown["instance_id"] == server_id and shown["fixed_ip"]
    listed = assert_schema(floating_ips.list_floating_ips, nova.get("os-floating-ips"))
    assert [f["id"] for f in listed["floating_ips"]] == [fip["id"]]
    assert nova.delete(f"os-floating-ips/{fip['id']}").status_code == 202
    assert nova.get("os-floating-ips").json()["floating_ips"] == []
    error_of(nova.get(f"os-floating-ips/{fip['id']}"), 404, "itemNotFound")


def test_floating_ip_without_body_comes_from_the_first_pool(nova):
    response = nova.post("os-floating-ips")
    assert assert_schema(floating_ips.create_get_floating_ip,
                         response)["floating_ip"]["pool"] == "public"


def test_floating_ip_from_unknown_pool_is_novas_404(nova):
    assert error_of(nova.post("os-floating-ips", json={"pool": "nova"}),
                    404, "itemNotFound") == "Floating IP pool not found."
    assert nova.get("os-floating-ips").json()["floating_ips"] == []


def test_floating_ip_pools_are_the_external_networks(nova):
    body = nova.get("os-floating-ip-pools").json()
    assert body == {"floating_ip_pools": [{"name": "public"}]}


def test_networks_list_neutrons_networks_as_nova_shows_them(nova):
    made = nova.neutron("POST", "networks", json={"network": {"name": "mine"}})["network"]
    networks = nova.get("os-networks").json()["networks"]
    assert sorted(n["label"] for n in networks) == ["mine", "private", "public"]
    # Nova has only the id and the label (name) from Neutron; the rest is null.
    mine = nova.get(f"os-networks/{made['id']}").json()["network"]
    assert mine == {"id": made["id"], "label": "mine", "cidr": None, "netmask": None,
                    "gateway": None, "broadcast": None, "dns1": None, "dns2": None,
                    "cidr_v6": None, "gateway_v6": None, "netmask_v6": None}
    assert error_of(nova.get("os-networks/nope"), 404, "itemNotFound") == \
        "Network not found"
