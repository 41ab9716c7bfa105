"""
The mesh node at work: what one service answers to one request, in
simulated or real time, with its own behaviour (latency, errors, fail),
its upstream calls (made by the caller's sidecar,
:mod:`mimic.rest.mesh_sidecar`, which applies the Istio policies), its
SERVER span and its destination metrics.

Time: unless Mimic runs ``--realtime`` (or as a standalone pod), a node's
``start`` and ``duration_ms`` are *simulated*: the root starts at Mimic's
clock, parallel calls start at the same simulated instant, sequential ones
add up, latencies and injected delays add to durations and nothing waits.
Calls are still real HTTP requests; the caller tells the callee its
simulated start (``x-mimic-mesh-start``) and reads the callee's simulated
duration from its node. With ``--realtime`` delays are real waits and
durations are measured on the reactor.
"""

from __future__ import annotations

import zlib
from typing import Any, Mapping, Optional

import attrs
from twisted.internet.defer import CancelledError, Deferred, DeferredSemaphore, gatherResults
from twisted.internet.task import deferLater

from mimic.metrics import metrics_of
from mimic.model.mesh.calls import (
    MAX_CALLS_PER_REQUEST,
    MAX_HOPS,
    MAX_PARALLEL_CALLS,
    BadHopHeader,
    Node,
    Plan,
    PlanCache,
    failed,
    node_summary,
    plan_calls,
    read_count,
    share_budget,
)
from mimic.model.mesh.documents import Mesh, ServiceVersion
from mimic.model.mesh.headers import (
    BUDGET,
    ENDPOINT,
    HOPS,
    MESH,
    NODE_SUMMARY,
    SOURCE_VERSION,
    SOURCE_WORKLOAD,
    START,
    WORKLOAD,
    traced,
    unfold,
)
from mimic.model.mesh.metrics import IstioMetrics, Workload
from mimic.model.mesh.state import Instance, MeshState
from mimic.model.mesh.tracing import (
    TRACE_HEADERS,
    Span,
    StartStamps,
    TraceContext,
    derived_span_id,
    incoming_context,
    seeded_random,
    span_tags,
)
from mimic.rest.mesh_client import CALL_TIMEOUT, CONNECT_TIMEOUT, MeshHttpClient, ZipkinReporter
from mimic.rest.mesh_sidecar import PerMesh, Sidecar, remember
from mimic.util import IdSource

#: The latest simulated instant a node may be told to start at (the year
#: 3000), in µs: a tree adds at most decades to it (1000 calls of at most
#: 11 tries of 24 h), so every time it shows stays within what ISO 8601
#: timestamps can write.
MAX_START_US = 32_503_680_000 * 1_000_000


@attrs.frozen
class MeshConfig:
    """
    The mesh's command-line configuration: the mesh the ``--mesh`` files
    declare (what reset goes back to), the service of a standalone pod,
    where upstreams are reached (``--mesh-resolve``), the Zipkin collector,
    the call and connect timeouts, and the pod's own name
    (``--mesh-instance``).
    """

    startup: Mesh = Mesh()
    standalone: Optional[str] = None
    resolve: Mapping[str, tuple] = attrs.field(factory=dict)
    zipkin: Optional[str] = None
    timeout: float = CALL_TIMEOUT
    connect_timeout: float = CONNECT_TIMEOUT
    instance: Optional[str] = None

    @property
    def names(self) -> frozenset:
        """Services known from the command line (a pod's own, its upstreams)."""
        return frozenset(self.resolve) | ({self.standalone} if self.standalone else set())


def mesh_seed(seed: int, service: Optional[str], instance: Optional[str] = None) -> int:
    """
    The seed of the mesh's ids and draws. Pods of one mesh usually run with
    the same ``--seed``; mixing in the service name keeps their ids apart,
    and the pod's own name (``--mesh-instance``, the replicas of a
    Deployment differ only there) keeps replicas apart.
    """
    name = (service or "") + (f"/{instance}" if instance else "")
    return seed * 1_000_003 + zlib.crc32(name.encode("utf-8"))


class NodeWork:
    """
    The upstream calls of one node in progress: at most
    :data:`MAX_PARALLEL_CALLS` in flight (the rest queue), and all of them
    cancelled when the node's client goes away, so that work nobody waits
    for stops (each cancelled call aborts its connection, and the callee
    then cancels its own calls in turn).
    """

    def __init__(self) -> None:
        self.slots = DeferredSemaphore(MAX_PARALLEL_CALLS)
        self.pending: set = set()
        self.cancelled = False

    async def acquire(self) -> None:
        if self.slots.tokens and not self.cancelled:
            # A free slot: taken at once, without a Deferred to wait on.
            self.slots.tokens -= 1
            return
        await self.track(self.slots.acquire())

    async def track(self, waiting: Deferred) -> Any:
        if self.cancelled:
            waiting.cancel()
            raise CancelledError()
        self.pending.add(waiting)
        try:
            result = await waiting
        finally:
            self.pending.discard(waiting)
        if self.cancelled:
            raise CancelledError()
        return result

    def cancel(self) -> None:
        self.cancelled = True
        for waiting in list(self.pending):
            waiting.cancel()


@attrs.frozen
class Caller:
    """What a node's sidecar needs to make its calls: who and where it is."""

    me: Workload
    context: TraceContext
    span_id: str
    local: tuple
    work: NodeWork
    headers: Mapping[str, str]
    start_us: int
    #: The mesh's state, read once for the request (see MeshRuntime.state).
    state: MeshState


def _instance(state: MeshState, service: str, value: Optional[str]) -> Optional[Instance]:
    """The endpoint a caller's balancer chose (``v2#1``), if the mesh has it."""
    if not value:
        return None
    version, _, replica = value.rpartition("#")
    for candidate in state.mesh.versions_of(service):
        if (candidate.version or "-") == version and replica.isascii() \
                and replica.isdigit() and len(replica) < 10 \
                and int(replica) < candidate.replicas:
            return Instance(candidate, int(replica))
    return None


#: The longest workload, version and service names (together) whose
#: metric labels :meth:`MeshRuntime.known` keeps (at most MAX_REMEMBERED sets).
KNOWN_KEY_CHARS = 256


class MeshRuntime:
    """
    The mesh of one core: serves a node for a request, its sidecar making
    its upstream calls, recording its span and metrics. State (documents,
    balancers, traces, metrics) is read from ``core.store`` per request,
    so reset forgets it; the HTTP client and the Zipkin reporter are
    plumbing and stay.
    """

    def __init__(self, core: Any, config: MeshConfig, reactor: Any,
                 client: MeshHttpClient, reporter: Optional[ZipkinReporter] = None) -> None:
        self.core = core
        self.config = config
        self.reactor = reactor
        self.client = client
        self.reporter = reporter
        self.seed = mesh_seed(core.seed, config.standalone, config.instance)
        #: Simulated time: not ``--realtime``, and not a standalone pod
        #: (both fixed when Mimic starts).
        self.simulated = not core.realtime and config.standalone is None
        #: Every node's and span's ``start``, formatted.
        self.start_stamp = StartStamps()
        self.sidecar = Sidecar(self)
        #: Cascade plans by path: they depend on the path alone, so reset
        #: keeps them.
        self.plans = PlanCache()
        #: :meth:`known`'s answers for the mesh they were made from (twice
        #: a hop, and the same few names every time).
        self._known = PerMesh()

    def state(self) -> MeshState:
        return self.core.store.data_for_api("mesh", lambda: MeshState(
            mesh=self.config.startup, ids=IdSource(self.seed)))

    def metrics(self) -> IstioMetrics:
        store = self.core.store
        return store.data_for_api(("mesh", "metrics"),
                                  lambda: IstioMetrics(metrics_of(store).registry))

    def now(self) -> float:
        """The real clock (the reactor), for real durations."""
        return self.reactor.seconds()

    def mimic_now(self) -> float:
        """Mimic's clock: ejections end on it, and a root node starts at it."""
        return self.core.clock.seconds()

    def wait(self, milliseconds: float) -> Any:
        """A real wait (``--realtime``); None (nothing to wait for) when simulated."""
        if self.simulated or milliseconds <= 0:
            return None
        return deferLater(self.reactor, milliseconds / 1000.0, lambda: None)

    def known(self, workload: Optional[str], version: Optional[str],
              service: Optional[str] = None, state: Optional[MeshState] = None) -> Workload:
        """The metric labels of a workload (see ``Mesh.known_workload``)."""
        mesh = (state or self.state()).mesh
        kept = self._known.of(mesh)
        key = (workload, version, service)
        found = kept.get(key)
        if found is None:
            found = mesh.known_workload(workload, version, service, also=self.config.names)
            if len(workload or "") + len(version or "") + len(service or "") <= KNOWN_KEY_CHARS:
                # Names come from headers: only short ones are kept.
                remember(kept, key, found)
        return found

    def _start_us(self, headers: Mapping[str, str]) -> int:
        if self.simulated:
            value = headers.get(START, "")
            if value.isascii() and value.isdigit() and len(value) <= 18 \
                    and int(value) <= MAX_START_US:
                return int(value)
            return int(self.mimic_now() * 1_000_000)
        return int(self.now() * 1_000_000)

    async def serve(self, service: str, method: str, path: str, headers: dict,
                    local: tuple, work: Optional[NodeWork] = None) -> tuple:
        """
        The node ``service`` answers to ``method path`` (``headers`` lower
        case, ``local`` this server's ``(host, port)`` for embedded calls), and
        the extra response headers its endpoint declares. ``work`` tracks
        the node's upstream calls so that they end when its client goes.
        """
        work = work if work is not None else NodeWork()
        real_start = self.now()
        state = self.state()
        try:
            internal, refusal = unfold(headers), None
        except ValueError as error:
            internal, refusal = {}, str(error)
        headers = traced(headers, internal)
        context = incoming_context(headers, state.ids)
        span_id = derived_span_id(self.seed, context.trace_id, context.parent_id,
                                  context.request_id, service)
        rng = seeded_random(self.seed, context.trace_id, span_id)
        start_us = self._start_us(internal)
        instance = _instance(state, service, internal.get(ENDPOINT)) \
            if self.config.standalone is None else None
        if instance is None:
            instance = state.instance_of(service, standalone=self.config.standalone is not None)
        latency_ms = 0.0
        try:
            if refusal is not None:
                raise BadHopHeader(refusal)
            hops = read_count(internal.get(HOPS), HOPS, 0)
            budget = min(read_count(internal.get(BUDGET), BUDGET, MAX_CALLS_PER_REQUEST),
                         MAX_CALLS_PER_REQUEST)
        except BadHopHeader as error:
            hops, budget = 0, 0
            plan = Plan(code=400, error=str(error))
        else:
            if instance is None:
                plan = Plan(code=404, error=f"no service {service!r} in the mesh")
            elif hops >= MAX_HOPS:
                plan = Plan(code=508, error=f"the call chain is {hops} calls deep; "
                            "services may be calling each other in a circle")
            else:
                plan = plan_calls(instance.version, method, path, self.plans)
                plan, latency_ms = self._own_behaviour(state, instance.version, method, path,
                                                       plan, rng)
        me = Workload.of(instance.version.workload, instance.version.version, service) \
            if instance is not None else Workload()
        children: list = []
        elapsed_ms = 0.0
        if plan.error is None and plan.steps:
            caller = Caller(me=me, context=context, span_id=span_id, local=local, work=work,
                            headers={SOURCE_WORKLOAD: me.workload, SOURCE_VERSION: me.version,
                                     HOPS: str(hops + 1)},
                            start_us=start_us, state=state)
            children, elapsed_ms = await self._run_steps(plan, budget, caller)
        if latency_ms:
            waiting = self.wait(latency_ms)
            if waiting is not None:
                await work.track(waiting)
        code = plan.code if plan.error is not None else plan.final_code(
            [c for c in children if not c.get("mirrored")])
        error = plan.error
        if error is None and code == 502:
            bad = ", ".join(f"{c['service']} ({c['code']})" for c in children
                            if failed(c) and not c.get("mirrored"))
            error = f"upstream calls failed: {bad}"
        if self.simulated:
            duration_ms = elapsed_ms + latency_ms
        else:
            duration_ms = (self.now() - real_start) * 1000
        node = Node(
            service=service,
            version=instance.version.version if instance is not None else None,
            replica=instance.replica if instance is not None else None,
            method=method, path=path, code=code,
            start=self.start_stamp(start_us), duration_ms=round(duration_ms, 3),
            trace_id=context.trace_id, span_id=span_id,
            headers={name: headers[name] for name in TRACE_HEADERS if name in headers},
            upstream_calls=children, error=error,
            body=plan.response.body if plan.response is not None and error is None else None,
        ).to_json()
        node["time"] = "simulated" if self.simulated else "real"
        self.record_span(Span(
            trace_id=context.trace_id, id=span_id, parent_id=context.parent_id,
            name=f"{method} {path}".lower(), kind="SERVER", service=service,
            timestamp_us=start_us, duration_us=int(duration_ms * 1000),
            tags=span_tags(method, path, code, node["version"], error),
        ), context, state)
        source = self.known(internal.get(SOURCE_WORKLOAD), internal.get(SOURCE_VERSION),
                            state=state)
        self.metrics().record("destination", source, me, code, duration_ms)
        extra = plan.response.headers if plan.response is not None else ()
        if MESH in headers:
            # Called by a Mimic's sidecar: what it decides on, so that it can
            # nest this node as it is encoded.
            return node, (*extra, (WORKLOAD, me.workload), (NODE_SUMMARY, node_summary(node)))
        return node, (*extra, (WORKLOAD, me.workload))

    def _own_behaviour(self, state: MeshState, version: ServiceVersion, method: str,
                       path: str, plan: Plan, rng: Any) -> tuple:
        """The plan after the endpoint's own ``fail``/``errors``, and its latency."""
        if plan.error is not None:
            return plan, 0.0
        endpoint = None if plan.steps and not version.endpoints else \
            version.endpoint_for(method, path)
        behaviour = version.behaviour_for(endpoint)
        count = state.traffic.count_request(
            version.service, version.version, endpoint.path if endpoint else "*")
        latency_ms = behaviour.latency.draw(rng) if behaviour.latency is not None else 0.0
        failure = behaviour.failure(count, rng)
        if failure is not None:
            code, why = failure
            return Plan(code=code, error=f"failed by itself ({why})"), latency_ms
        return plan, latency_ms

    async def _run_steps(self, plan: Plan, budget: int, caller: Caller) -> tuple:
        """
        Make the plan's calls, step by step; the children and the simulated
        time they took (a step takes as long as its slowest call).
        """
        planned = sum(len(step) for step in plan.steps)
        allowed, passed_on = share_budget(budget, planned)
        children: list = []
        elapsed_ms = 0.0
        made = 0
        for step in plan.steps:
            start_us = caller.start_us + int(elapsed_ms * 1000)
            if len(step) == 1:
                # One call (a chain, an endpoint's connections): awaited as
                # it is, without a Deferred per call and a DeferredList.
                made += 1
                outcomes = [await self.sidecar.make(step[0], made - 1, caller, passed_on,
                                                    start_us, refused=made > allowed)]
            else:
                calls = []
                for call in step:
                    index = made
                    made += 1
                    calls.append(self.sidecar.call(call, index, caller, passed_on, start_us,
                                                   refused=made > allowed))
                outcomes = await gatherResults(calls)
            children.extend(node for node, _ in outcomes)
            elapsed_ms += max((ms for node, ms in outcomes if not node.get("mirrored")),
                              default=0.0)
        return children, elapsed_ms

    def record_span(self, span: Span, context: TraceContext,
                    state: Optional[MeshState] = None) -> None:
        (state or self.state()).traces.record(span)
        if self.reporter is not None and context.sampled:
            self.reporter.add(span.to_zipkin())
