"""
Nova's quotas (read, changed by admins, enforced on server create with
Nova's 403 words), usage reports computed from servers' lifetimes on
Mimic's clock, the migrations resizes and cold migrations leave, and the
listings only admins get (``all_tenants``, ``deleted=True``), checked
against tempest.lib's schemas where it has them.
"""

from __future__ import annotations

from tests.nova_schemas import assert_schema, schema_at
from tests.nova_support import (  # noqa: F401
    TENANT, admin_nova_for, error_of, microversion, nova, nova_for)


def at(version: str) -> dict:
    return {"headers": microversion(version)}


# quotas

def test_quota_sets_show_update_detail_and_revert_at_each_boundary(mimic, nova):
    admin = admin_nova_for(mimic)
    shown = assert_schema(schema_at("2.1", "quotas", "get_quota_set"),
                          nova.get(f"os-quota-sets/{TENANT}"))["quota_set"]
    assert shown["id"] == TENANT and shown["key_pairs"] == 100 and "floating_ips" in shown
    at_2_36 = assert_schema(schema_at("2.36", "quotas", "get_quota_set"),
                            nova.get(f"os-quota-sets/{TENANT}", **at("2.36")))["quota_set"]
    assert "floating_ips" not in at_2_36 and "injected_files" in at_2_36
    at_2_57 = assert_schema(schema_at("2.57", "quotas", "get_quota_set"),
                            nova.get(f"os-quota-sets/{TENANT}", **at("2.57")))["quota_set"]
    assert "injected_files" not in at_2_57

    updated = assert_schema(schema_at("2.1", "quotas", "update_quota_set"),
                            admin.put(f"os-quota-sets/{TENANT}", json={
                                "quota_set": {"key_pairs": 123, "cores": "8"}}))["quota_set"]
    assert updated["key_pairs"] == 123 and updated["cores"] == 8 and "id" not in updated
    defaults = nova.get(f"os-quota-sets/{TENANT}/defaults").json()["quota_set"]
    assert defaults["key_pairs"] == 100
    nova.create_id()
    detail = assert_schema(schema_at("2.1", "quotas", "get_quota_set_details"),
                           nova.get(f"os-quota-sets/{TENANT}/detail"))["quota_set"]
    assert detail["instances"]["in_use"] == 1 and detail["cores"] == {
        "in_use": 1, "limit": 8, "reserved": 0}
    assert nova.get("limits").json()["limits"]["absolute"]["maxTotalCores"] == 8
    # Nova refuses quotas of 2.57 it no longer has.
    error_of(admin.put(f"os-quota-sets/{TENANT}", **at("2.57"),
                       json={"quota_set": {"injected_files": 3}}), 400, "badRequest")
    assert_schema(schema_at("2.1", "quotas", "delete_quota"),
                  admin.delete(f"os-quota-sets/{TENANT}"))
    assert nova.get(f"os-quota-sets/{TENANT}").json()["quota_set"]["key_pairs"] == 100


def test_members_read_their_own_quotas_only_and_change_none(nova):
    assert error_of(nova.get("os-quota-sets/another-project"), 403, "forbidden") == \
        "Policy doesn't allow os_compute_api:os-quota-sets:show to be performed."
    error_of(nova.put(f"os-quota-sets/{TENANT}", json={"quota_set": {"instances": 1}}),
             403, "forbidden")
    error_of(nova.delete(f"os-quota-sets/{TENANT}"), 403, "forbidden")
    assert nova.get(f"os-quota-sets/{TENANT}/defaults").status_code == 200
    assert nova.get(f"os-quota-sets/{TENANT}").json()["quota_set"]["instances"] == -1


def test_server_create_is_held_to_instance_core_and_ram_quotas(mimic, nova):
    # nova/compute/utils.py check_num_instances_quota and its TooManyInstances
    # words; servers.py answers them with 403.
    admin = admin_nova_for(mimic)
    admin.put(f"os-quota-sets/{TENANT}", json={"quota_set": {"instances": 2}})
    nova.create_id("one")
    nova.create_id("two")
    message = error_of(nova.post("servers", json={"server": {
        "name": "three", "imageRef": "a1b2c3d4-0001-4e6f-8a9b-0c1d2e3f4a01",
        "flavorRef": "2"}}), 403, "forbidden")
    assert message == ("Quota exceeded for instances: Requested 1, but already used 2 "
                       "of 2 instances")
    admin.put(f"os-quota-sets/{TENANT}", json={"quota_set": {"instances": 10, "cores": 3,
                                                             "ram": 4096}})
    # min_count 1 of max_count 5 makes as many as fit: one more core is left.
    made = nova.create(min_count=1, max_count=5, return_reservation_id=True)
    assert len(nova.get("servers", params={"reservation_id": made["reservation_id"]})
               .json()["servers"]) == 1
    message = error_of(nova.post("servers", json={"server": {
        "name": "big", "imageRef": "a1b2c3d4-0001-4e6f-8a9b-0c1d2e3f4a01",
        "flavorRef": "4"}}), 403, "forbidden")
    assert message == ("Quota exceeded for cores: Requested 2, but already used 3 of 3 "
                       "cores")
    # Below what is used needs force.
    error_of(admin.put(f"os-quota-sets/{TENANT}", json={"quota_set": {"cores": 1}}),
             400, "badRequest")
    forced = admin.put(f"os-quota-sets/{TENANT}",
                       json={"quota_set": {"cores": 1, "force": True}}).json()["quota_set"]
    assert forced["cores"] == 1
    assert len(nova.get("servers").json()["servers"]) == 3


# usage

def test_usage_reports_the_hours_servers_lived_on_the_clock(mimic, nova):
    admin = admin_nova_for(mimic)
    gone = nova.create_id("gone")
    mimic.tick(3600)
    nova.delete(f"servers/{gone}")
    kept = nova.create_id("kept")
    mimic.tick(7200)
    window = {"start": "1970-01-01T00:00:00", "end": "2100-01-01T00:00:00"}
    listed = assert_schema(schema_at("2.1", "tenant_usages", "list_tenant_usage"),
                           admin.get("os-simple-tenant-usage",
                                     params={**window, "detailed": "1"}))["tenant_usages"]
    usage = next(u for u in listed if u["tenant_id"] == TENANT)
    hours = {s["name"]: (s["hours"], s["state"]) for s in usage["server_usages"]}
    assert hours == {"gone": (1.0, "terminated"), "kept": (2.0, "active")}
    assert usage["total_hours"] == 3.0 and usage["total_memory_mb_usage"] == 3 * 512
    own = assert_schema(schema_at("2.1", "tenant_usages", "get_tenant_usage"),
                        nova.get(f"os-simple-tenant-usage/{TENANT}", params=window))
    assert {s["instance_id"] for s in own["tenant_usage"]["server_usages"]} == {gone, kept}
    error_of(nova.get("os-simple-tenant-usage/elsewhere", params=window), 403, "forbidden")
    error_of(admin.get("os-simple-tenant-usage", params={"start": "2100-01-01T00:00:00",
                                                        "end": "1970-01-01T00:00:00"}),
             400, "badRequest")
    error_of(admin.get("os-simple-tenant-usage", params={"start": "yesterday"}),
             400, "badRequest")


# migrations

def test_resize_and_cold_migration_are_listed_in_os_migrations(mimic, nova):
    admin = admin_nova_for(mimic)
    resized = nova.create_id("resized")
    nova.action(resized, {"resize": {"flavorRef": "3"}})
    first = assert_schema(schema_at("2.1", "migrations", "list_migrations"),
                          admin.get("os-migrations"))["migrations"]
    assert [(m["instance_uuid"], m["status"]) for m in first] == [(resized, "migrating")]
    mimic.tick(10)
    assert admin.get("os-migrations").json()["migrations"][0]["status"] == "finished"
    nova.action(resized, {"confirmResize": None})

    moved = nova.create_id("moved")
    source = admin.get(f"servers/{moved}").json()["server"]["OS-EXT-SRV-ATTR:host"]
    error_of(nova.action(moved, {"migrate": None}), 403, "forbidden")
    assert admin.action(moved, {"migrate": None}).status_code == 202
    assert admin.get(f"servers/{moved}").json()["server"]["status"] == "RESIZE"
    listed = assert_schema(schema_at("2.80", "migrations", "list_migrations"),
                           admin.get("os-migrations", **at("2.80")))["migrations"]
    assert [(m["migration_type"], m["status"], m["project_id"]) for m in listed] == [
        ("migration", "migrating", TENANT), ("resize", "confirmed", TENANT)]
    assert listed[0]["source_compute"] == source != listed[0]["dest_compute"]
    mimic.tick(10)
    nova.action(moved, {"revertResize": None})
    assert admin.get(f"servers/{moved}").json()["server"]["OS-EXT-SRV-ATTR:host"] == source
    only = admin.get("os-migrations", params={"migration_type": "resize"}).json()["migrations"]
    assert [m["instance_uuid"] for m in only] == [resized]
    page = admin.get("os-migrations", **at("2.59"), params={"limit": 1}).json()
    assert len(page["migrations"]) == 1 and page["migrations_links"]


# listings only admins get

def test_all_tenants_lists_other_projects_servers_for_admins_only(mimic, nova):
    other = nova_for(mimic, "990002")
    mine = nova.create_id("mine")
    theirs = other.create_id("theirs")
    assert error_of(nova.get("servers", params={"all_tenants": "1"}), 403, "forbidden") == \
        "Policy doesn't allow os_compute_api:servers:index:get_all_tenants to be performed."
    admin = admin_nova_for(mimic)
    listed = admin.get("servers/detail", params={"all_tenants": "1"}).json()["servers"]
    assert {(s["id"], s["tenant_id"]) for s in listed} == {(mine, TENANT), (theirs, "990002")}
    narrowed = admin.get("servers", params={"all_tenants": "", "project_id": "990002"})
    assert [s["id"] for s in narrowed.json()["servers"]] == [theirs]
    # Without all_tenants a tenant_id filter is ignored (lp:#1185290).
    assert [s["id"] for s in admin.get("servers", params={"tenant_id": "990002"})
            .json()["servers"]] == [mine]
    error_of(admin.get("servers", params={"all_tenants": "maybe"}), 400, "badRequest")
    # An admin acts on any project's server by its id; a member only on its own.
    assert admin.get(f"servers/{theirs}").json()["server"]["tenant_id"] == "990002"
    error_of(nova.get(f"servers/{theirs}"), 404, "itemNotFound")
    assert admin.delete(f"servers/{theirs}").status_code == 204
    assert other.get("servers").json()["servers"] == []


def test_deleted_servers_are_listed_for_admins_and_in_changes_since(mimic, nova):
    admin = admin_nova_for(mimic)
    kept = nova.create_id("kept")
    gone = nova.create_id("gone")
    mimic.tick(5)
    nova.delete(f"servers/{gone}")
    deleted = admin.get("servers/detail", params={"deleted": "True"}).json()["servers"]
    assert [(s["id"], s["status"], s["OS-EXT-STS:vm_state"]) for s in deleted] == [
        (gone, "DELETED", "deleted")]
    assert deleted[0]["OS-SRV-USG:terminated_at"]
    # A member's deleted filter is dropped (servers.py remove_invalid_options).
    assert [s["id"] for s in nova.get("servers", params={"deleted": "True"})
            .json()["servers"]] == [kept]
    # changes-since brings deleted servers along for everyone, as Nova's API says.
    since = nova.get("servers/detail",
                     params={"changes-since": "1970-01-01T00:00:03Z"}).json()["servers"]
    assert [(s["id"], s["status"]) for s in since] == [(gone, "DELETED")]
    error_of(nova.get(f"servers/{gone}"), 404, "itemNotFound")
