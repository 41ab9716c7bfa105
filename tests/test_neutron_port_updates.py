"""
Changing a port's MAC address, over real sockets with openstacksdk, as
Neutron allows it: an admin may (neutron/conf/policies/port.py,
``update_port:mac_address`` is ``ADMIN_OR_SERVICE`` or a network owner
with the ``manager`` role), anyone else gets 403 ``PolicyNotAuthorized``
whenever the request names ``mac_address``. Even an admin cannot change
the MAC of a port a Neutron service owns (neutron/db/db_base_plugin_v2.py
``_check_mac_addr_update``: ``UnsupportedPortDeviceOwner``), of a port
bound to a server (neutron/plugins/ml2/plugin.py
``_check_mac_update_allowed``: ``PortBound``), or to a MAC another port
has (``MacAddressInUse``); the messages are neutron-lib's
(neutron_lib/exceptions/__init__.py).
"""

from __future__ import annotations

import openstack
import pytest
from openstack import exceptions as sdk_exceptions

from tests.neutron_support import PRIVATE


def _connect(mimic, user, project="mac-project"):
    return openstack.connect(
        auth_url=mimic.base_url + "/identity/v2.0", username=user, password="secret",
        project_name=project, identity_api_version="2", region_name="ORD")


@pytest.fixture
def member(mimic):
    connection = _connect(mimic, "mac-member")
    yield connection
    connection.close()


@pytest.fixture
def admin(mimic, member):
    # The user named admin holds the admin role on every project (as
    # devstack's does); here it works in the member's project, as OSC's
    # ``--os-username admin port set --mac-address`` test does.
    member.network.ports()  # the project exists before admin joins it
    connection = _connect(mimic, "admin")
    yield connection
    connection.close()


def test_an_admin_changes_a_ports_mac_and_everyone_sees_it(member, admin):
    port = member.network.create_port(network_id=PRIVATE)
    old_mac, old_revision = port.mac_address, port.revision_number
    changed = admin.network.update_port(port.id, mac_address="11:22:33:44:55:66")
    assert changed.mac_address == "11:22:33:44:55:66"
    assert member.network.get_port(port.id).mac_address == "11:22:33:44:55:66"
    assert changed.revision_number > old_revision
    # The old MAC is free again; the new one is taken.
    other = member.network.create_port(network_id=PRIVATE, mac_address=old_mac)
    assert other.mac_address == old_mac
    with pytest.raises(sdk_exceptions.ConflictException, match="11:22:33:44:55:66 is in use"):
        member.network.create_port(network_id=PRIVATE, mac_address="11:22:33:44:55:66")


def test_a_member_may_not_change_a_mac_even_to_the_same_one(member):
    port = member.network.create_port(network_id=PRIVATE)
    with pytest.raises(sdk_exceptions.ForbiddenException,
                       match=r"rule:update_port:mac_address\) is disallowed by policy"):
        member.network.update_port(port.id, mac_address="11:22:33:44:55:66", name="renamed")
    # openstacksdk leaves out an unchanged attribute; Neutron's policy
    # looks at what the body names, whatever its value.
    response = member.network.put(f"/ports/{port.id}", json={"port": {
        "mac_address": port.mac_address, "name": "renamed"}})
    assert response.status_code == 403
    assert response.json()["NeutronError"]["type"] == "PolicyNotAuthorized"
    unchanged = member.network.get_port(port.id)
    assert (unchanged.mac_address, unchanged.name) == (port.mac_address, port.name)


@pytest.mark.parametrize("fields, mac, kind", [
    ({}, "not-a-mac", "HTTPBadRequest"),
    ({}, "taken", "MacAddressInUse"),
    ({"device_id": "vm-1", "device_owner": "compute:nova"}, "11:22:33:44:55:77", "PortBound"),
    ({"device_id": "dhcp-1", "device_owner": "network:dhcp"}, "11:22:33:44:55:77",
     "UnsupportedPortDeviceOwner"),
])
def test_macs_an_admin_cannot_give_are_refused_and_change_nothing(member, admin, fields, mac,
                                                                  kind):
    taken = member.network.create_port(network_id=PRIVATE)
    port = member.network.create_port(network_id=PRIVATE, **fields)
    response = admin.network.put(
        f"/ports/{port.id}",
        json={"port": {"mac_address": taken.mac_address if mac == "taken" else mac,
                       "name": "renamed"}})
    assert response.status_code == (400 if kind == "HTTPBadRequest" else 409), response.text
    assert response.json()["NeutronError"]["type"] == kind
    unchanged = member.network.get_port(port.id)
    assert (unchanged.mac_address, unchanged.name, unchanged.revision_number) == (
        port.mac_address, port.name, port.revision_number)
