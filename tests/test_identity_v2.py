"""
Identity v2.0 as clients see it: keystoneauth1 discovery and password
plugins, every route, and every error in Identity's body shape.
"""

from __future__ import annotations

import pytest
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import generic, v2


def password_auth(mimic, username="alice", password="secret", tenant_id=None):
    body = {"auth": {"passwordCredentials": {"username": username, "password": password}}}
    if tenant_id:
        body["auth"]["tenantId"] = tenant_id
    return mimic.post("/identity/v2.0/tokens", json=body)


def assert_error(response, code, kind):
    """
    Identity v2.0's error body: the Rackspace key, and Keystone's ``error``
    object (code, title, message) beside it with the same message.
    """
    assert response.status_code == code, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert sorted(body) == sorted([kind, "error"])
    assert body[kind]["code"] == code
    assert body[kind]["message"]
    assert body["error"]["code"] == code
    assert body["error"]["title"]
    assert body["error"]["message"] == body[kind]["message"]
    return body[kind]["message"]


def assert_site_error(response, code, kind):
    """
    An error the site layer answers before any route runs (an oversized
    body): the Rackspace key at least (the site layer's shapes are another
    issue's item).
    """
    assert response.status_code == code, response.text
    body = response.json()
    assert body[kind]["code"] == code and body[kind]["message"]


# discovery


@pytest.mark.parametrize("path", ["/identity/v2.0", "/identity/v2.0/"])
def test_version_document_names_v2_stable_with_self_link(mimic, path):
    response = mimic.get(path)
    assert response.status_code == 200
    version = response.json()["version"]
    assert version["id"] == "v2.0"
    assert version["status"] == "stable"
    assert version["links"][0]["rel"] == "self"
    assert version["links"][0]["href"] == mimic.base_url + "/identity/v2.0/"


def test_identity_root_lists_versions(mimic):
    response = mimic.get("/identity/")
    assert response.status_code in (200, 300)
    ids = [v["id"] for v in response.json()["versions"]["values"]]
    assert "v2.0" in ids


def test_keystoneauth_v2_password_gets_token_and_finds_identity_endpoint(mimic):
    auth = v2.Password(auth_url=mimic.base_url + "/identity/v2.0/",
                       username="alice", password="secret", tenant_name="acme")
    session = ks_session.Session(auth=auth)
    token = session.get_token()
    assert token
    access = auth.get_access(session)
    assert access.tenant_id == "acme"
    assert access.username == "alice"
    url = session.get_endpoint(service_type="identity", interface="public",
                               region_name="ORD")
    assert url == mimic.base_url + "/identity/v2.0"


def test_keystoneauth_generic_password_discovers_v2(mimic):
    auth = generic.Password(auth_url=mimic.base_url + "/identity/v2.0/",
                            username="bob", password="pw", project_name="proj-1")
    session = ks_session.Session(auth=auth)
    assert session.get_token()
    access = auth.get_access(session)
    assert access.version == "v2.0"
    assert access.project_id == "proj-1"


# tokens


def test_password_auth_returns_token_user_and_catalog(mimic):
    response = password_auth(mimic)
    assert response.status_code == 200
    access = response.json()["access"]
    token = access["token"]
    assert set(token) >= {"id", "expires", "tenant"}
    assert token["tenant"]["id"] == token["tenant"]["name"]
    assert access["user"]["name"] == "alice"
    assert access["user"]["roles"]
    for service in access["serviceCatalog"]:
        assert set(service) == {"name", "type", "endpoints"}
        for endpoint in service["endpoints"]:
            assert set(endpoint) >= {"region", "tenantId", "publicURL", "internalURL"}
            assert endpoint["tenantId"] == token["tenant"]["id"]


def test_token_expires_24_hours_after_issue_on_mimics_clock(mimic):
    mimic.tick(100)
    token = password_auth(mimic).json()["access"]["token"]
    assert token["expires"] == "1970-01-02T00:01:40.000000Z"


def test_same_user_gets_same_tenant_and_token(mimic):
    first = password_auth(mimic, "carol").json()["access"]
    second = mimic.post("/identity/v2.0/tokens", json={"auth": {
        "RAX-KSKEY:apiKeyCredentials": {"username": "carol", "apiKey": "k"}}}).json()["access"]
    assert first["token"]["id"] == second["token"]["id"]
    assert first["token"]["tenant"] == second["token"]["tenant"]
    assert second["token"]["RAX-AUTH:authenticatedBy"] == ["APIKEY"]


def test_different_users_get_different_tenants(mimic):
    first = password_auth(mimic, "dave").json()["access"]["token"]
    second = password_auth(mimic, "erin").json()["access"]["token"]
    assert first["tenant"]["id"] != second["tenant"]["id"]
    assert first["id"] != second["id"]


def test_expired_token_is_replaced_by_a_new_one(mimic):
    first = password_auth(mimic).json()["access"]["token"]
    mimic.tick(24 * 60 * 60)
    second = password_auth(mimic).json()["access"]["token"]
    assert second["id"] != first["id"]
    assert second["tenant"] == first["tenant"]
    assert mimic.get(f"/identity/v2.0/tokens/{first['id']}").status_code == 404


def test_given_tenant_id_is_honoured(mimic):
    access = password_auth(mimic, tenant_id="123456").json()["access"]
    assert access["token"]["tenant"] == {"id": "123456", "name": "123456"}
    assert mimic.endpoint(access, "identity").endswith("/identity/v2.0")


def test_given_tenant_name_is_honoured(mimic):
    response = mimic.post("/identity/v2.0/tokens", json={"auth": {
        "tenantName": "my-tenant",
        "passwordCredentials": {"username": "frank", "password": "p"}}})
    assert response.json()["access"]["token"]["tenant"]["id"] == "my-tenant"


def test_known_user_naming_another_tenant_joins_it_and_keeps_their_default(mimic):
    # The original Mimic let a user name any tenant (issue 10, item 3).
    first = password_auth(mimic, "gina", tenant_id="111").json()["access"]
    other = password_auth(mimic, "gina", tenant_id="222")
    assert other.status_code == 200, other.text
    access = other.json()["access"]
    assert access["token"]["tenant"] == {"id": "222", "name": "222"}
    assert access["user"]["id"] == first["user"]["id"]
    assert access["token"]["id"] != first["token"]["id"]
    assert "/v2/222" in mimic.endpoint(access, "compute")
    # No tenant named: the tenant they were first seen in.
    assert password_auth(mimic, "gina").json()["access"]["token"]["tenant"]["id"] == "111"
    # One token per user and tenant, as before.
    assert password_auth(mimic, "gina", tenant_id="222").json()["access"]["token"][
        "id"] == access["token"]["id"]
    tenants = mimic.get("/identity/v2.0/tenants",
                        headers={"x-auth-token": access["token"]["id"]}).json()["tenants"]
    assert [t["id"] for t in tenants] == ["111", "222"]


def test_token_credentials_with_tenant_give_that_users_token(mimic):
    token = password_auth(mimic, tenant_id="777").json()["access"]["token"]
    response = mimic.post("/identity/v2.0/tokens", json={"auth": {
        "token": {"id": token["id"]}, "tenantId": "777"}})
    assert response.status_code == 200
    access = response.json()["access"]
    assert access["token"]["id"] == token["id"]
    assert access["user"]["name"] == "alice"


def test_unknown_token_credentials_are_accepted_like_any_credentials(mimic):
    response = mimic.post("/identity/v2.0/tokens", json={"auth": {
        "token": {"id": "some-token"}, "tenantId": "999"}})
    assert response.status_code == 200
    assert response.json()["access"]["token"]["tenant"]["id"] == "999"


@pytest.mark.parametrize("body", [
    {},
    {"auth": "nope"},
    {"auth": {}},
    {"auth": {"passwordCredentials": {"username": "x"}}},
    {"auth": {"passwordCredentials": {"username": 7, "password": "p"}}},
    {"auth": {"passwordCredentials": "x"}},
    {"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": "x", "apiKey": ""}}},
    {"auth": {"token": {}}},
    {"auth": {"tenantId": 5, "passwordCredentials": {"username": "x", "password": "p"}}},
    {"auth": {"passwordCredentials": {"username": "x", "password": "p"},
              "token": {"id": "t"}}},
])
def test_malformed_auth_is_bad_request_and_creates_no_user(mimic, body):
    assert_error(mimic.post("/identity/v2.0/tokens", json=body), 400, "badRequest")
    assert mimic.get("/identity/v2.0/users", params={"name": "x"}).status_code == 404


@pytest.mark.parametrize("raw", [b"", b"{", b"[1, 2]", b"\xff\xfe", b"null"])
def test_body_that_is_not_a_json_object_is_bad_request(mimic, raw):
    response = mimic.post("/identity/v2.0/tokens", data=raw,
                          headers={"content-type": "application/json"})
    assert_error(response, 400, "badRequest")


def test_body_over_one_mebibyte_is_refused_with_413(mimic):
    response = mimic.post("/identity/v2.0/tokens", data=b" " * (1024 * 1024 + 1))
    assert_site_error(response, 413, "overLimit")


def test_chunked_body_over_one_mebibyte_is_refused_with_413(mimic):
    def chunks():
        for _ in range(17):
            yield b" " * 65536

    response = mimic.post("/identity/v2.0/tokens", data=chunks())
    assert_site_error(response, 413, "overLimit")


def test_wrong_method_is_json_405(mimic):
    assert_error(mimic.get("/identity/v2.0/tokens"), 405, "badMethod")


# validation and endpoints


def test_validate_token_returns_token_and_user(mimic):
    token = password_auth(mimic).json()["access"]["token"]
    response = mimic.get(f"/identity/v2.0/tokens/{token['id']}")
    assert response.status_code == 200
    access = response.json()["access"]
    assert access["token"]["id"] == token["id"]
    assert access["user"]["name"] == "alice"


def test_validate_with_belongs_to(mimic):
    token = password_auth(mimic, tenant_id="555").json()["access"]["token"]
    ok = mimic.get(f"/identity/v2.0/tokens/{token['id']}", params={"belongsTo": "555"})
    assert ok.status_code == 200
    wrong = mimic.get(f"/identity/v2.0/tokens/{token['id']}", params={"belongsTo": "556"})
    assert_error(wrong, 404, "itemNotFound")


def test_validate_unknown_token_is_not_found(mimic):
    assert_error(mimic.get("/identity/v2.0/tokens/nope"), 404, "itemNotFound")


def test_revoked_token_no_longer_validates(mimic):
    token = password_auth(mimic).json()["access"]["token"]["id"]
    assert mimic.delete(f"/identity/v2.0/tokens/{token}").status_code == 204
    assert_error(mimic.get(f"/identity/v2.0/tokens/{token}"), 404, "itemNotFound")
    assert_error(mimic.delete(f"/identity/v2.0/tokens/{token}"), 404, "itemNotFound")
    assert password_auth(mimic).json()["access"]["token"]["id"] != token


def test_token_endpoints_list_every_catalog_endpoint(mimic):
    access = password_auth(mimic).json()["access"]
    response = mimic.get(f"/identity/v2.0/tokens/{access['token']['id']}/endpoints")
    assert response.status_code == 200
    endpoints = response.json()["endpoints"]
    expected = sum(len(s["endpoints"]) for s in access["serviceCatalog"])
    assert len(endpoints) == expected
    assert {"id", "name", "type", "region", "publicURL"} <= set(endpoints[0])
    assert_error(mimic.get("/identity/v2.0/tokens/nope/endpoints"), 404, "itemNotFound")


# tenants, users, credentials


def test_tenants_lists_the_callers_tenant(mimic):
    token = password_auth(mimic, tenant_id="4242").json()["access"]["token"]["id"]
    response = mimic.get("/identity/v2.0/tenants", headers={"x-auth-token": token})
    assert response.status_code == 200
    assert response.json()["tenants"] == [{"id": "4242", "name": "4242", "enabled": True}]


def test_tenants_without_valid_token_is_unauthorized(mimic):
    assert_error(mimic.get("/identity/v2.0/tenants"), 401, "unauthorized")
    assert_error(mimic.get("/identity/v2.0/tenants", headers={"x-auth-token": "x"}),
                 401, "unauthorized")


def test_user_by_name_and_credentials(mimic):
    access = password_auth(mimic, "hank").json()["access"]
    user = mimic.get("/identity/v2.0/users", params={"name": "hank"}).json()["user"]
    assert user["id"] == access["user"]["id"]
    assert user["username"] == "hank"
    assert user["enabled"] is True
    creds = mimic.get(f"/identity/v2.0/users/{user['id']}/OS-KSADM/credentials").json()
    key = creds["credentials"][0]["RAX-KSKEY:apiKeyCredentials"]
    assert key["username"] == "hank"
    assert key["apiKey"]
    single = mimic.get(f"/identity/v2.0/users/{user['id']}/OS-KSADM/credentials/"
                       "RAX-KSKEY:apiKeyCredentials").json()
    assert single["RAX-KSKEY:apiKeyCredentials"] == key
    # The API key Mimic reports authenticates as the same user.
    again = mimic.post("/identity/v2.0/tokens", json={"auth": {
        "RAX-KSKEY:apiKeyCredentials": key}}).json()["access"]
    assert again["token"]["id"] == access["token"]["id"]


def test_unknown_user_is_not_found(mimic):
    assert_error(mimic.get("/identity/v2.0/users", params={"name": "nobody"}),
                 404, "itemNotFound")
    assert_error(mimic.get("/identity/v2.0/users/0/OS-KSADM/credentials"),
                 404, "itemNotFound")


# impersonation


def test_impersonation_token_acts_as_the_user(mimic):
    admin = password_auth(mimic, "admin").json()["access"]["token"]["id"]
    target = password_auth(mimic, "ivan", tenant_id="888").json()["access"]
    response = mimic.post(
        "/identity/v2.0/RAX-AUTH/impersonation-tokens",
        headers={"x-auth-token": admin},
        json={"RAX-AUTH:impersonation": {"user": {"username": "ivan"},
                                         "expire-in-seconds": 60}},
    )
    assert response.status_code == 200
    token = response.json()["access"]["token"]
    assert token["id"] != target["token"]["id"]
    assert token["expires"] == "1970-01-01T00:01:00.000000Z"
    validated = mimic.get(f"/identity/v2.0/tokens/{token['id']}").json()["access"]
    assert validated["user"]["name"] == "ivan"
    assert validated["token"]["tenant"]["id"] == "888"
    assert validated["RAX-AUTH:impersonator"]["name"] == "admin"
    mimic.tick(60)
    assert mimic.get(f"/identity/v2.0/tokens/{token['id']}").status_code == 404


def test_impersonation_needs_a_token_and_a_well_formed_body(mimic):
    body = {"RAX-AUTH:impersonation": {"user": {"username": "ivan"}}}
    assert_error(mimic.post("/identity/v2.0/RAX-AUTH/impersonation-tokens", json=body),
                 401, "unauthorized")
    admin = password_auth(mimic, "admin").json()["access"]["token"]["id"]
    for bad in [{}, {"RAX-AUTH:impersonation": {"user": {}}},
                {"RAX-AUTH:impersonation": {"user": {"username": "i"},
                                            "expire-in-seconds": -5}}]:
        response = mimic.post("/identity/v2.0/RAX-AUTH/impersonation-tokens",
                              headers={"x-auth-token": admin}, json=bad)
        assert_error(response, 400, "badRequest")
