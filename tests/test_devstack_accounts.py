"""
``--profile devstack`` starts with the identity a devstack cloud has, so it
is listed before anyone authenticated: the projects, users, roles, groups
and role assignments devstack's lib/keystone makes (github:openstack/devstack
``lib/keystone``: ``bootstrap_keystone`` runs ``keystone-manage bootstrap``
with user, project and role ``admin``; ``create_keystone_accounts`` adds the
``service`` project, the roles ``service``, ``ResellerAdmin`` and
``anotherrole``, ``demo`` and ``alt_demo`` with their projects,
``invisible_to_admin``, the groups ``admins`` and ``nonadmins``, and the
assignments of its table). Its users still take any password (devstack's
clouds.yaml says ``secretadmin``); the default profile starts with none.
"""

from __future__ import annotations

import openstack
import pytest
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

from mimic.testing import start_mimic
from tests.conftest import json_of

DEVSTACK_PROJECTS = {"admin", "service", "demo", "alt_demo", "invisible_to_admin"}

#: lib/keystone's table of who holds what where (its tempest personas
#: ``demo_reader``, ``system_member``... are not made).
DEVSTACK_ASSIGNMENTS = {
    ("admin", "user", "admin", "project", "admin"),
    ("admin", "user", "admin", "project", "demo"),
    ("admin", "user", "admin", "project", "alt_demo"),
    ("admin", "user", "admin", "domain", "Default"),
    ("admin", "user", "admin", "system", "all"),
    ("member", "user", "demo", "project", "demo"),
    ("anotherrole", "user", "demo", "project", "demo"),
    ("member", "user", "demo", "project", "invisible_to_admin"),
    ("admin", "user", "alt_demo", "project", "alt_demo"),
    ("anotherrole", "user", "alt_demo", "project", "alt_demo"),
    ("member", "group", "nonadmins", "project", "demo"),
    ("anotherrole", "group", "nonadmins", "project", "demo"),
    ("member", "group", "nonadmins", "project", "alt_demo"),
    ("anotherrole", "group", "nonadmins", "project", "alt_demo"),
    ("admin", "group", "admins", "project", "admin"),
}


@pytest.fixture(scope="module")
def devstack_server():
    with start_mimic("--profile", "devstack") as server:
        yield server


@pytest.fixture
def devstack(devstack_server):
    client = devstack_server.client()
    client.reset()
    return client


def _password(client, username, project, password="secretadmin"):
    return v3.Password(auth_url=client.base_url + "/identity/v3", username=username,
                       password=password, project_name=project,
                       user_domain_id="default", project_domain_id="default")


def _sdk(client, username="admin", project="admin"):
    return openstack.connect(auth_url=client.base_url + "/identity/v3",
                             username=username, password="secretadmin",
                             project_name=project, user_domain_id="default",
                             project_domain_id="default", region_name="ORD")


def _assignments(conn) -> set:
    found = set()
    listed = conn.identity.get("/role_assignments?include_names").json()["role_assignments"]
    for a in listed:
        actor = "user" if "user" in a else "group"
        (target, ref), = a["scope"].items()
        name = "all" if target == "system" else ref["name"]
        found.add((a["role"]["name"], actor, a[actor]["name"], target, name))
    return found


def test_devstack_lists_its_users_projects_groups_and_roles_before_they_authenticate(
        devstack):
    conn = _sdk(devstack)
    try:
        # Only admin has authenticated: demo and alt_demo are there already.
        assert sorted(u.name for u in conn.identity.users()) == ["admin", "alt_demo", "demo"]
        demo = conn.identity.find_user("demo")
        assert (demo.email, demo.default_project_id) == ("demo@example.com", "demo")
        assert {p.name for p in conn.identity.projects()} == DEVSTACK_PROJECTS
        assert sorted(g.name for g in conn.identity.groups()) == ["admins", "nonadmins"]
        roles = {r.name for r in conn.identity.roles()}
        assert roles == {"admin", "member", "reader", "service", "ResellerAdmin",
                         "anotherrole"}
    finally:
        conn.close()


def test_devstack_role_assignments_are_lib_keystones(devstack):
    conn = _sdk(devstack)
    try:
        assert _assignments(conn) == DEVSTACK_ASSIGNMENTS
    finally:
        conn.close()


def test_devstack_users_take_any_password_and_hold_their_roles(devstack):
    session = ks_session.Session()
    for password in ("secretadmin", "anything else"):
        demo = _password(devstack, "demo", "demo", password).get_access(session)
        assert sorted(demo.role_names) == ["anotherrole", "member", "reader"]
    alt = _password(devstack, "alt_demo", "alt_demo").get_access(session)
    assert sorted(alt.role_names) == ["admin", "anotherrole", "member", "reader"]
    admin = _password(devstack, "admin", "demo").get_access(session)
    assert sorted(admin.role_names) == ["admin", "member", "reader"]
    # Authenticating made no second demo: the user listed is the one used.
    assert devstack.get("/identity/v3/users?name=demo", headers={
        "X-Auth-Token": admin.auth_token}).json()["users"][0]["id"] == demo.user_id


def test_devstack_accounts_come_back_after_a_reset(devstack):
    conn = _sdk(devstack)
    try:
        conn.identity.delete_user(conn.identity.find_user("alt_demo"))
        assert "alt_demo" not in {u.name for u in conn.identity.users()}
    finally:
        conn.close()
    devstack.reset()
    conn = _sdk(devstack)
    try:
        assert "alt_demo" in {u.name for u in conn.identity.users()}
        assert _assignments(conn) == DEVSTACK_ASSIGNMENTS
    finally:
        conn.close()


def test_the_cli_lists_demos_roles_on_demo_by_name(devstack, openstack_cli):
    listed = json_of(openstack_cli(
        devstack.base_url, "role", "assignment", "list",
        "--user", "demo", "--project", "demo", "--names", "-f", "json",
        username="admin", project="admin"))
    assert sorted(a["Role"] for a in listed) == ["anotherrole", "member"]
    assert {(a["User"], a["Project"]) for a in listed} == {("demo@Default", "demo@Default")}


def test_the_default_profile_starts_with_no_user(mimic):
    conn = openstack.connect(auth_url=mimic.base_url + "/identity/v3", username="alice",
                             password="x", project_name="acme", user_domain_id="default",
                             project_domain_id="default", region_name="ORD")
    try:
        assert [u.name for u in conn.identity.users()] == ["alice"]
        assert [p.name for p in conn.identity.projects()] == ["acme"]
        assert [g.name for g in conn.identity.groups()] == []
    finally:
        conn.close()
