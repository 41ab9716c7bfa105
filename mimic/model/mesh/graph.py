"""
The topology the mesh has observed, in the shape a Kiali-like view needs:
nodes (service, version, replica, ejected or not) and edges (caller ->
callee, with requests, errors, error rate, p50/p99 duration, retries and
the response flags seen), as JSON or as Graphviz ``dot``.
"""

from __future__ import annotations

from collections import Counter, deque

import attrs

#: Durations kept per edge for its percentiles (the most recent ones).
DURATIONS_KEPT = 1000

#: The source of requests from outside the mesh.
OUTSIDE = "unknown"


@attrs.define
class Edge:
    requests: int = 0
    errors: int = 0
    retries: int = 0
    flags: Counter = attrs.field(factory=Counter)
    durations: deque = attrs.field(factory=lambda: deque(maxlen=DURATIONS_KEPT))

    def to_json(self) -> dict:
        ordered = sorted(self.durations)

        def percentile(p: float) -> float:
            return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 3) \
                if ordered else 0.0

        return {
            "requests": self.requests, "errors": self.errors,
            "error_rate": round(self.errors / self.requests, 4) if self.requests else 0.0,
            "p50_ms": percentile(0.5), "p99_ms": percentile(0.99),
            "retries": self.retries, "response_flags": dict(sorted(self.flags.items())),
        }


@attrs.define
class Graph:
    """Edges by (source service, destination service); only mesh names are keys."""

    edges: dict = attrs.field(factory=dict)

    def record(self, source: str, destination: str, code: int, duration_ms: float,
               retries: int, flags: list) -> None:
        edge = self.edges.get((source, destination))
        if edge is None:  # (setdefault would build an Edge for every call)
            edge = self.edges[(source, destination)] = Edge()
        edge.requests += 1
        edge.errors += code >= 500
        edge.retries += retries
        edge.flags.update(flags)
        edge.durations.append(duration_ms)

    def to_json(self, nodes: list) -> dict:
        return {
            "nodes": nodes,
            "edges": [{"source": s, "destination": d, **edge.to_json()}
                      for (s, d), edge in sorted(self.edges.items())],
        }


def to_dot(graph: dict) -> str:
    """The graph of :meth:`Graph.to_json` in Graphviz's language."""
    lines = ["digraph mesh {", "  rankdir=LR;"]
    services = sorted({n["service"] for n in graph["nodes"]}
                      | {e["source"] for e in graph["edges"]}
                      | {e["destination"] for e in graph["edges"]})
    for service in services:
        versions = [n for n in graph["nodes"] if n["service"] == service]
        ejected = [f"{n['version']}#{n['replica']}" for n in versions if n["ejected"]]
        label = service + (f"\\nejected: {', '.join(ejected)}" if ejected else "")
        style = ', color="red"' if ejected else ""
        lines.append(f'  "{service}" [label="{label}"{style}];')
    for edge in graph["edges"]:
        label = (f"{edge['requests']} req, {edge['error_rate'] * 100:.1f}% err, "
                 f"p99 {edge['p99_ms']} ms")
        if edge["retries"]:
            label += f", {edge['retries']} retries"
        style = ', color="red"' if edge["errors"] else ""
        lines.append(f'  "{edge["source"]}" -> "{edge["destination"]}" '
                     f'[label="{label}"{style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"
