"""
Neutron's quotas, enforced, and its availability zones, over real sockets
and through openstacksdk. Limits are Neutron's defaults
(``neutron/conf/quota.py``: 100 networks and subnets, 10 routers, 50
floating IPs, 10 security groups, 100 rules), except ports (unlimited in
Mimic: Nova's servers hold ports); a create past a limit is a 409
``OverQuota`` ("Quota exceeded for resources: ['router']."), as the quota
engine answers, and changes nothing. Reading another project's quota and
changing any are admin-only in Neutron's default policy (403).
"""

from __future__ import annotations

import openstack

from tests.neutron_support import PUBLIC, assert_neutron_error, connect, neutron  # noqa: F401


def tenant_of(neutron):
    return neutron.ok("GET", "/networks")["networks"][0]["tenant_id"]


def test_quota_shows_neutrons_defaults_and_what_is_used(neutron):
    project = tenant_of(neutron)
    quota = neutron.ok("GET", f"/quotas/{project}")["quota"]
    assert (quota["network"], quota["router"], quota["floatingip"], quota["port"]) == (
        100, 10, 50, -1)
    assert neutron.ok("GET", f"/quotas/{project}/default")["quota"] == quota
    neutron.ok("POST", "/routers", 201, json={"router": {}})
    neutron.ok("POST", "/networks", 201, json={"network": {}})
    details = neutron.ok("GET", f"/quotas/{project}/details")["quota"]
    assert details["router"] == {"limit": 10, "used": 1, "reserved": 0}
    assert details["network"]["used"] == 1
    assert details["security_group"]["used"] == 1  # the default group


def test_creating_past_a_quota_is_overquota_and_makes_nothing(neutron):
    for _ in range(10):
        neutron.ok("POST", "/routers", 201, json={"router": {}})
    response = neutron.post("/routers", json={"router": {"name": "eleventh"}})
    message = assert_neutron_error(response, 409, "OverQuota")
    assert message == "Quota exceeded for resources: ['router']."
    assert len(neutron.ok("GET", "/routers")["routers"]) == 10
    for _ in range(9):
        neutron.ok("POST", "/security-groups", 201, json={"security_group": {}})
    assert_neutron_error(neutron.post("/security-groups", json={"security_group": {}}), 409,
                         "OverQuota")


def test_a_bulk_create_past_the_quota_makes_none(neutron):
    bulk = {"networks": [{"name": f"n{n}"} for n in range(101)]}
    assert_neutron_error(neutron.post("/networks", json=bulk), 409, "OverQuota")
    assert len(neutron.ok("GET", "/networks")["networks"]) == 2


def test_other_projects_quotas_and_changes_are_refused(neutron):
    project = tenant_of(neutron)
    assert_neutron_error(neutron.get("/quotas/someone-else"), 403, "PolicyNotAuthorized")
    assert_neutron_error(neutron.put(f"/quotas/{project}", json={"quota": {"router": 20}}),
                         403, "PolicyNotAuthorized")
    assert_neutron_error(neutron.delete(f"/quotas/{project}"), 403, "PolicyNotAuthorized")
    assert neutron.ok("GET", f"/quotas/{project}")["quota"]["router"] == 10


def test_network_ip_availabilities_are_admin_only(neutron):
    # neutron/conf/policies/network_ip_availability.py: admin only.
    for path in ("/network-ip-availabilities", f"/network-ip-availabilities/{PUBLIC}"):
        assert_neutron_error(neutron.get(path), 403, "PolicyNotAuthorized")


def test_availability_zones_list_nova_for_networks_and_routers(neutron):
    zones = neutron.ok("GET", "/availability_zones")["availability_zones"]
    assert zones == [{"name": "nova", "resource": "network", "state": "available"},
                     {"name": "nova", "resource": "router", "state": "available"}]
    routers = neutron.ok("GET", "/availability_zones?resource=router")["availability_zones"]
    assert [z["resource"] for z in routers] == ["router"]


def test_extensions_list_what_is_served(neutron):
    aliases = {e["alias"] for e in neutron.ok("GET", "/extensions")["extensions"]}
    assert {"router", "extraroute", "standard-attr-tag", "quotas", "quota_details",
            "availability_zone", "stateful-security-group", "port-security",
            "subnet_allocation", "trunk"} <= aliases
    # address-scope is served (tests/test_neutron_address_scopes.py); segments are not.
    assert "address-scope" in aliases and "segment" not in aliases


def test_openstacksdk_reads_quota_details_and_zones(mimic):
    conn = openstack.connect(
        auth_url=mimic.base_url + "/identity/v2.0", username="quota-user", password="secret",
        project_name="quota-project", identity_api_version="2", region_name="ORD")
    try:
        conn.network.create_ip(floating_network_id=PUBLIC)
        quota = conn.network.get_quota(conn.current_project_id, details=True)
        assert quota.floating_ips == {"limit": 50, "used": 1, "reserved": 0}
        assert {z.name for z in conn.network.availability_zones()} == {"nova"}
    finally:
        conn.close()
