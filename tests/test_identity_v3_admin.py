"""
Writable Keystone v3 over HTTP (issue 13): what an admin creates, who may
create it, and what it changes for authentication, in Keystone's shapes.
The ``openstack`` command and openstacksdk drive the same routes in
tests/test_identity_v3_admin_clients.py.
"""

from __future__ import annotations

import pytest

V3 = "/identity/v3"


def token(mimic, username, password="x", project=None, domain="default", expect=201,
          system=False):
    auth = {"identity": {"methods": ["password"], "password": {"user": {
        "name": username, "password": password, "domain": {"id": domain}}}}}
    if project is not None:
        auth["scope"] = {"project": {"id": project}}
    if system:
        auth["scope"] = {"system": {"all": True}}
    response = mimic.post(f"{V3}/auth/tokens", json={"auth": auth})
    assert response.status_code == expect, response.text
    return response.headers.get("x-subject-token"), response.json()


def call(mimic, method, path, token_id, expect, **kwargs):
    response = mimic.request(method, V3 + path, headers={"X-Auth-Token": token_id}, **kwargs)
    assert response.status_code == expect, response.text
    return response.json() if response.content else None


@pytest.fixture
def admin(mimic):
    return token(mimic, "admin", project="admin")[0]


def test_writes_need_an_admin_token_and_refusals_change_nothing(mimic, admin):
    alice, _ = token(mimic, "alice", project="acme")
    refused = call(mimic, "POST", "/projects", alice, 403,
                   json={"project": {"name": "sneaky"}})
    assert "identity:create_project" in refused["error"]["message"]
    assert refused["error"]["title"] == "Forbidden"
    call(mimic, "POST", "/domains", alice, 403, json={"domain": {"name": "d"}})
    call(mimic, "POST", "/users", alice, 403, json={"user": {"name": "u"}})
    call(mimic, "POST", "/roles", alice, 403, json={"role": {"name": "r"}})
    names = [p["name"] for p in call(mimic, "GET", "/projects", admin, 200)["projects"]]
    assert "sneaky" not in names


def test_domains_and_projects_crud_with_filters(mimic, admin):
    domain = call(mimic, "POST", "/domains", admin, 201,
                  json={"domain": {"name": "Partners", "description": "d"}})["domain"]
    assert domain["enabled"] is True and domain["name"] == "Partners"
    call(mimic, "POST", "/domains", admin, 409, json={"domain": {"name": "Partners"}})
    parent = call(mimic, "POST", "/projects", admin, 201, json={"project": {
        "name": "web", "domain_id": domain["id"], "tags": ["a", "b"]}})["project"]
    child = call(mimic, "POST", "/projects", admin, 201, json={"project": {
        "name": "web-child", "parent_id": parent["id"]}})["project"]
    assert child["domain_id"] == domain["id"] and child["parent_id"] == parent["id"]
    call(mimic, "POST", "/projects", admin, 409, json={"project": {
        "name": "web", "domain_id": domain["id"]}})
    listed = call(mimic, "GET", f"/projects?domain_id={domain['id']}", admin, 200)
    assert sorted(p["name"] for p in listed["projects"]) == ["web", "web-child"]
    assert [p["id"] for p in call(mimic, "GET", f"/projects?parent_id={parent['id']}",
                                  admin, 200)["projects"]] == [child["id"]]
    updated = call(mimic, "PATCH", f"/projects/{parent['id']}", admin, 200,
                   json={"project": {"description": "new", "enabled": False}})["project"]
    assert (updated["description"], updated["enabled"]) == ("new", False)
    assert call(mimic, "GET", f"/projects?enabled=false", admin, 200)["projects"][0][
        "id"] == parent["id"]
    call(mimic, "PUT", f"/projects/{parent['id']}/tags/c", admin, 201)
    assert call(mimic, "GET", f"/projects/{parent['id']}/tags", admin, 200)["tags"] == [
        "a", "b", "c"]
    call(mimic, "DELETE", f"/projects/{parent['id']}", admin, 403)  # not a leaf
    call(mimic, "DELETE", f"/projects/{child['id']}", admin, 204)
    call(mimic, "DELETE", f"/projects/{parent['id']}", admin, 204)
    call(mimic, "GET", f"/projects/{parent['id']}", admin, 404)
    call(mimic, "DELETE", f"/domains/{domain['id']}", admin, 403)  # still enabled
    call(mimic, "PATCH", f"/domains/{domain['id']}", admin, 200,
         json={"domain": {"enabled": False}})
    call(mimic, "DELETE", f"/domains/{domain['id']}", admin, 204)
    call(mimic, "DELETE", "/domains/default", admin, 403)


@pytest.mark.parametrize("body", [
    {}, {"project": "x"}, {"project": {}}, {"project": {"name": ""}},
    {"project": {"name": 5}}, {"project": {"name": "x" * 256}},
    {"project": {"name": "p", "enabled": "yes"}},
    {"project": {"name": "p", **{f"k{n}": n for n in range(65)}}},
    {"project": {"name": "p", "tags": "a"}}, {"project": {"name": "p", "tags": ["a/b"]}},
    {"project": {"name": "p", "domain_id": "nowhere"}},
])
def test_malformed_project_bodies_are_refused(mimic, admin, body):
    response = mimic.post(f"{V3}/projects", json=body, headers={"X-Auth-Token": admin})
    assert response.status_code in (400, 404), response.text
    assert list(response.json()) == ["error"]
    names = [p["name"] for p in call(mimic, "GET", "/projects", admin, 200)["projects"]]
    assert "p" not in names


def test_extra_properties_are_kept_and_answered_back_as_keystone_does(mimic, admin):
    # Keystone's project, domain and user schemas allow additional
    # properties (keystone/resource/schema.py: project_create has
    # 'additionalProperties': True); OSC's "project create --property" uses it.
    project = call(mimic, "POST", "/projects", admin, 201, json={"project": {
        "name": "extra", "k1": "v1", "k2": {"nested": [1]}}})["project"]
    assert (project["k1"], project["k2"]) == ("v1", {"nested": [1]})
    updated = call(mimic, "PATCH", f"/projects/{project['id']}", admin, 200,
                   json={"project": {"k1": "changed", "k3": True}})["project"]
    assert (updated["k1"], updated["k2"], updated["k3"]) == ("changed", {"nested": [1]},
                                                             True)
    shown = call(mimic, "GET", f"/projects/{project['id']}", admin, 200)["project"]
    assert shown["k1"] == "changed" and shown["name"] == "extra"
    user = call(mimic, "POST", "/users", admin, 201, json={"user": {
        "name": "ext", "team": "blue"}})["user"]
    assert user["team"] == "blue"
    # Keystone's own fields cannot be overridden by an extra of the same name.
    assert call(mimic, "GET", f"/users/{user['id']}", admin, 200)["user"]["id"] == user["id"]


def test_a_managed_users_password_is_checked_and_roles_come_from_grants(mimic, admin):
    project = call(mimic, "POST", "/projects", admin, 201,
                   json={"project": {"name": "ops"}})["project"]
    user = call(mimic, "POST", "/users", admin, 201, json={"user": {
        "name": "carol", "password": "right", "email": "c@example.com"}})["user"]
    assert "default_project_id" not in user
    token(mimic, "carol", "wrong", project=project["id"], expect=401)
    # No role on the project yet: Keystone refuses the scope.
    token(mimic, "carol", "right", project=project["id"], expect=401)
    roles = {r["name"]: r["id"] for r in call(mimic, "GET", "/roles", admin, 200)["roles"]}
    call(mimic, "PUT", f"/projects/{project['id']}/users/{user['id']}/roles/"
         f"{roles['member']}", admin, 204)
    call(mimic, "HEAD", f"/projects/{project['id']}/users/{user['id']}/roles/"
         f"{roles['member']}", admin, 204)
    carols, body = token(mimic, "carol", "right", project=project["id"])
    assert sorted(r["name"] for r in body["token"]["roles"]) == ["member", "reader"]
    # v2.0 sees the same user, and checks the same password.
    assert mimic.post("/identity/v2.0/tokens", json={"auth": {
        "passwordCredentials": {"username": "carol", "password": "wrong"},
        "tenantId": project["id"]}}).status_code == 401
    access = mimic.authenticate("carol", "right", tenant_id=project["id"])
    assert access["user"]["id"] == user["id"]
    # Revoking the grant revokes carol's tokens on that project.
    call(mimic, "DELETE", f"/projects/{project['id']}/users/{user['id']}/roles/"
         f"{roles['member']}", admin, 204)
    assert mimic.get(f"{V3}/auth/tokens", headers={
        "X-Auth-Token": admin, "X-Subject-Token": carols}).status_code == 404
    token(mimic, "carol", "right", project=project["id"], expect=401)


def test_disabling_a_user_or_changing_a_password_revokes_tokens(mimic, admin):
    dave, body = token(mimic, "dave", "old", project="acme")
    user_id = body["token"]["user"]["id"]
    # An implicit user accepts any password until one is set.
    token(mimic, "dave", "anything", project="acme")
    call(mimic, "POST", f"/users/{user_id}/password", dave, 204, json={"user": {
        "password": "new", "original_password": "whatever"}})
    call(mimic, "GET", "/projects", dave, 401)
    token(mimic, "dave", "old", project="acme", expect=401)
    fresh, _ = token(mimic, "dave", "new", project="acme")
    call(mimic, "PATCH", f"/users/{user_id}", admin, 200,
         json={"user": {"enabled": False}})
    call(mimic, "GET", "/projects", fresh, 401)
    token(mimic, "dave", "new", project="acme", expect=401)


def test_a_disabled_domains_users_cannot_authenticate(mimic, admin):
    domain = call(mimic, "POST", "/domains", admin, 201,
                  json={"domain": {"name": "Closed"}})["domain"]
    token(mimic, "erin", domain=domain["id"])
    call(mimic, "PATCH", f"/domains/{domain['id']}", admin, 200,
         json={"domain": {"enabled": False}})
    token(mimic, "erin", domain=domain["id"], expect=401)
    token(mimic, "newcomer", domain=domain["id"], expect=401)


def test_groups_give_their_members_roles(mimic, admin):
    group = call(mimic, "POST", "/groups", admin, 201,
                 json={"group": {"name": "readers"}})["group"]
    _, frank = token(mimic, "frank", project="acme")
    frank_id = frank["token"]["user"]["id"]
    call(mimic, "PUT", f"/groups/{group['id']}/users/{frank_id}", admin, 204)
    call(mimic, "HEAD", f"/groups/{group['id']}/users/{frank_id}", admin, 204)
    roles = {r["name"]: r["id"] for r in call(mimic, "GET", "/roles", admin, 200)["roles"]}
    call(mimic, "PUT", f"/projects/shared/groups/{group['id']}/roles/{roles['admin']}",
         admin, 404)  # no such project yet
    shared = call(mimic, "POST", "/projects", admin, 201,
                  json={"project": {"name": "shared"}})["project"]
    call(mimic, "PUT", f"/projects/{shared['id']}/groups/{group['id']}/roles/"
         f"{roles['admin']}", admin, 204)
    _, scoped = token(mimic, "frank", project=shared["id"])
    assert "admin" in [r["name"] for r in scoped["token"]["roles"]]
    members = call(mimic, "GET", f"/groups/{group['id']}/users", admin, 200)["users"]
    assert [u["id"] for u in members] == [frank_id]
    assignments = call(mimic, "GET", f"/role_assignments?effective&user.id={frank_id}"
                       "&include_names", admin, 200)["role_assignments"]
    shared_roles = sorted(a["role"]["name"] for a in assignments
                          if a["scope"].get("project", {}).get("id") == shared["id"])
    assert shared_roles == ["admin", "member", "reader"]


def test_roles_implied_roles_and_assignments(mimic, admin):
    auditor = call(mimic, "POST", "/roles", admin, 201,
                   json={"role": {"name": "auditor"}})["role"]
    roles = {r["name"]: r["id"] for r in call(mimic, "GET", "/roles", admin, 200)["roles"]}
    inference = call(mimic, "PUT", f"/roles/{auditor['id']}/implies/{roles['reader']}",
                     admin, 201)["role_inference"]
    assert inference["implies"]["name"] == "reader"
    call(mimic, "PUT", f"/roles/{roles['reader']}/implies/{auditor['id']}", admin, 403)
    inferences = call(mimic, "GET", "/role_inferences", admin, 200)["role_inferences"]
    assert {i["prior_role"]["name"] for i in inferences} == {"admin", "member", "auditor"}
    _, gina = token(mimic, "gina", project="acme")
    gina_id = gina["token"]["user"]["id"]
    call(mimic, "PUT", f"/system/users/{gina_id}/roles/{auditor['id']}", admin, 204)
    _, system = token(mimic, "gina", system=True)
    assert sorted(r["name"] for r in system["token"]["roles"]) == ["auditor", "reader"]
    listed = call(mimic, "GET", f"/role_assignments?user.id={gina_id}&include_names",
                  admin, 200)["role_assignments"]
    assert {"role": {"id": auditor["id"], "name": "auditor"},
            "user": {"id": gina_id, "name": "gina",
                     "domain": {"id": "default", "name": "Default"}},
            "scope": {"system": {"all": True}}} in [
        {k: v for k, v in a.items() if k != "links"} for a in listed]
    assert any(a["scope"].get("project", {}).get("id") == "acme"
               and a["role"]["name"] == "member" for a in listed)
    call(mimic, "DELETE", f"/roles/{roles['admin']}", admin, 403)
    call(mimic, "DELETE", f"/roles/{auditor['id']}", admin, 204)
    token(mimic, "gina", system=True, expect=401)


def test_operator_services_and_endpoints_show_in_new_catalogs(mimic, admin):
    services = call(mimic, "GET", "/services", admin, 200)["services"]
    compute = next(s for s in services if s["type"] == "compute")
    endpoints = call(mimic, "GET", f"/endpoints?service_id={compute['id']}", admin, 200)
    assert {e["url"] for e in endpoints["endpoints"] if e["region_id"] == "ORD"} == {
        mimic.base_url + "/mimicking/nova/ORD/v2/$(project_id)s"}
    call(mimic, "DELETE", f"/services/{compute['id']}", admin, 403)
    region = call(mimic, "POST", "/regions", admin, 201,
                  json={"region": {"id": "LAB", "description": "the lab"}})["region"]
    assert region["id"] == "LAB"
    call(mimic, "POST", "/regions", admin, 409, json={"region": {"id": "ORD"}})
    service = call(mimic, "POST", "/services", admin, 201, json={"service": {
        "type": "object-store", "name": "swift"}})["service"]
    endpoint = call(mimic, "POST", "/endpoints", admin, 201, json={"endpoint": {
        "service_id": service["id"], "interface": "public", "region_id": "LAB",
        "url": "http://swift.example/v1/AUTH_$(project_id)s"}})["endpoint"]
    _, body = token(mimic, "alice", project="acme")
    swift = next(s for s in body["token"]["catalog"] if s["type"] == "object-store")
    assert swift["endpoints"] == [{"id": endpoint["id"], "interface": "public",
                                   "region": "LAB", "region_id": "LAB",
                                   "url": "http://swift.example/v1/AUTH_acme"}]
    v2 = mimic.authenticate("alice", tenant_id="acme")
    assert mimic.endpoint(v2, "object-store", "LAB") == "http://swift.example/v1/AUTH_acme"
    call(mimic, "DELETE", "/regions/LAB", admin, 403)  # an endpoint is in it
    call(mimic, "DELETE", f"/services/{service['id']}", admin, 204)
    _, body = token(mimic, "alice", project="acme")
    assert "object-store" not in [s["type"] for s in body["token"]["catalog"]]
    call(mimic, "DELETE", "/regions/LAB", admin, 204)


def test_credentials_and_unified_limits(mimic, admin):
    alice, body = token(mimic, "alice", project="acme")
    alice_id = body["token"]["user"]["id"]
    blob = '{"access": "AKIA1", "secret": "s"}'
    credential = call(mimic, "POST", "/credentials", alice, 201, json={"credential": {
        "type": "ec2", "blob": blob, "user_id": alice_id, "project_id": "acme"}})[
        "credential"]
    assert len(credential["id"]) == 64
    assert [c["id"] for c in call(mimic, "GET", "/credentials", alice, 200)[
        "credentials"]] == [credential["id"]]
    bob, _ = token(mimic, "bob", project="bobs")
    call(mimic, "GET", f"/credentials/{credential['id']}", bob, 404)
    call(mimic, "DELETE", f"/credentials/{credential['id']}", alice, 204)

    compute = next(s for s in call(mimic, "GET", "/services", admin, 200)["services"]
                   if s["type"] == "compute")
    limit = {"service_id": compute["id"], "region_id": "ORD", "resource_name": "cores"}
    call(mimic, "POST", "/limits", admin, 400, json={"limits": [
        {**limit, "project_id": "acme", "resource_limit": 5}]})  # nothing registered
    registered = call(mimic, "POST", "/registered_limits", admin, 201, json={
        "registered_limits": [{**limit, "default_limit": 10}]})["registered_limits"]
    call(mimic, "POST", "/registered_limits", admin, 409, json={
        "registered_limits": [{**limit, "default_limit": 11}]})
    made = call(mimic, "POST", "/limits", admin, 201, json={"limits": [
        {**limit, "project_id": "acme", "resource_limit": 5}]})["limits"]
    assert made[0]["resource_limit"] == 5
    assert [lim["id"] for lim in call(mimic, "GET", "/limits?project_id=acme", alice,
                                      200)["limits"]] == [made[0]["id"]]
    call(mimic, "DELETE", f"/registered_limits/{registered[0]['id']}", admin, 403)
    call(mimic, "DELETE", f"/limits/{made[0]['id']}", admin, 204)
    call(mimic, "DELETE", f"/registered_limits/{registered[0]['id']}", admin, 204)


def test_application_credentials_authenticate_with_restricted_roles(mimic, admin):
    _, admin_body = token(mimic, "admin", project="acme")
    admin_token, _ = token(mimic, "admin", project="acme")
    user_id = admin_body["token"]["user"]["id"]
    roles = {r["name"]: r["id"] for r in call(mimic, "GET", "/roles", admin, 200)["roles"]}
    made = call(mimic, "POST", f"/users/{user_id}/application_credentials", admin_token,
                201, json={"application_credential": {
                    "name": "ci", "roles": [{"name": "reader"}]}})["application_credential"]
    assert made["secret"] and made["project_id"] == "acme"
    response = mimic.post(f"{V3}/auth/tokens", json={"auth": {"identity": {
        "methods": ["application_credential"],
        "application_credential": {"id": made["id"], "secret": made["secret"]}}}})
    assert response.status_code == 201, response.text
    body = response.json()["token"]
    assert body["project"]["id"] == "acme"
    assert [r["id"] for r in body["roles"]] == [roles["reader"]]
    assert body["application_credential"]["id"] == made["id"]
    wrong = mimic.post(f"{V3}/auth/tokens", json={"auth": {"identity": {
        "methods": ["application_credential"],
        "application_credential": {"id": made["id"], "secret": "nope"}}}})
    assert wrong.status_code == 401
    listed = call(mimic, "GET", f"/users/{user_id}/application_credentials", admin_token,
                  200)["application_credentials"]
    assert [c["name"] for c in listed] == ["ci"] and "secret" not in listed[0]
    call(mimic, "DELETE", f"/users/{user_id}/application_credentials/{made['id']}",
         admin_token, 204)
    assert mimic.post(f"{V3}/auth/tokens", json={"auth": {"identity": {
        "methods": ["application_credential"],
        "application_credential": {"id": made["id"], "secret": made["secret"]}}}}
    ).status_code == 401


def test_a_shown_project_lists_its_parents_and_subtree_when_asked(mimic, admin):
    # keystone/api/projects.py _expand_project_ref: ?parents_as_ids nests the
    # ids up to the domain, ?subtree_as_ids down to the leaves (null), the
    # _as_list forms wrap each project; both forms at once are a 400.
    def made(name, parent=None):
        body = {"name": name, **({"parent_id": parent} if parent else {})}
        return call(mimic, "POST", "/projects", admin, 201, json={"project": body})[
            "project"]["id"]

    top = made("top")
    middle = made("middle", top)
    leaf = made("leaf", middle)
    other = made("other-leaf", middle)
    shown = call(mimic, "GET", f"/projects/{leaf}?parents_as_ids&subtree_as_ids",
                 admin, 200)["project"]
    assert shown["parents"] == {middle: {top: {"default": None}}}
    assert shown["subtree"] is None
    shown = call(mimic, "GET", f"/projects/{top}?subtree_as_ids=true", admin, 200)["project"]
    assert shown["subtree"] == {middle: {leaf: None, other: None}}
    assert "parents" not in shown
    listed = call(mimic, "GET", f"/projects/{leaf}?parents_as_list&subtree_as_list",
                  admin, 200)["project"]
    assert [p["project"]["id"] for p in listed["parents"]] == [middle, top]
    assert listed["subtree"] == []
    call(mimic, "GET", f"/projects/{leaf}?parents_as_list&parents_as_ids", admin, 400)


def test_a_regions_parent_can_be_changed_but_not_into_a_circle(mimic, admin):
    # keystone/catalog/backends/sql.py update_region: the new parent must
    # exist (404) and not lead back to the region (400,
    # CircularRegionHierarchyError); `openstack region set --parent-region`.
    for region, parent in (("EU", None), ("US", None), ("EU-1", "EU")):
        call(mimic, "POST", "/regions", admin, 201, json={"region": {
            "id": region, **({"parent_region_id": parent} if parent else {})}})
    moved = call(mimic, "PATCH", "/regions/EU-1", admin, 200,
                 json={"region": {"parent_region_id": "US"}})["region"]
    assert moved["parent_region_id"] == "US"
    call(mimic, "PATCH", "/regions/US", admin, 400,
         json={"region": {"parent_region_id": "EU-1"}})
    call(mimic, "PATCH", "/regions/EU-1", admin, 400,
         json={"region": {"parent_region_id": "EU-1"}})
    call(mimic, "PATCH", "/regions/EU-1", admin, 404,
         json={"region": {"parent_region_id": "Mars"}})
    shown = call(mimic, "GET", "/regions/EU-1", admin, 200)["region"]
    assert shown["parent_region_id"] == "US"
    assert call(mimic, "GET", "/regions/US", admin, 200)["region"]["parent_region_id"] is None


def test_deleting_a_users_default_project_leaves_them_without_one(mimic, admin):
    # Keystone unsets the default project of every user whose default it
    # was when a project is deleted (keystone/identity/core.py,
    # _unset_default_project, on the project "deleted" notification); it
    # never refuses the delete. OSC's functional test_user.py deletes such
    # a project in its cleanup.
    project = call(mimic, "POST", "/projects", admin, 201,
                   json={"project": {"name": "ephemeral"}})["project"]
    user = call(mimic, "POST", "/users", admin, 201, json={"user": {
        "name": "erin", "password": "pw", "default_project_id": project["id"]}})["user"]
    assert user["default_project_id"] == project["id"]
    roles = {r["name"]: r["id"] for r in call(mimic, "GET", "/roles", admin, 200)["roles"]}
    call(mimic, "PUT", f"/projects/{project['id']}/users/{user['id']}/roles/"
         f"{roles['member']}", admin, 204)
    _, body = token(mimic, "erin", "pw")
    assert body["token"]["project"]["id"] == project["id"]
    call(mimic, "DELETE", f"/projects/{project['id']}", admin, 204)
    shown = call(mimic, "GET", f"/users/{user['id']}", admin, 200)["user"]
    assert "default_project_id" not in shown
    # With no default project, authenticating without a scope is unscoped.
    _, body = token(mimic, "erin", "pw")
    assert "project" not in body["token"] and "catalog" not in body["token"]


def test_an_implicit_users_own_project_is_kept(mimic, admin):
    # A user Mimic made on first authentication is a member of their
    # default project by Mimic's rule alone: that project is refused
    # deletion (Mimic's own limit, documented), and the refusal keeps it.
    _, body = token(mimic, "frank", project="frankly")
    project_id = body["token"]["project"]["id"]
    refused = call(mimic, "DELETE", f"/projects/{project_id}", admin, 409)
    assert refused["error"]["code"] == 409 and refused["error"]["title"] == "Conflict"
    assert call(mimic, "GET", f"/projects/{project_id}", admin, 200)["project"]["id"] == (
        project_id)


def test_user_names_repeat_across_domains_but_not_within_one(mimic, admin):
    # Keystone: "The user name. Must be unique within the owning domain."
    # (keystone api-ref/source/v3/parameters.yaml); the duplicate's 409 is
    # worded as keystone/common/sql/core.py words it. OSC's functional
    # test_role_assignment.py makes 'username' in two domains.
    first = call(mimic, "POST", "/domains", admin, 201,
                 json={"domain": {"name": "first"}})["domain"]
    second = call(mimic, "POST", "/domains", admin, 201,
                  json={"domain": {"name": "second"}})["domain"]
    a = call(mimic, "POST", "/users", admin, 201, json={"user": {
        "name": "username", "domain_id": first["id"], "password": "a"}})["user"]
    b = call(mimic, "POST", "/users", admin, 201, json={"user": {
        "name": "username", "domain_id": second["id"], "password": "b"}})["user"]
    assert a["id"] != b["id"]
    refused = call(mimic, "POST", "/users", admin, 409, json={"user": {
        "name": "username", "domain_id": first["id"]}})
    assert refused["error"]["message"].endswith(f"at domain ID {first['id']}.")
    listed = call(mimic, "GET", f"/users?name=username&domain_id={second['id']}",
                  admin, 200)["users"]
    assert [u["id"] for u in listed] == [b["id"]]
    # Each authenticates in their own domain, with their own password.
    _, body = token(mimic, "username", "b", domain=second["id"])
    assert body["token"]["user"]["id"] == b["id"]
    token(mimic, "username", "b", domain=first["id"], expect=401)
    # A rename into a name taken in the same domain is refused; in another, not.
    other = call(mimic, "POST", "/users", admin, 201, json={"user": {
        "name": "other", "domain_id": first["id"]}})["user"]
    call(mimic, "PATCH", f"/users/{other['id']}", admin, 409,
         json={"user": {"name": "username"}})
    assert call(mimic, "GET", f"/users/{other['id']}", admin, 200)["user"]["name"] == "other"
    call(mimic, "DELETE", f"/users/{a['id']}", admin, 204)
    _, body = token(mimic, "username", "b", domain=second["id"])
    assert body["token"]["user"]["id"] == b["id"]


def test_a_projects_inherited_grant_reaches_its_subtree_not_itself(mimic, admin):
    # keystone api-ref/source/v3/inherit.inc, "Assign role to user on
    # projects in a subtree": "The inherited role is not applied to the
    # project itself, and only applied to its subtree projects." OSC's
    # `role add --project P --inherited` (test_role.py, test_role_assignment.py).
    parent = call(mimic, "POST", "/projects", admin, 201,
                  json={"project": {"name": "tree"}})["project"]
    child = call(mimic, "POST", "/projects", admin, 201, json={"project": {
        "name": "branch", "parent_id": parent["id"]}})["project"]
    leaf = call(mimic, "POST", "/projects", admin, 201, json={"project": {
        "name": "leaf", "parent_id": child["id"]}})["project"]
    user = call(mimic, "POST", "/users", admin, 201, json={"user": {
        "name": "heidi", "password": "pw"}})["user"]
    roles = {r["name"]: r["id"] for r in call(mimic, "GET", "/roles", admin, 200)["roles"]}
    grant = (f"/OS-INHERIT/projects/{parent['id']}/users/{user['id']}/roles/"
             f"{roles['member']}/inherited_to_projects")
    call(mimic, "HEAD", grant, admin, 404)
    call(mimic, "PUT", grant, admin, 204)
    call(mimic, "HEAD", grant, admin, 204)
    token(mimic, "heidi", "pw", project=parent["id"], expect=401)
    for project in (child, leaf):
        _, body = token(mimic, "heidi", "pw", project=project["id"])
        assert sorted(r["name"] for r in body["token"]["roles"]) == ["member", "reader"]
    listed = call(mimic, "GET", "/role_assignments?scope.OS-INHERIT:inherited_to=projects",
                  admin, 200)["role_assignments"]
    assert [a["scope"] for a in listed] == [
        {"project": {"id": parent["id"]}, "OS-INHERIT:inherited_to": "projects"}]
    effective = call(mimic, "GET", f"/role_assignments?effective&user.id={user['id']}",
                     admin, 200)["role_assignments"]
    assert {a["scope"]["project"]["id"] for a in effective} == {child["id"], leaf["id"]}
    mine = call(mimic, "GET", f"/users/{user['id']}/projects", admin, 200)["projects"]
    assert sorted(p["name"] for p in mine) == ["branch", "leaf"]
    # A grant of an unknown role changes nothing; revoking twice is a 404.
    call(mimic, "PUT", grant.replace(roles["member"], "nosuchrole"), admin, 404)
    call(mimic, "DELETE", grant, admin, 204)
    call(mimic, "DELETE", grant, admin, 404)
    token(mimic, "heidi", "pw", project=child["id"], expect=401)
    assert call(mimic, "GET", "/role_assignments?scope.OS-INHERIT:inherited_to=projects",
                admin, 200)["role_assignments"] == []


def test_a_registered_limit_can_move_to_another_region_service_or_resource(mimic, admin):
    # keystone/limit/schema.py registered_limit_update_request_body: service_id,
    # region_id, resource_name, default_limit, description; keystone/limit/
    # backends/sql.py update_registered_limit: unique after the move (409),
    # and no update of one a project limit overrides (403, RegisteredLimitError).
    # `openstack registered limit set --region/--service/--resource-name`.
    services = call(mimic, "GET", "/services", admin, 200)["services"]
    compute = next(s for s in services if s["type"] == "compute")
    other = next(s for s in services if s["type"] != "compute")
    call(mimic, "POST", "/regions", admin, 201, json={"region": {"id": "LAB"}})
    made = call(mimic, "POST", "/registered_limits", admin, 201, json={"registered_limits": [
        {"service_id": compute["id"], "resource_name": "cores", "default_limit": 10},
        {"service_id": compute["id"], "resource_name": "ram", "default_limit": 10}]})[
        "registered_limits"]
    cores, ram = made[0]["id"], made[1]["id"]
    moved = call(mimic, "PATCH", f"/registered_limits/{cores}", admin, 200, json={
        "registered_limit": {"region_id": "LAB"}})["registered_limit"]
    assert (moved["region_id"], moved["service_id"]) == ("LAB", compute["id"])
    moved = call(mimic, "PATCH", f"/registered_limits/{cores}", admin, 200, json={
        "registered_limit": {"service_id": other["id"], "resource_name": "vcpus"}})[
        "registered_limit"]
    assert (moved["service_id"], moved["resource_name"]) == (other["id"], "vcpus")
    # Refusals change nothing.
    call(mimic, "PATCH", f"/registered_limits/{cores}", admin, 400, json={
        "registered_limit": {"region_id": "nowhere", "default_limit": 3}})
    call(mimic, "PATCH", f"/registered_limits/{cores}", admin, 400, json={
        "registered_limit": {"service_id": "nosuchservice"}})
    call(mimic, "PATCH", f"/registered_limits/{ram}", admin, 409, json={
        "registered_limit": {"service_id": other["id"], "region_id": "LAB",
                             "resource_name": "vcpus"}})
    shown = call(mimic, "GET", f"/registered_limits/{cores}", admin, 200)["registered_limit"]
    assert (shown["region_id"], shown["default_limit"]) == ("LAB", 10)
    assert call(mimic, "GET", f"/registered_limits/{ram}", admin, 200)[
        "registered_limit"]["resource_name"] == "ram"
    call(mimic, "POST", "/limits", admin, 201, json={"limits": [{
        "service_id": compute["id"], "resource_name": "ram", "resource_limit": 5,
        "project_id": "admin"}]})
    refused = call(mimic, "PATCH", f"/registered_limits/{ram}", admin, 403, json={
        "registered_limit": {"description": "busy"}})
    assert "project limits associated with it" in refused["error"]["message"]


def test_deleting_a_region_deletes_its_children_unless_an_endpoint_is_in_one(mimic, admin):
    # keystone/catalog/backends/sql.py delete_region: RegionDeletionError
    # (403) when the region or a child region has endpoints; otherwise the
    # child regions go with it.
    for region, parent in (("EU", None), ("EU-1", "EU"), ("EU-1a", "EU-1"), ("US", None)):
        call(mimic, "POST", "/regions", admin, 201, json={"region": {
            "id": region, **({"parent_region_id": parent} if parent else {})}})
    service = call(mimic, "POST", "/services", admin, 201,
                   json={"service": {"type": "lab", "name": "lab"}})["service"]
    endpoint = call(mimic, "POST", "/endpoints", admin, 201, json={"endpoint": {
        "service_id": service["id"], "interface": "public", "region_id": "EU-1a",
        "url": "http://127.0.0.1:1/"}})["endpoint"]
    refused = call(mimic, "DELETE", "/regions/EU", admin, 403)
    assert "child regions have associated endpoints" in refused["error"]["message"]
    assert {"EU", "EU-1", "EU-1a"} <= {
        r["id"] for r in call(mimic, "GET", "/regions", admin, 200)["regions"]}
    call(mimic, "DELETE", f"/endpoints/{endpoint['id']}", admin, 204)
    call(mimic, "DELETE", "/regions/EU", admin, 204)
    left = {r["id"] for r in call(mimic, "GET", "/regions", admin, 200)["regions"]}
    assert "US" in left and not left & {"EU", "EU-1", "EU-1a"}
