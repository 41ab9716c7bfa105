"""
Call cascades typed in a URL, as servicemock defines them.

A path whose first segment starts with ``@`` tells the service that
receives it whom to call, and the rest of the path is what it passes on:
``/@a/@b/uri`` makes the receiver call ``a`` with ``/@b/uri`` (so ``a`` calls
``b`` with ``/uri``). In the segment, ``,`` separates calls made one after
the other and ``|`` calls made at the same time (``a|b,c``: ``a`` and ``b``
together, then ``c``); each target may name a port (``a:8081``) and headers
to add to that call (``a[name=value][n2=v2]``). A path whose first segment
does not start with ``@`` is no cascade: the receiver calls nothing for it.
"""

from __future__ import annotations

import re
from typing import Optional

import attrs

from mimic.model.mesh.headers import refused_header

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

#: The most calls one URL may cause across all its nested cascades. Widths
#: multiply level by level (``/@a|b/@c|d/...``), so a short URL could
#: otherwise ask for billions of calls.
MAX_CASCADE_CALLS = 1000
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


class CascadeError(ValueError):
    """A cascade segment that does not parse; the message says where."""


@attrs.frozen
class Target:
    """One call of a cascade: a service, maybe a port, headers to add."""

    service: str
    port: Optional[int] = None
    headers: tuple = ()


@attrs.frozen
class Cascade:
    """
    The calls of one cascade segment: ``steps`` run one after the other,
    the targets of one step at the same time; each gets ``path``.
    """

    steps: tuple
    path: str


def split_first_segment(path: str) -> tuple[str, str]:
    """``/@a/@b/uri`` -> (``@a``, ``/@b/uri``); the rest is ``/`` at least."""
    first, _, rest = path.lstrip("/").partition("/")
    return first, "/" + rest


def parse_cascade(path: str) -> Optional[Cascade]:
    """
    The cascade ``path`` starts with, or None if it starts with none.
    Refuses a path whose nested cascades would make more than
    :data:`MAX_CASCADE_CALLS` calls in all.
    """
    path, mark, query = path.partition("?")
    first, rest = split_first_segment(path)
    if not first.startswith("@"):
        return None
    rest += mark + query  # the query goes on with the rest of the URL
    steps = parse_targets(first[1:])
    total = cascade_calls(path)
    if total > MAX_CASCADE_CALLS:
        raise CascadeError(
            f"this URL asks for {total} calls in all; at most "
            f"{MAX_CASCADE_CALLS} are made for one request")
    return Cascade(steps=steps, path=rest)


def cascade_calls(path: str) -> int:
    """
    How many calls the nested cascades of ``path`` make in all: each level's
    targets are called once by every caller of the level before.
    """
    total, callers = 0, 1
    segment, rest = split_first_segment(path)
    while segment.startswith("@"):
        # Count targets without building them: one per ',' or '|' outside [].
        width = 1 + len(re.findall(r"[,|]", re.sub(r"\[[^\]]*\]", "", segment)))
        callers *= width
        total += callers
        if total > MAX_CASCADE_CALLS:
            return total
        segment, rest = split_first_segment(rest)
    return total


def parse_targets(text: str) -> tuple:
    """``a|b,c:8081[x=1]`` -> ((a, b), (c:8081 with x: 1,))."""
    steps: list = []
    group: list = []
    position = 0
    while True:
        target, position = _target(text, position)
        group.append(target)
        if position == len(text):
            steps.append(tuple(group))
            return tuple(steps)
        separator = text[position]
        if separator == ",":
            steps.append(tuple(group))
            group = []
        elif separator != "|":
            raise CascadeError(
                f"unexpected {separator!r} at position {position + 1} of "
                f"'@{text}': targets are separated by ',' or '|'")
        position += 1


def _target(text: str, position: int) -> tuple[Target, int]:
    match = _NAME.match(text, position)
    if match is None:
        raise CascadeError(
            f"a service name is expected at position {position + 1} of '@{text}'")
    service = match.group()
    position = match.end()
    port = None
    if text.startswith(":", position):
        digits = re.compile(r"[0-9]{1,5}").match(text, position + 1)
        if digits is None or not 1 <= int(digits.group()) <= 65535:
            raise CascadeError(f"a port (1-65535) is expected after '{service}:'")
        port = int(digits.group())
        position = digits.end()
    headers = []
    while text.startswith("[", position):
        end = text.find("]", position)
        if end < 0:
            raise CascadeError(f"'[' without ']' in the headers of {service!r}")
        name, equals, value = text[position + 1:end].partition("=")
        if not equals or not _HEADER_NAME.match(name):
            raise CascadeError(
                f"a header is written [name=value]; got {text[position:end + 1]!r}")
        refusal = refused_header(name)
        if refusal is not None:
            raise CascadeError(refusal)
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            raise CascadeError(f"the value of header {name!r} holds a control character")
        headers.append((name.lower(), value))
        position = end + 1
    return Target(service=service, port=port, headers=tuple(headers)), position
