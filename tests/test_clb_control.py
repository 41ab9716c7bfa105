"""
The CLB control API (catalog type ``rax:load-balancer:control``): forcing
a load balancer's status and a node's health, and creation/deletion
behaviors through the shared behavior registry. Also checks the plugins
honour Mimic's plugin contract.
"""

from __future__ import annotations

from zope.interface.verify import verifyObject

from mimic.imimic import IAPIMock, IPresetProvider
from mimic.plugins.clb_plugin import clb_api, clb_control_api
from tests.clb_support import assert_fault, clb, clb_for  # noqa: F401


def test_plugins_provide_the_plugin_contract():
    assert verifyObject(IAPIMock, clb_api)
    assert verifyObject(IPresetProvider, clb_api)
    assert verifyObject(IAPIMock, clb_control_api)
    assert (clb_api.name, clb_control_api.name) == ("clb", "clb-control")


def test_control_endpoint_is_in_the_catalog(clb):
    assert clb.control.endswith(
        "/mimicking/clb-control/ORD/v1.0/123456")


def test_set_load_balancer_status(clb):
    lb = clb.create()
    response = clb.mimic.put(f"{clb.control}/loadbalancers/{lb['id']}/status",
                             json={"status": "ERROR"})
    assert response.status_code == 200
    assert response.json() == {"loadBalancer": {"id": lb["id"], "status": "ERROR"}}
    assert clb.status(lb["id"]) == "ERROR"
    assert_fault(clb.mimic.put(clb.lb_url(lb["id"]), json={"loadBalancer": {
        "name": "x"}}), 422, "ERROR")
    clb.mimic.put(f"{clb.control}/loadbalancers/{lb['id']}/status",
                  json={"status": "PENDING_UPDATE"})
    clb.mimic.tick(86400)
    assert clb.status(lb["id"]) == "PENDING_UPDATE"
    clb.mimic.put(f"{clb.control}/loadbalancers/{lb['id']}/status",
                  json={"status": "ACTIVE"})
    assert clb.mimic.put(clb.lb_url(lb["id"]), json={"loadBalancer": {
        "name": "x"}}).status_code == 202


def test_set_status_refuses_unknown_statuses_and_load_balancers(clb):
    lb = clb.create()
    assert_fault(clb.mimic.put(f"{clb.control}/loadbalancers/{lb['id']}/status",
                               json={"status": "ON_FIRE"}), 400, "status must be one of")
    assert_fault(clb.mimic.put(f"{clb.control}/loadbalancers/{lb['id']}/status",
                               json={}), 400, "'status' is required")
    assert_fault(clb.mimic.put(f"{clb.control}/loadbalancers/5/status",
                               json={"status": "ERROR"}), 404)
    assert clb.status(lb["id"]) == "ACTIVE"


def test_set_node_status_offline_and_online(clb):
    lb = clb.create()
    node_id = lb["nodes"][0]["id"]
    url = f"{clb.control}/loadbalancers/{lb['id']}/nodes/{node_id}/status"
    response = clb.mimic.put(url, json={"status": "OFFLINE"})
    assert response.status_code == 200
    assert response.json()["node"]["status"] == "OFFLINE"
    assert clb.get(lb["id"])["nodes"][0]["status"] == "OFFLINE"
    clb.mimic.put(url, json={"status": "ONLINE"})
    assert clb.get(lb["id"])["nodes"][0]["status"] == "ONLINE"
    assert_fault(clb.mimic.put(url, json={"status": "DEGRADED"}), 400, "ONLINE, OFFLINE")
    assert_fault(clb.mimic.put(
        f"{clb.control}/loadbalancers/{lb['id']}/nodes/1/status",
        json={"status": "OFFLINE"}), 404, "Node not found")


def test_creation_failure_behavior_matching_a_name(clb):
    url = f"{clb.control}/behaviors/creation"
    registered = clb.mimic.post(url, json={
        "name": "fail", "parameters": {"code": 503, "message": "No capacity"},
        "criteria": [{"loadbalancer_name": "fail-.*"}]})
    assert registered.status_code == 201
    behavior_id = registered.json()["id"]
    response = clb.mimic.post(f"{clb.url}/loadbalancers", json={"loadBalancer": {
        "name": "fail-1", "protocol": "HTTP", "virtualIps": [{"type": "PUBLIC"}]}})
    body = assert_fault(response, 503)
    assert body["message"] == "No capacity"
    assert clb.mimic.get(f"{clb.url}/loadbalancers").json()["loadBalancers"] == []
    assert clb.create(name="ok-1")["status"] == "BUILD"
    listing = clb.mimic.get(url).json()
    assert [b["id"] for b in listing["behaviors"]] == [behavior_id]
    assert "fail" in listing["supported"]["behaviors"]
    assert clb.mimic.delete(f"{url}/{behavior_id}").status_code == 204
    assert clb.create(name="fail-2")["name"] == "fail-2"
    assert_fault(clb.mimic.delete(f"{url}/{behavior_id}"), 404)


def test_creation_behaviors_error_and_building_match_metadata(clb):
    url = f"{clb.control}/behaviors/creation"
    clb.mimic.post(url, json={"name": "error", "criteria": [
        {"metadata": {"kind": "broken"}}]})
    clb.mimic.post(url, json={"name": "building", "parameters": {"duration": "45"},
                              "criteria": [{"metadata": {"kind": "slow"}}]})
    broken = clb.create(metadata=[{"key": "kind", "value": "broken"}])
    assert broken["status"] == "ERROR"
    slow = clb.create(metadata=[{"key": "kind", "value": "slow"}])
    clb.mimic.tick(44)
    assert clb.status(slow["id"]) == "BUILD"
    clb.mimic.tick(1)
    assert clb.status(slow["id"]) == "ACTIVE"
    assert clb.status(broken["id"]) == "ERROR"


def test_deletion_behaviors_fail_once_then_pend(clb):
    lb = clb.create()
    url = f"{clb.control}/behaviors/deletion"
    clb.mimic.post(url, json={"name": "sequence", "parameters": {"behaviors": [
        {"name": "fail", "parameters": {"code": 500, "message": "try again"}},
        {"name": "pending", "parameters": {"duration": 10}}]},
        "criteria": [{"loadbalancer_id": str(lb["id"])}]})
    assert_fault(clb.mimic.delete(clb.lb_url(lb["id"])), 500, "try again")
    assert clb.status(lb["id"]) == "ACTIVE"
    assert clb.mimic.delete(clb.lb_url(lb["id"])).status_code == 202
    assert clb.status(lb["id"]) == "PENDING_DELETE"
    clb.mimic.tick(10)
    assert clb.status(lb["id"]) == "DELETED"


def test_behaviors_belong_to_one_tenant(clb):
    clb.mimic.post(f"{clb.control}/behaviors/creation", json={"name": "error"})
    assert clb.create()["status"] == "ERROR"
    assert clb_for(clb.mimic, "other-tenant").create()["status"] == "BUILD"


def test_invalid_behaviors_are_refused_in_clb_shape(clb):
    url = f"{clb.control}/behaviors/creation"
    assert_fault(clb.mimic.post(url, json={"name": "explode"}), 400, "unknown behavior")
    assert_fault(clb.mimic.post(url, json={"name": "fail", "parameters": {"code": 200}}),
                 400, "code")
    assert_fault(clb.mimic.post(url, json={"name": "error", "criteria": [
        {"server_name": "x"}]}), 400, "unknown criterion")
    assert_fault(clb.mimic.post(url, json={"name": "building", "parameters": {}}),
                 400, "duration")
    assert_fault(clb.mimic.post(f"{clb.control}/behaviors/rename", json={
        "name": "fail"}), 404, "no behavior event")
    assert clb.mimic.get(url).json()["behaviors"] == []
