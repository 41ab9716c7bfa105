"""
Fuzzing every JSON route of every API with hypothesis, over HTTP against a
real server (issue 9): whatever the body, no 5xx, every error in the API's
own shape, and a refused request leaves the API's state as it was.

Bodies are drawn three ways: a valid example with one value replaced, a
key dropped or added; any JSON value at all; and raw bodies no JSON
encoder writes (deep nesting, NaN, lone surrogates, bytes that are not
UTF-8). The run is bounded and repeatable: derandomized, a fixed number of
examples per API group, no example database. The routes and their examples
are in :mod:`tests.fuzz_routes`, what is sent and checked in
:mod:`tests.fuzz_support`.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzz_routes import GROUPS
from tests.fuzz_support import Sender, requests_for, routes_of
from tests.fuzz_world import world_for


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_no_body_makes_an_api_fail_answer_out_of_shape_or_change_on_refusal(mimic, group):
    examples = GROUPS[group][1]
    world = world_for(mimic, group)
    sender = Sender(mimic, world, group)

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(requests_for(routes_of(group), world.ids))
    def send(request: tuple) -> None:
        sender.send(*request)

    send()
    assert sender.count >= examples // 2
