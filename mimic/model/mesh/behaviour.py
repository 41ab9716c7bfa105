"""
What a mesh endpoint does by itself, Mimic's additions to a Mimik
document in the spirit of fake-service's knobs: ``latency`` (a fixed time,
percentiles, or a distribution), ``errors`` (a rate and a code) and
``fail`` (the first N requests, or every Nth). Written on a version's
``spec`` they apply to all its endpoints (so v2 can be the slow canary);
written on an endpoint they override the version's for that endpoint.
"""

from __future__ import annotations

import math
import random
from typing import Any, Optional

import attrs

from mimic.model.mesh.quantities import PolicyError, duration_ms, rate

#: The fields of a behaviour, on ``spec`` or on an endpoint.
FIELDS = ("latency", "errors", "fail")


@attrs.frozen
class Latency:
    """
    How long a node takes by itself, in milliseconds: ``fixed``, or drawn to
    fit ``p50``/``p90``/``p99`` (piecewise linear between them), or from a
    ``lognormal`` (``median``, ``sigma``) or ``uniform`` (``min``, ``max``)
    distribution.
    """

    fixed: Optional[float] = None
    points: tuple = ()  # (quantile, ms) pairs, increasing
    lognormal: Optional[tuple] = None  # (median ms, sigma)

    def draw(self, rng: random.Random) -> float:
        if self.fixed is not None:
            return self.fixed
        u = rng.random()
        if self.lognormal is not None:
            median, sigma = self.lognormal
            return min(median * math.exp(sigma * _normal_quantile(u)), 86_400_000.0)
        for (q0, v0), (q1, v1) in zip(self.points, self.points[1:]):
            if u <= q1:
                return v0 + (v1 - v0) * (u - q0) / (q1 - q0)
        return self.points[-1][1]


def _normal_quantile(u: float) -> float:
    """The standard normal quantile of ``u`` (0 < u < 1), by bisection on erf."""
    u = min(max(u, 1e-12), 1 - 1e-12)
    low, high = -10.0, 10.0
    for _ in range(60):
        middle = (low + high) / 2
        if 0.5 * (1 + math.erf(middle / math.sqrt(2))) < u:
            low = middle
        else:
            high = middle
    return (low + high) / 2


@attrs.frozen
class Behaviour:
    """A version's or endpoint's latency, error rate and failure pattern."""

    latency: Optional[Latency] = None
    error_rate: float = 0.0
    error_code: int = 503
    fail_first: int = 0
    fail_every: int = 0
    fail_code: int = 503

    def overridden_by(self, other: "Behaviour", fields: frozenset) -> "Behaviour":
        """This behaviour with the ``fields`` an endpoint sets taken from ``other``."""
        changes: dict = {}
        if "latency" in fields:
            changes["latency"] = other.latency
        if "errors" in fields:
            changes.update(error_rate=other.error_rate, error_code=other.error_code)
        if "fail" in fields:
            changes.update(fail_first=other.fail_first, fail_every=other.fail_every,
                           fail_code=other.fail_code)
        return attrs.evolve(self, **changes)

    def failure(self, count: int, rng: random.Random) -> Optional[tuple]:
        """
        (code, why) if the ``count``-th request (from 1) to this endpoint
        fails by itself, else None.
        """
        if self.fail_first and count <= self.fail_first:
            return self.fail_code, f"fail.first: request {count} of the first {self.fail_first}"
        if self.fail_every and count % self.fail_every == 0:
            return self.fail_code, f"fail.every: request {count} is a multiple of {self.fail_every}"
        if self.error_rate and rng.random() < self.error_rate:
            return self.error_code, f"errors.rate {self.error_rate:g}"
        return None


def _code(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 200 <= value <= 599:
        raise PolicyError(f"{value!r} is not an HTTP status from 200 to 599", path)
    return value


def _count(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10**9:
        raise PolicyError(f"{value!r} is not a count from 1", path)
    return value


def parse_latency(value: Any, path: str) -> Latency:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return Latency(fixed=duration_ms(value, path))
    if not isinstance(value, dict):
        raise PolicyError("latency is a duration, {fixed}, {p50, p90, p99} or "
                          "{distribution: lognormal|uniform, ...}", path)
    if "fixed" in value:
        return Latency(fixed=duration_ms(value["fixed"], f"{path}.fixed"))
    distribution = value.get("distribution")
    if distribution == "uniform":
        low = duration_ms(value.get("min", 0), f"{path}.min")
        high = duration_ms(value.get("max", 0), f"{path}.max")
        if high < low:
            raise PolicyError("max is less than min", f"{path}.max")
        return Latency(points=((0.0, low), (1.0, high)))
    if distribution == "lognormal":
        median = duration_ms(value.get("median", 0), f"{path}.median")
        sigma = value.get("sigma", 0.5)
        if isinstance(sigma, bool) or not isinstance(sigma, (int, float)) or not 0 <= sigma <= 5:
            raise PolicyError(f"{sigma!r}: sigma is a number from 0 to 5", f"{path}.sigma")
        return Latency(lognormal=(median, float(sigma)))
    if distribution is not None:
        raise PolicyError(f"{distribution!r}: the distributions are lognormal and uniform",
                          f"{path}.distribution")
    points = [(0.0, 0.0)]
    for name, quantile in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99)):
        if name in value:
            ms = duration_ms(value[name], f"{path}.{name}")
            if ms < points[-1][1]:
                raise PolicyError(f"{name} is less than a lower percentile", f"{path}.{name}")
            points.append((quantile, ms))
    if len(points) == 1:
        raise PolicyError("latency needs fixed, p50/p90/p99 or a distribution", path)
    points.append((1.0, points[-1][1]))
    return Latency(points=tuple(points))


def parse_behaviour(body: dict, path: str) -> tuple:
    """The :class:`Behaviour` a ``spec`` or endpoint declares, and which fields it sets."""
    found: dict = {}
    if "latency" in body:
        found["latency"] = parse_latency(body["latency"], f"{path}.latency")
    if "errors" in body:
        errors = body["errors"]
        if not isinstance(errors, dict):
            raise PolicyError("errors is {rate, code}", f"{path}.errors")
        found["error_rate"] = rate(errors.get("rate", 0), f"{path}.errors.rate")
        found["error_code"] = _code(errors.get("code", 503), f"{path}.errors.code")
    if "fail" in body:
        fail = body["fail"]
        if not isinstance(fail, dict) or not ({"first", "every"} & set(fail)):
            raise PolicyError("fail is {first: N} or {every: N} (and a code)", f"{path}.fail")
        if "first" in fail:
            found["fail_first"] = _count(fail["first"], f"{path}.fail.first")
        if "every" in fail:
            found["fail_every"] = _count(fail["every"], f"{path}.fail.every")
        found["fail_code"] = _code(fail.get("code", 503), f"{path}.fail.code")
    return Behaviour(**found), frozenset(f for f in FIELDS if f in body)
