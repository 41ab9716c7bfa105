"""
Nova's side of Block Storage against a real Mimic: attaching and detaching
volumes through ``servers/<id>/os-volume_attachments``, the server's
``os-extended-volumes:volumes_attached``, and ``delete_on_termination`` when
the server goes. Cinder and Nova are checked to tell the same story.

Shapes from Nova's API reference and its microversion history
(github:openstack/nova, ``api-ref/source/os-volume-attachments.inc``,
``rest_api_version_history.rst``: 2.3 ``delete_on_termination`` in
``volumes_attached``, 2.70 ``tag``, 2.79 ``delete_on_termination`` on attach,
2.89 ``attachment_id``/``bdm_uuid`` in place of ``id``).
"""

from __future__ import annotations

import openstack
import pytest

from mimic.model.nova_errors import BadRequest
from mimic.model.nova_volumes import read_boot_volumes
from tests.conftest import json_of
from tests.nova_support import Nova, admin_nova_for, error_of, microversion, nova_for


@pytest.fixture
def nova(mimic) -> Nova:
    return nova_for(mimic, tenant_id="990301")


def cinder_url(mimic) -> tuple[str, dict]:
    access = mimic.authenticate("user-990301", "secret", "990301")
    return (mimic.endpoint(access, "block-storage", "ORD"),
            {"X-Auth-Token": access["token"]["id"]})


def new_volume(mimic, size: int = 1) -> str:
    url, headers = cinder_url(mimic)
    response = mimic.post(f"{url}/volumes", json={"volume": {"size": size}}, headers=headers)
    assert response.status_code == 202, response.text
    return response.json()["volume"]["id"]


def cinder_volume(mimic, volume_id: str):
    url, headers = cinder_url(mimic)
    return mimic.get(f"{url}/volumes/{volume_id}", headers=headers)


def test_attach_shows_on_both_sides_and_detach_frees_the_volume(nova, mimic):
    server_id = nova.create_id()
    volume_id = new_volume(mimic)
    attached = nova.post(f"servers/{server_id}/os-volume_attachments",
                         json={"volumeAttachment": {"volumeId": volume_id}})
    assert attached.status_code == 200, attached.text
    assert attached.json()["volumeAttachment"] == {
        "id": volume_id, "volumeId": volume_id, "serverId": server_id, "device": "/dev/vdb"}
    volume = cinder_volume(mimic, volume_id).json()["volume"]
    assert volume["status"] == "in-use"
    assert [(a["server_id"], a["device"]) for a in volume["attachments"]] == [
        (server_id, "/dev/vdb")]
    assert nova.server(server_id)["os-extended-volumes:volumes_attached"] == [
        {"id": volume_id}]
    listed = nova.get(f"servers/{server_id}/os-volume_attachments").json()
    assert [a["volumeId"] for a in listed["volumeAttachments"]] == [volume_id]
    second = new_volume(mimic)
    assert nova.post(f"servers/{server_id}/os-volume_attachments", json={
        "volumeAttachment": {"volumeId": second}}).json()["volumeAttachment"][
            "device"] == "/dev/vdc"
    detached = nova.delete(f"servers/{server_id}/os-volume_attachments/{volume_id}")
    assert detached.status_code == 202
    assert cinder_volume(mimic, volume_id).json()["volume"]["status"] == "available"
    assert [v["id"] for v in nova.server(server_id)[
        "os-extended-volumes:volumes_attached"]] == [second]
    gone = nova.get(f"servers/{server_id}/os-volume_attachments/{volume_id}")
    assert error_of(gone, 404, "itemNotFound") == f"volume_id not found: {volume_id}"


def test_attach_detach_and_swap_are_instance_actions(nova, mimic):
    # Nova records attach_volume, swap_volume and detach_volume (nova/compute/
    # instance_actions.py); clients read them from os-instance-actions.
    server_id = nova.create_id()
    first, second = new_volume(mimic), new_volume(mimic)
    nova.post(f"servers/{server_id}/os-volume_attachments",
              json={"volumeAttachment": {"volumeId": first}})
    # A member may not swap (nova/policies/volumes_attachments.py swap: ADMIN).
    error_of(nova.put(f"servers/{server_id}/os-volume_attachments/{first}",
                      json={"volumeAttachment": {"volumeId": second}}), 403, "forbidden")
    admin = admin_nova_for(mimic, "990301")
    assert admin.put(f"servers/{server_id}/os-volume_attachments/{first}",
                     json={"volumeAttachment": {"volumeId": second}}).status_code == 202
    assert cinder_volume(mimic, first).json()["volume"]["status"] == "available"
    (swapped,) = nova.get(f"servers/{server_id}/os-volume_attachments").json()[
        "volumeAttachments"]
    assert (swapped["volumeId"], swapped["device"]) == (second, "/dev/vdb")
    # From 2.85 the project changes delete_on_termination itself.
    assert nova.put(f"servers/{server_id}/os-volume_attachments/{second}",
                    headers=microversion("2.85"), json={"volumeAttachment": {
                        "volumeId": second, "delete_on_termination": True}}).status_code == 202
    assert nova.get(f"servers/{server_id}/os-volume_attachments/{second}",
                    headers=microversion("2.85")).json()["volumeAttachment"][
        "delete_on_termination"] is True
    nova.delete(f"servers/{server_id}/os-volume_attachments/{second}")
    actions = nova.get(f"servers/{server_id}/os-instance-actions").json()["instanceActions"]
    assert [a["action"] for a in actions] == [
        "detach_volume", "swap_volume", "attach_volume", "create"]


def test_attach_refusals_change_nothing(nova, mimic):
    server_id = nova.create_id()
    missing = nova.post(f"servers/{server_id}/os-volume_attachments",
                        json={"volumeAttachment": {"volumeId": "nope"}})
    assert error_of(missing, 404, "itemNotFound") == "Volume nope could not be found."
    no_body = nova.post(f"servers/{server_id}/os-volume_attachments", json={})
    error_of(no_body, 400, "badRequest")
    volume_id = new_volume(mimic)
    other = nova.create_id("other")
    assert nova.post(f"servers/{other}/os-volume_attachments", json={
        "volumeAttachment": {"volumeId": volume_id}}).status_code == 200
    busy = nova.post(f"servers/{server_id}/os-volume_attachments",
                     json={"volumeAttachment": {"volumeId": volume_id}})
    error_of(busy, 400, "badRequest")
    assert nova.server(server_id)["os-extended-volumes:volumes_attached"] == []


def test_attachment_shape_follows_the_microversion(nova, mimic):
    server_id = nova.create_id()
    volume_id = new_volume(mimic)
    body = {"volumeAttachment": {"volumeId": volume_id, "tag": "data",
                                 "delete_on_termination": True}}
    old = nova.post(f"servers/{server_id}/os-volume_attachments", json=body,
                    headers=microversion("2.78"))
    assert old.status_code == 200, old.text
    assert "delete_on_termination" not in old.json()["volumeAttachment"]
    assert old.json()["volumeAttachment"]["tag"] == "data"
    shown = nova.get(f"servers/{server_id}/os-volume_attachments/{volume_id}",
                     headers=microversion("2.89")).json()["volumeAttachment"]
    assert "id" not in shown and shown["attachment_id"] and shown["bdm_uuid"]
    assert shown["delete_on_termination"] is False
    server = nova.get(f"servers/{server_id}", headers=microversion("2.3")).json()["server"]
    assert server["os-extended-volumes:volumes_attached"] == [
        {"id": volume_id, "delete_on_termination": False}]


def test_server_delete_detaches_and_deletes_on_termination_volumes(nova, mimic):
    server_id = nova.create_id()
    kept, dropped = new_volume(mimic), new_volume(mimic)
    for volume_id, delete in ((kept, False), (dropped, True)):
        response = nova.post(f"servers/{server_id}/os-volume_attachments", json={
            "volumeAttachment": {"volumeId": volume_id, "delete_on_termination": delete}},
            headers=microversion("2.79"))
        assert response.status_code == 200, response.text
    assert nova.delete(f"servers/{server_id}").status_code == 204
    assert cinder_volume(mimic, kept).json()["volume"]["status"] == "available"
    assert cinder_volume(mimic, dropped).status_code == 404


def test_openstacksdk_attaches_a_volume_to_a_server(mimic, nova):
    conn = openstack.connect(auth_url=f"{mimic.base_url}/identity/v2.0",
                             username="user-990301", password="secret",
                             project_id="990301", region_name="ORD",
                             identity_api_version="2")
    try:
        server_id = nova.create_id()
        volume = conn.block_storage.create_volume(size=1)
        conn.compute.create_volume_attachment(server_id, volume_id=volume.id)
        assert conn.block_storage.get_volume(volume.id).status == "in-use"
        assert [a.volume_id for a in conn.compute.volume_attachments(server_id)] == [
            volume.id]
        conn.compute.delete_volume_attachment(server_id, volume.id)
        assert conn.block_storage.get_volume(volume.id).status == "available"
    finally:
        conn.close()


def test_openstack_cli_adds_lists_and_removes_a_server_volume(mimic, openstack_cli):
    # alice/acme over v2.0 is the tenant the CLI's v3 login lands in.
    acme = nova_for(mimic, tenant_id="acme")
    access = mimic.authenticate("alice", "secret", tenant_id="acme")
    acme.token = access["token"]["id"]
    server_id = acme.create_id("cli-server")
    volume = mimic.post(f"{mimic.endpoint(access, 'block-storage', 'ORD')}/volumes",
                        json={"volume": {"size": 1, "name": "cli-data"}},
                        headers={"X-Auth-Token": acme.token})
    assert volume.status_code == 202, volume.text
    added = json_of(openstack_cli(mimic.base_url, "server", "add", "volume", server_id,
                                  "cli-data", "-f", "json"))
    assert (added["Server ID"], added["Device"]) == (server_id, "/dev/vdb")
    listed = json_of(openstack_cli(mimic.base_url, "server", "volume", "list", server_id,
                                   "-f", "json"))
    assert [v["Volume ID"] for v in listed] == [volume.json()["volume"]["id"]]
    removed = openstack_cli(mimic.base_url, "server", "remove", "volume", server_id,
                            "cli-data")
    assert removed.returncode == 0, removed.stderr
    assert acme.server(server_id)["os-extended-volumes:volumes_attached"] == []


def boot(nova: Nova, mapping: dict, version: str = "2.1", **fields):
    body = {"server": {"name": "bfv", "flavorRef": "2", "block_device_mapping_v2": [
        {"boot_index": 0, "destination_type": "volume", **mapping}], **fields}}
    return nova.post("servers", json=body, headers=microversion(version))


def test_boot_from_image_makes_a_bootable_volume_that_goes_with_the_server(nova, mimic):
    from tests.nova_support import UBUNTU

    created = boot(nova, {"source_type": "image", "uuid": UBUNTU, "volume_size": 20,
                          "delete_on_termination": True})
    assert created.status_code == 202, created.text
    server_id = created.json()["server"]["id"]
    (attached,) = nova.get(f"servers/{server_id}/os-volume_attachments").json()[
        "volumeAttachments"]
    assert attached["device"] == "/dev/vda"
    volume = cinder_volume(mimic, attached["volumeId"]).json()["volume"]
    assert (volume["status"], volume["bootable"], volume["size"]) == ("in-use", "true", 20)
    assert nova.delete(f"servers/{server_id}").status_code == 204
    assert cinder_volume(mimic, attached["volumeId"]).status_code == 404


def test_boot_from_an_existing_volume_or_a_snapshot(nova, mimic):
    volume_id = new_volume(mimic, size=2)
    server_id = boot(nova, {"source_type": "volume", "uuid": volume_id}).json()["server"]["id"]
    shown = nova.server(server_id)
    assert shown["os-extended-volumes:volumes_attached"] == [{"id": volume_id}]
    assert shown["image"] == ""
    # From 2.98 images carry their properties; a volume-booted server still has none.
    assert nova.get(f"servers/{server_id}", headers=microversion("2.98")
                    ).json()["server"]["image"] == ""
    assert cinder_volume(mimic, volume_id).json()["volume"]["status"] == "in-use"
    nova.delete(f"servers/{server_id}")
    # Not delete_on_termination (Nova's default): the volume stays, detached.
    assert cinder_volume(mimic, volume_id).json()["volume"]["status"] == "available"
    url, headers = cinder_url(mimic)
    snapshot = mimic.post(f"{url}/snapshots", json={"snapshot": {"volume_id": volume_id}},
                          headers=headers).json()["snapshot"]
    from_snapshot = boot(nova, {"source_type": "snapshot", "uuid": snapshot["id"]})
    assert from_snapshot.status_code == 202, from_snapshot.text
    (attached,) = nova.server(from_snapshot.json()["server"]["id"])[
        "os-extended-volumes:volumes_attached"]
    restored = cinder_volume(mimic, attached["id"]).json()["volume"]
    assert (restored["snapshot_id"], restored["size"]) == (snapshot["id"], 2)


def test_boot_from_a_missing_volume_is_400_and_makes_no_server(nova, mimic):
    missing = boot(nova, {"source_type": "volume", "uuid": "no-such-volume"})
    assert error_of(missing, 400, "badRequest") == (
        "Block Device Mapping is Invalid: failed to get volume no-such-volume.")
    no_size = boot(nova, {"source_type": "image", "uuid": "a1b2c3d4-0001-4e6f-8a9b-0c1d2e3f4a01"})
    assert "need to have a non-zero size" in error_of(no_size, 400, "badRequest")
    volume_id = new_volume(mimic)
    several = boot(nova, {"source_type": "volume", "uuid": volume_id}, max_count=2)
    assert error_of(several, 400, "badRequest") == (
        "Cannot attach one or more volumes to multiple instances")
    assert nova.get("servers").json()["servers"] == []
    assert cinder_volume(mimic, volume_id).json()["volume"]["status"] == "available"


@pytest.mark.parametrize("word, meant", [("true", True), ("True", True), ("1", True),
                                         ("yes", True), ("false", False), ("0", False),
                                         ("off", False), (True, True)])
def test_delete_on_termination_takes_novas_boolean_words(word, meant):
    # Nova's block_device_mapping_v2 schema takes its parameter_types.boolean
    # (True/False and 'true', '1', 'yes', 'off'...); OSC's legacy
    # --block-device-mapping vdb=<image>:image:1:true sends the string.
    (volume,) = read_boot_volumes({"block_device_mapping_v2": [{
        "source_type": "image", "destination_type": "volume", "uuid": "i-1",
        "volume_size": 1, "delete_on_termination": word}]})
    assert volume.delete_on_termination is meant


@pytest.mark.parametrize("word", ["maybe", "", 2, None, [True]])
def test_delete_on_termination_refuses_what_is_no_boolean(word):
    with pytest.raises(BadRequest, match="delete_on_termination must be a boolean"):
        read_boot_volumes({"block_device_mapping_v2": [{
            "source_type": "image", "destination_type": "volume", "uuid": "i-1",
            "volume_size": 1, "delete_on_termination": word}]})
