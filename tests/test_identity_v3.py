"""
Identity v3 over HTTP: version discovery, tokens (password and token
methods, project-scoped, default-scoped and unscoped), validation,
revocation, the catalog, the project/user/domain/region listings, and every
refusal in Keystone v3's error shape with no change of state.
"""

from __future__ import annotations

import pytest

V3 = "/identity/v3"


def password_body(name="alice", password="secret", domain=None, user_id=None,
                  scope=None):
    user: dict = {"password": password}
    if user_id is not None:
        user["id"] = user_id
    else:
        user["name"] = name
        user["domain"] = domain if domain is not None else {"id": "default"}
    auth: dict = {"identity": {"methods": ["password"], "password": {"user": user}}}
    if scope is not None:
        auth["scope"] = scope
    return {"auth": auth}


def project_by_name(name, domain=None):
    return {"project": {"name": name, "domain": domain or {"name": "Default"}}}


def token_body(token_id, scope=None):
    auth: dict = {"identity": {"methods": ["token"], "token": {"id": token_id}}}
    if scope is not None:
        auth["scope"] = scope
    return {"auth": auth}


def issue(mimic, body, query=""):
    return mimic.post(f"{V3}/auth/tokens{query}", json=body)


def issued(mimic, body):
    response = issue(mimic, body)
    assert response.status_code == 201, response.text
    return response.headers["x-subject-token"], response.json()["token"]


def assert_v3_error(response, code, title):
    assert response.status_code == code, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["error"]
    assert body["error"]["code"] == code
    assert body["error"]["title"] == title
    assert body["error"]["message"]
    return body["error"]["message"]


def auth_headers(token_id, subject=None):
    headers = {"X-Auth-Token": token_id}
    if subject is not None:
        headers["X-Subject-Token"] = subject
    return headers


def project_ids(mimic, token_id):
    response = mimic.get(f"{V3}/projects", headers=auth_headers(token_id))
    assert response.status_code == 200, response.text
    return sorted(p["id"] for p in response.json()["projects"])


# discovery


def test_identity_root_lists_v3_and_v2_as_keystone_does(mimic):
    response = mimic.get("/identity/")
    assert response.status_code == 300
    values = response.json()["versions"]["values"]
    by_id = {v["id"]: v for v in values}
    assert set(by_id) == {"v3.14", "v2.0"}
    v3 = by_id["v3.14"]
    assert v3["status"] == "stable"
    assert v3["links"] == [{"rel": "self", "href": mimic.base_url + "/identity/v3/"}]
    assert v3["media-types"] == [{
        "base": "application/json",
        "type": "application/vnd.openstack.identity-v3+json",
    }]
    assert by_id["v2.0"]["links"][0]["href"] == mimic.base_url + "/identity/v2.0/"


@pytest.mark.parametrize("path", ["/identity/v3", "/identity/v3/"])
def test_v3_version_document_answers_without_redirect(mimic, path):
    response = mimic.get(path, allow_redirects=False)
    assert response.status_code == 200
    version = response.json()["version"]
    assert version["id"] == "v3.14"
    assert version["links"][0]["href"] == mimic.base_url + "/identity/v3/"


# password authentication


def test_password_auth_with_project_scope_returns_token_in_header_and_body(mimic):
    mimic.tick(100)
    response = issue(mimic, password_body(scope=project_by_name("acme")))
    assert response.status_code == 201
    token_id = response.headers["x-subject-token"]
    token = response.json()["token"]
    assert token["methods"] == ["password"]
    assert token["user"]["name"] == "alice"
    assert token["user"]["domain"] == {"id": "default", "name": "Default"}
    assert token["project"] == {
        "id": "acme", "name": "acme", "domain": {"id": "default", "name": "Default"},
    }
    assert token["issued_at"] == "1970-01-01T00:01:40.000000Z"
    assert token["expires_at"] == "1970-01-02T00:01:40.000000Z"
    # alice is no admin: a member of her project (member implies reader).
    assert {r["name"] for r in token["roles"]} == {"member", "reader"}
    assert len(token["audit_ids"][0]) == 22
    assert token_id and token_id not in response.text


def test_same_user_is_the_same_tenant_through_v2_and_v3(mimic):
    access = mimic.authenticate("alice", "secret", tenant_id="acme")
    token_id, token = issued(mimic, password_body(scope=project_by_name("acme")))
    # Keystone v3 issues a new token on every authentication (issue 18).
    assert token_id != access["token"]["id"]
    assert token["user"]["id"] == access["user"]["id"]
    assert token["project"]["id"] == access["token"]["tenant"]["id"] == "acme"


def test_v3_user_then_v2_sees_the_same_tenant(mimic):
    _, token = issued(mimic, password_body("carol", scope={"project": {"id": "770011"}}))
    access = mimic.authenticate("carol", "secret")
    assert access["token"]["tenant"]["id"] == "770011"
    assert access["user"]["id"] == token["user"]["id"]


def test_without_scope_the_token_is_scoped_to_the_users_default_project(mimic):
    access = mimic.authenticate("dave", "pw")
    _, token = issued(mimic, password_body("dave"))
    assert token["project"]["id"] == access["token"]["tenant"]["id"]
    assert token["catalog"]


def test_new_user_without_scope_gets_a_project_of_their_own(mimic):
    _, first = issued(mimic, password_body("erin"))
    _, second = issued(mimic, password_body("frank"))
    assert first["project"]["id"] != second["project"]["id"]


def test_user_by_id_authenticates_once_known(mimic):
    _, token = issued(mimic, password_body("alice", scope=project_by_name("acme")))
    token_id, again = issued(mimic, password_body(
        user_id=token["user"]["id"], scope={"project": {"id": "acme"}}))
    assert again["user"]["name"] == "alice"
    assert again["project"]["id"] == "acme"


def test_unknown_user_id_is_refused_with_a_keystone_challenge(mimic):
    response = issue(mimic, password_body(user_id="12345678"))
    assert_v3_error(response, 401, "Unauthorized")
    assert response.headers["www-authenticate"] == (
        f'Keystone uri="{mimic.base_url}/identity/v3"'
    )


def test_explicitly_unscoped_token_has_no_project_roles_or_catalog(mimic):
    scoped_id, _ = issued(mimic, password_body(scope=project_by_name("acme")))
    token_id, token = issued(mimic, password_body(scope="unscoped"))
    assert token_id != scoped_id
    assert token["user"]["name"] == "alice"
    for absent in ("project", "roles", "catalog"):
        assert absent not in token
    response = mimic.get(f"{V3}/auth/catalog", headers=auth_headers(token_id))
    assert_v3_error(response, 403, "Forbidden")


def test_token_method_rescopes_an_unscoped_token_to_the_users_project(mimic):
    scoped_id, _ = issued(mimic, password_body(scope=project_by_name("acme")))
    unscoped_id, _ = issued(mimic, password_body(scope="unscoped"))
    token_id, token = issued(mimic, token_body(unscoped_id, project_by_name("acme")))
    assert token_id not in (scoped_id, unscoped_id)
    assert token["project"]["id"] == "acme"
    assert "token" in token["methods"]


def test_token_method_refuses_a_token_mimic_never_issued(mimic):
    response = issue(mimic, token_body("f" * 32))
    assert "Could not find token" in assert_v3_error(response, 401, "Unauthorized")


def test_known_user_naming_another_project_joins_it(mimic):
    # As in v2.0 (issue 10, item 3): an implicit user may name any project.
    token_id, first = issued(mimic, password_body(scope=project_by_name("acme")))
    _, other = issued(mimic, password_body(scope=project_by_name("elsewhere")))
    assert other["project"]["id"] == "elsewhere"
    assert other["user"]["id"] == first["user"]["id"]
    assert {r["name"] for r in other["roles"]} == {"member", "reader"}
    _, by_id = issued(mimic, password_body(scope={"project": {"id": "999"}}))
    assert by_id["project"]["id"] == "999"
    assert project_ids(mimic, token_id) == ["999", "acme", "elsewhere"]
    mine = mimic.get(f"{V3}/auth/projects", headers=auth_headers(token_id)).json()
    assert sorted(p["id"] for p in mine["projects"]) == ["999", "acme", "elsewhere"]
    # No scope: still the project alice was first seen in.
    _, default = issued(mimic, password_body())
    assert default["project"]["id"] == "acme"


def test_the_same_name_in_another_domain_is_another_user(mimic):
    # Keystone's user names are unique within a domain only (keystone's
    # api-ref/source/v3/parameters.yaml: "The user name. Must be unique
    # within the owning domain."); a
    # name in a domain Mimic has not seen is a new user there, as any
    # credentials are.
    _, here = issued(mimic, password_body())
    _, there = issued(mimic, password_body(domain={"name": "Elsewhere"}))
    assert here["user"]["id"] != there["user"]["id"]
    assert there["user"]["domain"]["name"] == "Elsewhere"
    _, again = issued(mimic, password_body(password="other"))
    assert again["user"]["id"] == here["user"]["id"]


def test_a_new_domain_is_made_on_first_mention_by_name(mimic):
    token_id, token = issued(mimic, password_body(
        "gina", domain={"name": "Partners"},
        scope=project_by_name("partner-project", {"name": "Partners"})))
    domain = token["user"]["domain"]
    assert domain["name"] == "Partners" and domain["id"] != "default"
    assert token["project"]["domain"] == domain
    response = mimic.get(f"{V3}/domains", headers=auth_headers(token_id))
    names = {d["name"]: d["id"] for d in response.json()["domains"]}
    assert names == {"Default": "default", "Partners": domain["id"]}


def test_password_is_accepted_whatever_it_is_as_in_v2(mimic):
    _, first = issued(mimic, password_body(password="one"))
    _, second = issued(mimic, password_body(password="two"))
    assert first["user"]["id"] == second["user"]["id"]


@pytest.mark.parametrize("body", [
    {},
    {"auth": "nope"},
    {"auth": {"identity": {"methods": []}}},
    {"auth": {"identity": {"methods": "password"}}},
    {"auth": {"identity": {"methods": ["password"]}}},
    {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "x"}}}}},
    {"auth": {"identity": {"methods": ["password"],
                           "password": {"user": {"name": "x", "password": "p"}}}}},
    {"auth": {"identity": {"methods": ["password"],
                           "password": {"user": {"password": "p"}}}}},
    {"auth": {"identity": {"methods": ["token"], "token": {"id": 7}}}},
    password_body(domain={"name": ""}),
    password_body(scope={"project": {"name": "acme"}}),
    password_body(scope={"project": {}}),
    password_body(scope={"OS-TRUST:trust": {"id": "t"}}),
    password_body(scope={"domain": {}}),
    password_body(scope=["acme"]),
])
def test_malformed_auth_requests_are_400_and_create_nothing(mimic, body):
    response = issue(mimic, body)
    assert_v3_error(response, 400, "Bad Request")
    token_id, _ = issued(mimic, password_body("observer", scope={"project": {"id": "obs"}}))
    users = mimic.get(f"{V3}/users", headers=auth_headers(token_id)).json()["users"]
    assert [u["name"] for u in users] == ["observer"]
    assert project_ids(mimic, token_id) == ["obs"]


def test_invalid_json_is_400_in_v3_shape(mimic):
    response = mimic.post(f"{V3}/auth/tokens", data=b"{nope",
                          headers={"content-type": "application/json"})
    assert_v3_error(response, 400, "Bad Request")


def test_unsupported_method_is_401(mimic):
    body = {"auth": {"identity": {"methods": ["totp"], "totp": {}}}}
    message = assert_v3_error(issue(mimic, body), 401, "Unauthorized")
    assert "totp" in message


def test_registered_auth_failure_applies_to_v3_and_goes_when_removed(mimic):
    behavior = {"name": "fail", "parameters": {"code": 403, "message": "Go away"},
                "criteria": [{"username": "alice"}]}
    response = mimic.post("/mimic/v1.1/IdentityControlAPI/behaviors/auth", json=behavior)
    assert response.status_code == 201, response.text
    behavior_id = response.json()["id"]
    refused = issue(mimic, password_body())
    assert assert_v3_error(refused, 403, "Forbidden") == "Go away"
    assert issue(mimic, password_body("bob")).status_code == 201
    mimic.delete(f"/mimic/v1.1/IdentityControlAPI/behaviors/auth/{behavior_id}")
    assert issue(mimic, password_body()).status_code == 201


# validation and revocation


def test_validate_returns_the_subject_token_with_its_catalog(mimic):
    token_id, token = issued(mimic, password_body(scope=project_by_name("acme")))
    response = mimic.get(f"{V3}/auth/tokens", headers=auth_headers(token_id, token_id))
    assert response.status_code == 200
    assert response.headers["x-subject-token"] == token_id
    assert response.json()["token"] == token


def test_nocatalog_leaves_the_catalog_out(mimic):
    response = issue(mimic, password_body(scope=project_by_name("acme")), "?nocatalog")
    assert response.status_code == 201
    assert "catalog" not in response.json()["token"]
    token_id = response.headers["x-subject-token"]
    validated = mimic.get(f"{V3}/auth/tokens?nocatalog",
                          headers=auth_headers(token_id, token_id))
    assert "catalog" not in validated.json()["token"]
    assert validated.json()["token"]["project"]["id"] == "acme"


def test_head_checks_a_token_without_a_body(mimic):
    token_id, _ = issued(mimic, password_body())
    response = mimic.head(f"{V3}/auth/tokens", headers=auth_headers(token_id, token_id))
    assert response.status_code == 200
    assert response.content == b""
    missing = mimic.head(f"{V3}/auth/tokens", headers=auth_headers(token_id, "0" * 32))
    assert missing.status_code == 404


def test_validation_needs_a_valid_caller_and_a_known_subject(mimic):
    token_id, _ = issued(mimic, password_body())
    no_caller = mimic.get(f"{V3}/auth/tokens", headers={"X-Subject-Token": token_id})
    assert_v3_error(no_caller, 401, "Unauthorized")
    unknown = mimic.get(f"{V3}/auth/tokens", headers=auth_headers(token_id, "0" * 32))
    assert_v3_error(unknown, 404, "Not Found")
    no_subject = mimic.get(f"{V3}/auth/tokens", headers=auth_headers(token_id))
    assert_v3_error(no_subject, 400, "Bad Request")


def test_revoked_token_no_longer_validates_and_the_next_auth_gets_a_new_one(mimic):
    admin_id, _ = issued(mimic, password_body("admin"))
    token_id, _ = issued(mimic, password_body())
    response = mimic.delete(f"{V3}/auth/tokens", headers=auth_headers(admin_id, token_id))
    assert response.status_code == 204
    check = mimic.get(f"{V3}/auth/tokens", headers=auth_headers(admin_id, token_id))
    assert_v3_error(check, 404, "Not Found")
    again = mimic.delete(f"{V3}/auth/tokens", headers=auth_headers(admin_id, token_id))
    assert_v3_error(again, 404, "Not Found")
    assert_v3_error(issue(mimic, token_body(token_id)), 401, "Unauthorized")
    new_id, _ = issued(mimic, password_body())
    assert new_id != token_id


def test_each_authentication_is_a_new_token_revocable_alone(mimic):
    # Issue 18, item 3: revoking a token just issued used to revoke the
    # caller's own (one token per user); Keystone issues one per request.
    in_use, _ = issued(mimic, password_body(scope=project_by_name("acme")))
    fresh, _ = issued(mimic, password_body(scope=project_by_name("acme")))
    assert fresh != in_use
    response = mimic.delete(f"{V3}/auth/tokens", headers=auth_headers(in_use, fresh))
    assert response.status_code == 204
    assert mimic.get(f"{V3}/auth/tokens",
                     headers=auth_headers(in_use, in_use)).status_code == 200
    assert_v3_error(mimic.get(f"{V3}/auth/tokens", headers=auth_headers(in_use, fresh)),
                    404, "Not Found")
    assert mimic.get(f"{V3}/projects", headers=auth_headers(in_use)).status_code == 200


def test_v2_keeps_one_token_per_user_and_tenant(mimic):
    first = mimic.authenticate("alice", tenant_id="acme")["token"]["id"]
    assert mimic.authenticate("alice", tenant_id="acme")["token"]["id"] == first


def test_v2_and_v3_revocation_are_one(mimic):
    token_id, _ = issued(mimic, password_body())
    assert mimic.delete(f"/identity/v2.0/tokens/{token_id}").status_code == 204
    check = mimic.get(f"{V3}/auth/tokens", headers=auth_headers(token_id, token_id))
    assert_v3_error(check, 401, "Unauthorized")


def test_tokens_expire_after_a_day_on_mimics_clock(mimic):
    admin_id, _ = issued(mimic, password_body("admin"))
    token_id, token = issued(mimic, password_body())
    assert token["expires_at"] == "1970-01-02T00:00:00.000000Z"
    mimic.tick(24 * 60 * 60)
    admin_id, _ = issued(mimic, password_body("admin"))
    check = mimic.get(f"{V3}/auth/tokens", headers=auth_headers(admin_id, token_id))
    assert_v3_error(check, 404, "Not Found")
    new_id, new = issued(mimic, password_body())
    assert new_id != token_id
    assert new["issued_at"] == "1970-01-02T00:00:00.000000Z"


# the catalog


def test_catalog_has_identity_v3_endpoints_on_every_interface(mimic):
    token_id, token = issued(mimic, password_body(scope=project_by_name("acme")))
    identity = [s for s in token["catalog"] if s["type"] == "identity"]
    assert len(identity) == 1
    endpoints = identity[0]["endpoints"]
    assert {e["interface"] for e in endpoints} == {"public", "internal", "admin"}
    for endpoint in endpoints:
        assert endpoint["url"] == mimic.base_url + "/identity/v3"
        assert endpoint["region"] == endpoint["region_id"]
        assert endpoint["id"]
    assert len({e["id"] for e in endpoints}) == len(endpoints)


def test_auth_catalog_is_the_tokens_catalog(mimic):
    token_id, token = issued(mimic, password_body(scope=project_by_name("acme")))
    response = mimic.get(f"{V3}/auth/catalog", headers=auth_headers(token_id))
    assert response.status_code == 200
    assert response.json()["catalog"] == token["catalog"]


def test_catalog_ids_are_the_same_for_every_project(mimic):
    _, first = issued(mimic, password_body("u1", scope={"project": {"id": "p1"}}))
    _, second = issued(mimic, password_body("u2", scope={"project": {"id": "p2"}}))

    def ids(catalog):
        return [(s["id"], [e["id"] for e in s["endpoints"]]) for s in catalog]

    assert ids(first["catalog"]) == ids(second["catalog"])


def test_v2_catalog_keeps_its_v2_identity_endpoint(mimic):
    access = mimic.authenticate("alice", "secret", tenant_id="acme")
    assert mimic.endpoint(access, "identity", "ORD") == mimic.base_url + "/identity/v2.0"


# projects, users, domains, regions


def test_listings_need_a_valid_token(mimic):
    for path in ("/auth/projects", "/auth/catalog", "/projects", "/users", "/domains",
                 "/regions", "/users/1/projects"):
        response = mimic.get(V3 + path, headers={"X-Auth-Token": "nope"})
        assert_v3_error(response, 401, "Unauthorized")


def test_auth_projects_and_user_projects_list_the_users_project(mimic):
    issued(mimic, password_body("other", scope={"project": {"id": "other-project"}}))
    token_id, token = issued(mimic, password_body(scope=project_by_name("acme")))
    headers = auth_headers(token_id)
    mine = mimic.get(f"{V3}/auth/projects", headers=headers).json()["projects"]
    assert [(p["id"], p["name"], p["domain_id"]) for p in mine] == [
        ("acme", "acme", "default")]
    theirs = mimic.get(f"{V3}/users/{token['user']['id']}/projects", headers=headers)
    assert [p["id"] for p in theirs.json()["projects"]] == ["acme"]
    unknown = mimic.get(f"{V3}/users/00000000/projects", headers=headers)
    assert_v3_error(unknown, 404, "Not Found")


def test_projects_list_every_project_and_filters_by_name_and_domain(mimic):
    issued(mimic, password_body("other", scope={"project": {"id": "other-project"}}))
    token_id, _ = issued(mimic, password_body(scope=project_by_name("acme")))
    headers = auth_headers(token_id)
    assert project_ids(mimic, token_id) == ["acme", "other-project"]
    named = mimic.get(f"{V3}/projects?name=acme", headers=headers).json()["projects"]
    assert [p["id"] for p in named] == ["acme"]
    elsewhere = mimic.get(f"{V3}/projects?domain_id=nowhere", headers=headers)
    assert elsewhere.json()["projects"] == []
    one = mimic.get(f"{V3}/projects/acme", headers=headers)
    assert one.json()["project"]["name"] == "acme"
    assert_v3_error(mimic.get(f"{V3}/projects/nope", headers=headers), 404, "Not Found")


def test_users_show_their_default_project_and_domain(mimic):
    token_id, token = issued(mimic, password_body(scope=project_by_name("acme")))
    headers = auth_headers(token_id)
    user = mimic.get(f"{V3}/users/{token['user']['id']}", headers=headers).json()["user"]
    assert (user["name"], user["domain_id"], user["default_project_id"]) == (
        "alice", "default", "acme")
    listed = mimic.get(f"{V3}/users?name=alice", headers=headers).json()["users"]
    assert [u["id"] for u in listed] == [token["user"]["id"]]
    assert_v3_error(mimic.get(f"{V3}/users/0", headers=headers), 404, "Not Found")


def test_domains_and_regions(mimic):
    token_id, _ = issued(mimic, password_body())
    headers = auth_headers(token_id)
    domains = mimic.get(f"{V3}/domains", headers=headers).json()["domains"]
    assert [(d["id"], d["name"], d["enabled"]) for d in domains] == [
        ("default", "Default", True)]
    default = mimic.get(f"{V3}/domains/default", headers=headers).json()["domain"]
    assert default["name"] == "Default"
    assert_v3_error(mimic.get(f"{V3}/domains/nope", headers=headers), 404, "Not Found")
    regions = mimic.get(f"{V3}/regions", headers=headers).json()["regions"]
    region_ids = [r["id"] for r in regions]
    assert "ORD" in region_ids
    one = mimic.get(f"{V3}/regions/{region_ids[0]}", headers=headers).json()["region"]
    assert one["id"] == region_ids[0]
    assert_v3_error(mimic.get(f"{V3}/regions/NOWHERE", headers=headers), 404, "Not Found")


# errors


def test_unknown_route_and_wrong_method_answer_in_v3_shape(mimic):
    assert_v3_error(mimic.get(f"{V3}/no/such/thing"), 404, "Not Found")
    response = mimic.put(f"{V3}/auth/tokens", json={})
    assert_v3_error(response, 405, "Method Not Allowed")
