"""
Regular expressions that clients send (Nova's ``?name=`` filter, behavior
criteria), matched in time linear in the text.

Python's ``re`` backtracks: ``(a+)+$`` against a 26-character name took
7.5 s, and Mimic is one thread serving every test. Client patterns are
compiled with RE2 (``google-re2``) instead, which never backtracks: a match
costs time linear in the text. The factor can still be large (a pattern
whose DFA would be huge runs on RE2's slower NFA, a few milliseconds per
255-character name), so patterns are held to budgets (see
docs/robustness.rst):

- at most :data:`MAX_PATTERN_CHARS` characters and
  :data:`MAX_PROGRAM_SIZE` RE2 instructions once compiled;
- a :class:`MatchBudget` of processor time per request
  (:data:`MATCH_SECONDS`), shared by every match the request makes: a
  filter over thousands of servers stops there with
  :class:`PatternTooCostly` instead of holding the reactor;
- patterns kept for later (behavior criteria) are tried at registration
  against texts made to be hard for them (:func:`compile_pattern` with
  ``probe=True``), and refused if those take more than
  :data:`PROBE_SECONDS`.

The syntax is Python's for everything RE2 has (classes, groups,
alternation, counted repeats, anchors, ``(?i)``); what needs backtracking
(back-references, look-ahead and look-behind) is refused as unsupported,
like a pattern over budget: :class:`PatternRefused`, which every API turns
into its 400.
"""

from __future__ import annotations

import time
from typing import Any, Optional

import attrs
import re2

#: The longest pattern accepted, in characters.
MAX_PATTERN_CHARS = 1000

#: The largest compiled program accepted, in RE2 instructions.
MAX_PROGRAM_SIZE = 2000

#: Processor time one request may spend matching client patterns.
MATCH_SECONDS = 0.05

#: Processor time a kept pattern may take over all its probe texts.
PROBE_SECONDS = 0.01

#: The longest text a kept pattern is matched against (a server name).
PROBE_LENGTH = 255


class PatternRefused(ValueError):
    """A pattern that is not valid, not supported, or over budget."""


class PatternTooCostly(PatternRefused):
    """Matching used up its :class:`MatchBudget`."""


@attrs.define
class MatchBudget:
    """
    Processor time left for matching, charged by each match; past it,
    :class:`PatternTooCostly`. This measures work (``time.perf_counter``),
    not Mimic's clock: it is what the reactor spends, whatever the clock
    says.
    """

    seconds: float = attrs.field(factory=lambda: MATCH_SECONDS)
    spent: float = 0.0

    def charge(self, started: float) -> None:
        self.spent += time.perf_counter() - started
        if self.spent > self.seconds:
            raise PatternTooCostly(
                f"matching the pattern took more than Mimic's budget of "
                f"{self.seconds * 1000:.0f} ms")


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

    #: A snapshot keeps the pattern and compiles it again on restore.
    __snapshot_derived__ = ("_compiled",)

    def __snapshot_restore__(self) -> None:
        # A restored document is client input too: the same budgets as at
        # registration (PatternRefused, a ValueError, if over them).
        object.__setattr__(self, "_compiled",
                           compile_pattern(self.pattern, probe=True)._compiled)

    def search(self, text: str, budget: Optional[MatchBudget] = None) -> bool:
        """Whether the pattern matches anywhere in ``text`` (``re.search``)."""
        started = time.perf_counter()
        found = self._compiled.search(_utf8(text)) is not None
        if budget is not None:
            budget.charge(started)
        return found

    def fullmatch(self, text: str, budget: Optional[MatchBudget] = None) -> bool:
        """Whether the pattern matches all of ``text`` (``re.fullmatch``)."""
        started = time.perf_counter()
        found = self._compiled.fullmatch(_utf8(text)) is not None
        if budget is not None:
            budget.charge(started)
        return found

    def within(self, budget: MatchBudget) -> "BudgetedPattern":
        """This pattern charging every match to ``budget`` (one request's)."""
        return BudgetedPattern(self, budget)


@attrs.frozen
class BudgetedPattern:
    """A :class:`ClientPattern` bound to one request's :class:`MatchBudget`."""

    pattern: ClientPattern
    budget: MatchBudget

    def search(self, text: str) -> bool:
        return self.pattern.search(text, self.budget)

    def fullmatch(self, text: str) -> bool:
        return self.pattern.fullmatch(text, self.budget)


def _utf8(text: str) -> bytes:
    # Texts come from strict UTF-8 and JSON without lone surrogates, but a
    # surrogate must never turn a match into an exception.
    return text.encode("utf-8", "surrogatepass")


def compile_pattern(pattern: Any, probe: bool = False) -> ClientPattern:
    """
    ``pattern`` compiled for linear-time matching, or
    :class:`PatternRefused` saying why not. With ``probe`` (a pattern kept
    to be matched on later requests), it must also match its probe texts
    within :data:`PROBE_SECONDS`.
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
    kept = ClientPattern(pattern, compiled)
    if probe:
        budget = MatchBudget(PROBE_SECONDS)
        try:
            for text in _probe_texts(pattern):
                kept.fullmatch(text, budget)
                kept.search(text, budget)
        except PatternTooCostly:
            raise PatternRefused(
                f"the pattern is too costly to match: texts of {PROBE_LENGTH} characters "
                f"took more than {PROBE_SECONDS * 1000:.0f} ms") from None
    return kept


def _probe_texts(pattern: str) -> list:
    """
    Texts that are slow for a pattern if anything is: long runs of the
    characters it names, with and without a character that spoils the
    match at the end, and the first two of them alternating, periodically
    and not.
    """
    named = [c for c in dict.fromkeys(pattern) if c.isalnum()][:4] or ["a"]
    if "a" not in named:
        named.append("a")
    texts = []
    for char in named:
        texts += [char * PROBE_LENGTH, char * (PROBE_LENGTH - 1) + "!"]
    first, second = (named + ["b"])[:2]
    texts.append(((first + second) * PROBE_LENGTH)[:PROBE_LENGTH])
    # Thue-Morse: the two never settle into a period a DFA could learn.
    texts.append("".join(second if bin(i).count("1") % 2 else first
                         for i in range(PROBE_LENGTH)))
    return texts
