"""
The control plane under /mimic: the deterministic clock, realtime mode,
reset, presets, and Identity behaviors.
"""

from __future__ import annotations

import pytest


def bad_request(response):
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()["badRequest"]["message"]


# the clock


def test_clock_starts_at_the_epoch_and_tick_adds_up(mimic):
    assert mimic.tick(0) == {"advanced": 0, "now": "1970-01-01T00:00:00.000000Z"}
    assert mimic.tick(1.5) == {"advanced": 1.5, "now": "1970-01-01T00:00:01.500000Z"}
    assert mimic.tick(2.5) == {"advanced": 2.5, "now": "1970-01-01T00:00:04.000000Z"}
    assert mimic.tick(86400)["now"] == "1970-01-02T00:00:04.000000Z"


def test_tick_to_the_present_day(mimic):
    assert mimic.tick(1_700_000_000)["now"] == "2023-11-14T22:13:20.000000Z"


@pytest.mark.parametrize("body", [{}, {"amount": -1}, {"amount": "5"}, {"amount": None},
                                  {"amount": True}, {"amount": [1]}])
def test_tick_without_a_non_negative_number_is_400_and_time_stands(mimic, body):
    assert "amount" in bad_request(mimic.post("/mimic/v1.1/tick", json=body))
    assert mimic.tick(0)["now"] == "1970-01-01T00:00:00.000000Z"


def test_tick_rejects_non_finite_amounts(mimic):
    response = mimic.post("/mimic/v1.1/tick", data=b'{"amount": Infinity}')
    bad_request(response)
    bad_request(mimic.post("/mimic/v1.1/tick", data=b'{"amount": NaN}'))
    bad_request(mimic.post("/mimic/v1.1/tick", data=b"not json"))


def test_tick_is_off_in_realtime_mode(mimic_factory):
    server = mimic_factory("--realtime")
    client = server.client()
    message = bad_request(client.post("/mimic/v1.1/tick", json={"amount": 1}))
    assert "realtime" in message
    # Time is real: a token issued now expires a day after the present.
    token = client.authenticate()["token"]
    assert not token["expires"].startswith("1970")


# reset


def test_reset_forgets_users_tokens_and_behaviors_and_rewinds_the_clock(mimic):
    access = mimic.authenticate("zoe", tenant_id="1")
    created = mimic.post("/mimic/v1.1/IdentityControlAPI/behaviors/auth",
                         json={"name": "fail", "parameters": {"code": 500}})
    assert created.status_code == 201
    mimic.tick(50)
    response = mimic.post("/mimic/v1.1/reset")
    assert response.status_code == 200
    assert response.json()["now"] == "1970-01-01T00:00:00.000000Z"
    assert mimic.get(f"/identity/v2.0/tokens/{access['token']['id']}").status_code == 404
    assert mimic.get("/identity/v2.0/users", params={"name": "zoe"}).status_code == 404
    listing = mimic.get("/mimic/v1.1/IdentityControlAPI/behaviors/auth").json()
    assert listing["behaviors"] == []
    # The same user may now take another tenant: nothing of before remains.
    assert mimic.authenticate("zoe", tenant_id="2")["token"]["tenant"]["id"] == "2"


def test_ids_repeat_after_reset(mimic):
    first = mimic.authenticate("yan")
    mimic.reset()
    second = mimic.authenticate("yan")
    assert first["token"]["id"] == second["token"]["id"]
    assert first["user"]["id"] == second["user"]["id"]


# presets


def test_presets_lists_every_plugins_presets(mimic):
    response = mimic.get("/mimic/v1.0/presets")
    assert response.status_code == 200
    presets = response.json()
    assert set(presets["nova"]["metadata"]) == {
        "server_building", "server_error", "create_server_failure", "delete_server_failure"}
    assert set(presets["clb"]["metadata"]) == {
        "lb_building", "lb_pending_update", "lb_pending_delete", "lb_error_state"}
    for name, described in presets.items():
        assert isinstance(described, dict) and described, name


# identity behaviors


def register(mimic, body):
    return mimic.post("/mimic/v1.1/IdentityControlAPI/behaviors/auth", json=body)


def auth(mimic, username, tenant_id=None):
    body = {"auth": {"passwordCredentials": {"username": username, "password": "p"}}}
    if tenant_id:
        body["auth"]["tenantId"] = tenant_id
    return mimic.post("/identity/v2.0/tokens", json=body)


def test_fail_behavior_applies_to_matching_usernames_only(mimic):
    response = register(mimic, {
        "name": "fail",
        "parameters": {"code": 401, "message": "Go away", "type": "unauthorized"},
        "criteria": [{"username": "bad-.*"}],
    })
    assert response.status_code == 201
    assert response.json()["id"]
    failed = auth(mimic, "bad-user")
    assert failed.status_code == 401
    assert failed.json() == {"unauthorized": {"code": 401, "message": "Go away"},
                             "error": {"code": 401, "title": "Unauthorized",
                                       "message": "Go away"}}
    assert auth(mimic, "good-user").status_code == 200
    # A failed authentication made no user.
    assert mimic.get("/identity/v2.0/users", params={"name": "bad-user"}).status_code == 404


def test_criteria_are_anded_and_must_match_whole_values(mimic):
    register(mimic, {"name": "fail", "parameters": {"code": 503, "type": "serviceUnavailable"},
                     "criteria": [{"username": "u"}, {"tenant_id": "1.*"}]})
    assert auth(mimic, "u", tenant_id="123").status_code == 503
    assert auth(mimic, "uu", tenant_id="124").status_code == 200
    assert auth(mimic, "u2", tenant_id="123").status_code == 200
    assert auth(mimic, "v", tenant_id="200").status_code == 200


def test_sequence_plays_in_order_then_stays_on_the_last(mimic):
    register(mimic, {"name": "sequence", "parameters": {"behaviors": [
        {"name": "fail", "parameters": {"code": 500, "type": "identityFault"}},
        {"name": "fail", "parameters": {"code": 503}},
        {"name": "default"},
    ]}, "criteria": [{"username": "seq"}]})
    codes = [auth(mimic, "seq").status_code for _ in range(4)]
    assert codes == [500, 503, 200, 200]


def test_repeating_sequence_starts_over(mimic):
    register(mimic, {"name": "sequence", "parameters": {"repeat": True, "behaviors": [
        {"name": "fail", "parameters": {"code": 500}}, {"name": "default"}]}})
    codes = [auth(mimic, "r").status_code for _ in range(4)]
    assert codes == [500, 200, 500, 200]


def test_list_and_delete_behaviors(mimic):
    behavior_id = register(mimic, {"name": "fail", "parameters": {"code": 401},
                                   "criteria": [{"username": "x"}]}).json()["id"]
    listing = mimic.get("/mimic/v1.1/IdentityControlAPI/behaviors/auth").json()
    assert listing["behaviors"] == [{"id": behavior_id, "name": "fail",
                                     "parameters": {"code": 401},
                                     "criteria": [{"username": "x"}]}]
    assert "fail" in listing["supported"]["behaviors"]
    assert auth(mimic, "x").status_code == 401
    path = f"/mimic/v1.1/IdentityControlAPI/behaviors/auth/{behavior_id}"
    assert mimic.delete(path).status_code == 204
    assert auth(mimic, "x").status_code == 200
    missing = mimic.delete(path)
    assert missing.status_code == 404
    assert missing.json()["itemNotFound"]["code"] == 404


@pytest.mark.parametrize("body, fragment", [
    ({"name": "fail", "criteria": [{"username": "("}]}, "regex"),
    ({"name": "fail", "criteria": [{"username": 5}]}, "regex"),
    ({"name": "fail", "criteria": [{"colour": "red"}]}, "unknown criterion"),
    ({"name": "fail", "criteria": [{"username": "a", "tenant_id": "b"}]}, "exactly one"),
    ({"name": "fail", "criteria": "x"}, "criteria"),
    ({"name": "explode"}, "unknown behavior"),
    ({"parameters": {}}, "name"),
    ({"name": "fail", "parameters": {"code": 200}}, "code"),
    ({"name": "fail", "parameters": {"code": "abc"}}, "code"),
    ({"name": "fail", "parameters": []}, "parameters"),
    ({"name": "sequence", "parameters": {"behaviors": []}}, "behaviors"),
    ({"name": "sequence", "parameters": {"behaviors": [{"name": "sequence"}]}}, "sequence"),
])
def test_invalid_registrations_are_400_and_register_nothing(mimic, body, fragment):
    message = bad_request(register(mimic, body))
    assert fragment in message
    assert mimic.get("/mimic/v1.1/IdentityControlAPI/behaviors/auth").json()["behaviors"] == []


def test_unknown_identity_event_is_404(mimic):
    response = mimic.post("/mimic/v1.1/IdentityControlAPI/behaviors/nope",
                          json={"name": "fail"})
    assert response.status_code == 404
