"""Misbehaviour on demand: metadata presets on create, and the control API's behaviors."""

from __future__ import annotations

import json

import pytest

from tests.nova_support import error_of, nova, nova_for  # noqa: F401


def test_presets_are_listed(mimic):
    presets = mimic.get("/mimic/v1.0/presets").json()["nova"]
    assert set(presets["metadata"]) == {
        "server_building", "server_error", "create_server_failure", "delete_server_failure"}
    assert presets["invalid_image_refs"] and presets["invalid_flavor_refs"]


@pytest.mark.parametrize("seconds", [120, "120"])
def test_server_stays_building_until_clock_reaches_preset(nova, mimic, seconds):
    server_id = nova.create_id(metadata={"server_building": seconds})
    server = nova.server(server_id)
    assert server["status"] == "BUILD"
    assert server["OS-EXT-STS:vm_state"] == "building"
    assert server["progress"] == 0
    mimic.tick(119.5)
    assert nova.status(server_id) == "BUILD"
    mimic.tick(0.5)
    server = nova.server(server_id)
    assert server["status"] == "ACTIVE"
    assert server["updated"] == "1970-01-01T00:02:00Z"


def test_server_error_preset_makes_an_error_server(nova):
    server_id = nova.create_id(metadata={"server_error": "1"})
    server = nova.server(server_id)
    assert server["status"] == "ERROR"
    assert server["OS-EXT-STS:vm_state"] == "error"
    assert server["fault"]["code"] == 500


@pytest.mark.parametrize("spec", [
    {"message": "Out of capacity", "code": 503},
    json.dumps({"message": "Out of capacity", "code": "503"}),
])
def test_create_server_failure_preset_fails_and_creates_nothing(nova, spec):
    response = nova.post("servers", json={"server": {
        "name": "x", "imageRef": "a1b2c3d4-0001-4e6f-8a9b-0c1d2e3f4a01", "flavorRef": "2",
        "metadata": {"create_server_failure": spec}}})
    assert error_of(response, 503, "serviceUnavailable") == "Out of capacity"
    assert nova.get("servers").json()["servers"] == []


def test_delete_server_failure_fails_times_then_succeeds(nova):
    server_id = nova.create_id(metadata={"delete_server_failure": {"code": 500, "times": 2}})
    for _ in range(2):
        error_of(nova.delete(f"servers/{server_id}"), 500, "computeFault")
        assert nova.status(server_id) == "ACTIVE"
    assert nova.delete(f"servers/{server_id}").status_code == 204
    error_of(nova.get(f"servers/{server_id}"), 404, "itemNotFound")


@pytest.mark.parametrize("metadata", [
    {"server_building": "soon"},
    {"server_building": -5},
    {"create_server_failure": "not json"},
    {"create_server_failure": {"code": 200}},
    {"delete_server_failure": {"times": "many"}},
])
def test_malformed_presets_are_bad_requests_and_create_nothing(nova, metadata):
    nova.create(metadata=metadata, expect=400)
    assert nova.get("servers").json()["servers"] == []


# The control API.

def test_control_api_has_its_own_catalog_type(mimic):
    access = mimic.authenticate("someone", "pw", "990001")
    types = [service["type"] for service in access["serviceCatalog"]]
    assert types.count("compute") == 1
    assert "compute:control" in types
    compute = next(s for s in access["serviceCatalog"] if s["type"] == "compute")
    assert compute["name"] == "cloudServersOpenStack"
    assert {e["region"] for e in compute["endpoints"]} >= {"ORD", "DFW", "IAD", "LON"}
    ord_url = next(e["publicURL"] for e in compute["endpoints"] if e["region"] == "ORD")
    assert ord_url.endswith("/mimicking/nova/ORD/v2/990001")


def test_fail_behavior_fails_matching_creates_only(nova):
    nova.behave("creation", {"name": "fail",
                             "parameters": {"code": 500, "message": "Nope"},
                             "criteria": [{"server_name": "fail-.*"}]})
    response = nova.post("servers", json={"server": {
        "name": "fail-1", "imageRef": "a1b2c3d4-0001-4e6f-8a9b-0c1d2e3f4a01", "flavorRef": "2"}})
    assert error_of(response, 500, "computeFault") == "Nope"
    nova.create_id("ok-1")
    assert [s["name"] for s in nova.get("servers").json()["servers"]] == ["ok-1"]


def test_fail_behavior_with_explicit_type(nova):
    nova.behave("creation", {"name": "fail",
                             "parameters": {"code": 413, "message": "Quota", "type": "overLimit"}})
    assert error_of(nova.post("servers", json={"server": {
        "name": "x", "imageRef": "a1b2c3d4-0001-4e6f-8a9b-0c1d2e3f4a01", "flavorRef": "2"}}),
        413, "overLimit") == "Quota"


def test_false_negative_fails_but_creates(nova):
    nova.behave("creation", {"name": "false-negative",
                             "parameters": {"code": 500, "message": "Oops"}})
    nova.create("ghost", expect=500)
    servers = nova.get("servers/detail").json()["servers"]
    assert [s["name"] for s in servers] == ["ghost"]
    assert servers[0]["status"] == "ACTIVE"


def test_build_behavior_keeps_matching_servers_building(nova, mimic):
    nova.behave("creation", {"name": "build", "parameters": {"duration": 30},
                             "criteria": [{"metadata": {"env": "slow"}}]})
    slow = nova.create_id("a", metadata={"env": "slow"})
    fast = nova.create_id("b", metadata={"env": "fast"})
    assert nova.status(slow) == "BUILD" and nova.status(fast) == "ACTIVE"
    mimic.tick(30)
    assert nova.status(slow) == "ACTIVE"


def test_error_behavior(nova):
    nova.behave("creation", {"name": "error"})
    assert nova.status(nova.create_id()) == "ERROR"


def test_active_then_error_behavior(nova, mimic):
    nova.behave("creation", {"name": "active-then-error", "parameters": {"duration": 10}})
    server_id = nova.create_id()
    assert nova.status(server_id) == "ACTIVE"
    mimic.tick(10)
    assert nova.status(server_id) == "ERROR"


def test_sequence_behavior_plays_in_order_then_keeps_the_last(nova):
    nova.behave("creation", {"name": "sequence", "parameters": {"behaviors": [
        {"name": "fail", "parameters": {"code": 503, "message": "busy"}},
        {"name": "error"},
        {"name": "default"},
    ]}})
    nova.create("one", expect=503)
    assert nova.status(nova.create_id("two")) == "ERROR"
    assert nova.status(nova.create_id("three")) == "ACTIVE"
    assert nova.status(nova.create_id("four")) == "ACTIVE"


def test_behaviors_are_listed_and_deleted(nova, mimic):
    behavior_id = nova.behave("creation", {"name": "error",
                                           "criteria": [{"server_name": "x"}]})
    listing = mimic.get(f"{nova.control}/behaviors/creation").json()
    assert [b["id"] for b in listing["behaviors"]] == [behavior_id]
    assert listing["behaviors"][0]["criteria"] == [{"server_name": "x"}]
    assert "active-then-error" in listing["supported"]["behaviors"]
    assert mimic.delete(f"{nova.control}/behaviors/creation/{behavior_id}").status_code == 204
    assert mimic.get(f"{nova.control}/behaviors/creation").json()["behaviors"] == []
    assert nova.status(nova.create_id("x")) == "ACTIVE"
    error_of(mimic.delete(f"{nova.control}/behaviors/creation/{behavior_id}"),
             404, "itemNotFound")


def test_behaviors_are_per_tenant(nova, mimic):
    nova.behave("creation", {"name": "error"})
    other = nova_for(mimic, "990002")
    assert other.status(other.create_id()) == "ACTIVE"


@pytest.mark.parametrize("body", [
    {"name": "explode"},
    {"parameters": {}},
    {"name": "build", "parameters": {"duration": "long"}},
    {"name": "fail", "parameters": {"code": 200}},
    {"name": "error", "criteria": [{"colour": "red"}]},
    {"name": "error", "criteria": [{"server_name": "("}]},
    {"name": "error", "criteria": [{"metadata": "x"}]},
    {"name": "sequence", "parameters": {"behaviors": []}},
])
def test_invalid_behaviors_are_refused(nova, mimic, body):
    error_of(mimic.post(f"{nova.control}/behaviors/creation", json=body), 400, "badRequest")
    assert mimic.get(f"{nova.control}/behaviors/creation").json()["behaviors"] == []


def test_unknown_event_is_not_found(nova, mimic):
    error_of(mimic.post(f"{nova.control}/behaviors/explosion", json={"name": "default"}),
             404, "itemNotFound")


def test_deletion_fail_behavior(nova, mimic):
    nova.behave("deletion", {"name": "fail", "parameters": {"code": 409, "message": "busy"},
                             "criteria": [{"server_name": "sticky"}]})
    sticky = nova.create_id("sticky")
    assert error_of(nova.delete(f"servers/{sticky}"), 409, "conflictingRequest") == "busy"
    assert nova.delete(f"servers/{nova.create_id('loose')}").status_code == 204
    assert nova.status(sticky) == "ACTIVE"


def test_attributes_set_server_status_directly(nova, mimic):
    first, second = nova.create_id("a"), nova.create_id("b")
    response = mimic.post(f"{nova.control}/attributes",
                          json={"status": {first: "ERROR", second: "SHUTOFF"}})
    assert response.status_code == 201
    assert nova.status(first) == "ERROR" and nova.status(second) == "SHUTOFF"


def test_attributes_with_a_bad_entry_change_nothing(nova, mimic):
    server_id = nova.create_id()
    error_of(mimic.post(f"{nova.control}/attributes",
                        json={"status": {server_id: "ERROR", "nope": "ERROR"}}),
             404, "itemNotFound")
    error_of(mimic.post(f"{nova.control}/attributes",
                        json={"status": {server_id: "MELTED"}}), 400, "badRequest")
    error_of(mimic.post(f"{nova.control}/attributes", json={"colour": {}}), 400, "badRequest")
    assert nova.status(server_id) == "ACTIVE"
