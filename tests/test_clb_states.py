"""
Load balancer statuses on Mimic's clock: BUILD -> ACTIVE, PENDING_UPDATE
after each change, PENDING_DELETE -> DELETED, ERROR; the metadata presets
that stretch them; 422 for changes while not ACTIVE, 410 for node changes on
a deleted load balancer, and deleted load balancers vanishing after 90
clock-minutes.
"""

from __future__ import annotations

import pytest

from tests.clb_support import assert_fault, clb, lb_body  # noqa: F401

NODE = {"address": "10.4.4.4", "port": 80, "condition": "ENABLED"}


def preset(key: str, value) -> list:
    return [{"key": key, "value": value}]


def test_default_build_is_over_by_the_next_read(clb):
    lb = clb.create()
    assert lb["status"] == "BUILD"
    assert clb.status(lb["id"]) == "ACTIVE"


@pytest.mark.parametrize("value", [30, "30", 30.0, " 30 "])
def test_lb_building_keeps_build_until_the_clock_reaches_it(clb, value):
    lb = clb.create(metadata=preset("lb_building", value))
    assert lb["status"] == "BUILD"
    clb.mimic.tick(29.5)
    assert clb.status(lb["id"]) == "BUILD"
    clb.mimic.tick(0.5)
    details = clb.get(lb["id"])
    assert details["status"] == "ACTIVE"
    assert details["updated"]["time"] == "1970-01-01T00:00:30Z"


def test_changes_while_building_are_422_immutable(clb):
    lb = clb.create(metadata=preset("lb_building", 10))
    lb_id = lb["id"]
    refusals = [
        clb.mimic.put(clb.lb_url(lb_id), json={"loadBalancer": {"name": "x"}}),
        clb.mimic.post(clb.lb_url(lb_id, "/nodes"), json={"nodes": [NODE]}),
        clb.mimic.put(clb.lb_url(lb_id, f"/nodes/{lb['nodes'][0]['id']}"),
                      json={"node": {"condition": "DISABLED"}}),
        clb.mimic.delete(clb.lb_url(lb_id)),
    ]
    for response in refusals:
        body = assert_fault(response, 422)
        assert body["message"] == (
            f"Load Balancer '{lb_id}' has a status of 'BUILD' and is considered immutable.")
    clb.mimic.tick(10)
    details = clb.get(lb_id)
    assert details["name"] == lb["name"] and len(details["nodes"]) == 1


def test_seed_example_pending_update_on_every_node_change(clb):
    """The README's example: 20 s of PENDING_UPDATE after adding or deleting nodes."""
    response = clb.mimic.post(f"{clb.url}/loadbalancers", json={"loadBalancer": {
        "name": "a-new-loadbalancer2", "protocol": "HTTP",
        "virtualIps": [{"type": "PUBLIC"}],
        "metadata": [{"key": "lb_pending_update", "value": 20}], "nodes": []}})
    assert response.status_code == 202
    lb_id = response.json()["loadBalancer"]["id"]
    assert clb.status(lb_id) == "ACTIVE"
    added = clb.mimic.post(clb.lb_url(lb_id, "/nodes"), json={"nodes": [NODE]})
    assert added.status_code == 202
    assert clb.status(lb_id) == "PENDING_UPDATE"
    assert_fault(clb.mimic.post(clb.lb_url(lb_id, "/nodes"), json={"nodes": [
        {**NODE, "port": 81}]}), 422, "PENDING_UPDATE")
    clb.mimic.tick(19)
    assert clb.status(lb_id) == "PENDING_UPDATE"
    clb.mimic.tick(1)
    assert clb.status(lb_id) == "ACTIVE"
    node_id = added.json()["nodes"][0]["id"]
    assert clb.mimic.delete(clb.lb_url(lb_id, f"/nodes/{node_id}")).status_code == 202
    assert clb.status(lb_id) == "PENDING_UPDATE"
    clb.mimic.tick(20)
    assert clb.status(lb_id) == "ACTIVE"
    assert clb.get(lb_id)["nodes"] == []


def test_update_puts_the_load_balancer_in_pending_update(clb):
    lb = clb.create(metadata=preset("lb_pending_update", "5"))
    response = clb.mimic.put(clb.lb_url(lb["id"]), json={"loadBalancer": {"name": "new"}})
    assert response.status_code == 202
    details = clb.get(lb["id"])
    assert (details["status"], details["name"]) == ("PENDING_UPDATE", "new")
    clb.mimic.tick(5)
    assert clb.status(lb["id"]) == "ACTIVE"


def test_lb_pending_delete_then_deleted(clb):
    lb = clb.create(metadata=preset("lb_pending_delete", 15))
    assert clb.mimic.delete(clb.lb_url(lb["id"])).status_code == 202
    assert clb.status(lb["id"]) == "PENDING_DELETE"
    assert_fault(clb.mimic.delete(clb.lb_url(lb["id"])), 422, "PENDING_DELETE")
    clb.mimic.tick(15)
    assert clb.status(lb["id"]) == "DELETED"


def test_deleted_load_balancer_is_visible_for_90_minutes_then_404(clb):
    lb = clb.create(metadata=preset("lb_pending_delete", 60))
    clb.mimic.delete(clb.lb_url(lb["id"]))
    clb.mimic.tick(60)
    listed = clb.mimic.get(f"{clb.url}/loadbalancers").json()["loadBalancers"]
    assert [(x["id"], x["status"]) for x in listed] == [(lb["id"], "DELETED")]
    clb.mimic.tick(90 * 60 - 1)
    assert clb.status(lb["id"]) == "DELETED"
    clb.mimic.tick(1)
    assert_fault(clb.mimic.get(clb.lb_url(lb["id"])), 404, "Load balancer not found")
    assert clb.mimic.get(f"{clb.url}/loadbalancers").json() == {"loadBalancers": []}


def test_changes_to_a_deleted_load_balancer(clb):
    lb = clb.create()
    node_id = lb["nodes"][0]["id"]
    clb.mimic.delete(clb.lb_url(lb["id"]))
    assert clb.status(lb["id"]) == "DELETED"
    for response in (
        clb.mimic.post(clb.lb_url(lb["id"], "/nodes"), json={"nodes": [NODE]}),
        clb.mimic.put(clb.lb_url(lb["id"], f"/nodes/{node_id}"),
                      json={"node": {"weight": 3}}),
        clb.mimic.delete(clb.lb_url(lb["id"], f"/nodes/{node_id}")),
        clb.mimic.delete(clb.lb_url(lb["id"], "/nodes"), params={"id": node_id}),
    ):
        assert_fault(response, 410, "deleted")
    assert_fault(clb.mimic.put(clb.lb_url(lb["id"]), json={"loadBalancer": {
        "name": "zombie"}}), 422, "DELETED")
    assert_fault(clb.mimic.delete(clb.lb_url(lb["id"])), 422, "DELETED")
    assert_fault(clb.mimic.put(clb.lb_url(lb["id"], "/healthmonitor"), json={
        "healthMonitor": {"type": "CONNECT", "delay": 1, "timeout": 1,
                          "attemptsBeforeDeactivation": 1}}), 422, "DELETED")
    nodes = clb.mimic.get(clb.lb_url(lb["id"], "/nodes"))
    assert nodes.status_code == 200 and len(nodes.json()["nodes"]) == 1


@pytest.mark.parametrize("value", ["true", "yes", 1])
def test_lb_error_state_is_error_from_creation(clb, value):
    lb = clb.create(metadata=preset("lb_error_state", value))
    assert lb["status"] == "ERROR"
    clb.mimic.tick(3600)
    assert clb.status(lb["id"]) == "ERROR"
    assert_fault(clb.mimic.post(clb.lb_url(lb["id"], "/nodes"), json={"nodes": [NODE]}),
                 422, "ERROR")
    assert clb.mimic.delete(clb.lb_url(lb["id"])).status_code == 202
    assert clb.status(lb["id"]) == "DELETED"


def test_negative_preset_is_a_validation_fault(clb):
    response = clb.mimic.post(f"{clb.url}/loadbalancers", json=lb_body(
        metadata=preset("lb_pending_update", -1)))
    assert_fault(response, 400, "lb_pending_update")


def test_presets_are_listed(mimic):
    presets = mimic.get("/mimic/v1.0/presets").json()["clb"]["metadata"]
    assert set(presets) == {"lb_building", "lb_pending_update", "lb_pending_delete",
                            "lb_error_state"}


def test_reset_forgets_load_balancers(clb):
    lb = clb.create()
    clb.mimic.reset()
    assert_fault(clb.mimic.get(clb.lb_url(lb["id"])), 404)
