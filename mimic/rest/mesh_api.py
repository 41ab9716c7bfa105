"""
The mesh over HTTP: services answering at ``/mesh/<service>/<path>``
(embedded) or at ``/`` (a standalone pod, ``--mesh-service``), their real
upstream calls, ``/metrics``, and the control API at ``/mimic/v1.1/mesh``
(the documents, and traces as Zipkin v2 JSON).

Timing: a node's ``start`` and ``duration_ms`` (and its span's timestamp
and duration) are read from the real clock (the reactor), not from Mimic's
deterministic clock. Upstream calls are real network requests that take
real time even while Mimic's clock stands still at 0, and what a mesh user
reads in a call tree (which calls overlapped, where the time went) is only
true on the real clock.
"""

from __future__ import annotations

import json
import zlib
from typing import Any, Mapping, Optional

import attrs
from klein import Klein
from prometheus_client.exposition import choose_encoder
from twisted.internet.defer import ensureDeferred, gatherResults
from twisted.logger import Logger
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET

from mimic.metrics import metrics_of
from mimic.model.mesh.calls import (
    MAX_HOPS,
    Node,
    Plan,
    UpstreamCall,
    as_child,
    failed,
)
from mimic.model.mesh.calls import plan_calls
from mimic.model.mesh.documents import Mesh, MeshError, parse_request_body
from mimic.model.mesh.metrics import IstioMetrics, Workload
from mimic.model.mesh.state import MeshState
from mimic.model.mesh.tracing import (
    TRACE_HEADERS,
    Span,
    TraceContext,
    incoming_context,
    new_span_id,
    outgoing_headers,
)
from mimic.rest.http import (
    RequestError,
    empty_response,
    install_error_handlers,
    json_response,
    query_integer,
    query_text,
)
from mimic.rest.mesh_client import MeshHttpClient, UpstreamFailed, ZipkinReporter, quote_path
from mimic.util import IdSource, iso_time

log = Logger()

#: Headers one mesh node sends the next, besides the trace context: who is
#: calling (for Istio's source labels) and how deep the chain already is.
SOURCE_WORKLOAD = "x-mimic-source-workload"
SOURCE_VERSION = "x-mimic-source-version"
HOPS = "x-mimic-mesh-hops"
#: The response header by which a node tells its caller its workload (the
#: way Istio's sidecars exchange peer metadata), for the source's metrics.
WORKLOAD = "x-mimic-workload"


@attrs.frozen
class MeshConfig:
    """
    The mesh's command-line configuration: the mesh the ``--mesh`` files
    declare (what reset goes back to), the service of a standalone pod,
    where upstreams are reached (``--mesh-resolve``), the Zipkin
    collector, and the pod's own name (``--mesh-instance``).
    """

    startup: Mesh = Mesh()
    standalone: Optional[str] = None
    resolve: Mapping[str, tuple] = attrs.field(factory=dict)
    zipkin: Optional[str] = None
    instance: Optional[str] = None


def _mesh_seed(seed: int, service: Optional[str], instance: Optional[str] = None) -> int:
    """
    The seed of the mesh's trace and span ids. Pods of one mesh usually run
    with the same ``--seed``; mixing in the service name keeps their span
    ids apart, and the pod's own name (``--mesh-instance``, the replicas of
    a Deployment differ only there) keeps replicas apart.
    """
    name = (service or "") + (f"/{instance}" if instance else "")
    return seed * 1_000_003 + zlib.crc32(name.encode("utf-8"))


class MeshRuntime:
    """
    The mesh of one core: serves a node for a request, making its upstream
    calls, recording its span and metrics. State (documents, round robin,
    traces, metrics) is read from ``core.store`` per request, so reset
    forgets it; the HTTP client and the Zipkin reporter are plumbing and
    stay.
    """

    def __init__(self, core: Any, config: MeshConfig, reactor: Any,
                 client: MeshHttpClient, reporter: Optional[ZipkinReporter] = None) -> None:
        self.core = core
        self.config = config
        self.reactor = reactor
        self.client = client
        self.reporter = reporter

    def state(self) -> MeshState:
        return self.core.store.data_for_api("mesh", lambda: MeshState(
            mesh=self.config.startup,
            ids=IdSource(_mesh_seed(self.core.seed, self.config.standalone,
                                    self.config.instance)),
        ))

    def metrics(self) -> IstioMetrics:
        store = self.core.store
        return store.data_for_api(("mesh", "metrics"),
                                  lambda: IstioMetrics(metrics_of(store).registry))

    def now(self) -> float:
        return self.reactor.seconds()

    async def serve(self, service: str, method: str, path: str, headers: dict,
                    local: str) -> tuple:
        """
        The node ``service`` answers to ``method path`` (``headers`` lower
        case, ``local`` this server's ``host:port`` for embedded calls), and
        the extra response headers its endpoint declares.
        """
        started = self.now()
        state = self.state()
        context = incoming_context(headers, state.ids)
        span_id = new_span_id(state.ids)
        instance = state.instance_of(service, standalone=self.config.standalone is not None)
        try:
            hops = int(headers.get(HOPS, "0"))
        except ValueError:
            hops = 0
        if instance is None:
            plan = Plan(code=404, error=f"no service {service!r} in the mesh")
        elif hops >= MAX_HOPS:
            plan = Plan(code=508, error=f"the call chain is {hops} calls deep; "
                        "services may be calling each other in a circle")
        else:
            plan = plan_calls(instance.version, method, path)
        me = Workload.of(instance.version.workload, instance.version.version, service) \
            if instance is not None else Workload.of(None, None, service)
        children: list = []
        if plan.error is None and plan.steps:
            down = {
                **outgoing_headers(context, span_id),
                SOURCE_WORKLOAD: me.workload, SOURCE_VERSION: me.version,
                HOPS: str(hops + 1),
            }
            for step in plan.steps:
                children.extend(await gatherResults([
                    ensureDeferred(self.call(call, down, context, span_id, me, local))
                    for call in step
                ]))
        code = plan.code if plan.error is not None else plan.final_code(children)
        error = plan.error
        if error is None and code == 502:
            bad = ", ".join(f"{c['service']} ({c['code']})" for c in children if failed(c))
            error = f"upstream calls failed: {bad}"
        duration = self.now() - started
        node = Node(
            service=service,
            version=instance.version.version if instance is not None else None,
            replica=instance.replica if instance is not None else None,
            method=method, path=path, code=code,
            start=iso_time(started), duration_ms=round(duration * 1000, 3),
            trace_id=context.trace_id, span_id=span_id,
            headers={name: headers[name] for name in TRACE_HEADERS if name in headers},
            upstream_calls=children, error=error,
            body=plan.response.body if plan.response is not None and error is None else None,
        )
        self.record_span(Span(
            trace_id=context.trace_id, id=span_id, parent_id=context.parent_id,
            name=f"{method} {path}".lower(), kind="SERVER", service=service,
            timestamp_us=int(started * 1_000_000), duration_us=int(duration * 1_000_000),
            tags=_span_tags(method, path, code, node.version, error),
        ), context)
        source = Workload.of(headers.get(SOURCE_WORKLOAD), headers.get(SOURCE_VERSION))
        self.metrics().record("destination", source, me, code, duration * 1000)
        extra = plan.response.headers if plan.response is not None else ()
        return node.to_json(), (*extra, (WORKLOAD, me.workload))

    async def call(self, call: UpstreamCall, headers: dict, context: TraceContext,
                   span_id: str, me: Workload, local: str) -> dict:
        """Make one upstream call; its node (or a failed node) as a child."""
        started = self.now()
        state = self.state()
        if self.config.standalone is None:
            url = f"http://{local}/mesh/{call.service}{quote_path(call.path)}"
            known = bool(state.mesh.versions_of(call.service))
        else:
            host, port = self.config.resolve.get(call.service, (call.service, call.port))
            host = f"[{host}]" if ":" in host else host
            url = f"http://{host}:{port}{quote_path(call.path)}"
            known = True
        try:
            if not known:
                raise UpstreamFailed(503, f"no service {call.service!r} in the mesh")
            answer = await self.client.request(
                call.method, url, {**headers, **dict(call.headers)})
        except UpstreamFailed as failure:
            return self.failed_call(call, failure.code, failure.reason, started,
                                    context, span_id, me)
        try:
            node = as_child(json.loads(answer.body), call)
        except ValueError:
            node = None
        if node is None:
            # Not a mesh node: a real service's answer, shown by its status.
            error = f"upstream answered {answer.code}" if answer.code >= 500 else None
            node = self.failed_call(call, answer.code, error, started, context,
                                    span_id, me, record=False)
        elif failed(node) and "error" not in node:
            node["error"] = f"upstream answered {node['code']}"
        destination = Workload.of(answer.workload or call.service, node.get("version"),
                                  call.service)
        self.metrics().record("source", me, destination, node["code"],
                              (self.now() - started) * 1000)
        return node

    def failed_call(self, call: UpstreamCall, code: int, error: Optional[str],
                    started: float, context: TraceContext, parent_id: str,
                    me: Workload, record: bool = True) -> dict:
        """
        The node of a call that got no mesh node back, with a client span
        of its own so the trace shows where it broke.
        """
        duration = self.now() - started
        span_id = new_span_id(self.state().ids)
        node = Node(
            service=call.service, version=None, method=call.method, path=call.path,
            code=code, start=iso_time(started), duration_ms=round(duration * 1000, 3),
            trace_id=context.trace_id, span_id=span_id, headers=dict(call.headers),
            error=error, url=call.url,
        )
        self.record_span(Span(
            trace_id=context.trace_id, id=span_id, parent_id=parent_id,
            name=f"{call.method} {call.path}".lower(), kind="CLIENT", service=me.service,
            remote_service=call.service, timestamp_us=int(started * 1_000_000),
            duration_us=int(duration * 1_000_000),
            tags=_span_tags(call.method, call.path, code, None, error),
        ), context)
        if record and code >= 500:
            self.metrics().record("source", me, Workload.of(call.service, None, call.service),
                                  code, duration * 1000)
        return node.to_json()

    def record_span(self, span: Span, context: TraceContext) -> None:
        self.state().traces.record(span)
        if self.reporter is not None and context.sampled:
            self.reporter.add(span.to_zipkin())


def _span_tags(method: str, path: str, code: int, version: Optional[str],
               error: Optional[str]) -> dict:
    tags = {"http.method": method, "http.path": path, "http.status_code": str(code)}
    if version is not None:
        tags["version"] = version
    if error is not None or code >= 500:
        tags["error"] = error or str(code)
    return tags


def request_headers(request: Any) -> dict:
    """A request's headers, names in lower case, first value of each."""
    return {
        name.decode("latin-1").lower(): values[0].decode("latin-1")
        for name, values in request.requestHeaders.getAllRawHeaders()
    }


def local_address(request: Any) -> str:
    """``host:port`` this server was reached on, to call itself back."""
    address = request.getHost()
    host = f"[{address.host}]" if ":" in address.host else address.host
    return f"{host}:{address.port}"


def write_json(request: Any, code: int, body: Any, headers: tuple = ()) -> None:
    request.setResponseCode(code)
    for name, value in headers:
        request.setHeader(name.encode("ascii"), value.encode("utf-8"))
    request.setHeader(b"content-type", b"application/json")
    request.write(json.dumps(body, separators=(",", ":")).encode("utf-8"))
    request.finish()


def decoded_path(segments: list) -> str:
    return "/" + "/".join(s.decode("utf-8", "replace") for s in segments)


class _NodeResource(Resource):
    """Serves mesh nodes from a path; subclasses say which service and path."""

    isLeaf = True

    def __init__(self, runtime: MeshRuntime) -> None:
        super().__init__()
        self.runtime = runtime

    def serve_node(self, request: Any, service: str, path: str) -> Any:
        finished: list = []
        request.notifyFinish().addBoth(finished.append)
        method = request.method.decode("ascii", "replace").upper()
        answering = ensureDeferred(self.runtime.serve(
            service, method, path, request_headers(request), local_address(request)))

        def answer(result: tuple) -> None:
            if not finished:
                node, headers = result
                write_json(request, node["code"], node, headers)

        def broken(failure: Any) -> None:
            log.failure("The mesh failed answering {path}", failure, path=path)
            if not finished:
                write_json(request, 500, {"error": "Mimic failed unexpectedly; see its log."})

        answering.addCallbacks(answer, broken)
        return NOT_DONE_YET


class EmbeddedMeshResource(_NodeResource):
    """``/mesh/<service>/<path>``: every service of the mesh in this process."""

    def render(self, request: Any) -> Any:
        if not request.postpath or not request.postpath[0]:
            services = sorted(self.runtime.state().mesh.services)
            return json_response(request, {"services": services})
        service = request.postpath[0].decode("utf-8", "replace")
        return self.serve_node(request, service, decoded_path(request.postpath[1:]))


class StandaloneServiceResource(_NodeResource):
    """``/``: one service of the mesh, alone, as a pod (``--mesh-service``)."""

    def render(self, request: Any) -> Any:
        path = decoded_path(request.postpath)
        service = self.runtime.config.standalone
        if path in ("/health", "/ready"):
            return json_response(request, {"status": "UP", "service": service})
        return self.serve_node(request, service, path)


class MetricsResource(Resource):
    """
    ``GET /metrics``: the store's registry in Prometheus text format (or
    OpenMetrics, when the scraper's ``Accept`` asks for it).
    """

    isLeaf = True

    def __init__(self, runtime: MeshRuntime) -> None:
        super().__init__()
        self.runtime = runtime

    def render_GET(self, request: Any) -> bytes:
        self.runtime.metrics()  # Istio's metrics show before the first call
        accept = (request.getHeader(b"accept") or b"").decode("latin-1")
        encode, content_type = choose_encoder(accept)
        request.setHeader(b"content-type", content_type.encode("ascii"))
        return encode(metrics_of(self.runtime.core.store).registry)


def mesh_error_body(error: RequestError) -> dict:
    """The control plane's error shape, with where a mesh document is wrong."""
    body = {"code": error.code, "message": error.message}
    if error.details:
        body.update(error.details)
    return {error.kind: body}


class MeshControlApi:
    """``/mimic/v1.1/mesh``: the mesh's documents and its traces."""

    app = Klein()

    def __init__(self, runtime: MeshRuntime) -> None:
        self.runtime = runtime

    def _documents(self, request: Any) -> list:
        raw = request.content.read() if request.content is not None else b""
        content_type = (request.getHeader(b"content-type") or b"").decode("latin-1")
        try:
            return parse_request_body(raw, content_type.lower())
        except MeshError as error:
            raise RequestError(400, error.describe(), details=error.location()) from None

    def _replace(self, request: Any, mesh_of: Any) -> bytes:
        state = self.runtime.state()
        try:
            mesh = mesh_of(state.mesh, self._documents(request))
        except MeshError as error:
            raise RequestError(400, error.describe(), details=error.location()) from None
        for warning in mesh.unknown_kinds():
            log.warn("Mesh: {warning}", warning=warning)
        state.replace(mesh)
        return json_response(request, mesh.to_json())

    @app.route("/", methods=["GET"])
    def show(self, request: Any) -> bytes:
        return json_response(request, self.runtime.state().mesh.to_json())

    @app.route("/", methods=["POST"])
    def replace(self, request: Any) -> bytes:
        return self._replace(request, lambda old, docs: Mesh.build(docs))

    @app.route("/", methods=["PATCH"])
    def patch(self, request: Any) -> bytes:
        return self._replace(request, lambda old, docs: old.patched(docs))

    @app.route("/", methods=["DELETE"])
    def clear(self, request: Any) -> bytes:
        self.runtime.state().replace(Mesh())
        return empty_response(request)

    @app.route("/traces", methods=["GET"])
    def traces(self, request: Any) -> bytes:
        limit = _query(request, b"limit")
        trace_id = _query(request, b"traceId")
        count = query_integer(limit, "limit", 10, minimum=1,
                              message="'limit' must be a positive integer.")
        found = self.runtime.state().traces.traces(count, trace_id)
        return json_response(request, [[s.to_zipkin() for s in t] for t in found])

    @app.route("/traces/<trace_id>", methods=["GET"])
    def trace(self, request: Any, trace_id: str) -> bytes:
        spans = self.runtime.state().traces.trace(trace_id)
        if spans is None:
            raise RequestError(404, f"No trace {trace_id} is recorded.")
        return json_response(request, [s.to_zipkin() for s in spans])


install_error_handlers(MeshControlApi.app, mesh_error_body)


class ControlRoot(Resource):
    """
    The control API's mount: ``/mimic/v1.1/mesh`` and ``/mimic/v1.1/mesh/``
    are the same resource (Klein alone would see an empty path as another).
    """

    isLeaf = True

    def __init__(self, runtime: MeshRuntime) -> None:
        super().__init__()
        self.api = MeshControlApi(runtime).app.resource()

    def render(self, request: Any) -> Any:
        if not request.postpath:
            request.postpath = [b""]
        return self.api.render(request)


def _query(request: Any, name: bytes) -> Optional[str]:
    return query_text(request, name.decode("ascii"), first=True)
