"""
Cinder as an operator uses it, through openstacksdk's ``block_storage``
(and raw HTTP where the SDK has no call): volume types with extra specs,
private access and encryption, QoS specs, group types, groups and group
snapshots, default types, services, capabilities, the volume summary,
resource filters, quota updates, transfers, and an admin acting on another
project's volume. A user named ``admin`` holds the admin role on every
project (DESIGN.md, "Who may do what"); anyone else meets Cinder's policy 403.

Cinder's behaviour was read from its source (github:openstack/cinder):
``cinder/api/v3/types.py`` (``default`` at every microversion,
``is_public`` parsed by ``api_utils._parse_is_public``),
``cinder/api/contrib/types_manage.py``, ``volume_type_access.py``,
``volume_type_encryption.py``, ``qos_specs_manage.py``,
``cinder/api/v3/default_types.py`` (3.62), ``group_types.py`` (3.11),
``groups.py`` (3.13), ``group_snapshots.py`` (3.14),
``cinder/api/v3/volume_transfer.py`` (3.55), ``cinder/api/contrib/services.py``
and ``capabilities.py`` and their views, ``etc/cinder/resource_filters.json``,
``cinder/api/contrib/quotas.py``, and ``cinder/exception.py`` for the wording.
"""

from __future__ import annotations

import json

import openstack
import pytest
from openstack import exceptions as sdk_exceptions

ADMIN_PROJECT = "990001"
USER_PROJECT = "990002"


def connect(mimic, username: str, project_id: str):
    return openstack.connect(
        auth_url=f"{mimic.base_url}/identity/v2.0", username=username,
        password="secret", project_id=project_id, region_name="ORD",
        identity_api_version="2")


@pytest.fixture
def admin(mimic):
    connection = connect(mimic, "admin", ADMIN_PROJECT)
    yield connection.block_storage
    connection.close()


@pytest.fixture
def user(mimic):
    connection = connect(mimic, "vol-owner", USER_PROJECT)
    yield connection.block_storage
    connection.close()


def raw(storage, method: str, path: str, version: str = "3.71", **kwargs):
    """A request on the connection's own Cinder endpoint, with its token."""
    return storage.request(path, method, microversion=version, **kwargs)


def test_admin_makes_a_private_type_with_specs_and_access_others_are_refused(admin, user):
    made = admin.create_type(name="gold", is_public=False, extra_specs={"tier": "1"})
    assert (made.name, made.is_public, made.extra_specs) == ("gold", False, {"tier": "1"})
    admin.update_type_extra_specs(made, replication="enabled")
    admin.delete_type_extra_specs(made, ["tier"])
    assert admin.get_type(made.id).extra_specs == {"replication": "enabled"}
    # Private: the owner of another project does not see it until granted.
    assert "gold" not in {t.name for t in user.types()}
    admin.add_type_access(made, USER_PROJECT)
    assert admin.get_type_access(made) == [
        {"volume_type_id": made.id, "project_id": USER_PROJECT}]
    assert "gold" in {t.name for t in user.types()}
    # An admin lists public types by default, all with is_public=None.
    assert "gold" not in {t.name for t in admin.types()}
    assert "gold" in {t.name for t in admin.types(is_public="None")}
    with pytest.raises(sdk_exceptions.ForbiddenException) as refused:
        user.create_type(name="mine")
    assert "volume_extension:types_manage" in str(refused.value)
    with pytest.raises(sdk_exceptions.ConflictException):
        admin.create_type(name="gold")


def test_a_type_in_use_or_the_default_cannot_be_deleted(admin, user):
    made = admin.create_type(name="silver")
    volume = user.create_volume(size=1, volume_type="silver")
    with pytest.raises(sdk_exceptions.BadRequestException, match="still in use"):
        admin.delete_type(made)
    user.delete_volume(volume)
    admin.delete_type(made)
    with pytest.raises(sdk_exceptions.NotFoundException):
        admin.get_type(made.id)
    default = raw(admin, "GET", "/types/default").json()["volume_type"]
    assert raw(admin, "DELETE", f"/types/{default['id']}").status_code == 400


def test_type_encryption_is_created_shown_updated_and_removed(admin):
    made = admin.create_type(name="secret")
    created = raw(admin, "POST", f"/types/{made.id}/encryption", json={"encryption": {
        "provider": "luks", "cipher": "aes-xts-plain64", "key_size": "256",
        "control_location": "front-end"}})
    assert created.json()["encryption"]["key_size"] == 256
    shown = raw(admin, "GET", f"/types/{made.id}/encryption").json()
    assert (shown["provider"], shown["volume_type_id"]) == ("luks", made.id)
    raw(admin, "PUT", f"/types/{made.id}/encryption/{shown['encryption_id']}",
        json={"encryption": {"control_location": "back-end"}})
    assert raw(admin, "GET", f"/types/{made.id}/encryption").json()[
        "control_location"] == "back-end"
    assert raw(admin, "POST", f"/types/{made.id}/encryption", json={
        "encryption": {"provider": "luks"}}).status_code == 400
    raw(admin, "DELETE", f"/types/{made.id}/encryption/{shown['encryption_id']}")
    assert raw(admin, "GET", f"/types/{made.id}/encryption").json() == {}


def test_qos_specs_are_set_unset_and_associated_with_types(admin, user):
    made = raw(admin, "POST", "/qos-specs", json={"qos_specs": {
        "name": "fast", "consumer": "front-end", "read_iops_sec": "1000"}}).json()
    qos = made["qos_specs"]
    assert (qos["consumer"], qos["specs"]) == ("front-end", {"read_iops_sec": "1000"})
    raw(admin, "PUT", f"/qos-specs/{qos['id']}", json={"qos_specs": {"write_iops_sec": "5"}})
    raw(admin, "PUT", f"/qos-specs/{qos['id']}/delete_keys", json={"keys": ["read_iops_sec"]})
    assert raw(admin, "GET", f"/qos-specs/{qos['id']}").json()["qos_specs"]["specs"] == {
        "write_iops_sec": "5"}
    volume_type = admin.create_type(name="qos-typed")
    raw(admin, "GET", f"/qos-specs/{qos['id']}/associate?vol_type_id={volume_type.id}")
    assert raw(admin, "GET", f"/types/{volume_type.id}").json()["volume_type"][
        "qos_specs_id"] == qos["id"]
    associations = raw(admin, "GET", f"/qos-specs/{qos['id']}/associations").json()
    assert associations == {"qos_associations": [
        {"association_type": "volume_type", "name": "qos-typed", "id": volume_type.id}]}
    # Still associated: deleting needs force.
    assert raw(admin, "DELETE", f"/qos-specs/{qos['id']}").status_code == 400
    raw(admin, "GET", f"/qos-specs/{qos['id']}/disassociate_all")
    assert raw(admin, "GET", f"/qos-specs/{qos['id']}/associations").json()[
        "qos_associations"] == []
    raw(admin, "DELETE", f"/qos-specs/{qos['id']}")
    assert raw(admin, "GET", "/qos-specs").json() == {"qos_specs": []}
    assert raw(user, "GET", "/qos-specs").status_code == 403


def test_default_types_per_project_from_3_62_decide_new_volumes_type(admin, user):
    made = admin.create_type(name="per-project")
    admin.set_default_type(USER_PROJECT, made.id)
    assert admin.show_default_type(USER_PROJECT).volume_type_id == made.id
    assert [(d.project_id, d.volume_type_id) for d in admin.default_types()] == [
        (USER_PROJECT, made.id)]
    assert user.create_volume(size=1).volume_type == "per-project"
    admin.unset_default_type(USER_PROJECT)
    assert user.create_volume(size=1).volume_type == "__DEFAULT__"
    assert raw(admin, "GET", f"/default-types/{USER_PROJECT}", version="3.61"
               ).status_code == 404


def test_services_capabilities_summary_and_resource_filters(admin, user):
    services = list(admin.services())
    assert {(s.binary, s.status, s.state) for s in services} == {
        ("cinder-scheduler", "enabled", "up"), ("cinder-volume", "enabled", "up")}
    host = next(s.host for s in services if s.binary == "cinder-volume")
    capabilities = admin.get_capabilities(host)
    assert (capabilities.volume_backend_name, capabilities.storage_protocol) == (
        "lvmdriver-1", "iSCSI")
    with pytest.raises(sdk_exceptions.NotFoundException):
        admin.get_capabilities("nowhere")
    volume = next(s for s in services if s.binary == "cinder-volume")
    admin.disable_service(volume, reason="maintenance")
    assert {s.binary: s.status for s in admin.services()}["cinder-volume"] == "disabled"
    admin.enable_service(volume)
    user.create_volume(size=2, metadata={"team": "qa"})
    admin.create_volume(size=3)
    assert (admin.summary(all_projects=True).total_size,
            user.summary(False).total_size) == (5, 2)
    assert user.summary(False).metadata == {"team": ["qa"]}
    filters = {f.resource: f.filters for f in user.resource_filters()}
    assert "volume_id" in filters["attachment"] and "name" in filters["volume"]
    with pytest.raises(sdk_exceptions.ForbiddenException):
        list(user.services())


def test_an_admin_updates_and_reverts_another_projects_quotas(admin, user):
    updated = admin.update_quota_set(USER_PROJECT, volumes=1)
    assert updated.volumes == 1
    user.create_volume(size=1)
    with pytest.raises(sdk_exceptions.HttpException) as over:
        user.create_volume(size=1)
    assert over.value.status_code == 413
    assert admin.get_quota_set_defaults(USER_PROJECT).volumes == 10
    admin.revert_quota_set(USER_PROJECT)
    assert admin.get_quota_set(USER_PROJECT).volumes == 10
    with pytest.raises(sdk_exceptions.ForbiddenException):
        user.update_quota_set(USER_PROJECT, volumes=100)
    with pytest.raises(sdk_exceptions.BadRequestException):
        admin.update_quota_set(USER_PROJECT, volumes="many")


def test_groups_of_volumes_with_group_types_specs_and_group_snapshots(admin):
    group_type = admin.create_group_type(name="consistent")
    admin.create_group_type_group_specs(group_type, {"consistent_group": "<is> True"})
    assert admin.get_group_type(group_type.id).group_specs == {
        "consistent_group": "<is> True"}
    volume_type = next(iter(admin.types()))
    group = admin.create_group(name="g1", group_type=group_type.id,
                               volume_types=[volume_type.id])
    member = admin.create_volume(size=1, volume_type=volume_type.id, group_id=group.id)
    assert admin.get_volume(member.id).group_id == group.id
    # A grouped volume goes only with its group.
    with pytest.raises(sdk_exceptions.BadRequestException):
        admin.delete_volume(member)
    snapshot = admin.create_group_snapshot(name="gs1", group_id=group.id)
    assert admin.get_group_snapshot(snapshot.id).status == "available"
    assert [s.group_snapshot_id for s in admin.snapshots(details=True)] == [snapshot.id]
    with pytest.raises(sdk_exceptions.BadRequestException):
        admin.delete_group_type(group_type)
    admin.delete_group_snapshot(snapshot)
    assert list(admin.snapshots()) == []
    admin.delete_group(group, delete_volumes=True)
    with pytest.raises(sdk_exceptions.NotFoundException):
        admin.get_group(group.id)
    assert list(admin.volumes()) == []
    admin.delete_group_type(group_type)


def test_a_transfer_moves_the_volume_to_the_project_that_accepts_it(admin, user, mimic):
    volume = user.create_volume(size=1, name="gift")
    offer = user.create_transfer(volume_id=volume.id, name="to-admin")
    assert offer.auth_key and user.get_volume(volume.id).status == "awaiting-transfer"
    with pytest.raises(sdk_exceptions.BadRequestException, match="invalid auth key"):
        admin.accept_transfer(offer.id, "wrong")
    admin.accept_transfer(offer.id, offer.auth_key)
    assert [v.name for v in admin.volumes()] == ["gift"]
    assert list(user.volumes()) == []
    assert admin.get_volume(volume.id).status == "available"
    # Deleting an offer puts the volume back.
    again = admin.create_transfer(volume_id=volume.id, name="back")
    admin.delete_transfer(again.id)
    assert admin.get_volume(volume.id).status == "available"


def test_an_admin_reaches_another_projects_volume_and_its_owner_the_attachment(admin, user):
    volume = user.create_volume(size=1)
    attachment = admin.create_attachment(volume.id, connector={}, instance_id="server-1")
    # An empty connector reserves only (cinder/volume/api.py ``attachment_create``).
    assert user.get_volume(volume.id).status == "reserved"
    user.delete_attachment(attachment.id, ignore_missing=False)
    assert user.get_volume(volume.id).status == "available"
    # A non-admin reaches only its own project's volumes.
    mine = admin.create_volume(size=1)
    with pytest.raises(sdk_exceptions.NotFoundException):
        user.get_volume(mine.id)


def test_the_regions_types_and_groups_survive_a_snapshot_and_restore(admin, mimic):
    made = admin.create_type(name="kept", extra_specs={"a": "b"})
    group_type = admin.create_group_type(name="kept-groups")
    document = mimic.get("/mimic/v1.1/state").json()
    admin.delete_type(made)
    admin.delete_group_type(group_type)
    restored = mimic.put("/mimic/v1.1/state", data=json.dumps(document).encode())
    assert restored.status_code == 200, restored.text
    assert admin.get_type(made.id).extra_specs == {"a": "b"}
    assert admin.get_group_type(group_type.id).name == "kept-groups"


def test_specs_must_be_strings_and_bounded_and_a_refusal_changes_nothing(admin):
    made = admin.create_type(name="strict", extra_specs={"a": "b"})
    for specs in ({"n": 1}, {"": "empty key"}, {"k": "x" * 256},
                  {f"k{i}": "v" for i in range(129)}):
        response = raw(admin, "POST", f"/types/{made.id}/extra_specs",
                       json={"extra_specs": specs})
        assert response.status_code == 400, specs
        assert "badRequest" in response.json()
    assert admin.get_type(made.id).extra_specs == {"a": "b"}
