"""Servers over HTTP: create, show, list with filters and pages, update, delete, ips, metadata."""

from __future__ import annotations

import re

from tests.nova_support import DEBIAN, UBUNTU, error_of, nova, nova_for  # noqa: F401

DETAIL_FIELDS = {
    "id", "name", "status", "tenant_id", "user_id", "created", "updated", "hostId",
    "image", "flavor", "addresses", "accessIPv4", "accessIPv6", "metadata",
    "key_name", "security_groups", "progress", "OS-DCF:diskConfig",
    "OS-EXT-STS:vm_state", "OS-EXT-STS:task_state", "OS-EXT-STS:power_state",
    "OS-EXT-AZ:availability_zone", "config_drive", "links",
}


def test_create_answers_202_with_id_links_and_admin_pass(nova):
    response = nova.post("servers", json={"server": {
        "name": "web", "imageRef": UBUNTU, "flavorRef": "2"}})
    assert response.status_code == 202
    server = response.json()["server"]
    assert re.fullmatch(r"[0-9a-f-]{36}", server["id"])
    assert server["adminPass"]
    assert server["links"][0] == {"rel": "self",
                                  "href": f"{nova.url}/servers/{server['id']}"}
    assert response.headers["location"] == server["links"][0]["href"]


def test_admin_pass_given_on_create_is_returned(nova):
    assert nova.create(adminPass="s3cret!")["server"]["adminPass"] == "s3cret!"


def test_server_detail_has_every_nova_2_1_field(nova):
    server_id = nova.create_id("web", metadata={"role": "db"})
    server = nova.server(server_id)
    assert DETAIL_FIELDS <= set(server)
    assert server["status"] == "ACTIVE"
    assert server["tenant_id"] == "990001"
    assert server["image"]["id"] == UBUNTU
    assert server["image"]["links"][0]["rel"] == "bookmark"
    assert server["flavor"]["id"] == "2"
    assert server["metadata"] == {"role": "db"}
    assert server["OS-EXT-STS:vm_state"] == "active"
    assert server["OS-EXT-STS:task_state"] is None
    assert server["OS-EXT-STS:power_state"] == 1
    assert server["security_groups"] == [{"name": "default"}]
    assert server["created"] == "1970-01-01T00:00:00Z"
    public = server["addresses"]["public"]
    assert {a["version"] for a in public} == {4, 6}
    assert all(a["OS-EXT-IPS:type"] == "fixed" for a in public)
    assert re.fullmatch(r"fa:16:3e(:[0-9a-f]{2}){3}", public[0]["OS-EXT-IPS-MAC:mac_addr"])
    assert server["addresses"]["private"][0]["version"] == 4


def test_user_id_is_the_authenticated_users(nova, mimic):
    server_id = nova.create_id()
    response = nova.get(f"servers/{server_id}", headers={"X-Auth-Token": nova.token})
    user = mimic.get(f"/identity/v2.0/tokens/{nova.token}").json()["access"]["user"]
    assert response.json()["server"]["user_id"] == user["id"]


def test_times_come_from_mimics_clock(nova, mimic):
    mimic.tick(3600)
    server_id = nova.create_id()
    assert nova.server(server_id)["created"] == "1970-01-01T01:00:00Z"
    mimic.tick(60)
    nova.put(f"servers/{server_id}", json={"server": {"name": "renamed"}})
    server = nova.server(server_id)
    assert server["updated"] == "1970-01-01T01:01:00Z"
    assert server["name"] == "renamed"


def test_addresses_are_unique_across_servers(nova):
    seen = set()
    for index in range(20):
        server = nova.server(nova.create_id(f"s{index}"))
        for entries in server["addresses"].values():
            for entry in entries:
                assert entry["addr"] not in seen
                seen.add(entry["addr"])
    assert len(seen) == 60


def test_list_is_newest_first_with_ids_names_links(nova):
    first = nova.create_id("first")
    second = nova.create_id("second")
    servers = nova.get("servers").json()["servers"]
    assert [s["id"] for s in servers] == [second, first]
    assert set(servers[0]) == {"id", "name", "links"}


def test_deleted_server_disappears(nova):
    server_id = nova.create_id()
    assert nova.delete(f"servers/{server_id}").status_code == 204
    error_of(nova.get(f"servers/{server_id}"), 404, "itemNotFound")
    assert nova.get("servers/detail").json()["servers"] == []
    error_of(nova.delete(f"servers/{server_id}"), 404, "itemNotFound")


def test_unknown_server_is_item_not_found(nova):
    message = error_of(nova.get("servers/nope"), 404, "itemNotFound")
    assert message == "Instance nope could not be found."


def test_tenants_and_regions_are_separate(nova, mimic):
    nova.create_id()
    other = nova_for(mimic, "990002")
    assert other.get("servers").json()["servers"] == []
    dfw = nova_for(mimic, region="DFW")
    assert dfw.get("servers").json()["servers"] == []


def test_filter_by_name_regex(nova):
    nova.create_id("web-1")
    nova.create_id("web-2")
    nova.create_id("db-1")
    names = {s["name"] for s in nova.get("servers/detail", params={"name": "^web"}).json()["servers"]}
    assert names == {"web-1", "web-2"}


def test_filter_by_status(nova, mimic):
    nova.create_id("ready")
    nova.create_id("slow", metadata={"server_building": 30})
    building = nova.get("servers/detail", params={"status": "BUILD"}).json()["servers"]
    assert [s["name"] for s in building] == ["slow"]
    assert nova.get("servers", params={"status": "NOSUCH"}).json()["servers"] == []


def test_filter_by_image_and_flavor(nova):
    nova.create_id("u", imageRef=UBUNTU, flavorRef="2")
    nova.create_id("d", imageRef=DEBIAN, flavorRef="general1-1")
    by_image = nova.get("servers/detail", params={"image": DEBIAN}).json()["servers"]
    assert [s["name"] for s in by_image] == ["d"]
    by_flavor = nova.get("servers", params={"flavor": "2"}).json()["servers"]
    assert [s["name"] for s in by_flavor] == ["u"]


def test_filter_changes_since(nova, mimic):
    old = nova.create_id("old")
    mimic.tick(100)
    nova.create_id("new")
    changed = nova.get("servers/detail", params={"changes-since": "1970-01-01T00:01:00Z"})
    assert [s["name"] for s in changed.json()["servers"]] == ["new"]
    mimic.tick(100)
    nova.put(f"servers/{old}", json={"server": {"name": "old-renamed"}})
    changed = nova.get("servers", params={"changes-since": "1970-01-01T00:03:00Z"})
    assert [s["name"] for s in changed.json()["servers"]] == ["old-renamed"]
    error_of(nova.get("servers", params={"changes-since": "yesterday"}), 400, "badRequest")


def test_paging_with_limit_marker_and_next_link(nova, mimic):
    ids = [nova.create_id(f"s{i}") for i in range(5)]
    newest_first = list(reversed(ids))
    page = nova.get("servers/detail", params={"limit": 2}).json()
    assert [s["id"] for s in page["servers"]] == newest_first[:2]
    next_url = page["servers_links"][0]["href"]
    assert page["servers_links"][0]["rel"] == "next"
    assert f"marker={newest_first[1]}" in next_url
    page = mimic.get(next_url).json()
    assert [s["id"] for s in page["servers"]] == newest_first[2:4]
    page = nova.get("servers", params={"limit": 2, "marker": newest_first[3]}).json()
    assert [s["id"] for s in page["servers"]] == newest_first[4:]
    assert "servers_links" not in page


def test_next_link_keeps_filters_url_encoded(nova, mimic):
    for index in range(3):
        nova.create_id(f"a&b {index}")
    page = nova.get("servers", params={"name": "^a&b", "limit": 2}).json()
    rest = mimic.get(page["servers_links"][0]["href"]).json()
    assert [s["name"] for s in rest["servers"]] == ["a&b 0"]


def test_bad_marker_and_limit_are_bad_requests(nova):
    nova.create_id()
    assert error_of(nova.get("servers", params={"marker": "nope"}), 400,
                    "badRequest") == "marker [nope] not found"
    error_of(nova.get("servers", params={"limit": "ten"}), 400, "badRequest")
    error_of(nova.get("servers/detail", params={"limit": "-1"}), 400, "badRequest")


def test_update_server_name_and_access_ips(nova):
    server_id = nova.create_id()
    response = nova.put(f"servers/{server_id}", json={"server": {
        "name": "new", "accessIPv4": "192.0.2.7", "accessIPv6": "2001:db8::7"}})
    assert response.status_code == 200
    assert response.json()["server"]["name"] == "new"
    assert nova.server(server_id)["accessIPv4"] == "192.0.2.7"


def test_update_with_bad_input_changes_nothing(nova):
    server_id = nova.create_id("keep")
    error_of(nova.put(f"servers/{server_id}", json={"server": {"name": 5}}), 400, "badRequest")
    error_of(nova.put(f"servers/{server_id}", json={"server": {
        "name": "x", "accessIPv4": "not-an-ip"}}), 400, "badRequest")
    error_of(nova.put(f"servers/{server_id}", json={"server": {"color": "red"}}),
             400, "badRequest")
    assert nova.server(server_id)["name"] == "keep"


def test_ips_and_ips_by_network(nova):
    server_id = nova.create_id()
    server = nova.server(server_id)
    addresses = nova.get(f"servers/{server_id}/ips").json()["addresses"]
    assert addresses["private"] == [{"version": 4, "addr": server["addresses"]["private"][0]["addr"]}]
    public = nova.get(f"servers/{server_id}/ips/public").json()
    assert list(public) == ["public"] and len(public["public"]) == 2
    error_of(nova.get(f"servers/{server_id}/ips/nosuch"), 404, "itemNotFound")
    error_of(nova.get("servers/nope/ips"), 404, "itemNotFound")


def test_metadata_get_replace_merge(nova):
    server_id = nova.create_id(metadata={"a": "1", "b": "2"})
    assert nova.get(f"servers/{server_id}/metadata").json() == {"metadata": {"a": "1", "b": "2"}}
    merged = nova.post(f"servers/{server_id}/metadata", json={"metadata": {"b": "3", "c": "4"}})
    assert merged.json() == {"metadata": {"a": "1", "b": "3", "c": "4"}}
    replaced = nova.put(f"servers/{server_id}/metadata", json={"metadata": {"z": "9"}})
    assert replaced.json() == {"metadata": {"z": "9"}}
    assert nova.server(server_id)["metadata"] == {"z": "9"}


def test_metadata_items(nova):
    server_id = nova.create_id(metadata={"a": "1"})
    assert nova.get(f"servers/{server_id}/metadata/a").json() == {"meta": {"a": "1"}}
    put = nova.put(f"servers/{server_id}/metadata/b", json={"meta": {"b": "2"}})
    assert put.status_code == 200 and put.json() == {"meta": {"b": "2"}}
    assert nova.delete(f"servers/{server_id}/metadata/a").status_code == 204
    assert nova.server(server_id)["metadata"] == {"b": "2"}
    error_of(nova.get(f"servers/{server_id}/metadata/a"), 404, "itemNotFound")
    error_of(nova.delete(f"servers/{server_id}/metadata/a"), 404, "itemNotFound")


def test_metadata_item_body_must_match_uri(nova):
    server_id = nova.create_id()
    assert error_of(nova.put(f"servers/{server_id}/metadata/b", json={"meta": {"c": "2"}}),
                    400, "badRequest") == "Request body and URI mismatch"
    assert error_of(nova.put(f"servers/{server_id}/metadata/b",
                             json={"meta": {"b": "2", "c": "3"}}),
                    400, "badRequest") == "Request body contains too many items"
    assert nova.server(server_id)["metadata"] == {}


def test_over_40_metadata_items_is_forbidden_and_changes_nothing(nova):
    too_many = {f"k{i}": "v" for i in range(41)}
    message = error_of(nova.post("servers", json={"server": {
        "name": "x", "imageRef": UBUNTU, "flavorRef": "2", "metadata": too_many}}),
        403, "forbidden")
    assert "40" in message
    assert nova.get("servers").json()["servers"] == []
    server_id = nova.create_id(metadata={f"k{i}": "v" for i in range(40)})
    error_of(nova.post(f"servers/{server_id}/metadata", json={"metadata": {"one": "more"}}),
             403, "forbidden")
    error_of(nova.put(f"servers/{server_id}/metadata/extra", json={"meta": {"extra": "x"}}),
             403, "forbidden")
    assert len(nova.server(server_id)["metadata"]) == 40


def test_create_refuses_bad_bodies_and_creates_nothing(nova):
    bad_bodies = [
        {},
        {"server": "web"},
        {"server": {"imageRef": UBUNTU, "flavorRef": "2"}},
        {"server": {"name": "", "imageRef": UBUNTU, "flavorRef": "2"}},
        {"server": {"name": 7, "imageRef": UBUNTU, "flavorRef": "2"}},
        {"server": {"name": "x", "flavorRef": "2"}},
        {"server": {"name": "x", "imageRef": UBUNTU}},
        {"server": {"name": "x", "imageRef": UBUNTU, "flavorRef": "2", "metadata": []}},
        {"server": {"name": "x", "imageRef": UBUNTU, "flavorRef": "2", "metadata": {"a": None}}},
        {"server": {"name": "x", "imageRef": UBUNTU, "flavorRef": "2", "bogus": 1}},
        {"server": {"name": "x", "imageRef": UBUNTU, "flavorRef": "2", "key_name": "nokey"}},
        {"server": {"name": "x", "imageRef": UBUNTU, "flavorRef": "2", "accessIPv4": "1.2"}},
        {"server": {"name": "x", "imageRef": UBUNTU, "flavorRef": "2",
                    "OS-DCF:diskConfig": "SOMETIMES"}},
    ]
    for body in bad_bodies:
        error_of(nova.post("servers", json=body), 400, "badRequest")
    error_of(nova.post("servers", data=b"{not json"), 400, "badRequest")
    assert nova.get("servers").json()["servers"] == []


def test_malformed_image_and_invalid_flavor_get_novas_messages(nova):
    # Unknown but well-formed ids are accepted (see test_nova_refs.py).
    response = nova.post("servers", json={"server": {
        "name": "x", "imageRef": "no-such-image", "flavorRef": "2"}})
    assert error_of(response, 400, "badRequest") == (
        "Invalid input for field/attribute imageRef. Value: no-such-image. "
        "'no-such-image' is not valid under any of the given schemas")
    response = nova.post("servers", json={"server": {
        "name": "x", "imageRef": UBUNTU, "flavorRef": "8888"}})
    assert error_of(response, 400, "badRequest") == "Flavor 8888 could not be found."
    assert nova.get("servers").json()["servers"] == []


def test_documented_invalid_refs_are_refused(nova, mimic):
    presets = mimic.get("/mimic/v1.0/presets").json()["nova"]
    for image_ref in presets["invalid_image_refs"]:
        nova.create(imageRef=image_ref, expect=400)
    for flavor_ref in presets["invalid_flavor_refs"]:
        nova.create(flavorRef=flavor_ref, expect=400)
    assert nova.get("servers").json()["servers"] == []


def test_image_and_flavor_refs_may_be_urls(nova):
    server_id = nova.create_id(imageRef=f"{nova.url}/images/{DEBIAN}",
                               flavorRef=f"{nova.url}/flavors/general1-1")
    server = nova.server(server_id)
    assert server["image"]["id"] == DEBIAN and server["flavor"]["id"] == "general1-1"


def test_key_name_security_groups_and_disk_config_on_create(nova):
    assert nova.post("os-keypairs", json={"keypair": {"name": "mine"}}).status_code == 200
    nova.security_group("web")
    server_id = nova.create_id(key_name="mine", security_groups=[{"name": "web"}],
                               **{"OS-DCF:diskConfig": "MANUAL"})
    server = nova.server(server_id)
    assert server["key_name"] == "mine"
    assert server["security_groups"] == [{"name": "web"}]
    assert server["OS-DCF:diskConfig"] == "MANUAL"


def test_max_count_creates_several_servers_named_as_nova_does(nova):
    nova.create(name="many", max_count=3, min_count=1)
    names = sorted(s["name"] for s in nova.get("servers").json()["servers"])
    assert names == ["many-1", "many-2", "many-3"]


def test_max_count_is_all_or_nothing(nova):
    nova.behave("creation", {"name": "fail", "parameters": {"code": 500},
                             "criteria": [{"server_name": "many-3"}]})
    nova.create(name="many", max_count=3, expect=500)
    assert nova.get("servers").json()["servers"] == []
    assert nova.get("limits").json()["limits"]["absolute"]["totalInstancesUsed"] == 0


def test_unknown_route_and_wrong_method_answer_in_novas_shape(nova):
    error_of(nova.get("no-such-collection"), 404, "itemNotFound")
    error_of(nova.mimic.request("PATCH", f"{nova.url}/servers"), 405, "badMethod")


def test_repeated_listings_show_every_change(nova, mimic):
    """Listings are cached while nothing changes; every kind of change shows."""

    def detail() -> dict:
        return {s["id"]: s for s in nova.get("servers/detail").json()["servers"]}

    server_id = nova.create_id("one", metadata={"server_building": 10})
    assert detail()[server_id]["status"] == "BUILD"
    assert detail()[server_id]["status"] == "BUILD"
    mimic.tick(10)
    assert detail()[server_id]["status"] == "ACTIVE"
    nova.put(f"servers/{server_id}", json={"server": {"name": "two"}})
    assert detail()[server_id]["name"] == "two"
    nova.post(f"servers/{server_id}/metadata", json={"metadata": {"k": "v"}})
    assert detail()[server_id]["metadata"] == {"server_building": "10", "k": "v"}
    nova.action(server_id, {"os-stop": None})
    assert detail()[server_id]["status"] == "SHUTOFF"
    mimic.post(f"{nova.control}/attributes", json={"status": {server_id: "ERROR"}})
    assert detail()[server_id]["status"] == "ERROR"
    other = nova.create_id("three")
    assert set(detail()) == {server_id, other}
    assert [s["name"] for s in nova.get("servers").json()["servers"]] == ["three", "two"]
    nova.delete(f"servers/{other}")
    assert set(detail()) == {server_id}
    assert [s["name"] for s in nova.get("servers").json()["servers"]] == ["two"]
