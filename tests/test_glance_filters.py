"""
Glance v2's list filters and sort orders, and the older JSON-patch media
type, over real sockets and through openstacksdk.

What each filter means is read off Glance itself:
``glance/db/sqlalchemy/api.py`` (``_make_conditions_from_filters``:
``name``/``id``/``status``/``container_format``/``disk_format`` take
``in:``/``eq:``, ``*_min``/``*_max`` are bounds on the attribute, other
image attributes such as ``min_ram`` and ``owner`` are equalities, each
``tag`` must be on the image) and ``glance/api/v2/images.py``
(``_get_sorting_params``: ``sort=key:dir,...`` or ``sort_key``/``sort_dir``,
never both; ``_parse_json_schema_change``: the v2.0 media type is JSON
patch draft 4, operations written as ``{"replace": "/name", ...}``).
"""

from __future__ import annotations

import openstack
import pytest

from tests.glance_support import Glance, assert_glance_error, glance  # noqa: F401
from tests.nova_support import DEBIAN, UBUNTU

WINDOWS_2022 = "a1b2c3d4-0009-4e6f-8a9b-0c1d2e3f4a09"
WINDOWS_2019 = "a1b2c3d4-0010-4e6f-8a9b-0c1d2e3f4a10"
OLD_PATCH = "application/openstack-images-v2.0-json-patch"


def ids(glance, **params):
    response = glance.request("GET", "/v2/images", params=params)
    assert response.status_code == 200, response.text
    return [image["id"] for image in response.json()["images"]]


def names(glance, query):
    response = glance.request("GET", "/v2/images?" + query)
    assert response.status_code == 200, response.text
    return [image["name"] for image in response.json()["images"]]


@pytest.fixture
def mine(glance):
    """Two of the tenant's own images, one with data, beside the canned ten."""
    raw = glance.register(name="raw-one", disk_format="raw", container_format="bare",
                          min_ram=128, min_disk=1, tags=["web", "blue"])
    upload = glance.request("PUT", f"/v2/images/{raw['id']}/file", data=b"x" * 100,
                            headers={"content-type": "application/octet-stream"})
    assert upload.status_code == 204
    qcow = glance.register(name="qcow-two", disk_format="qcow2", container_format="bare",
                           min_ram=128, tags=["web"])
    return raw, qcow


def test_format_filters(glance, mine):
    raw, qcow = mine
    assert ids(glance, disk_format="raw") == [raw["id"]]
    assert sorted(ids(glance, disk_format="in:raw,qcow2")) == sorted([raw["id"], qcow["id"]])
    assert sorted(ids(glance, container_format="bare")) == sorted([raw["id"], qcow["id"]])
    assert len(ids(glance, container_format="ovf")) == 10
    assert ids(glance, container_format="eq:docker") == []


def test_size_bounds_leave_out_images_without_data(glance, mine):
    raw, qcow = mine
    assert ids(glance, size_max="100") == [raw["id"]]
    assert ids(glance, size_min="100", size_max="100") == [raw["id"]]
    windows = ids(glance, size_min=str(11 * 2 ** 30))
    assert sorted(windows) == sorted([WINDOWS_2022, WINDOWS_2019])
    assert qcow["id"] not in ids(glance, size_min="0")
    assert_glance_error(glance.request("GET", "/v2/images?size_max=huge"), 400,
                        "non-numeric")


def test_min_disk_min_ram_and_owner_are_equalities(glance, mine):
    raw, qcow = mine
    assert sorted(ids(glance, min_ram="128")) == sorted([raw["id"], qcow["id"]])
    assert ids(glance, min_disk="1") == [raw["id"]]
    assert sorted(ids(glance, min_ram="2048")) == sorted([WINDOWS_2022, WINDOWS_2019])
    assert sorted(ids(glance, min_disk="40")) == sorted([WINDOWS_2022, WINDOWS_2019])
    assert sorted(ids(glance, owner="770001")) == sorted([raw["id"], qcow["id"]])
    assert len(ids(glance, owner="rackspace")) == 10
    assert ids(glance, owner="someone-else") == []


def test_every_tag_given_must_be_on_the_image(glance, mine):
    raw, qcow = mine
    assert sorted(ids(glance, tag="web")) == sorted([raw["id"], qcow["id"]])
    assert names(glance, "tag=web&tag=blue") == ["raw-one"]
    assert names(glance, "tag=blue&tag=green") == []


def test_unknown_filter_operator_is_400(glance):
    assert_glance_error(glance.request("GET", "/v2/images?disk_format=like:raw"), 400,
                        "unknown operator 'like'")


def test_sort_by_new_syntax_with_several_keys(glance, mine):
    listed = names(glance, "sort=disk_format:asc,name:desc&limit=4")
    assert listed == ["qcow-two", "raw-one", "Windows Server 2022 Standard",
                      "Windows Server 2019 Standard"]
    # A key without a direction takes the default, desc (byte order, as
    # the database compares: lower case after upper case).
    assert names(glance, "sort=name")[:3] == ["raw-one", "qcow-two",
                                             "Windows Server 2022 Standard"]


def test_sort_by_classic_keys_and_directions(glance, mine):
    by_size = names(glance, "sort_key=size&sort_dir=asc&owner=rackspace")
    assert by_size[0] == "Fedora 39 (Cloud Edition)"
    assert by_size[-1] == "Windows Server 2022 Standard"
    two_ways = names(glance, "sort_key=disk_format&sort_dir=desc&sort_key=name"
                     "&sort_dir=asc&limit=3")
    assert two_ways == ["AlmaLinux 9", "CentOS Stream 9", "Debian 11 (Bullseye)"]


@pytest.mark.parametrize("query, fragment", [
    ("sort=name:up", "Invalid sort direction"),
    ("sort=min_ram", "Invalid sort key"),
    ("sort=name&sort_key=id", "cannot be combined"),
    ("sort_key=name&sort_key=id&sort_dir=asc&sort_dir=desc&sort_dir=asc", "Number of sort"),
])
def test_bad_sorts_are_400(glance, query, fragment):
    assert_glance_error(glance.request("GET", "/v2/images?" + query), 400, fragment)


def test_old_json_patch_media_type_takes_draft_4_operations(glance):
    image = glance.register(name="old", disk_format="raw", container_format="bare",
                            build="1")
    response = glance.patch(image["id"], [
        {"replace": "/name", "value": "renamed"},
        {"add": "/os_distro", "value": "debian"},
        {"remove": "/build"},
    ], content_type=OLD_PATCH)
    assert response.status_code == 200, response.text
    patched = response.json()
    assert patched["name"] == "renamed" and patched["os_distro"] == "debian"
    assert "build" not in patched


@pytest.mark.parametrize("operations, code, fragment", [
    ([{"op": "replace", "path": "/name", "value": "x"}], 400, "exactly one member"),
    ([{"replace": "/name", "add": "/name", "value": "x"}], 400, "only one member"),
    ([{"replace": "/name"}], 400, 'requires a member named "value"'),
    # Draft 4's add of what is there already is a conflict in Glance.
    ([{"add": "/name", "value": "x"}], 409, "already present"),
])
def test_old_json_patch_refusals_change_nothing(glance, operations, code, fragment):
    image = glance.register(name="keep", disk_format="raw", container_format="bare")
    response = glance.patch(image["id"], operations, content_type=OLD_PATCH)
    assert_glance_error(response, code, fragment)
    assert glance.request("GET", f"/v2/images/{image['id']}").json()["name"] == "keep"


def test_new_media_type_refuses_draft_4_operations(glance):
    image = glance.register(name="keep", disk_format="raw", container_format="bare")
    assert_glance_error(glance.patch(image["id"], [{"replace": "/name", "value": "x"}]),
                        400, "Unable to find `op`")


def test_openstacksdk_sends_size_tag_owner_and_sort_filters(mimic, glance, mine):
    raw, qcow = mine
    conn = openstack.connect(auth_url=mimic.base_url + "/identity/v2.0",
                             username="glance-user", password="secret",
                             project_id="770001", identity_api_version="2",
                             region_name="ORD")
    try:
        assert [i.id for i in conn.image.images(size_max=100)] == [raw["id"]]
        assert [i.id for i in conn.image.images(tag=["web", "blue"])] == [raw["id"]]
        assert sorted(i.id for i in conn.image.images(owner="770001")) == sorted(
            [raw["id"], qcow["id"]])
        listed = [i.id for i in conn.image.images(sort="name:asc", owner="rackspace")]
        assert listed[:2] == ["a1b2c3d4-0007-4e6f-8a9b-0c1d2e3f4a07", "a1b2c3d4-0005-4e6f-"
                              "8a9b-0c1d2e3f4a05"]
        assert [i.id for i in conn.image.images(sort_key="size", sort_dir="asc",
                                               owner="rackspace")][-1] == WINDOWS_2022
        debian = {i.id for i in conn.image.images(os_distro="debian")}
        assert DEBIAN in debian and UBUNTU not in debian
    finally:
        conn.close()
