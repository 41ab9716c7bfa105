"""
Address scopes (Neutron's ``address-scope`` extension), the subnet pools
that join them, a pool's ``default_quota``, and ``/service-providers``,
over real sockets (Neutron's REST API, and openstacksdk's network proxy as
its functional tests use it).

Shapes and errors from github:openstack/neutron-lib api-ref
(address-scopes.inc, subnetpools.inc, service-providers.inc) and
neutron/db/address_scope_db.py, neutron/ipam/subnet_alloc.py.
"""

from __future__ import annotations

import openstack
import pytest
from openstack import exceptions as sdk_exceptions

from tests.neutron_support import assert_neutron_error, neutron  # noqa: F401


def test_address_scope_create_show_list_update_delete(neutron):
    made = neutron.ok("POST", "/address-scopes", 201,
                      json={"address_scope": {"name": "scope-a", "ip_version": 4}})["address_scope"]
    assert (made["ip_version"], made["shared"], made["name"]) == (4, False, "scope-a")
    assert neutron.ok("GET", f"/address-scopes/{made['id']}")["address_scope"] == made
    assert [s["id"] for s in neutron.ok("GET", "/address-scopes?ip_version=4")[
        "address_scopes"]] == [made["id"]]
    renamed = neutron.ok("PUT", f"/address-scopes/{made['id']}",
                         json={"address_scope": {"name": "scope-b"}})["address_scope"]
    assert renamed["name"] == "scope-b" and renamed["revision_number"] == 1
    assert neutron.delete(f"/address-scopes/{made['id']}").status_code == 204
    assert_neutron_error(neutron.get(f"/address-scopes/{made['id']}"), 404,
                         "AddressScopeNotFound")


@pytest.mark.parametrize("body, code, kind", [
    ({"name": "x"}, 400, "HTTPBadRequest"),
    ({"ip_version": 5}, 400, "HTTPBadRequest"),
    ({"ip_version": 4, "shared": True}, 403, "PolicyNotAuthorized"),
])
def test_bad_address_scopes_are_refused_and_make_nothing(neutron, body, code, kind):
    assert_neutron_error(neutron.post("/address-scopes", json={"address_scope": body}),
                         code, kind)
    assert neutron.ok("GET", "/address-scopes")["address_scopes"] == []


def test_pools_of_a_scope_match_its_version_never_overlap_and_keep_it(neutron):
    scope = neutron.ok("POST", "/address-scopes", 201, json={"address_scope": {
        "ip_version": 4}})["address_scope"]
    pool = neutron.ok("POST", "/subnetpools", 201, json={"subnetpool": {
        "prefixes": ["10.10.0.0/16"], "address_scope_id": scope["id"]}})["subnetpool"]
    assert pool["address_scope_id"] == scope["id"]
    assert_neutron_error(neutron.post("/subnetpools", json={"subnetpool": {
        "prefixes": ["10.10.128.0/17"], "address_scope_id": scope["id"]}}), 400,
        "IllegalSubnetPoolAssociationToAddressScope")
    assert_neutron_error(neutron.post("/subnetpools", json={"subnetpool": {
        "prefixes": ["2001:db8:1::/48"], "address_scope_id": scope["id"]}}), 400,
        "IllegalSubnetPoolIpVersionAssociation")
    assert_neutron_error(neutron.delete(f"/address-scopes/{scope['id']}"), 409,
                         "AddressScopeInUse")
    neutron.ok("PUT", f"/subnetpools/{pool['id']}",
               json={"subnetpool": {"address_scope_id": None}})
    assert neutron.delete(f"/address-scopes/{scope['id']}").status_code == 204


def test_subnet_pool_default_quota_limits_what_a_project_takes(neutron):
    pool = neutron.ok("POST", "/subnetpools", 201, json={"subnetpool": {
        "prefixes": ["10.20.0.0/16"], "default_prefixlen": 26,
        "default_quota": 128}})["subnetpool"]
    assert pool["default_quota"] == 128
    network = neutron.ok("POST", "/networks", 201, json={"network": {}})["network"]
    for _ in range(2):
        neutron.ok("POST", "/subnets", 201, json={"subnet": {
            "network_id": network["id"], "subnetpool_id": pool["id"]}})
    assert_neutron_error(neutron.post("/subnets", json={"subnet": {
        "network_id": network["id"], "subnetpool_id": pool["id"]}}), 409,
        "SubnetPoolQuotaExceeded")
    assert len(neutron.ok("GET", "/subnets?subnetpool_id=" + pool["id"])["subnets"]) == 2


def test_sdk_address_scopes_and_service_providers(mimic):
    conn = openstack.connect(
        auth_url=mimic.base_url + "/identity/v2.0", username="sdk-scopes", password="secret",
        project_name="sdk-scopes", identity_api_version="2", region_name="ORD")
    try:
        scope = conn.network.create_address_scope(name="sdk-scope", ip_version=6)
        assert conn.network.find_address_scope("sdk-scope").id == scope.id
        assert conn.network.get_address_scope(scope.id).ip_version == 6
        conn.network.delete_address_scope(scope)
        with pytest.raises(sdk_exceptions.NotFoundException):
            conn.network.get_address_scope(scope.id)
        providers = list(conn.network.service_providers())
        assert [(p.service_type, p.name, p.is_default) for p in providers] == [
            ("L3_ROUTER_NAT", "ovn", True)]
        aliases = {e.alias for e in conn.network.extensions()}
        assert {"address-scope", "service-type", "network-ip-availability"} <= aliases
    finally:
        conn.close()
