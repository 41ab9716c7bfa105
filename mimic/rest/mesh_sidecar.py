"""
The caller's sidecar: how one planned upstream call is made under the
mesh's Istio policies, as Envoy in the caller's pod would make it.

For a call to service S: the first route of S's ``VirtualService`` whose
match holds picks a destination (by weight) and maybe a subset, rewrites
the path and headers, may inject a fault (delay, abort) and may mirror the
call; S's ``DestinationRule`` picks the endpoint (version x replica) with
its balancer among the subset's, skipping ejected ones (``UH`` when none is
left), and admits the call to its connection pool (``UO`` past it). Each
try is one real HTTP call with a CLIENT span; ``timeout`` and
``perTryTimeout`` are compared with the tries' simulated durations (or are
real timeouts with ``--realtime``); ``retries`` repeat a try whose outcome
its ``retryOn`` names, up to ``attempts`` more times (``URX`` when they run
out). Every decision shows in the child node: ``attempts``,
``response_flags``, ``subset``, ``mirrored``.
"""

from __future__ import annotations

from typing import Any, Optional

from twisted.internet.defer import Deferred, ensureDeferred, succeed

from mimic.model.mesh.calls import (
    MAX_CALLS_PER_REQUEST,
    Node,
    UpstreamCall,
    encoded_child,
    failed,
    upstream_node,
)
from mimic.model.mesh.destination_rule import TrafficPolicy
from mimic.model.mesh.headers import (
    BUDGET,
    ENDPOINT,
    HOPS,
    MESH,
    SOURCE_VERSION,
    SOURCE_WORKLOAD,
    START,
    fold,
)
from mimic.model.mesh.tracing import (
    Span,
    TraceContext,
    derived_span_id,
    outgoing_headers,
    seeded_random,
    span_tags,
)
from mimic.model.mesh.traffic import Endpoint
from mimic.model.mesh.virtual_service import Destination, HttpRoute
from mimic.rest.mesh_client import UpstreamFailed, quote_path

#: Envoy's flags for what happened to a call (its access log's %RESPONSE_FLAGS%).
DELAY_INJECTED, FAULT_INJECTED = "DI", "FI"
UPSTREAM_TIMEOUT, OVERFLOW, NO_HEALTHY, RETRY_LIMIT = "UT", "UO", "UH", "URX"
CONNECT_FAILURE, NO_ROUTE, RESET = "UF", "NR", "UR"


def cluster_name(service: str, port: int, subset: Optional[str]) -> str:
    """The Envoy cluster of a destination, as Istio names it."""
    return f"outbound|{port}|{subset or ''}|{service}"


#: The policy of a destination no DestinationRule names, and the route of a
#: mirrored call (it follows no route of its own).
NO_POLICY = TrafficPolicy()
MIRROR_ROUTE = HttpRoute(name=None, matches=(), destinations=())

#: How many services' default routes, endpoints and call targets a sidecar
#: keeps (service names and paths come from cascades, i.e. from clients);
#: past it each store starts again empty.
MAX_REMEMBERED = 1024


def remember(store: dict, key: Any, value: Any) -> Any:
    """``store[key] = value``, the store emptied first when it holds MAX_REMEMBERED."""
    if len(store) >= MAX_REMEMBERED:
        store.clear()
    store[key] = value
    return value


class PerMesh:
    """
    What depends on the mesh alone, kept until the mesh is replaced: the
    store :meth:`of` gives is emptied when it is asked for another mesh
    (fill it with :func:`remember`, which bounds it).
    """

    def __init__(self) -> None:
        self._kept: dict = {}
        self._mesh: Any = None

    def of(self, mesh: Any) -> dict:
        if mesh is not self._mesh:
            self._kept, self._mesh = {}, mesh
        return self._kept


class Sidecar:
    """Makes a node's upstream calls for the :class:`~mimic.rest.mesh_runtime.MeshRuntime`."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        #: What a call decides the same way every time, made once: the
        #: route of a service no VirtualService names (by service), the
        #: endpoints of a destination (by mesh, service and subset), and
        #: the percent-encoded target of a path.
        self._default_routes: dict = {}
        self._endpoints = PerMesh()
        self._targets: dict = {}

    def call(self, call: UpstreamCall, index: int, caller: Any, budget: int,
             start_us: int, refused: bool = False) -> Deferred:
        """
        ``(node, simulated milliseconds)`` of one planned call. Everything up
        to the first try is decided before this returns, so the calls of a
        parallel step take their pool slots and balancer turns in plan order.
        """
        if refused:
            return succeed(self._refused(call, index, caller, start_us))
        return ensureDeferred(self._call(call, index, caller, budget, start_us))

    async def make(self, call: UpstreamCall, index: int, caller: Any, budget: int,
                   start_us: int, refused: bool = False) -> tuple:
        """:meth:`call` as a coroutine, for a step of one call (nothing to order)."""
        if refused:
            return self._refused(call, index, caller, start_us)
        return await self._call(call, index, caller, budget, start_us)

    def _refused(self, call: UpstreamCall, index: int, caller: Any, start_us: int) -> tuple:
        node = self.failed_node(call, 503, "not called: this request already made the "
                                "most upstream calls one request may make "
                                f"({MAX_CALLS_PER_REQUEST})", start_us, caller, index, 1)
        return node, 0.0

    async def _call(self, call: UpstreamCall, index: int, caller: Any, budget: int,
                    start_us: int) -> tuple:
        runtime = self.runtime
        state = caller.state
        rng = seeded_random(runtime.seed, caller.context.trace_id, caller.span_id, index)
        policies = state.mesh.policies
        service = policies.virtual_service(call.service)
        route = service.route_for(call.method, call.path,
                                  {**caller.headers, **dict(call.headers)}) \
            if service else None
        if route is None:
            route = self._default_routes.get(call.service)
            if route is None:
                route = remember(self._default_routes, call.service, HttpRoute(
                    name=None, matches=(), destinations=(Destination(call.service),)))
        destination = route.pick(rng)
        # What the app's cascade added, changed by the route's header rules:
        # shown in the callee's node, as what its caller added.
        operations = route.request_headers
        if operations.set or operations.add or operations.remove:
            added = operations.apply(dict(call.headers))
        else:
            added = dict(call.headers)
        path = route.rewritten(call.path)
        port = destination.port or call.port
        headers_added = tuple(added.items())
        if destination.service != call.service or port != call.port or path != call.path \
                or headers_added != call.headers:
            call = UpstreamCall(service=destination.service, port=port, path=path,
                                method=call.method, headers=headers_added)
        headers = {**caller.headers, **added} if added else caller.headers
        rule = policies.destination_rule(destination.service)
        policy = rule.policy_for(destination.subset) if rule is not None else NO_POLICY
        mirror = None
        if route.mirror is not None and rng.random() < route.mirror_share:
            mirrored = UpstreamCall(service=route.mirror.service,
                                    port=route.mirror.port or call.port, path=call.path,
                                    method=call.method, headers=call.headers)
            mirror = ensureDeferred(self._tries(
                mirrored, Destination(route.mirror.service, route.mirror.subset),
                MIRROR_ROUTE, NO_POLICY,
                {**headers, "x-envoy-internal": "true"}, index + 10_000, caller, budget,
                start_us, rng))
        try:
            outcome = await self._tries(call, destination, route, policy, headers, index,
                                        caller, budget, start_us, rng)
        except BaseException:
            if mirror is not None:
                mirror.addErrback(lambda failure: None)  # ended with the call
            raise
        if mirror is not None:
            shadow, _ = await mirror
            shadow["mirrored"] = True
            outcome[0].setdefault("mirrors", []).append(shadow)
        return outcome

    def endpoints(self, destination: Destination, state: Any) -> Optional[list]:
        """
        The endpoints of a destination's subset; None if the subset is
        unknown. They depend on the mesh alone, so they are made once per
        mesh (the list is shared: callers read it, never change it).
        """
        kept = self._endpoints.of(state.mesh)
        key = (destination.service, destination.subset)
        try:
            return kept[key]
        except KeyError:
            return remember(kept, key, self._endpoints_of(destination, state))

    def _endpoints_of(self, destination: Destination, state: Any) -> Optional[list]:
        versions = state.mesh.versions_of(destination.service)
        if destination.subset is not None:
            rule = state.mesh.policies.destination_rule(destination.service)
            subset = rule.subset(destination.subset) if rule is not None else None
            if subset is None:
                return None
            versions = tuple(v for v in versions if subset.selects(v.label_map))
        return [Endpoint(v.service, v.version, r) for v in versions for r in range(v.replicas)]

    async def _tries(self, call: UpstreamCall, destination: Destination, route: HttpRoute,
                     policy: TrafficPolicy, headers: dict, index: int, caller: Any,
                     budget: int, start_us: int, rng: Any) -> tuple:
        runtime = self.runtime
        retries = route.retries
        most = 1 + (retries.attempts if retries is not None else 0)
        extra_codes = frozenset(
            int(code) for code in headers["x-envoy-retriable-status-codes"].split(",")
            if code.strip().isascii() and code.strip().isdigit() and len(code) < 10
            and 100 <= int(code) <= 599) if "x-envoy-retriable-status-codes" in headers \
            else frozenset()
        tries: list = []
        elapsed_ms = 0.0
        node: dict = {}
        retry_reason = None
        for number in range(1, most + 1):
            remaining = None if route.timeout_ms is None else route.timeout_ms - elapsed_ms
            per_try = retries.per_try_timeout_ms if retries is not None else None
            limit = min((t for t in (remaining, per_try) if t is not None), default=None)
            node, took, failure = await self._try(
                call, destination, route, policy, headers, index, number, caller, budget,
                start_us + int(elapsed_ms * 1000), rng, limit,
                per_try=per_try is not None and (remaining is None or per_try < remaining))
            elapsed_ms += took
            tries.append(node)
            if failure == "timeout":
                # The route's timeout ran out: no more tries (Envoy's UT).
                retry_reason = None
                break
            retry_reason = retries.retriable(node["code"], failure, extra_codes) \
                if retries is not None else None
            if retry_reason is None or number == most:
                break
            node["retried"] = retry_reason
        flags = list(node.get("response_flags", []))
        if retry_reason is not None and len(tries) == most and most > 1:
            flags.append(RETRY_LIMIT)
        final = node.copy()
        final["response_flags"] = flags
        if len(tries) > 1:
            final["attempts"] = tries[:-1]
        final["try"] = len(tries)
        operations = route.response_headers
        if operations.set or operations.add or operations.remove:
            final["response_headers"] = operations.apply(final.get("response_headers", {}))
        if destination.subset is not None:
            final["subset"] = destination.subset
        self.report(caller, call, destination, final, elapsed_ms, len(tries) - 1, flags)
        return final, elapsed_ms

    async def _try(self, call: UpstreamCall, destination: Destination, route: HttpRoute,
                   policy: TrafficPolicy, headers: dict, index: int, number: int,
                   caller: Any, budget: int, start_us: int, rng: Any,
                   limit_ms: Optional[float], per_try: bool) -> tuple:
        """
        One try: ``(node, simulated milliseconds, failure)`` where failure
        names what went wrong without an answer (``connect-failure``,
        ``reset``, ``per-try-timeout``, ``timeout``) or is None.
        """
        runtime = self.runtime
        state = caller.state
        flags: list = []
        delay_ms = 0.0
        fault = route.fault
        if fault is not None and fault.delay_ms is not None and rng.random() < fault.delay_share:
            delay_ms = fault.delay_ms
            flags.append(DELAY_INJECTED)
        if fault is not None and fault.abort_code is not None and rng.random() < fault.abort_share:
            flags.append(FAULT_INJECTED)
            node = self.failed_node(call, fault.abort_code, "fault filter abort",
                                    start_us, caller, index, number, flags)
            return node, delay_ms, None
        endpoints = self.endpoints(destination, state)
        if endpoints is None:
            node = self.failed_node(call, 503, f"no subset {destination.subset!r} in the "
                                    f"DestinationRule of {destination.service}", start_us,
                                    caller, index, number, [*flags, NO_ROUTE])
            return node, delay_ms, None
        known = bool(endpoints) or runtime.config.standalone is not None
        if not known:
            node = self.failed_node(call, 503, f"no service {call.service!r} in the mesh",
                                    start_us, caller, index, number, flags)
            return node, delay_ms, "connect-failure"
        endpoint = None
        if runtime.config.standalone is None:
            endpoint = state.traffic.choose((destination.service, destination.subset),
                                            endpoints, policy, rng, runtime.mimic_now())
            if endpoint is None:
                node = self.failed_node(call, 503, "no healthy upstream", start_us, caller,
                                        index, number, [*flags, NO_HEALTHY])
                return node, delay_ms, None
        if not state.traffic.admit(destination.service, policy.pool.capacity):
            runtime.metrics().overflow.labels(self.cluster(call, destination)).inc()
            node = self.failed_node(call, 503, "upstream connection pool overflow", start_us,
                                    caller, index, number, [*flags, OVERFLOW])
            node["response_headers"] = {"x-envoy-overloaded": "true"}
            return node, delay_ms, None
        if endpoint is not None:
            state.traffic.started(endpoint)
        try:
            node, took, failure = await self._send(
                call, endpoint, headers, index, number, caller, budget,
                start_us + int(delay_ms * 1000), limit_ms, per_try, delay_ms,
                destination.subset)
        finally:
            state.traffic.release(destination.service)
            if endpoint is not None:
                state.traffic.finished(endpoint)
        node["response_flags"] = [*flags, *node.get("response_flags", [])]
        if endpoint is not None:
            rule = state.mesh.policies.destination_rule(destination.service)
            if state.traffic.observe(endpoint, node["code"], policy.outlier, endpoints,
                                     runtime.mimic_now()) and rule is not None:
                node["ejected"] = True
        return node, delay_ms + took, failure

    async def _send(self, call: UpstreamCall, endpoint: Optional[Endpoint], headers: dict,
                    index: int, number: int, caller: Any, budget: int, start_us: int,
                    limit_ms: Optional[float], per_try: bool, delay_ms: float,
                    subset: Optional[str]) -> tuple:
        """The HTTP call of one try, under its CLIENT span."""
        runtime = self.runtime
        state = caller.state
        span_id = derived_span_id(runtime.seed, caller.context.trace_id, caller.span_id,
                                  index, number)
        # The CLIENT span is the callee's parent, and the caller's span its own.
        mine = caller.context
        context = TraceContext(trace_id=mine.trace_id, parent_id=caller.span_id,
                               sampled=mine.sampled, request_id=mine.request_id,
                               tracestate=mine.tracestate)
        trace = outgoing_headers(context, span_id)
        down = {**headers, **trace}
        own = {
            HOPS: down.pop(HOPS, None), BUDGET: str(budget),
            START: str(start_us) if runtime.simulated else None,
            ENDPOINT: endpoint.label if endpoint is not None else None,
            SOURCE_WORKLOAD: down.pop(SOURCE_WORKLOAD, None),
            SOURCE_VERSION: down.pop(SOURCE_VERSION, None)}
        if runtime.config.standalone is None and mine.request_id.isascii() \
                and (mine.tracestate is None or mine.tracestate.isascii()):
            # Both ends are this Mimic: the trace headers travel folded
            # with Mimic's own, and the callee reads them back as the lines
            # they replace. A request id or tracestate that is not ASCII
            # goes as a line, which re-encodes it as every hop did.
            for name in trace:
                del down[name]
            down[MESH] = fold(own, trace)
        else:
            down[MESH] = fold(own)
        target = self._targets.get(call.path)
        if target is None:
            path, mark, query = call.path.partition("?")
            target = remember(self._targets, call.path,
                               quote_path(path) + mark + quote_path(query, safe="=&+%"))
        if runtime.config.standalone is None:
            (host, port), target = caller.local, f"/mesh/{call.service}{target}"
        else:
            host, port = runtime.config.resolve.get(call.service, (call.service, call.port))
        real_start = runtime.now()
        budget_ms = None if limit_ms is None else limit_ms - delay_ms
        gave_up = "per-try-timeout" if per_try else "timeout"
        answer, failure = None, None
        if not caller.work.slots.tokens:
            runtime.metrics().queued.inc()
        await caller.work.acquire()
        try:
            waiting = runtime.wait(delay_ms if budget_ms is None else min(delay_ms, limit_ms))
            if waiting is not None:
                await caller.work.track(waiting)
            if budget_ms is not None and budget_ms <= 0:
                code, error, failure = 504, "upstream request timeout", "timeout"
            else:
                timeout = None if runtime.simulated or budget_ms is None else budget_ms / 1000.0
                try:
                    answer = await caller.work.track(ensureDeferred(runtime.client.hop(
                        call.method, host, port, target, down, timeout=timeout)))
                except UpstreamFailed as problem:
                    code, error = problem.code, problem.reason
                    failure = "timeout" if code == 504 else (
                        "connect-failure" if "connect error:" in problem.reason else "reset")
        finally:
            caller.work.slots.release()
        real_ms = (runtime.now() - real_start) * 1000
        if answer is None:
            timed_out = failure == "timeout"
            flags = [UPSTREAM_TIMEOUT] if timed_out else [CONNECT_FAILURE]
            if timed_out:
                failure = gave_up
            if timed_out and runtime.simulated and budget_ms is not None:
                took = budget_ms  # the caller gave up when its time ran out
            else:
                took = 0.0 if runtime.simulated else real_ms
            node = self.failed_node(call, code, error, start_us, caller, index, number, flags,
                                    span_id=span_id, duration_ms=max(took, 0.0), subset=subset)
            return node, took, failure
        node = None
        if answer.summary is not None and runtime.config.standalone is None \
                and not call.headers:
            # This Mimic's own node: nested as it is encoded (its headers are
            # already what it shows; a cascade's added ones would change them).
            node = encoded_child(answer.body, answer.summary)
            if node is not None:
                node["url"] = call.url
        if node is None:
            node = upstream_node(answer.body, call)
        if node is None:
            # Not a mesh node: a real service's answer, shown by its status.
            node = self.failed_node(
                call, answer.code, f"upstream answered {answer.code}" if answer.code >= 500
                else None, start_us, caller, index, number, span_id=span_id,
                duration_ms=real_ms, subset=subset)
            return node, 0.0 if runtime.simulated else real_ms, None
        if failed(node) and "error" not in node:
            node["error"] = f"upstream answered {node['code']}"
        node["upstream_cluster"] = cluster_name(call.service, call.port, subset)
        took = float(node.get("duration_ms", 0.0)) if runtime.simulated else real_ms
        if budget_ms is not None and runtime.simulated and took > budget_ms:
            # Simulated time: the answer came after the timeout; the caller
            # gave up at the timeout, so what it saw is Envoy's 504.
            late = self.failed_node(call, 504, "upstream request timeout", start_us, caller,
                                    index, number, [UPSTREAM_TIMEOUT], span_id=span_id,
                                    duration_ms=budget_ms, subset=subset)
            late["late_answer"] = {"code": node["code"], "duration_ms": node["duration_ms"],
                                   "version": node.get("version")}
            return late, budget_ms, gave_up
        if answer.workload:
            node["workload"] = answer.workload
        self.client_span(caller, call, span_id, start_us, took, node["code"], [], number,
                         subset=subset)
        return node, took, None

    def failed_node(self, call: UpstreamCall, code: int, error: Optional[str],
                    start_us: int, caller: Any, index: int, number: int,
                    flags: Optional[list] = None, span_id: Optional[str] = None,
                    duration_ms: float = 0.0, subset: Optional[str] = None) -> dict:
        """
        The node of a try that got no mesh node back, with the CLIENT span
        that shows in the trace where it broke.
        """
        runtime = self.runtime
        span_id = span_id or derived_span_id(runtime.seed, caller.context.trace_id,
                                             caller.span_id, index, number)
        node = Node(
            service=call.service, version=None, method=call.method, path=call.path,
            code=code, start=runtime.start_stamp(start_us),
            duration_ms=round(duration_ms, 3), trace_id=caller.context.trace_id,
            span_id=span_id, headers=dict(call.headers), error=error, url=call.url,
        ).to_json()
        node["response_flags"] = list(flags or [])
        self.client_span(caller, call, span_id, start_us, duration_ms, code,
                         node["response_flags"], number, error, subset)
        return node

    def client_span(self, caller: Any, call: UpstreamCall, span_id: str, start_us: int,
                    duration_ms: float, code: int, flags: list, number: int,
                    error: Optional[str] = None, subset: Optional[str] = None) -> None:
        tags = span_tags(call.method, call.path, code, None, error)
        tags.update({"upstream_cluster": cluster_name(call.service, call.port, subset),
                     "response_flags": ",".join(flags) or "-", "retry": str(number - 1)})
        self.runtime.record_span(Span(
            trace_id=caller.context.trace_id, id=span_id, parent_id=caller.span_id,
            name=f"{call.method} {call.path}".lower(), kind="CLIENT",
            service=caller.me.service, remote_service=call.service, timestamp_us=start_us,
            duration_us=int(duration_ms * 1000), tags=tags), caller.context, caller.state)

    def cluster(self, call: UpstreamCall, destination: Destination) -> str:
        service = call.service if call.service in self.runtime.state().mesh.services \
            else "unknown"
        return cluster_name(service, call.port, destination.subset)

    def report(self, caller: Any, call: UpstreamCall, destination: Destination, node: dict,
               elapsed_ms: float, retries: int, flags: list) -> None:
        """The source's metrics and the graph's edge for one call."""
        runtime = self.runtime
        metrics = runtime.metrics()
        target = runtime.known(node.get("workload") or call.service, node.get("version"),
                               call.service, state=caller.state)
        metrics.record("source", caller.me, target, node["code"], elapsed_ms,
                       flags=",".join(flags) or "-")
        if retries:
            metrics.retries.labels(self.cluster(call, destination)).inc(retries)
        caller.state.graph.record(caller.me.service, target.service, node["code"],
                                  elapsed_ms, retries, flags)
