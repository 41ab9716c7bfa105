"""
The request journal (``GET/DELETE /mimic/v1.1/requests``), health
(``GET /mimic/v1.1/health``) and reset with a scope.
"""

from __future__ import annotations

import time

import pytest

from tests.clb_support import clb_for
from tests.nova_support import nova_for


def listed(mimic, **filters):
    response = mimic.get("/mimic/v1.1/requests", params=filters)
    assert response.status_code == 200, response.text
    return response.json()


def entries(mimic, **filters):
    return listed(mimic, **filters)["requests"]


def bad_filter(mimic, **filters):
    response = mimic.get("/mimic/v1.1/requests", params=filters)
    assert response.status_code == 400, response.text
    return response.json()["badRequest"]["message"]


# the journal


def test_journal_lists_what_was_asked_and_answered_newest_last(mimic):
    mimic.delete("/mimic/v1.1/requests")
    nova = nova_for(mimic, "550001")
    created = nova.create("journaled")
    nova.get("servers/no-such-server")
    found = entries(mimic)
    assert [(e["method"], e["api"], e["status"]) for e in found] == [
        ("POST", "identity", 200), ("POST", "nova", 202), ("GET", "nova", 404)]
    create = found[1]
    assert create["path"].endswith("/v2/550001/servers")
    assert create["tenant"] == "550001"
    assert create["clock_time"] == "1970-01-01T00:00:00.000000Z"
    assert create["duration_ms"] >= 0 and create["real_time"] > 1.6e9
    assert '"journaled"' in create["request_body"]
    assert created["server"]["id"] in create["response_body"]
    assert [e["id"] for e in found] == sorted(e["id"] for e in found)


def test_journal_records_the_clock_time_of_each_request(mimic):
    mimic.delete("/mimic/v1.1/requests")
    mimic.tick(90)
    nova = nova_for(mimic, "550002")
    nova.get("servers")
    assert entries(mimic, api="nova")[-1]["clock_time"] == "1970-01-01T00:01:30.000000Z"


def test_tokens_passwords_and_keys_are_masked(mimic):
    mimic.delete("/mimic/v1.1/requests")
    access = mimic.authenticate("masked", "hunter2")
    token = access["token"]["id"]
    mimic.post("/identity/v2.0/tokens", json={"auth": {"RAX-KSKEY:apiKeyCredentials": {
        "username": "masked", "apiKey": "s3cr3t-key"}}})
    mimic.get("/identity/v2.0/tenants", headers={"X-Auth-Token": token})
    mimic.get("/fastly/service", headers={"Fastly-Key": "fastly-secret"})
    mimic.post("/fastly/service", headers={"Fastly-Key": "fastly-secret"},
               data={"name": "s", "password": "form-secret"})
    text = str(entries(mimic))
    for secret in ("hunter2", "s3cr3t-key", "fastly-secret", "form-secret"):
        assert secret not in text
    found = entries(mimic)
    assert '"password":"***"' in found[0]["request_body"]
    assert found[2]["request_headers"]["x-auth-token"] == "***"
    assert found[3]["request_headers"]["fastly-key"] == "***"


def test_bodies_are_cut_at_the_configured_size(mimic_factory):
    server = mimic_factory("--journal-body-bytes", "64")
    client = server.client()
    client.authenticate("cut")
    entry = entries(client)[0]
    assert len(entry["response_body"].encode()) == 64
    assert len(entry["request_body"].encode()) <= 64


def test_filters_by_method_path_api_tenant_and_status(mimic):
    mimic.delete("/mimic/v1.1/requests")
    nova_a = nova_for(mimic, "550010")
    nova_b = nova_for(mimic, "550011")
    nova_a.create("a")
    nova_b.create("b")
    nova_b.get("servers/missing")
    clb = clb_for(mimic, "550012")
    mimic.get(f"{clb.url}/loadbalancers")
    assert [e["tenant"] for e in entries(mimic, api="nova")] == ["550010", "550011", "550011"]
    assert len(entries(mimic, method="post", api="nova")) == 2
    assert len(entries(mimic, tenant="550011")) == 2
    assert [e["status"] for e in entries(mimic, status="4xx")] == [404]
    assert [e["status"] for e in entries(mimic, status="202")] == [202, 202]
    assert [e["api"] for e in entries(mimic, path="/loadbalancers$")] == ["clb"]
    assert entries(mimic, api="glance") == []


def test_since_and_limit_page_through_the_journal(mimic):
    mimic.delete("/mimic/v1.1/requests")
    for amount in range(5):
        mimic.get("/identity/v2.0")
    ids = [e["id"] for e in entries(mimic)]
    assert len(ids) == 5
    assert [e["id"] for e in entries(mimic, since=ids[1])] == ids[2:]
    assert [e["id"] for e in entries(mimic, since=ids[0], limit=2)] == ids[1:3]
    assert [e["id"] for e in entries(mimic, limit=2)] == ids[3:]


def test_control_plane_requests_are_listed_only_when_asked(mimic):
    mimic.delete("/mimic/v1.1/requests")
    mimic.tick(1)
    assert entries(mimic) == []
    control = entries(mimic, include="control")
    # The DELETE is recorded once it is answered, after the journal emptied.
    assert [(e["method"], e["path"]) for e in control[:3]] == [
        ("DELETE", "/mimic/v1.1/requests"), ("POST", "/mimic/v1.1/tick"),
        ("GET", "/mimic/v1.1/requests")]
    assert {e["api"] for e in control} == {"control"}


def test_delete_empties_the_journal_and_ids_keep_counting(mimic):
    mimic.get("/identity/v2.0")
    last = entries(mimic)[-1]["id"]
    response = mimic.delete("/mimic/v1.1/requests")
    assert response.status_code == 200 and response.json()["deleted"] >= 1
    assert entries(mimic) == []
    mimic.get("/identity/v2.0")
    assert entries(mimic)[0]["id"] > last


def test_the_journal_is_a_ring_of_journal_size(mimic_factory):
    server = mimic_factory("--journal-size", "3")
    client = server.client()
    for _ in range(5):
        client.get("/identity/v2.0")
    body = listed(client)
    assert [e["id"] for e in body["requests"]] == [3, 4, 5]
    assert (body["size"], body["capacity"]) == (3, 3)


def test_journal_size_0_turns_it_off(mimic_factory):
    client = mimic_factory("--journal-size", "0").client()
    client.authenticate()
    assert listed(client)["requests"] == []
    assert client.get("/mimic/v1.1/health").json()["journal"] == {"size": 0, "capacity": 0}


@pytest.mark.parametrize("filters", [
    {"status": "6xx"}, {"status": "20"}, {"since": "-1"}, {"limit": "0"},
    {"limit": "x"}, {"path": "("}, {"path": "a" * 300}, {"include": "everything"},
    {"colour": "red"},
])
def test_bad_filters_are_400(mimic, filters):
    assert bad_filter(mimic, **filters)


def test_a_catastrophic_path_regex_answers_at_once(mimic):
    # A pattern that backtracks exponentially in Python's re is linear in
    # RE2: the single-threaded reactor is not held.
    mimic.get("/identity/v2.0/" + "a" * 2000 + "!")
    started = time.monotonic()
    assert entries(mimic, path="^/identity/v2.0/(a|aa)+$") == []
    assert time.monotonic() - started < 5


def test_a_pattern_re2_does_not_take_is_400(mimic):
    # Backreferences need backtracking; RE2 refuses them.
    assert "regex" in bad_filter(mimic, path=r"(a)\1")


def test_the_journal_survives_reset(mimic):
    mimic.authenticate("before-reset")
    mimic.reset()
    assert entries(mimic, api="identity")[-1]["method"] == "POST"


# health


def test_health_says_what_a_ci_wait_loop_needs(mimic):
    mimic.tick(5)
    health = mimic.get("/mimic/v1.1/health").json()
    assert health["status"] == "ok"
    assert {"nova", "clb", "fastly", "neutron", "glance"} <= set(health["plugins"])
    assert health["regions"]["nova"][0] == "ORD"
    assert health["clock"] == {"now": "1970-01-01T00:00:05.000000Z", "realtime": False}
    assert health["state_file"] is None
    assert health["journal"]["capacity"] == 10_000
    assert isinstance(health["version"], str)


# reset with a scope


def test_reset_of_one_tenant_forgets_its_data_in_every_api(mimic):
    nova_a, nova_b = nova_for(mimic, "560001"), nova_for(mimic, "560002")
    nova_a.create("a")
    nova_b.create("b")
    clb_a = clb_for(mimic, "560001")
    clb_a.create()
    response = mimic.post("/mimic/v1.1/reset", json={"tenant": "560001"})
    assert response.status_code == 200, response.text
    assert nova_a.get("servers").json() == {"servers": []}
    assert mimic.get(f"{clb_a.url}/loadbalancers").json() == {"loadBalancers": []}
    assert [s["name"] for s in nova_b.get("servers").json()["servers"]] == ["b"]
    # Its users and tokens stay: the same token still works.
    assert nova_a.get("servers").status_code == 200


def test_reset_of_one_api_forgets_it_in_every_tenant(mimic):
    nova_a, nova_b = nova_for(mimic, "560011"), nova_for(mimic, "560012")
    nova_a.create("a")
    nova_b.create("b")
    clb = clb_for(mimic, "560011")
    clb.create()
    behavior = nova_a.behave("creation", {"name": "fail", "parameters": {"code": 500}})
    assert behavior
    assert mimic.post("/mimic/v1.1/reset", json={"api": "nova"}).status_code == 200
    assert nova_a.get("servers").json() == {"servers": []}
    assert nova_b.get("servers").json() == {"servers": []}
    assert len(mimic.get(f"{clb.url}/loadbalancers").json()["loadBalancers"]) == 1
    # Nova's behaviors went with Nova's state: creating works again.
    nova_a.create("after")


def test_reset_with_an_unknown_scope_is_400_and_forgets_nothing(mimic):
    nova = nova_for(mimic, "560021")
    nova.create("kept")
    for body in ({"region": "ORD"}, {"api": "no-such-api"}, {"api": 3},
                 {"tenant": "1", "api": "nova"}):
        response = mimic.post("/mimic/v1.1/reset", json=body)
        assert response.status_code == 400, (body, response.text)
    assert mimic.post("/mimic/v1.1/reset", json={"tenant": "never-seen"}).status_code == 404
    assert len(nova.get("servers").json()["servers"]) == 1


def test_reset_without_a_body_still_forgets_everything(mimic):
    nova = nova_for(mimic, "560031")
    nova.create("gone")
    assert mimic.post("/mimic/v1.1/reset").json()["reset"] is True
    assert mimic.post("/mimic/v1.1/reset", json={}).json()["reset"] is True
