"""Version documents and microversions, flavors, images, limits, keypairs, availability zones."""

from __future__ import annotations

import pytest

from tests.nova_support import UBUNTU, admin_nova_for, error_of, nova  # noqa: F401


def _region_root(nova) -> str:
    return nova.url.rsplit("/v2/", 1)[0]


@pytest.mark.parametrize("suffix", ["", "/"])
def test_compute_root_lists_versions(nova, mimic, suffix):
    response = mimic.get(_region_root(nova) + suffix)
    assert response.status_code == 200
    versions = {v["id"]: v for v in response.json()["versions"]}
    assert versions["v2.1"]["version"] == "2.100"
    assert versions["v2.1"]["min_version"] == "2.1"
    assert versions["v2.1"]["status"] == "CURRENT"
    assert versions["v2.0"]["status"] == "SUPPORTED"
    for version in versions.values():
        assert {"id", "status", "links", "min_version", "version"} <= set(version)


@pytest.mark.parametrize("path, version_id", [
    # /v2 is the catalog URL's version: microversioned, as everything under it.
    ("/v2", "v2.1"), ("/v2/", "v2.1"), ("/v2.1", "v2.1"), ("/v2.1/", "v2.1"),
])
def test_version_documents_without_tenant(nova, mimic, path, version_id):
    document = mimic.get(_region_root(nova) + path).json()["version"]
    assert document["id"] == version_id
    assert document["links"][0]["rel"] == "self"


def test_tenant_url_advertises_the_microversions_it_serves(nova):
    # What clients discover from the catalog URL (keystoneauth also tries
    # it without the project): Nova's v2.1 document, 2.1 to 2.100.
    for path in ("", "/"):
        document = nova.get(path.lstrip("/") if path else "").json()["version"]
        assert (document["id"], document["min_version"], document["version"]) == \
            ("v2.1", "2.1", "2.100")
    catalog_root = nova.url.rsplit("/", 1)[0]
    document = nova.mimic.get(catalog_root).json()["version"]
    assert document["version"] == "2.100"
    assert document["links"][0]["href"] == catalog_root + "/"


def test_served_microversion_is_echoed(nova):
    response = nova.get("flavors")
    assert response.headers["OpenStack-API-Version"] == "compute 2.1"
    assert response.headers["X-OpenStack-Nova-API-Version"] == "2.1"
    for headers in ({"OpenStack-API-Version": "compute 2.1"},
                    {"X-OpenStack-Nova-API-Version": "2.1"},
                    {"OpenStack-API-Version": "compute 2.1"}):
        response = nova.get("flavors", headers=headers)
        assert response.status_code == 200
        assert response.headers["OpenStack-API-Version"] == "compute 2.1"
    response = nova.get("flavors", headers={"OpenStack-API-Version": "compute latest"})
    assert response.headers["OpenStack-API-Version"] == "compute 2.100"


def test_microversion_header_naming_several_services(nova):
    response = nova.get("servers", headers={
        "OpenStack-API-Version": "volume 3.60, compute 2.1"})
    assert response.status_code == 200
    assert response.headers["OpenStack-API-Version"] == "compute 2.1"
    error_of(nova.get("servers", headers={
        "OpenStack-API-Version": "volume 3.0, compute 2.101"}), 406, "computeFault")


def test_unsupported_microversion_is_406(nova):
    for headers in ({"OpenStack-API-Version": "compute 2.101"},
                    {"X-OpenStack-Nova-API-Version": "2.0"},
                    {"X-OpenStack-Nova-API-Version": "3.1"}):
        message = error_of(nova.get("servers", headers=headers), 406, "computeFault")
        assert "is not supported by the API" in message


def test_malformed_microversion_is_400(nova):
    error_of(nova.get("servers", headers={"OpenStack-API-Version": "compute two"}),
             400, "badRequest")
    error_of(nova.post("servers", headers={"X-OpenStack-Nova-API-Version": "2.x"},
                       json={"server": {"name": "x", "imageRef": UBUNTU, "flavorRef": "2"}}),
             400, "badRequest")
    assert nova.get("servers").json()["servers"] == []


def test_v2_1_tenant_prefix_serves_the_same_state(nova):
    server_id = nova.create_id()
    other_url = nova.url.replace("/v2/", "/v2.1/")
    assert nova.mimic.get(f"{other_url}/servers/{server_id}").status_code == 200


# flavors

def test_flavor_list_and_detail(nova):
    flavors = nova.get("flavors").json()["flavors"]
    assert {"2", "general1-1"} <= {f["id"] for f in flavors}
    assert set(flavors[0]) == {"id", "name", "links"}
    details = nova.get("flavors/detail").json()["flavors"]
    general = next(f for f in details if f["id"] == "general1-1")
    assert general["ram"] == 1024 and general["vcpus"] == 1 and general["disk"] == 20
    assert general["os-flavor-access:is_public"] is True
    assert general["swap"] == ""
    assert {"OS-FLV-EXT-DATA:ephemeral", "OS-FLV-DISABLED:disabled", "rxtx_factor"} <= set(general)


def test_flavor_is_public_filter_is_an_admins(mimic, nova):
    # nova/api/openstack/compute/flavors.py _get_flavors: only an admin's
    # is_public is read; everyone else always gets the public flavors.
    admin = admin_nova_for(mimic)
    all_flavors = admin.get("flavors/detail").json()["flavors"]
    assert admin.get("flavors/detail",
                     params={"is_public": "none"}).json()["flavors"] == all_flavors
    assert admin.get("flavors", params={"is_public": "false"}).json()["flavors"] == []
    error_of(admin.get("flavors", params={"is_public": "maybe"}), 400, "badRequest")
    public = [f["id"] for f in all_flavors]
    assert [f["id"] for f in nova.get("flavors/detail", params={"is_public": "false"})
            .json()["flavors"]] == public
    assert nova.get("flavors", params={"is_public": "maybe"}).status_code == 200


def test_flavor_min_ram_filter_and_paging(nova):
    big = nova.get("flavors/detail", params={"minRam": 15360}).json()["flavors"]
    assert big and all(f["ram"] >= 15360 for f in big)
    first = nova.get("flavors", params={"limit": 2}).json()["flavors"]
    after = nova.get("flavors", params={"limit": 2, "marker": first[1]["id"]}).json()["flavors"]
    assert len(first) == 2 and first[1]["id"] not in {f["id"] for f in after}


def test_show_flavor_and_unknown_flavor(nova):
    assert nova.get("flavors/3").json()["flavor"]["name"] == "1GB Standard Instance"
    assert error_of(nova.get("flavors/nope"), 404,
                    "itemNotFound") == "Flavor nope could not be found."


# images

def test_image_list_and_detail(nova):
    images = nova.get("images").json()["images"]
    assert UBUNTU in {i["id"] for i in images}
    assert set(images[0]) == {"id", "name", "links"}
    detail = next(i for i in nova.get("images/detail").json()["images"] if i["id"] == UBUNTU)
    assert detail["status"] == "ACTIVE" and detail["progress"] == 100
    assert detail["minDisk"] == 20 and detail["minRam"] == 512
    assert detail["metadata"]["os_distro"] == "ubuntu"


def test_show_image_and_unknown_image(nova):
    assert nova.get(f"images/{UBUNTU}").json()["image"]["id"] == UBUNTU
    error_of(nova.get("images/nope"), 404, "itemNotFound")


def test_public_images_cannot_be_deleted_but_snapshots_can(nova):
    error_of(nova.delete(f"images/{UBUNTU}"), 403, "forbidden")
    server_id = nova.create_id()
    location = nova.action(server_id, {"createImage": {"name": "s"}}).headers["location"]
    image_id = location.rsplit("/", 1)[-1]
    assert nova.delete(f"images/{image_id}").status_code == 204
    error_of(nova.get(f"images/{image_id}"), 404, "itemNotFound")


# limits

def test_limits_count_real_usage(nova):
    absolute = nova.get("limits").json()["limits"]["absolute"]
    assert absolute["totalInstancesUsed"] == 0 and absolute["maxServerMeta"] == 40
    nova.create_id(flavorRef="4")
    doomed = nova.create_id(flavorRef="2")
    absolute = nova.get("limits").json()["limits"]["absolute"]
    assert absolute["totalInstancesUsed"] == 2
    assert absolute["totalCoresUsed"] == 3
    assert absolute["totalRAMUsed"] == 2048 + 512
    nova.delete(f"servers/{doomed}")
    absolute = nova.get("limits").json()["limits"]["absolute"]
    assert absolute["totalInstancesUsed"] == 1 and absolute["totalRAMUsed"] == 2048


# keypairs

PUBLIC_KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
              " test@example")


def test_create_keypair_with_public_key(nova):
    response = nova.post("os-keypairs", json={"keypair": {"name": "given",
                                                          "public_key": PUBLIC_KEY}})
    assert response.status_code == 200
    keypair = response.json()["keypair"]
    assert keypair["public_key"] == PUBLIC_KEY
    assert "private_key" not in keypair
    assert len(keypair["fingerprint"].split(":")) == 16


def test_create_keypair_generates_a_real_key_pair(nova):
    from cryptography.hazmat.primitives import serialization

    keypair = nova.post("os-keypairs", json={"keypair": {"name": "made"}}).json()["keypair"]
    private = serialization.load_pem_private_key(keypair["private_key"].encode(), None)
    derived = private.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    assert keypair["public_key"].startswith(derived)


def test_keypair_list_show_and_delete(nova):
    nova.post("os-keypairs", json={"keypair": {"name": "k1", "public_key": PUBLIC_KEY}})
    listing = nova.get("os-keypairs").json()["keypairs"]
    assert listing == [{"keypair": {"name": "k1", "public_key": PUBLIC_KEY,
                                    "fingerprint": listing[0]["keypair"]["fingerprint"]}}]
    shown = nova.get("os-keypairs/k1").json()["keypair"]
    assert shown["name"] == "k1" and shown["public_key"] == PUBLIC_KEY
    assert nova.delete("os-keypairs/k1").status_code == 202
    error_of(nova.get("os-keypairs/k1"), 404, "itemNotFound")
    error_of(nova.delete("os-keypairs/k1"), 404, "itemNotFound")


def test_duplicate_keypair_name_is_a_conflict(nova):
    nova.post("os-keypairs", json={"keypair": {"name": "dup", "public_key": PUBLIC_KEY}})
    error_of(nova.post("os-keypairs", json={"keypair": {"name": "dup"}}),
             409, "conflictingRequest")
    assert len(nova.get("os-keypairs").json()["keypairs"]) == 1


@pytest.mark.parametrize("body", [
    {}, {"keypair": {}}, {"keypair": {"name": ""}}, {"keypair": {"name": "a/b"}},
    {"keypair": {"name": "k", "public_key": "not a key"}},
    {"keypair": {"name": "k", "extra": 1}},
])
def test_bad_keypair_requests_are_refused(nova, body):
    error_of(nova.post("os-keypairs", json=body), 400, "badRequest")
    assert nova.get("os-keypairs").json()["keypairs"] == []


def test_availability_zones(nova):
    zones = nova.get("os-availability-zone").json()["availabilityZoneInfo"]
    assert zones == [{"zoneName": "nova", "zoneState": {"available": True}, "hosts": None}]
