"""
Client patterns (mimic.model.patterns): Python's syntax matched by RE2, and
the budgets that keep one request from holding the reactor.
"""

from __future__ import annotations

import pytest

from mimic.model import patterns
from mimic.model.behaviors import (
    BehaviorKind,
    BehaviorRegistry,
    CriterionKind,
    Event,
    InvalidBehavior,
)
from mimic.model.patterns import MatchBudget, PatternRefused, PatternTooCostly, compile_pattern
from mimic.util import IdSource


def test_search_and_fullmatch_mean_what_they_mean_in_python():
    pattern = compile_pattern(r"web-\d+")
    assert pattern.search("my-web-12-box") and not pattern.fullmatch("my-web-12-box")
    assert pattern.fullmatch("web-12")
    assert compile_pattern("(?i)WEB").search("a web server")
    assert compile_pattern("^é+$").fullmatch("ééé")


@pytest.mark.parametrize("pattern", [r"(a)\1", "(?=a)", "(?<!a)b", "(", "x" * 1001,
                                     "(.*a){500}"])
def test_what_needs_backtracking_or_is_over_budget_is_refused(pattern):
    with pytest.raises(PatternRefused):
        compile_pattern(pattern)


def test_a_spent_budget_stops_matching():
    budget = MatchBudget(seconds=0)
    with pytest.raises(PatternTooCostly):
        compile_pattern("a").search("a", budget)


def test_kept_patterns_are_probed_at_registration(monkeypatch):
    monkeypatch.setattr(patterns, "PROBE_SECONDS", 0)
    with pytest.raises(PatternRefused, match="too costly"):
        compile_pattern("a+", probe=True)
    assert compile_pattern("a+").fullmatch("aaa")


def test_criteria_with_no_time_left_do_not_apply(monkeypatch):
    event = Event("creation", behaviors=(BehaviorKind("fail", "fail"),),
                  criteria=(CriterionKind("server_name"),))
    registry = BehaviorRegistry(event, IdSource())
    registry.register({"name": "fail", "criteria": [{"server_name": "web.*"}]})
    assert registry.choose({"server_name": "web-1"}).name == "fail"
    assert registry.choose({"server_name": "db-1"}).name == event.default
    with pytest.raises(InvalidBehavior):
        registry.register({"name": "fail", "criteria": [{"server_name": "(a)\\1"}]})
    monkeypatch.setattr(patterns, "MATCH_SECONDS", 0)
    # The budget is gone before the criterion matches: the event's default.
    assert registry.choose({"server_name": "web-1"}).name == event.default
