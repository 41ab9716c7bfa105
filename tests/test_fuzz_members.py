"""
The route fuzz's sweep (issue 9): each hostile value of
:data:`tests.fuzz_support.SWEEP` put in every member of every example body
of every JSON route, one at a time. The random search of
tests/test_fuzz_bodies.py finds what one field cannot take only by chance;
this tries each field with each value, with the same checks (no 5xx, the
API's error shape, no state changed by a refusal).
"""

from __future__ import annotations

import json

import pytest

from tests.fuzz_routes import GROUPS, ROUTES
from tests.fuzz_support import (
    STATE_DEPTH,
    SWEEP,
    Sender,
    member_paths,
    replaced,
    routes_of,
)
from tests.fuzz_world import filled_in, world_for


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_every_member_of_every_example_replaced_by_a_hostile_value(mimic, group):
    # The random search of test_fuzz_bodies.py finds what one field cannot
    # take only by chance; this sweep tries each value of SWEEP in every
    # member of every example body.
    sender = Sender(mimic, world_for(mimic, group), group)
    for route in routes_of(group):
        for example in ROUTES[route]:
            filled = filled_in(example, sender.world.ids)
            paths = member_paths(filled)
            if route == ("MimicRoot", "PUT", "/mimic/v1.1/state"):
                paths = [path for path in paths if len(path) <= STATE_DEPTH]
            for path in paths:
                for value in SWEEP:
                    body = json.dumps(replaced(filled, path, value)).encode("utf-8")
                    sender.send(route, "header", body)
