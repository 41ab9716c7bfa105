"""The server starts, greets, and answers unknown or undecodable paths with JSON."""

import pytest


def test_root_tells_the_user_to_authenticate(mimic):
    response = mimic.get("/")
    assert response.status_code == 200
    assert "POST an authentication request" in response.text
    assert "/identity/v2.0/tokens" in response.text


def test_unknown_path_is_a_json_404(mimic):
    response = mimic.get("/no/such/thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json()["itemNotFound"]["code"] == 404


@pytest.mark.parametrize("path,code_of", [
    ("/identity/%ff", lambda body: body["badRequest"]["code"]),
    ("/%ff", lambda body: body["badRequest"]["code"]),
    # Each API's own shape (issue 10): Fastly's {msg, detail}, CLB's fault.
    ("/fastly/service/%ff", lambda body: 400 if set(body) == {"msg", "detail"} else None),
    ("/mimicking/clb/ORD/v1.0/%ff/loadbalancers", lambda body: body["code"]),
])
def test_path_that_is_not_utf8_is_a_json_400(mimic, path, code_of):
    response = mimic.get(path)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert code_of(response.json()) == 400


@pytest.mark.parametrize("suffix", ["", "/"])
def test_api_root_answers_with_and_without_trailing_slash(mimic, suffix):
    response = mimic.get("/mimicking/neutron/ORD" + suffix)
    assert response.status_code == 200, response.text
    assert "versions" in response.json()
