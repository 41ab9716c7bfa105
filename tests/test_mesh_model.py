"""The mesh's pure model: documents, cascades, call plans, trace context, round robin."""

from __future__ import annotations

import pytest
from zope.interface.verify import verifyObject

from mimic.imimic import IAPIMock, IRootMounts
from mimic.metrics import api_of_path
from mimic.model.mesh.calls import Plan, plan_calls
from mimic.model.mesh.cascade import Cascade, CascadeError, Target, parse_cascade
from mimic.model.mesh.documents import (
    Mesh,
    MeshError,
    parse_documents,
    parse_request_body,
    plain_mock,
)
from mimic.model.mesh.state import MeshState
from mimic.model.mesh.tracing import (
    Span,
    TraceStore,
    incoming_context,
    outgoing_headers,
)
from mimic.plugins.mesh_plugin import mesh
from mimic.util import IdSource

MIMIK = "apiVersion: mimik.veicot.io/v1alpha1\nkind: Mimik\n"


def mimik(service, version="v1", endpoints="", extra=""):
    text = MIMIK + f"metadata: {{name: {service}-{version}}}\nspec:\n  service: {service}\n"
    text += f"  version: {version}\n{extra}"
    if endpoints:
        text += f"  endpoints: {endpoints}\n"
    return text


def test_mesh_plugin_provides_the_plugin_contracts():
    assert verifyObject(IAPIMock, mesh)
    assert verifyObject(IRootMounts, mesh)


# cascades: servicemock's URL table, row by row


def test_a_path_not_starting_with_at_is_no_cascade():
    assert parse_cascade("/service/calls/@service3/") is None


def test_at_service_calls_it_with_the_rest_of_the_path():
    assert parse_cascade("/@service1/the-end") == Cascade(
        steps=((Target("service1"),),), path="/the-end")


def test_port_follows_the_service_name():
    assert parse_cascade("/@service1:8081/the-end").steps == ((Target("service1", 8081),),)


def test_chain_passes_the_next_cascade_on():
    cascade = parse_cascade("/@service1/@service2/@service3/")
    assert cascade.steps == ((Target("service1"),),)
    assert cascade.path == "/@service2/@service3/"
    assert parse_cascade(cascade.path).path == "/@service3/"
    assert parse_cascade("/@service3/").path == "/"


def test_comma_means_one_after_the_other_and_bar_at_the_same_time():
    assert parse_cascade("/@service1,service2/uri-reuse/").steps == (
        (Target("service1"),), (Target("service2"),))
    assert parse_cascade("/@service1|service2/uri-reuse/").steps == (
        (Target("service1"), Target("service2")),)
    assert parse_cascade("/@a|b,c/x").steps == ((Target("a"), Target("b")), (Target("c"),))


def test_headers_follow_the_name_or_the_port():
    cascade = parse_cascade("/@service2:8081[name2=value2][name3=value3]/")
    assert cascade.steps == ((Target("service2", 8081,
                                     (("name2", "value2"), ("name3", "value3"))),),)
    assert parse_cascade("/@a[x=1,2|3]|b/").steps == (
        (Target("a", None, (("x", "1,2|3"),)), Target("b")),)


@pytest.mark.parametrize("path", [
    "/@", "/@a,", "/@a|", "/@a:", "/@a:0", "/@a:99999", "/@a[x", "/@a[=1]",
    "/@a[x]", "/@a;b", "/@a[x=\r\n]",
])
def test_malformed_cascades_are_refused(path):
    with pytest.raises(CascadeError):
        parse_cascade(path)


def test_a_bad_cascade_is_a_400_plan():
    plan = plan_calls(plain_mock("a"), "GET", "/@a:70000/x")
    assert plan.code == 400 and "bad cascade" in plan.error


# documents


def test_hello_world_documents_declare_two_services():
    with open("tests/mesh_data/hello-world.yaml", encoding="utf-8") as stream:
        documents = parse_documents(stream.read(), "hello-world.yaml")
    mesh_ = Mesh.build(documents)
    assert [d.kind for d in documents] == ["Mimik", "Mimik", "Gateway", "VirtualService"]
    assert sorted(mesh_.services) == ["hello-world-backend", "hello-world-frontend"]
    frontend = mesh_.versions_of("hello-world-frontend")[0]
    assert frontend.workload == "hello-world-frontend-v1"
    connection = frontend.endpoints[0].connections[0]
    assert (connection.service, connection.port, connection.path) == (
        "hello-world-backend", 8080, "/hello")
    assert mesh_.unknown_kinds() == []


@pytest.mark.parametrize("text, path, words", [
    (mimik("a", endpoints="[{path: /, method: GIT}]"), "spec.endpoints[0].method", "GIT"),
    (mimik("a", endpoints="[{path: x, method: GET}]"), "spec.endpoints[0].path", "does not match"),
    (mimik("a", endpoints="[{path: /, method: GET, connections: [{port: 1}]}]"),
     "spec.endpoints[0].connections[0]", "'service' is a required property"),
    (mimik("a", endpoints="[{path: /, method: GET, connections: [{service: b, port: 0}]}]"),
     "spec.endpoints[0].connections[0].port", ""),
    (mimik("a", endpoints="[{path: /, method: GET, response: {code: 99}}]"),
     "spec.endpoints[0].response.code", "99"),
    (mimik("a", extra="  replicas: 0\n"), "spec.replicas", "0"),
    (mimik("a", extra="  enpoints: []\n"), "spec", "'enpoints' was unexpected"),
    (MIMIK + "spec: {service: 'a b'}\n", "spec.service", "does not match"),
    ("apiVersion: v1\nkind: Mimik\nspec: {service: a}\n", "apiVersion", "mimik.veicot.io"),
    ("kind: Gateway\n", "", "'apiVersion' is a required property"),
])
def test_schema_errors_name_the_document_and_the_field(text, path, words):
    with pytest.raises(MeshError) as caught:
        parse_documents("kind: Service\napiVersion: v1\n---\n" + text, "mesh.yaml")
    error = caught.value
    assert (error.source, error.index, error.path) == ("mesh.yaml", 1, path)
    assert words in error.message
    assert str(error).startswith("mesh.yaml, document 1")


def test_bad_yaml_names_the_line():
    with pytest.raises(MeshError) as caught:
        parse_documents("kind: Service\napiVersion: v1\n---\nkind: [\n", "m.yaml")
    assert caught.value.index == 1
    assert "line 5" in caught.value.message


def test_a_document_must_be_a_mapping():
    with pytest.raises(MeshError, match="document 0: a document must be a mapping"):
        parse_documents("- a\n- b\n", "m.yaml")


def test_two_documents_for_one_service_version_clash():
    with pytest.raises(MeshError, match="already declared by m.yaml document 0"):
        Mesh.build(parse_documents(mimik("a") + "---\n" + mimik("a"), "m.yaml"))


def test_unknown_kinds_are_kept_and_reported():
    documents = parse_documents("apiVersion: x/v1\nkind: Frobnicator\n", "m.yaml")
    mesh_ = Mesh.build(documents)
    assert mesh_.documents[0].body["kind"] == "Frobnicator"
    assert mesh_.unknown_kinds() == [
        "m.yaml, document 0: unknown kind 'Frobnicator' (apiVersion 'x/v1'); kept as written"]


def test_json_bodies_may_be_a_document_a_list_or_a_get_answer():
    one = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}}
    assert len(parse_request_body(b'{"apiVersion": "v1", "kind": "Service"}')) == 1
    assert len(parse_request_body(b"[" + b",".join([b'{"apiVersion":"v1","kind":"Service"}'] * 2)
                                  + b"]")) == 2
    import json

    assert parse_request_body(json.dumps({"documents": [one]}).encode())[0].body == one
    with pytest.raises(MeshError, match="empty"):
        parse_request_body(b"  ")


def test_patch_replaces_documents_with_the_same_name_and_adds_the_others():
    old = Mesh.build(parse_documents(mimik("a") + "---\n" + mimik("b"), "m.yaml"))
    new = old.patched(parse_documents(
        mimik("a", extra="  replicas: 3\n") + "---\n" + mimik("c"), "request"))
    assert [d.body["spec"]["service"] for d in new.documents] == ["a", "b", "c"]
    assert new.versions_of("a")[0].replicas == 3


# call plans


def test_endpoint_connections_are_called_in_order_one_after_the_other():
    service = Mesh.build(parse_documents(mimik(
        "a", endpoints="[{path: /x, method: POST, connections: "
        "[{service: b, path: one}, {service: c, port: 9090, path: '@d/two', method: PUT}]}]"
    ))).versions_of("a")[0]
    plan = plan_calls(service, "POST", "/x/")
    assert [[(c.service, c.port, c.path, c.method) for c in step] for step in plan.steps] == [
        [("b", 8080, "/one", "GET")], [("c", 9090, "/@d/two", "PUT")]]
    assert plan_calls(service, "GET", "/x").code == 404
    assert plan_calls(service, "POST", "/y").error == "a has no endpoint POST /y"


def test_a_cascade_needs_no_endpoint_and_a_plain_mock_answers_any_path():
    service = Mesh.build(parse_documents(mimik(
        "a", endpoints="[{path: /, method: GET}]"))).versions_of("a")[0]
    assert [c.service for step in plan_calls(service, "GET", "/@b/x").steps for c in step] == ["b"]
    assert plan_calls(plain_mock("m"), "DELETE", "/any/thing") == Plan()


def test_failed_upstreams_make_the_caller_answer_502():
    plan = Plan()
    assert plan.final_code([{"code": 200}, {"code": 404}]) == 200
    assert plan.final_code([{"code": 200}, {"code": 503}]) == 502


# round robin over versions and replicas


def test_calls_spread_over_versions_and_replicas_in_turn():
    documents = parse_documents(
        mimik("a", "v1") + "---\n" + mimik("a", "v2", extra="  replicas: 2\n"))
    state = MeshState(mesh=Mesh.build(documents), ids=IdSource(0))
    picks = [(i.version.version, i.replica) for i in
             (state.instance_of("a") for _ in range(6))]
    assert picks == [("v1", 0), ("v2", 0), ("v2", 1)] * 2
    assert state.instance_of("nobody") is None
    assert state.instance_of("nobody", standalone=True).version.is_plain_mock


# trace context


def test_a_request_without_trace_headers_starts_a_trace():
    context = incoming_context({}, IdSource(0))
    assert len(context.trace_id) == 32 and context.parent_id is None
    assert context.sampled and context.request_id


def test_w3c_traceparent_wins_and_tracestate_is_kept():
    context = incoming_context({
        "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "tracestate": "congo=t61rcWkgMzE",
        "b3": "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1",
        "x-request-id": "req-1",
    }, IdSource(0))
    assert (context.trace_id, context.parent_id, context.request_id) == (
        "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", "req-1")
    headers = outgoing_headers(context, "00f067aa0ba902b7")
    assert headers["traceparent"] == "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01"
    assert headers["tracestate"] == "congo=t61rcWkgMzE"
    assert headers["x-b3-parentspanid"] == "b7ad6b7169203331"


def test_b3_single_and_multi_headers_are_read():
    single = incoming_context({"b3": "80f198ee56343ba8-e457b5a2e4d86bd1-0"}, IdSource(0))
    assert (single.trace_id, single.parent_id, single.sampled) == (
        "80f198ee56343ba8", "e457b5a2e4d86bd1", False)
    multi = incoming_context({"x-b3-traceid": "463ac35c9f6413ad48485a3953bb6124",
                              "x-b3-spanid": "a2fb4a1d1a96d312", "x-b3-sampled": "1"},
                             IdSource(0))
    assert (multi.trace_id, multi.parent_id) == ("463ac35c9f6413ad48485a3953bb6124",
                                                 "a2fb4a1d1a96d312")
    # A 64-bit B3 trace id is padded for W3C.
    assert outgoing_headers(single, "1" * 16)["traceparent"].startswith(
        "00-000000000000000080f198ee56343ba8-")


@pytest.mark.parametrize("headers", [
    {"traceparent": "00-00000000000000000000000000000000-b7ad6b7169203331-01"},
    {"traceparent": "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
    {"traceparent": "garbage"},
    {"b3": "nothex-x"},
    {"x-b3-traceid": "abc"},
])
def test_malformed_trace_headers_start_a_new_trace(headers):
    assert incoming_context(headers, IdSource(0)).parent_id is None


def test_trace_store_keeps_the_newest_traces_within_its_bound():
    store = TraceStore(max_traces=2)
    for n, trace in enumerate(["a" * 32, "b" * 32, "c" * 32]):
        store.record(Span(trace_id=trace, id=f"{n:016x}", parent_id=None, name="get /",
                          kind="SERVER", service="s", timestamp_us=n, duration_us=0))
    assert [t[0].trace_id for t in store.traces(10)] == ["c" * 32, "b" * 32]
    assert store.trace("a" * 32) is None
    assert store.traces(10, "B" * 32)[0][0].to_zipkin()["duration"] == 1


def test_only_cloud_api_paths_are_counted_as_apis():
    names = {"nova", "fastly", "mesh"}
    assert api_of_path(b"/identity/v2.0/tokens", names) == "identity"
    assert api_of_path(b"/mimicking/nova/ORD/v2/1/servers?x=1", names) == "nova"
    assert api_of_path(b"/fastly/service", names) == "fastly"
    for path in (b"/mesh/a/", b"/mimic/v1.1/tick", b"/mimicking/zz/ORD", b"/random", b"/"):
        assert api_of_path(path, names) is None


def test_cascade_calls_multiply_level_by_level():
    from mimic.model.mesh.cascade import cascade_calls

    assert cascade_calls("/x") == 0
    assert cascade_calls("/@a/x") == 1
    assert cascade_calls("/@a|b/@c,d[h=1|2]/x") == 2 + 4
    assert cascade_calls("/@a/@b/@c/") == 3


def test_a_url_asking_for_too_many_calls_is_refused():
    from mimic.model.mesh.cascade import CascadeError, parse_cascade

    wide = "@" + "|".join("abcdefghij")
    with pytest.raises(CascadeError, match="calls in all"):
        parse_cascade(f"/{wide}/{wide}/{wide}/x")
    assert parse_cascade(f"/{wide}/{wide}/x") is not None
