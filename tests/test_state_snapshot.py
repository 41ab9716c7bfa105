"""
Snapshots: ``GET /mimic/v1.1/state`` is one JSON document of everything a
Mimic holds, and ``PUT`` of it into a fresh process makes every listing
and show of every API answer byte-identically.
"""

from __future__ import annotations

import json

import pytest

from tests.state_support import TENANT, get_routes, make_state, walk


def snapshot_of(mimic):
    response = mimic.get("/mimic/v1.1/state")
    assert response.status_code == 200, response.text
    return response.json()


def put_state(mimic, document, expect=200):
    response = mimic.put("/mimic/v1.1/state", data=json.dumps(document).encode())
    assert response.status_code == expect, response.text[:500]
    return response.json()


def test_every_route_of_every_plugin_answers_the_same_after_restoring_in_a_fresh_process(
        mimic, mimic_factory):
    scenario = make_state(mimic)
    host = mimic.base_url.split("//", 1)[1]
    before = walk(mimic, scenario, host)
    document = snapshot_of(mimic)

    fresh = mimic_factory().client()
    put_state(fresh, document)
    after = walk(fresh, scenario, host)
    assert before.keys() == after.keys()
    differing = [url for url in before if before[url] != after[url]]
    assert differing == [], [(url, before[url], after[url]) for url in differing[:3]]
    # The walk saw real content, not only 404s: most routes found something.
    found = [url for url, answer in before.items() if answer[0] == 200]
    assert len(found) > len(before) // 2, len(found)
    # The restored process holds the same document, and goes on the same way.
    assert snapshot_of(fresh) == snapshot_of(mimic)
    body = {"server": {"name": "after", "imageRef": scenario.values["image_id"][0],
                       "flavorRef": "2"}}
    url = f"/mimicking/nova/ORD/v2/{TENANT}/servers"
    headers = {"X-Auth-Token": scenario.token, "Host": host}
    assert fresh.post(url, json=body, headers=headers).json() == \
        mimic.post(url, json=body, headers=headers).json()
    # The mesh times its calls on the real clock, so its answers are not
    # byte-identical; the ids it draws go on the same way.
    calls = [client.get("/mesh/front/", headers={"Host": host}).json()
             for client in (mimic, fresh)]
    assert [(c["trace_id"], c["span_id"], c["code"]) for c in calls[:1]] == \
        [(c["trace_id"], c["span_id"], c["code"]) for c in calls[1:]]


def test_the_walk_covers_every_plugins_routes():
    prefixes = {prefix.split("/")[2] if prefix.startswith("/mimicking") else prefix
                for prefix, _ in get_routes()}
    assert {"nova", "neutron", "glance", "clb", "fastly", "/identity",
            "/identity/v3"} <= prefixes


def test_snapshot_names_format_clock_and_what_it_captured(mimic):
    mimic.tick(42)
    document = snapshot_of(mimic)
    assert document["format"] == "mimic-state/1"
    assert document["clock"] == {"now": 42.0, "realtime": False}
    assert {"identity", "nova", "neutron", "glance", "clb", "fastly", "mesh"} <= set(
        document["captured"])
    assert document["not_captured"] == {"plugins": [], "keys": []}


def test_restore_sets_the_clock_and_replaces_all_state(mimic):
    mimic.tick(100)
    saved = snapshot_of(mimic)
    mimic.tick(50)
    token = mimic.authenticate("made-after")["token"]["id"]
    put_state(mimic, saved)
    assert mimic.tick(0)["now"] == "1970-01-01T00:01:40.000000Z"
    # The user made after the snapshot is gone: its token no longer validates.
    assert mimic.get(f"/identity/v2.0/tokens/{token}").status_code == 404


@pytest.mark.parametrize("document", [
    [], "state", {}, {"format": "mimic-state/0", "clock": {"now": 0}, "store": {}},
    {"format": "mimic-state/1", "clock": {"now": -1}, "store": {}},
    {"format": "mimic-state/1", "clock": {"now": 0}, "store": {"$list": []}},
    {"format": "mimic-state/1", "clock": {"now": 0}, "store": {"$obj": "os:system"}},
    {"format": "mimic-state/1", "clock": {"now": 0},
     "store": {"$obj": "mimic.model.identity:SessionStore", "fields": {"x": {"$ref": 9}}}},
    {"format": "mimic-state/1", "clock": {"now": 0}, "store": {"$mystery": 1}},
])
def test_a_malformed_or_unknown_document_is_400_and_changes_nothing(mimic, document):
    mimic.tick(7)
    access = mimic.authenticate("keeps")
    response = mimic.put("/mimic/v1.1/state", data=json.dumps(document).encode())
    assert response.status_code == 400, response.text
    assert "badRequest" in response.json()
    assert mimic.tick(0)["now"] == "1970-01-01T00:00:07.000000Z"
    token = access["token"]["id"]
    assert mimic.get(f"/identity/v2.0/tokens/{token}").status_code == 200


def test_a_document_that_is_not_json_is_400(mimic):
    response = mimic.put("/mimic/v1.1/state", data=b"{not json")
    assert response.status_code == 400


COUNTER_PLUGIN = '''
from zope.interface import implementer
from klein import Klein
from mimic.imimic import IAPIMock


class Counter:
    app = Klein()

    def __init__(self, store):
        self.store = store

    @app.route("/<tenant>/count", methods=["POST"])
    def count(self, request, tenant):
        counts = self.store.tenant(tenant).data_for_api("counter", dict)
        counts["n"] = counts.get("n", 0) + 1
        return str(counts["n"]).encode()


@implementer(IAPIMock)
class CounterApi:
    name = "counter"

    def catalog_entries(self, tenant_id, regions):
        return []

    def resource_for_region(self, region, uri_prefix, session_store):
        return Counter(session_store).app.resource()


counter = CounterApi()
'''


def test_a_third_party_plugin_without_the_interface_is_reported_not_captured(
        mimic_factory, tmp_path):
    from tests.test_plugins import plugin_dir

    server = mimic_factory(env={"PYTHONPATH": plugin_dir(tmp_path, COUNTER_PLUGIN)})
    client = server.client()
    assert client.post("/mimicking/counter/ORD/t1/count").text == "1"
    document = snapshot_of(client)
    assert document["not_captured"] == {
        "plugins": ["counter"], "keys": [{"where": "tenant t1", "key": "'counter'"}]}
    assert "counter" not in document["captured"]
    # Restoring leaves its state out rather than failing.
    put_state(client, document)
    assert client.post("/mimicking/counter/ORD/t1/count").text == "1"


def test_every_shipped_plugin_takes_part_in_snapshots_and_the_site_layer():
    from zope.interface.verify import verifyObject

    from mimic.core import load_api_plugins
    from mimic.imimic import IStatefulAPI, IWireConventions

    for api in load_api_plugins():
        assert verifyObject(IStatefulAPI, api), api.name
        assert verifyObject(IWireConventions, api), api.name


def test_a_state_document_larger_than_the_body_limit_restores(mimic):
    # Other bodies stop at 1 MiB; a state document holds everything.
    from tests.nova_support import nova_for

    nova = nova_for(mimic, "840001")
    nova.create("big", metadata={f"k{i}": "v" * 200 for i in range(40)})
    document = snapshot_of(mimic)
    document["padding"] = "x" * (2 * 1024 * 1024)
    put_state(mimic, document)
    assert [s["name"] for s in nova.get("servers").json()["servers"]] == ["big"]
    too_big = mimic.post("/mimic/v1.1/tick", data=b"x" * (2 * 1024 * 1024))
    assert too_big.status_code == 413
