"""
Istio's ``VirtualService`` (``networking.istio.io`` v1alpha3, v1beta1, v1)
for mesh hosts: which route a call takes (``http[].match``), where it goes
(``route[].destination`` with ``weight``), and what the caller's sidecar
does on the way: ``timeout``, ``retries``, ``fault`` (delay, abort),
``mirror``, ``headers`` and ``rewrite.uri``.

Read from a document into small frozen classes; every field Mimic does not
honour is named in :attr:`VirtualService.warnings` (logged when the mesh is
loaded), never silently ignored. Only the matching and drawing live here;
the caller's attempt loop is in :mod:`mimic.rest.mesh_runtime`.
"""

from __future__ import annotations

import random
from typing import Any, Mapping, Optional

import attrs
import re2

from mimic.model.mesh.headers import refused_header
from mimic.model.mesh.quantities import PolicyError, duration_ms, istio_percentage

ISTIO_API_VERSIONS = frozenset({"networking.istio.io/v1alpha3",
                                "networking.istio.io/v1beta1", "networking.istio.io/v1"})

#: Envoy's retry conditions (x-envoy-retry-on) that Mimic evaluates.
RETRY_CONDITIONS = frozenset({"5xx", "gateway-error", "reset", "connect-failure",
                              "retriable-4xx", "refused-stream", "retriable-status-codes",
                              "unavailable", "cancelled", "deadline-exceeded",
                              "internal", "resource-exhausted"})

_HONOURED_ROUTE = frozenset({"name", "match", "route", "timeout", "retries", "fault",
                             "mirror", "mirrorPercentage", "mirror_percent", "mirrorPercent",
                             "headers", "rewrite"})


def unsimulated(body: Any, honoured: set, path: str) -> list:
    """Warnings naming the fields of ``body`` Mimic does not simulate."""
    if not isinstance(body, dict):
        return []
    return [f"{path}.{name} is not simulated" for name in sorted(set(body) - honoured)]


def service_of_host(host: str) -> str:
    """``reviews``, ``reviews.ns`` and ``reviews.ns.svc.cluster.local`` name ``reviews``."""
    return host.split(".", 1)[0]


@attrs.frozen
class StringMatch:
    """Istio's ``StringMatch``: ``exact``, ``prefix`` or ``regex`` (RE2, full match)."""

    kind: str
    value: str
    pattern: Any = None

    def matches(self, text: Optional[str]) -> bool:
        if text is None:
            return False
        if self.kind == "exact":
            return text == self.value
        if self.kind == "prefix":
            return text.startswith(self.value)
        return self.pattern.fullmatch(text) is not None


def _string_match(body: Any, path: str) -> StringMatch:
    if not isinstance(body, dict) or len(body) != 1 or \
            next(iter(body)) not in ("exact", "prefix", "regex"):
        raise PolicyError("a string match is {exact: ...}, {prefix: ...} or {regex: ...}", path)
    kind, value = next(iter(body.items()))
    if not isinstance(value, str) or len(value) > 1024:
        raise PolicyError(f"{kind} takes a string (at most 1024 characters)", f"{path}.{kind}")
    pattern = None
    if kind == "regex":
        # RE2, as Istio's regexes are: matching takes linear time, so a
        # pattern like (a+)+$ cannot hold the reactor.
        try:
            pattern = re2.compile(value)
        except re2.error as error:
            raise PolicyError(f"not an RE2 regular expression: {error}",
                              f"{path}.regex") from None
    return StringMatch(kind, value, pattern)


@attrs.frozen
class RequestMatch:
    """One ``HTTPMatchRequest``: every condition it names must hold."""

    uri: Optional[StringMatch] = None
    method: Optional[StringMatch] = None
    headers: tuple = ()  # (name, StringMatch)
    query: tuple = ()

    def matches(self, method: str, path: str, headers: Mapping[str, str]) -> bool:
        uri, _, query_text = path.partition("?")
        if self.uri is not None and not self.uri.matches(uri):
            return False
        if self.method is not None and not self.method.matches(method):
            return False
        if any(not m.matches(headers.get(name)) for name, m in self.headers):
            return False
        if self.query:
            query = dict(part.partition("=")[::2] for part in query_text.split("&") if part)
            if any(not m.matches(query.get(name)) for name, m in self.query):
                return False
        return True


@attrs.frozen
class Destination:
    """A ``route[]`` entry: a host (a mesh service), maybe a subset, a weight."""

    service: str
    subset: Optional[str] = None
    port: Optional[int] = None
    weight: int = 100


@attrs.frozen
class Retries:
    """``retries``: ``attempts`` counts retries (1 + attempts tries in all)."""

    attempts: int
    per_try_timeout_ms: Optional[float] = None
    retry_on: frozenset = frozenset({"5xx"})
    status_codes: frozenset = frozenset()

    def retriable(self, code: int, failure: Optional[str],
                  extra_codes: frozenset = frozenset()) -> Optional[str]:
        """
        Which condition retries a try that ended with ``code`` (and
        ``failure``: ``connect-failure``, ``reset`` or ``per-try-timeout``
        when no answer came), or None. ``extra_codes`` are those the request
        names in ``x-envoy-retriable-status-codes``.
        """
        on = self.retry_on
        if failure == "connect-failure" and on & {"connect-failure", "5xx", "gateway-error"}:
            return "connect-failure"
        if failure == "reset" and on & {"reset", "5xx"}:
            return "reset"
        if failure == "per-try-timeout" and on & {"5xx", "gateway-error", "reset"}:
            return "per-try-timeout"
        if "5xx" in on and code >= 500:
            return "5xx"
        if "gateway-error" in on and code in (502, 503, 504):
            return "gateway-error"
        if "retriable-4xx" in on and code == 409:
            return "retriable-4xx"
        if "retriable-status-codes" in on and code in self.status_codes | extra_codes:
            return f"retriable-status-codes ({code})"
        if "unavailable" in on and code == 503:
            return "unavailable"
        return None


@attrs.frozen
class Fault:
    """``fault``: a delay and/or an abort, each for a share of the calls."""

    delay_ms: Optional[float] = None
    delay_share: float = 1.0
    abort_code: Optional[int] = None
    abort_share: float = 1.0


@attrs.frozen
class HeaderOperations:
    """``headers.request`` or ``headers.response``: set, add, remove."""

    set: tuple = ()
    add: tuple = ()
    remove: tuple = ()

    def apply(self, headers: dict) -> dict:
        changed = {k: v for k, v in headers.items() if k not in self.remove}
        changed.update(dict(self.set))
        for name, value in self.add:
            changed[name] = f"{changed[name]},{value}" if name in changed else value
        return changed


@attrs.frozen
class HttpRoute:
    """One ``http[]`` entry of a VirtualService."""

    name: Optional[str]
    matches: tuple
    destinations: tuple
    timeout_ms: Optional[float] = None
    retries: Optional[Retries] = None
    fault: Optional[Fault] = None
    mirror: Optional[Destination] = None
    mirror_share: float = 1.0
    request_headers: HeaderOperations = HeaderOperations()
    response_headers: HeaderOperations = HeaderOperations()
    rewrite_uri: Optional[str] = None
    source: str = ""

    def applies(self, method: str, path: str, headers: Mapping[str, str]) -> bool:
        return not self.matches or any(m.matches(method, path, headers) for m in self.matches)

    def pick(self, rng: random.Random) -> Destination:
        """A destination by weight (Envoy's weighted clusters draw per request)."""
        total = sum(d.weight for d in self.destinations)
        if len(self.destinations) == 1 or total == 0:
            return self.destinations[0]
        draw = rng.random() * total
        for destination in self.destinations:
            draw -= destination.weight
            if draw < 0:
                return destination
        return self.destinations[-1]

    def rewritten(self, path: str) -> str:
        """``rewrite.uri`` replaces the part of the path a prefix match matched."""
        if self.rewrite_uri is None:
            return path
        for match in self.matches:
            if match.uri is not None and match.uri.kind == "prefix" \
                    and path.startswith(match.uri.value):
                return self.rewrite_uri + path[len(match.uri.value):]
        uri, mark, query = path.partition("?")
        return self.rewrite_uri + mark + query


@attrs.frozen
class VirtualService:
    """The routes of a VirtualService, for the mesh services of its ``hosts``."""

    name: str
    services: tuple
    routes: tuple
    warnings: tuple = ()

    def route_for(self, method: str, path: str, headers: Mapping[str, str]) -> Optional[HttpRoute]:
        """The first route whose match holds, as Istio evaluates them in order."""
        for route in self.routes:
            if route.applies(method, path, headers):
                return route
        return None


def _destination(body: Any, path: str) -> Destination:
    if not isinstance(body, dict) or not isinstance(body.get("destination"), dict):
        raise PolicyError("a route entry is {destination: {host, subset, port}, weight}", path)
    target = body["destination"]
    host = target.get("host")
    if not isinstance(host, str) or not host:
        raise PolicyError("destination.host is the service's name", f"{path}.destination.host")
    port = target.get("port", {})
    number = port.get("number") if isinstance(port, dict) else None
    weight = body.get("weight", 100)
    if isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= 100:
        raise PolicyError(f"{weight!r}: a weight is an integer from 0 to 100", f"{path}.weight")
    subset = target.get("subset")
    if subset is not None and not isinstance(subset, str):
        raise PolicyError("a subset is named by a string", f"{path}.destination.subset")
    return Destination(service_of_host(host), subset, number, weight)


def _headers(body: Any, path: str) -> HeaderOperations:
    if not isinstance(body, dict):
        raise PolicyError("headers are {set: {...}, add: {...}, remove: [...]}", path)

    def pairs(name: str) -> tuple:
        found = body.get(name) or {}
        if not isinstance(found, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in found.items()):
            raise PolicyError(f"{name} maps header names to strings", f"{path}.{name}")
        return tuple((k.lower(), v) for k, v in found.items())

    remove = body.get("remove") or []
    if not isinstance(remove, list) or not all(isinstance(r, str) for r in remove):
        raise PolicyError("remove lists header names", f"{path}.remove")
    operations = HeaderOperations(pairs("set"), pairs("add"), tuple(r.lower() for r in remove))
    for name in (*dict(operations.set), *dict(operations.add), *operations.remove):
        refusal = refused_header(name)
        if refusal is not None:
            raise PolicyError(refusal, path)
    return operations


def _retries(body: Any, path: str) -> Retries:
    if not isinstance(body, dict):
        raise PolicyError("retries is {attempts, perTryTimeout, retryOn}", path)
    attempts = body.get("attempts", 0)
    if isinstance(attempts, bool) or not isinstance(attempts, int) or not 0 <= attempts <= 10:
        raise PolicyError(f"{attempts!r}: attempts is a count of retries from 0 to 10",
                          f"{path}.attempts")
    per_try = body.get("perTryTimeout")
    conditions, codes = set(), set()
    retry_on = body.get("retryOn", "connect-failure,refused-stream,unavailable,cancelled,"
                                   "retriable-status-codes")
    if not isinstance(retry_on, str):
        raise PolicyError("retryOn is a comma-separated string", f"{path}.retryOn")
    for item in (part.strip() for part in retry_on.split(",") if part.strip()):
        if item.isdigit() and 100 <= int(item) <= 599:
            codes.add(int(item))  # Istio turns status codes into retriable ones
        elif item in RETRY_CONDITIONS:
            conditions.add(item)
        else:
            raise PolicyError(f"{item!r} is not a retry condition (5xx, gateway-error, "
                              "reset, connect-failure, retriable-4xx, "
                              "retriable-status-codes, or a status code)", f"{path}.retryOn")
    if codes:
        conditions.add("retriable-status-codes")
    elif "retriable-status-codes" in conditions:
        codes.add(503)  # what Istio's default retriable status codes are
    return Retries(
        attempts=attempts,
        per_try_timeout_ms=duration_ms(per_try, f"{path}.perTryTimeout")
        if per_try is not None else None,
        retry_on=frozenset(conditions), status_codes=frozenset(codes))


def _fault(body: Any, path: str) -> Fault:
    if not isinstance(body, dict) or not ({"delay", "abort"} & set(body)):
        raise PolicyError("fault is {delay: {...}} and/or {abort: {...}}", path)
    found: dict = {}
    if "delay" in body:
        delay = body["delay"]
        if not isinstance(delay, dict) or "fixedDelay" not in delay:
            raise PolicyError("delay is {fixedDelay: 5s, percentage: {value: 10}}",
                              f"{path}.delay")
        found["delay_ms"] = duration_ms(delay["fixedDelay"], f"{path}.delay.fixedDelay")
        found["delay_share"] = istio_percentage(delay, f"{path}.delay")
    if "abort" in body:
        abort = body["abort"]
        code = abort.get("httpStatus") if isinstance(abort, dict) else None
        if isinstance(code, bool) or not isinstance(code, int) or not 200 <= code <= 599:
            raise PolicyError("abort is {httpStatus: 503, percentage: {value: 10}} "
                              "(httpStatus from 200 to 599)", f"{path}.abort.httpStatus")
        found["abort_code"] = code
        found["abort_share"] = istio_percentage(abort, f"{path}.abort")
    return Fault(**found)


def _matches(body: Any, path: str) -> tuple:
    if not isinstance(body, list):
        raise PolicyError("match is a list of conditions", path)
    found = []
    for m, condition in enumerate(body):
        where = f"{path}[{m}]"
        if not isinstance(condition, dict):
            raise PolicyError("a match is a mapping (uri, method, headers, queryParams)", where)

        def named(name: str) -> tuple:
            items = condition.get(name) or {}
            if not isinstance(items, dict):
                raise PolicyError(f"{name} maps names to string matches", f"{where}.{name}")
            return tuple((k.lower() if name == "headers" else k,
                          _string_match(v, f"{where}.{name}.{k}")) for k, v in items.items())

        found.append(RequestMatch(
            uri=_string_match(condition["uri"], f"{where}.uri") if "uri" in condition else None,
            method=_string_match(condition["method"], f"{where}.method")
            if "method" in condition else None,
            headers=named("headers"), query=named("queryParams")))
    return tuple(found)


def parse_virtual_service(body: Mapping[str, Any]) -> VirtualService:
    """A VirtualService document (validated by the schema of kinds) as routes."""
    spec = body.get("spec")
    if not isinstance(spec, dict):
        raise PolicyError("a VirtualService has a spec", "spec")
    hosts = spec.get("hosts")
    if not isinstance(hosts, list) or not hosts or not all(isinstance(h, str) for h in hosts):
        raise PolicyError("hosts lists the services this VirtualService routes", "spec.hosts")
    warnings = []
    for name in sorted(set(spec) - {"hosts", "http", "gateways", "exportTo"}):
        warnings.append(f"spec.{name} is not simulated (only http routes are)")
    if spec.get("gateways") and "mesh" not in spec["gateways"]:
        warnings.append("spec.gateways: routes bound to gateways only are applied to "
                        "mesh calls all the same")
    routes = []
    if not isinstance(spec.get("http") or [], list):
        raise PolicyError("http lists the routes", "spec.http")
    for r, route in enumerate(spec.get("http") or []):
        where = f"spec.http[{r}]"
        if not isinstance(route, dict):
            raise PolicyError("an http route is a mapping", where)
        for name in sorted(set(route) - _HONOURED_ROUTE):
            warnings.append(f"{where}.{name} is not simulated")
        # What the sidecar does first, then where the call goes: an error
        # names the first field Istio's own validation would.
        fault = _fault(route["fault"], f"{where}.fault") if "fault" in route else None
        if fault is not None:
            found = route["fault"]
            warnings += unsimulated(found, {"delay", "abort"}, f"{where}.fault")
            warnings += unsimulated(found.get("delay"), {"fixedDelay", "percentage", "percent"},
                                    f"{where}.fault.delay")
            warnings += unsimulated(found.get("abort"), {"httpStatus", "percentage"},
                                    f"{where}.fault.abort")
        if "retries" in route:
            warnings += unsimulated(route["retries"], {"attempts", "perTryTimeout", "retryOn"},
                                    f"{where}.retries")
        for m, condition in enumerate(route.get("match") or [] if isinstance(
                route.get("match"), list) else []):
            warnings += unsimulated(condition, {"name", "uri", "method", "headers",
                                                "queryParams"}, f"{where}.match[{m}]")
        timeout = duration_ms(route["timeout"], f"{where}.timeout") \
            if "timeout" in route else None
        retries = _retries(route["retries"], f"{where}.retries") if "retries" in route else None
        targets = route.get("route")
        if targets is None and ({"redirect", "directResponse"} & set(route)):
            # Answered by the sidecar itself in Istio; not simulated (warned
            # above): the call goes to the host as written.
            targets = [{"destination": {"host": hosts[0]}}]
        if not isinstance(targets, list) or not targets:
            raise PolicyError("an http route lists its destinations in route", f"{where}.route")
        destinations = tuple(_destination(t, f"{where}.route[{i}]")
                             for i, t in enumerate(targets))
        if len(destinations) > 1 and sum(d.weight for d in destinations) != 100:
            raise PolicyError("the weights of a route's destinations add up to 100",
                              f"{where}.route")
        mirror = None
        if "mirror" in route:
            mirror = _destination({"destination": route["mirror"]}, f"{where}.mirror")
        share = 1.0
        if "mirrorPercentage" in route:
            share = istio_percentage({"percentage": route["mirrorPercentage"]},
                                     f"{where}.mirrorPercentage")
        headers = route.get("headers") or {}
        if not isinstance(headers, dict):
            raise PolicyError("headers is {request: {...}, response: {...}}", f"{where}.headers")
        rewrite = route.get("rewrite") or {}
        if not isinstance(rewrite, dict) or not isinstance(rewrite.get("uri", ""), str):
            raise PolicyError("rewrite is {uri: /new/prefix}", f"{where}.rewrite")
        for name in sorted(set(rewrite) - {"uri"}):
            warnings.append(f"{where}.rewrite.{name} is not simulated")
        if fault is not None and (timeout is not None or retries is not None):
            warnings.append(f"{where}: a route that injects a fault does not also apply its "
                            "timeout and retries (as in Istio); set those on the caller's route")
            timeout, retries = None, None
        routes.append(HttpRoute(
            name=route.get("name"),
            matches=_matches(route["match"], f"{where}.match") if "match" in route else (),
            destinations=destinations, timeout_ms=timeout, retries=retries, fault=fault,
            mirror=mirror, mirror_share=share,
            request_headers=_headers(headers.get("request") or {}, f"{where}.headers.request"),
            response_headers=_headers(headers.get("response") or {},
                                      f"{where}.headers.response"),
            rewrite_uri=rewrite.get("uri")))
    metadata = body.get("metadata") or {}
    return VirtualService(name=metadata.get("name", ""),
                          services=tuple(service_of_host(h) for h in hosts),
                          routes=tuple(routes), warnings=tuple(warnings))
