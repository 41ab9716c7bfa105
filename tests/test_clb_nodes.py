"""
Nodes of a load balancer: list, add, get, update, delete, bulk delete, the
25-node limit, duplicates, immutable address and port, and node metadata.
"""

from __future__ import annotations

import pytest

from tests.clb_support import assert_fault, clb  # noqa: F401


def node(address: str, port: int = 80, **extra) -> dict:
    return {"address": address, "port": port, "condition": "ENABLED", **extra}


def test_add_nodes_answers_202_with_their_ids(clb):
    lb = clb.create()
    response = clb.mimic.post(clb.lb_url(lb["id"], "/nodes"), json={"nodes": [
        node("10.2.2.2", 8080, type="SECONDARY", weight=5),
        node("db.example.com", 3306, condition="DRAINING")]})
    assert response.status_code == 202
    added = response.json()["nodes"]
    assert [n["address"] for n in added] == ["10.2.2.2", "db.example.com"]
    assert all(isinstance(n["id"], int) for n in added)
    assert (added[0]["type"], added[0]["weight"]) == ("SECONDARY", 5)
    assert added[1]["condition"] == "DRAINING"
    listed = clb.mimic.get(clb.lb_url(lb["id"], "/nodes")).json()["nodes"]
    assert [n["id"] for n in listed] == [lb["nodes"][0]["id"]] + [n["id"] for n in added]


def test_get_one_node(clb):
    lb = clb.create()
    node_id = lb["nodes"][0]["id"]
    response = clb.mimic.get(clb.lb_url(lb["id"], f"/nodes/{node_id}"))
    assert response.status_code == 200
    assert response.json()["node"] == lb["nodes"][0]
    missing = assert_fault(clb.mimic.get(clb.lb_url(lb["id"], "/nodes/77")), 404)
    assert missing["message"] == "Node not found."


def test_duplicate_of_an_existing_node_is_413(clb):
    lb = clb.create()
    response = clb.mimic.post(clb.lb_url(lb["id"], "/nodes"),
                              json={"nodes": [node("10.1.1.1", 80)]})
    assert_fault(response, 413, "Duplicate nodes detected")
    assert len(clb.get(lb["id"])["nodes"]) == 1


def test_duplicate_within_one_request_is_400(clb):
    lb = clb.create()
    response = clb.mimic.post(clb.lb_url(lb["id"], "/nodes"),
                              json={"nodes": [node("10.3.3.3"), node("10.3.3.3")]})
    assert_fault(response, 400, "Duplicate nodes detected")
    assert len(clb.get(lb["id"])["nodes"]) == 1


def test_the_26th_node_is_over_the_limit(clb):
    lb = clb.create()
    more = [node(f"10.5.0.{i}") for i in range(24)]
    assert clb.mimic.post(clb.lb_url(lb["id"], "/nodes"),
                          json={"nodes": more}).status_code == 202
    response = clb.mimic.post(clb.lb_url(lb["id"], "/nodes"),
                              json={"nodes": [node("10.6.0.1")]})
    assert_fault(response, 413, "Nodes must not exceed 25")
    assert len(clb.get(lb["id"])["nodes"]) == 25


@pytest.mark.parametrize("body, expected", [
    ({"nodes": []}, "At least one node"),
    ({"nodes": [{"address": "10.0.0.1", "port": 80}]}, "condition must be one of"),
    ({"nodes": [node("10.0.0.1", 0)]}, "port must be an integer from 1 to 65535"),
    ({"nodes": [node("10.0.0.1", type="TERTIARY")]}, "type must be one of"),
    ({"nodes": [node("10.0.0.1", colour="red")]}, "unsupported attributes"),
    ({"node": node("10.0.0.1")}, "'nodes'"),
])
def test_invalid_nodes_are_refused_and_add_nothing(clb, body, expected):
    lb = clb.create()
    response = clb.mimic.post(clb.lb_url(lb["id"], "/nodes"), json=body)
    assert_fault(response, 400, expected)
    assert len(clb.get(lb["id"])["nodes"]) == 1


def test_update_node_condition_weight_and_type(clb):
    lb = clb.create()
    node_url = clb.lb_url(lb["id"], f"/nodes/{lb['nodes'][0]['id']}")
    response = clb.mimic.put(node_url, json={"node": {
        "condition": "DISABLED", "weight": 42, "type": "SECONDARY"}})
    assert response.status_code == 202
    updated = clb.mimic.get(node_url).json()["node"]
    assert (updated["condition"], updated["weight"], updated["type"]) == (
        "DISABLED", 42, "SECONDARY")


@pytest.mark.parametrize("changes, expected", [
    ({"address": "10.9.9.9"}, "address is immutable"),
    ({"port": 81}, "port is immutable"),
    ({"condition": "OFF"}, "condition must be one of"),
    ({"weight": 0}, "weight must be an integer from 1 to 100"),
    ({}, "At least one of"),
])
def test_node_address_and_port_are_immutable(clb, changes, expected):
    lb = clb.create()
    node_url = clb.lb_url(lb["id"], f"/nodes/{lb['nodes'][0]['id']}")
    assert_fault(clb.mimic.put(node_url, json={"node": changes}), 400, expected)
    assert clb.mimic.get(node_url).json()["node"] == lb["nodes"][0]


def test_delete_one_node(clb):
    lb = clb.create()
    node_id = lb["nodes"][0]["id"]
    response = clb.mimic.delete(clb.lb_url(lb["id"], f"/nodes/{node_id}"))
    assert response.status_code == 202
    assert clb.get(lb["id"])["nodes"] == []
    assert_fault(clb.mimic.delete(clb.lb_url(lb["id"], f"/nodes/{node_id}")), 404,
                 "Node not found")


def test_bulk_delete_nodes_up_to_ten(clb):
    lb = clb.create(nodes=[node(f"10.7.0.{i}") for i in range(12)])
    ids = [n["id"] for n in lb["nodes"]]
    too_many = clb.mimic.delete(clb.lb_url(lb["id"], "/nodes"),
                                params=[("id", i) for i in ids[:11]])
    assert_fault(too_many, 400, "more than 10")
    assert len(clb.get(lb["id"])["nodes"]) == 12
    unknown = clb.mimic.delete(clb.lb_url(lb["id"], "/nodes"),
                               params=[("id", ids[0]), ("id", 5)])
    assert_fault(unknown, 400, "5")
    assert_fault(clb.mimic.delete(clb.lb_url(lb["id"], "/nodes")), 400, "one or more id")
    response = clb.mimic.delete(clb.lb_url(lb["id"], "/nodes"),
                                params=[("id", i) for i in ids[:10]])
    assert response.status_code == 202
    assert [n["id"] for n in clb.get(lb["id"])["nodes"]] == ids[10:]


def test_node_metadata_crud(clb):
    lb = clb.create()
    meta_url = clb.lb_url(lb["id"], f"/nodes/{lb['nodes'][0]['id']}/metadata")
    added = clb.mimic.post(meta_url, json={"metadata": [{"key": "role", "value": "web"}]})
    assert added.status_code == 200
    item = added.json()["metadata"][0]
    assert clb.mimic.get(meta_url).json()["metadata"] == [item]
    assert clb.mimic.put(f"{meta_url}/{item['id']}",
                         json={"meta": {"value": "db"}}).status_code == 200
    assert clb.mimic.get(f"{meta_url}/{item['id']}").json()["meta"]["value"] == "db"
    assert clb.mimic.delete(f"{meta_url}/{item['id']}").status_code == 200
    assert clb.mimic.get(meta_url).json()["metadata"] == []
