"""Server actions (POST servers/<id>/action): state changes on the clock, wrong states, bad bodies."""

from __future__ import annotations

import pytest

from tests.nova_support import DEBIAN, error_of, nova  # noqa: F401


def test_soft_reboot_is_reboot_for_a_few_clock_seconds(nova, mimic):
    server_id = nova.create_id()
    assert nova.action(server_id, {"reboot": {"type": "SOFT"}}).status_code == 202
    server = nova.server(server_id)
    assert server["status"] == "REBOOT"
    assert server["OS-EXT-STS:task_state"] == "rebooting"
    mimic.tick(2)
    assert nova.status(server_id) == "REBOOT"
    mimic.tick(1)
    assert nova.status(server_id) == "ACTIVE"


def test_hard_reboot_is_hard_reboot_then_active(nova, mimic):
    server_id = nova.create_id()
    assert nova.action(server_id, {"reboot": {"type": "HARD"}}).status_code == 202
    assert nova.status(server_id) == "HARD_REBOOT"
    mimic.tick(5)
    server = nova.server(server_id)
    assert server["status"] == "ACTIVE"
    assert server["updated"] == "1970-01-01T00:00:05Z"


def test_reboot_needs_a_valid_type(nova):
    server_id = nova.create_id()
    error_of(nova.action(server_id, {"reboot": {"type": "GENTLE"}}), 400, "badRequest")
    error_of(nova.action(server_id, {"reboot": {}}), 400, "badRequest")
    assert nova.status(server_id) == "ACTIVE"


def test_rebuild_changes_image_and_returns_server_with_password(nova, mimic):
    server_id = nova.create_id()
    response = nova.action(server_id, {"rebuild": {"imageRef": DEBIAN, "name": "again"}})
    assert response.status_code == 202
    body = response.json()["server"]
    assert body["status"] == "REBUILD" and body["adminPass"]
    assert body["image"]["id"] == DEBIAN and body["name"] == "again"
    mimic.tick(5)
    assert nova.status(server_id) == "ACTIVE"


def test_rebuild_with_unknown_image_changes_nothing(nova):
    server_id = nova.create_id()
    error_of(nova.action(server_id, {"rebuild": {"imageRef": "nope"}}), 400, "badRequest")
    server = nova.server(server_id)
    assert server["status"] == "ACTIVE" and server["image"]["id"] != "nope"


def test_resize_then_confirm(nova, mimic):
    server_id = nova.create_id()
    assert nova.action(server_id, {"resize": {"flavorRef": "4"}}).status_code == 202
    assert nova.status(server_id) == "RESIZE"
    mimic.tick(5)
    server = nova.server(server_id)
    assert server["status"] == "VERIFY_RESIZE" and server["flavor"]["id"] == "4"
    assert nova.action(server_id, {"confirmResize": None}).status_code == 204
    server = nova.server(server_id)
    assert server["status"] == "ACTIVE" and server["flavor"]["id"] == "4"


def test_resize_then_revert_restores_flavor(nova, mimic):
    server_id = nova.create_id()
    nova.action(server_id, {"resize": {"flavorRef": "4"}})
    mimic.tick(5)
    assert nova.action(server_id, {"revertResize": None}).status_code == 202
    assert nova.status(server_id) == "REVERT_RESIZE"
    mimic.tick(3)
    server = nova.server(server_id)
    assert server["status"] == "ACTIVE" and server["flavor"]["id"] == "2"


def test_resize_to_same_or_documented_invalid_flavor_is_refused(nova):
    server_id = nova.create_id()
    error_of(nova.action(server_id, {"resize": {"flavorRef": "2"}}), 400, "badRequest")
    error_of(nova.action(server_id, {"resize": {"flavorRef": "8888"}}), 400, "badRequest")
    assert nova.status(server_id) == "ACTIVE"


def test_confirm_or_revert_without_resize_is_a_conflict(nova):
    server_id = nova.create_id()
    error_of(nova.action(server_id, {"confirmResize": None}), 409, "conflictingRequest")
    error_of(nova.action(server_id, {"revertResize": None}), 409, "conflictingRequest")


def test_change_password(nova):
    server_id = nova.create_id()
    assert nova.action(server_id, {"changePassword": {"adminPass": "n3w"}}).status_code == 202
    error_of(nova.action(server_id, {"changePassword": {}}), 400, "badRequest")


def test_create_image_appears_saving_then_active(nova, mimic):
    server_id = nova.create_id()
    response = nova.action(server_id, {"createImage": {"name": "snap", "metadata": {"k": "v"}}})
    assert response.status_code == 202
    image_url = response.headers["location"]
    image_id = image_url.rsplit("/", 1)[-1]
    image = mimic.get(image_url).json()["image"]
    assert image["status"] == "SAVING" and image["name"] == "snap"
    assert image["server"]["id"] == server_id
    assert image["metadata"]["k"] == "v"
    assert image_id in {i["id"] for i in nova.get("images").json()["images"]}
    mimic.tick(5)
    assert nova.get(f"images/{image_id}").json()["image"]["status"] == "ACTIVE"
    snapshots = nova.get("images/detail", params={"server": server_id}).json()["images"]
    assert [i["id"] for i in snapshots] == [image_id]


def test_new_server_from_snapshot(nova, mimic):
    server_id = nova.create_id()
    response = nova.action(server_id, {"createImage": {"name": "snap"}})
    image_id = response.headers["location"].rsplit("/", 1)[-1]
    child = nova.create_id("child", imageRef=image_id)
    assert nova.server(child)["image"]["id"] == image_id


@pytest.mark.parametrize("action, status, back, back_status", [
    ("os-stop", "SHUTOFF", "os-start", "ACTIVE"),
    ("pause", "PAUSED", "unpause", "ACTIVE"),
    ("suspend", "SUSPENDED", "resume", "ACTIVE"),
])
def test_state_switches_and_their_inverses(nova, action, status, back, back_status):
    server_id = nova.create_id()
    assert nova.action(server_id, {back: None}).status_code == 409
    assert nova.action(server_id, {action: None}).status_code == 202
    assert nova.status(server_id) == status
    error_of(nova.action(server_id, {action: None}), 409, "conflictingRequest")
    assert nova.action(server_id, {back: None}).status_code == 202
    assert nova.status(server_id) == back_status


def test_stopped_server_shows_stopped_vm_state_and_power_off(nova):
    server_id = nova.create_id()
    nova.action(server_id, {"os-stop": None})
    server = nova.server(server_id)
    assert server["OS-EXT-STS:vm_state"] == "stopped"
    assert server["OS-EXT-STS:power_state"] == 4


def test_rescue_returns_password_and_unrescue_returns_to_active(nova):
    server_id = nova.create_id()
    response = nova.action(server_id, {"rescue": {"adminPass": "pw"}})
    assert response.status_code == 200 and response.json() == {"adminPass": "pw"}
    assert nova.status(server_id) == "RESCUE"
    assert nova.action(server_id, {"unrescue": None}).status_code == 202
    assert nova.status(server_id) == "ACTIVE"
    error_of(nova.action(server_id, {"unrescue": None}), 409, "conflictingRequest")


def test_locked_server_refuses_actions_and_delete_until_unlocked(nova):
    server_id = nova.create_id()
    assert nova.action(server_id, {"lock": None}).status_code == 202
    message = error_of(nova.action(server_id, {"os-stop": None}), 409, "conflictingRequest")
    assert message == f"Instance {server_id} is locked"
    error_of(nova.delete(f"servers/{server_id}"), 409, "conflictingRequest")
    assert nova.action(server_id, {"unlock": None}).status_code == 202
    assert nova.delete(f"servers/{server_id}").status_code == 204


def test_add_and_remove_security_group(nova):
    server_id = nova.create_id()
    nova.security_group("web")
    assert nova.action(server_id, {"addSecurityGroup": {"name": "web"}}).status_code == 202
    assert nova.server(server_id)["security_groups"] == [{"name": "default"}, {"name": "web"}]
    assert nova.action(server_id, {"removeSecurityGroup": {"name": "default"}}).status_code == 202
    assert nova.server(server_id)["security_groups"] == [{"name": "web"}]


def test_a_building_server_shows_no_groups_until_its_ports_exist(nova, mimic):
    # Nova reads the groups from the server's ports in Neutron, which its
    # compute host makes during the build (views/servers.py
    # _add_security_grps): a show while building has no security_groups,
    # so python-openstackclient's server create prints the groups it asked
    # for (functional test_server_create_with_security_group).
    server_id = nova.create_id(metadata={"server_building": 30})
    assert "security_groups" not in nova.server(server_id)
    mimic.tick(30)
    assert nova.server(server_id)["security_groups"] == [{"name": "default"}]


def test_adding_a_group_the_server_has_is_neutrons_duplicate_400(nova):
    # A real cloud: nova/network/security_group_api.py add_to_instance
    # appends the group's id to each port's security_groups and calls
    # Neutron's update_port; Neutron validates the list as 'type:uuid_list'
    # (neutron/extensions/securitygroup.py), whose neutron-lib validator
    # (_validate_list_of_items) refuses duplicates with "Duplicate items in
    # the list", wrapped by neutron-lib's attributes.convert_values as
    # "Invalid input for security_groups. Reason: ...", a 400 that Nova
    # passes on as SecurityGroupCannotBeApplied (HTTP 400).
    server_id = nova.create_id()
    web = nova.security_group("web")
    assert nova.action(server_id, {"addSecurityGroup": {"name": "web"}}).status_code == 202
    ports = nova.neutron("GET", f"ports?device_id={server_id}", expect=200)["ports"]
    before = [port["security_groups"] for port in ports]
    message = error_of(nova.action(server_id, {"addSecurityGroup": {"name": "web"}}),
                       400, "badRequest")
    assert message == ("Invalid input for security_groups. Reason: Duplicate items "
                       f"in the list: '{web['id']}'.")
    ports = nova.neutron("GET", f"ports?device_id={server_id}", expect=200)["ports"]
    assert [port["security_groups"] for port in ports] == before
    assert nova.server(server_id)["security_groups"] == [{"name": "default"}, {"name": "web"}]


def test_removing_a_group_the_server_lacks_is_novas_404(nova):
    # nova/network/security_group_api.py remove_from_instance raises
    # SecurityGroupNotFound when no port had the group: the API's 404.
    server_id = nova.create_id()
    nova.security_group("web")
    message = error_of(nova.action(server_id, {"removeSecurityGroup": {"name": "web"}}),
                       404, "itemNotFound")
    assert message == f"Security group web not associated with the instance {server_id}"


def test_group_changes_on_a_server_without_ports_are_novas_404(nova):
    server_id = nova.create_id(networks="none", version="2.37")
    nova.security_group("web")
    message = error_of(nova.action(server_id, {"addSecurityGroup": {"name": "web"}}),
                       404, "itemNotFound")
    assert message == (f"instance_id {server_id} could not be found as device id on "
                       "any ports")


def test_remove_fixed_ip_drops_that_address(nova):
    server_id = nova.create_id()
    private = nova.server(server_id)["addresses"]["private"][0]["addr"]
    assert nova.action(server_id, {"removeFixedIp": {"address": private}}).status_code == 202
    # The port stays, without addresses: Nova shows its network, empty.
    assert nova.server(server_id)["addresses"]["private"] == []
    error_of(nova.action(server_id, {"removeFixedIp": {"address": private}}), 400, "badRequest")


def test_actions_on_a_building_server_conflict(nova):
    server_id = nova.create_id(metadata={"server_building": 60})
    for body in ({"reboot": {"type": "SOFT"}}, {"resize": {"flavorRef": "4"}},
                 {"os-stop": None}, {"pause": None}, {"createImage": {"name": "x"}}):
        message = error_of(nova.action(server_id, body), 409, "conflictingRequest")
        assert "task_state spawning" in message
    assert nova.status(server_id) == "BUILD"


def test_unknown_or_malformed_action_is_a_bad_request(nova):
    server_id = nova.create_id()
    assert error_of(nova.action(server_id, {"explode": None}), 400,
                    "badRequest") == "There is no such action: explode"
    error_of(nova.action(server_id, {"pause": None, "lock": None}), 400, "badRequest")
    error_of(nova.action(server_id, []), 400, "badRequest")
    error_of(nova.action("nope", {"pause": None}), 404, "itemNotFound")
    assert nova.status(server_id) == "ACTIVE"
