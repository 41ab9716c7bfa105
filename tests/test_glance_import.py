"""
Glance's interoperable import and tasks, over real sockets and through
openstacksdk (``glance/api/v2/images.py`` ``import_image``, the api-ref's
"Interoperable image import"): ``/v2/info/import`` lists the methods,
``/v2/info/stores`` the stores; ``glance-direct`` needs the data staged
first (the image is ``uploading`` meanwhile) and makes the image
``active``; ``web-download`` is accepted (202) but its task fails, since
Mimic reaches nothing outside itself, and the image stays ``queued``. Each
import is a task (``/v2/tasks``, ``/v2/images/<id>/tasks``). The image's
``checksum``/``os_hash_value`` are the MD5/SHA-512 of the data, ``protected``
keeps it from deletion, ``os_hidden`` out of default lists.
"""

from __future__ import annotations

import hashlib

import openstack

from tests.glance_support import Glance, assert_glance_error, glance  # noqa: F401

OCTETS = {"content-type": "application/octet-stream"}


def test_info_lists_import_methods_and_the_store(glance):
    methods = glance.request("GET", "/v2/info/import").json()["import-methods"]
    assert methods["value"] == ["glance-direct", "web-download"]
    stores = glance.request("GET", "/v2/info/stores").json()["stores"]
    assert [(s["id"], s["default"]) for s in stores] == [("mimic", True)]


def test_glance_direct_stages_then_imports(glance):
    image = glance.register(name="direct", disk_format="raw", container_format="bare")
    path = f"/v2/images/{image['id']}"
    assert_glance_error(glance.request("POST", path + "/import", json={
        "method": {"name": "glance-direct"}}), 409, "staged")
    assert glance.request("PUT", path + "/stage", data=b"disk", headers=OCTETS
                          ).status_code == 204
    assert glance.request("GET", path).json()["status"] == "uploading"
    assert_glance_error(glance.request("PUT", path + "/stage", data=b"again",
                                       headers=OCTETS), 409)
    response = glance.request("POST", path + "/import",
                              json={"method": {"name": "glance-direct"}})
    assert response.status_code == 202
    active = glance.request("GET", path).json()
    assert (active["status"], active["size"]) == ("active", 4)
    assert active["checksum"] == hashlib.md5(b"disk").hexdigest()
    assert active["os_hash_value"] == hashlib.sha512(b"disk").hexdigest()
    assert glance.request("GET", path + "/file").content == b"disk"
    [task] = glance.request("GET", path + "/tasks").json()["tasks"]
    assert (task["status"], task["type"], task["image_id"]) == (
        "success", "api_image_import", image["id"])
    assert glance.request("GET", f"/v2/tasks/{task['id']}").json()["id"] == task["id"]


def test_web_download_fails_as_a_task_and_the_image_stays_queued(glance):
    image = glance.register(name="web", disk_format="raw", container_format="bare")
    path = f"/v2/images/{image['id']}"
    response = glance.request("POST", path + "/import", json={
        "method": {"name": "web-download", "uri": "https://example.com/disk.img"}})
    assert response.status_code == 202
    assert glance.request("GET", path).json()["status"] == "queued"
    [task] = glance.request("GET", path + "/tasks").json()["tasks"]
    assert task["status"] == "failure" and task["result"] is None
    assert "example.com/disk.img" in task["message"] and "Mimic" in task["message"]


def test_bad_imports_are_refused_and_change_nothing(glance, mimic):
    image = glance.register(name="bad", disk_format="raw", container_format="bare")
    path = f"/v2/images/{image['id']}"
    for body, code in (({"method": {"name": "copy-image"}}, 400),
                       ({"method": {"name": "web-download"}}, 400),
                       ({}, 400)):
        assert_glance_error(glance.request("POST", path + "/import", json=body), code)
    assert_glance_error(glance.request("PUT", path + "/stage", data=b"x",
                                       headers={"content-type": "text/plain"}), 415)
    no_format = glance.register(name="unformatted")
    assert_glance_error(glance.request("POST", f"/v2/images/{no_format['id']}/import", json={
        "method": {"name": "web-download", "uri": "http://x"}}), 400)
    other = Glance(mimic, "import-other", "770009")
    assert_glance_error(other.request("PUT", path + "/stage", data=b"x", headers=OCTETS), 404)
    assert glance.request("GET", path).json()["status"] == "queued"
    assert glance.request("GET", "/v2/tasks").json()["tasks"] == []
    assert_glance_error(glance.request("GET", "/v2/tasks/nope"), 404)
    assert_glance_error(glance.request("POST", "/v2/tasks", json={"type": "import"}), 403)


def test_protected_and_hidden_images(glance):
    image = glance.register(name="keep", protected=True, os_hidden=True)
    assert_glance_error(glance.request("DELETE", f"/v2/images/{image['id']}"), 403,
                        "protected")
    ids = [i["id"] for i in glance.request("GET", "/v2/images").json()["images"]]
    assert image["id"] not in ids
    hidden = glance.request("GET", "/v2/images?os_hidden=true").json()["images"]
    assert [i["id"] for i in hidden] == [image["id"]]


def test_openstacksdk_stages_imports_and_reads_hashes(mimic):
    conn = openstack.connect(auth_url=mimic.base_url + "/identity/v2.0",
                             username="import-user", password="secret",
                             project_name="import-project", identity_api_version="2",
                             region_name="ORD")
    try:
        assert "glance-direct" in conn.image.get_import_info().import_methods["value"]
        assert [s.id for s in conn.image.stores()] == ["mimic"]
        image = conn.image.create_image(name="sdk-import", disk_format="raw",
                                        container_format="bare", is_protected=False)
        conn.image.stage_image(image, data=b"payload")
        conn.image.import_image(image, method="glance-direct")
        imported = conn.image.get_image(image.id)
        assert imported.status == "active" and imported.hash_algo == "sha512"
        assert imported.hash_value == hashlib.sha512(b"payload").hexdigest()
        assert [t.status for t in conn.image.tasks()] == ["success"]
    finally:
        conn.close()
