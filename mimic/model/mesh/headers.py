"""
Which headers a mesh user may set on a call or an answer, and which belong
to Mimic or to HTTP itself.

Hop-by-hop headers (RFC 9110 section 7.6.1: ``connection`` and the ones it
names, ``keep-alive``, ``te``, ``trailer``, ``transfer-encoding``,
``upgrade``, ``proxy-*``) and the framing of a message (``content-length``,
``content-encoding``, ``host``) are written by the HTTP layer; set by hand
they desynchronise it (an internal call that waits for 5 bytes that never
come, a client that reads ``{``). Mimic's own ``x-mimic-*`` headers (hop
count, call budget, caller's workload) are trusted only when Mimic set
them. A cascade (``[name=value]``) or an endpoint's ``response.headers``
naming any of these is refused.
"""

from __future__ import annotations

import json
from typing import Mapping, Optional

#: Headers only the HTTP layer writes (lower case).
HOP_BY_HOP_AND_FRAMING = frozenset({
    "connection", "keep-alive", "proxy-connection", "proxy-authenticate",
    "proxy-authorization", "te", "trailer", "trailers", "transfer-encoding",
    "upgrade", "content-length", "content-encoding", "host",
})

#: The prefix of the headers Mimic's mesh nodes send each other.
MIMIC_PREFIX = "x-mimic-"

#: Who is calling (for Istio's source labels) and how deep the chain is.
SOURCE_WORKLOAD = "x-mimic-source-workload"
SOURCE_VERSION = "x-mimic-source-version"
HOPS = "x-mimic-mesh-hops"
#: How many calls the upstream may still make for this request (see
#: :func:`~mimic.model.mesh.calls.share_budget`).
BUDGET = "x-mimic-mesh-budget"
#: The simulated instant (microseconds on Mimic's clock) the call reaches
#: the upstream, and the endpoint (``version#replica``) its balancer chose.
START = "x-mimic-mesh-start"
ENDPOINT = "x-mimic-mesh-endpoint"
#: Mimic's nodes send the six headers above to each other folded into
#: one, a JSON list of their values in this order (null for one that is
#: absent): fewer header lines for each hop's HTTP to write and parse. A
#: client may still send them one by one.
MESH = "x-mimic-mesh"
FOLDED = (HOPS, BUDGET, START, ENDPOINT, SOURCE_WORKLOAD, SOURCE_VERSION)
#: Between two nodes of one embedded Mimic the trace headers a sidecar
#: writes travel in the same list, after those six: both ends are this
#: process, and the callee reads them back as the header lines they
#: replace (see :func:`unfold`). Calls to other servers (a standalone
#: pod's upstreams) send them as real header lines, for real sidecars.
FOLDED_TRACE = ("traceparent", "tracestate", "b3", "x-b3-traceid", "x-b3-spanid",
                "x-b3-parentspanid", "x-b3-sampled", "x-request-id")
_encode_string = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]

#: The response header by which a node that a Mimic called tells it what
#: the caller decides on without parsing the node (see
#: :class:`~mimic.model.mesh.calls.EncodedNode`).
NODE_SUMMARY = "x-mimic-mesh-node"
#: The response header by which a node tells its caller its workload (the
#: way Istio's sidecars exchange peer metadata), for the source's metrics.
WORKLOAD = "x-mimic-workload"


def refused_header(name: str) -> Optional[str]:
    """Why a user may not set header ``name``, or None if they may."""
    lower = name.lower()
    if lower in HOP_BY_HOP_AND_FRAMING:
        return (f"{lower!r} is a hop-by-hop or framing header: HTTP writes it, "
                "a mesh call or answer may not")
    if lower.startswith(MIMIC_PREFIX):
        return f"{lower!r} is one of Mimic's own headers, set only by Mimic"
    return None


def fold(values: Mapping[str, Optional[str]],
         trace: Optional[Mapping[str, str]] = None) -> str:
    """
    The value of :data:`MESH` for Mimic's own headers ``values`` and, on an
    embedded hop, the trace headers ``trace`` (names of :data:`FOLDED_TRACE`).
    """
    names = FOLDED if trace is None else FOLDED + FOLDED_TRACE
    if trace is not None:
        values = {**values, **trace}
    return "[" + ",".join(["null" if values.get(name) is None else _encode_string(values[name])
                           for name in names]) + "]"


def unfold(headers: Mapping[str, str]) -> Mapping[str, str]:
    """
    Mimic's own headers of a request: from :data:`MESH` when it came (a
    Mimic node called), else as they came one by one (``headers`` itself).
    When :data:`MESH` carried the trace headers too (an embedded hop), they
    are in the answer under their own names. Raises ValueError for a
    :data:`MESH` that Mimic did not write.
    """
    folded = headers.get(MESH)
    if folded is None:
        return headers
    try:
        values = json.loads(folded)
    except (ValueError, RecursionError):
        values = None
    unfolded = {}
    if type(values) is list and len(values) in (len(FOLDED), len(FOLDED) + len(FOLDED_TRACE)):
        for name, value in zip(FOLDED + FOLDED_TRACE, values):
            if type(value) is str:
                unfolded[name] = value
            elif value is not None:
                break
        else:
            return unfolded
    raise ValueError(f"{MESH}: {folded[:40]!r} is not what Mimic's nodes send each other; "
                     "this header is set by Mimic's mesh nodes, not by clients")


def traced(headers: Mapping[str, str], internal: Mapping[str, str]) -> Mapping[str, str]:
    """
    A request's headers with the trace headers its :data:`MESH` carried
    (``internal``, from :func:`unfold`) as if they had come as lines: what
    the callee of an embedded hop reads, shows and passes on is then what
    it read when they were real lines.
    """
    if internal is headers:
        return headers
    folded = [(name, internal[name]) for name in FOLDED_TRACE if name in internal]
    if not folded:
        return headers
    return {**headers, **dict(folded)}
