"""
Standalone pods: ``--mesh-service S`` serves S alone at ``/``, and
``--mesh-resolve`` points its upstreams at other Mimic processes on
loopback, so three processes form a real mesh.
"""

from __future__ import annotations

import pytest

from tests.mesh_support import HELLO_WORLD, ZipkinCollector, closed_port, shape


def port_of(server) -> str:
    return server.base_url.rsplit(":", 1)[1]


@pytest.fixture(scope="module")
def collector():
    collector = ZipkinCollector()
    yield collector
    collector.close()


@pytest.fixture(scope="module")
def pods(collector):
    """edge -> hello-world-frontend -> hello-world-backend, one process each."""
    from tests.harness import start_mimic

    started = []
    dead = f"dead=127.0.0.1:{closed_port()}"
    try:
        backend = start_mimic("--mesh", HELLO_WORLD, "--mesh-service", "hello-world-backend",
                              "--zipkin", collector.url)
        started.append(backend)
        frontend = start_mimic(
            "--mesh", HELLO_WORLD, "--mesh-service", "hello-world-frontend",
            "--mesh-resolve", f"hello-world-backend=127.0.0.1:{port_of(backend)}",
            "--mesh-resolve", dead, "--zipkin", collector.url)
        started.append(frontend)
        edge = start_mimic(
            "--mesh-service", "edge",
            "--mesh-resolve", f"hello-world-frontend=127.0.0.1:{port_of(frontend)}",
            "--mesh-resolve", dead,
            "--zipkin", collector.url)
        started.append(edge)
        yield edge, frontend, backend
    finally:
        for server in started:
            server.stop()


def test_three_processes_form_a_mesh(pods):
    edge, frontend, backend = pods
    response = edge.client().get("/@hello-world-frontend/")
    assert response.status_code == 200
    root = response.json()
    assert shape(root) == ("edge", "/@hello-world-frontend/", 200, [
        ("hello-world-frontend", "/", 200, [("hello-world-backend", "/hello", 200, [])])])
    front = root["upstream_calls"][0]
    back = front["upstream_calls"][0]
    assert front["url"] == "http://hello-world-frontend:8080/"
    assert back["url"] == "http://hello-world-backend:8080/hello"
    assert (root["version"], front["version"], back["version"]) == (None, "v1", "v1")


def test_a_trace_crosses_the_processes_and_reaches_zipkin(pods, collector):
    edge, frontend, backend = pods
    root = edge.client().get("/@hello-world-frontend/").json()
    front = root["upstream_calls"][0]
    back = front["upstream_calls"][0]
    assert root["trace_id"] == front["trace_id"] == back["trace_id"]
    # Each pod keeps the SERVER span it served and the CLIENT span of its
    # call; a SERVER span's parent is its caller's CLIENT span.
    spans = {}
    for server, node in ((edge, root), (frontend, front), (backend, back)):
        found = server.client().get(f"/mimic/v1.1/mesh/traces/{root['trace_id']}").json()
        served = [s for s in found if s["kind"] == "SERVER"]
        assert [s["id"] for s in served] == [node["span_id"]]
        spans[node["service"]] = {s["kind"]: s for s in found}
    assert "parentId" not in spans["edge"]["SERVER"]
    assert spans["hello-world-frontend"]["SERVER"]["parentId"] == spans["edge"]["CLIENT"]["id"]
    assert spans["edge"]["CLIENT"]["parentId"] == root["span_id"]
    assert spans["hello-world-backend"]["SERVER"]["parentId"] == \
        spans["hello-world-frontend"]["CLIENT"]["id"]
    # All three pods send their spans to the one collector.
    received = collector.spans_of(root["trace_id"], 5)
    assert {s["id"] for s in received if s["kind"] == "SERVER"} == {
        root["span_id"], front["span_id"], back["span_id"]}


def test_a_dead_upstream_is_a_503_node_and_its_caller_answers_502(pods):
    edge = pods[0]
    response = edge.client().get("/@hello-world-frontend,dead/x")
    assert response.status_code == 502
    root = response.json()
    assert shape(root) == ("edge", "/@hello-world-frontend,dead/x", 502, [
        ("hello-world-frontend", "/x", 404, []), ("dead", "/x", 503, [])])
    dead = root["upstream_calls"][1]
    assert "upstream connect error" in dead["error"]
    assert dead["url"] == "http://dead:8080/x"
    assert "dead (503)" in root["error"]


def test_an_upstream_answering_5xx_fails_its_caller(pods):
    edge = pods[0]
    # The frontend's own call to "dead" fails, so the frontend answers 502,
    # and the edge, seeing a 5xx, answers 502 too.
    root = edge.client().get("/@hello-world-frontend/@dead/x").json()
    assert shape(root) == ("edge", "/@hello-world-frontend/@dead/x", 502, [
        ("hello-world-frontend", "/@dead/x", 502, [("dead", "/x", 503, [])])])
    assert root["error"] == "upstream calls failed: hello-world-frontend (502)"


def test_a_pod_serves_its_service_at_the_root_with_health_and_ready(pods):
    edge = pods[0].client()
    for path in ("/health", "/ready"):
        response = edge.get(path)
        assert response.status_code == 200
        assert response.json() == {"status": "UP", "service": "edge"}
    node = edge.get("/identity/v2.0/tokens").json()
    assert (node["service"], node["path"], node["code"]) == ("edge", "/identity/v2.0/tokens", 200)
    # Mimic's control plane stays where it is.
    assert edge.get("/mimic/v1.1/mesh").status_code == 200
    assert edge.get("/metrics").status_code == 200


def test_a_pod_of_a_configured_service_matches_its_endpoints(pods):
    backend = pods[2].client()
    assert backend.get("/hello").status_code == 200
    response = backend.get("/nothing")
    assert response.status_code == 404
    assert response.json()["error"] == "hello-world-backend has no endpoint GET /nothing"
