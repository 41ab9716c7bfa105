"""
Who is an admin, the one definition every API reads (issue 13): a token
carries the roles its user holds on its scope; the user named ``admin``
(and each of ``--admin-users``) holds ``admin`` on every project and on the
system; everyone else is a ``member`` (so also a ``reader``) of the tenants
they use. System-scoped tokens go to admins only.
"""

from __future__ import annotations

import pytest
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

V3 = "/identity/v3"


def v3_token(mimic, username, scope=None, expect=201):
    auth = {"identity": {"methods": ["password"], "password": {"user": {
        "name": username, "password": "x", "domain": {"id": "default"}}}}}
    if scope is not None:
        auth["scope"] = scope
    response = mimic.post(f"{V3}/auth/tokens", json={"auth": auth})
    assert response.status_code == expect, response.text
    return response.headers.get("x-subject-token"), response.json()


def role_names(token_body):
    return sorted(r["name"] for r in token_body["token"]["roles"])


def test_users_are_members_and_admin_is_admin_on_every_project(mimic):
    _, alice = v3_token(mimic, "alice", {"project": {"id": "acme"}})
    assert role_names(alice) == ["member", "reader"]
    _, admin = v3_token(mimic, "admin", {"project": {"id": "acme"}})
    assert role_names(admin) == ["admin", "member", "reader"]
    _, anywhere = v3_token(mimic, "admin", {"project": {"id": "never-seen"}})
    assert role_names(anywhere) == ["admin", "member", "reader"]
    # The roles have Keystone's default ids, the same in every token.
    assert {r["id"] for r in admin["token"]["roles"]} >= {
        r["id"] for r in alice["token"]["roles"]}


def test_v2_tokens_carry_the_same_roles(mimic):
    roles = {r["name"] for r in mimic.authenticate("alice")["user"]["roles"]}
    assert roles == {"identity:user-admin", "member", "reader"}
    roles = {r["name"] for r in mimic.authenticate("admin")["user"]["roles"]}
    assert {"admin", "member", "reader"} <= roles


def test_admin_users_option_names_more_admins(mimic_factory):
    client = mimic_factory("--admin-users", "ops, root").client()
    for name in ("ops", "root", "admin"):
        _, token = v3_token(client, name)
        assert "admin" in role_names(token), name
    _, alice = v3_token(client, "alice")
    assert "admin" not in role_names(alice)


def test_system_scope_is_for_admins(mimic):
    subject, system = v3_token(mimic, "admin", {"system": {"all": True}})
    token = system["token"]
    assert token["system"] == {"all": True}
    assert "project" not in token
    assert role_names(system) == ["admin", "member", "reader"]
    assert mimic.get(f"{V3}/auth/system", headers={"X-Auth-Token": subject}).json()[
        "system"] == [{"all": True}]
    _, refused = v3_token(mimic, "alice", {"system": {"all": True}}, expect=401)
    assert "only admins" in refused["error"]["message"]
    alice, _ = v3_token(mimic, "alice")
    assert mimic.get(f"{V3}/auth/system", headers={"X-Auth-Token": alice}).json()[
        "system"] == []


@pytest.mark.parametrize("scope", [{"system": {}}, {"system": {"all": False}},
                                   {"system": "all"}])
def test_malformed_system_scope_is_400(mimic, scope):
    v3_token(mimic, "admin", scope, expect=400)


def test_keystoneauth_system_scope(mimic):
    auth = v3.Password(auth_url=mimic.base_url + V3, username="admin", password="x",
                       user_domain_id="default", system_scope="all")
    session = ks_session.Session(auth=auth)
    access = auth.get_access(session)
    assert access.system_scoped and access.system == {"all": True}
    assert "admin" in access.role_names
    refused = v3.Password(auth_url=mimic.base_url + V3, username="alice", password="x",
                          user_domain_id="default", system_scope="all")
    with pytest.raises(ks_exceptions.Unauthorized):
        ks_session.Session(auth=refused).get_token()


def test_domain_scoped_tokens_for_users_with_a_role_on_the_domain(mimic):
    subject, admin = v3_token(mimic, "admin", {"domain": {"id": "default"}})
    assert admin["token"]["domain"] == {"id": "default", "name": "Default"}
    assert "project" not in admin["token"]
    assert "admin" in role_names(admin)
    _, refused = v3_token(mimic, "alice", {"domain": {"name": "Default"}}, expect=401)
    assert "no role on domain default" in refused["error"]["message"]
    alice_id = v3_token(mimic, "alice")[1]["token"]["user"]["id"]
    roles = mimic.get(f"{V3}/roles?name=reader", headers={"X-Auth-Token": subject}).json()
    reader = roles["roles"][0]["id"]
    granted = mimic.put(f"{V3}/domains/default/users/{alice_id}/roles/{reader}",
                        headers={"X-Auth-Token": subject})
    assert granted.status_code == 204, granted.text
    auth = v3.Password(auth_url=mimic.base_url + V3, username="alice", password="x",
                       user_domain_id="default", domain_name="Default")
    access = auth.get_access(ks_session.Session(auth=auth))
    assert access.domain_scoped and access.domain_id == "default"
    assert access.role_names == ["reader"]
    _, unknown = v3_token(mimic, "admin", {"domain": {"id": "nowhere"}}, expect=401)
