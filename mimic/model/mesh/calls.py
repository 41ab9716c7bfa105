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


def cascade_plan(path: str) -> Optional[Plan]:
    """The plan of the cascade ``path`` starts with; None if it starts with none."""
    try:
        cascade = parse_cascade(path)
    except CascadeError as error:
        return Plan(code=400, error=f"bad cascade: {error}")
    if cascade is None:
        return None
    # servicemock makes every cascade call with GET.
    return Plan(steps=tuple(
        tuple(
            UpstreamCall(service=t.service, port=t.port or DEFAULT_PORT,
                         path=cascade.path, method="GET", headers=t.headers)
            for t in step
        )
        for step in cascade.steps
    ))


#: How many cascade paths a :class:`PlanCache` keeps.
MAX_CACHED_PLANS = 1024


@attrs.define
class PlanCache:
    """
    Cascade plans by path, parsed once: a load test sends the same path
    again and again, and parsing it (and building its calls) was the
    biggest piece of a node's own work. A plan depends on the path alone
    and is immutable. Bounded: past :data:`MAX_CACHED_PLANS` paths it
    starts again empty (paths are client input).
    """

    plans: dict = attrs.field(factory=dict)
    parsed: int = 0

    def cascade(self, path: str) -> Optional[Plan]:
        try:
            return self.plans[path]
        except KeyError:
            pass
        if len(self.plans) >= MAX_CACHED_PLANS:
            self.plans.clear()
        self.parsed += 1
        plan = self.plans[path] = cascade_plan(path)
        return plan


def plan_calls(service: ServiceVersion, method: str, path: str,
               cache: Optional[PlanCache] = None) -> Plan:
    """The calls ``service`` makes when asked ``method path``."""
    plan = cache.cascade(path) if cache is not None else cascade_plan(path)
    if plan is not None:
        return plan
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


class EncodedNode:
    """
    An upstream's node kept as it was encoded: its caller nests it in its
    own node as it came, instead of parsing it and encoding it again (the
    tree grows with every hop, so re-encoding made a chain quadratic).
    What the caller decides on (``code``, ``duration_ms``, ``version``,
    ``service``, whether it has an ``error``) comes from the summary the
    callee sent along (:func:`node_summary`); what the caller adds (``url``,
    ``response_flags``, ``try``, ...) is written after the callee's fields,
    in the order it was set, where adding them to the parsed node put them
    too. Reads and writes go through the mapping methods the sidecar uses.
    """

    __slots__ = ("encoded", "known", "added")

    def __init__(self, encoded: bytes, known: dict, added: Optional[dict] = None) -> None:
        self.encoded = encoded
        self.known = known
        self.added = {} if added is None else added

    def __getitem__(self, key: str) -> Any:
        if key in self.added:
            return self.added[key]
        return self.known[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if key in self.known:
            raise KeyError(f"{key!r} is the upstream's own field")
        self.added[key] = value

    def __contains__(self, key: str) -> bool:
        return key in self.added or key in self.known

    def get(self, key: str, default: Any = None) -> Any:
        if key in self.added:
            return self.added[key]
        return self.known.get(key, default)

    def setdefault(self, key: str, default: Any) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def copy(self) -> "EncodedNode":
        return EncodedNode(self.encoded, self.known, dict(self.added))

    def to_bytes(self) -> bytes:
        if not self.added:
            return self.encoded
        return self.encoded[:-1] + b"," + encode_tree(self.added)[1:]

    def expanded(self) -> dict:
        """The node parsed, with what the caller added (the slow way, for odd trees)."""
        node = json.loads(self.encoded)
        node.update(expanded(self.added))
        return node


def expanded(value: Any) -> Any:
    """``value`` with every :class:`EncodedNode` in it parsed."""
    if isinstance(value, EncodedNode):
        return value.expanded()
    if isinstance(value, dict):
        return {key: expanded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [expanded(item) for item in value]
    return value


_encode_string = json.encoder.encode_basestring_ascii

#: What stands for an :class:`EncodedNode` while the tree around it is encoded.
_MARK = "\x00mimic-encoded-node\x00"
_ENCODED_MARK = json.dumps(_MARK)


def encode_tree(tree: Any) -> bytes:
    """
    A node (or any JSON value holding nodes) as compact JSON bytes, its
    :class:`EncodedNode` children spliced in as they came. Each child is
    first written as a mark; a tree whose own strings hold the mark (a
    client could send it) is encoded the slow way, parsing the children.
    """
    encoded_nodes: list = []

    def mark(value: Any) -> str:
        if isinstance(value, EncodedNode):
            encoded_nodes.append(value)
            return _MARK
        raise TypeError(f"{type(value).__name__} is not JSON")

    text = json.dumps(tree, separators=(",", ":"), default=mark)
    if not encoded_nodes:
        return text.encode("ascii")
    pieces = text.split(_ENCODED_MARK)
    if len(pieces) != len(encoded_nodes) + 1:
        return json.dumps(expanded(tree), separators=(",", ":")).encode("ascii")
    parts = [pieces[0].encode("ascii")]
    for node, piece in zip(encoded_nodes, pieces[1:]):
        parts.append(node.to_bytes())
        parts.append(piece.encode("ascii"))
    return b"".join(parts)


def node_summary(node: dict) -> str:
    """What a node's caller decides on, sent along with the node (see :class:`EncodedNode`)."""
    version = node["version"]
    return (f'[{_encode_string(node["service"])},{node["code"]:d},{node["duration_ms"]!r},'
            f'{"null" if version is None else _encode_string(version)},'
            f'{"true" if "error" in node else "false"}]')


def encoded_child(body: bytes, summary: str) -> Optional[EncodedNode]:
    """
    The answer of a Mimic node (``body``, with its ``summary``) as a child
    kept encoded, or None when it cannot be (no body, as for a ``HEAD``;
    a summary that does not read).
    """
    if len(body) < 3 or body[:1] != b"{" or body[-1:] != b"}":
        return None
    try:
        service, code, duration_ms, version, has_error = json.loads(summary)
    except (ValueError, TypeError):
        return None
    if not isinstance(service, str) or not isinstance(code, int) or \
            not isinstance(duration_ms, (int, float)):
        return None
    known = {"service": service, "code": code, "duration_ms": duration_ms, "version": version}
    if has_error:
        known["error"] = True
    return EncodedNode(body, known)
