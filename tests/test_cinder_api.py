"""
Block Storage v3 (Cinder) over HTTP against a real Mimic: the catalog, the
version documents, microversions at their boundaries, volumes and their
life cycle on Mimic's clock, snapshots, types, zones, limits, quotas,
attachments, and errors in Cinder's fault shape.

What Cinder does was read from its source (github:openstack/cinder):
``cinder/api/versions.py`` and ``api_version_request.py`` (3.0-3.71, the
300 at the root), ``cinder/api/openstack/wsgi.py`` (``Fault``: Nova's
``{"itemNotFound": {"code", "message"}}`` body, 406 for versions out of
range with no fault name of its own so ``computeFault``),
``cinder/api/v3/views/volumes.py`` and ``snapshots.py`` (which keys from
which microversion), ``cinder/api/v3/attachments.py`` (3.27+, 3.44
``os-complete``), ``cinder/volume/api.py`` and ``cinder/exception.py``
(the refusals' wording, quota errors as 413).
"""

from __future__ import annotations

from typing import Any, Optional

import attrs
import pytest

from tests.harness import MimicClient
from tests.nova_support import UBUNTU

LATEST = {"OpenStack-API-Version": "volume 3.71"}


@attrs.define
class Cinder:
    """One tenant's Cinder in ORD, with its control API."""

    mimic: MimicClient
    url: str
    control: str
    token: str

    def call(self, method: str, path: str, version: Optional[str] = "3.71",
             **kwargs: Any):
        headers = {"X-Auth-Token": self.token, **kwargs.pop("headers", {})}
        if version is not None:
            headers["OpenStack-API-Version"] = f"volume {version}"
        return self.mimic.request(method, f"{self.url}/{path}", headers=headers, **kwargs)

    def ok(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        assert response.status_code == expect, response.text
        return response.json() if response.content else None

    def create(self, expect: int = 202, **fields: Any) -> dict:
        fields.setdefault("size", 1)
        return self.ok("POST", "volumes", expect, json={"volume": fields})["volume"]

    def status(self, volume_id: str) -> str:
        return self.ok("GET", f"volumes/{volume_id}")["volume"]["status"]


@pytest.fixture
def cinder(mimic) -> Cinder:
    access = mimic.authenticate("vol-user", "secret", tenant_id="770001")
    return Cinder(mimic, mimic.endpoint(access, "block-storage", "ORD"),
                  mimic.endpoint(access, "block-storage:control", "ORD"),
                  access["token"]["id"])


def fault(response, code: int, kind: str) -> str:
    assert response.status_code == code, response.text
    body = response.json()
    assert list(body) == [kind] and body[kind]["code"] == code
    return body[kind]["message"]


# the catalog and version documents

def test_catalog_offers_cinder_as_block_storage_volumev3_and_volumev2_in_every_region(mimic):
    access = mimic.authenticate("cat", "secret", tenant_id="770002")
    by_type = {s["type"]: s for s in access["serviceCatalog"]}
    for service_type in ("block-storage", "volumev3", "volumev2"):
        regions = {e["region"] for e in by_type[service_type]["endpoints"]}
        assert regions == {"ORD", "DFW", "IAD", "LON", "SYD", "HKG"}
        assert mimic.endpoint(access, service_type, "LON").endswith(
            "/mimicking/cinder/LON/v3/770002")


def test_root_answers_300_with_v3_and_its_microversion_range(cinder):
    root = cinder.url.rsplit("/v3/", 1)[0]
    response = cinder.mimic.get(root + "/")
    assert response.status_code == 300
    (version,) = response.json()["versions"]
    assert (version["id"], version["status"], version["min_version"], version["version"]) == (
        "v3.0", "CURRENT", "3.0", "3.71")
    assert {"rel": "self", "href": root + "/v3/"} in version["links"]
    assert version["media-types"][0]["type"] == "application/vnd.openstack.volume+json;version=3"
    versioned = cinder.mimic.get(root + "/v3/")
    assert versioned.status_code == 200
    assert versioned.json()["versions"] == [version]


def test_microversion_is_echoed_defaults_to_3_0_and_latest_is_3_71(cinder):
    assert cinder.call("GET", "volumes", version=None).headers[
        "OpenStack-API-Version"] == "volume 3.0"
    assert cinder.call("GET", "volumes", version="3.44").headers[
        "OpenStack-API-Version"] == "volume 3.44"
    assert cinder.call("GET", "volumes", version="latest").headers[
        "OpenStack-API-Version"] == "volume 3.71"


def test_microversion_out_of_range_is_406_and_malformed_is_400_in_cinders_words(cinder):
    assert fault(cinder.call("GET", "volumes", version="3.72"), 406, "computeFault") == (
        "Version 3.72 is not supported by the API. Minimum is 3.0 and maximum is 3.71.")
    assert fault(cinder.call("GET", "volumes", version="2.1"), 406, "computeFault")
    assert fault(cinder.call("GET", "volumes", version="3.x"), 400, "badRequest") == (
        "API Version String 3.x is of invalid format. Must be of format MajorNum.MinorNum.")


# volumes

def test_volume_create_list_show_update_and_delete(cinder):
    created = cinder.create(name="data", description="scratch", size=2,
                            metadata={"team": "qa"})
    assert (created["status"], created["size"], created["volume_type"]) == (
        "available", 2, "__DEFAULT__")
    assert created["bootable"] == "false" and created["attachments"] == []
    listed = cinder.ok("GET", "volumes")["volumes"]
    assert [(v["id"], v["name"]) for v in listed] == [(created["id"], "data")]
    assert set(listed[0]) == {"id", "name", "links"}
    (detail,) = cinder.ok("GET", "volumes/detail")["volumes"]
    assert detail["metadata"] == {"team": "qa"} and detail["description"] == "scratch"
    updated = cinder.ok("PUT", f"volumes/{created['id']}",
                        json={"volume": {"name": "renamed"}})["volume"]
    assert updated["name"] == "renamed" and updated["description"] == "scratch"
    assert cinder.ok("GET", "volumes/detail?name=renamed")["volumes"][0]["id"] == created["id"]
    assert cinder.ok("GET", "volumes/detail?name=data")["volumes"] == []
    cinder.ok("DELETE", f"volumes/{created['id']}", 202)
    assert fault(cinder.call("GET", f"volumes/{created['id']}"), 404, "itemNotFound") == (
        f"Volume {created['id']} could not be found.")
    assert cinder.ok("GET", "volumes")["volumes"] == []


def test_volume_lists_newest_first_and_pages_with_limit_and_marker(cinder):
    ids = [cinder.create(name=f"v{n}")["id"] for n in range(3)]
    assert [v["id"] for v in cinder.ok("GET", "volumes")["volumes"]] == ids[::-1]
    page = cinder.ok("GET", "volumes?limit=2")["volumes"]
    assert [v["id"] for v in page] == [ids[2], ids[1]]
    rest = cinder.ok("GET", f"volumes?marker={ids[1]}")["volumes"]
    assert [v["id"] for v in rest] == [ids[0]]


def test_volume_stays_creating_until_clock_reaches_preset(cinder, mimic):
    volume = cinder.create(metadata={"volume_creating": "30"})
    assert volume["status"] == "creating"
    mimic.tick(29)
    assert cinder.status(volume["id"]) == "creating"
    mimic.tick(1)
    assert cinder.status(volume["id"]) == "available"


def test_volume_error_preset_goes_to_error_after_creating(cinder, mimic):
    volume = cinder.create(metadata={"volume_creating": "5", "volume_error": "yes"})
    assert volume["status"] == "creating"
    mimic.tick(5)
    assert cinder.status(volume["id"]) == "error"
    # Cinder lets an errored volume be deleted.
    cinder.ok("DELETE", f"volumes/{volume['id']}", 202)


def test_deleting_volume_shows_deleting_until_its_time_is_up(cinder, mimic):
    volume = cinder.create(metadata={"volume_deleting": "10"})
    cinder.ok("DELETE", f"volumes/{volume['id']}", 202)
    assert cinder.status(volume["id"]) == "deleting"
    mimic.tick(10)
    fault(cinder.call("GET", f"volumes/{volume['id']}"), 404, "itemNotFound")


def test_presets_route_lists_cinders_metadata_presets(mimic):
    presets = mimic.get("/mimic/v1.0/presets").json()["cinder"]["metadata"]
    assert set(presets) == {"volume_creating", "volume_error", "volume_deleting"}


def test_volume_from_image_is_bootable_and_must_fit_the_images_min_disk(cinder):
    too_small = cinder.call("POST", "volumes", json={"volume": {"size": 1, "imageRef": UBUNTU}})
    assert fault(too_small, 400, "badRequest") == (
        "Invalid input received: Volume size 1GB cannot be smaller than the image "
        "minDisk size 20GB.")
    volume = cinder.create(size=20, imageRef=UBUNTU)
    assert volume["bootable"] == "true"
    assert volume["volume_image_metadata"]["image_id"] == UBUNTU
    unknown = cinder.call("POST", "volumes",
                          json={"volume": {"size": 20, "imageRef": "no-such-image"}})
    assert fault(unknown, 400, "badRequest") == (
        "Invalid image identifier or unable to access requested image.")
    assert len(cinder.ok("GET", "volumes")["volumes"]) == 1


def test_volume_from_snapshot_takes_its_size_unless_given_a_larger_one(cinder):
    source = cinder.create(size=3)
    snapshot = cinder.ok("POST", "snapshots", 202, json={"snapshot": {
        "volume_id": source["id"], "name": "snap"}})["snapshot"]
    restored = cinder.ok("POST", "volumes", 202, json={"volume": {
        "snapshot_id": snapshot["id"]}})["volume"]
    assert (restored["size"], restored["snapshot_id"]) == (3, snapshot["id"])
    smaller = cinder.call("POST", "volumes", json={"volume": {
        "snapshot_id": snapshot["id"], "size": 2}})
    assert "cannot be smaller than the snapshot size 3GB" in fault(smaller, 400, "badRequest")
    missing = cinder.call("POST", "volumes", json={"volume": {"snapshot_id": "nope"}})
    assert fault(missing, 404, "itemNotFound") == "Snapshot nope could not be found."


def test_bad_volume_bodies_are_400_in_cinders_words_and_create_nothing(cinder):
    cases = [
        ({"volume": {"size": 0}},
         "Invalid input for field/attribute size. Value: 0. 0 is less than the minimum of 1"),
        ({"volume": {"size": "big"}}, "Invalid input for field/attribute size."),
        ({"volume": {}}, "'size' is a required property"),
        ({"size": 1}, "'volume' is a required property"),
        ({"volume": {"size": 1, "name": 5}}, "Invalid input for field/attribute name."),
        ({"volume": {"size": 1, "volume_type": "gold"}}, None),
    ]
    for body, words in cases:
        response = cinder.call("POST", "volumes", json=body)
        if words is None:
            assert fault(response, 404, "itemNotFound") == (
                "Volume type with name gold could not be found.")
        else:
            assert words in fault(response, 400, "badRequest")
    malformed = cinder.call("POST", "volumes", data=b"{not json",
                            headers={"Content-Type": "application/json"})
    fault(malformed, 400, "badRequest")
    assert cinder.ok("GET", "volumes")["volumes"] == []


def test_volume_types_and_the_default_type_at_every_microversion(cinder):
    types = {t["name"]: t for t in cinder.ok("GET", "types")["volume_types"]}
    assert set(types) == {"__DEFAULT__", "SSD", "SATA"}
    assert cinder.ok("GET", f"types/{types['SSD']['id']}")["volume_type"]["name"] == "SSD"
    assert cinder.ok("GET", "types/default")["volume_type"]["name"] == "__DEFAULT__"
    # ``default`` is the caller's default type at every version
    # (cinder/api/v3/types.py, ``show``: ``if id == 'default'``); 3.62 added
    # the separate per-project ``default-types`` API.
    assert cinder.ok("GET", "types/default", version="3.0")["volume_type"]["name"] == (
        "__DEFAULT__")
    assert cinder.create(volume_type="SSD")["volume_type"] == "SSD"
    assert cinder.create(volume_type=types["SATA"]["id"])["volume_type"] == "SATA"
    # Types are shown by id only (cinder/api/v2/types.py: get_volume_type).
    assert fault(cinder.call("GET", "types/SSD"), 404, "itemNotFound") == (
        "Volume type SSD could not be found.")


def test_volume_detail_keys_appear_at_their_microversions(cinder):
    volume_id = cinder.create()["id"]

    def keys(version: str) -> set:
        return set(cinder.ok("GET", f"volumes/{volume_id}", version=version)["volume"])

    boundaries = {"group_id": "3.13", "shared_targets": "3.48", "service_uuid": "3.48",
                  "volume_type_id": "3.63", "consumes_quota": "3.65"}
    for key, version in boundaries.items():
        major, minor = version.split(".")
        before = f"{major}.{int(minor) - 1}"
        assert key not in keys(before), (key, before)
        assert key in keys(version), (key, version)


def test_extend_grows_an_available_volume_and_refuses_to_shrink(cinder):
    volume_id = cinder.create(size=2)["id"]
    cinder.ok("POST", f"volumes/{volume_id}/action", 202, json={"os-extend": {"new_size": 5}})
    assert cinder.ok("GET", f"volumes/{volume_id}")["volume"]["size"] == 5
    shrink = cinder.call("POST", f"volumes/{volume_id}/action",
                         json={"os-extend": {"new_size": 4}})
    assert fault(shrink, 400, "badRequest") == (
        "Invalid input received: New size for extend must be greater than current size. "
        "(current: 5, extended: 4).")
    unknown = cinder.call("POST", f"volumes/{volume_id}/action", json={"os-shrink": {}})
    assert fault(unknown, 400, "badRequest").startswith("There is no such action: os-shrink.")


def test_extend_of_an_in_use_volume_needs_3_42(cinder):
    volume_id = cinder.create(size=1)["id"]
    cinder.ok("POST", f"volumes/{volume_id}/action", 202,
              json={"os-attach": {"instance_uuid": "server-1", "mountpoint": "/dev/vdb"}})
    assert cinder.status(volume_id) == "in-use"
    old = cinder.call("POST", f"volumes/{volume_id}/action", version="3.41",
                      json={"os-extend": {"new_size": 2}})
    assert "to extend, currently in-use" in fault(old, 400, "badRequest")
    cinder.ok("POST", f"volumes/{volume_id}/action", 202, version="3.42",
              json={"os-extend": {"new_size": 2}})


def test_legacy_attach_actions_move_status_through_attaching_and_in_use(cinder):
    volume_id = cinder.create()["id"]
    action = f"volumes/{volume_id}/action"
    cinder.ok("POST", action, 202, json={"os-reserve": None})
    assert cinder.status(volume_id) == "attaching"
    cinder.ok("POST", action, 202, json={"os-attach": {"instance_uuid": "srv",
                                                       "mountpoint": "/dev/vdb"}})
    volume = cinder.ok("GET", f"volumes/{volume_id}")["volume"]
    assert volume["status"] == "in-use"
    assert [(a["server_id"], a["device"]) for a in volume["attachments"]] == [("srv", "/dev/vdb")]
    deleting = cinder.call("DELETE", f"volumes/{volume_id}")
    assert "must not be migrating, attached" in fault(deleting, 400, "badRequest")
    cinder.ok("POST", action, 202, json={"os-begin_detaching": {}})
    assert cinder.status(volume_id) == "detaching"
    cinder.ok("POST", action, 202, json={"os-detach": {}})
    assert cinder.status(volume_id) == "available"


def test_snapshots_create_list_show_update_delete(cinder):
    volume_id = cinder.create(size=2)["id"]
    snapshot = cinder.ok("POST", "snapshots", 202, json={"snapshot": {
        "volume_id": volume_id, "name": "s1", "metadata": {"k": "v"}}})["snapshot"]
    assert (snapshot["status"], snapshot["size"], snapshot["volume_id"]) == (
        "available", 2, volume_id)
    assert [s["id"] for s in cinder.ok("GET", "snapshots")["snapshots"]] == [snapshot["id"]]
    (detail,) = cinder.ok("GET", "snapshots/detail")["snapshots"]
    assert detail["os-extended-snapshot-attributes:progress"] == "100%"
    renamed = cinder.ok("PUT", f"snapshots/{snapshot['id']}",
                        json={"snapshot": {"name": "s2"}})["snapshot"]
    assert renamed["name"] == "s2"
    busy = cinder.call("DELETE", f"volumes/{volume_id}")
    assert "have snapshots" in fault(busy, 400, "badRequest")
    cinder.ok("DELETE", f"snapshots/{snapshot['id']}", 202)
    fault(cinder.call("GET", f"snapshots/{snapshot['id']}"), 404, "itemNotFound")
    cinder.ok("DELETE", f"volumes/{volume_id}", 202)


def test_snapshot_keys_appear_at_their_microversions(cinder):
    volume_id = cinder.create()["id"]
    snapshot_id = cinder.ok("POST", "snapshots", 202, json={"snapshot": {
        "volume_id": volume_id}})["snapshot"]["id"]

    def keys(version: str) -> set:
        return set(cinder.ok("GET", f"snapshots/{snapshot_id}", version=version)["snapshot"])

    assert "group_snapshot_id" not in keys("3.13") and "group_snapshot_id" in keys("3.14")
    assert "user_id" not in keys("3.40") and "user_id" in keys("3.41")
    assert "consumes_quota" not in keys("3.64") and "consumes_quota" in keys("3.65")


def test_snapshot_of_in_use_volume_needs_force_before_3_66(cinder):
    volume_id = cinder.create()["id"]
    cinder.ok("POST", f"volumes/{volume_id}/action", 202,
              json={"os-attach": {"instance_uuid": "srv", "mountpoint": "/dev/vdb"}})
    body = {"snapshot": {"volume_id": volume_id}}
    refused = cinder.call("POST", "snapshots", version="3.65", json=body)
    assert fault(refused, 400, "badRequest") == (
        f"Invalid volume: Volume {volume_id} status must be available, but current "
        "status is: in-use.")
    cinder.ok("POST", "snapshots", 202, version="3.65",
              json={"snapshot": {"volume_id": volume_id, "force": True}})
    cinder.ok("POST", "snapshots", 202, version="3.66", json=body)


def test_availability_zones_and_limits_count_what_the_tenant_holds(cinder):
    zones = cinder.ok("GET", "os-availability-zone")["availabilityZoneInfo"]
    assert zones == [{"zoneName": "nova", "zoneState": {"available": True}}]
    volume_id = cinder.create(size=4)["id"]
    cinder.ok("POST", "snapshots", 202, json={"snapshot": {"volume_id": volume_id}})
    absolute = cinder.ok("GET", "limits")["limits"]["absolute"]
    assert (absolute["maxTotalVolumes"], absolute["maxTotalVolumeGigabytes"]) == (10, 1000)
    assert (absolute["totalVolumesUsed"], absolute["totalSnapshotsUsed"],
            absolute["totalGigabytesUsed"]) == (1, 1, 8)


def test_quota_sets_show_limits_and_usage_of_ones_own_project_only(cinder):
    cinder.create(size=3)
    quotas = cinder.ok("GET", "os-quota-sets/770001")["quota_set"]
    assert (quotas["id"], quotas["volumes"], quotas["gigabytes"]) == ("770001", 10, 1000)
    assert quotas["volumes___DEFAULT__"] == -1
    usage = cinder.ok("GET", "os-quota-sets/770001?usage=True")["quota_set"]
    assert usage["volumes"] == {"limit": 10, "in_use": 1, "reserved": 0, "allocated": 0}
    assert usage["gigabytes"]["in_use"] == 3
    defaults = cinder.ok("GET", "os-quota-sets/770001/defaults")["quota_set"]
    assert defaults["snapshots"] == 10
    assert fault(cinder.call("GET", "os-quota-sets/someone-else"), 403, "forbidden") == (
        "Policy doesn't allow volume_extension:quotas:show to be performed.")


def test_quotas_are_enforced_with_413_over_limit(cinder):
    big = cinder.call("POST", "volumes", json={"volume": {"size": 1001}})
    assert fault(big, 413, "overLimit") == (
        "Requested volume or snapshot exceeds allowed gigabytes quota. Requested 1001G, "
        "quota is 1000G and 0G has been consumed.")
    assert big.headers["Retry-After"] == "0"
    for _ in range(10):
        cinder.create()
    eleventh = cinder.call("POST", "volumes", json={"volume": {"size": 1}})
    assert fault(eleventh, 413, "overLimit") == (
        "Maximum number of volumes allowed (10) exceeded for quota 'volumes'.")
    assert len(cinder.ok("GET", "volumes")["volumes"]) == 10


def test_volume_metadata_routes(cinder):
    volume_id = cinder.create(metadata={"a": "1"})["id"]
    path = f"volumes/{volume_id}/metadata"
    assert cinder.ok("POST", path, json={"metadata": {"b": "2"}})["metadata"] == {
        "a": "1", "b": "2"}
    assert cinder.ok("GET", f"{path}/b")["meta"] == {"b": "2"}
    assert cinder.ok("PUT", path, json={"metadata": {"c": "3"}})["metadata"] == {"c": "3"}
    cinder.ok("DELETE", f"{path}/c")
    assert cinder.ok("GET", path)["metadata"] == {}
    fault(cinder.call("GET", f"{path}/c"), 404, "itemNotFound")
    too_many = cinder.call("POST", path, json={"metadata": {str(n): "x" for n in range(129)}})
    fault(too_many, 400, "badRequest")
    assert cinder.ok("GET", path)["metadata"] == {}


# attachments (the v3 API)

def test_attachments_api_appears_at_3_27(cinder):
    volume_id = cinder.create()["id"]
    body = {"attachment": {"volume_uuid": volume_id, "instance_uuid": "srv"}}
    old = cinder.call("POST", "attachments", version="3.26", json=body)
    assert fault(old, 404, "itemNotFound") == "The resource could not be found."
    assert cinder.status(volume_id) == "available"
    cinder.ok("POST", "attachments", version="3.27", json=body)
    assert cinder.status(volume_id) == "reserved"


def test_attachment_reserve_connect_complete_and_delete(cinder):
    volume_id = cinder.create()["id"]
    attachment = cinder.ok("POST", "attachments", json={"attachment": {
        "volume_uuid": volume_id, "instance_uuid": "srv-1"}})["attachment"]
    assert (attachment["status"], attachment["connection_info"]) == ("reserved", None)
    assert attachment["attached_at"] == ""
    updated = cinder.ok("PUT", f"attachments/{attachment['id']}", json={"attachment": {
        "connector": {"host": "compute-1", "initiator": "iqn.1993-08.org.debian:01:1"}}})
    assert updated["attachment"]["status"] == "attaching"
    assert updated["attachment"]["connection_info"]["driver_volume_type"] == "iscsi"
    assert cinder.status(volume_id) == "attaching"
    cinder.ok("POST", f"attachments/{attachment['id']}/action", 204,
              json={"os-complete": None})
    volume = cinder.ok("GET", f"volumes/{volume_id}")["volume"]
    assert volume["status"] == "in-use"
    assert volume["attachments"][0]["attachment_id"] == attachment["id"]
    assert cinder.ok("GET", f"attachments?volume_id={volume_id}")["attachments"] == [
        {"id": attachment["id"], "status": "attached", "instance": "srv-1",
         "volume_id": volume_id}]
    assert cinder.ok("DELETE", f"attachments/{attachment['id']}") == {"attachments": []}
    assert cinder.status(volume_id) == "available"
    fault(cinder.call("GET", f"attachments/{attachment['id']}"), 404, "itemNotFound")


def test_attachment_of_unknown_volume_is_404_and_bad_mode_400(cinder):
    missing = cinder.call("POST", "attachments", json={"attachment": {
        "volume_uuid": "nope", "instance_uuid": "srv"}})
    assert fault(missing, 404, "itemNotFound") == "Volume nope could not be found."
    volume_id = cinder.create()["id"]
    bad_mode = cinder.call("POST", "attachments", json={"attachment": {
        "volume_uuid": volume_id, "instance_uuid": "srv", "mode": "rx"}})
    assert fault(bad_mode, 400, "badRequest") == (
        f"Invalid attaching mode 'rx' for volume {volume_id}.")
    assert cinder.status(volume_id) == "available"


# behaviors (the control API)

def test_creation_behavior_fails_matching_volumes_until_removed(cinder):
    registered = cinder.mimic.post(f"{cinder.control}/behaviors/creation", json={
        "name": "fail", "parameters": {"code": 503, "message": "backend down"},
        "criteria": [{"volume_name": "doomed-.*"}]})
    assert registered.status_code == 201, registered.text
    refused = cinder.call("POST", "volumes", json={"volume": {"size": 1, "name": "doomed-1"}})
    # With no "type", the body is named as Cinder names the code.
    assert fault(refused, 503, "serviceUnavailable") == "backend down"
    assert cinder.create(name="fine")["status"] == "available"
    listing = cinder.mimic.get(f"{cinder.control}/behaviors/creation").json()
    assert [b["name"] for b in listing["behaviors"]] == ["fail"]
    assert "creating" in listing["supported"]["behaviors"]
    removed = cinder.mimic.delete(
        f"{cinder.control}/behaviors/creation/{registered.json()['id']}")
    assert removed.status_code == 204
    assert cinder.create(name="doomed-2")["status"] == "available"


def test_creating_and_deleting_behaviors_run_on_the_clock(cinder, mimic):
    for event, name in (("creation", "creating"), ("deletion", "deleting")):
        response = mimic.post(f"{cinder.control}/behaviors/{event}", json={
            "name": name, "parameters": {"duration": 20}})
        assert response.status_code == 201, response.text
    volume_id = cinder.create()["id"]
    assert cinder.status(volume_id) == "creating"
    mimic.tick(20)
    assert cinder.status(volume_id) == "available"
    cinder.ok("DELETE", f"volumes/{volume_id}", 202)
    assert cinder.status(volume_id) == "deleting"
    mimic.tick(20)
    fault(cinder.call("GET", f"volumes/{volume_id}"), 404, "itemNotFound")


def test_bad_behavior_registrations_are_400(cinder):
    for body in ({"name": "explode"}, {"name": "creating", "parameters": {"duration": -1}},
                 {"name": "fail", "criteria": [{"server_name": "x"}]}):
        response = cinder.mimic.post(f"{cinder.control}/behaviors/creation", json=body)
        assert response.status_code == 400, response.text
    unknown = cinder.mimic.post(f"{cinder.control}/behaviors/attach", json={"name": "fail"})
    assert unknown.status_code == 404


def test_snapshot_metadata_routes(cinder):
    volume_id = cinder.create()["id"]
    snapshot_id = cinder.ok("POST", "snapshots", 202, json={"snapshot": {
        "volume_id": volume_id, "metadata": {"a": "1"}}})["snapshot"]["id"]
    path = f"snapshots/{snapshot_id}/metadata"
    assert cinder.ok("POST", path, json={"metadata": {"b": "2"}})["metadata"] == {
        "a": "1", "b": "2"}
    cinder.ok("DELETE", f"{path}/a")
    assert cinder.ok("GET", path)["metadata"] == {"b": "2"}
    assert cinder.ok("GET", f"snapshots/{snapshot_id}")["snapshot"]["metadata"] == {"b": "2"}
    fault(cinder.call("DELETE", f"{path}/a"), 404, "itemNotFound")


def test_image_metadata_actions_change_volume_image_metadata(cinder):
    volume_id = cinder.create()["id"]
    action = f"volumes/{volume_id}/action"
    cinder.ok("POST", action, json={"os-set_image_metadata": {"metadata": {"hw": "q35"}}})
    volume = cinder.ok("GET", f"volumes/{volume_id}")["volume"]
    assert volume["volume_image_metadata"] == {"hw": "q35"}
    cinder.ok("POST", action, json={"os-unset_image_metadata": {"key": "hw"}})
    assert cinder.ok("GET", f"volumes/{volume_id}")["volume"]["volume_image_metadata"] == {}
    missing = cinder.call("POST", action, json={"os-unset_image_metadata": {"key": "hw"}})
    fault(missing, 404, "itemNotFound")
    cinder.ok("POST", action, 202, json={"os-update_readonly_flag": {"readonly": True}})
    bad = cinder.call("POST", action, json={"os-update_readonly_flag": {"readonly": "maybe"}})
    fault(bad, 400, "badRequest")


def test_extensions_are_listed(cinder):
    aliases = {e["alias"] for e in cinder.ok("GET", "extensions")["extensions"]}
    assert {"os-availability-zone", "os-volume-actions", "os-quota-sets"} <= aliases


def test_snapshot_status_reset_filter_and_force_deletes(cinder):
    # cinder/api/contrib/admin_actions.py: os-reset_status and os-force_delete
    # on snapshots and volumes; snapshots listed by status (resource_filters.json).
    volume = cinder.create()
    snapshot = cinder.ok("POST", "snapshots", 202, json={"snapshot": {
        "volume_id": volume["id"], "name": "s1"}})["snapshot"]
    cinder.ok("POST", f"snapshots/{snapshot['id']}/action", 202,
              json={"os-reset_status": {"status": "error"}})
    assert [s["name"] for s in cinder.ok("GET", "snapshots/detail?status=error")[
        "snapshots"]] == ["s1"]
    assert cinder.ok("GET", "snapshots?status=available")["snapshots"] == []
    assert "Invalid status" in fault(cinder.call(
        "POST", f"snapshots/{snapshot['id']}/action",
        json={"os-reset_status": {"status": "sleeping"}}), 400, "badRequest")
    cinder.ok("POST", f"snapshots/{snapshot['id']}/action", 202,
              json={"os-force_delete": {}})
    assert cinder.ok("GET", "snapshots")["snapshots"] == []
    cinder.ok("POST", f"volumes/{volume['id']}/action", 202,
              json={"os-reset_status": {"status": "maintenance"}})
    fault(cinder.call("DELETE", f"volumes/{volume['id']}"), 400, "badRequest")
    cinder.ok("POST", f"volumes/{volume['id']}/action", 202, json={"os-force_delete": {}})
    fault(cinder.call("GET", f"volumes/{volume['id']}"), 404, "itemNotFound")
