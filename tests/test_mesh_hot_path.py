"""
The mesh hop's hot path stays as designed (issue 11's and issue 17's speed
work), checked by what it does per request, never by timing it:

- a node's answer carries a ``Content-Length`` and is not chunked, so the
  caller's Agent reads it without Twisted's chunked decoder, at every hop;
- a cascade path is parsed once, however often it is asked for;
- Istio's metric children are looked up once per label set, not per call.
"""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

from prometheus_client import CollectorRegistry

from mimic.model.mesh import calls
from mimic.model.mesh.calls import MAX_CACHED_PLANS, PlanCache, plan_calls
from mimic.model.mesh.documents import plain_mock
from mimic.model.mesh.metrics import IstioMetrics, Workload
from tests.mesh_support import load_mesh

MESH = "".join(
    "---\napiVersion: mimik.veicot.io/v1alpha1\nkind: Mimik\n"
    f"metadata: {{name: {name}}}\nspec: {{service: {name}, version: v1}}\n"
    for name in ("a", "b", "c"))


def test_every_hop_answers_with_a_length_not_chunks(mimic):
    load_mesh(mimic, MESH)
    address = urlsplit(mimic.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    connection.request("GET", "/mesh/a/@b/@c/x")
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == 200
    assert response.getheader("transfer-encoding") is None
    assert int(response.getheader("content-length")) == len(body)
    node = json.loads(body)
    # The inner hops answered through the same writer: their trees nest whole.
    assert [n["service"] for n in (node, node["upstream_calls"][0],
                                   node["upstream_calls"][0]["upstream_calls"][0])] \
        == ["a", "b", "c"]


def test_a_cascade_path_is_parsed_once(monkeypatch):
    parsed: list = []
    real = calls.parse_cascade
    monkeypatch.setattr(calls, "parse_cascade", lambda path: parsed.append(path) or real(path))
    cache = PlanCache()
    service = plain_mock("a")
    plans = [plan_calls(service, "GET", "/@b/@c/x", cache) for _ in range(50)]
    assert parsed == ["/@b/@c/x"]
    assert all(plan is plans[0] for plan in plans)
    assert [c.service for step in plans[0].steps for c in step] == ["b"]
    # A path that is no cascade is remembered as such; a bad one keeps its 400.
    assert plan_calls(service, "GET", "/x", cache).steps == ()
    assert plan_calls(service, "GET", "/@b:70000/x", cache).code == 400
    plan_calls(service, "GET", "/x", cache)
    plan_calls(service, "GET", "/@b:70000/x", cache)
    assert parsed == ["/@b/@c/x", "/x", "/@b:70000/x"]


def test_the_plan_cache_is_bounded():
    cache = PlanCache()
    for number in range(MAX_CACHED_PLANS + 10):
        cache.cascade(f"/@b/{number}")
    assert len(cache.plans) <= MAX_CACHED_PLANS
    assert cache.parsed == MAX_CACHED_PLANS + 10


def test_metric_children_are_looked_up_once_per_label_set(monkeypatch):
    metrics = IstioMetrics(CollectorRegistry())
    looked_up: list = []
    for metric in (metrics.requests, metrics.durations):
        real = metric.labels
        monkeypatch.setattr(metric, "labels",
                            lambda *names, real=real: looked_up.append(names) or real(*names))
    source, destination = Workload.of("a", "v1", "a"), Workload.of("b", "v1", "b")
    for _ in range(20):
        metrics.record("source", source, destination, 200, 1.5)
    metrics.record("source", source, destination, 503, 1.5, flags="UH")
    assert len(looked_up) == 4  # two label sets, two metrics each
    assert metrics.registry.get_sample_value("istio_requests_total", {
        "reporter": "source", "source_workload": "a", "source_version": "v1",
        "destination_workload": "b", "destination_version": "v1",
        "destination_service_name": "b", "response_code": "200",
        "response_flags": "-", "request_protocol": "http"}) == 20
