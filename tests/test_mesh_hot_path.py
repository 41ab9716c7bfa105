"""
The mesh hop's hot path stays as designed (issue 11's and issue 17's speed
work), checked by what it does per request, never by timing it:

- a node's answer carries a ``Content-Length`` and is not chunked, so the
  caller's Agent reads it without Twisted's chunked decoder, at every hop;
- a cascade path is parsed once, however often it is asked for;
- Istio's request metrics are counted without prometheus_client, and a
  scrape shows what its own Counter and Histogram showed;
- a hop carries Mimic's own headers folded into one (``x-mimic-mesh``), so
  a hop's request has the trace headers, ``Host`` and that one; between two
  nodes of one embedded Mimic the trace headers are folded in too, and the
  callee reads, shows and passes on what it did when they were lines;
- a child's node is nested in its caller's as it was encoded, not parsed
  and encoded again, guided by the summary it sends along.

The hop client's own are :mod:`tests.test_mesh_hop_client`'s.
"""

from __future__ import annotations

import http.client
import io
import json
import sys
from urllib.parse import unquote, urlsplit

import pytest
from prometheus_client import CollectorRegistry
from twisted.internet.defer import Deferred, ensureDeferred
from twisted.internet.task import Clock
from twisted.logger import LogPublisher, Logger, textFileLogObserver

from mimic import access_log
from mimic.__main__ import main as mimic_main
from mimic.core import MimicCore
from mimic.model.mesh import calls, tracing
from mimic.model.mesh.calls import MAX_CACHED_PLANS, PlanCache, plan_calls
from mimic.model.mesh.documents import Mesh, parse_request_body, plain_mock
from mimic.model.mesh.headers import FOLDED, FOLDED_TRACE, fold, traced, unfold
from mimic.model.mesh.headers import MESH as MESH_HEADER
from mimic.model.mesh.metrics import IstioMetrics, Workload
from mimic.rest import mesh_sidecar
from mimic.rest.mesh_client import UpstreamAnswer
from mimic.rest.mesh_runtime import MeshConfig, MeshRuntime
from mimic.util import iso_time
from tests.mesh_support import FakeUpstream, load_mesh

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


def test_istio_metrics_scrape_as_prometheus_clients_own_metrics_did():
    """
    The request tallies are counted without prometheus_client, and a scrape
    shows what its Counter and Histogram show for the same reports: the
    same text, but for the ``_created`` times (taken when each label set
    was first seen), whose series must be the same.
    """
    from prometheus_client import Counter, Histogram, generate_latest
    from prometheus_client.openmetrics.exposition import generate_latest as openmetrics

    from mimic.model.mesh.metrics import (DURATION_BUCKETS, DURATIONS_HELP, LABELS,
                                          REQUESTS_HELP)

    reference = CollectorRegistry()
    requests = Counter("istio_requests_total", REQUESTS_HELP, LABELS, registry=reference)
    durations = Histogram("istio_request_duration_milliseconds", DURATIONS_HELP, LABELS,
                          buckets=DURATION_BUCKETS, registry=reference)
    metrics = IstioMetrics(CollectorRegistry())
    source, destination = Workload.of("a", "v1", "a"), Workload.of("b", "v1", "b")
    reports = [("source", source, destination, 200, 1.5, "-"),
               ("destination", Workload(), destination, 200, 0.0, "-"),
               ("source", source, destination, 503, 5000.25, "UH"),
               ("source", source, Workload.of("c", None, "c"), 504, 3600000.0, "UT"),
               ("source", source, destination, 200, 7200000.0, "-"),
               ("source", source, destination, 200, 0.5, "-")]
    for reporter, src, dst, code, duration, flags in reports * 3:
        metrics.record(reporter, src, dst, code, duration, flags=flags)
        names = (reporter, src.workload, src.version, dst.workload, dst.version, dst.service,
                 str(code), flags, "http")
        requests.labels(*names).inc()
        durations.labels(*names).observe(duration)
    for write in (generate_latest, openmetrics):
        ours = write(metrics.registry).decode().splitlines()
        theirs = write(reference).decode().splitlines()
        assert len(ours) > 80

        def without_times(lines: list) -> list:
            return [line.rpartition(" ")[0] if "_created{" in line else line for line in lines
                    if not line.startswith(("# HELP envoy", "# TYPE envoy", "# HELP mimic",
                                            "# TYPE mimic", "envoy_", "mimic_"))]

        assert without_times(ours) == without_times(theirs)
    assert metrics.registry.get_sample_value("istio_requests_total", {
        "reporter": "source", "source_workload": "a", "source_version": "v1",
        "destination_workload": "b", "destination_version": "v1",
        "destination_service_name": "b", "response_code": "200",
        "response_flags": "-", "request_protocol": "http"}) == 9


def test_a_report_calls_no_prometheus_client_code():
    metrics = IstioMetrics(CollectorRegistry())
    source, destination = Workload.of("a", "v1", "a"), Workload.of("b", "v1", "b")
    metrics.record("source", source, destination, 200, 1.5)
    called: list = []

    def profile(frame, event, arg):
        if event == "call" and "prometheus_client" in frame.f_code.co_filename:
            called.append(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        for _ in range(5):
            metrics.record("source", source, destination, 200, 1.5)
    finally:
        sys.setprofile(None)
    assert called == []


# Headers per hop -------------------------------------------------------

TRACE_AND_HOST = {"host", "traceparent", "b3", "x-b3-traceid", "x-b3-spanid",
                  "x-b3-parentspanid", "x-b3-sampled", "x-request-id"}


def test_a_standalone_pods_hop_sends_the_trace_headers_as_lines_and_mimics_own_folded(
        mimic_factory):
    upstream = FakeUpstream(deep_levels=1)
    try:
        pod = mimic_factory("--mesh-service", "front", "--mesh-resolve",
                            f"back={upstream.address}").client()
        assert pod.get("/@back/deep").status_code == 200
        [heard] = upstream.heard
    finally:
        upstream.close()
    # What the hop's HTTP writes and parses: Host, the trace in every
    # format, and Mimic's own six values in one header.
    assert sorted(name.lower() for name, _ in heard) == sorted(TRACE_AND_HOST | {MESH_HEADER})
    # Hops, budget, (simulated start, the balancer's endpoint: none in a
    # pod), the caller's workload and version.
    assert json.loads(dict(heard)[MESH_HEADER]) == ["1", "999", None, None, "front", "unknown"]


def test_mimics_headers_fold_and_unfold_and_a_folded_one_mimic_did_not_write_is_refused(mimic):
    values = {"x-mimic-mesh-hops": "3", "x-mimic-mesh-endpoint": "v\"2#1"}
    assert unfold({MESH_HEADER: fold(values)}) == values
    assert unfold({"x-mimic-mesh-hops": "3"}) == {"x-mimic-mesh-hops": "3"}
    for bad in ("[1,2]", "nonsense", "[" * 5000, json.dumps([1] * len(FOLDED))):
        with pytest.raises(ValueError):
            unfold({MESH_HEADER: bad})
    load_mesh(mimic, MESH)
    refused = mimic.get("/mesh/a/@b/x", headers={MESH_HEADER: "[1,2]"})
    assert refused.status_code == 400
    assert MESH_HEADER in refused.json()["error"]
    # A client may still send Mimic's headers one by one (to reach a replica,
    # start at an instant, lower the budget).
    assert mimic.get("/mesh/a/x", headers={"x-mimic-mesh-hops": "32"}).status_code == 508


def test_folded_trace_headers_unfold_under_their_own_names_over_the_lines_they_replace():
    own = {"x-mimic-mesh-hops": "1"}
    trace = {"traceparent": "00-" + "1" * 32 + "-" + "2" * 16 + "-01", "x-request-id": "r-1"}
    internal = unfold({MESH_HEADER: fold(own, trace)})
    assert internal == {**own, **trace}
    headers = {"x-b3-flags": "1", "x-request-id": "stale", MESH_HEADER: "..."}
    assert traced(headers, internal) == {**headers, **trace}
    # Mimic's six alone (a client's, or a standalone pod's hop): nothing to add.
    assert traced(headers, unfold({MESH_HEADER: fold(own)})) is headers
    assert traced(headers, headers) is headers
    with pytest.raises(ValueError):
        unfold({MESH_HEADER: json.dumps([None] * (len(FOLDED) + len(FOLDED_TRACE) - 1))})


def recorded_hops(runtime, monkeypatch) -> list:
    """The headers of every hop ``runtime``'s client sends, in order, as it sends them."""
    sent: list = []
    real_hop = runtime.client.hop

    async def hop(method, host, port, target, headers, timeout=None):
        sent.append(dict(headers))
        return await real_hop(method, host, port, target, headers, timeout)

    monkeypatch.setattr(runtime.client, "hop", hop)
    return sent


def test_an_embedded_hop_carries_its_trace_headers_folded_in_one_line(monkeypatch):
    runtime = in_process_runtime(MESH)
    sent = recorded_hops(runtime, monkeypatch)
    tree = serve(runtime, "/@b/@c[x-b3-flags=1]/x")
    # a -> b and b -> c: Mimic's header alone, and a cascade's added one.
    assert [sorted(headers) for headers in sent] == [[MESH_HEADER],
                                                     sorted([MESH_HEADER, "x-b3-flags"])]
    assert [len(json.loads(headers[MESH_HEADER])) for headers in sent] == \
        [len(FOLDED) + len(FOLDED_TRACE)] * 2
    b = tree["upstream_calls"][0]
    c = b["upstream_calls"][0]
    # The callee shows the trace it joined as it did when they were lines.
    for caller, callee in ((tree, b), (b, c)):
        client_span = callee["headers"]["x-b3-spanid"]
        assert callee["headers"]["traceparent"] == f"00-{tree['trace_id']}-{client_span}-01"
        assert callee["headers"]["x-b3-parentspanid"] == caller["span_id"]
        assert callee["headers"]["b3"] == f"{tree['trace_id']}-{client_span}-1"
        assert callee["headers"]["x-request-id"] == tree["headers"].get(
            "x-request-id", callee["headers"]["x-request-id"])
        assert callee["trace_id"] == tree["trace_id"]
    assert c["headers"]["x-b3-flags"] == "1"
    assert b["headers"]["x-request-id"] == c["headers"]["x-request-id"]


def test_a_non_ascii_request_id_travels_as_a_line_and_reaches_the_callee_as_before(
        monkeypatch):
    runtime = in_process_runtime(MESH)
    sent = recorded_hops(runtime, monkeypatch)
    node, _ = answered(ensureDeferred(runtime.serve(
        "a", "GET", "/@b/x", {"x-request-id": "caf\u00e9"}, ("127.0.0.1", 1))))
    assert set(FOLDED_TRACE) - {"tracestate"} <= set(sent[0])
    assert len(json.loads(sent[0][MESH_HEADER])) == len(FOLDED)


def test_request_ids_reach_every_callees_tree_as_they_did_when_they_were_lines(mimic):
    # What a client's x-request-id becomes at each hop: Twisted reads a
    # header's bytes as Latin-1 and the hop writes it in UTF-8, so a
    # non-ASCII id is re-encoded at every hop; an ASCII one is the same
    # everywhere. Folding the trace headers of embedded hops changes neither.
    load_mesh(mimic, MESH)
    address = urlsplit(mimic.url)
    for sent in (b"req-42", "r\u00e9q-\u00fc".encode("utf-8"), b"caf\xe9"):
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        connection.putrequest("GET", "/mesh/a/@b/@c/x")
        connection.putheader("x-request-id", sent)
        connection.endheaders()
        tree = json.loads(connection.getresponse().read())
        connection.close()
        b = tree["upstream_calls"][0]
        c = b["upstream_calls"][0]
        expected = sent.decode("latin-1")
        assert tree["headers"]["x-request-id"] == expected
        expected = expected.encode("utf-8").decode("latin-1")
        assert b["headers"]["x-request-id"] == expected
        expected = expected.encode("utf-8").decode("latin-1")
        assert c["headers"]["x-request-id"] == expected


# A child's node, nested as it was encoded ---------------------------------

def test_a_child_is_spliced_in_as_it_was_encoded_without_parsing_it(monkeypatch):
    # Spaces no encoder of Mimic writes: if the child were parsed and
    # encoded again they would be gone.
    child_body = b'{"service": "b", "code": 503, "upstream_calls": [ {"service": "c"} ]}'
    child = calls.encoded_child(child_body, '["b",503,1.5,"v2",false]')
    monkeypatch.setattr(calls.json, "loads", lambda *a, **k: pytest.fail("a child was parsed"))
    assert (child["code"], child["duration_ms"], child["version"], child["service"]) == \
        (503, 1.5, "v2", "b")
    assert "error" not in child and child.get("response_flags", []) == []
    child["url"] = "http://b:8080/x"
    child["error"] = "upstream answered 503"
    retry = child.copy()
    retry["response_flags"] = ["URX"]
    parent = {"service": "a", "upstream_calls": [retry], "time": "simulated"}
    encoded = calls.encode_tree(parent)
    assert child_body[:-1] in encoded
    assert "response_flags" not in child  # a copy's fields are its own
    monkeypatch.undo()
    assert json.loads(encoded) == {
        "service": "a", "time": "simulated",
        "upstream_calls": [{"service": "b", "code": 503, "upstream_calls": [{"service": "c"}],
                            "url": "http://b:8080/x", "error": "upstream answered 503",
                            "response_flags": ["URX"]}]}
    with pytest.raises(KeyError):
        child["code"] = 200  # the child's own fields are what it answered


def test_a_tree_whose_own_strings_hold_the_mark_is_encoded_the_slow_way():
    child = calls.encoded_child(b'{"service":"b","code":200}', '["b",200,0.0,null,false]')
    tricky = {"service": "a", "body": calls._MARK, "upstream_calls": [child]}
    assert json.loads(calls.encode_tree(tricky)) == {
        "service": "a", "body": calls._MARK,
        "upstream_calls": [{"service": "b", "code": 200}]}


@pytest.mark.parametrize("body, summary", [
    (b"", '["b",200,0.0,null,false]'),             # a HEAD's answer
    (b"[1]", '["b",200,0.0,null,false]'),          # not an object
    (b'{"service":"b"}', "not json"),
    (b'{"service":"b"}', '["b","200",0.0,null,false]'),
])
def test_an_answer_that_cannot_be_kept_encoded_is_not(body, summary):
    assert calls.encoded_child(body, summary) is None


def test_a_node_a_mimic_called_sends_its_summary_and_one_a_client_called_does_not(mimic):
    load_mesh(mimic, MESH)
    plain = mimic.get("/mesh/a/@b/x")
    assert "x-mimic-mesh-node" not in plain.headers
    called = mimic.get("/mesh/a/@b/x", headers={MESH_HEADER: fold({"x-mimic-mesh-hops": "1"})})
    node = called.json()
    assert json.loads(called.headers["x-mimic-mesh-node"]) == \
        [node["service"], node["code"], node["duration_ms"], node["version"], False]
    # The caller nested b's node whole, with its sidecar's fields after b's own.
    child = node["upstream_calls"][0]
    assert list(child)[-5:] == ["url", "upstream_cluster", "workload", "response_flags", "try"]
    assert (child["service"], child["url"], child["try"]) == ("b", "http://b:8080/x", 1)


def answered(deferred: Deferred):
    results: list = []
    deferred.addBoth(results.append)
    assert results, "no answer yet"
    return results[0]


# What a call decides the same way every time ------------------------------

class InProcessHops:
    """A hop client that has the callee's node served in this process (no HTTP)."""

    def __init__(self) -> None:
        self.runtime = None

    async def hop(self, method, host, port, target, headers, timeout=None):
        # The path as the site hands it on: percent-decoded.
        service, _, path = unquote(target[len("/mesh/"):]).partition("/")
        node, extra = await self.runtime.serve(service, method, "/" + path, dict(headers),
                                               (host, port))
        extra = dict(extra)
        return UpstreamAnswer(node["code"], calls.encode_tree(node),
                              extra.get("x-mimic-workload"), extra.get("x-mimic-mesh-node"))


def in_process_runtime(mesh_text: str) -> MeshRuntime:
    core = MimicCore.from_plugins(apis=[])
    mesh = Mesh.build(parse_request_body(mesh_text.encode(), "application/yaml"))
    hops = InProcessHops()
    runtime = hops.runtime = MeshRuntime(core, MeshConfig(startup=mesh), Clock(), hops)
    return runtime


def serve(runtime, path: str) -> dict:
    """The tree ``a`` answers to ``GET path``, as a client reads it."""
    node, _ = answered(ensureDeferred(runtime.serve("a", "GET", path, {}, ("127.0.0.1", 1))))
    return json.loads(calls.encode_tree(node))


def test_a_calls_default_route_endpoints_and_target_are_made_once(monkeypatch):
    routes, endpoints, targets = [], [], []
    real_route, real_quote = mesh_sidecar.HttpRoute, mesh_sidecar.quote_path
    monkeypatch.setattr(mesh_sidecar, "HttpRoute",
                        lambda *a, **k: routes.append(k) or real_route(*a, **k))
    monkeypatch.setattr(mesh_sidecar, "quote_path",
                        lambda *a, **k: targets.append(a) or real_quote(*a, **k))
    runtime = in_process_runtime(MESH)
    real_endpoints = runtime.sidecar._endpoints_of
    monkeypatch.setattr(runtime.sidecar, "_endpoints_of",
                        lambda *a: endpoints.append(a[0].service) or real_endpoints(*a))
    trees = [serve(runtime, "/@b/@c/x") for _ in range(20)]
    assert [t["upstream_calls"][0]["upstream_calls"][0]["code"] for t in trees] == [200] * 20
    assert [r["destinations"][0].service for r in routes] == ["b", "c"]
    assert endpoints == ["b", "c"]
    assert len(targets) == 4  # the path and the query of each call, once
    # A new mesh has endpoints of its own: a second version of b shares its calls.
    runtime.state().replace(Mesh.build(parse_request_body(
        (MESH + "---\napiVersion: mimik.veicot.io/v1alpha1\nkind: Mimik\n"
         "metadata: {name: b-v2}\nspec: {service: b, version: v2}\n").encode(),
        "application/yaml")))
    versions = [serve(runtime, "/@b/x")["upstream_calls"][0]["version"] for _ in range(4)]
    assert sorted(versions) == ["v1", "v1", "v2", "v2"]
    assert endpoints == ["b", "c", "b"]


def test_a_workloads_metric_labels_are_decided_once_per_mesh_and_short_names(monkeypatch):
    runtime = in_process_runtime(MESH)
    decided: list = []
    real = Mesh.known_workload
    monkeypatch.setattr(Mesh, "known_workload",
                        lambda mesh, *a, **k: decided.append(a) or real(mesh, *a, **k))
    trees = [serve(runtime, "/@b/x") for _ in range(10)]
    assert [t["upstream_calls"][0]["code"] for t in trees] == [200] * 10
    first = len(decided)
    assert 0 < first <= 4  # each (workload, version, service) of the chain once
    assert runtime.known("b", "v1", "b") == Workload("b", "v1", "b")
    assert runtime.known("nope", "v9", "nope") == Workload()
    assert len(decided) == first + 1
    # Names from headers: a long one is decided every time, never kept.
    long_name = "w" * 300
    for _ in range(3):
        assert runtime.known(long_name, "v1", "b") == Workload(service="b")
    assert len(decided) == first + 4
    # A new mesh decides afresh: b is no longer in it.
    runtime.state().replace(Mesh.build(parse_request_body(
        b"apiVersion: mimik.veicot.io/v1alpha1\nkind: Mimik\n"
        b"metadata: {name: a}\nspec: {service: a, version: v1}\n", "application/yaml")))
    assert runtime.known("b", "v1", "b") == Workload()


def test_the_sidecars_stores_are_bounded():
    store: dict = {}
    for number in range(mesh_sidecar.MAX_REMEMBERED + 10):
        mesh_sidecar.remember(store, number, number)
    assert len(store) <= mesh_sidecar.MAX_REMEMBERED


# The access line -----------------------------------------------------------

def access_events(count: int, when: float) -> list:
    events: list = []
    publisher = LogPublisher(events.append)
    logger = Logger(namespace="mimic.access", observer=publisher)
    for number in range(count):
        logger.info("{access_line}", access_line=f"GET /mesh/a/{number} 200 0.1ms mesh",
                    method="GET", path=f"/mesh/a/{number}", status=200, duration_ms=0.1,
                    api="mesh")
    for event in events:
        event["log_time"] = when + event["log_time"] % 0.5  # within one second
    return events


def test_the_text_log_writes_twistds_lines_and_stamps_each_second_once(monkeypatch):
    events = access_events(30, 1_764_590_000.25)
    other = {"log_format": "Mimic is listening on {where}\nsecond line", "where": "x",
             "log_time": 1_764_590_001.5, "log_namespace": "mimic.tap",
             "log_level": events[0]["log_level"]}
    legacy = {**other, "log_system": "-", "log_format": "MimicSite starting on 8900"}
    untimed = {**other, "log_time": None}
    twistds, ours = io.StringIO(), io.StringIO()
    for event in (*events, other, legacy, untimed):
        textFileLogObserver(twistds)(dict(event))
    stamped: list = []
    real = access_log.formatTime
    monkeypatch.setattr(access_log, "formatTime", lambda when: stamped.append(when) or real(when))
    observer = access_log.text_lines_observer(ours)
    for event in (*events, other, legacy, untimed):
        observer(dict(event))
    assert ours.getvalue() == twistds.getvalue()
    assert stamped == [1_764_590_000, 1_764_590_001]


@pytest.mark.parametrize("options, observer", [
    ([], "text_lines_observer"),
    (["--log-format", "json"], "json_lines_observer"),
])
def test_the_mimic_command_logs_through_mimics_observers(monkeypatch, options, observer):
    from mimic import serving

    made: list = []
    for name in ("text_lines_observer", "json_lines_observer"):
        monkeypatch.setattr(access_log, name, lambda name=name: made.append(name) or name)
    monkeypatch.setattr(serving, "build_site", lambda config: None)
    monkeypatch.setattr(serving.globalLogBeginner, "beginLoggingTo",
                        lambda observers: made.append(observers))

    class Listened(Exception):
        """Raised where run() would start listening: logging has begun by then."""

    def listener(*args):
        raise Listened()

    monkeypatch.setattr(serving, "Listener", listener)
    with pytest.raises(Listened):
        mimic_main(options)
    assert made == [observer, [observer]]


def test_start_stamps_write_what_iso_time_writes_and_format_each_second_once(monkeypatch):
    instants = [0, 1, 999_999, 1_000_000, 4_000_123, 1_764_590_000_123_456,
                1_764_590_000_999_999, 1_764_590_001_000_000, 2 ** 31 * 1_000_000 + 7,
                32_503_680_000 * 1_000_000 + 999_999]
    expected = [iso_time(us / 1_000_000) for us in instants]
    formatted: list = []
    monkeypatch.setattr(tracing, "iso_time",
                        lambda *a, **k: formatted.append(a) or iso_time(*a, **k))
    stamps = tracing.StartStamps()
    assert [stamps(us) for us in instants] == expected
    # One format per new second (0, 1, 4 and two in 2025); past 2038, each
    # instant whole (two).
    assert len(formatted) == 7
    assert [stamps(5_000_000 + n) for n in range(100)][-1] == "1970-01-01T00:00:05.000099Z"
    assert len(formatted) == 8
