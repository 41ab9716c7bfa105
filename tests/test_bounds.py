"""
The bounded JSON reader and number readers every API shares
(mimic.bounds): exactly where each limit falls.
"""

from __future__ import annotations

import json

import pytest

from mimic.bounds import (
    MAX_JSON_DEPTH,
    InputRefused,
    decimal,
    load_json,
    parse_query_integer,
)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_depth_up_to_the_limit_is_accepted_and_one_more_refused():
    assert load_json(nested(MAX_JSON_DEPTH)) is not None
    with pytest.raises(InputRefused, match="nested"):
        load_json(nested(MAX_JSON_DEPTH + 1))
    with pytest.raises(InputRefused, match="nested"):
        load_json('{"a":' * (MAX_JSON_DEPTH + 1) + "1" + "}" * (MAX_JSON_DEPTH + 1))
    # Past the interpreter's own recursion limit too, without a RecursionError.
    with pytest.raises(InputRefused):
        load_json(nested(100000))
    # Many containers side by side are not deep.
    assert len(load_json("[" + ",".join(["{}"] * 5000) + "]")) == 5000


@pytest.mark.parametrize("body", [r'{"a": "\ud800"}', r'{"\udfff": 1}', r'["ok", ["\uDBFF"]]'])
def test_lone_surrogates_are_refused_wherever_they_are(body):
    with pytest.raises(InputRefused, match="surrogate"):
        load_json(body)


def test_surrogate_pairs_and_escaped_backslashes_are_ordinary_text():
    assert load_json(r'{"a": "\ud83d\ude00"}') == {"a": "\U0001F600"}
    assert load_json(r'{"a": "\\ud800"}') == {"a": "\\ud800"}
    assert load_json(json.dumps({"a": "é"}, ensure_ascii=False).encode()) == {"a": "é"}


@pytest.mark.parametrize("body", ["NaN", "[Infinity]", '{"a": -Infinity}', "1e309",
                                  "-1E+400", "9" * 309, "-" + "9" * 309])
def test_numbers_that_are_not_finite_or_too_long_are_refused(body):
    with pytest.raises(InputRefused):
        load_json(body)


def test_numbers_within_the_limits_are_read_exactly():
    assert load_json("9" * 308) == int("9" * 308)
    assert load_json("[1e308, 1.5e-400, -0.0]") == [1e308, 0.0, -0.0]
    with pytest.raises(ValueError):
        load_json("{not json")


@pytest.mark.parametrize("text, expected", [
    ("12", 12), ("007", 7), ("\u00b2", None), ("", None), (" 1", None), ("-3", None),
    ("9" * 309, None), ("1.0", None),
])
def test_decimal_takes_ascii_digits_only(text, expected):
    assert decimal(text) == expected


def test_decimal_takes_a_sign_when_asked():
    assert decimal("-3", signed=True) == -3 and decimal("--3", signed=True) is None


def test_query_integers_are_ascii_digits_of_at_most_a_hundred():
    assert parse_query_integer("9" * 100) == int("9" * 100)
    for raw in ("9" * 101, "\u00b2", "-1", "+1", "1_000", ""):
        with pytest.raises(InputRefused):
            parse_query_integer(raw)
