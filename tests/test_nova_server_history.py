"""
A server's history and its hypervisor's view of it, over HTTP, checked
against tempest.lib's schemas at each microversion boundary: instance
actions (``servers/<id>/os-instance-actions``), the console log, remote
consoles, diagnostics, availability zone details and extensions.

Nova's rules relied on (github:openstack/nova,
nova/api/openstack/compute/instance_actions.py, console_output.py,
remote_consoles.py, server_diagnostics.py, availability_zone.py; the
api-ref's REST API Version History): 2.21 shows a deleted server's actions;
2.51 shows the events to the owner; 2.58 adds ``updated_at`` and paging;
2.62 the events' ``hostId``; 2.84 ``details`` (admins); remote-consoles
begin at 2.6 and the ``os-getVNCConsole`` action ends at 2.5; diagnostics
take their standard shape at 2.48; diagnostics and zone details are
admin-only by Nova's default policy.
"""

from __future__ import annotations

from tests.nova_schemas import assert_schema, availability_zone, schema_at, servers
from tests.nova_support import (  # noqa: F401
    TENANT, UBUNTU, Nova, admin_nova_for, error_of, microversion, nova)
from tempest.lib.api_schema.response.compute.v2_1 import extensions


def at(version):
    return {"headers": microversion(version)}


def test_each_action_is_recorded_newest_first_with_its_request_id(nova):
    server_id = nova.create_id()
    stop = nova.action(server_id, {"os-stop": None})
    assert stop.status_code == 202
    request_id = stop.headers["x-openstack-request-id"]
    assert request_id.startswith("req-")
    listed = assert_schema(servers.list_instance_actions,
                           nova.get(f"servers/{server_id}/os-instance-actions"))
    actions = listed["instanceActions"]
    assert [a["action"] for a in actions] == ["stop", "create"]
    assert actions[0]["request_id"] == request_id
    assert actions[0]["project_id"] == TENANT
    shown = assert_schema(servers.show_instance_action, nova.get(
        f"servers/{server_id}/os-instance-actions/{request_id}"))["instanceAction"]
    # Before 2.51 only admins see the events.
    assert "events" not in shown
    shown = assert_schema(schema_at("2.51", "servers", "show_instance_action"), nova.get(
        f"servers/{server_id}/os-instance-actions/{request_id}", **at("2.51")))
    assert shown["instanceAction"]["events"][0]["event"] == "compute_stop_instance"
    assert shown["instanceAction"]["events"][0]["result"] == "Success"
    error_of(nova.get(f"servers/{server_id}/os-instance-actions/req-nope"),
             404, "itemNotFound")


def test_a_refused_action_records_nothing(nova):
    server_id = nova.create_id()
    assert nova.action(server_id, {"os-start": None}).status_code == 409
    actions = nova.get(f"servers/{server_id}/os-instance-actions").json()["instanceActions"]
    assert [a["action"] for a in actions] == ["create"]


def test_2_21_a_deleted_servers_actions_are_still_served(nova):
    server_id = nova.create_id()
    assert nova.delete(f"servers/{server_id}").status_code == 204
    error_of(nova.get(f"servers/{server_id}/os-instance-actions", **at("2.20")),
             404, "itemNotFound")
    listed = nova.get(f"servers/{server_id}/os-instance-actions", **at("2.21")).json()
    assert [a["action"] for a in listed["instanceActions"]] == ["delete", "create"]


def test_2_58_updated_at_and_paging_of_actions(nova):
    server_id = nova.create_id()
    for action in ("pause", "unpause", "lock"):
        assert nova.action(server_id, {action: None}).status_code == 202
    path = f"servers/{server_id}/os-instance-actions"
    before = nova.get(path + "?limit=1", **at("2.57")).json()
    assert "updated_at" not in before["instanceActions"][0]
    assert len(before["instanceActions"]) == 4  # paging begins at 2.58
    page = assert_schema(schema_at("2.58", "servers", "list_instance_actions"),
                         nova.get(path + "?limit=2", **at("2.58")))
    assert [a["action"] for a in page["instanceActions"]] == ["lock", "unpause"]
    marker = page["instanceActions"][-1]["request_id"]
    assert page["links"][0]["rel"] == "next"
    rest = nova.get(path + f"?marker={marker}", **at("2.58")).json()
    assert [a["action"] for a in rest["instanceActions"]] == ["pause", "create"]
    error_of(nova.get(path + "?marker=req-unknown", **at("2.58")), 404, "itemNotFound")


def test_2_62_and_2_84_event_fields(nova, mimic):
    server_id = nova.create_id()
    create_id = nova.get(f"servers/{server_id}/os-instance-actions").json()[
        "instanceActions"][0]["request_id"]
    path = f"servers/{server_id}/os-instance-actions/{create_id}"
    event = nova.get(path, **at("2.61")).json()["instanceAction"]["events"][0]
    assert "hostId" not in event
    shown = assert_schema(schema_at("2.62", "servers", "show_instance_action"),
                          nova.get(path, **at("2.62")))
    event = shown["instanceAction"]["events"][0]
    assert event["hostId"] == nova.server(server_id)["hostId"]
    assert "host" not in event
    admin = admin_nova_for(mimic)
    event = assert_schema(schema_at("2.84", "servers", "show_instance_action"),
                          admin.get(path, **at("2.84")))["instanceAction"]["events"][0]
    assert event["host"] and "details" in event
    assert "details" not in admin.get(path, **at("2.83")).json()[
        "instanceAction"]["events"][0]


def test_console_output_grows_on_the_clock_and_honours_length(nova, mimic):
    server_id = nova.create_id()
    early = assert_schema(servers.get_console_output,
                          nova.action(server_id, {"os-getConsoleOutput": {}}))["output"]
    mimic.tick(60)
    later = nova.action(server_id, {"os-getConsoleOutput": {"length": None}}).json()["output"]
    assert later.startswith(early) and len(later) > len(early)
    assert later.rstrip().endswith("web login:")
    last_two = nova.action(server_id, {"os-getConsoleOutput": {"length": "2"}}).json()
    assert last_two["output"].splitlines() == later.splitlines()[-2:]
    everything = nova.action(server_id, {"os-getConsoleOutput": {"length": -1}}).json()
    assert everything["output"] == later
    error_of(nova.action(server_id, {"os-getConsoleOutput": {"length": "x"}}),
             400, "badRequest")
    error_of(nova.action(server_id, {"os-getConsoleOutput": {"length": -2}}),
             400, "badRequest")


def test_console_output_of_a_building_server_is_a_409(nova):
    server_id = nova.create_id(metadata={"server_building": "30"})
    error_of(nova.action(server_id, {"os-getConsoleOutput": {}}), 409, "conflictingRequest")


def test_2_6_remote_consoles_replace_the_console_actions(nova):
    server_id = nova.create_id()
    legacy = assert_schema(servers.get_vnc_console, nova.action(
        server_id, {"os-getVNCConsole": {"type": "novnc"}}))
    assert legacy["console"]["type"] == "novnc"
    body = {"remote_console": {"protocol": "vnc", "type": "novnc"}}
    error_of(nova.post(f"servers/{server_id}/remote-consoles", json=body, **at("2.5")),
             404, "itemNotFound")
    made = assert_schema(schema_at("2.6", "servers", "get_remote_consoles"), nova.post(
        f"servers/{server_id}/remote-consoles", json=body, **at("2.6")))
    assert made["remote_console"]["url"].startswith("http://")
    error_of(nova.post(f"servers/{server_id}/action",
                       json={"os-getVNCConsole": {"type": "novnc"}}, **at("2.6")),
             404, "itemNotFound")
    error_of(nova.post(f"servers/{server_id}/remote-consoles", json={
        "remote_console": {"protocol": "vnc", "type": "spice-html5"}}, **at("2.6")),
        400, "badRequest")
    # webmks is 2.8's.
    mks = {"remote_console": {"protocol": "mks", "type": "webmks"}}
    error_of(nova.post(f"servers/{server_id}/remote-consoles", json=mks, **at("2.7")),
             400, "badRequest")
    assert nova.post(f"servers/{server_id}/remote-consoles", json=mks,
                     **at("2.8")).status_code == 200


def test_2_48_diagnostics_take_the_standard_shape_for_admins(nova, mimic):
    server_id = nova.create_id()
    error_of(nova.get(f"servers/{server_id}/diagnostics"), 403, "forbidden")
    admin = admin_nova_for(mimic)
    legacy = assert_schema(servers.show_server_diagnostics,
                           admin.get(f"servers/{server_id}/diagnostics", **at("2.47")))
    assert "memory" in legacy and "state" not in legacy
    standard = assert_schema(schema_at("2.48", "servers", "show_server_diagnostics"),
                             admin.get(f"servers/{server_id}/diagnostics", **at("2.48")))
    assert standard["state"] == "running"
    assert standard["num_nics"] == len(nova.get(
        f"servers/{server_id}/os-interface").json()["interfaceAttachments"])


def test_availability_zone_detail_is_for_admins(nova, mimic):
    error_of(nova.get("os-availability-zone/detail"), 403, "forbidden")
    detail = assert_schema(availability_zone.list_availability_zone_list_detail,
                           admin_nova_for(mimic).get("os-availability-zone/detail"))
    zones = {z["zoneName"]: z for z in detail["availabilityZoneInfo"]}
    assert set(zones) == {"internal", "nova"}
    # Two compute hosts in every region, so a cold migration has somewhere to go.
    assert [list(services) for services in zones["nova"]["hosts"].values()] == [
        ["nova-compute"], ["nova-compute"]]


def test_extensions_list_and_show(nova):
    listed = assert_schema(extensions.list_extensions, nova.get("extensions"))
    aliases = {e["alias"] for e in listed["extensions"]}
    assert "os-instance-actions" in aliases
    assert nova.get("extensions/os-keypairs").json()["extension"]["name"] == "Keypairs"
    error_of(nova.get("extensions/os-nothing"), 404, "itemNotFound")


def test_openstacksdk_reads_actions_console_and_zones(mimic):
    import openstack

    conn = openstack.connect(auth_url=f"{mimic.base_url}/identity/v2.0",
                             username="sdk-user", password="secret", project_id=TENANT,
                             region_name="ORD", identity_api_version="2")
    try:
        server = conn.compute.create_server(name="sdk", image_id=UBUNTU, flavor_id="2",
                                            networks="auto")
        conn.compute.stop_server(server)
        actions = list(conn.compute.server_actions(server))
        assert [a.action for a in actions] == ["stop", "create"]
        one = conn.compute.get_server_action(actions[0].request_id, server)
        assert one.events[0]["event"] == "compute_stop_instance"
        mimic.tick(60)
        output = conn.compute.get_server_console_output(server, length=1)
        assert output["output"] == "sdk login: \n"
        console = conn.compute.create_server_remote_console(server, protocol="vnc",
                                                            type="novnc")
        assert console.url.startswith("http://")
        assert [z.name for z in conn.compute.availability_zones()] == ["nova"]
    finally:
        conn.close()


def test_the_create_action_shows_the_create_requests_id_user_and_time(nova):
    created = nova.post("servers", json={"server": {
        "name": "made", "imageRef": UBUNTU, "flavorRef": "2"}})
    assert created.status_code == 202
    server_id = created.json()["server"]["id"]
    server = nova.get(f"servers/{server_id}").json()["server"]
    (action,) = nova.get(f"servers/{server_id}/os-instance-actions").json()["instanceActions"]
    assert action["action"] == "create"
    assert action["request_id"] == created.headers["x-openstack-request-id"]
    assert (action["user_id"], action["project_id"]) == (server["user_id"], TENANT)
    assert action["start_time"].rstrip("Z")[:19] == server["created"].rstrip("Z")[:19]


# 2.78: the server's NUMA topology (nova/api/openstack/compute/server_topology.py:
# an instance without a NUMA topology answers no nodes; host_node and
# cpu_pinning only for the host policy, admins by default).

def test_2_78_topology_is_empty_for_a_flavor_without_numa(nova):
    server_id = nova.create_id()
    error_of(nova.get(f"servers/{server_id}/topology", **at("2.77")), 404, "itemNotFound")
    answer = nova.get(f"servers/{server_id}/topology", **at("2.78"))
    assert answer.status_code == 200
    assert answer.json() == {"nodes": [], "pagesize_kb": None}
    error_of(nova.get("servers/nope/topology", **at("2.78")), 404, "itemNotFound")


def test_2_78_topology_shows_the_cells_a_flavor_asks_for(nova, mimic):
    admin = admin_nova_for(mimic)
    flavor = admin.post("flavors", json={"flavor": {
        "name": "numa", "ram": 2048, "vcpus": 4, "disk": 10}}).json()["flavor"]["id"]
    assert admin.post(f"flavors/{flavor}/os-extra_specs", json={"extra_specs": {
        "hw:numa_nodes": "2", "hw:cpu_policy": "dedicated",
        "hw:mem_page_size": "large"}}).status_code == 200
    server = nova.post("servers", json={"server": {
        "name": "numa", "imageRef": UBUNTU, "flavorRef": flavor}}).json()["server"]["id"]
    owner = nova.get(f"servers/{server}/topology", **at("2.78")).json()
    assert owner == {"pagesize_kb": 2048, "nodes": [
        {"vcpu_set": [0, 1], "siblings": [], "memory_mb": 1024},
        {"vcpu_set": [2, 3], "siblings": [], "memory_mb": 1024}]}
    nodes = admin.get(f"servers/{server}/topology", **at("2.78")).json()["nodes"]
    assert [(n["host_node"], sorted(n["cpu_pinning"])) for n in nodes] == [
        (0, ["0", "1"]), (1, ["2", "3"])]
