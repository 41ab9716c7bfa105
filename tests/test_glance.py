"""
Glance v2 over real sockets: discovery, listing with filters and paging,
registering, JSON-patch, data, deletion, every error in Glance's shape, and
the one image store it shares with Nova.
"""

from __future__ import annotations

import pytest

from tests.glance_support import PATCH, Glance, assert_glance_error, glance  # noqa: F401
from tests.nova_support import DEBIAN, UBUNTU


def test_catalog_offers_an_unversioned_image_endpoint_per_region(mimic):
    access = mimic.authenticate()
    for region in ("ORD", "DFW", "LON"):
        url = mimic.endpoint(access, "image", region)
        assert url == f"{mimic.base_url}/mimicking/glance/{region}"


def test_root_lists_v2_versions_with_links(glance):
    response = glance.mimic.get(glance.root)
    assert response.status_code == 300
    versions = response.json()["versions"]
    assert versions[0]["status"] == "CURRENT"
    assert {v["id"] for v in versions} >= {"v2.0", "v2.1"}
    assert versions[0]["links"][0]["href"] == glance.root + "/v2/"


def test_list_needs_a_valid_token(glance):
    response = glance.mimic.get(glance.root + "/v2/images")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == 401
    wrong = glance.mimic.get(glance.root + "/v2/images", headers={"X-Auth-Token": "nope"})
    assert wrong.status_code == 401


def test_list_shows_the_public_images_in_glance_shape(glance):
    body = glance.request("GET", "/v2/images").json()
    assert body["first"] == "/v2/images"
    assert body["schema"] == "/v2/schemas/images"
    images = {i["id"]: i for i in body["images"]}
    ubuntu = images[UBUNTU]
    assert ubuntu["status"] == "active"
    assert ubuntu["visibility"] == "public"
    assert ubuntu["protected"] is False
    assert ubuntu["self"] == f"/v2/images/{UBUNTU}"
    assert ubuntu["os_distro"] == "ubuntu"
    assert ubuntu["created_at"] == "1970-01-01T00:00:00Z"
    assert isinstance(ubuntu["size"], int) and ubuntu["checksum"]


def test_filters_by_name_id_list_status_and_visibility(glance):
    by_name = glance.request("GET", "/v2/images", params={"name": "Debian 12 (Bookworm)"})
    assert [i["id"] for i in by_name.json()["images"]] == [DEBIAN]
    by_ids = glance.request("GET", "/v2/images", params={"id": f"in:{UBUNTU},{DEBIAN}"})
    assert {i["id"] for i in by_ids.json()["images"]} == {UBUNTU, DEBIAN}
    mine = glance.register(name="mine", visibility="private")
    private = glance.request("GET", "/v2/images", params={"visibility": "private"}).json()
    assert [i["id"] for i in private["images"]] == [mine["id"]]
    queued = glance.request("GET", "/v2/images", params={"status": "queued"}).json()
    assert [i["id"] for i in queued["images"]] == [mine["id"]]
    by_property = glance.request("GET", "/v2/images", params={"os_distro": "debian"}).json()
    assert len(by_property["images"]) == 2


def test_paging_with_limit_marker_and_next(glance):
    seen, path = [], "/v2/images?limit=4"
    while path:
        body = glance.request("GET", path).json()
        assert len(body["images"]) <= 4
        seen += [i["id"] for i in body["images"]]
        path = body.get("next")
    everything = [i["id"] for i in glance.request("GET", "/v2/images").json()["images"]]
    assert seen == everything and len(seen) == 10


@pytest.mark.parametrize("params", [{"limit": "x"}, {"marker": "nope"},
                                    {"sort_key": "colour"}, {"sort_dir": "up"},
                                    {"visibility": "everyone"}, {"size_min": "big"}])
def test_bad_list_parameters_are_400(glance, params):
    assert_glance_error(glance.request("GET", "/v2/images", params=params), 400)


def test_register_patch_upload_and_delete_an_image(glance):
    image = glance.register(name="web-base", disk_format="qcow2", container_format="bare",
                            min_ram=512, tags=["web"], build="42")
    assert image["status"] == "queued"
    assert image["size"] is None and image["checksum"] is None
    assert image["owner"] == "770001"
    assert image["build"] == "42"
    glance.mimic.tick(30)
    response = glance.patch(image["id"], [
        {"op": "replace", "path": "/name", "value": "web-base-2"},
        {"op": "add", "path": "/os_distro", "value": "debian"},
        {"op": "remove", "path": "/build"},
        {"op": "replace", "path": "/tags", "value": ["web", "v2"]},
    ])
    assert response.status_code == 200, response.text
    patched = response.json()
    assert patched["name"] == "web-base-2"
    assert patched["os_distro"] == "debian"
    assert "build" not in patched
    assert patched["tags"] == ["web", "v2"]
    assert patched["updated_at"] == "1970-01-01T00:00:30Z"
    upload = glance.request("PUT", f"/v2/images/{image['id']}/file", data=b"disk bytes",
                            headers={"content-type": "application/octet-stream"})
    assert upload.status_code == 204
    active = glance.request("GET", f"/v2/images/{image['id']}").json()
    assert active["status"] == "active" and active["size"] == 10
    data = glance.request("GET", f"/v2/images/{image['id']}/file")
    assert data.content == b"disk bytes"
    assert glance.request("DELETE", f"/v2/images/{image['id']}").status_code == 204
    assert_glance_error(glance.request("GET", f"/v2/images/{image['id']}"), 404, image["id"])


def test_refused_patches_change_nothing(glance):
    image = glance.register(name="keep", disk_format="raw", container_format="bare")
    cases = [
        ([{"op": "replace", "path": "/status", "value": "active"}], 403),
        ([{"op": "replace", "path": "/id", "value": "x"}], 403),
        ([{"op": "replace", "path": "/nothing", "value": "x"}], 409),
        ([{"op": "remove", "path": "/nothing"}], 409),
        ([{"op": "move", "path": "/name"}], 400),
        ([{"op": "replace", "path": "/visibility", "value": "everyone"}], 400),
        ([{"op": "replace", "path": "/min_ram", "value": -1}], 400),
        ([{"op": "replace", "path": "/name", "value": "changed"},
          {"op": "replace", "path": "/protected", "value": "yes"}], 400),
        ([{"op": "replace", "path": "/a/b", "value": "x"}], 400),
        ({"op": "replace"}, 400),
    ]
    for operations, code in cases:
        assert_glance_error(glance.patch(image["id"], operations), code)
    wrong_type = glance.patch(image["id"], [{"op": "replace", "path": "/name", "value": "x"}],
                              content_type="application/json")
    assert_glance_error(wrong_type, 415)
    assert glance.request("GET", f"/v2/images/{image['id']}").json()["name"] == "keep"


@pytest.mark.parametrize("fields, code", [
    ({"status": "active"}, 403),
    ({"disk_format": "floppy"}, 400),
    ({"visibility": "everyone"}, 400),
    ({"min_disk": "ten"}, 400),
    ({"name": 5}, 400),
    ({"custom": 5}, 400),
])
def test_refused_registrations_create_nothing(glance, fields, code):
    before = len(glance.request("GET", "/v2/images").json()["images"])
    assert_glance_error(glance.request("POST", "/v2/images", json=fields), code)
    assert len(glance.request("GET", "/v2/images").json()["images"]) == before


def test_duplicate_id_is_a_conflict(glance):
    glance.register(id="11111111-2222-4333-8444-555555555555")
    response = glance.request("POST", "/v2/images",
                              json={"id": "11111111-2222-4333-8444-555555555555"})
    assert_glance_error(response, 409)


def test_public_and_protected_images_cannot_be_deleted(glance):
    assert_glance_error(glance.request("DELETE", f"/v2/images/{UBUNTU}"), 403)
    image = glance.register(name="guarded", protected=True)
    assert_glance_error(glance.request("DELETE", f"/v2/images/{image['id']}"), 403)
    glance.patch(image["id"], [{"op": "replace", "path": "/protected", "value": False}])
    assert glance.request("DELETE", f"/v2/images/{image['id']}").status_code == 204


def test_tags_are_added_and_removed_one_by_one(glance):
    image = glance.register(name="tagged")
    assert glance.request("PUT", f"/v2/images/{image['id']}/tags/blue").status_code == 204
    assert glance.request("GET", f"/v2/images/{image['id']}").json()["tags"] == ["blue"]
    assert glance.request("DELETE", f"/v2/images/{image['id']}/tags/blue").status_code == 204
    assert_glance_error(glance.request("DELETE", f"/v2/images/{image['id']}/tags/blue"), 404)


def test_unknown_routes_and_methods_answer_in_glance_shape(glance):
    assert_glance_error(glance.request("GET", "/v2/nothing"), 404)
    assert_glance_error(glance.request("PUT", "/v2/images"), 405)


# one store with Nova


def test_a_nova_snapshot_is_a_glance_image(glance):
    headers = {"X-Auth-Token": glance.token}
    created = glance.mimic.post(f"{glance.compute}/servers", headers=headers, json={
        "server": {"name": "web", "imageRef": UBUNTU, "flavorRef": "2"}}).json()
    server_id = created["server"]["id"]
    glance.mimic.tick(3600)
    action = glance.mimic.post(f"{glance.compute}/servers/{server_id}/action",
                               headers=headers, json={"createImage": {"name": "snap"}})
    assert action.status_code == 202, action.text
    image_id = action.headers["location"].rsplit("/", 1)[1]
    saving = glance.request("GET", f"/v2/images/{image_id}").json()
    assert saving["name"] == "snap"
    assert saving["status"] == "saving"
    assert saving["visibility"] == "private"
    glance.mimic.tick(60)
    assert glance.request("GET", f"/v2/images/{image_id}").json()["status"] == "active"


def test_an_image_registered_in_glance_is_listed_by_nova(glance):
    image = glance.register(name="from-glance", disk_format="raw", container_format="bare")
    response = glance.mimic.get(f"{glance.compute}/images/{image['id']}",
                                headers={"X-Auth-Token": glance.token})
    assert response.status_code == 200
    assert response.json()["image"]["name"] == "from-glance"
    glance.request("DELETE", f"/v2/images/{image['id']}")
    gone = glance.mimic.get(f"{glance.compute}/images/{image['id']}",
                            headers={"X-Auth-Token": glance.token})
    assert gone.status_code == 404


def test_tenants_see_only_their_own_private_images(mimic):
    first, second = Glance(mimic, "g1", "880001"), Glance(mimic, "g2", "880002")
    image = first.register(name="secret", visibility="private")
    assert_glance_error(second.request("GET", f"/v2/images/{image['id']}"), 404)
    ids = [i["id"] for i in second.request("GET", "/v2/images").json()["images"]]
    assert image["id"] not in ids
