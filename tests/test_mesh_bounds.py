"""
Nothing a client sends the mesh can stall, crash or bloat Mimic (issue 9):
each test replays one of the requests that broke it, over HTTP, and checks
the bounded answer (a 4xx in the control plane's shape, a failed node, a
capped trace or label set) and that Mimic still serves afterwards.
"""

from __future__ import annotations

import json
import socket
import time

import pytest

from mimic.model.mesh.headers import HOP_BY_HOP_AND_FRAMING
from mimic.model.mesh.documents import MeshError, validate_document
from mimic.tap import with_backlog
from tests.mesh_support import SERVICEMOCK, FakeUpstream, load_mesh, sample

MIMIK = "apiVersion: mimik.veicot.io/v1alpha1\nkind: Mimik\n"


@pytest.fixture
def mesh(mimic):
    load_mesh(mimic, SERVICEMOCK)
    return mimic


def post_mesh(client, body, content_type="application/yaml"):
    data = body.encode("utf-8") if isinstance(body, str) else body
    return client.post("/mimic/v1.1/mesh", data=data, timeout=10,
                       headers={"content-type": content_type})


def still_serving(client) -> None:
    """The mesh loaded before a refused request answers as before."""
    assert client.get("/mesh/entry/@service1/x").json()["code"] == 200


def count_nodes(node: dict) -> int:
    """Nodes of a tree that were called (not those refused by the budget)."""
    called = not node.get("error", "").startswith("not called")
    return called + sum(count_nodes(child) for child in node["upstream_calls"])


# -- documents -------------------------------------------------------------

def test_deeply_nested_yaml_is_a_400_not_a_recursion_error(mesh):
    # Flow-style brackets are JSON too: Mimic's shared JSON reader (depth
    # 100) refuses them before YAML is tried; block style reaches YAML's
    # own depth bound (64).
    response = post_mesh(mesh, "[" * 5000 + "]" * 5000)
    assert response.status_code == 400, response.text
    assert "nested more than 100 levels deep" in response.json()["badRequest"]["message"]
    block = "".join("  " * level + f"k{level}:\n" for level in range(200)) + "  " * 200 + "v"
    response = post_mesh(mesh, block)
    assert response.status_code == 400, response.text
    assert "nests deeper than 64 levels" in response.json()["badRequest"]["message"]
    still_serving(mesh)


def test_deeply_nested_json_mesh_body_is_a_400(mesh):
    response = post_mesh(mesh, '{"kind": ' + "[" * 100000 + "]" * 100000 + "}",
                         "application/json")
    assert response.status_code == 400, response.text
    assert "nested more than 100 levels deep" in response.json()["badRequest"]["message"]
    still_serving(mesh)


BOMB = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_yaml_alias_bomb_is_refused_before_it_expands(mesh):
    assert len(BOMB) < 400  # the 381-byte bomb of the report, give or take
    began = time.monotonic()
    response = post_mesh(mesh, BOMB)
    assert response.status_code == 400, response.text
    assert "expands to more than 100000 nodes" in response.json()["badRequest"]["message"]
    # Expanded, it is 9^9 strings (gigabytes); refused, it is parsing 381 bytes.
    assert time.monotonic() - began < 2
    still_serving(mesh)


def test_anchors_sharing_a_block_still_load(mesh):
    text = MIMIK + """metadata: {name: shared}
spec:
  service: shared
  endpoints:
    - &get {path: /a, method: GET}
    - {<<: *get, path: /b}
"""
    assert post_mesh(mesh, text).status_code == 200
    assert mesh.get("/mesh/shared/b").json()["code"] == 200


def test_lone_surrogate_in_a_mesh_name_is_refused_at_submission(mesh):
    document = ('{"apiVersion": "mimik.veicot.io/v1alpha1", "kind": "Mimik", '
                '"metadata": {"name": "bad\\ud800"}, "spec": {"service": "s"}}')
    response = post_mesh(mesh, document, "application/json")
    assert response.status_code == 400, response.text
    # Refused by Mimic's shared JSON reader, before any document is read.
    assert "lone surrogate" in response.json()["badRequest"]["message"]
    still_serving(mesh)


def test_lone_surrogate_in_a_configured_header_is_refused_at_submission(mesh):
    document = ('{"apiVersion": "mimik.veicot.io/v1alpha1", "kind": "Mimik", '
                '"spec": {"service": "s", "endpoints": [{"path": "/", "method": "GET", '
                '"response": {"headers": {"x-a": "\\udfff"}}}]}}')
    response = post_mesh(mesh, document, "application/json")
    assert response.status_code == 400, response.text
    assert "lone surrogate" in response.json()["badRequest"]["message"]
    # In YAML too: a double-quoted "\ud800" is the same lone surrogate.
    text = MIMIK + 'spec: {service: "s", endpoints: [{path: /, method: GET, ' \
        'response: {headers: {x-a: "\\ud800"}}}]}\n'
    assert post_mesh(mesh, text).status_code == 400
    still_serving(mesh)


@pytest.mark.parametrize("name", ["content-length", "Transfer-Encoding", "connection",
                                  "keep-alive", "upgrade", "host", "x-mimic-workload"])
def test_framing_and_hop_by_hop_response_headers_are_refused_by_the_schema(mesh, name):
    text = MIMIK + f'spec: {{service: s, endpoints: [{{path: /, method: GET, ' \
        f'response: {{headers: {{{name}: "5"}}}}}}]}}\n'
    response = post_mesh(mesh, text)
    assert response.status_code == 400, response.text
    assert response.json()["badRequest"]["path"] == "spec.endpoints[0].response.headers"
    still_serving(mesh)


def response_header_refused(name: str) -> bool:
    document = {"apiVersion": "mimik.veicot.io/v1alpha1", "kind": "Mimik", "spec": {
        "service": "s", "endpoints": [
            {"path": "/", "method": "GET", "response": {"headers": {name: "1"}}}]}}
    try:
        validate_document(document)
    except MeshError:
        return True
    return False


def test_schema_and_cascades_refuse_the_same_headers():
    for name in HOP_BY_HOP_AND_FRAMING:
        assert response_header_refused(name) and response_header_refused(name.upper())
    assert response_header_refused("x-mimic-mesh-hops")
    assert not response_header_refused("x-shop")
    assert not response_header_refused("x-connection")


# -- cascades and hop headers ----------------------------------------------

@pytest.mark.parametrize("header", ["content-length=5", "transfer-encoding=chunked",
                                    "connection=close", "te=trailers", "host=elsewhere"])
def test_framing_headers_in_a_cascade_are_a_400(mesh, header):
    response = mesh.get(f"/mesh/entry/@service1[{header}]/x", timeout=5)
    assert response.status_code == 400
    assert "hop-by-hop or framing header" in response.json()["error"]
    assert response.json()["upstream_calls"] == []


def test_negative_hop_count_from_a_client_is_refused(mesh):
    # At -300 the loop limit of 32 hops was bypassed; at -1000 the tree was
    # too deep to encode and the node never answered.
    response = mesh.get("/mesh/entry/@service1/x", headers={"x-mimic-mesh-hops": "-300"})
    assert response.status_code == 400
    assert "x-mimic-mesh-hops" in response.json()["error"]
    assert response.json()["upstream_calls"] == []
    assert mesh.get("/mesh/entry/x", headers={"x-mimic-mesh-hops": "1e9"}).status_code == 400
    # A real count still works, and the limit still holds.
    assert mesh.get("/mesh/entry/x", headers={"x-mimic-mesh-hops": "3"}).status_code == 200
    assert mesh.get("/mesh/entry/@service1/x",
                    headers={"x-mimic-mesh-hops": "32"}).status_code == 508


@pytest.mark.parametrize("header", ["x-mimic-mesh-hops=-1000", "x-mimic-mesh-budget=999999",
                                    "X-Mimic-Source-Workload=evil"])
def test_mimics_own_headers_set_through_a_cascade_are_refused(mesh, header):
    response = mesh.get(f"/mesh/entry/@service1[{header}]/x", timeout=5)
    assert response.status_code == 400
    assert "set only by Mimic" in response.json()["error"]


def test_self_loop_circle_still_ends_at_32_hops(mimic):
    load_mesh(mimic, MIMIK + """spec:
  service: loop
  endpoints: [{path: /, method: GET, connections: [{service: loop, path: /}]}]
""")
    node = mimic.get("/mesh/loop/").json()
    depth = 0
    while node["upstream_calls"]:
        node = node["upstream_calls"][0]
        depth += 1
    assert (depth, node["code"]) == (32, 508)


# -- the call budget, parallelism, cancellation ------------------------------

def test_endpoint_calling_itself_twice_stops_at_the_call_budget(mimic):
    # Depth 32 holds, breadth does not: 2^33 calls without a budget.
    load_mesh(mimic, MIMIK + """spec:
  service: twice
  endpoints:
    - path: /
      method: GET
      connections: [{service: twice, path: /}, {service: twice, path: /}]
""")
    began = time.monotonic()
    response = mimic.get("/mesh/twice/", timeout=60)
    node = response.json()
    assert response.status_code == 502
    assert count_nodes(node) <= 1 + 1000
    assert "most upstream calls one request may make (1000)" in json.dumps(node)
    assert time.monotonic() - began < 30
    assert mimic.get("/mesh/").status_code == 200


def test_a_client_cannot_raise_its_call_budget(mesh):
    response = mesh.get("/mesh/entry/@service1|service2/x",
                        headers={"x-mimic-mesh-budget": "1"})
    codes = [child["code"] for child in response.json()["upstream_calls"]]
    assert codes == [200, 503]
    assert mesh.get("/mesh/entry/x", headers={"x-mimic-mesh-budget": "-1"}).status_code == 400


def test_wide_self_fan_out_queues_instead_of_flooding(mesh):
    # 999 parallel calls at once overflowed the listen backlog (other
    # clients waited 1 s to connect, and the tree 502ed); now at most 16 of
    # one node's calls are in flight and the rest wait their turn.
    targets = "|".join(["service1"] * 999)
    response = mesh.get(f"/mesh/entry/@{targets}/x", timeout=120)
    assert response.status_code == 200
    children = response.json()["upstream_calls"]
    assert len(children) == 999 and {c["code"] for c in children} == {200}
    assert sample(mesh, "mimic_mesh_upstream_calls_queued_total") == 999 - 16


def test_listen_backlog_is_added_to_a_tcp_listen_description():
    assert with_backlog("tcp:0:interface=127.0.0.1", 1024) == \
        "tcp:0:interface=127.0.0.1:backlog=1024"
    assert with_backlog("tcp:0:backlog=7", 1024) == "tcp:0:backlog=7"
    assert with_backlog("unix:/tmp/m.sock", 1024) == "unix:/tmp/m.sock"


def test_backlog_option_is_accepted_and_checked(mimic_factory):
    server = mimic_factory("--backlog", "2048")
    assert server.client().get("/mimic/v1.1/mesh").status_code == 200
    from tests.harness import MimicDidNotStart

    with pytest.raises(MimicDidNotStart, match="--backlog"):
        mimic_factory("--backlog", "0")


@pytest.fixture
def upstream():
    fake = FakeUpstream()
    yield fake
    fake.close()


def pod(mimic_factory, upstream, *options):
    """A standalone pod whose upstream ``bad`` is the misbehaving fake."""
    return mimic_factory("--mesh-service", "front", "--mesh-resolve",
                         f"bad={upstream.address}", *options).client()


@pytest.fixture(scope="module")
def impatient_pod():
    """One pod (call timeout 0.5 s) in front of a misbehaving upstream, for a module."""
    from tests.harness import start_mimic

    fake = FakeUpstream()
    server = start_mimic("--mesh-service", "front", "--mesh-resolve",
                         f"bad={fake.address}", "--mesh-timeout", "0.5")
    yield server.client()
    server.stop()
    fake.close()


def test_silent_upstream_is_a_504_at_the_mesh_timeout(impatient_pod):
    began = time.monotonic()
    response = impatient_pod.get("/@bad/silent", timeout=20)
    assert response.status_code == 502
    child = response.json()["upstream_calls"][0]
    assert (child["code"], child["error"]) == (504, "upstream request timeout")
    assert child["response_flags"] == ["UT"]
    assert time.monotonic() - began < 10


def test_upstream_answer_past_the_size_cap_is_a_502(impatient_pod):
    response = impatient_pod.get("/@bad/big", timeout=20)
    assert response.status_code == 502
    child = response.json()["upstream_calls"][0]
    assert child["code"] == 502 and "larger than 4194304 bytes" in child["error"]


def test_upstream_answer_too_deep_to_show_again_is_not_nested(impatient_pod):
    response = impatient_pod.get("/@bad/deep", timeout=20)
    assert response.status_code == 200
    child = response.json()["upstream_calls"][0]
    assert child["upstream_calls"] == [] and child["code"] == 200


def test_upstream_calls_end_when_the_client_goes_away(mimic_factory, upstream):
    client = pod(mimic_factory, upstream)  # the call timeout stays 30 s
    with socket.create_connection(tuple(client.base_url[7:].split(":"))) as sock:
        sock.sendall(b"GET /@bad/silent HTTP/1.1\r\nhost: x\r\n\r\n")
        assert upstream.silent_calls.wait(10)
    # The client hung up: the pod aborts its call at once, not after 30 s.
    assert upstream.hung_up.wait(10)
    assert sample(client, "mimic_mesh_upstream_calls_cancelled_total") == 1


# -- traces and metrics ----------------------------------------------------

def test_one_trace_keeps_at_most_2000_spans(mesh):
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    targets = "|".join(["service1"] * 100)
    for turn in range(21):
        mesh.get(f"/mesh/entry/@{targets}/x", timeout=60, headers={
            "traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"})
    spans = mesh.get(f"/mimic/v1.1/mesh/traces/{trace_id}").json()
    assert len(spans) == 2000


def series(client, name: str) -> list:
    from prometheus_client.parser import text_string_to_metric_families

    text = client.get("/metrics").text
    return [s for f in text_string_to_metric_families(text) for s in f.samples
            if s.name == name]


def test_metric_labels_from_client_input_collapse_to_unknown_and_other(mesh):
    def burst(salt: str) -> None:
        for n in range(25):
            mesh.get(f"/mesh/made-up-{salt}-{n}/x")
            mesh.get("/mesh/entry/@service1/x", headers={
                "x-mimic-source-workload": f"w{salt}{n}", "x-mimic-source-version": f"v{n}"})
            mesh.request(f"M{salt}{n}".upper(), "/identity/v2.0/tokens")

    burst("a")
    counts = (len(series(mesh, "istio_requests_total")),
              len(series(mesh, "mimic_http_requests_total")))
    burst("b")
    assert (len(series(mesh, "istio_requests_total")),
            len(series(mesh, "mimic_http_requests_total"))) == counts
    text = mesh.get("/metrics").text
    assert "made-up" not in text and "wa1" not in text and "MA1" not in text
    assert sample(mesh, "istio_requests_total", reporter="destination",
                  destination_service_name="unknown", response_code="404") == 50
    assert sample(mesh, "istio_requests_total", reporter="destination",
                  destination_workload="entry", source_workload="unknown") == 50
    assert sample(mesh, "mimic_http_requests_total", api="identity", method="other") == 50


def test_a_start_instant_past_the_year_3000_is_ignored(mesh):
    # Simulated time adds delays to the start a caller names; a start near
    # the year 9999 would put the tree's timestamps past what ISO 8601 shows.
    load_mesh(mesh, MIMIK + "spec: {service: slow, latency: 24h}\n")
    late = mesh.get("/mesh/slow/@slow,slow/x",
                    headers={"x-mimic-mesh-start": "253402300799000000"})
    assert late.status_code == 200, late.text
    assert late.json()["upstream_calls"][1]["start"] == "1970-01-02T00:00:00.000000Z"
    named = mesh.get("/mesh/slow/x", headers={"x-mimic-mesh-start": "86400000000"})
    assert named.json()["start"] == "1970-01-02T00:00:00.000000Z"
