"""
Tracing and metrics of mesh calls: trace context propagated through a
chain, spans served as Zipkin v2 JSON and sent to a collector, and
Prometheus metrics with Istio's names.
"""

from __future__ import annotations

import pytest

from tests.mesh_support import (
    SERVICEMOCK,
    ZipkinCollector,
    closed_port,
    load_mesh,
    sample,
)

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@pytest.fixture
def mesh(mimic):
    load_mesh(mimic, SERVICEMOCK)
    return mimic


@pytest.fixture
def collector():
    collector = ZipkinCollector()
    yield collector
    collector.close()


def nodes(node: dict) -> list:
    return [node] + [n for child in node["upstream_calls"] for n in nodes(child)]


def test_trace_and_request_ids_are_the_same_through_a_chain(mesh):
    root = mesh.get("/mesh/entry/@service1/@service2/x").json()
    chain = nodes(root)
    assert len({n["trace_id"] for n in chain}) == 1
    assert len({n["span_id"] for n in chain}) == 3
    request_ids = {n["headers"]["x-request-id"] for n in chain[1:]}
    assert len(request_ids) == 1
    # Each node names its caller's CLIENT span as its parent, in every
    # format, and that CLIENT span is a child of the caller's SERVER span
    # (as Envoy's sidecars record a hop: SERVER -> CLIENT -> SERVER).
    spans = {s["id"]: s for s in mesh.get(f"/mimic/v1.1/mesh/traces/{root['trace_id']}").json()}
    for parent, child in zip(chain, chain[1:]):
        client_id = child["headers"]["x-b3-spanid"]
        assert child["headers"]["traceparent"] == f"00-{root['trace_id']}-{client_id}-01"
        assert child["headers"]["b3"] == f"{root['trace_id']}-{client_id}-1"
        client = spans[client_id]
        assert (client["kind"], client["parentId"]) == ("CLIENT", parent["span_id"])
        assert spans[child["span_id"]]["parentId"] == client_id


def test_an_incoming_w3c_trace_is_joined_and_passed_on(mesh):
    root = mesh.get("/mesh/entry/@service1/x", headers={
        "traceparent": TRACEPARENT, "tracestate": "vendor=abc", "x-request-id": "req-42",
        "user-agent": "not shown"}).json()
    assert root["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    assert root["headers"] == {"traceparent": TRACEPARENT, "tracestate": "vendor=abc",
                               "x-request-id": "req-42"}
    child = root["upstream_calls"][0]
    assert child["headers"]["tracestate"] == "vendor=abc"
    assert child["headers"]["x-request-id"] == "req-42"
    spans = mesh.get(f"/mimic/v1.1/mesh/traces/{root['trace_id']}").json()
    by_service = {s["localEndpoint"]["serviceName"]: s for s in spans if s["kind"] == "SERVER"}
    assert by_service["entry"]["parentId"] == "b7ad6b7169203331"


def test_b3_headers_are_joined(mesh):
    single = mesh.get("/mesh/entry/", headers={
        "b3": "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1"}).json()
    assert single["trace_id"] == "80f198ee56343ba864fe8b2a57d3eff7"
    multi = mesh.get("/mesh/entry/", headers={
        "x-b3-traceid": "463ac35c9f6413ad48485a3953bb6124", "x-b3-spanid": "a2fb4a1d1a96d312",
        "x-b3-sampled": "1"}).json()
    assert multi["trace_id"] == "463ac35c9f6413ad48485a3953bb6124"
    assert multi["headers"]["x-b3-spanid"] == "a2fb4a1d1a96d312"


def test_a_trace_is_served_as_zipkin_v2_json(mesh):
    root = mesh.get("/mesh/entry/@service1|service2/x").json()
    response = mesh.get(f"/mimic/v1.1/mesh/traces/{root['trace_id']}")
    assert response.status_code == 200
    spans = response.json()
    assert {s["localEndpoint"]["serviceName"] for s in spans} == {"entry", "service1", "service2"}
    by_id = {s["id"]: s for s in spans}
    entry = by_id[root["span_id"]]
    assert "parentId" not in entry
    assert entry["kind"] == "SERVER" and entry["name"] == "get /@service1|service2/x"
    assert entry["tags"]["http.status_code"] == "200"
    for child in root["upstream_calls"]:
        span = by_id[child["span_id"]]
        client = by_id[span["parentId"]]
        assert client["kind"] == "CLIENT" and client["parentId"] == root["span_id"]
        assert span["traceId"] == root["trace_id"]
        assert span["timestamp"] >= entry["timestamp"]
        assert span["duration"] <= entry["duration"]


def test_traces_are_listed_newest_first_with_limit_and_filter(mesh):
    ids = [mesh.get(f"/mesh/service{n}/").json()["trace_id"] for n in (1, 2, 3)]
    listed = mesh.get("/mimic/v1.1/mesh/traces", params={"limit": 2}).json()
    assert [t[0]["traceId"] for t in listed] == [ids[2], ids[1]]
    one = mesh.get("/mimic/v1.1/mesh/traces", params={"traceId": ids[0]}).json()
    assert [[s["localEndpoint"]["serviceName"] for s in t] for t in one] == [["service1"]]
    assert mesh.get("/mimic/v1.1/mesh/traces", params={"limit": "x"}).status_code == 400
    assert mesh.get("/mimic/v1.1/mesh/traces/" + "f" * 32).status_code == 404


def test_reset_forgets_traces(mesh):
    trace_id = mesh.get("/mesh/service1/").json()["trace_id"]
    mesh.reset()
    assert mesh.get(f"/mimic/v1.1/mesh/traces/{trace_id}").status_code == 404
    assert mesh.get("/mimic/v1.1/mesh/traces").json() == []


def test_a_failed_call_is_a_client_span_with_its_error(mesh):
    root = mesh.get("/mesh/entry/@nowhere/x").json()
    spans = mesh.get(f"/mimic/v1.1/mesh/traces/{root['trace_id']}").json()
    client = next(s for s in spans if s["kind"] == "CLIENT")
    assert client["remoteEndpoint"] == {"serviceName": "nowhere"}
    assert client["parentId"] == root["span_id"]
    assert client["tags"]["error"] == "no service 'nowhere' in the mesh"


def test_istio_request_metrics_count_every_call(mesh):
    labels = dict(reporter="destination", source_workload="entry", source_version="v1",
                  destination_workload="service1", destination_version="v1",
                  response_code="200", request_protocol="http")
    before = sample(mesh, "istio_requests_total", **labels)
    durations = sample(mesh, "istio_request_duration_milliseconds_count", **labels)
    for _ in range(3):
        assert mesh.get("/mesh/entry/@service1/x").status_code == 200
    assert sample(mesh, "istio_requests_total", **labels) == before + 3
    assert sample(mesh, "istio_request_duration_milliseconds_count", **labels) == durations + 3
    outside = sample(mesh, "istio_requests_total", reporter="destination",
                     source_workload="unknown", destination_workload="entry")
    assert outside == 3
    as_source = sample(mesh, "istio_requests_total", **{**labels, "reporter": "source"})
    assert as_source == 3


def test_reset_starts_the_metrics_again(mesh):
    mesh.get("/mesh/entry/@service1/x")
    mesh.authenticate()
    mesh.reset()
    assert sample(mesh, "istio_requests_total", destination_workload="entry") == 0
    assert sample(mesh, "mimic_http_requests_total", api="identity") == 0


def test_failed_calls_are_counted_with_their_code(mesh):
    mesh.get("/mesh/entry/@nowhere/x")
    # A service the mesh does not declare is "unknown", as Istio labels what
    # it cannot identify: names from URLs must not grow the series count.
    assert sample(mesh, "istio_requests_total", reporter="source", source_workload="entry",
                  destination_workload="unknown", destination_service_name="unknown",
                  response_code="503") == 1
    assert sample(mesh, "istio_requests_total", reporter="destination",
                  destination_workload="entry", response_code="502") == 1


def test_cloud_api_requests_are_counted_by_api_method_and_code(mimic):
    labels = dict(api="identity", method="POST", code="200")
    before = sample(mimic, "mimic_http_requests_total", **labels)
    mimic.authenticate()
    mimic.authenticate()
    assert sample(mimic, "mimic_http_requests_total", **labels) == before + 2
    mimic.post("/identity/v2.0/tokens", data="{")
    assert sample(mimic, "mimic_http_requests_total", api="identity", method="POST",
                  code="400") == 1
    mimic.get("/no/such/thing")
    mimic.get("/mesh/nobody/")
    families = mimic.get("/metrics").text
    assert 'api="no"' not in families and 'api="mesh"' not in families


def test_metrics_are_prometheus_text(mimic):
    response = mimic.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert "# TYPE istio_requests_total counter" in response.text
    assert "# TYPE istio_request_duration_milliseconds histogram" in response.text
    assert "# TYPE mimic_http_requests_total counter" in response.text
    openmetrics = mimic.get("/metrics", headers={"accept": "application/openmetrics-text"})
    assert openmetrics.headers["content-type"].startswith("application/openmetrics-text")
    assert openmetrics.text.endswith("# EOF\n")


def test_spans_are_sent_to_a_zipkin_collector(mimic_factory, collector):
    server = mimic_factory("--mesh", SERVICEMOCK, "--zipkin", collector.url)
    root = server.client().get("/mesh/entry/@service1/@service2/x").json()
    # Three SERVER spans, and the CLIENT span of each of the two calls.
    spans = collector.spans_of(root["trace_id"], 5)
    servers = [s for s in spans if s["kind"] == "SERVER"]
    assert sorted(s["localEndpoint"]["serviceName"] for s in servers) == [
        "entry", "service1", "service2"]
    assert {s["id"] for s in servers} == {n["span_id"] for n in nodes(root)}
    assert sorted(s["remoteEndpoint"]["serviceName"] for s in spans
                  if s["kind"] == "CLIENT") == ["service1", "service2"]
    assert collector.paths[0] == ("/api/v2/spans", "application/json")


def test_a_dead_collector_costs_requests_nothing_and_is_logged(mimic_factory):
    server = mimic_factory("--mesh", SERVICEMOCK, "--zipkin",
                           f"http://127.0.0.1:{closed_port()}")
    client = server.client()
    for _ in range(3):
        assert client.get("/mesh/entry/@service1/x").status_code == 200
    # Batches are sent (and fail) after the answers, in another process:
    # poll its log for their lines, with a deadline.
    import re
    import time

    def dropped() -> int:
        return sum(int(n) for n in re.findall(r"unreachable .*dropped (\d+) spans", server.log))

    deadline = time.monotonic() + 15
    while dropped() < 9 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert dropped() == 9  # 3 requests x (2 SERVER spans + 1 CLIENT span)
