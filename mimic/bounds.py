"""
The limits Mimic puts on what clients send, in one place, and the bounded
JSON reader every API parses request bodies with.

Mimic is one thread serving every test of a CI run: a request that holds it
for seconds, takes gigabytes, or leaves a value behind that breaks later
answers hurts everyone. Each limit here is documented in
``docs/robustness.rst``; past one, the API answers its own 400, never a 500
or a stall.

This module knows no HTTP (models use it too): it raises
:class:`InputRefused`, a :class:`ValueError` whose message says which limit
was passed; the REST layer turns that into each API's error body.
"""

from __future__ import annotations

import functools
import json
import math
import re
from typing import Any, Optional

#: Containers (objects and arrays) nested deeper than this are refused.
#: Every body an emulated API takes is a handful of levels deep.
MAX_JSON_DEPTH = 100

#: Integers in a JSON body may have at most this many digits: past it a
#: number cannot even be a float (``1e308`` is the largest), and any
#: arithmetic Mimic does with it would overflow.
MAX_JSON_INTEGER_DIGITS = 308

#: Integers in a query string may have at most this many digits (a page
#: size or a size filter needs far fewer; Python refuses to convert more
#: than 4,300 at all).
MAX_QUERY_INTEGER_DIGITS = 100

_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


@functools.cache
def _long_number() -> Any:
    """
    The scan for a number past the limits. RE2 scans a megabyte for it in
    a sixth of the time re takes; it is imported with the first JSON body
    read, not at start-up (docs/performance.rst).
    """
    import re2

    return re2.compile(rb"[0-9]{%d}|[eE][-+]?[0-9]{3}" % (MAX_JSON_INTEGER_DIGITS + 1))


class InputRefused(ValueError):
    """A client value past one of Mimic's limits; the message says which."""


def _refuse_constant(name: str) -> Any:
    raise InputRefused(f"{name} is not a JSON number")


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_INTEGER_DIGITS:
        raise InputRefused(
            f"a number has more than {MAX_JSON_INTEGER_DIGITS} digits")
    return int(text)


def _float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise InputRefused(f"the number {text[:40]} is too large")
    return number


def load_json(raw: Any) -> Any:
    """
    ``raw`` (bytes or text) parsed as JSON within Mimic's limits: at most
    :data:`MAX_JSON_DEPTH` levels, no lone surrogate (``"\\ud800"``) in any
    string, no number that is not finite (``NaN``, ``Infinity``, ``1e999``)
    or longer than :data:`MAX_JSON_INTEGER_DIGITS` digits.

    Raises :class:`InputRefused` past a limit and :class:`ValueError` for
    text that is not JSON at all.
    """
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    # A Python call per number would make a 1 MiB array of numbers cost
    # five times its parse: check numbers one by one only when a long run
    # of digits or a three-digit exponent could be one past the limits.
    numbers = {}
    if _long_number().search(raw) is not None:
        numbers = {"parse_int": _integer, "parse_float": _float}
    try:
        value = json.loads(raw, parse_constant=_refuse_constant, **numbers)
    except RecursionError:
        raise InputRefused(f"it is nested more than {MAX_JSON_DEPTH} levels deep") from None
    # Both checks walk the parsed value; cheap byte counts skip the walk for
    # the usual body that cannot be deep and has no escaped surrogate.
    deep = raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH
    surrogates = _ESCAPED_SURROGATE.search(raw) is not None
    if deep or surrogates:
        _check_parsed(value, surrogates)
    return value


def _check_parsed(value: Any, surrogates: bool) -> None:
    """Walk ``value`` without recursion, refusing depth and lone surrogates."""
    # Only what can hold a container or a surrogate is worth a visit.
    wanted = (dict, list, str) if surrogates else (dict, list)
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            if depth > MAX_JSON_DEPTH:
                raise InputRefused(f"it is nested more than {MAX_JSON_DEPTH} levels deep")
            for key, member in item.items():
                if surrogates and _SURROGATE.search(key):
                    raise InputRefused("a name holds a lone surrogate (\\ud800-\\udfff)")
                if isinstance(member, wanted):
                    stack.append((member, depth + 1))
        elif isinstance(item, list):
            if depth > MAX_JSON_DEPTH:
                raise InputRefused(f"it is nested more than {MAX_JSON_DEPTH} levels deep")
            stack.extend((member, depth + 1) for member in item if isinstance(member, wanted))
        elif surrogates and isinstance(item, str) and _SURROGATE.search(item):
            raise InputRefused("a string holds a lone surrogate (\\ud800-\\udfff)")


def decimal(text: str, signed: bool = False) -> Optional[int]:
    """
    ``text`` as an integer if it is one written in ASCII digits (with a
    leading ``-`` if ``signed``), at most :data:`MAX_JSON_INTEGER_DIGITS`
    of them; else None. For numbers APIs accept as strings (``"2"`` for
    ``max_count``): ``str.isdigit`` accepts ``"²"``, which :func:`int`
    refuses, and :func:`int` refuses more than 4,300 digits.
    """
    digits = text[1:] if signed and text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > MAX_JSON_INTEGER_DIGITS:
        return None
    return int(text)


def parse_query_integer(raw: str) -> int:
    """
    A query value as a non-negative integer: ASCII digits only (``"²"`` is
    a digit to :meth:`str.isdigit` but not to :func:`int`), at most
    :data:`MAX_QUERY_INTEGER_DIGITS` of them. :class:`InputRefused` if not.
    """
    if not raw.isascii() or not raw.isdigit():
        raise InputRefused(f"{raw[:40]!r} is not a whole number")
    if len(raw) > MAX_QUERY_INTEGER_DIGITS:
        raise InputRefused(f"a number has more than {MAX_QUERY_INTEGER_DIGITS} digits")
    return int(raw)
