"""
``images/<id>/metadata`` (Nova's proxy of an image's Glance properties, up
to microversion 2.35), checked against tempest.lib's schemas; the one image
store means Glance sees every change.

Nova's rules relied on (github:openstack/nova,
nova/api/openstack/compute/image_metadata.py): PUT replaces, POST merges,
an item's PUT must name the key of its URI and one key only, an unknown key
is a 404 "Invalid metadata key", the image metadata quota a 403; from 2.36
the route is gone (404).
"""

from __future__ import annotations

from tests.nova_schemas import assert_schema, images
from tests.nova_support import UBUNTU, error_of, microversion, nova  # noqa: F401


def snapshot(nova):
    server_id = nova.create_id()
    made = nova.action(server_id, {"createImage": {"name": "snap", "metadata": {"a": "1"}}})
    assert made.status_code == 202, made.text
    return made.headers["location"].rsplit("/", 1)[-1]


def test_image_metadata_read_merge_replace_and_items(nova):
    image_id = snapshot(nova)
    path = f"images/{image_id}/metadata"
    shown = assert_schema(images.image_metadata, nova.get(path))["metadata"]
    assert shown["a"] == "1" and shown["image_type"] == "snapshot"
    merged = assert_schema(images.image_metadata, nova.post(
        path, json={"metadata": {"b": "2"}}))["metadata"]
    assert merged["a"] == "1" and merged["b"] == "2"
    replaced = assert_schema(images.image_metadata, nova.put(
        path, json={"metadata": {"c": "3"}}))["metadata"]
    assert replaced == {"c": "3"}
    item = assert_schema(images.image_meta_item, nova.put(
        f"{path}/d", json={"meta": {"d": "4"}}))
    assert item == {"meta": {"d": "4"}}
    assert nova.get(f"{path}/d").json() == {"meta": {"d": "4"}}
    assert_schema(images.delete, nova.delete(f"{path}/d"))
    assert error_of(nova.get(f"{path}/d"), 404, "itemNotFound") == "Invalid metadata key"
    assert error_of(nova.delete(f"{path}/d"), 404, "itemNotFound") == "Invalid metadata key"
    assert nova.get(f"images/{image_id}").json()["image"]["metadata"] == {"c": "3"}


def test_bad_image_metadata_requests_change_nothing(nova):
    image_id = snapshot(nova)
    path = f"images/{image_id}/metadata"
    before = nova.get(path).json()
    error_of(nova.put(f"{path}/x", json={"meta": {"y": "1"}}), 400, "badRequest")
    error_of(nova.put(f"{path}/x", json={"meta": {"x": "1", "y": "2"}}), 400, "badRequest")
    error_of(nova.post(path, json={"metadata": {f"k{n}": "v" for n in range(130)}}),
             403, "forbidden")
    error_of(nova.post(path, json={"nothing": {}}), 400, "badRequest")
    assert nova.get(path).json() == before
    error_of(nova.delete(f"images/{UBUNTU}/metadata/os_distro"), 403, "forbidden")
    error_of(nova.get("images/00000000-0000-4000-8000-000000000000/metadata"),
             404, "itemNotFound")


def test_2_36_image_metadata_is_gone(nova):
    image_id = snapshot(nova)
    assert nova.get(f"images/{image_id}/metadata",
                    headers=microversion("2.35")).status_code == 200
    error_of(nova.delete(f"images/{image_id}/metadata/a", headers=microversion("2.36")),
             404, "itemNotFound")
