"""
Glance's schemas (``/v2/schemas/{image,images,member,members,task,tasks}``)
as clients fetch them, and every image, list, member and task Mimic answers
with validated against them with ``jsonschema``, as glanceclient validates.
What the schemas say is Glance's (``glance/api/v2/images.py``,
``get_base_properties``; ``image_members.py``; ``tasks.py``): the image's
base properties with their types, enumerations and read-only marks, other
properties strings.
"""

from __future__ import annotations

import jsonschema
import openstack
import pytest

from tests.glance_support import Glance, glance  # noqa: F401


def schema(glance, name):
    response = glance.request("GET", f"/v2/schemas/{name}")
    assert response.status_code == 200, response.text
    return response.json()


def test_image_schema_has_glances_base_properties(glance):
    image = schema(glance, "image")
    assert image["name"] == "image"
    assert image["additionalProperties"] == {"type": "string"}
    properties = image["properties"]
    assert properties["status"]["readOnly"] is True
    assert set(properties["visibility"]["enum"]) == {"public", "private", "shared",
                                                     "community"}
    assert properties["disk_format"]["enum"][0] is None
    assert properties["size"]["type"] == ["null", "integer"]
    assert properties["os_distro"]["is_base"] is False
    read_only = {k for k, v in properties.items() if v.get("readOnly")}
    assert {"id", "name", "tags"}.isdisjoint(read_only)
    assert {"checksum", "os_hash_value", "created_at", "self", "file"} <= read_only


def test_unknown_schema_is_404(glance):
    assert glance.request("GET", "/v2/schemas/nothing").status_code == 404


def test_every_answer_validates_against_the_schemas(glance):
    other = Glance(glance.mimic, "schema-peer", "770002")
    image = glance.register(name="checked", disk_format="raw", container_format="bare",
                            tags=["x"], build="1")
    glance.request("PUT", f"/v2/images/{image['id']}/file", data=b"abc",
                   headers={"content-type": "application/octet-stream"})
    shared = glance.register(name="shared", disk_format="raw", container_format="bare",
                             visibility="shared")
    member = glance.request("POST", f"/v2/images/{shared['id']}/members",
                            json={"member": "770002"}).json()
    glance.register(name="to-import", disk_format="raw", container_format="bare")
    queued = glance.register(name="web", disk_format="raw", container_format="bare")
    glance.request("POST", f"/v2/images/{queued['id']}/import",
                   json={"method": {"name": "web-download", "uri": "http://example.com/x"}})

    image_schema, images_schema = schema(glance, "image"), schema(glance, "images")
    listing = glance.request("GET", "/v2/images?limit=5").json()
    jsonschema.validate(listing, images_schema)
    for each in glance.request("GET", "/v2/images").json()["images"]:
        jsonschema.validate(each, image_schema)
    jsonschema.validate(glance.request("GET", f"/v2/images/{image['id']}").json(), image_schema)
    jsonschema.validate(member, schema(glance, "member"))
    jsonschema.validate(other.request("GET", f"/v2/images/{shared['id']}/members").json(),
                        schema(glance, "members"))
    tasks = glance.request("GET", "/v2/tasks").json()
    jsonschema.validate(tasks, schema(glance, "tasks"))
    for task in tasks["tasks"]:
        jsonschema.validate(task, schema(glance, "task"))


def test_a_wrong_answer_would_not_validate(glance):
    image = glance.request("GET", "/v2/images").json()["images"][0]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**image, "status": "sleeping"}, schema(glance, "image"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**image, "extra": 5}, schema(glance, "image"))


def test_openstacksdk_reads_the_schemas(mimic):
    conn = openstack.connect(auth_url=mimic.base_url + "/identity/v2.0",
                             username="schema-user", password="secret",
                             project_name="schema-project", identity_api_version="2",
                             region_name="ORD")
    try:
        assert "visibility" in conn.image.get_image_schema().properties
        assert "images" in conn.image.get_images_schema().properties
        assert "status" in conn.image.get_member_schema().properties
        assert "members" in conn.image.get_members_schema().properties
        assert "input" in conn.image.get_task_schema().properties
    finally:
        conn.close()
