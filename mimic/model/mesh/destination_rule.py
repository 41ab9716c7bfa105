"""
Istio's ``DestinationRule`` for a mesh service: its ``subsets`` (the
versions whose labels match), and the ``trafficPolicy`` a caller applies
to it, also per subset: ``loadBalancer.simple`` (ROUND_ROBIN, RANDOM,
LEAST_REQUEST), ``connectionPool`` (how many calls may be in flight) and
``outlierDetection`` (ejecting an endpoint after consecutive errors).
Fields Mimic does not simulate are named in :attr:`DestinationRule.warnings`.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

import attrs

from mimic.model.mesh.quantities import PolicyError, duration_ms
from mimic.model.mesh.virtual_service import service_of_host

BALANCERS = ("ROUND_ROBIN", "RANDOM", "LEAST_REQUEST", "LEAST_CONN", "PASSTHROUGH",
             "UNSPECIFIED")

#: Envoy's "no limit" for circuit breakers it is not told about.
UNLIMITED = 2 ** 32 - 1


@attrs.frozen
class ConnectionPool:
    """
    How many calls to a destination may be in flight at once, as Envoy's
    circuit breakers count them for HTTP/1.1: ``max_connections`` active
    plus ``max_pending`` waiting for a connection, and at most
    ``max_requests`` in all; a call past the limit is a 503 ``UO``.
    """

    max_connections: int = UNLIMITED
    max_pending: int = UNLIMITED
    max_requests: int = UNLIMITED

    @property
    def capacity(self) -> int:
        return min(self.max_connections + self.max_pending, self.max_requests)


@attrs.frozen
class OutlierDetection:
    """
    Eject an endpoint after ``consecutive_5xx`` 5xx answers (or
    ``consecutive_gateway`` 502/503/504 ones) in a row, for
    ``base_ejection_ms`` times the number of times it was ejected, with at
    most ``max_ejection_percent`` of the endpoints out (but at least one).
    """

    consecutive_5xx: Optional[int] = 5
    consecutive_gateway: Optional[int] = None
    interval_ms: float = 10_000.0
    base_ejection_ms: float = 30_000.0
    max_ejection_percent: int = 10


@attrs.frozen
class TrafficPolicy:
    load_balancer: str = "ROUND_ROBIN"
    pool: ConnectionPool = ConnectionPool()
    outlier: Optional[OutlierDetection] = None


@attrs.frozen
class Subset:
    """A named set of a service's versions: those whose labels match."""

    name: str
    labels: tuple
    policy: Optional[TrafficPolicy] = None

    def selects(self, labels: Mapping[str, str]) -> bool:
        return all(labels.get(k) == v for k, v in self.labels)


@attrs.frozen
class DestinationRule:
    name: str
    service: str
    policy: TrafficPolicy
    subsets: tuple = ()
    warnings: tuple = ()

    def subset(self, name: Optional[str]) -> Optional[Subset]:
        for subset in self.subsets:
            if subset.name == name:
                return subset
        return None

    def policy_for(self, subset: Optional[str]) -> TrafficPolicy:
        """A subset's own traffic policy overrides the rule's, as in Istio."""
        found = self.subset(subset)
        return found.policy if found is not None and found.policy is not None else self.policy


def _int(body: Mapping, name: str, path: str, low: int = 0,
         default: Optional[int] = None) -> Optional[int]:
    value = body.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= UNLIMITED:
        raise PolicyError(f"{value!r} is not a whole number from {low}", f"{path}.{name}")
    return value


def _policy(body: Any, path: str, warnings: list) -> TrafficPolicy:
    if not isinstance(body, dict):
        raise PolicyError("trafficPolicy is a mapping", path)
    for name in sorted(set(body) - {"loadBalancer", "connectionPool", "outlierDetection"}):
        warnings.append(f"{path}.{name} is not simulated")
    balancer = "ROUND_ROBIN"
    if "loadBalancer" in body:
        lb = body["loadBalancer"]
        if not isinstance(lb, dict):
            raise PolicyError("loadBalancer is {simple: ROUND_ROBIN}", f"{path}.loadBalancer")
        for name in sorted(set(lb) - {"simple"}):
            warnings.append(f"{path}.loadBalancer.{name} is not simulated (round robin is used)")
        balancer = lb.get("simple", "ROUND_ROBIN")
        if balancer not in BALANCERS:
            raise PolicyError(f"{balancer!r}: simple is one of {', '.join(BALANCERS)}",
                              f"{path}.loadBalancer.simple")
        if balancer in ("LEAST_CONN",):
            balancer = "LEAST_REQUEST"  # Istio's deprecated name for it
        if balancer in ("PASSTHROUGH", "UNSPECIFIED"):
            warnings.append(f"{path}.loadBalancer.simple {balancer} is simulated as ROUND_ROBIN")
            balancer = "ROUND_ROBIN"
    pool = ConnectionPool()
    if "connectionPool" in body:
        where = f"{path}.connectionPool"
        found = body["connectionPool"]
        tcp = found.get("tcp") or {} if isinstance(found, dict) else None
        http = found.get("http") or {} if isinstance(found, dict) else None
        if not isinstance(tcp, dict) or not isinstance(http, dict):
            raise PolicyError("connectionPool is {tcp: {...}, http: {...}}", where)
        for name in sorted(set(tcp) - {"maxConnections"}):
            warnings.append(f"{where}.tcp.{name} is not simulated")
        for name in sorted(set(http) - {"http1MaxPendingRequests", "http2MaxRequests",
                                        "maxRequestsPerConnection"}):
            warnings.append(f"{where}.http.{name} is not simulated")
        if "maxRequestsPerConnection" in http:
            warnings.append(f"{where}.http.maxRequestsPerConnection is accepted; calls are "
                            "not tied to connections, so it limits nothing")
        pool = ConnectionPool(
            max_connections=_int(tcp, "maxConnections", f"{where}.tcp", 1, UNLIMITED),
            max_pending=_int(http, "http1MaxPendingRequests", f"{where}.http", 0, UNLIMITED),
            max_requests=_int(http, "http2MaxRequests", f"{where}.http", 1, UNLIMITED))
        _int(http, "maxRequestsPerConnection", f"{where}.http", 0)
    outlier = None
    if "outlierDetection" in body:
        where = f"{path}.outlierDetection"
        found = body["outlierDetection"]
        if not isinstance(found, dict):
            raise PolicyError("outlierDetection is a mapping", where)
        for name in sorted(set(found) - {"consecutive5xxErrors", "consecutiveErrors",
                                         "consecutiveGatewayErrors", "interval",
                                         "baseEjectionTime", "maxEjectionPercent"}):
            warnings.append(f"{where}.{name} is not simulated")
        five = _int(found, "consecutive5xxErrors", where, 0,
                    found.get("consecutiveErrors", 5) if "consecutiveErrors" in found else 5)
        percent = _int(found, "maxEjectionPercent", where, 0, 10)
        if percent > 100:
            raise PolicyError("maxEjectionPercent is from 0 to 100", f"{where}.maxEjectionPercent")
        outlier = OutlierDetection(
            consecutive_5xx=five or None,
            consecutive_gateway=_int(found, "consecutiveGatewayErrors", where, 0) or None,
            interval_ms=duration_ms(found.get("interval", "10s"), f"{where}.interval"),
            base_ejection_ms=duration_ms(found.get("baseEjectionTime", "30s"),
                                         f"{where}.baseEjectionTime"),
            max_ejection_percent=percent)
    return TrafficPolicy(load_balancer=balancer, pool=pool, outlier=outlier)


def parse_destination_rule(body: Mapping[str, Any]) -> DestinationRule:
    spec = body.get("spec")
    if not isinstance(spec, dict) or not isinstance(spec.get("host"), str) or not spec["host"]:
        raise PolicyError("a DestinationRule names its service in host", "spec.host")
    warnings: list = []
    for name in sorted(set(spec) - {"host", "trafficPolicy", "subsets", "exportTo"}):
        warnings.append(f"spec.{name} is not simulated")
    policy = _policy(spec["trafficPolicy"], "spec.trafficPolicy", warnings) \
        if "trafficPolicy" in spec else TrafficPolicy()
    subsets = []
    names = set()
    if not isinstance(spec.get("subsets") or [], list):
        raise PolicyError("subsets lists {name, labels}", "spec.subsets")
    for s, subset in enumerate(spec.get("subsets") or []):
        where = f"spec.subsets[{s}]"
        if not isinstance(subset, dict) or not isinstance(subset.get("name"), str):
            raise PolicyError("a subset has a name and labels", where)
        labels = subset.get("labels") or {}
        if not isinstance(labels, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
            raise PolicyError("labels map names to strings", f"{where}.labels")
        if subset["name"] in names:
            raise PolicyError(f"subset {subset['name']!r} is named twice", f"{where}.name")
        names.add(subset["name"])
        own = _policy(subset["trafficPolicy"], f"{where}.trafficPolicy", warnings) \
            if "trafficPolicy" in subset else None
        subsets.append(Subset(subset["name"], tuple(sorted(labels.items())), own))
    metadata = body.get("metadata") or {}
    return DestinationRule(name=metadata.get("name", ""), service=service_of_host(spec["host"]),
                           policy=policy, subsets=tuple(subsets), warnings=tuple(warnings))
