"""
Subnet pools (``subnet_allocation``) over real sockets and openstacksdk:
subnets carved from a pool by prefix length (the first free block) or by a
CIDR inside it, with neutron-lib's errors (``PrefixVersionMismatch``,
``IllegalSubnetPoolPrefixBounds``, ``MinPrefixSubnetAllocationError``,
``MaxPrefixSubnetAllocationError``, ``SubnetPoolDeleteError``,
``IllegalSubnetPoolPrefixUpdate``). Running out of space is neutron-lib's
``SubnetAllocationError``, which Mimic answers with 409 (Neutron's API
layer has no status for it and answers 500).

Shared pools and pools of other projects are an admin's
(neutron/conf/policies/subnetpool.py: ``create_subnetpool:shared`` is
``ADMIN``; another project's ``project_id`` needs admin too): a shared
pool is listed to every project and every project carves subnets from it,
each within the pool's ``default_quota`` ("Per-tenant subnet pool prefix
quota", neutron/ipam/subnetalloc.py), and only its owner (or an admin)
changes or deletes it.
"""

from __future__ import annotations

import openstack
import pytest

from openstack import exceptions as sdk_exceptions

from tests.neutron_support import assert_neutron_error, neutron  # noqa: F401
from tests.neutron_support import admin, alt, demo, devstack  # noqa: F401


def make_pool(neutron, **fields):
    body = {"prefixes": ["10.100.0.0/16"], "default_prefixlen": 24, **fields}
    return neutron.ok("POST", "/subnetpools", 201, json={"subnetpool": body})["subnetpool"]


def subnet_from(neutron, pool, **fields):
    network = neutron.ok("POST", "/networks", 201, json={"network": {}})["network"]
    return neutron.post("/subnets", json={"subnet": {
        "network_id": network["id"], "subnetpool_id": pool["id"], **fields}})


def test_pool_defaults_and_listing(neutron):
    pool = make_pool(neutron, name="p", prefixes=["10.100.0.0/17", "10.100.128.0/17"])
    assert pool["prefixes"] == ["10.100.0.0/16"]  # merged, as Neutron keeps them
    assert (pool["ip_version"], pool["min_prefixlen"], pool["max_prefixlen"]) == (4, 8, 32)
    assert pool["default_prefixlen"] == 24
    assert [p["id"] for p in neutron.ok("GET", "/subnetpools?name=p")["subnetpools"]] == [
        pool["id"]]
    six = make_pool(neutron, prefixes=["fd00::/48"], default_prefixlen=64)
    assert (six["ip_version"], six["min_prefixlen"], six["max_prefixlen"]) == (6, 64, 128)


def test_subnets_take_the_next_free_block(neutron):
    pool = make_pool(neutron)
    first = subnet_from(neutron, pool).json()["subnet"]
    second = subnet_from(neutron, pool, prefixlen=26).json()["subnet"]
    third = subnet_from(neutron, pool).json()["subnet"]
    assert [s["cidr"] for s in (first, second, third)] == [
        "10.100.0.0/24", "10.100.1.0/26", "10.100.2.0/24"]
    assert first["subnetpool_id"] == pool["id"] and first["ip_version"] == 4
    explicit = subnet_from(neutron, pool, cidr="10.100.9.0/24").json()["subnet"]
    assert explicit["cidr"] == "10.100.9.0/24"
    assert_neutron_error(subnet_from(neutron, pool, cidr="10.100.9.128/25"), 409,
                         "SubnetAllocationError")
    assert_neutron_error(subnet_from(neutron, pool, cidr="10.200.0.0/24"), 409,
                         "SubnetAllocationError")
    # A deleted subnet's block is free again.
    assert neutron.delete(f"/subnets/{first['id']}").status_code == 204
    assert subnet_from(neutron, pool).json()["subnet"]["cidr"] == "10.100.0.0/24"


def test_a_full_pool_is_refused(neutron):
    pool = make_pool(neutron, prefixes=["10.101.0.0/24"], default_prefixlen=25)
    assert subnet_from(neutron, pool).status_code == 201
    assert subnet_from(neutron, pool).status_code == 201
    message = assert_neutron_error(subnet_from(neutron, pool), 409, "SubnetAllocationError")
    assert "Insufficient prefix space" in message


@pytest.mark.parametrize("fields, kind", [
    ({"prefixlen": 7}, "MinPrefixSubnetAllocationError"),
    ({"prefixlen": 33}, "MaxPrefixSubnetAllocationError"),
    ({"ip_version": 6}, "InvalidInput"),
])
def test_bad_pool_subnets_are_400(neutron, fields, kind):
    pool = make_pool(neutron)
    assert_neutron_error(subnet_from(neutron, pool, **fields), 400, kind)
    assert neutron.ok("GET", "/subnets?subnetpool_id=" + pool["id"])["subnets"] == []


@pytest.mark.parametrize("body, code, kind", [
    ({"prefixes": ["10.0.0.0/8", "fd00::/8"]}, 400, "PrefixVersionMismatch"),
    ({"prefixes": []}, 400, "HTTPBadRequest"),
    ({"prefixes": ["banana"]}, 400, "HTTPBadRequest"),
    ({"prefixes": [167772160]}, 400, "HTTPBadRequest"),
    ({"prefixes": ["10.0.0.0/8"], "default_prefixlen": 4}, 400,
     "IllegalSubnetPoolPrefixBounds"),
    ({"prefixes": ["10.0.0.0/8"], "min_prefixlen": 40}, 400, "UnsupportedMinSubnetPoolPrefix"),
    ({"prefixes": ["10.0.0.0/8"], "shared": True}, 403, "PolicyNotAuthorized"),
    ({"name": "no prefixes"}, 400, "HTTPBadRequest"),
])
def test_bad_pools_are_refused_and_make_nothing(neutron, body, code, kind):
    assert_neutron_error(neutron.post("/subnetpools", json={"subnetpool": body}), code, kind)
    assert neutron.ok("GET", "/subnetpools")["subnetpools"] == []


def test_update_grows_prefixes_only_and_delete_needs_no_subnets(neutron):
    pool = make_pool(neutron)
    grown = neutron.ok("PUT", f"/subnetpools/{pool['id']}", json={"subnetpool": {
        "prefixes": ["10.100.0.0/16", "10.102.0.0/16"], "name": "grown"}})["subnetpool"]
    assert grown["prefixes"] == ["10.100.0.0/16", "10.102.0.0/16"]
    assert_neutron_error(neutron.put(f"/subnetpools/{pool['id']}", json={"subnetpool": {
        "prefixes": ["10.102.0.0/16"]}}), 400, "IllegalSubnetPoolPrefixUpdate")
    subnet = subnet_from(neutron, pool).json()["subnet"]
    assert_neutron_error(neutron.delete(f"/subnetpools/{pool['id']}"), 400,
                         "SubnetPoolDeleteError")
    neutron.delete(f"/subnets/{subnet['id']}")
    assert neutron.delete(f"/subnetpools/{pool['id']}").status_code == 204
    assert_neutron_error(neutron.get(f"/subnetpools/{pool['id']}"), 404, "SubnetPoolNotFound")


def test_openstacksdk_allocates_from_a_pool(mimic):
    conn = openstack.connect(
        auth_url=mimic.base_url + "/identity/v2.0", username="pool-user", password="secret",
        project_name="pool-project", identity_api_version="2", region_name="ORD")
    try:
        pool = conn.network.create_subnet_pool(name="sdk-pool", prefixes=["10.110.0.0/16"],
                                               default_prefix_length=24)
        network = conn.network.create_network(name="pooled")
        subnet = conn.network.create_subnet(network_id=network.id, ip_version=4,
                                            subnet_pool_id=pool.id, prefix_length=28)
        assert subnet.cidr == "10.110.0.0/28" and subnet.subnet_pool_id == pool.id
        assert [p.name for p in conn.network.subnet_pools()] == ["sdk-pool"]
    finally:
        conn.close()


def test_admin_makes_a_pool_for_another_project_and_a_shared_one(admin, demo):
    # What OSC's test_subnet_pool_list does as devstack-admin.
    mine = demo.network.create_subnet_pool(name="demo-pool", prefixes=["10.120.0.0/16"])
    theirs = admin.network.create_subnet_pool(name="for-demo", prefixes=["10.121.0.0/16"],
                                              project_id=demo.current_project_id,
                                              shared=False)
    shared = admin.network.create_subnet_pool(name="for-all", prefixes=["10.122.0.0/16"],
                                              shared=True)
    try:
        assert (theirs.project_id, theirs.is_shared) == (demo.current_project_id, False)
        assert (shared.project_id, shared.is_shared) == (admin.current_project_id, True)
        by_demo = {p.name for p in admin.network.subnet_pools(
            project_id=demo.current_project_id)}
        assert {"demo-pool", "for-demo"} <= by_demo and "for-all" not in by_demo
        assert {p.name for p in admin.network.subnet_pools(is_shared=True)} >= {"for-all"}
        assert "for-demo" not in {p.name for p in admin.network.subnet_pools(is_shared=True)}
        seen_by_demo = {p.name for p in demo.network.subnet_pools()}
        assert {"demo-pool", "for-demo", "for-all"} <= seen_by_demo
        assert admin.network.get_subnet_pool(theirs.id).name == "for-demo"
    finally:
        for pool in (theirs, shared, mine):
            admin.network.delete_subnet_pool(pool)
    assert not {"demo-pool", "for-demo", "for-all"} & {p.name for p in
                                                       admin.network.subnet_pools()}


def test_every_project_carves_from_a_shared_pool_within_its_own_quota(admin, demo, alt):
    shared = admin.network.create_subnet_pool(name="carved", prefixes=["10.123.0.0/16"],
                                              shared=True, default_quota=512,
                                              default_prefix_length=24)
    made = []
    try:
        for conn in (demo, alt):
            network = conn.network.create_network(name="on-shared-pool")
            made.append((conn, network))
            for _ in range(2):
                conn.network.create_subnet(network_id=network.id, ip_version=4,
                                           subnet_pool_id=shared.id)
            with pytest.raises(sdk_exceptions.ConflictException, match="quota exceeded"):
                conn.network.create_subnet(network_id=network.id, ip_version=4,
                                           subnet_pool_id=shared.id)
        cidrs = sorted(s.cidr for conn, network in made
                       for s in conn.network.subnets(network_id=network.id))
        assert cidrs == [f"10.123.{n}.0/24" for n in range(4)]
        with pytest.raises(sdk_exceptions.NotFoundException):
            demo.network.update_subnet_pool(shared.id, name="taken-over")
        with pytest.raises(sdk_exceptions.BadRequestException):
            admin.network.delete_subnet_pool(shared)
    finally:
        for conn, network in made:
            conn.network.delete_network(network)
    admin.network.delete_subnet_pool(shared)


def test_non_admins_may_not_share_a_pool_and_nobody_makes_a_default_one(demo, admin):
    for who, fields, code, kind in (
            (demo, {"shared": True}, 403, "PolicyNotAuthorized"),
            (demo, {"is_default": True}, 403, "PolicyNotAuthorized"),
            (demo, {"project_id": admin.current_project_id}, 403, "HTTPForbidden"),
            (admin, {"is_default": True}, 400, "HTTPBadRequest")):
        response = who.network.post("/subnetpools", json={"subnetpool": {
            "name": "refused", "prefixes": ["10.124.0.0/16"], **fields}})
        assert response.status_code == code, response.text
        assert response.json()["NeutronError"]["type"] == kind
    assert "refused" not in {p.name for p in admin.network.subnet_pools()}
