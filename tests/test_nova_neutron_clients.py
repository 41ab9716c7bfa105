"""
openstacksdk (Identity v3) sees Nova and Neutron agree: what one proxy
does to a server's networking the other shows at once.
"""

from __future__ import annotations

import openstack
import pytest
from openstack import exceptions as sdk_exceptions

from tests.nova_support import UBUNTU

PUBLIC = "00000000-0000-0000-0000-000000000000"
PRIVATE = "11111111-1111-1111-1111-111111111111"


@pytest.fixture
def conn(mimic):
    connection = openstack.connect(
        auth_url=mimic.base_url + "/identity/v3", username="sdk-user", password="secret",
        project_name="sdk-project", user_domain_name="Default",
        project_domain_name="Default", region_name="ORD",
    )
    yield connection
    connection.close()


def new_server(conn, name="web", **fields):
    fields.setdefault("networks", "auto")  # required from microversion 2.37
    server = conn.compute.create_server(name=name, image_id=UBUNTU, flavor_id="2", **fields)
    return conn.compute.wait_for_server(server, wait=5)


def addresses_of(conn, server_id):
    return {(name, a["addr"], a["OS-EXT-IPS:type"])
            for name, entries in conn.compute.get_server(server_id).addresses.items()
            for a in entries}


def test_servers_addresses_are_its_neutron_ports(conn):
    server = new_server(conn, networks=[{"uuid": PRIVATE}])
    (port,) = conn.network.ports(device_id=server.id)
    assert port.network_id == PRIVATE and port.device_owner == "compute:nova"
    assert addresses_of(conn, server.id) == {
        ("private", port.fixed_ips[0]["ip_address"], "fixed")}
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, wait=5)
    assert list(conn.network.ports()) == []


def test_security_group_added_by_compute_is_on_the_ports_neutron_shows(conn):
    server = new_server(conn)
    group = conn.network.create_security_group(name="web")
    conn.compute.add_security_group_to_server(server, group)
    assert all(group.id in p.security_group_ids
               for p in conn.network.ports(device_id=server.id))
    assert {g["name"] for g in conn.compute.get_server(server.id).security_groups} == {
        "default", "web"}
    conn.compute.remove_security_group_from_server(server, group)
    assert [g["name"] for g in conn.compute.get_server(server.id).security_groups] == [
        "default"]
    # The group is free again, so Neutron lets it go.
    conn.network.delete_security_group(group)


def test_floating_ip_associated_through_neutron_shows_in_the_servers_addresses(conn):
    server = new_server(conn)
    fip = conn.network.create_ip(floating_network_id=PUBLIC)
    address = fip.floating_ip_address
    # openstacksdk sends the microversion it negotiated (2.100), and Nova
    # removed the addFloatingIp action at 2.44: a 404, as from a real cloud.
    # (The action itself, at 2.1: tests/test_nova_neutron.py.)
    with pytest.raises(sdk_exceptions.NotFoundException):
        conn.compute.add_floating_ip_to_server(server, address)
    assert ("private", address, "floating") not in addresses_of(conn, server.id)
    (private,) = conn.network.ports(device_id=server.id, network_id=PRIVATE)
    conn.network.update_ip(fip, port_id=private.id)
    assert ("private", address, "floating") in addresses_of(conn, server.id)
    conn.network.delete_ip(fip)
    assert ("private", address, "floating") not in addresses_of(conn, server.id)


def test_server_interfaces_are_neutron_ports(conn):
    server = new_server(conn, networks=[{"uuid": PUBLIC}])
    interface = conn.compute.create_server_interface(server, net_id=PRIVATE)
    port = conn.network.get_port(interface.port_id)
    assert port.device_id == server.id and port.network_id == PRIVATE
    assert [i.port_id for i in conn.compute.server_interfaces(server)
            if i.net_id == PRIVATE] == [port.id]
    assert ("private", port.fixed_ips[0]["ip_address"], "fixed") in addresses_of(conn, server.id)
    conn.compute.delete_server_interface(interface, server=server)
    with pytest.raises(sdk_exceptions.ResourceNotFound):
        conn.network.get_port(port.id)
    assert {name for name, _, _ in addresses_of(conn, server.id)} == {"public"}
