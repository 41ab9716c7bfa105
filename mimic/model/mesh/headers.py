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

from typing import Optional

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
