"""
``os-server-groups`` over HTTP, checked against tempest.lib's schemas at
each boundary (2.13 owner fields, 2.15 soft policies, 2.64 ``policy`` and
``rules``), and servers joining groups through the ``group`` scheduler hint.

Nova's rules relied on (github:openstack/nova,
nova/api/openstack/compute/server_groups.py and schemas/server_groups.py):
create answers 200; one policy; ``max_server_per_host`` only with
``anti-affinity``; a deleted group's servers remain; 2.71 shows a server's
groups; an unknown group hint is a 400.
"""

from __future__ import annotations

import openstack

from tests.nova_schemas import schema_at
from tests.nova_schemas import assert_schema
from tests.nova_support import TENANT, UBUNTU, error_of, microversion, nova  # noqa: F401


def at(version):
    return {"headers": microversion(version)}


def make_group(nova, version, **fields):
    return nova.post("os-server-groups", json={"server_group": {"name": "g", **fields}},
                     **at(version))


def test_before_2_64_a_group_has_policies_and_from_2_13_its_owner(nova):
    made = assert_schema(schema_at("2.1", "server_groups", "create_show_server_group"),
                         make_group(nova, "2.1", policies=["affinity"]))["server_group"]
    assert made["policies"] == ["affinity"] and made["members"] == []
    assert "project_id" not in made
    shown = assert_schema(schema_at("2.13", "server_groups", "create_show_server_group"),
                          nova.get(f"os-server-groups/{made['id']}", **at("2.13")))
    assert shown["server_group"]["project_id"] == TENANT
    listed = assert_schema(schema_at("2.13", "server_groups", "list_server_groups"),
                           nova.get("os-server-groups", **at("2.13")))
    assert [g["id"] for g in listed["server_groups"]] == [made["id"]]
    assert_schema(schema_at("2.13", "server_groups", "delete_server_group"),
                  nova.delete(f"os-server-groups/{made['id']}"))
    error_of(nova.get(f"os-server-groups/{made['id']}"), 404, "itemNotFound")


def test_2_15_soft_policies(nova):
    error_of(make_group(nova, "2.14", policies=["soft-affinity"]), 400, "badRequest")
    assert make_group(nova, "2.15", policies=["soft-affinity"]).status_code == 200


def test_2_64_policy_and_rules_replace_policies(nova):
    error_of(make_group(nova, "2.64", policies=["affinity"]), 400, "badRequest")
    error_of(make_group(nova, "2.63", policy="affinity"), 400, "badRequest")
    made = assert_schema(
        schema_at("2.64", "server_groups", "create_show_server_group"),
        make_group(nova, "2.64", policy="anti-affinity",
                   rules={"max_server_per_host": 2}))["server_group"]
    assert made["policy"] == "anti-affinity" and made["rules"] == {"max_server_per_host": 2}
    assert "policies" not in made and "metadata" not in made
    error_of(make_group(nova, "2.64", policy="affinity", rules={"max_server_per_host": 2}),
             400, "badRequest")
    error_of(make_group(nova, "2.64", policy="anti-affinity",
                        rules={"max_server_per_host": 0}), 400, "badRequest")


def test_bad_group_requests_are_400s_and_change_nothing(nova):
    for body in ({"policies": ["affinity", "anti-affinity"]}, {"policies": ["nearby"]},
                 {"policies": ["affinity"], "colour": "red"}, {"policies": []},
                 {"name": "", "policies": ["affinity"]}):
        error_of(make_group(nova, "2.1", **body), 400, "badRequest")
    assert nova.get("os-server-groups").json()["server_groups"] == []


def test_the_group_hint_puts_servers_in_the_group_by_policy(nova):
    anti = make_group(nova, "2.64", policy="anti-affinity").json()["server_group"]["id"]
    near = make_group(nova, "2.64", policy="affinity").json()["server_group"]["id"]
    hints = {"os:scheduler_hints": {"group": anti}}
    apart = [nova.post("servers", json={"server": {
        "name": f"a{n}", "imageRef": UBUNTU, "flavorRef": "2"}, **hints}).json()[
        "server"]["id"] for n in range(2)]
    together = [nova.post("servers", json={"server": {
        "name": f"n{n}", "imageRef": UBUNTU, "flavorRef": "2"},
        "os:scheduler_hints": {"group": near}}).json()["server"]["id"] for n in range(2)]
    members = nova.get(f"os-server-groups/{anti}").json()["server_group"]["members"]
    assert members == apart
    hosts = [nova.server(s)["hostId"] for s in apart]
    assert hosts[0] != hosts[1]
    assert len({nova.server(s)["hostId"] for s in together}) == 1
    shown = nova.get(f"servers/{apart[0]}", **at("2.71")).json()["server"]
    assert shown["server_groups"] == [anti]
    assert nova.get(f"servers/{together[0]}", **at("2.70")).json()["server"].get(
        "server_groups") is None
    assert nova.delete(f"servers/{apart[0]}").status_code == 204
    members = nova.get(f"os-server-groups/{anti}").json()["server_group"]["members"]
    assert members == apart[1:]
    assert nova.delete(f"os-server-groups/{anti}").status_code == 204
    assert nova.get(f"servers/{apart[1]}", **at("2.71")).json()["server"][
        "server_groups"] == []


def test_an_unknown_group_hint_is_a_400_and_makes_no_server(nova):
    response = nova.post("servers", json={"server": {
        "name": "x", "imageRef": UBUNTU, "flavorRef": "2"},
        "os:scheduler_hints": {"group": "00000000-0000-4000-8000-000000000000"}})
    error_of(response, 400, "badRequest")
    assert nova.get("servers").json()["servers"] == []


def test_a_full_group_refuses_with_nova_quota_words(nova):
    group = make_group(nova, "2.1", policies=["affinity"]).json()["server_group"]["id"]
    body = {"server": {"name": "x", "imageRef": UBUNTU, "flavorRef": "2", "max_count": 10},
            "os:scheduler_hints": {"group": group}}
    assert nova.post("servers", json=body).status_code == 202
    body["server"]["max_count"] = 1
    message = error_of(nova.post("servers", json=body), 403, "forbidden")
    assert "too many servers in group" in message
    assert len(nova.get("servers").json()["servers"]) == 10


def test_openstacksdk_creates_and_lists_server_groups(mimic):
    conn = openstack.connect(auth_url=f"{mimic.base_url}/identity/v2.0",
                             username="sdk-user", password="secret", project_id=TENANT,
                             region_name="ORD", identity_api_version="2")
    group = conn.compute.create_server_group(name="sdk", policy="anti-affinity")
    assert group.policy == "anti-affinity"
    assert [g.id for g in conn.compute.server_groups()] == [group.id]
    conn.compute.delete_server_group(group)
    assert list(conn.compute.server_groups()) == []
    conn.close()
