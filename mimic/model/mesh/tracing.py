"""
Distributed tracing for mesh calls: reading and writing the trace context
headers (W3C ``traceparent``/``tracestate``, B3 multi-header and single
``b3``, ``x-request-id``), the span each mesh node records, and the bounded
store that serves them as Zipkin v2 JSON.

A node joins the trace its caller names (W3C first, then single ``b3``, then
the ``x-b3-*`` headers) and starts one when none comes in, so a request
typed by hand is traced too. It sends every format on, so a chain of Mimics
and sidecars that each read a different one stays one trace.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import OrderedDict
from typing import Any, Mapping, Optional

import attrs

from mimic.util import IdSource, iso_time

#: The headers of a request a mesh node shows and passes on.
TRACE_HEADERS = (
    "traceparent", "tracestate", "b3", "x-b3-traceid", "x-b3-spanid",
    "x-b3-parentspanid", "x-b3-sampled", "x-b3-flags", "x-request-id",
)

_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_HEX_ID = re.compile(r"^(?:[0-9a-f]{16}|[0-9a-f]{32})$")
_SPAN_ID = re.compile(r"^[0-9a-f]{16}$")
_ZERO = re.compile(r"^0+$")
_ZERO_TRACE_ID, _ZERO_SPAN_ID = "0" * 32, "0" * 16
#: The span id an all-zero digest stands for (zero is no span id).
_FIRST_SPAN_ID = "0" * 15 + "1"


@attrs.frozen
class TraceContext:
    """
    Where a request sits in a trace: its trace id, the span that called it
    (None for a trace's first span), whether it is sampled, the vendor
    ``tracestate`` to pass on, and the ``x-request-id``.
    """

    trace_id: str
    parent_id: Optional[str]
    sampled: bool
    request_id: str
    tracestate: Optional[str] = None


def new_span_id(ids: IdSource) -> str:
    """
    A random non-zero 64-bit span id in hex, drawn from the seeded source
    in one draw (``ids.hex`` draws per digit, which shows under load).
    """
    return f"{ids.integer(1, 2 ** 64 - 1):016x}"


def derived_span_id(seed: int, *parts: Any) -> str:
    """
    A span id made from ``seed`` and where the span sits (trace, parent,
    call index, try), not drawn: parallel calls that reach the server in
    any order still get the same ids, so one seed gives one tree.
    """
    text = hashlib.blake2b(repr((seed, *parts)).encode("utf-8"), digest_size=8).hexdigest()
    return text if text != _ZERO_SPAN_ID else _FIRST_SPAN_ID


class SeededRandom:
    """
    The random source of one node or call, seeded by the mesh's seed and its
    place in the trace; built on the first draw (seeding costs more than a
    hop's other bookkeeping, and most calls draw nothing).
    """

    def __init__(self, seed: int, parts: tuple) -> None:
        self._key = (seed, *parts)
        self._random: Optional[random.Random] = None

    def _source(self) -> random.Random:
        if self._random is None:
            digest = hashlib.blake2b(repr(self._key).encode("utf-8"), digest_size=16).digest()
            self._random = random.Random(int.from_bytes(digest, "big"))
        return self._random

    def random(self) -> float:
        return self._source().random()

    def randrange(self, stop: int) -> int:
        return self._source().randrange(stop)


def seeded_random(seed: int, *parts: Any) -> SeededRandom:
    """The random source of one node or call: the seed and its place in the trace."""
    return SeededRandom(seed, parts)


def new_trace_id(ids: IdSource) -> str:
    """A random non-zero 128-bit trace id in hex."""
    return f"{ids.integer(1, 2 ** 128 - 1):032x}"


def _valid_trace_id(value: Optional[str]) -> bool:
    return bool(value) and bool(_HEX_ID.match(value)) and not _ZERO.match(value)


def _valid_span_id(value: Optional[str]) -> bool:
    return bool(value) and bool(_SPAN_ID.match(value)) and not _ZERO.match(value)


def _from_traceparent(value: str) -> Optional[tuple]:
    match = _TRACEPARENT.match(value.strip().lower())
    if match is None or match.group(1) == "ff":
        return None
    version, trace_id, parent_id, flags = match.groups()
    # The pattern has made them 32 and 16 hex digits: valid unless all zero.
    if trace_id == _ZERO_TRACE_ID or parent_id == _ZERO_SPAN_ID:
        return None
    return trace_id, parent_id, bool(int(flags, 16) & 1)


def _from_b3_single(value: str) -> Optional[tuple]:
    parts = value.strip().lower().split("-")
    if len(parts) < 2 or not (_valid_trace_id(parts[0]) and _valid_span_id(parts[1])):
        return None
    sampled = parts[2] != "0" if len(parts) > 2 else True
    return parts[0], parts[1], sampled


def _from_b3_multi(headers: Mapping[str, str]) -> Optional[tuple]:
    trace_id = headers.get("x-b3-traceid", "").strip().lower()
    span_id = headers.get("x-b3-spanid", "").strip().lower()
    if not (_valid_trace_id(trace_id) and _valid_span_id(span_id)):
        return None
    sampled = headers.get("x-b3-sampled", "1").strip().lower() not in ("0", "false")
    if headers.get("x-b3-flags", "").strip() == "1":
        sampled = True
    return trace_id, span_id, sampled


def incoming_context(headers: Mapping[str, str], ids: IdSource) -> TraceContext:
    """
    The trace context of a request with these (lower-case) headers; a new
    trace, with a new request id if none came, when they name none.
    """
    found = None
    if "traceparent" in headers:
        found = _from_traceparent(headers["traceparent"])
    if found is None and "b3" in headers:
        found = _from_b3_single(headers["b3"])
    if found is None:
        found = _from_b3_multi(headers)
    request_id = headers.get("x-request-id") or ids.uuid()
    if found is None:
        return TraceContext(trace_id=new_trace_id(ids), parent_id=None, sampled=True,
                            request_id=request_id)
    trace_id, parent_id, sampled = found
    tracestate = headers.get("tracestate") if "traceparent" in headers else None
    return TraceContext(trace_id=trace_id, parent_id=parent_id, sampled=sampled,
                        request_id=request_id, tracestate=tracestate)


def outgoing_headers(context: TraceContext, span_id: str) -> dict:
    """
    The headers that make an upstream call a child of span ``span_id``, in
    every format (W3C needs a 128-bit trace id: a 64-bit B3 one is padded).
    """
    sampled = "1" if context.sampled else "0"
    headers = {
        "traceparent": f"00-{context.trace_id.rjust(32, '0')}-{span_id}-0{sampled}",
        "b3": f"{context.trace_id}-{span_id}-{sampled}",
        "x-b3-traceid": context.trace_id,
        "x-b3-spanid": span_id,
        "x-b3-sampled": sampled,
        "x-request-id": context.request_id,
    }
    if context.parent_id is not None:
        headers["x-b3-parentspanid"] = context.parent_id
    if context.tracestate:
        headers["tracestate"] = context.tracestate
    return headers


def span_tags(method: str, path: str, code: int, version: Optional[str],
              error: Optional[str]) -> dict:
    """The tags every mesh span carries (OpenTracing's http.* names)."""
    tags = {"http.method": method, "http.path": path, "http.status_code": str(code)}
    if version is not None:
        tags["version"] = version
    if error is not None or code >= 500:
        tags["error"] = error or str(code)
    return tags


@attrs.frozen
class Span:
    """
    One mesh node's work (``SERVER``), or a call its caller made that got no
    node back (``CLIENT``, with the error), timed in microseconds.
    """

    trace_id: str
    id: str
    parent_id: Optional[str]
    name: str
    kind: str
    service: str
    timestamp_us: int
    duration_us: int
    tags: Mapping[str, str] = attrs.field(factory=dict)
    remote_service: Optional[str] = None

    def to_zipkin(self) -> dict:
        """The span in Zipkin's v2 JSON model (``/api/v2/spans``)."""
        span: dict[str, Any] = {
            "traceId": self.trace_id,
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "timestamp": self.timestamp_us,
            "duration": max(self.duration_us, 1),
            "localEndpoint": {"serviceName": self.service},
            "tags": dict(self.tags),
        }
        if self.parent_id is not None:
            span["parentId"] = self.parent_id
        if self.remote_service is not None:
            span["remoteEndpoint"] = {"serviceName": self.remote_service}
        return span


class StartStamps:
    """
    A node's or span's ``start`` (``iso_time`` of an instant in
    microseconds), its date and time of day made once per second: in
    simulated time every node of a request, and of many requests, starts
    in the same second, and formatting a datetime was a visible part of a
    hop. Instants past 2**31 seconds (2038) are formatted whole, where a
    float's rounding could move the microseconds ``iso_time`` shows.
    """

    __slots__ = ("second", "text")

    def __init__(self) -> None:
        self.second = -1
        self.text = ""

    def __call__(self, start_us: int) -> str:
        second, micro = divmod(start_us, 1_000_000)
        if not 0 <= second < 2 ** 31:
            return iso_time(start_us / 1_000_000)
        if second != self.second:
            self.text = iso_time(second, microseconds=False)[:-1]
            self.second = second
        return f"{self.text}.{micro:06d}Z"


#: The most spans one trace keeps. A client can send the same trace id
#: with every request; past this its trace keeps its first spans, drops
#: the rest and counts them (``dropped_spans``).
MAX_SPANS_PER_TRACE = 2000

#: The most spans kept in all; past it the least recently active traces go.
MAX_SPANS = 100_000


@attrs.define
class TraceStore:
    """
    The spans this Mimic recorded, grouped by trace, newest trace first.
    Bounded in traces, spans per trace and spans in all (oldest traces go
    first) so a long load test cannot exhaust memory.
    """

    max_traces: int = 1000
    max_spans_per_trace: int = MAX_SPANS_PER_TRACE
    max_spans: int = MAX_SPANS
    dropped_spans: int = 0
    _traces: "OrderedDict[str, list]" = attrs.field(factory=OrderedDict)
    _count: int = 0

    def record(self, span: Span) -> None:
        spans = self._traces.get(span.trace_id)
        if spans is None:
            spans = self._traces[span.trace_id] = []
        else:
            self._traces.move_to_end(span.trace_id)
        if len(spans) >= self.max_spans_per_trace:
            self.dropped_spans += 1
            return
        spans.append(span)
        self._count += 1
        while len(self._traces) > self.max_traces or (
                self._count > self.max_spans and len(self._traces) > 1):
            _, oldest = self._traces.popitem(last=False)
            self._count -= len(oldest)

    def trace(self, trace_id: str) -> Optional[list]:
        """The spans of one trace in start order, or None if unknown."""
        spans = self._traces.get(trace_id.lower())
        if spans is None:
            return None
        return sorted(spans, key=lambda s: (s.timestamp_us, s.id))

    def traces(self, limit: int = 10, trace_id: Optional[str] = None) -> list:
        """Up to ``limit`` traces, the most recently active first."""
        if trace_id is not None:
            found = self.trace(trace_id)
            return [found] if found else []
        newest = list(reversed(self._traces))[:limit]
        return [self.trace(tid) for tid in newest]
