"""
Regular expressions that clients send (Nova's ``?name=`` filter, behavior
criteria), matched in time linear in the text.

Python's ``re`` backtracks: ``(a+)+$`` against a 26-character name took
7.5 s, and Mimic is one thread serving every test. Client patterns are
compiled with RE2 (``google-re2``) instead, which never backtracks, and are
held to two budgets, so that a match costs at most a fraction of a
millisecond per text (see docs/robustness.rst):

- at most :data:`MAX_PATTERN_CHARS` characters, and
- at most :data:`MAX_PROGRAM_SIZE` RE2 instructions once compiled (what a
  match's cost grows with: ``(.*a){500}`` is short but large).

The syntax is Python's for everything RE2 has (classes, groups,
alternation, counted repeats, anchors, ``(?i)``); what needs backtracking
(back-references, look-ahead and look-behind) is refused as unsupported,
like a pattern over budget: :class:`PatternRefused`, which every API turns
into its 400.
"""

from __future__ import annotations

from typing import Any

import attrs
import re2

#: The longest pattern accepted, in characters.
MAX_PATTERN_CHARS = 1000

#: The largest compiled program accepted, in RE2 instructions.
MAX_PROGRAM_SIZE = 2000


class PatternRefused(ValueError):
    """A pattern that is not valid, not supported, or over budget."""


def _options() -> Any:
    options = re2.Options()
    # Errors come back as exceptions; RE2's own log would only repeat them
    # on stderr for every bad pattern a client sends.
    options.log_errors = False
    # Only whether a pattern matches matters, never what a group took:
    # without captures RE2 answers from its DFA, which is what keeps the
    # cost per character flat.
    options.never_capture = True
    return options


@attrs.frozen
class ClientPattern:
    """A pattern a client sent, compiled within budget."""

    pattern: str
    _compiled: Any = attrs.field(repr=False, eq=False)

    def search(self, text: str) -> bool:
        """Whether the pattern matches anywhere in ``text`` (``re.search``)."""
        return self._compiled.search(_utf8(text)) is not None

    def fullmatch(self, text: str) -> bool:
        """Whether the pattern matches all of ``text`` (``re.fullmatch``)."""
        return self._compiled.fullmatch(_utf8(text)) is not None


def _utf8(text: str) -> bytes:
    # Texts come from strict UTF-8 and JSON without lone surrogates, but a
    # surrogate must never turn a match into an exception.
    return text.encode("utf-8", "surrogatepass")


def compile_pattern(pattern: Any) -> ClientPattern:
    """
    ``pattern`` compiled for linear-time matching, or
    :class:`PatternRefused` saying why not.
    """
    if not isinstance(pattern, str):
        raise PatternRefused("a pattern must be a string")
    if len(pattern) > MAX_PATTERN_CHARS:
        raise PatternRefused(f"a pattern may have at most {MAX_PATTERN_CHARS} characters")
    try:
        compiled = re2.compile(_utf8(pattern), options=_options())
    except re2.error as error:
        reason = error.args[0] if error.args else error
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternRefused(f"not a pattern Mimic can match in linear time ({reason})") from None
    if compiled.programsize > MAX_PROGRAM_SIZE:
        raise PatternRefused(
            f"the pattern is too complex to match within Mimic's budget "
            f"({compiled.programsize} instructions; at most {MAX_PROGRAM_SIZE})")
    return ClientPattern(pattern, compiled)
