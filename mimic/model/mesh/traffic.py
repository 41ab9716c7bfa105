"""
What the mesh's sidecars remember between calls: where each round robin
stands, how many calls are in flight per destination and per endpoint
(connection pools, LEAST_REQUEST), which endpoints are ejected and until
when on Mimic's clock (outlier detection), and how many requests each
endpoint has seen (``fail: {first, every}``). One per mesh state, so
reset forgets it.
"""

from __future__ import annotations

import random
from typing import Optional

import attrs

from mimic.model.mesh.destination_rule import OutlierDetection, TrafficPolicy


@attrs.frozen(cache_hash=True)
class Endpoint:
    """One replica of one version of a service, as a load balancer sees it."""

    service: str
    version: Optional[str]
    replica: int

    @property
    def label(self) -> str:
        return f"{self.version or '-'}#{self.replica}"


@attrs.define
class Health:
    """An endpoint's run of errors and its ejections."""

    consecutive_5xx: int = 0
    consecutive_gateway: int = 0
    ejected_until: Optional[float] = None
    times_ejected: int = 0

    def ejected(self, now: float) -> bool:
        return self.ejected_until is not None and now < self.ejected_until


@attrs.define
class TrafficState:
    rr: dict = attrs.field(factory=dict)
    in_flight: dict = attrs.field(factory=dict)  # service -> calls
    endpoint_load: dict = attrs.field(factory=dict)  # Endpoint -> calls
    health: dict = attrs.field(factory=dict)  # Endpoint -> Health
    requests: dict = attrs.field(factory=dict)  # (service, version, path) -> count

    def choose(self, key: tuple, endpoints: list, policy: TrafficPolicy,
               rng: random.Random, now: float) -> Optional[Endpoint]:
        """
        The endpoint of ``endpoints`` the next call goes to under
        ``policy``'s balancer, skipping ejected ones; None when every one
        is ejected (``UH``).
        """
        healthy = [e for e in endpoints if not self.ejected(e, now)]
        if not healthy:
            return None
        if policy.load_balancer == "RANDOM":
            return healthy[rng.randrange(len(healthy))]
        turn = self.rr.get(key, 0)
        self.rr[key] = turn + 1
        if policy.load_balancer == "LEAST_REQUEST":
            # Least in flight; ties go round robin, so idle endpoints share.
            # the first of the least loaded from where the turn stands.
            least = min(self.endpoint_load.get(e, 0) for e in healthy)
            start = turn % len(healthy)
            for endpoint in healthy[start:] + healthy[:start]:
                if self.endpoint_load.get(endpoint, 0) == least:
                    return endpoint
        return healthy[turn % len(healthy)]

    def ejected(self, endpoint: Endpoint, now: float) -> bool:
        health = self.health.get(endpoint)
        return health is not None and health.ejected(now)

    def admit(self, service: str, capacity: int) -> bool:
        """Take a connection-pool slot for a call to ``service``, if one is free."""
        if self.in_flight.get(service, 0) >= capacity:
            return False
        self.in_flight[service] = self.in_flight.get(service, 0) + 1
        return True

    def release(self, service: str) -> None:
        self.in_flight[service] = max(0, self.in_flight.get(service, 0) - 1)

    def started(self, endpoint: Endpoint) -> None:
        self.endpoint_load[endpoint] = self.endpoint_load.get(endpoint, 0) + 1

    def finished(self, endpoint: Endpoint) -> None:
        self.endpoint_load[endpoint] = max(0, self.endpoint_load.get(endpoint, 0) - 1)

    def observe(self, endpoint: Endpoint, code: int, outlier: Optional[OutlierDetection],
                endpoints: list, now: float) -> bool:
        """
        Count an answer of ``endpoint`` for outlier detection; True if this
        answer ejected it (at most ``max_ejection_percent`` of
        ``endpoints`` out at once, but always at least one may be).
        """
        health = self.health.setdefault(endpoint, Health())
        if health.ejected_until is not None and now >= health.ejected_until:
            health.ejected_until = None
        if code >= 500:
            health.consecutive_5xx += 1
        else:
            health.consecutive_5xx = 0
        if code in (502, 503, 504):
            health.consecutive_gateway += 1
        else:
            health.consecutive_gateway = 0
        if outlier is None or health.ejected(now):
            return False
        tripped = (outlier.consecutive_5xx and health.consecutive_5xx >= outlier.consecutive_5xx) \
            or (outlier.consecutive_gateway
                and health.consecutive_gateway >= outlier.consecutive_gateway)
        if not tripped:
            return False
        out = sum(1 for e in endpoints if e != endpoint and self.ejected(e, now))
        if out and (out + 1) * 100 > outlier.max_ejection_percent * len(endpoints):
            return False
        health.times_ejected += 1
        health.ejected_until = now + outlier.base_ejection_ms / 1000.0 * health.times_ejected
        health.consecutive_5xx = health.consecutive_gateway = 0
        return True

    def ejections_active(self, service: str, now: float) -> int:
        return sum(1 for e, h in self.health.items() if e.service == service and h.ejected(now))

    def count_request(self, service: str, version: Optional[str], path: str) -> int:
        key = (service, version, path)
        self.requests[key] = self.requests.get(key, 0) + 1
        return self.requests[key]
