"""
Writable Keystone v3 through the clients operators use (issue 13): the
``openstack`` command, openstacksdk's identity proxy, and keystoneauth1's
application credential plugin, each against a real Mimic.
"""

from __future__ import annotations

import openstack
import pytest
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

from tests.conftest import json_of

ADMIN = {"username": "admin", "password": "x", "project_name": "admin",
         "user_domain_name": "Default", "project_domain_name": "Default"}


@pytest.fixture
def admin_sdk(mimic):
    conn = openstack.connect(auth_url=mimic.base_url + "/identity/", region_name="ORD",
                             **ADMIN)
    yield conn
    conn.close()


def test_cli_creates_a_domain_project_user_and_grants_a_role(mimic, openstack_cli):
    def admin(*args):
        return json_of(openstack_cli(mimic.base_url, *args, "-f", "json",
                                     username="admin", project="admin"))

    domain = admin("domain", "create", "Partners")
    assert domain["name"] == "Partners" and domain["enabled"] is True
    project = admin("project", "create", "--domain", "Partners", "--property", "k1=v1",
                    "web")
    assert project["domain_id"] == domain["id"] and project["k1"] == "v1"
    user = admin("user", "create", "--domain", "Partners", "--password", "pw", "carol")
    assert user["name"] == "carol"
    done = openstack_cli(mimic.base_url, "role", "add", "--project", "web",
                         "--project-domain", "Partners", "--user", "carol",
                         "--user-domain", "Partners", "member",
                         username="admin", project="admin")
    assert done.returncode == 0, done.stderr
    assignments = admin("role", "assignment", "list", "--user", "carol",
                        "--user-domain", "Partners", "--names")
    assert [(a["Role"], a["User"], a["Project"]) for a in assignments] == [
        ("member", "carol@Partners", "web@Partners")]
    carol = ["--os-user-domain-name", "Partners", "--os-project-domain-name", "Partners",
             "--os-password", "pw"]
    token = json_of(openstack_cli(mimic.base_url, *carol, "token", "issue", "-f", "json",
                                  username="carol", project="web"))
    assert token["project_id"] == project["id"] and token["user_id"] == user["id"]
    # A wrong password and a non-admin's write are refused too: see
    # tests/test_identity_v3_admin.py (each CLI call costs seconds).


def test_cli_adds_a_service_and_endpoint_that_new_catalogs_show(mimic, openstack_cli):
    def admin(*args):
        return json_of(openstack_cli(mimic.base_url, *args, "-f", "json",
                                     username="admin", project="admin"))

    service = admin("service", "create", "--name", "swift", "object-store")
    endpoint = admin("endpoint", "create", "--region", "ORD", "swift", "public",
                     "http://swift.example/v1/AUTH_$(project_id)s")
    assert endpoint["service_id"] == service["id"]
    catalog = json_of(openstack_cli(mimic.base_url, "catalog", "list", "-f", "json"))
    swift = next(s for s in catalog if s["Type"] == "object-store")
    assert swift["Endpoints"] == [{"id": endpoint["id"], "interface": "public",
                                   "region": "ORD", "region_id": "ORD",
                                   "url": "http://swift.example/v1/AUTH_acme"}]


def test_openstacksdk_manages_users_groups_roles_and_assignments(admin_sdk, mimic):
    identity = admin_sdk.identity
    project = identity.create_project(name="sdk-project", description="made by the sdk")
    user = identity.create_user(name="dana", password="pw", default_project_id=project.id)
    role = identity.create_role(name="observer")
    identity.assign_project_role_to_user(project, user, identity.find_role("member"))
    group = identity.create_group(name="watchers")
    identity.add_user_to_group(user, group)
    assert identity.check_user_in_group(user, group)
    identity.assign_project_role_to_group(project, group, role)
    effective = {(a.role["id"], a.scope["project"]["id"]) for a in
                 identity.role_assignments(user_id=user.id, effective=True)}
    assert (role.id, project.id) in effective
    session = ks_session.Session(auth=v3.Password(
        auth_url=mimic.base_url + "/identity/v3", username="dana", password="pw",
        user_domain_id="default", project_id=project.id))
    access = session.auth.get_access(session)
    assert sorted(access.role_names) == ["member", "observer", "reader"]
    identity.update_user(user, enabled=False)
    with pytest.raises(ks_exceptions.Unauthorized):
        ks_session.Session(auth=v3.Password(
            auth_url=mimic.base_url + "/identity/v3", username="dana", password="pw",
            user_domain_id="default", project_id=project.id)).get_token()
    identity.delete_user(user)
    assert identity.find_user("dana") is None
    identity.delete_group(group)
    identity.delete_role(role)
    identity.delete_project(project)
    assert identity.find_project("sdk-project") is None


def test_openstacksdk_domains_regions_and_limits(admin_sdk):
    identity = admin_sdk.identity
    domain = identity.create_domain(name="Lab", description="the lab")
    assert identity.get_domain(domain.id).description == "the lab"
    identity.update_domain(domain, enabled=False)
    assert identity.get_domain(domain.id).is_enabled is False
    identity.delete_domain(domain)
    region = identity.create_region(id="LAB", description="lab region")
    assert "LAB" in [r.id for r in identity.regions()]
    compute = next(s for s in identity.services() if s.type == "compute")
    registered = identity.create_registered_limit(
        service_id=compute.id, region_id="ORD", resource_name="cores", default_limit=20)
    limit = identity.create_limit(service_id=compute.id, region_id="ORD",
                                  resource_name="cores", resource_limit=8,
                                  project_id="admin")
    assert [lim.resource_limit for lim in identity.limits(project_id="admin")] == [8]
    identity.delete_limit(limit)
    identity.delete_registered_limit(registered)
    identity.delete_region(region)


def test_keystoneauth_authenticates_with_an_application_credential(admin_sdk, mimic):
    user_id = admin_sdk.current_user_id
    credential = admin_sdk.identity.create_application_credential(
        user_id, name="ci-job", roles=[{"name": "reader"}])
    auth = v3.ApplicationCredential(auth_url=mimic.base_url + "/identity/v3",
                                    application_credential_id=credential.id,
                                    application_credential_secret=credential.secret)
    session = ks_session.Session(auth=auth)
    access = auth.get_access(session)
    assert access.project_id == "admin"
    assert access.role_names == ["reader"]
    by_name = v3.ApplicationCredential(
        auth_url=mimic.base_url + "/identity/v3", application_credential_name="ci-job",
        application_credential_secret=credential.secret, user_id=user_id)
    assert ks_session.Session(auth=by_name).get_token()
    admin_sdk.identity.delete_application_credential(user_id, credential.id)
    with pytest.raises(ks_exceptions.Unauthorized):
        ks_session.Session(auth=v3.ApplicationCredential(
            auth_url=mimic.base_url + "/identity/v3",
            application_credential_id=credential.id,
            application_credential_secret=credential.secret)).get_token()


def test_cli_shows_a_projects_parents_and_children(mimic, openstack_cli):
    # python-openstackclient's own functional test_project_show_with_parents_children
    # asks ``project show --parents --children`` for both keys.
    def admin(*args):
        return json_of(openstack_cli(mimic.base_url, *args, "-f", "json",
                                     username="admin", project="admin"))

    child = admin("project", "create", "--parent", "admin", "child")
    shown = admin("project", "show", "--parents", "--children", "admin")
    assert shown["parents"] == {"default": None}
    assert shown["subtree"] == {child["id"]: None}
