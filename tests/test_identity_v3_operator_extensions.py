"""
Keystone v3's operator extensions, which the clients' own functional suites
exercise (openstacksdk's identity/v3 and python-openstackclient's identity
v3 tests): federation records (``OS-FEDERATION``), endpoint groups
(``OS-EP-FILTER``), policies, access rules of application credentials and
domain configuration. Driven through openstacksdk's identity proxy against
a real Mimic, with the refusals over plain HTTP.

Keystone's behaviour relied on (github:openstack/keystone):
keystone/api/os_federation.py (records made by PUT at the client's id,
``enabled`` false by default, an identity provider without ``domain_id``
gets a domain of its own, a service provider's ``relay_state_prefix``
defaults to ``ss:mem:``); keystone/api/os_ep_filter.py (filters required,
only ``service_id``, ``region_id``, ``interface``); keystone/api/policy.py;
keystone/api/users.py and application_credential/backends/sql.py (a rule
for the same call is reused, one in use cannot be deleted: 403 "May not
delete access rule in use"); keystone/resource/core.py
``DomainConfigManager`` (whitelisted groups and options, ``ldap.password``
sensitive; an invalid one is InvalidDomainConfig, a 403).
"""

from __future__ import annotations

import openstack
import pytest
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from openstack import exceptions as sdk_exceptions

from tests.test_identity_v3_admin import V3, call, token

RULES = [{"local": [{"group": {"id": "85a868"}}],
          "remote": [{"type": "orgPersonType", "any_one_of": ["Employee"]}]}]


@pytest.fixture
def admin_sdk(mimic):
    conn = openstack.connect(auth_url=mimic.base_url + "/identity/v3", username="admin",
                             password="x", project_name="admin", user_domain_id="default",
                             project_domain_id="default", region_name="ORD")
    yield conn
    conn.close()


@pytest.fixture
def admin(mimic):
    return token(mimic, "admin", project="admin")[0]


def test_identity_providers_mappings_and_service_providers_round_trip(admin_sdk):
    identity = admin_sdk.identity
    idp = identity.create_identity_provider(id="corp-idp", description="corp",
                                            is_enabled=True, remote_ids=["https://idp"])
    assert (idp.id, idp.is_enabled, idp.remote_ids) == ("corp-idp", True, ["https://idp"])
    # Without a domain_id Keystone makes the provider a domain of its own.
    assert identity.get_domain(idp.domain_id).description.endswith("corp-idp")
    identity.update_identity_provider(idp, remote_ids=["https://a", "https://b"],
                                      authorization_ttl=7)
    shown = identity.get_identity_provider("corp-idp")
    assert (shown.remote_ids, shown.authorization_ttl) == (["https://a", "https://b"], 7)
    assert [i.id for i in identity.identity_providers()] == ["corp-idp"]

    mapping = identity.create_mapping(id="corp-map", rules=RULES, schema_version="1.0")
    assert identity.get_mapping(mapping.id).rules == RULES
    identity.update_mapping(mapping, schema_version="2.0", rules=RULES * 2)
    assert identity.get_mapping("corp-map").schema_version == "2.0"

    sp = identity.create_service_provider(id="peer", auth_url="https://sp:5000/v3/auth",
                                          sp_url="https://sp:5000/Shibboleth.sso/SAML2/ECP")
    # Keystone's defaults: disabled, relay state prefix "ss:mem:".
    assert (sp.is_enabled, sp.relay_state_prefix) == (False, "ss:mem:")
    identity.update_service_provider(sp, description="new")
    assert identity.get_service_provider("peer").description == "new"

    identity.delete_identity_provider(idp)
    identity.delete_mapping(mapping)
    identity.delete_service_provider(sp)
    assert list(identity.identity_providers()) == []
    assert list(identity.mappings()) == []
    assert list(identity.service_providers()) == []


def test_federation_refusals_change_nothing(mimic, admin):
    path = "/OS-FEDERATION/identity_providers/idp1"
    call(mimic, "PUT", path, admin, 201, json={"identity_provider": {"remote_ids": ["r"]}})
    # The same id again, a remote id another provider holds, a bad field.
    call(mimic, "PUT", path, admin, 409, json={"identity_provider": {}})
    call(mimic, "PUT", path.replace("idp1", "idp2"), admin, 409,
         json={"identity_provider": {"remote_ids": ["r"]}})
    call(mimic, "PATCH", path, admin, 400, json={"identity_provider": {"enabled": "yes"}})
    call(mimic, "PUT", "/OS-FEDERATION/mappings/m", admin, 400,
         json={"mapping": {"rules": [{"local": []}]}})
    call(mimic, "PUT", "/OS-FEDERATION/service_providers/s", admin, 400,
         json={"service_provider": {"auth_url": "https://x"}})
    alice, _ = token(mimic, "alice", project="acme")
    call(mimic, "DELETE", path, alice, 403)
    listed = call(mimic, "GET", "/OS-FEDERATION/identity_providers", admin, 200)
    assert [i["id"] for i in listed["identity_providers"]] == ["idp1"]
    assert listed["identity_providers"][0]["enabled"] is False
    assert call(mimic, "GET", "/OS-FEDERATION/mappings", admin, 200)["mappings"] == []


def test_endpoint_groups_select_endpoints_and_hold_projects(admin_sdk):
    identity = admin_sdk.identity
    service = identity.create_service(name="metrics", type="monitoring")
    public = identity.create_endpoint(service_id=service.id, interface="public",
                                      url="https://m.example/v1", region_id="ORD")
    internal = identity.create_endpoint(service_id=service.id, interface="internal",
                                        url="https://m.example/v1", region_id="ORD")
    group = identity.create_endpoint_group(name="public-metrics", filters={
        "interface": "public", "service_id": service.id})
    assert group.description is None
    assert {e.id for e in identity.endpoint_group_endpoints(group)} == {public.id}
    identity.update_endpoint_group(group, description="d", filters={"interface": "internal"})
    internal_ids = {e.id for e in identity.endpoint_group_endpoints(group)}
    # Mimic's own internal endpoints are selected too.
    assert internal.id in internal_ids and public.id not in internal_ids
    assert len(internal_ids) > 1
    project = identity.create_project(name="tenant-a")
    identity.associate_project_with_endpoint_group(group, project)
    assert [g.id for g in identity.project_endpoint_groups(project)] == [group.id]
    identity.disassociate_project_from_endpoint_group(group, project)
    assert list(identity.project_endpoint_groups(project)) == []
    identity.delete_endpoint_group(group)
    assert list(identity.endpoint_groups()) == []


def test_endpoints_associated_with_projects_one_by_one(admin_sdk, mimic, admin):
    # keystone api-ref/source/v3-ext/ep-filter.inc: PUT/HEAD/DELETE
    # /v3/OS-EP-FILTER/projects/{project_id}/endpoints/{endpoint_id}, GET
    # .../projects/{project_id}/endpoints (keystone/catalog/core.py
    # list_endpoints_for_project: the direct ones and the project's endpoint
    # groups'), GET .../endpoints/{endpoint_id}/projects. `openstack
    # endpoint add project` (OSC's test_endpoint.py).
    identity = admin_sdk.identity
    service = identity.create_service(name="metrics", type="monitoring")
    endpoint = identity.create_endpoint(service_id=service.id, interface="public",
                                        url="https://m.example/v1", region_id="ORD")
    other = identity.create_endpoint(service_id=service.id, interface="internal",
                                     url="https://m.example/v1", region_id="ORD")
    project = identity.create_project(name="tenant-b")
    identity.associate_endpoint_with_project(project, endpoint)
    assert [e.id for e in identity.project_endpoints(project)] == [endpoint.id]
    assert [p.id for p in identity.endpoint_projects(endpoint)] == [project.id]
    path = f"/OS-EP-FILTER/projects/{project.id}/endpoints"
    call(mimic, "HEAD", f"{path}/{endpoint.id}", admin, 204)
    call(mimic, "HEAD", f"{path}/{other.id}", admin, 404)
    # An endpoint group's endpoints are the project's too.
    group = identity.create_endpoint_group(name="internal-metrics", filters={
        "interface": "internal", "service_id": service.id})
    identity.associate_project_with_endpoint_group(group, project)
    assert {e.id for e in identity.project_endpoints(project)} == {endpoint.id, other.id}
    identity.disassociate_project_from_endpoint_group(group, project)
    # Unknown endpoints and projects are 404s, and change nothing.
    call(mimic, "PUT", f"{path}/nosuchendpoint", admin, 404)
    call(mimic, "PUT", f"/OS-EP-FILTER/projects/nosuchproject/endpoints/{endpoint.id}",
         admin, 404)
    alice, _ = token(mimic, "alice", project="acme")
    call(mimic, "PUT", f"{path}/{other.id}", alice, 403)
    assert [e.id for e in identity.project_endpoints(project)] == [endpoint.id]
    identity.disassociate_endpoint_from_project(project, endpoint)
    call(mimic, "DELETE", f"{path}/{endpoint.id}", admin, 404)
    assert list(identity.endpoint_projects(endpoint)) == []
    # Deleting the endpoint forgets its associations.
    identity.associate_endpoint_with_project(project, endpoint)
    identity.delete_endpoint(endpoint)
    assert list(identity.project_endpoints(project)) == []


def test_endpoint_group_filters_are_checked(mimic, admin):
    groups = "/OS-EP-FILTER/endpoint_groups"
    for filters in ({}, {"enabled": True}, {"interface": "sideways"}, "public"):
        call(mimic, "POST", groups, admin, 400,
             json={"endpoint_group": {"name": "g", "filters": filters}})
    made = call(mimic, "POST", groups, admin, 201, json={"endpoint_group": {
        "name": "g", "filters": {"interface": "admin"}}})["endpoint_group"]
    call(mimic, "PATCH", f"{groups}/{made['id']}", admin, 400,
         json={"endpoint_group": {"name": "h", "filters": {"url": "x"}}})
    shown = call(mimic, "GET", f"{groups}/{made['id']}", admin, 200)["endpoint_group"]
    assert (shown["name"], shown["filters"]) == ("g", {"interface": "admin"})
    # An update may empty the filters (``openstack endpoint group set
    # --filters`` with "{}"): the group then holds every endpoint.
    call(mimic, "PATCH", f"{groups}/{made['id']}", admin, 200,
         json={"endpoint_group": {"filters": {}}})
    every = call(mimic, "GET", "/endpoints", admin, 200)["endpoints"]
    held = call(mimic, "GET", f"{groups}/{made['id']}/endpoints", admin, 200)["endpoints"]
    assert len(held) == len(every) > 0
    call(mimic, "PUT", f"{groups}/{made['id']}/projects/nowhere", admin, 404)


def test_policies_are_stored_and_answered_back(admin_sdk, mimic, admin):
    identity = admin_sdk.identity
    policy = identity.create_policy(blob='{"rule": "x"}', type="application/json")
    identity.update_policy(policy, type="text/json")
    assert (identity.get_policy(policy.id).type, identity.get_policy(policy.id).blob) == (
        "text/json", '{"rule": "x"}')
    assert [p.id for p in identity.policies()] == [policy.id]
    call(mimic, "POST", "/policies", admin, 400, json={"policy": {"type": "a/b"}})
    identity.delete_policy(policy)
    assert list(identity.policies()) == []


def test_access_rules_are_shared_by_a_users_credentials_and_kept_until_unused(admin_sdk):
    identity = admin_sdk.identity
    user_id = admin_sdk.current_user_id
    rule = {"service": "monitoring", "path": "/v2.0/metrics", "method": "GET"}
    first = identity.create_application_credential(user=user_id, name="one",
                                                    access_rules=[rule])
    second = identity.create_application_credential(user=user_id, name="two",
                                                     access_rules=[rule])
    rule_id = first.access_rules[0]["id"]
    # The same call is the same rule (Keystone's unique constraint).
    assert second.access_rules[0]["id"] == rule_id
    assert [r.id for r in identity.access_rules(user=user_id)] == [rule_id]
    assert identity.get_access_rule(user=user_id, access_rule=rule_id).path == "/v2.0/metrics"
    # A token of the credential carries its rules (keystone/common/render_token.py).
    auth = v3.ApplicationCredential(auth_url=admin_sdk.auth["auth_url"],
                                    application_credential_id=first.id,
                                    application_credential_secret=first.secret)
    access = auth.get_access(ks_session.Session())
    assert access._data["token"]["application_credential"]["access_rules"] == [
        {"id": rule_id, **rule}]
    with pytest.raises(sdk_exceptions.HttpException) as refused:
        identity.delete_access_rule(user=user_id, access_rule=rule_id)
    assert refused.value.status_code == 403
    identity.delete_application_credential(user_id, first.id)
    identity.delete_application_credential(user_id, second.id)
    identity.delete_access_rule(user=user_id, access_rule=rule_id)
    assert list(identity.access_rules(user=user_id)) == []


def test_malformed_access_rules_make_no_credential(mimic):
    admin, body = token(mimic, "admin", project="admin")
    user_id = body["token"]["user"]["id"]
    path = f"/users/{user_id}/application_credentials"
    for rule in ({"service": "compute", "path": "no-slash", "method": "GET"},
                 {"service": "compute", "path": "/v2.1", "method": "FETCH"},
                 {"service": "comp ute", "path": "/v2.1", "method": "GET"},
                 {"id": "never-made"}):
        response = mimic.post(V3 + path, headers={"X-Auth-Token": admin},
                              json={"application_credential": {"name": "c",
                                                               "access_rules": [rule]}})
        assert response.status_code in (400, 404), response.text
    assert call(mimic, "GET", path, admin, 200)["application_credentials"] == []
    assert call(mimic, "GET", f"/users/{user_id}/access_rules", admin, 200)[
        "access_rules"] == []


def test_domain_config_keeps_whitelisted_options_and_hides_the_password(admin_sdk, mimic,
                                                                       admin):
    identity = admin_sdk.identity
    domain = identity.create_domain(name="ldap-users")
    made = identity.create_domain_config(domain, identity={"driver": "ldap"},
                                         ldap={"url": "ldap://a", "password": "s3cret"})
    assert made.ldap.url == "ldap://a"
    identity.update_domain_config(domain, ldap={"url": "ldap://b"})
    shown = call(mimic, "GET", f"/domains/{domain.id}/config", admin, 200)["config"]
    assert shown == {"identity": {"driver": "ldap"}, "ldap": {"url": "ldap://b"}}
    assert call(mimic, "GET", f"/domains/{domain.id}/config/ldap/url", admin, 200) == {
        "config": {"url": "ldap://b"}}
    # Keystone answers an option it does not allow with InvalidDomainConfig (403).
    call(mimic, "PATCH", f"/domains/{domain.id}/config", admin, 403,
         json={"config": {"ldap": {"shell": "/bin/sh"}}})
    call(mimic, "PUT", f"/domains/{domain.id}/config", admin, 403,
         json={"config": {"nova": {"x": "y"}}})
    assert call(mimic, "GET", f"/domains/{domain.id}/config", admin, 200)["config"] == shown
    identity.delete_domain_config(domain)
    call(mimic, "GET", f"/domains/{domain.id}/config", admin, 404)
