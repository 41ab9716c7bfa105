"""
Nova's operator APIs over HTTP, checked against tempest.lib's schemas at
the microversions that change them: flavors an admin manages (create,
describe, delete, extra specs, access to private ones), the hypervisors
and services of a region, host aggregates. Who may call them is Nova's
default policy (nova/policies/*.py): the user named ``admin`` is an
admin; ``user-<tenant>`` is a project member and gets Nova's 403.
"""

from __future__ import annotations

from tests.nova_schemas import assert_schema, schema_at
from tests.nova_support import (  # noqa: F401
    TENANT, admin_nova_for, error_of, microversion, nova, nova_for)


def at(version: str) -> dict:
    return {"headers": microversion(version)}


def forbidden(response, policy: str) -> None:
    assert error_of(response, 403, "forbidden") == \
        f"Policy doesn't allow {policy} to be performed."


FLAVOR = {"name": "ops.small", "ram": 1024, "vcpus": 2, "disk": 10}


# flavors

def test_admin_makes_a_private_flavor_that_only_shared_projects_see(mimic, nova):
    admin = admin_nova_for(mimic, "ops-admin")
    created = assert_schema(schema_at("2.1", "flavors", "create_update_get_flavor_details"),
                            admin.post("flavors", json={"flavor": {
                                **FLAVOR, "os-flavor-access:is_public": False}}))["flavor"]
    flavor_id = created["id"]
    assert created["os-flavor-access:is_public"] is False
    listed = admin.get("flavors", params={"is_public": "none"}).json()["flavors"]
    assert flavor_id in {f["id"] for f in listed}
    assert flavor_id not in {f["id"] for f in nova.get("flavors").json()["flavors"]}
    error_of(nova.get(f"flavors/{flavor_id}"), 404, "itemNotFound")

    shared = assert_schema(schema_at("2.7", "flavors_access", "add_remove_list_flavor_access"),
                           admin.post(f"flavors/{flavor_id}/action", **at("2.7"),
                                      json={"addTenantAccess": {"tenant": TENANT}}))
    assert shared["flavor_access"] == [{"flavor_id": flavor_id, "tenant_id": TENANT}]
    assert flavor_id in {f["id"] for f in nova.get("flavors").json()["flavors"]}
    assert nova.get(f"flavors/{flavor_id}").json()["flavor"]["name"] == "ops.small"
    assert admin.get(f"flavors/{flavor_id}/os-flavor-access").json() == shared
    # Sharing twice is Nova's FlavorAccessExists.
    error_of(admin.post(f"flavors/{flavor_id}/action",
                        json={"addTenantAccess": {"tenant": TENANT}}), 409, "conflictingRequest")

    admin.post(f"flavors/{flavor_id}/action", json={"removeTenantAccess": {"tenant": TENANT}})
    error_of(nova.get(f"flavors/{flavor_id}"), 404, "itemNotFound")
    assert admin.delete(f"flavors/{flavor_id}").status_code == 202
    error_of(admin.get(f"flavors/{flavor_id}"), 404, "itemNotFound")


def test_members_may_not_manage_flavors_and_change_nothing(nova):
    forbidden(nova.post("flavors", json={"flavor": FLAVOR}),
              "os_compute_api:os-flavor-manage:create")
    forbidden(nova.delete("flavors/2"), "os_compute_api:os-flavor-manage:delete")
    forbidden(nova.post("flavors/2/os-extra_specs", json={"extra_specs": {"a": "b"}}),
              "os_compute_api:os-flavor-extra-specs:create")
    forbidden(nova.get("flavors/2/os-flavor-access"), "os_compute_api:os-flavor-access")
    forbidden(nova.post("flavors/2/action", json={"addTenantAccess": {"tenant": "x"}}),
              "os_compute_api:os-flavor-access:add_tenant_access")
    assert nova.get("flavors/2").status_code == 200
    assert "ops.small" not in {f["name"] for f in nova.get("flavors").json()["flavors"]}
    assert nova.get("flavors/2/os-extra_specs").json() == {"extra_specs": {}}


def test_flavor_create_refuses_what_nova_refuses(mimic):
    admin = admin_nova_for(mimic)
    error_of(admin.post("flavors", json={"flavor": {**FLAVOR, "ram": 0}}), 400, "badRequest")
    error_of(admin.post("flavors", json={"flavor": {**FLAVOR, "vcpus": "two"}}),
             400, "badRequest")
    error_of(admin.post("flavors", json={"flavor": {**FLAVOR, "colour": "red"}}),
             400, "badRequest")
    error_of(admin.post("flavors", json={"flavor": {"name": "no-sizes"}}), 400, "badRequest")
    made = admin.post("flavors", json={"flavor": {**FLAVOR, "id": "ops-1"}}).json()["flavor"]
    assert made["id"] == "ops-1"
    assert error_of(admin.post("flavors", json={"flavor": {**FLAVOR, "id": "ops-2"}}),
                    409, "conflictingRequest") == "Flavor with name ops.small already exists."
    assert error_of(admin.post("flavors", json={"flavor": {**FLAVOR, "name": "other",
                                                           "id": "ops-1"}}),
                    409, "conflictingRequest") == "Flavor with ID ops-1 already exists."


def test_flavor_extra_specs_are_set_read_and_unset_by_admins(mimic, nova):
    admin = admin_nova_for(mimic)
    flavor_id = admin.post("flavors", json={"flavor": FLAVOR}).json()["flavor"]["id"]
    specs = f"flavors/{flavor_id}/os-extra_specs"
    body = assert_schema(schema_at("2.1", "flavors_extra_specs", "set_get_flavor_extra_specs"),
                         admin.post(specs, json={"extra_specs": {"hw:cpu_policy": "shared",
                                                                 "a": "b"}}))
    assert body == {"extra_specs": {"hw:cpu_policy": "shared", "a": "b"}}
    assert_schema(schema_at("2.1", "flavors_extra_specs", "set_get_flavor_extra_specs_key"),
                  admin.put(f"{specs}/c", json={"c": "d"}))
    assert nova.get(f"{specs}/c").json() == {"c": "d"}
    error_of(admin.put(f"{specs}/c", json={"e": "f"}), 400, "badRequest")
    assert_schema(schema_at("2.1", "flavors_extra_specs", "unset_flavor_extra_specs"),
                  admin.delete(f"{specs}/c"))
    assert error_of(nova.get(f"{specs}/c"), 404, "itemNotFound") == \
        f"Flavor {flavor_id} has no extra specs with key c."
    # 2.61 shows the specs in the flavor itself.
    shown = assert_schema(schema_at("2.61", "flavors", "create_update_get_flavor_details"),
                          nova.get(f"flavors/{flavor_id}", **at("2.61")))
    assert shown["flavor"]["extra_specs"] == {"hw:cpu_policy": "shared", "a": "b"}


def test_flavor_description_is_set_from_2_55(mimic):
    admin = admin_nova_for(mimic)
    made = admin.post("flavors", **at("2.55"),
                      json={"flavor": {**FLAVOR, "description": "for ops"}}).json()["flavor"]
    assert made["description"] == "for ops"
    error_of(admin.put(f"flavors/{made['id']}", **at("2.54"),
                       json={"flavor": {"description": "x"}}), 404, "itemNotFound")
    updated = assert_schema(schema_at("2.55", "flavors", "create_update_get_flavor_details"),
                            admin.put(f"flavors/{made['id']}", **at("2.55"),
                                      json={"flavor": {"description": "changed"}}))
    assert updated["flavor"]["description"] == "changed"
    assert "description" not in admin.get(f"flavors/{made['id']}").json()["flavor"]


# hypervisors and services

def test_hypervisors_count_the_servers_on_them_at_2_1(mimic, nova):
    admin = admin_nova_for(mimic)
    nova.create_id()
    listed = assert_schema(schema_at("2.1", "hypervisors", "list_search_hypervisors"),
                           admin.get("os-hypervisors"))["hypervisors"]
    assert len(listed) == 2 and all(isinstance(h["id"], int) for h in listed)
    detail = assert_schema(schema_at("2.1", "hypervisors", "list_hypervisors_detail"),
                           admin.get("os-hypervisors/detail"))["hypervisors"]
    assert sum(h["running_vms"] for h in detail) == 1
    assert sum(h["memory_mb_used"] for h in detail) == 512
    shown = assert_schema(schema_at("2.1", "hypervisors", "get_hypervisor"),
                          admin.get(f"os-hypervisors/{listed[0]['id']}"))["hypervisor"]
    assert shown["hypervisor_hostname"] == listed[0]["hypervisor_hostname"]
    statistics = assert_schema(schema_at("2.1", "hypervisors", "get_hypervisor_statistics"),
                               admin.get("os-hypervisors/statistics"))
    assert statistics["hypervisor_statistics"]["count"] == 2
    assert statistics["hypervisor_statistics"]["running_vms"] == 1
    name = listed[0]["hypervisor_hostname"]
    assert_schema(schema_at("2.1", "hypervisors", "get_hypervisors_servers"),
                  admin.get(f"os-hypervisors/{name}/servers"))


def test_hypervisors_have_uuids_and_servers_from_2_53(mimic, nova):
    admin = admin_nova_for(mimic)
    server_id = nova.create_id()
    detail = assert_schema(schema_at("2.53", "hypervisors", "list_hypervisors_detail"),
                           admin.get("os-hypervisors/detail", **at("2.53"),
                                     params={"with_servers": "true"}))["hypervisors"]
    assert [s["uuid"] for h in detail for s in h.get("servers", [])] == [server_id]
    uuid = detail[0]["id"]
    assert_schema(schema_at("2.53", "hypervisors", "get_hypervisor"),
                  admin.get(f"os-hypervisors/{uuid}", **at("2.53")))
    error_of(admin.get("os-hypervisors/1", **at("2.53")), 400, "badRequest")
    error_of(admin.get(f"os-hypervisors/{uuid}", **at("2.52")), 404, "itemNotFound")
    error_of(admin.get("os-hypervisors/compute/search", **at("2.53")), 404, "itemNotFound")
    pattern = admin.get("os-hypervisors", **at("2.53"),
                        params={"hypervisor_hostname_pattern": "-1"}).json()["hypervisors"]
    assert len(pattern) == 1
    error_of(admin.get("os-hypervisors", **at("2.53"),
                       params={"hypervisor_hostname_pattern": "nothing-like-it"}),
             404, "itemNotFound")
    # 2.88 drops the usage fields and the statistics, and adds uptime.
    newest = admin.get(f"os-hypervisors/{uuid}", **at("2.88")).json()["hypervisor"]
    assert "uptime" in newest and "vcpus" not in newest
    error_of(admin.get("os-hypervisors/statistics", **at("2.88")), 404, "itemNotFound")


def test_a_disabled_compute_service_takes_no_new_servers(mimic, nova):
    admin = admin_nova_for(mimic)
    services = assert_schema(schema_at("2.11", "services", "list_services"),
                             admin.get("os-services", **at("2.11")))["services"]
    computes = [s for s in services if s["binary"] == "nova-compute"]
    assert len(computes) == 2 and {s["zone"] for s in computes} == {"nova"}
    host = computes[0]["host"]
    disabled = assert_schema(schema_at("2.1", "services", "disable_log_reason"),
                             admin.put("os-services/disable-log-reason", json={
                                 "host": host, "binary": "nova-compute",
                                 "disabled_reason": "maintenance"}))
    assert disabled["service"]["disabled_reason"] == "maintenance"
    for number in range(4):
        server_id = nova.create_id(f"web-{number}")
        server = admin.get(f"servers/{server_id}").json()["server"]
        assert server["OS-EXT-SRV-ATTR:host"] != host
    # 2.53 names services by UUID, and 2.1 ids are refused then.
    listed = admin.get("os-services", **at("2.53")).json()["services"]
    compute = next(s for s in listed if s["binary"] == "nova-compute" and s["host"] == host)
    enabled = assert_schema(schema_at("2.53", "services", "update_service"),
                            admin.put(f"os-services/{compute['id']}", **at("2.53"),
                                      json={"status": "enabled"}))
    assert enabled["service"]["status"] == "enabled"
    assert enabled["service"]["disabled_reason"] is None
    error_of(admin.put("os-services/1", **at("2.53"), json={"status": "enabled"}),
             400, "badRequest")
    scheduler = next(s for s in listed if s["binary"] == "nova-scheduler")
    error_of(admin.put(f"os-services/{scheduler['id']}", **at("2.53"),
                       json={"status": "disabled"}), 400, "badRequest")


def test_a_compute_service_hosting_servers_is_not_deleted(mimic, nova):
    admin = admin_nova_for(mimic)
    server_id = nova.create_id()
    host = admin.get(f"servers/{server_id}").json()["server"]["OS-EXT-SRV-ATTR:host"]
    services = admin.get("os-services", **at("2.53")).json()["services"]
    busy = next(s for s in services if s["binary"] == "nova-compute" and s["host"] == host)
    idle = next(s for s in services if s["binary"] == "nova-compute" and s["host"] != host)
    error_of(admin.delete(f"os-services/{busy['id']}", **at("2.53")), 409, "conflictingRequest")
    assert admin.delete(f"os-services/{idle['id']}", **at("2.53")).status_code == 204
    left = admin.get("os-hypervisors", **at("2.53")).json()["hypervisors"]
    assert [h["hypervisor_hostname"] for h in left] == [host]


def test_members_get_403_from_the_operator_views(nova):
    forbidden(nova.get("os-hypervisors"), "os_compute_api:os-hypervisors:list")
    forbidden(nova.get("os-hypervisors/detail"), "os_compute_api:os-hypervisors:list-detail")
    forbidden(nova.get("os-services"), "os_compute_api:os-services:list")
    forbidden(nova.get("os-aggregates"), "os_compute_api:os-aggregates:index")
    forbidden(nova.post("os-aggregates", json={"aggregate": {"name": "a"}}),
              "os_compute_api:os-aggregates:create")
    forbidden(nova.get("os-migrations"), "os_compute_api:os-migrations:index")
    forbidden(nova.get("os-simple-tenant-usage"), "os_compute_api:os-simple-tenant-usage:list")


# aggregates

def test_an_aggregate_with_a_zone_places_servers_asking_for_it(mimic, nova):
    admin = admin_nova_for(mimic)
    made = assert_schema(schema_at("2.41", "aggregates", "create_aggregate"),
                         admin.post("os-aggregates", **at("2.41"), json={"aggregate": {
                             "name": "rack-a", "availability_zone": "zone-a"}}))["aggregate"]
    error_of(admin.post("os-aggregates", json={"aggregate": {"name": "rack-a"}}),
             409, "conflictingRequest")
    host = admin.get("os-hypervisors").json()["hypervisors"][1]["hypervisor_hostname"]
    path = f"os-aggregates/{made['id']}/action"
    error_of(admin.post(path, json={"add_host": {"host": "nowhere"}}), 404, "itemNotFound")
    added = assert_schema(schema_at("2.1", "aggregates", "aggregate_add_remove_host"),
                          admin.post(path, json={"add_host": {"host": host}}))["aggregate"]
    assert added["hosts"] == [host] and added["availability_zone"] == "zone-a"
    zones = {z["zoneName"] for z in nova.get("os-availability-zone")
             .json()["availabilityZoneInfo"]}
    assert zones == {"nova", "zone-a"}
    server_id = nova.create_id(availability_zone="zone-a")
    server = admin.get(f"servers/{server_id}").json()["server"]
    assert server["OS-EXT-SRV-ATTR:host"] == host
    assert server["OS-EXT-AZ:availability_zone"] == "zone-a"

    meta = assert_schema(schema_at("2.1", "aggregates", "aggregate_set_metadata"),
                         admin.post(path, json={"set_metadata": {"metadata": {
                             "ssd": "true"}}}))["aggregate"]
    assert meta["metadata"] == {"availability_zone": "zone-a", "ssd": "true"}
    assert_schema(schema_at("2.41", "aggregates", "get_aggregate"),
                  admin.get(f"os-aggregates/{made['id']}", **at("2.41")))
    # Nova refuses to delete an aggregate that still holds hosts.
    error_of(admin.delete(f"os-aggregates/{made['id']}"), 400, "badRequest")
    admin.post(path, json={"remove_host": {"host": host}})
    error_of(admin.post(path, json={"remove_host": {"host": host}}), 404, "itemNotFound")
    renamed = assert_schema(schema_at("2.1", "aggregates", "update_aggregate"),
                            admin.put(f"os-aggregates/{made['id']}",
                                      json={"aggregate": {"name": "rack-b"}}))
    assert renamed["aggregate"]["name"] == "rack-b"
    assert_schema(schema_at("2.1", "aggregates", "delete_aggregate"),
                  admin.delete(f"os-aggregates/{made['id']}"))
    assert admin.get("os-aggregates").json() == {"aggregates": []}
    error_of(admin.get("os-aggregates/x"), 400, "badRequest")


# snapshots

def test_operator_state_comes_back_whole_in_a_fresh_process(mimic, mimic_factory, nova):
    admin = admin_nova_for(mimic)
    flavor_id = admin.post("flavors", json={"flavor": {
        **FLAVOR, "os-flavor-access:is_public": False}}).json()["flavor"]["id"]
    admin.post(f"flavors/{flavor_id}/action", json={"addTenantAccess": {"tenant": TENANT}})
    admin.post(f"flavors/{flavor_id}/os-extra_specs", json={"extra_specs": {"a": "b"}})
    aggregate = admin.post("os-aggregates", json={"aggregate": {
        "name": "rack", "availability_zone": "zone-a"}}).json()["aggregate"]
    host = admin.get("os-hypervisors").json()["hypervisors"][0]["hypervisor_hostname"]
    admin.post(f"os-aggregates/{aggregate['id']}/action", json={"add_host": {"host": host}})
    admin.put(f"os-quota-sets/{TENANT}", json={"quota_set": {"instances": 7}})
    admin.put("os-services/disable-log-reason", json={
        "host": host, "binary": "nova-compute", "disabled_reason": "snapshot"})
    resized = nova.create_id("resized")
    nova.action(resized, {"resize": {"flavorRef": "3"}})
    nova.delete(f"servers/{nova.create_id('gone')}")
    paths = [f"flavors/{flavor_id}", f"flavors/{flavor_id}/os-extra_specs",
             f"flavors/{flavor_id}/os-flavor-access", "os-aggregates", "os-services",
             f"os-quota-sets/{TENANT}", "os-migrations", "os-hypervisors/detail",
             "servers/detail?deleted=True", "os-availability-zone"]
    host_header = {"Host": mimic.base_url.split("//", 1)[1], "X-Auth-Token": admin.token}
    base = admin.url.split("/mimicking", 1)[1]

    def answers(client):
        return {p: client.get(f"/mimicking{base}/{p}", headers=host_header).json()
                for p in paths}

    before = answers(mimic)
    document = mimic.get("/mimic/v1.1/state").json()
    fresh = mimic_factory().client()
    assert fresh.put("/mimic/v1.1/state", json=document).status_code == 200
    assert answers(fresh) == before


def test_os_hosts_lists_services_by_host_until_2_42(mimic, nova):
    admin = admin_nova_for(mimic)
    nova.create_id()
    hosts = assert_schema(schema_at("2.1", "hosts", "list_hosts"),
                          admin.get("os-hosts"))["hosts"]
    computes = [h["host_name"] for h in hosts if h["service"] == "compute"]
    assert len(computes) == 2 and {h["zone"] for h in hosts} == {"internal", "nova"}
    used = [assert_schema(schema_at("2.1", "hosts", "get_host_detail"),
                          admin.get(f"os-hosts/{host}"))["host"] for host in computes]
    assert sum(rows[1]["resource"]["memory_mb"] for rows in used) == 512
    error_of(admin.get("os-hosts/nowhere"), 404, "itemNotFound")
    error_of(admin.get("os-hosts", **at("2.43")), 404, "itemNotFound")
    forbidden(nova.get("os-hosts"), "os_compute_api:os-hosts:list")
