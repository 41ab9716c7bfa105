"""Unit tests of the shared HTTP helpers in :mod:`mimic.rest.http`."""

import json

from mimic.rest.http import RawJSON, encode_json


def test_raw_json_parts_are_spliced_in_place():
    body = {"a": RawJSON([{"x": 1}]), "b": [RawJSON("s"), 2], "c": "plain"}
    assert json.loads(encode_json(body)) == {"a": [{"x": 1}], "b": ["s", 2], "c": "plain"}


def test_a_string_that_looks_like_a_splice_mark_is_left_alone():
    body = {"user": "\x00raw0\x00", "catalog": RawJSON({"k": "v"})}
    assert json.loads(encode_json(body)) == {"user": "\x00raw0\x00", "catalog": {"k": "v"}}


def test_values_that_are_not_json_still_fail():
    import pytest

    with pytest.raises(TypeError):
        encode_json({"x": object()})
