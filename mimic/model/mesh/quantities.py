"""
The quantities mesh policies are written in: durations as Istio writes
them (protobuf ``Duration`` strings: ``"1s"``, ``"0.5s"``, ``"250ms"``,
``"1m"``, ``"1h"``), Istio's percentages (``{value: 0-100}``, or the
deprecated integer ``percent``), and Mimic's own rates (0-1, or ``"N%"``).
A wrong one is a :class:`PolicyError` that says what was expected.
"""

from __future__ import annotations

import re
from typing import Any

_DURATION = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(h|m|s|ms|us|µs|ns)$")
_UNITS_MS = {"h": 3_600_000.0, "m": 60_000.0, "s": 1000.0, "ms": 1.0,
             "us": 0.001, "µs": 0.001, "ns": 0.000001}

#: The longest duration a policy may name (a day): longer is a typo, and a
#: bound keeps simulated time within what timestamps can show.
MAX_DURATION_MS = 86_400_000.0


class PolicyError(ValueError):
    """A policy field that cannot be used; ``path`` says which."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path


def duration_ms(value: Any, path: str) -> float:
    """``"1.5s"`` -> 1500.0; a number is taken as seconds (as YAML may write it)."""
    if isinstance(value, bool):
        raise PolicyError(f"{value!r} is not a duration such as '1s' or '250ms'", path)
    if isinstance(value, (int, float)):
        milliseconds = float(value) * 1000.0
    elif isinstance(value, str) and _DURATION.match(value.strip()):
        number, unit = _DURATION.match(value.strip()).groups()
        milliseconds = float(number) * _UNITS_MS[unit]
    else:
        raise PolicyError(f"{value!r} is not a duration such as '1s' or '250ms'", path)
    if not 0 <= milliseconds <= MAX_DURATION_MS:
        raise PolicyError(f"{value!r} is not a duration from 0 to 24h", path)
    return milliseconds


def istio_percentage(fault: dict, path: str) -> float:
    """
    The share (0-1) of an Istio ``percentage: {value: 0-100}`` (or the
    deprecated ``percent: N``); 100 % when neither is given, as in Istio.
    """
    if "percentage" in fault:
        found = fault["percentage"]
        value = found.get("value", 0) if isinstance(found, dict) else found
        where = f"{path}.percentage.value"
    elif "percent" in fault:
        value, where = fault["percent"], f"{path}.percent"
    else:
        return 1.0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
        raise PolicyError(
            f"{value!r}: Istio percentages are numbers from 0 to 100 (percentage: "
            "{value: 10} is 10 %)", where)
    return float(value) / 100.0


def rate(value: Any, path: str) -> float:
    """Mimic's rate: a number from 0 to 1, or a string ``"N%"`` (N from 0 to 100)."""
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            number = float(value.strip()[:-1])
        except ValueError:
            number = -1.0
        if 0 <= number <= 100:
            return number / 100.0
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1:
        return float(value)
    raise PolicyError(
        f"{value!r}: a rate is a number from 0 to 1 (0.1) or a percentage string "
        "('10%'); Istio's fault percentages (0-100) go in a VirtualService", path)
