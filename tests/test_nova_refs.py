"""
Image and flavor references on create, rebuild and resize, as users of the
original Mimic send them (its README's create body, verbatim) and as
``--strict-refs`` makes them behave (real Nova's refusal of unknown ids).

What Nova says for each refusal is read from Nova's own code
(github:openstack/nova): ``imageRef`` is ``image_id_or_empty_string``
(a ``format: uuid`` string or ``""``, nova/api/validation/parameter_types.py),
an unknown image on create is "Can not find requested image" and on
rebuild "Cannot find image for rebuild", an unknown flavor is
``FlavorNotFound`` ("Flavor <id> could not be found.", both 400;
nova/api/openstack/compute/servers.py).
"""

from __future__ import annotations

import pytest

from tests.nova_support import UBUNTU, error_of, nova, nova_for  # noqa: F401

#: The original README's example body, character for character.
README_BODY = {"server": {"name": "api-test-server-1",
                          "imageRef": "3afe97b2-26dc-49c5-a2cc-a2fc8d80c001",
                          "flavorRef": "2", "metadata": {"server_building": 120}}}
README_IMAGE = "3afe97b2-26dc-49c5-a2cc-a2fc8d80c001"


def readme_body(**metadata) -> dict:
    """The README's body with other presets in place of ``server_building``."""
    server = dict(README_BODY["server"])
    server["metadata"] = metadata
    return {"server": server}


def test_readme_create_body_builds_for_120_seconds_then_is_active(nova, mimic):
    response = nova.post("servers", json=README_BODY)
    assert response.status_code == 202, response.text
    server = nova.server(response.json()["server"]["id"])
    assert server["status"] == "BUILD"
    assert server["image"]["id"] == README_IMAGE
    assert server["flavor"]["id"] == "2"
    mimic.tick(119)
    assert nova.status(server["id"]) == "BUILD"
    mimic.tick(1)
    assert nova.status(server["id"]) == "ACTIVE"


def test_readme_image_with_server_error_preset_goes_to_error(nova):
    response = nova.post("servers", json=readme_body(server_error="true"))
    assert response.status_code == 202, response.text
    assert nova.status(response.json()["server"]["id"]) == "ERROR"


def test_readme_image_with_create_server_failure_preset_answers_that_failure(nova):
    body = readme_body(create_server_failure={"message": "Sorry, no.", "code": 503})
    response = nova.post("servers", json=body)
    assert response.status_code == 503
    assert "Sorry, no." in response.text
    assert nova.get("servers").json()["servers"] == []


def test_readme_image_with_delete_server_failure_preset_fails_delete_then_deletes(nova):
    body = readme_body(delete_server_failure={"code": 500, "times": 1})
    server_id = nova.post("servers", json=body).json()["server"]["id"]
    assert nova.delete(f"servers/{server_id}").status_code == 500
    assert nova.delete(f"servers/{server_id}").status_code == 204
    assert nova.get(f"servers/{server_id}").status_code == 404


def test_unknown_flavor_is_accepted_with_the_default_size(nova):
    server_id = nova.create_id(imageRef=README_IMAGE, flavorRef="performance9-99")
    server = nova.server(server_id)
    assert server["flavor"]["id"] == "performance9-99"
    absolute = nova.get("limits").json()["limits"]["absolute"]
    # The stand-in is the size of flavor "2": 1 vCPU, 512 MiB.
    assert (absolute["totalCoresUsed"], absolute["totalRAMUsed"]) == (1, 512)


def test_unknown_refs_are_not_listed_and_stay_404(nova):
    nova.create_id(imageRef=README_IMAGE, flavorRef="performance9-99")
    assert error_of(nova.get(f"images/{README_IMAGE}"), 404, "itemNotFound")
    assert error_of(nova.get("flavors/performance9-99"), 404, "itemNotFound")
    assert README_IMAGE not in {i["id"] for i in nova.get("images").json()["images"]}
    # A listing filtered by the stand-in's id finds the server all the same.
    listed = nova.get("servers/detail", params={"image": README_IMAGE}).json()["servers"]
    assert [s["image"]["id"] for s in listed] == [README_IMAGE]


@pytest.mark.parametrize("image_ref", ["INVALID-IMAGE-ID", "1111", "image_ends_with_Z",
                                       "3afe97b2-26dc-49c5-a2cc-a2fc8d80c00Z"])
def test_original_documented_invalid_image_ids_are_novas_400(nova, image_ref):
    # None of these is a UUID, so Nova's schema refuses them.
    message = error_of(nova.post("servers", json={"server": {
        "name": "x", "imageRef": image_ref, "flavorRef": "2"}}), 400, "badRequest")
    assert message == (f"Invalid input for field/attribute imageRef. Value: {image_ref}. "
                       f"'{image_ref}' is not valid under any of the given schemas")
    assert nova.get("servers").json()["servers"] == []


def test_nil_uuid_image_is_refused_as_nova_refuses_an_unknown_image(nova):
    message = error_of(nova.post("servers", json={"server": {
        "name": "x", "imageRef": "00000000-0000-0000-0000-000000000000",
        "flavorRef": "2"}}), 400, "badRequest")
    assert message == "Can not find requested image"


@pytest.mark.parametrize("flavor_ref", ["INVALID-FLAVOR-ID", "8888", "-4", "1", 8888])
def test_original_documented_invalid_flavor_ids_are_novas_400(nova, flavor_ref):
    message = error_of(nova.post("servers", json={"server": {
        "name": "x", "imageRef": README_IMAGE, "flavorRef": flavor_ref}}),
        400, "badRequest")
    assert message == f"Flavor {flavor_ref} could not be found."
    assert nova.get("servers").json()["servers"] == []


def test_refs_that_are_not_ids_at_all_are_400(nova):
    response = nova.post("servers", json={"server": {
        "name": "x", "imageRef": "not an image", "flavorRef": "2"}})
    assert "is not valid under any of the given schemas" in error_of(
        response, 400, "badRequest")
    for flavor_ref in ("a/b?c", "", "x" * 256, True):
        response = nova.post("servers", json={"server": {
            "name": "x", "imageRef": README_IMAGE, "flavorRef": flavor_ref}})
        assert error_of(response, 400, "badRequest") == "Invalid flavorRef provided."
    assert nova.get("servers").json()["servers"] == []


def test_rebuild_and_resize_accept_unknown_ids_too(nova, mimic):
    server_id = nova.create_id()
    response = nova.action(server_id, {"rebuild": {"imageRef": README_IMAGE}})
    assert response.status_code == 202, response.text
    assert response.json()["server"]["image"]["id"] == README_IMAGE
    mimic.tick(10)
    assert nova.action(server_id, {"resize": {"flavorRef": "huge"}}).status_code == 202
    mimic.tick(10)
    assert nova.server(server_id)["flavor"]["id"] == "huge"


@pytest.fixture
def strict_nova(mimic_factory):
    return nova_for(mimic_factory("--strict-refs").client())


def test_strict_refs_refuse_unknown_image_as_nova_does(strict_nova):
    response = strict_nova.post("servers", json=README_BODY)
    assert error_of(response, 400, "badRequest") == "Can not find requested image"
    assert strict_nova.get("servers").json()["servers"] == []


def test_strict_refs_refuse_unknown_flavor_as_nova_does(strict_nova):
    response = strict_nova.post("servers", json={"server": {
        "name": "x", "imageRef": UBUNTU, "flavorRef": "performance9-99"}})
    assert error_of(response, 400, "badRequest") == \
        "Flavor performance9-99 could not be found."


def test_strict_refs_refuse_unknown_rebuild_image_as_nova_does(strict_nova):
    server_id = strict_nova.create_id()
    response = strict_nova.action(server_id, {"rebuild": {"imageRef": README_IMAGE}})
    assert error_of(response, 400, "badRequest") == "Cannot find image for rebuild"
    assert strict_nova.server(server_id)["image"]["id"] == UBUNTU


def test_strict_refs_still_accept_known_refs(strict_nova):
    server_id = strict_nova.create_id(imageRef=UBUNTU, flavorRef="general1-1")
    assert strict_nova.server(server_id)["flavor"]["id"] == "general1-1"
