"""
The mesh over HTTP: services answering at ``/mesh/<service>/<path>``
(embedded) or at ``/`` (a standalone pod, ``--mesh-service``), their real
upstream calls, ``/metrics``, and the control API at ``/mimic/v1.1/mesh``
(the documents, traces as Zipkin v2 JSON, the observed graph, probes).
What a node does, and in which time, is :mod:`mimic.rest.mesh_runtime`'s.
"""

from __future__ import annotations

from typing import Any, Optional

from klein import Klein
from prometheus_client.exposition import choose_encoder
from twisted.internet.defer import CancelledError, ensureDeferred
from twisted.logger import Logger
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET

from mimic.metrics import metrics_of
from mimic.model.mesh.calls import encode_tree
from mimic.model.mesh.documents import Mesh, MeshError, parse_request_body
from mimic.model.mesh.graph import to_dot
from mimic.model.mesh.traffic import Endpoint
from mimic.rest.http import (
    RequestError,
    empty_response,
    install_error_handlers,
    json_response,
    query_integer,
    query_text,
    read_json,
)
from mimic.rest.mesh_runtime import (  # noqa: F401 - the mesh's runtime, re-exported
    MeshConfig,
    MeshRuntime,
    NodeWork,
)
from mimic.rest.mesh_sidecar import cluster_name

log = Logger()

#: How many header names a :class:`_NodeResource` keeps decoded (names
#: are client input); past it the store starts again empty.
MAX_NAMES = 1024


def request_headers(request: Any, names: Optional[dict] = None) -> dict:
    """
    A request's headers, names in lower case, first value of each.
    ``names`` keeps the names decoded, by their bytes as Twisted holds them:
    the same few come with every hop.
    """
    names = {} if names is None else names
    headers = {}
    for name, values in request.requestHeaders.getAllRawHeaders():
        text = names.get(name)
        if text is None:
            if len(names) >= MAX_NAMES:
                names.clear()
            text = names[name] = name.decode("latin-1").lower()
        headers[text] = values[0].decode("latin-1")
    return headers


def local_address(request: Any) -> tuple:
    """``(host, port)`` this server was reached on, to call itself back."""
    address = request.getHost()
    return address.host, address.port


def write_json(request: Any, code: int, body: Any, headers: tuple = ()) -> None:
    request.setResponseCode(code)
    for name, value in headers:
        request.setHeader(name.encode("ascii"), value.encode("utf-8"))
    request.setHeader(b"content-type", b"application/json")
    encoded = encode_tree(body)
    # A length, not chunks: the caller's Agent then reads the body in one
    # piece instead of running Twisted's chunked decoder on every hop.
    request.setHeader(b"content-length", b"%d" % len(encoded))
    request.write(encoded)
    request.finish()


def decoded_path(segments: list) -> str:
    return "/" + "/".join(s.decode("utf-8", "replace") for s in segments)


class _NodeResource(Resource):
    """Serves mesh nodes from a path; subclasses say which service and path."""

    isLeaf = True

    def __init__(self, runtime: MeshRuntime) -> None:
        super().__init__()
        self.runtime = runtime
        self.header_names: dict = {}

    def serve_node(self, request: Any, service: str, path: str) -> Any:
        lost: list = []
        work = NodeWork()

        def gone(reason: Any) -> None:
            # The client went away before the answer: end what it waited for.
            lost.append(reason)
            if work.pending:
                self.runtime.metrics().cancelled.inc(len(work.pending))
                work.cancel()

        # Every request is a MimicRequest (MimicSite's requestFactory): told
        # of a lost connection without a notifyFinish Deferred per request.
        request.when_lost = gone
        method = request.method.decode("ascii", "replace").upper()
        query = request.uri.partition(b"?")[2].decode("ascii", "replace")
        if query:
            path = f"{path}?{query}"
        answering = ensureDeferred(self.runtime.serve(
            service, method, path, request_headers(request, self.header_names),
            local_address(request), work))

        def answer(result: tuple) -> None:
            if not lost:
                node, headers = result
                write_json(request, node["code"], node, headers)

        def broken(failure: Any) -> None:
            if lost and failure.check(CancelledError):
                return  # the client went away and the node's calls were ended
            log.failure("The mesh failed answering {path}", failure, path=path)
            if not lost:
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
            code = probe_code(self.runtime, service, path[1:])
            return json_response(request, {"status": "UP" if code < 400 else "DOWN",
                                           "service": service}, code)
        return self.serve_node(request, service, path)


def probe_code(runtime: MeshRuntime, service: str, probe: str) -> int:
    """What ``/health`` or ``/ready`` answers: set at run time, else in ``spec.health``."""
    state = runtime.state()
    if (service, probe) in state.probes:
        return state.probes[(service, probe)]
    versions = state.mesh.versions_of(service)
    return dict(versions[0].health).get(probe, 200) if versions else 200


def refresh_gauges(runtime: MeshRuntime) -> None:
    """Ejections end on Mimic's clock: the gauge is read when it is scraped."""
    state = runtime.state()
    gauge = runtime.metrics().ejections
    now = runtime.mimic_now()
    for service in state.mesh.policies.destination_rules:
        if service in state.mesh.services:
            gauge.labels(cluster_name(service, 8080, None)).set(
                state.traffic.ejections_active(service, now))


def graph_of(runtime: MeshRuntime) -> dict:
    state = runtime.state()
    now = runtime.mimic_now()
    nodes = [
        {"service": name, "version": v.version, "replica": r, "workload": v.workload,
         "ejected": state.traffic.ejected(Endpoint(name, v.version, r), now)}
        for name, versions in sorted(state.mesh.services.items())
        for v in versions for r in range(v.replicas)
    ]
    return state.graph.to_json(nodes)


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
        refresh_gauges(self.runtime)
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
        for warning in mesh.warnings():
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

    @app.route("/graph", methods=["GET"])
    def graph(self, request: Any) -> bytes:
        graph = graph_of(self.runtime)
        form = _query(request, b"format") or "json"
        if form == "dot":
            request.setHeader(b"content-type", b"text/vnd.graphviz; charset=utf-8")
            return to_dot(graph).encode("utf-8")
        if form != "json":
            raise RequestError(400, "'format' is json or dot.")
        return json_response(request, graph)

    @app.route("/probes/<service>", methods=["GET"])
    def probes(self, request: Any, service: str) -> bytes:
        return json_response(request, {p: probe_code(self.runtime, service, p)
                                       for p in ("health", "ready")})

    @app.route("/probes/<service>", methods=["PUT"])
    def set_probes(self, request: Any, service: str) -> bytes:
        body = read_json(request)
        state = self.runtime.state()
        for probe, code in body.items():
            if probe not in ("health", "ready"):
                raise RequestError(400, f"{probe!r}: the probes are health and ready.")
            if isinstance(code, bool) or not isinstance(code, int) or not 200 <= code <= 599:
                raise RequestError(400, f"{probe}: a status code from 200 to 599.")
        if service not in state.mesh.services and service not in self.runtime.config.names:
            raise RequestError(404, f"No service {service!r} in the mesh.")
        for probe, code in body.items():
            state.probes[(service, probe)] = code
        return json_response(request, {p: probe_code(self.runtime, service, p)
                                       for p in ("health", "ready")})

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
