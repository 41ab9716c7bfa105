"""
Nothing a client sends can crash, stall or bloat Mimic (issue 9): each test
replays one of the requests that broke it, over HTTP against a real server,
and checks the API's own 400 (or 403) and that nothing changed.

The limits themselves are documented in docs/robustness.rst.
"""

from __future__ import annotations

import pytest

from tests.robustness_support import assert_error_shape, endpoints

#: 5,000 levels: far past Python's recursion limit, which is what made the
#: JSON reader raise RecursionError (a 500) before.
DEEP_ARRAY = "[" * 5000 + "]" * 5000
#: 150 levels: parses, but past Mimic's documented depth (100).
DEEP_OBJECT = '{"a":' * 150 + "1" + "}" * 150


def json_routes(api) -> list:
    """``(API name, method, URL)`` of one JSON-taking route of every API."""
    return [
        ("identity", "POST", "/identity/v2.0/tokens"),
        ("identity-v3", "POST", "/identity/v3/auth/tokens"),
        ("control", "POST", "/mimic/v1.1/tick"),
        ("control", "POST", "/mimic/v1.1/IdentityControlAPI/behaviors/auth"),
        ("mesh", "POST", "/mimic/v1.1/mesh"),
        ("nova", "POST", f"{api.compute}/servers"),
        ("nova", "POST", f"{api.compute_control}/behaviors/creation"),
        ("clb", "POST", f"{api.clb}/loadbalancers"),
        ("clb", "POST", f"{api.clb_control}/behaviors/creation"),
        ("fastly", "POST", "/fastly/service"),
        ("glance", "POST", f"{api.image}/v2/images"),
        ("neutron", "POST", f"{api.network}/networks"),
    ]


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT], ids=["5000-levels", "150-levels"])
def test_deeply_nested_json_is_a_400_in_each_apis_shape(mimic, body):
    api = endpoints(mimic)
    headers = {**api.headers(), "Fastly-Key": "robust", "content-type": "application/json"}
    for name, method, url in json_routes(api):
        response = mimic.request(method, url, data=body, headers=headers)
        assert_error_shape(name, response)
    # Nothing was made, and the server still answers normally.
    assert mimic.get(f"{api.compute}/servers", headers=api.headers()).json() == {"servers": []}
    assert mimic.get("/fastly/service", headers={"Fastly-Key": "robust"}).json() == []


def test_a_lone_surrogate_in_a_json_body_is_refused_when_submitted(mimic):
    api = endpoints(mimic)
    # A token id of its own (the v2.0 "token" credentials) and a user name.
    for body in ({"auth": {"token": {"id": "\ud800"}, "tenantId": "1"}},
                 {"auth": {"passwordCredentials": {"username": "bad\udfff", "password": "x"}}}):
        assert_error_shape("identity", mimic.post("/identity/v2.0/tokens", json=body))
    assert mimic.get("/identity/v2.0/users?name=bad%EF%BF%BD").status_code in (401, 404)
    # A configured header of a Fastly object, a server name, a network name.
    service = mimic.post("/fastly/service", headers={"Fastly-Key": "robust"},
                         json={"name": "site"}).json()
    response = mimic.post(f"/fastly/service/{service['id']}/version/1/header",
                          headers={"Fastly-Key": "robust"},
                          json={"name": "h", "action": "set", "type": "response",
                                "dst": "http.X-Test", "src": '"\ud800"'})
    assert_error_shape("fastly", response)
    assert mimic.get(f"/fastly/service/{service['id']}/version/1/header",
                     headers={"Fastly-Key": "robust"}).json() == []
    response = mimic.post(f"{api.compute}/servers", headers=api.headers(), json={
        "server": {"name": "\ud800", "imageRef": "x", "flavorRef": "y"}})
    assert_error_shape("nova", response)
    response = mimic.post(f"{api.network}/networks", headers=api.headers(),
                          json={"network": {"name": "\udc00"}})
    assert_error_shape("neutron", response)
    # A well-formed pair (an emoji, escaped) is text like any other.
    response = mimic.post(f"{api.network}/networks", headers=api.headers(),
                          json={"network": {"name": "\U0001F600"}})
    assert response.status_code == 201, response.text
    assert response.json()["network"]["name"] == "\U0001F600"


@pytest.mark.parametrize("body", [
    '{"amount": NaN}', '{"amount": Infinity}', '{"amount": -1}', '{"amount": 1e999}',
    '{"amount": ' + "9" * 400 + "}",
], ids=["nan", "infinity", "negative", "overflowing-float", "400-digits"])
def test_ticks_that_are_not_a_finite_non_negative_number_are_400(mimic, body):
    response = mimic.post("/mimic/v1.1/tick", data=body)
    assert_error_shape("control", response)
    assert mimic.tick(0)["now"] == "1970-01-01T00:00:00.000000Z"


@pytest.mark.parametrize("amounts", [[1e20], [253402214400], [2e11, 2e11]],
                         ids=["1e20", "year-9999", "two-of-2e11"])
def test_a_tick_past_what_timestamps_can_show_is_refused_and_moves_nothing(mimic, amounts):
    *accepted, refused = amounts
    for amount in accepted:
        mimic.tick(amount)
    before = mimic.tick(0)["now"]
    response = mimic.post("/mimic/v1.1/tick", json={"amount": refused})
    assert_error_shape("control", response)
    assert "9998-12-30" in response.json()["badRequest"]["message"]
    assert mimic.tick(0)["now"] == before
    # Every later request still works: a token's expiry is still a date.
    access = mimic.authenticate(username="later", tenant_id="1")
    assert access["token"]["expires"] > before


def test_the_clock_can_reach_its_documented_limit_and_tokens_still_work(mimic):
    # 9998-12-30T23:59:59Z: a year (LONGEST_LIFETIME) before 9999-12-31.
    mimic.tick(253402300799 - 366 * 86400)
    assert mimic.tick(0)["now"] == "9998-12-30T23:59:59.000000Z"
    assert_error_shape("control", mimic.post("/mimic/v1.1/tick", json={"amount": 1}))
    access = mimic.authenticate(username="at-the-end", tenant_id="1")
    assert access["token"]["expires"].startswith("9998-12-31T23:59:59")
