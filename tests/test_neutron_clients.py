"""
Neutron as today's clients see it: openstacksdk's network proxy and the
``openstack`` command, authenticated with Identity v2.0, finding Neutron in
the catalog and working against it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import openstack
import pytest
from openstack import exceptions as sdk_exceptions

PUBLIC = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def conn(mimic):
    connection = openstack.connect(
        auth_url=mimic.base_url + "/identity/v2.0", username="sdk-user", password="secret",
        project_name="sdk-project", identity_api_version="2", region_name="ORD",
    )
    yield connection
    connection.close()


def test_keystoneauth_discovers_neutron_v2_from_the_catalog(mimic):
    from keystoneauth1 import adapter, session
    from keystoneauth1.identity import v2

    auth = v2.Password(auth_url=mimic.base_url + "/identity/v2.0", username="ks-user",
                       password="secret", tenant_name="ks-project")
    network = adapter.Adapter(session.Session(auth=auth), service_type="network",
                              region_name="ORD", min_version="2.0", max_version="2.latest")
    data = network.get_endpoint_data()
    assert data.api_version == (2, 0)
    # Neutron's version links end in a slash, as real Neutron's do.
    assert data.url == mimic.base_url + "/mimicking/neutron/ORD/v2.0/"
    names = [n["name"] for n in network.get("/networks").json()["networks"]]
    assert names == ["public", "private"]


def test_sdk_lists_networks_and_subnets(conn):
    networks = {n.name: n for n in conn.network.networks()}
    assert set(networks) == {"public", "private"}
    assert networks["public"].is_router_external
    assert networks["public"].id == PUBLIC
    assert [n.name for n in conn.network.networks(is_router_external=True)] == ["public"]
    assert conn.network.find_network("private").id == networks["private"].id
    subnets = {s.name: s for s in conn.network.subnets()}
    assert subnets["public-ipv6"].ip_version == 6
    assert subnets["private-ipv4"].network_id == networks["private"].id
    assert conn.network.get_subnet(subnets["private-ipv4"].id).cidr == \
        subnets["private-ipv4"].cidr


def test_sdk_creates_finds_and_deletes_ports(conn):
    private = conn.network.find_network("private")
    port = conn.network.create_port(network_id=private.id, name="sdk-port",
                                    device_id="server-9", device_owner="compute:nova")
    assert port.fixed_ips[0]["ip_address"].startswith("10.")
    assert [p.id for p in conn.network.ports(device_id="server-9")] == [port.id]
    assert conn.network.get_port(port.id).name == "sdk-port"
    port = conn.network.update_port(port, name="renamed")
    assert port.name == "renamed"
    conn.network.delete_port(port)
    assert list(conn.network.ports()) == []
    with pytest.raises(sdk_exceptions.NotFoundException):
        conn.network.get_port(port.id)


def test_sdk_security_groups_and_rules(conn):
    assert [g.name for g in conn.network.security_groups()] == ["default"]
    group = conn.network.create_security_group(name="web", description="web tier")
    rule = conn.network.create_security_group_rule(
        security_group_id=group.id, direction="ingress", protocol="tcp",
        port_range_min=443, port_range_max=443, remote_ip_prefix="0.0.0.0/0")
    assert rule.port_range_min == 443
    shown = conn.network.get_security_group(group.id)
    assert rule.id in [r["id"] for r in shown.security_group_rules]
    assert conn.network.find_security_group("web").id == group.id
    with pytest.raises(sdk_exceptions.ConflictException):
        conn.network.create_security_group_rule(
            security_group_id=group.id, direction="ingress", protocol="tcp",
            port_range_min=443, port_range_max=443, remote_ip_prefix="0.0.0.0/0")
    conn.network.delete_security_group_rule(rule)
    conn.network.delete_security_group(group)
    assert [g.name for g in conn.network.security_groups()] == ["default"]


def test_sdk_floating_ip_lifecycle(conn):
    public = conn.network.find_network("public")
    port = conn.network.create_port(network_id=conn.network.find_network("private").id)
    fip = conn.network.create_ip(floating_network_id=public.id)
    assert fip.status == "DOWN" and fip.floating_ip_address
    fip = conn.network.update_ip(fip, port_id=port.id)
    assert fip.port_id == port.id
    assert fip.fixed_ip_address == port.fixed_ips[0]["ip_address"]
    found = conn.network.find_ip(fip.floating_ip_address)
    assert found.id == fip.id
    assert [f.id for f in conn.network.ips(port_id=port.id)] == [fip.id]
    fip = conn.network.update_ip(fip, port_id=None)
    assert fip.port_id is None and fip.status == "DOWN"
    conn.network.delete_ip(fip)
    assert list(conn.network.ips()) == []


def test_sdk_network_and_subnet_lifecycle(conn):
    network = conn.network.create_network(name="backend")
    subnet = conn.network.create_subnet(network_id=network.id, cidr="172.16.0.0/24",
                                        ip_version=4, name="backend-v4")
    assert subnet.gateway_ip == "172.16.0.1"
    assert conn.network.get_network(network.id).subnet_ids == [subnet.id]
    port = conn.network.create_port(network_id=network.id)
    assert port.fixed_ips == [{"subnet_id": subnet.id, "ip_address": "172.16.0.2"}]
    with pytest.raises(sdk_exceptions.ConflictException):
        conn.network.delete_network(network)
    conn.network.delete_port(port)
    conn.network.delete_network(network)
    assert [n.name for n in conn.network.networks()] == ["public", "private"]
    assert "backend-v4" not in [s.name for s in conn.network.subnets()]


def openstack_cli(mimic, *args):
    env = {key: value for key, value in os.environ.items() if not key.startswith("OS_")}
    env.update(OS_AUTH_URL=mimic.base_url + "/identity/v2.0", OS_IDENTITY_API_VERSION="2",
               OS_USERNAME="cli-user", OS_PASSWORD="secret", OS_PROJECT_NAME="cli-project",
               OS_REGION_NAME="ORD")
    command = os.path.join(os.path.dirname(sys.executable), "openstack")
    result = subprocess.run([command, *args], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else None


def test_openstack_cli_lists_networks_and_manages_a_floating_ip(mimic):
    networks = openstack_cli(mimic, "network", "list", "-f", "json")
    assert sorted(n["Name"] for n in networks) == ["private", "public"]
    fip = openstack_cli(mimic, "floating", "ip", "create", "public", "-f", "json")
    assert fip["floating_network_id"] == PUBLIC and fip["status"] == "DOWN"
    listed = openstack_cli(mimic, "floating", "ip", "list", "-f", "json")
    assert [f["Floating IP Address"] for f in listed] == [fip["floating_ip_address"]]
    openstack_cli(mimic, "floating", "ip", "delete", fip["floating_ip_address"])
    assert openstack_cli(mimic, "floating", "ip", "list", "-f", "json") == []
