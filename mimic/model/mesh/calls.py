"""
The call tree: which upstream calls a mesh node makes for a request, and
the JSON node it answers with.

A node's calls come from the URL when its first segment is a cascade
(``/@a,b/uri``), else from the endpoint of the service that matches the
method and path (Mimik's ``connections``, in declared order, one after the
other). A service that declares no endpoints is a plain mock: any path, no
calls, 200. Every answer is a :class:`Node`: the service, what it was
asked, its timing and trace ids, and the nodes of its upstream calls, in
the order they were planned even when they ran at the same time.
"""

from __future__ import annotations

import json
from typing import Any, Optional

import attrs

from mimic.model.mesh.cascade import CascadeError, parse_cascade
from mimic.model.mesh.documents import DEFAULT_PORT, Response, ServiceVersion

#: Status of a node whose upstream calls failed (Envoy's "bad gateway").
UPSTREAM_FAILED = 502

#: How deep a chain of calls may go before a node refuses (508, Loop
#: Detected), so that services configured to call each other in a circle
#: end instead of calling forever.
MAX_HOPS = 32

#: The most upstream calls one request may cause across its whole call
#: tree. Depth alone does not bound a tree: an endpoint calling itself twice
#: stays under :data:`MAX_HOPS` yet asks for 2^33 calls.
MAX_CALLS_PER_REQUEST = 1000

#: How many of one node's upstream calls are in flight at once; the rest
#: wait their turn (a 999-wide fan-out queues instead of opening 999
#: connections at once and overflowing the listen backlog).
MAX_PARALLEL_CALLS = 16

#: How deeply an upstream's answer may nest to be shown in its caller's
#: node: a tree of :data:`MAX_HOPS` nodes with bodies nests far less, and a
#: deeper answer (not Mimic's) could not be encoded again.
MAX_ANSWER_DEPTH = 400


class BadHopHeader(ValueError):
    """A hop count or call budget header that Mimic did not write."""


def read_count(value: Optional[str], name: str, default: int) -> int:
    """
    The hop count or call budget a request carries in header ``name``:
    ``default`` when absent; a value that is not a whole number 0 or more
    (``-300``) was not written by Mimic and is refused.
    """
    if value is None:
        return default
    text = value.strip()
    if not text.isdigit() or len(text) > 6 or not text.isascii():
        raise BadHopHeader(
            f"{name}: {value[:40]!r} is not a count 0 or more; this header is "
            "set by Mimic's mesh nodes, not by clients")
    return int(text)


def share_budget(budget: int, calls: int) -> tuple:
    """
    How many of ``calls`` a node with ``budget`` calls left may make, and
    the budget each of them passes on: the rest, split evenly, so that a
    tree's calls never exceed the budget its first node had, across pods
    that share nothing but headers.
    """
    allowed = min(calls, budget)
    if allowed == 0:
        return 0, 0
    return allowed, (budget - allowed) // allowed


def nesting_depth(value: Any, limit: int) -> int:
    """How deeply ``value`` nests (a stack walk), stopping past ``limit``."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


@attrs.frozen
class UpstreamCall:
    """
    One call to make: the service, the port it is dialled on, the method
    and path, and the headers the cascade asked to add.
    """

    service: str
    port: int = DEFAULT_PORT
    path: str = "/"
    method: str = "GET"
    headers: tuple = ()

    @property
    def url(self) -> str:
        """The call as the service's code would write it (``http://b:8080/x``)."""
        return f"http://{self.service}:{self.port}{self.path}"


@attrs.frozen
class Plan:
    """
    What a node does for a request: ``steps`` of calls (the calls of one
    step run at the same time, steps one after the other), then answers
    ``code`` (and the endpoint's ``response``), or refuses with ``error``.
    """

    steps: tuple = ()
    code: int = 200
    response: Optional[Response] = None
    error: Optional[str] = None

    def final_code(self, children: list) -> int:
        """The node's status once its calls are done."""
        if any(failed(child) for child in children):
            return UPSTREAM_FAILED
        if self.response is not None:
            return self.response.code
        return self.code


def failed(node: dict) -> bool:
    """An upstream call failed: no answer, an unknown service, or a 5xx."""
    return node.get("code", 0) >= 500


def plan_calls(service: ServiceVersion, method: str, path: str) -> Plan:
    """The calls ``service`` makes when asked ``method path``."""
    try:
        cascade = parse_cascade(path)
    except CascadeError as error:
        return Plan(code=400, error=f"bad cascade: {error}")
    if cascade is not None:
        # servicemock makes every cascade call with GET.
        return Plan(steps=tuple(
            tuple(
                UpstreamCall(service=t.service, port=t.port or DEFAULT_PORT,
                             path=cascade.path, method="GET", headers=t.headers)
                for t in step
            )
            for step in cascade.steps
        ))
    if service.is_plain_mock:
        return Plan()
    endpoint = service.endpoint_for(method, path)
    if endpoint is None:
        return Plan(code=404, error=f"{service.service} has no endpoint {method} {path}")
    return Plan(
        steps=tuple(
            (UpstreamCall(service=c.service, port=c.port, path=c.path, method=c.method),)
            for c in endpoint.connections
        ),
        response=endpoint.response,
    )


@attrs.frozen
class Node:
    """
    One mesh node's answer. ``start`` is an ISO 8601 time and
    ``duration_ms`` a float, both measured on the real clock (see
    :mod:`mimic.rest.mesh_api`); ``headers`` are the tracing headers, the
    ``x-request-id`` and the cascade-added headers this node received.
    """

    service: str
    version: Optional[str]
    method: str
    path: str
    code: int
    start: str
    duration_ms: float
    trace_id: str
    span_id: str
    headers: dict = attrs.field(factory=dict)
    upstream_calls: list = attrs.field(factory=list)
    replica: Optional[int] = None
    error: Optional[str] = None
    body: Any = None
    url: Optional[str] = None

    def to_json(self) -> dict:
        node = {
            "service": self.service,
            "version": self.version,
            "method": self.method,
            "path": self.path,
            "code": self.code,
            "start": self.start,
            "duration_ms": self.duration_ms,
            "trace_id": self.trace_id,
            "span_id": self.span_id,
            "headers": dict(self.headers),
            "upstream_calls": list(self.upstream_calls),
        }
        for name in ("replica", "url", "error", "body"):
            value = getattr(self, name)
            if value is not None:
                node[name] = value
        return node


def as_child(node: Any, call: UpstreamCall) -> Optional[dict]:
    """
    ``node`` (an upstream's parsed answer) as a child of the caller's node,
    or None if it is not a mesh node. The caller adds what only it knows:
    the URL it dialled and the headers its cascade added.
    """
    if not isinstance(node, dict) or not isinstance(node.get("service"), str) \
            or not isinstance(node.get("code"), int):
        return None
    headers = node.get("headers")
    node["headers"] = {**(headers if isinstance(headers, dict) else {}),
                       **dict(call.headers)}
    node["url"] = call.url
    return node


def upstream_node(body: bytes, call: UpstreamCall) -> Optional[dict]:
    """
    An upstream's answer as a child node, or None if it is not a mesh node
    (not JSON, not a node, or nested too deeply to be shown again).
    """
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        return None
    # Nesting needs an opening bracket per level: most answers have too few
    # to be too deep, and need no walk.
    if body.count(b"[") + body.count(b"{") > MAX_ANSWER_DEPTH and \
            nesting_depth(parsed, MAX_ANSWER_DEPTH) > MAX_ANSWER_DEPTH:
        return None
    return as_child(parsed, call)
