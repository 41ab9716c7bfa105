"""
Neutron's service flavors and service profiles (the ``flavors``
extension) over real sockets, with openstacksdk and the ``openstack``
command, on a Mimic started ``--profile devstack``: admins make, change,
associate and delete them, every project reads flavors, only admins see
profiles, and bad input is refused in Neutron's words with nothing made.

What is relied on: github:openstack/neutron neutron/db/flavors_db.py (a
profile needs a driver or metainfo, a driver must be a provider's, a
profile associated with a flavor is in use), neutron/conf/policies/
flavor.py (create/update/delete of flavors and everything on profiles are
``ADMIN``, reading flavors is anyone's), neutron/api/v2/base.py (what a
caller may not read is a 404), neutron-lib
neutron_lib/api/definitions/flavors.py, neutron_lib/exceptions/flavors.py
and the ``service_plugin_type`` validator (``InvalidServiceType``).
"""

from __future__ import annotations

import pytest
from openstack import exceptions as sdk_exceptions

from tests.neutron_support import admin, demo, devstack  # noqa: F401  (fixtures)
from tests.neutron_support import assert_neutron_error, connect, devstack_cli


def test_an_admins_flavor_is_read_by_everyone_and_changed_by_admins_only(admin, demo):
    made = admin.network.create_flavor(name="gold", service_type="L3_ROUTER_NAT",
                                       description="fast routers")
    assert (made.is_enabled, made.service_profile_ids, made.description) == (
        True, [], "fast routers")
    assert demo.network.find_flavor("gold", ignore_missing=False).id == made.id
    assert demo.network.get_flavor(made.id).service_type == "L3_ROUTER_NAT"
    assert "gold" in {f.name for f in demo.network.flavors()}
    with pytest.raises(sdk_exceptions.ForbiddenException, match="update_flavor"):
        demo.network.update_flavor(made.id, name="stolen")
    with pytest.raises(sdk_exceptions.ForbiddenException, match="delete_flavor"):
        demo.network.delete_flavor(made.id)
    with pytest.raises(sdk_exceptions.ForbiddenException, match="create_flavor"):
        demo.network.create_flavor(name="mine", service_type="L3_ROUTER_NAT")
    changed = admin.network.update_flavor(made.id, name="platinum", is_enabled=False)
    assert (changed.name, changed.is_enabled) == ("platinum", False)
    assert [f.name for f in admin.network.flavors(is_enabled=False)] == ["platinum"]
    admin.network.delete_flavor(made.id)
    with pytest.raises(sdk_exceptions.NotFoundException):
        demo.network.get_flavor(made.id)


def test_a_flavor_is_associated_with_profiles_which_then_stay(admin):
    flavor = admin.network.create_flavor(name="assoc", service_type="FLAVORS")
    profile = admin.network.create_service_profile(description="p", metainfo="{'k': 1}")
    assert admin.network.associate_flavor_with_service_profile(flavor, profile) == {
        "service_profile": {"id": profile.id}}
    assert admin.network.get_flavor(flavor.id).service_profile_ids == [profile.id]
    # A profile in use is neither changed nor deleted.
    with pytest.raises(sdk_exceptions.ConflictException, match="is used by"):
        admin.network.delete_service_profile(profile.id)
    with pytest.raises(sdk_exceptions.ConflictException, match="is used by"):
        admin.network.update_service_profile(profile.id, description="changed")
    admin.network.disassociate_flavor_from_service_profile(flavor, profile)
    assert admin.network.get_flavor(flavor.id).service_profile_ids == []
    changed = admin.network.update_service_profile(profile.id, is_enabled=False)
    assert (changed.is_enabled, changed.meta_info, changed.description) == (
        False, "{'k': 1}", "p")
    admin.network.delete_service_profile(profile.id)
    admin.network.delete_flavor(flavor.id)


def test_only_admins_see_service_profiles(admin, demo, devstack):
    profile = admin.network.create_service_profile(
        driver="neutron.services.ovn_l3.service_providers.ovn.OvnDriver")
    assert profile.driver.endswith("OvnDriver") and profile.meta_info == ""
    assert profile.id in {p.id for p in admin.network.service_profiles()}
    assert list(demo.network.service_profiles()) == []
    with pytest.raises(sdk_exceptions.NotFoundException):
        demo.network.get_service_profile(profile.id)
    # Neutron answers what a caller may not read as not found, deletes too.
    demo.network.delete_service_profile(profile.id, ignore_missing=True)
    assert admin.network.get_service_profile(profile.id).id == profile.id
    rest = connect(devstack.client(), "demo", region="RegionOne")
    assert_neutron_error(rest.post("/service_profiles", json={"service_profile": {
        "metainfo": "x"}}), 403, "PolicyNotAuthorized")
    admin.network.delete_service_profile(profile.id)


@pytest.mark.parametrize("path, body, code, kind", [
    ("/flavors", {"flavor": {"name": "f"}}, 400, "HTTPBadRequest"),
    ("/flavors", {"flavor": {"service_type": "LOADBALANCERV2"}}, 400, "InvalidServiceType"),
    ("/flavors", {"flavor": {"service_type": "FLAVORS", "enabled": "maybe"}}, 400,
     "HTTPBadRequest"),
    ("/flavors", {"flavor": {"service_type": "FLAVORS", "name": "n" * 256}}, 400,
     "HTTPBadRequest"),
    ("/flavors", {"flavor": {"service_type": "FLAVORS", "colour": "red"}}, 400,
     "HTTPBadRequest"),
    ("/service_profiles", {"service_profile": {"description": "nothing"}}, 400,
     "ServiceProfileEmpty"),
    ("/service_profiles", {"service_profile": {"driver": "acme.Driver"}}, 404,
     "ServiceProfileDriverNotFound"),
    ("/service_profiles", {"service_profile": {"metainfo": ["not", "text"]}}, 400,
     "HTTPBadRequest"),
    ("/service_profiles", {"service_profile": {"metainfo": "m" * 4097}}, 400,
     "HTTPBadRequest"),
])
def test_bad_flavors_and_profiles_are_refused_and_make_nothing(devstack, path, body, code,
                                                                kind):
    admin = connect(devstack.client(), "admin", region="RegionOne")
    collection = path.strip("/")
    before = admin.ok("GET", path)[collection]
    assert_neutron_error(admin.post(path, json=body), code, kind)
    assert admin.ok("GET", path)[collection] == before


def test_associations_name_a_flavor_and_a_profile_that_exist(devstack):
    admin = connect(devstack.client(), "admin", region="RegionOne")
    flavor = admin.ok("POST", "/flavors", 201, json={"flavor": {
        "service_type": "L3_ROUTER_NAT"}})["flavor"]
    profile = admin.ok("POST", "/service_profiles", 201, json={"service_profile": {
        "metainfo": "m"}})["service_profile"]
    assoc = f"/flavors/{flavor['id']}/service_profiles"
    assert_neutron_error(admin.post(assoc, json={"service_profile": {"id": "nope"}}), 404,
                         "ServiceProfileNotFound")
    assert_neutron_error(admin.post("/flavors/nope/service_profiles", json={
        "service_profile": {"id": profile["id"]}}), 404, "FlavorNotFound")
    assert_neutron_error(admin.delete(f"{assoc}/{profile['id']}"), 404,
                         "FlavorServiceProfileBindingNotFound")
    admin.ok("POST", assoc, 201, json={"service_profile": {"id": profile["id"]}})
    assert_neutron_error(admin.post(assoc, json={"service_profile": {"id": profile["id"]}}),
                         409, "FlavorServiceProfileBindingExists")
    assert admin.ok("GET", f"{assoc}/{profile['id']}") == {"service_profile": {
        "service_profile_id": profile["id"], "flavor_id": flavor["id"]}}
    # Deleting the flavor deletes its associations: the profile is free.
    admin.ok("DELETE", f"/flavors/{flavor['id']}", 204)
    admin.ok("DELETE", f"/service_profiles/{profile['id']}", 204)


def test_extensions_list_flavors(devstack):
    aliases = {e["alias"] for e in connect(devstack.client(), "demo", region="RegionOne").ok(
        "GET", "/extensions")["extensions"]}
    assert "flavors" in aliases and "qos" not in aliases


def test_the_cli_adds_and_removes_a_flavors_profile(devstack, tmp_path):
    # OSC's functional test_network_flavor.py, in one pass.
    flavor = devstack_cli(devstack, tmp_path, "admin", "network", "flavor", "create", "-f",
                          "json", "--description", "d", "--enable", "--service-type",
                          "L3_ROUTER_NAT", "cli-flavor")
    profile = devstack_cli(devstack, tmp_path, "admin", "network", "flavor", "profile",
                           "create", "-f", "json", "--description", "p", "--enable",
                           "--metainfo", "Extrainfo")
    assert (flavor["enabled"], profile["meta_info"]) == (True, "Extrainfo")
    devstack_cli(devstack, tmp_path, "admin", "network", "flavor", "add", "profile",
                 flavor["id"], profile["id"], check=False).check_returncode()
    shown = devstack_cli(devstack, tmp_path, "admin", "network", "flavor", "show", "-f",
                         "json", "cli-flavor")
    assert profile["id"] in shown["service_profile_ids"]
