"""
Image sharing between projects, as Glance's image members work
(``glance/api/v2/image_members.py``, the api-ref's "Sharing"): only an
image whose visibility is ``shared`` has members; its owner adds and
removes them; each member alone accepts, rejects or resets its status; a
member sees the image (show, its own member entry) whatever its status, in
lists once accepted (or with ``member_status``), and never changes it.
"""

from __future__ import annotations

import openstack
import pytest

from tests.glance_support import Glance, assert_glance_error, glance  # noqa: F401

OWNER, PEER, STRANGER = "770001", "770002", "770003"


@pytest.fixture
def peer(mimic):
    return Glance(mimic, "glance-peer", PEER)


@pytest.fixture
def stranger(mimic):
    return Glance(mimic, "glance-stranger", STRANGER)


def shared_image(glance):
    return glance.register(name="golden", disk_format="raw", container_format="bare",
                           visibility="shared")


def listed_ids(client, query=""):
    return [i["id"] for i in client.request("GET", "/v2/images" + query).json()["images"]]


def test_share_accept_list_reject_and_remove(glance, peer, stranger):
    image = shared_image(glance)
    assert_glance_error(peer.request("GET", f"/v2/images/{image['id']}"), 404)
    added = glance.request("POST", f"/v2/images/{image['id']}/members",
                           json={"member": PEER})
    assert added.status_code == 200, added.text
    member = added.json()
    assert (member["member_id"], member["image_id"], member["status"]) == (
        PEER, image["id"], "pending")
    # Pending: visible by id and with member_status, not in the default list.
    assert peer.request("GET", f"/v2/images/{image['id']}").json()["name"] == "golden"
    assert image["id"] not in listed_ids(peer)
    assert image["id"] in listed_ids(peer, "?member_status=pending")
    assert image["id"] in listed_ids(peer, "?member_status=all&visibility=shared")
    accepted = peer.request("PUT", f"/v2/images/{image['id']}/members/{PEER}",
                            json={"status": "accepted"}).json()
    assert accepted["status"] == "accepted"
    assert image["id"] in listed_ids(peer)
    # Each side sees what it may: the owner every member, the member itself.
    assert [m["member_id"] for m in glance.request(
        "GET", f"/v2/images/{image['id']}/members").json()["members"]] == [PEER]
    assert peer.request("GET", f"/v2/images/{image['id']}/members/{PEER}").json()[
        "status"] == "accepted"
    assert_glance_error(stranger.request("GET", f"/v2/images/{image['id']}"), 404)
    peer.request("PUT", f"/v2/images/{image['id']}/members/{PEER}",
                 json={"status": "rejected"})
    assert image["id"] not in listed_ids(peer)
    assert glance.request("DELETE", f"/v2/images/{image['id']}/members/{PEER}"
                          ).status_code == 204
    assert_glance_error(peer.request("GET", f"/v2/images/{image['id']}"), 404)


def test_a_member_cannot_change_or_delete_the_image(glance, peer):
    image = shared_image(glance)
    glance.request("POST", f"/v2/images/{image['id']}/members", json={"member": PEER})
    assert_glance_error(peer.patch(image["id"], [
        {"op": "replace", "path": "/name", "value": "mine"}]), 403)
    assert_glance_error(peer.request("DELETE", f"/v2/images/{image['id']}"), 403)
    assert_glance_error(peer.request("PUT", f"/v2/images/{image['id']}/tags/x"), 403)
    assert_glance_error(peer.request("POST", f"/v2/images/{image['id']}/members",
                                     json={"member": STRANGER}), 403)
    assert_glance_error(peer.request("DELETE", f"/v2/images/{image['id']}/members/{PEER}"),
                        403)
    assert glance.request("GET", f"/v2/images/{image['id']}").json()["name"] == "golden"


@pytest.mark.parametrize("visibility", ["private", "public", "community"])
def test_only_shared_images_have_members(glance, visibility):
    if visibility == "public":
        image_id = glance.request("GET", "/v2/images").json()["images"][0]["id"]
        expected = 403
    else:
        image_id = glance.register(name="x", visibility=visibility)["id"]
        expected = 403
    assert_glance_error(glance.request("POST", f"/v2/images/{image_id}/members",
                                       json={"member": PEER}), expected)


def test_member_refusals(glance, peer):
    image = shared_image(glance)
    path = f"/v2/images/{image['id']}/members"
    glance.request("POST", path, json={"member": PEER})
    assert_glance_error(glance.request("POST", path, json={"member": PEER}), 409,
                        "duplicated")
    assert_glance_error(glance.request("POST", path, json={"people": PEER}), 400)
    assert_glance_error(glance.request("POST", path, json={"member": 5}), 400)
    # The owner does not answer for a member; a status is one of three.
    assert_glance_error(glance.request("PUT", f"{path}/{PEER}", json={"status": "accepted"}),
                        403)
    assert_glance_error(peer.request("PUT", f"{path}/{PEER}", json={"status": "maybe"}), 400)
    assert_glance_error(glance.request("GET", f"{path}/{STRANGER}"), 404, "not found")
    assert [m["status"] for m in glance.request("GET", path).json()["members"]] == ["pending"]


def test_making_the_image_private_hides_it_from_members(glance, peer):
    image = shared_image(glance)
    glance.request("POST", f"/v2/images/{image['id']}/members", json={"member": PEER})
    glance.patch(image["id"], [{"op": "replace", "path": "/visibility", "value": "private"}])
    assert_glance_error(peer.request("GET", f"/v2/images/{image['id']}"), 404)


def test_deleting_the_image_forgets_its_members(glance, peer):
    image = shared_image(glance)
    glance.request("POST", f"/v2/images/{image['id']}/members", json={"member": PEER})
    peer.request("PUT", f"/v2/images/{image['id']}/members/{PEER}", json={"status": "accepted"})
    assert glance.request("DELETE", f"/v2/images/{image['id']}").status_code == 204
    assert image["id"] not in listed_ids(peer, "?member_status=all")


def test_openstacksdk_shares_and_accepts(mimic, glance):
    image = shared_image(glance)

    def connect(username, project_id):
        return openstack.connect(auth_url=mimic.base_url + "/identity/v2.0",
                                 username=username, password="secret",
                                 project_id=project_id, identity_api_version="2",
                                 region_name="ORD")

    owner, member = connect("glance-user", OWNER), connect("glance-peer", PEER)
    try:
        added = owner.image.add_member(image["id"], member_id=PEER)
        assert added.status == "pending"
        member.image.update_member(PEER, image["id"], status="accepted")
        assert [m.status for m in owner.image.members(image["id"])] == ["accepted"]
        assert image["id"] in [i.id for i in member.image.images()]
    finally:
        owner.close()
        member.close()


def test_an_owner_that_is_also_a_member_lists_its_image_once(glance):
    # OSC's functional image test adds the image's own project as a member
    # and accepts; Glance selects images in one query (owner OR visibility OR
    # membership, glance/db/sqlalchemy/api.py ``_select_images_query``), so
    # the image is listed once and ``image set --reject NAME`` finds one.
    image = shared_image(glance)
    added = glance.request("POST", f"/v2/images/{image['id']}/members", json={"member": OWNER})
    assert added.status_code == 200, added.text
    glance.request("PUT", f"/v2/images/{image['id']}/members/{OWNER}",
                   json={"status": "accepted"})
    assert listed_ids(glance, "?name=golden") == [image["id"]]
    assert listed_ids(glance, "?visibility=shared").count(image["id"]) == 1
