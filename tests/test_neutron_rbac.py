"""
Neutron's RBAC policies (``/v2.0/rbac-policies``) over real sockets, with
openstacksdk and the ``openstack`` command, on a Mimic started ``--profile
devstack``: an entry really shares its object (the target project lists,
shows and uses it), deleting or retargeting it unshares it unless the
target depends on it, a network's ``shared`` and ``router:external`` are
entries too, and bad entries are refused in Neutron's words with nothing
made.

What is relied on: github:openstack/neutron neutron/db/rbac_db_mixin.py
(create/update/delete, ``RbacPolicyNotFound``), neutron/db/
db_base_plugin_v2.py (``_validate_network_rbac_policy_change``: "Only
admins can manipulate policies on networks they do not own",
``ensure_no_project_ports_on_network``), neutron/db/external_net_db.py
(an ``access_as_external`` entry makes its network external, deleting the
last makes it internal), neutron/db/rbac_db_models.py
(``InvalidActionForType``), neutron/extensions/rbac.py (``target_tenant`` a
UUID or ``*``; ``DuplicateRbacPolicy``), neutron/conf/policies/rbac.py
(only an admin targets ``*``; a project reads the entries it owns);
neutron-lib api-ref rbac-policy.inc for the shapes.
"""

from __future__ import annotations

import pytest
from openstack import exceptions as sdk_exceptions

from tests.neutron_support import assert_neutron_error, connect, devstack  # noqa: F401
from tests.neutron_support import devstack_cli, devstack_connection


@pytest.fixture
def sdk(devstack):
    """openstacksdk connections by user name, closed after the test."""
    made = {}

    def connection(user):
        if user not in made:
            made[user] = devstack_connection(devstack, user)
        return made[user]

    yield connection
    for each in made.values():
        each.close()


def _rest(devstack, user):
    """
    Neutron's REST API as ``user`` on the project of the same name, asked
    for by name: a user devstack does not seed (``alt_member``, ``dora``)
    is made on first contact, and a v2.0 token without a tenant would land
    on a fresh tenant of its own unless an openstacksdk (v3, scoped by
    project name) connection had made that user first.
    """
    return connect(devstack.client(), user, region="RegionOne", tenant_id=user)


def test_an_entry_shares_a_network_with_its_target_project_only(sdk):
    demo, alt, carol = sdk("demo"), sdk("alt_member"), sdk("carol")
    network = demo.network.create_network(name="rbac-one-project")
    assert network.id not in {n.id for n in alt.network.networks()}
    entry = demo.network.create_rbac_policy(
        object_type="network", object_id=network.id, action="access_as_shared",
        target_tenant=alt.current_project_id)
    assert (entry.project_id, entry.target_project_id) == (
        demo.current_project_id, alt.current_project_id)
    seen = alt.network.get_network(network.id)
    assert seen.is_shared is True
    assert network.id in {n.id for n in alt.network.networks()}
    assert demo.network.get_network(network.id).is_shared is False
    assert network.id not in {n.id for n in carol.network.networks()}
    with pytest.raises(sdk_exceptions.NotFoundException):
        carol.network.get_network(network.id)

    # The target uses it; the entry then stays until the port goes.
    port = alt.network.create_port(network_id=network.id)
    with pytest.raises(sdk_exceptions.ConflictException, match="cannot be removed"):
        demo.network.delete_rbac_policy(entry.id)
    alt.network.delete_port(port.id)
    demo.network.delete_rbac_policy(entry.id)
    with pytest.raises(sdk_exceptions.NotFoundException):
        alt.network.get_network(network.id)
    assert entry.id not in {e.id for e in demo.network.rbac_policies()}
    demo.network.delete_network(network.id)


def test_only_an_admin_shares_with_every_project_and_network_shared_is_that_entry(sdk):
    demo, alt, admin = sdk("demo"), sdk("alt_member"), sdk("admin")
    network = demo.network.create_network(name="rbac-everyone")
    with pytest.raises(sdk_exceptions.ForbiddenException,
                       match="create_rbac_policy:target_tenant"):
        demo.network.create_rbac_policy(object_type="network", object_id=network.id,
                                        action="access_as_shared", target_tenant="*")
    entry = admin.network.create_rbac_policy(
        object_type="network", object_id=network.id, action="access_as_shared",
        target_tenant="*")
    assert demo.network.get_network(network.id).is_shared is True
    assert alt.network.get_network(network.id).is_shared is True
    # A project reads the entries it owns; the admin's is the admin's.
    assert entry.id not in {e.id for e in demo.network.rbac_policies()}
    assert entry.id in {e.id for e in admin.network.rbac_policies()}
    with pytest.raises(sdk_exceptions.NotFoundException):
        demo.network.get_rbac_policy(entry.id)

    # Unsharing the network deletes the entry (Neutron's update_network).
    demo_rest = admin.network.update_network(network.id, is_shared=False)
    assert demo_rest.is_shared is False
    with pytest.raises(sdk_exceptions.NotFoundException):
        admin.network.get_rbac_policy(entry.id)
    with pytest.raises(sdk_exceptions.NotFoundException):
        alt.network.get_network(network.id)

    # And creating a shared network makes the wildcard entry.
    shared = admin.network.create_network(name="rbac-made-shared", is_shared=True)
    made = [e for e in admin.network.rbac_policies(object_id=shared.id)]
    assert [(e.action, e.target_project_id) for e in made] == [("access_as_shared", "*")]
    admin.network.delete_network(shared.id)
    assert not list(admin.network.rbac_policies(object_id=shared.id))
    demo.network.delete_network(network.id)


def test_access_as_external_makes_the_network_external_to_its_target(sdk):
    admin, demo, alt = sdk("admin"), sdk("demo"), sdk("alt_member")
    network = admin.network.create_network(name="rbac-external")
    entry = admin.network.create_rbac_policy(
        object_type="network", object_id=network.id, action="access_as_external",
        target_tenant=demo.current_project_id)
    seen = demo.network.get_network(network.id)
    assert (seen.is_router_external, seen.is_shared) == (True, False)
    with pytest.raises(sdk_exceptions.NotFoundException):
        alt.network.get_network(network.id)
    admin.network.delete_rbac_policy(entry.id)
    assert admin.network.get_network(network.id).is_router_external is False
    with pytest.raises(sdk_exceptions.NotFoundException):
        demo.network.get_network(network.id)
    admin.network.delete_network(network.id)


def test_retargeting_moves_the_access_unless_the_old_target_depends_on_it(sdk):
    demo, alt, carol = sdk("demo"), sdk("alt_member"), sdk("carol")
    network = demo.network.create_network(name="rbac-retarget")
    entry = demo.network.create_rbac_policy(
        object_type="network", object_id=network.id, action="access_as_shared",
        target_tenant=alt.current_project_id)
    port = alt.network.create_port(network_id=network.id)
    with pytest.raises(sdk_exceptions.ConflictException):
        demo.network.update_rbac_policy(entry.id, target_tenant=carol.current_project_id)
    assert demo.network.get_rbac_policy(entry.id).target_project_id == alt.current_project_id
    alt.network.delete_port(port.id)
    moved = demo.network.update_rbac_policy(entry.id, target_tenant=carol.current_project_id)
    assert moved.target_project_id == carol.current_project_id
    assert carol.network.get_network(network.id).is_shared is True
    with pytest.raises(sdk_exceptions.NotFoundException):
        alt.network.get_network(network.id)
    with pytest.raises(sdk_exceptions.ForbiddenException):
        demo.network.update_rbac_policy(entry.id, target_tenant="*")
    demo.network.delete_network(network.id)
    with pytest.raises(sdk_exceptions.NotFoundException):
        demo.network.get_rbac_policy(entry.id)


def test_an_address_scope_entry_lets_its_target_make_pools_in_it(sdk):
    demo, alt = sdk("demo"), sdk("alt_member")
    scope = demo.network.create_address_scope(name="rbac-scope", ip_version=4)
    with pytest.raises(sdk_exceptions.NotFoundException):
        alt.network.get_address_scope(scope.id)
    entry = demo.network.create_rbac_policy(
        object_type="address_scope", object_id=scope.id, action="access_as_shared",
        target_tenant=alt.current_project_id)
    assert alt.network.get_address_scope(scope.id).is_shared is True
    pool = alt.network.create_subnet_pool(name="in-scope", prefixes=["10.77.0.0/16"],
                                          address_scope_id=scope.id)
    with pytest.raises(sdk_exceptions.ConflictException):
        demo.network.delete_rbac_policy(entry.id)
    alt.network.delete_subnet_pool(pool.id)
    demo.network.delete_rbac_policy(entry.id)
    with pytest.raises(sdk_exceptions.NotFoundException):
        alt.network.get_address_scope(scope.id)
    demo.network.delete_address_scope(scope.id)


@pytest.mark.parametrize("body, code, kind", [
    ({"object_type": "router", "action": "access_as_shared", "target_tenant": "*"},
     400, "InvalidInput"),
    ({"object_type": "network", "action": "access_as_readonly", "target_tenant": "*"},
     400, "InvalidActionForType"),
    ({"object_type": "address_scope", "action": "access_as_external", "target_tenant": "*"},
     400, "InvalidActionForType"),
    ({"object_type": "network", "action": "access_as_shared", "target_tenant": "alt"},
     400, "InvalidInput"),
    ({"object_type": "network", "action": "access_as_shared"}, 400, "HTTPBadRequest"),
    ({"object_type": "network", "target_tenant": "*"}, 400, "HTTPBadRequest"),
    ({"object_type": "network", "action": "access_as_shared", "target_tenant": "*",
      "object_id": "9b7e1c4e-0000-4000-8000-000000000000"}, 404, "NetworkNotFound"),
    ({"object_type": "network", "action": "access_as_shared", "target_tenant": "*",
      "colour": "red"}, 400, "HTTPBadRequest"),
])
def test_bad_entries_are_refused_in_neutrons_words_and_make_nothing(devstack, body, code, kind):
    admin = _rest(devstack, "admin")
    network = admin.ok("POST", "/networks", 201, json={"network": {"name": "n"}})["network"]
    body = {"object_id": network["id"], **body}
    before = admin.ok("GET", "/rbac-policies")["rbac_policies"]
    assert_neutron_error(admin.post("/rbac-policies", json={"rbac_policy": body}), code, kind)
    assert admin.ok("GET", "/rbac-policies")["rbac_policies"] == before
    assert admin.ok("GET", f"/networks/{network['id']}")["network"]["shared"] is False
    admin.ok("DELETE", f"/networks/{network['id']}", 204)


def test_entries_are_unique_and_only_an_owner_or_admin_puts_them_on_a_network(devstack, sdk):
    demo, alt = _rest(devstack, "demo"), _rest(devstack, "alt_member")
    alt_project = sdk("alt_member").current_project_id
    network = demo.ok("POST", "/networks", 201, json={"network": {"name": "n"}})["network"]
    body = {"rbac_policy": {"object_type": "network", "object_id": network["id"],
                            "action": "access_as_shared", "target_tenant": alt_project}}
    made = demo.ok("POST", "/rbac-policies", 201, json=body)["rbac_policy"]
    assert set(made) == {"id", "tenant_id", "project_id", "object_type", "object_id",
                         "action", "target_tenant", "target_project"}
    assert_neutron_error(demo.post("/rbac-policies", json=body), 409, "DuplicateRbacPolicy")
    # alt sees the network now, but may not share it on.
    message = assert_neutron_error(alt.post("/rbac-policies", json=body), 400, "InvalidInput")
    assert "Only admins can manipulate policies on networks they do not own" in message
    assert_neutron_error(alt.get(f"/rbac-policies/{made['id']}"), 404)
    assert_neutron_error(demo.get("/rbac-policies/not-an-entry"), 404, "RbacPolicyNotFound")
    assert_neutron_error(demo.put(f"/rbac-policies/{made['id']}", json={
        "rbac_policy": {"action": "access_as_external"}}), 400, "HTTPBadRequest")
    demo.ok("DELETE", f"/networks/{network['id']}", 204)
    assert demo.ok("GET", "/rbac-policies")["rbac_policies"] == []


def test_extensions_list_rbac_policies(devstack):
    aliases = {e["alias"] for e in _rest(devstack, "demo").ok("GET", "/extensions")[
        "extensions"]}
    assert {"rbac-policies", "rbac-address-scope"} <= aliases


def test_the_cli_shares_a_network_with_a_project_it_names(devstack, tmp_path, sdk):
    # OSC's functional test_network_rbac.py: --target-project by name.
    made = devstack_cli(devstack, tmp_path, "admin", "network", "create", "-f", "json",
                        "cli-rbac")
    entry = devstack_cli(devstack, tmp_path, "admin", "network", "rbac", "create", "-f",
                         "json", made["id"], "--action", "access_as_shared", "--type",
                         "network", "--target-project", "demo")
    assert (entry["object_id"], entry["target_project_id"]) == (
        made["id"], sdk("demo").current_project_id)
    assert sdk("demo").network.get_network(made["id"]).is_shared is True
    listed = devstack_cli(devstack, tmp_path, "admin", "network", "rbac", "list", "-f", "json")
    assert entry["id"] in {row["ID"] for row in listed}


def test_a_project_owns_at_most_its_quota_of_entries(devstack):
    # Neutron's rbac_policy quota (neutron/conf/quota.py: 10 by default).
    dora = _rest(devstack, "dora")
    network = dora.ok("POST", "/networks", 201, json={"network": {"name": "n"}})["network"]

    def share_with(n):
        return dora.post("/rbac-policies", json={"rbac_policy": {
            "object_type": "network", "object_id": network["id"],
            "action": "access_as_shared",
            "target_tenant": f"9b7e1c4e-0000-4000-8000-{n:012d}"}})

    assert all(share_with(n).status_code == 201 for n in range(10))
    assert_neutron_error(share_with(10), 409, "OverQuota")
    assert len(dora.ok("GET", "/rbac-policies")["rbac_policies"]) == 10
    assert dora.ok("GET", "/quotas/" + network["project_id"] + "/details")["quota"][
        "rbac_policy"]["used"] == 10
