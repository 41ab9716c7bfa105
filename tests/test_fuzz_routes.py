"""
The route fuzz's coverage and its query strings (issue 9): every POST, PUT
and PATCH route of every Klein app is fuzzed (in
:data:`tests.fuzz_routes.ROUTES`) or left out with the reason (in
``SKIPPED``), so a new route cannot go unfuzzed; and no query string makes
a GET route of any API fail or answer out of its shape. The bodies are
fuzzed by tests/test_fuzz_bodies.py and tests/test_fuzz_members.py.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz_routes import MOUNTS, ROUTES, SKIPPED
from tests.fuzz_routes.neutron import PUBLIC_NETWORK
from tests.fuzz_support import QUERY_NAMES, QUERY_VALUES, klein_get_routes, klein_routes
from tests.fuzz_world import build_world
from tests.robustness_support import ERROR_SHAPES


def test_every_json_route_is_fuzzed():
    unfuzzed = klein_routes() - set(ROUTES) - set(SKIPPED)
    assert not unfuzzed, f"add these routes to ROUTES (or SKIPPED): {sorted(unfuzzed)}"
    assert set(ROUTES) <= klein_routes(), sorted(set(ROUTES) - klein_routes())
    assert {app for app, _, _ in ROUTES} == set(MOUNTS)


def test_no_query_string_makes_a_get_route_fail_or_answer_out_of_shape(mimic):
    world = build_world(mimic)
    world.ids.update({"alias": "x", "domain_id": "default", "flavor_id": "2",
                      "network": PUBLIC_NETWORK, "project_id": world.api.tenant,
                      "region_id": "ORD", "rule_id": "x", "token_id": world.api.token,
                      "trace_id": "x", "user_id": "x", "event": "creation"})
    headers = {"X-Auth-Token": world.api.token, "Fastly-Key": "fuzz"}
    routes = [route for route in klein_get_routes() if route[0] in MOUNTS]

    @settings(max_examples=150, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(routes), st.lists(st.tuples(QUERY_NAMES, QUERY_VALUES),
                                             min_size=1, max_size=3))
    def get(route: tuple, query: list) -> None:
        app, rule = route
        url = world.url(app, rule, "header") + "?" + "&".join(f"{k}={v}" for k, v in query)
        response = mimic.get(url, headers=headers)
        assert response.status_code < 500, (url[:300], response.text[:300])
        if response.status_code >= 400:
            assert response.headers.get("content-type", "").startswith("application/json")
            assert ERROR_SHAPES[MOUNTS[app][1]](response.json(), response.status_code), (
                url[:300], response.text[:300])

    get()
