"""
Identity v3 as today's Python clients use it: keystoneauth1's v3 and
generic password plugins (discovering the version from the unversioned
root and from ``/identity/v3``) and openstacksdk's identity proxy. Also the
v3 catalog of a server with a third-party plugin, read by keystoneauth1.

Mimic's clock starts in 1970, so these clients find every token "about to
expire" and authenticate again before each call; they must keep working.
"""

from __future__ import annotations


import openstack
import pytest
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import generic, v3

CREDENTIALS = {
    "username": "alice",
    "password": "secret",
    "project_name": "acme",
    "user_domain_name": "Default",
    "project_domain_name": "Default",
}

@pytest.mark.parametrize("suffix", ["/identity/", "/identity", "/identity/v3"])
def test_generic_password_discovers_v3(mimic, suffix):
    auth = generic.Password(auth_url=mimic.base_url + suffix, **CREDENTIALS)
    session = ks_session.Session(auth=auth)
    token = session.get_token()
    access = auth.get_access(session)
    assert access.version == "v3"
    # Each authentication is a new token, and the one in use stays valid.
    assert mimic.get("/identity/v3/auth/tokens", headers={
        "X-Auth-Token": token, "X-Subject-Token": token}).status_code == 200
    assert access.project_id == "acme"
    assert access.project_domain_id == "default"
    assert access.user_domain_name == "Default"
    assert access.username == "alice"
    assert session.get_endpoint(service_type="identity", interface="public",
                                region_name="ORD") == mimic.base_url + "/identity/v3"


def test_v3_password_by_ids_gets_the_v2_users_tenant(mimic):
    v2_access = mimic.authenticate("alice", "secret", tenant_id="acme")
    auth = v3.Password(auth_url=mimic.base_url + "/identity/v3",
                       user_id=v2_access["user"]["id"], password="secret",
                       project_id="acme")
    session = ks_session.Session(auth=auth)
    assert session.get_token() != v2_access["token"]["id"]
    assert session.get_project_id() == "acme"
    assert session.get_user_id() == v2_access["user"]["id"]


def test_keystoneauth_reauthenticates_a_1970_token_and_keeps_working(mimic):
    auth = v3.Password(auth_url=mimic.base_url + "/identity/v3", **CREDENTIALS)
    session = ks_session.Session(auth=auth)
    first = auth.get_access(session)
    assert first.will_expire_soon()
    second = auth.get_access(session)
    assert second is not first
    # A new token each time (Keystone's rule); the earlier ones stay valid.
    assert second.auth_token != first.auth_token
    for token in (first.auth_token, second.auth_token):
        assert mimic.get("/identity/v3/auth/tokens", headers={
            "X-Auth-Token": token, "X-Subject-Token": token}).status_code == 200


def test_keystoneauth_sees_v3_refusals_as_unauthorized(mimic):
    # A user an operator made has its password checked (docs/apis/identity.rst,
    # "Passwords"); a wrong one is Keystone's 401, which keystoneauth raises
    # as Unauthorized. (A known name in another domain is another user there,
    # as Keystone's names are unique within a domain only.)
    admin = mimic.token("admin", tenant_id="admin")
    made = mimic.post("/identity/v3/users", headers={"X-Auth-Token": admin}, json={
        "user": {"name": "carol", "password": "right", "domain_id": "default"}})
    assert made.status_code == 201, made.text
    auth = v3.Password(auth_url=mimic.base_url + "/identity/v3",
                       **{**CREDENTIALS, "username": "carol", "password": "wrong"})
    session = ks_session.Session(auth=auth)
    with pytest.raises(ks_exceptions.Unauthorized) as raised:
        session.get_token()
    assert raised.value.http_status == 401


def test_keystoneauth_unscoped_token_has_no_catalog(mimic):
    auth = v3.Password(auth_url=mimic.base_url + "/identity/v3", unscoped=True,
                       username="alice", password="secret", user_domain_id="default")
    session = ks_session.Session(auth=auth)
    access = auth.get_access(session)
    assert access.project_id is None
    assert not access.project_scoped
    assert access.user_id


def test_keystoneauth_token_plugin_rescopes_unscoped_token(mimic):
    mimic.authenticate("alice", "secret", tenant_id="acme")
    unscoped = v3.Password(auth_url=mimic.base_url + "/identity/v3", unscoped=True,
                           username="alice", password="secret", user_domain_id="default")
    token = ks_session.Session(auth=unscoped).get_token()
    rescoped = v3.Token(auth_url=mimic.base_url + "/identity/v3", token=token,
                        project_name="acme", project_domain_id="default")
    session = ks_session.Session(auth=rescoped)
    assert session.get_token() != token
    assert session.get_project_id() == "acme"


@pytest.fixture
def sdk(mimic):
    conn = openstack.connect(auth_url=mimic.base_url + "/identity/", region_name="ORD",
                             **CREDENTIALS)
    yield conn
    conn.close()


def test_openstacksdk_authorizes_and_reads_the_catalog(sdk, mimic):
    token = sdk.authorize()
    validated = mimic.get("/identity/v3/auth/tokens", headers={
        "X-Auth-Token": token, "X-Subject-Token": token}).json()["token"]
    assert validated["user"]["id"] == mimic.authenticate(
        "alice", "secret", tenant_id="acme")["user"]["id"]
    assert sdk.current_project_id == "acme"
    catalog = sdk.config.get_service_catalog()
    assert catalog.url_for(service_type="identity", interface="public",
                           region_name="ORD") == mimic.base_url + "/identity/v3"


def test_openstacksdk_identity_projects_regions_domains(sdk):
    assert [p.name for p in sdk.identity.projects()] == ["acme"]
    assert sdk.identity.get_project("acme").domain_id == "default"
    assert sdk.identity.find_project("acme").id == "acme"
    user_id = sdk.current_user_id
    assert [p.id for p in sdk.identity.user_projects(user_id)] == ["acme"]
    assert sdk.identity.get_user(user_id).name == "alice"
    assert [d.name for d in sdk.identity.domains()] == ["Default"]
    assert "ORD" in [r.id for r in sdk.identity.regions()]


def test_openstacksdk_validates_and_revokes_a_token(sdk, mimic):
    other = openstack.connect(auth_url=mimic.base_url + "/identity/", region_name="ORD",
                              **{**CREDENTIALS, "username": "bob",
                                 "project_name": "bobs"})
    bobs_token = other.authorize()
    checked = sdk.identity.validate_token(bobs_token)
    assert checked.user["name"] == "bob"
    assert sdk.identity.check_token(bobs_token)
    sdk.identity.revoke_token(bobs_token)
    assert not sdk.identity.check_token(bobs_token)
    other.close()


def test_openstacksdk_revoking_a_fresh_token_leaves_its_own(sdk, mimic):
    own = sdk.authorize()
    fresh = ks_session.Session(auth=v3.Password(
        auth_url=mimic.base_url + "/identity/v3", **CREDENTIALS)).get_token()
    assert fresh != own
    sdk.identity.revoke_token(fresh)
    assert not sdk.identity.check_token(fresh)
    assert sdk.identity.check_token(own)
    assert sdk.identity.get_project("acme").id == "acme"


def test_v3_catalog_carries_plugin_endpoints_in_v3_form(mimic):
    auth = v3.Password(auth_url=mimic.base_url + "/identity/", **CREDENTIALS)
    session = ks_session.Session(auth=auth)
    access = auth.get_access(session)
    compute = [s for s in access.service_catalog.catalog if s["type"] == "compute"]
    assert len(compute) == 1 and compute[0]["name"] == "cloudServersOpenStack"
    endpoints = compute[0]["endpoints"]
    regions = {e["region"] for e in endpoints}
    assert "ORD" in regions and len(regions) > 1
    assert {e["interface"] for e in endpoints} == {"public", "internal"}
    for endpoint in endpoints:
        assert endpoint["region_id"] == endpoint["region"]
        assert endpoint["url"] == (
            f"{mimic.base_url}/mimicking/nova/{endpoint['region']}/v2/acme")
    assert session.get_endpoint(service_type="compute", interface="public",
                                region_name="LON") == (
        f"{mimic.base_url}/mimicking/nova/LON/v2/acme")
    identity = [s for s in access.service_catalog.catalog if s["type"] == "identity"]
    assert {e["region"] for e in identity[0]["endpoints"]} == regions
