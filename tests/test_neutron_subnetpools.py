"""
Subnet pools (``subnet_allocation``) over real sockets and openstacksdk:
subnets carved from a pool by prefix length (the first free block) or by a
CIDR inside it, with neutron-lib's errors (``PrefixVersionMismatch``,
``IllegalSubnetPoolPrefixBounds``, ``MinPrefixSubnetAllocationError``,
``MaxPrefixSubnetAllocationError``, ``SubnetPoolDeleteError``,
``IllegalSubnetPoolPrefixUpdate``). Running out of space is neutron-lib's
``SubnetAllocationError``, which Mimic answers with 409 (Neutron's API
layer has no status for it and answers 500).
"""

from __future__ import annotations

import openstack
import pytest

from tests.neutron_support import assert_neutron_error, neutron  # noqa: F401


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
