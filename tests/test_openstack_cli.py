"""
The real ``openstack`` command end to end, configured only as its users
configure it (``OS_AUTH_URL`` on Identity v3 and the ``OS_*`` names below):
networks, images, flavors, keypairs, the server life cycle with
``--wait``, and every ``server add/remove`` of security groups, floating
IPs, fixed IPs, ports and networks. Each call's exit status and output are
asserted, and what a command changed is checked through the other API
(Nova's or Neutron's) over HTTP, so the two are seen to agree.

Every call costs one to two seconds of CPU, so the commands are grouped
into a few tests rather than one test per command.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import attrs
import pytest

from tests.nova_support import UBUNTU, Nova

OPENSTACK = os.path.join(os.path.dirname(sys.executable), "openstack")
CLI_TIMEOUT = 120
PUBLIC = "00000000-0000-0000-0000-000000000000"
PRIVATE = "11111111-1111-1111-1111-111111111111"
UBUNTU_NAME = "Ubuntu 22.04 LTS (Jammy Jellyfish)"


@attrs.define
class OpenStackCli:
    """The ``openstack`` command as a user (``alice`` of project ``acme``) in ORD."""

    base_url: str
    home: str
    username: str = "alice"
    project: str = "acme"

    def run(self, *args: str) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env.update({
            "HOME": self.home,  # no clouds.yaml of the machine's owner applies
            "OS_AUTH_URL": self.base_url + "/identity/v3",
            "OS_USERNAME": self.username,
            "OS_PASSWORD": "secret",
            "OS_PROJECT_NAME": self.project,
            "OS_USER_DOMAIN_NAME": "Default",
            "OS_PROJECT_DOMAIN_NAME": "Default",
            "OS_REGION_NAME": "ORD",
        })
        return subprocess.run([OPENSTACK, *args], env=env, capture_output=True, text=True,
                              timeout=CLI_TIMEOUT, stdin=subprocess.DEVNULL)

    def json(self, *args: str) -> Any:
        """Run a command that prints JSON; it must succeed."""
        completed = self.run(*args, "-f", "json")
        assert completed.returncode == 0, completed.stderr
        return json.loads(completed.stdout)

    def quiet(self, *args: str) -> None:
        """Run a command that prints nothing when it succeeds; it must succeed."""
        completed = self.run(*args)
        assert completed.returncode == 0, completed.stderr
        assert completed.stdout.strip() == ""


@pytest.fixture
def cli(mimic, tmp_path) -> OpenStackCli:
    home = tmp_path / "home"
    home.mkdir()
    return OpenStackCli(mimic.base_url, str(home))


@pytest.fixture
def acme(mimic) -> Nova:
    """The same tenant over HTTP (v2.0 maps alice/acme to the same tenant)."""
    access = mimic.authenticate("alice", "secret", tenant_id="acme")
    return Nova(mimic, mimic.endpoint(access, "compute", "ORD"),
                mimic.endpoint(access, "compute:control", "ORD"), access["token"]["id"],
                mimic.endpoint(access, "network", "ORD") + "/v2.0")


def addresses(server: dict) -> dict:
    """``addresses`` as Nova shows them: network name to address list."""
    return {name: [a["addr"] for a in entries] for name, entries in server["addresses"].items()}


def test_cli_lists_networks_images_and_flavors(cli):
    networks = cli.json("network", "list")
    assert {(n["ID"], n["Name"]) for n in networks} == {(PUBLIC, "public"),
                                                       (PRIVATE, "private")}
    assert len(next(n for n in networks if n["Name"] == "public")["Subnets"]) == 2
    images = cli.json("image", "list")
    assert {"ID": UBUNTU, "Name": UBUNTU_NAME, "Status": "active"} in images
    image = cli.json("image", "show", UBUNTU_NAME)
    assert image["id"] == UBUNTU and image["status"] == "active"
    assert image["visibility"] == "public"
    flavors = cli.json("flavor", "list")
    assert {"ID": "2", "Name": "512MB Standard Instance", "RAM": 512, "Disk": 20,
            "Ephemeral": 0, "VCPUs": 1, "Is Public": True} in flavors
    flavor = cli.json("flavor", "show", "2")
    assert (flavor["name"], flavor["ram"], flavor["vcpus"], flavor["disk"]) == (
        "512MB Standard Instance", 512, 1, 20)


def test_cli_creates_lists_shows_and_deletes_keypairs(cli, acme, tmp_path):
    private_key = tmp_path / "k1.pem"
    created = cli.json("keypair", "create", "--private-key", str(private_key), "k1")
    assert created["name"] == "k1"
    assert private_key.read_text().startswith("-----BEGIN")
    listed = cli.json("keypair", "list")
    # Keypairs have a type from microversion 2.2 (OSC negotiates 2.100).
    assert listed == [{"Name": "k1", "Fingerprint": created["fingerprint"], "Type": "ssh"}]
    shown = cli.json("keypair", "show", "k1")
    assert (shown["name"], shown["fingerprint"]) == ("k1", created["fingerprint"])
    cli.quiet("keypair", "delete", "k1")
    assert acme.get("os-keypairs").json() == {"keypairs": []}


def test_cli_server_create_wait_list_show_and_delete_wait(cli, acme):
    assert acme.post("os-keypairs", json={"keypair": {"name": "k1"}}).status_code == 200
    acme.security_group("web")
    # Mimic's clock stands still, and a server without presets is ACTIVE at
    # once: --wait sees ACTIVE on its first look.
    created = cli.json("server", "create", "--image", UBUNTU_NAME, "--flavor", "2",
                       "--key-name", "k1", "--security-group", "web", "--network", "private",
                       "--wait", "web1")
    assert created["status"] == "ACTIVE" and created["name"] == "web1"
    assert created["image"] == f"{UBUNTU_NAME} ({UBUNTU})"
    assert created["key_name"] == "k1"
    ports = acme.neutron("GET", f"ports?device_id={created['id']}", expect=200)["ports"]
    assert [p["network_id"] for p in ports] == [PRIVATE]
    private_ip = ports[0]["fixed_ips"][0]["ip_address"]
    assert created["addresses"] == {"private": [private_ip]}
    listed = cli.json("server", "list")
    assert [(s["ID"], s["Name"], s["Status"], s["Networks"], s["Image"]) for s in listed] == [
        (created["id"], "web1", "ACTIVE", {"private": [private_ip]}, UBUNTU_NAME)]
    shown = cli.json("server", "show", "web1")
    assert shown["id"] == created["id"]
    assert shown["security_groups"] == [{"name": "web"}]
    # From microversion 2.47 the server embeds its flavor (no id any more).
    assert shown["flavor"]["original_name"] == "512MB Standard Instance"
    assert (shown["flavor"]["vcpus"], shown["flavor"]["ram"]) == (1, 512)
    cli.quiet("server", "delete", "--wait", "web1")
    assert acme.get("servers").json() == {"servers": []}
    assert acme.neutron("GET", "ports", expect=200)["ports"] == []


def test_cli_server_add_and_remove_security_groups_and_floating_ips(cli, acme):
    server_id = acme.create_id("web2")
    web = acme.security_group("web")
    cli.quiet("server", "add", "security", "group", server_id, "web")
    assert acme.server(server_id)["security_groups"] == [{"name": "default"}, {"name": "web"}]
    ports = acme.neutron("GET", f"ports?device_id={server_id}", expect=200)["ports"]
    assert all(web["id"] in p["security_groups"] for p in ports)
    refused = cli.run("server", "add", "security", "group", server_id, "nope")
    assert refused.returncode == 1 and "Security group nope not found" in refused.stderr
    cli.quiet("server", "remove", "security", "group", server_id, "web")
    assert acme.server(server_id)["security_groups"] == [{"name": "default"}]

    fip = acme.neutron("POST", "floatingips", json={"floatingip": {
        "floating_network_id": PUBLIC}})["floatingip"]
    address = fip["floating_ip_address"]
    # The CLI tries the server's ports in turn: only the private one can
    # reach the public network.
    cli.quiet("server", "add", "floating", "ip", server_id, address)
    floating = [a for a in acme.server(server_id)["addresses"]["private"]
                if a["OS-EXT-IPS:type"] == "floating"]
    assert [a["addr"] for a in floating] == [address]
    associated = acme.neutron("GET", f"floatingips/{fip['id']}", expect=200)["floatingip"]
    assert associated["status"] == "ACTIVE"
    assert address in cli.json("server", "show", server_id)["addresses"]["private"]
    cli.quiet("server", "remove", "floating", "ip", server_id, address)
    assert address not in addresses(acme.server(server_id))["private"]
    assert acme.neutron("GET", f"floatingips/{fip['id']}",
                        expect=200)["floatingip"]["port_id"] is None


def test_cli_server_add_and_remove_fixed_ips_ports_and_networks(cli, acme):
    server_id = acme.create_id("web3", networks=[{"uuid": PUBLIC}])
    assert set(acme.server(server_id)["addresses"]) == {"public"}

    attached = cli.json("server", "add", "fixed", "ip", server_id, "private")
    assert attached["Server ID"] == server_id and attached["Network ID"] == PRIVATE
    fixed_ip = attached["Fixed IPs"][0]["ip_address"]
    assert addresses(acme.server(server_id))["private"] == [fixed_ip]
    # Nova serves removeFixedIp up to 2.43 (OSC would otherwise send 2.100).
    cli.quiet("--os-compute-api-version", "2.43", "server", "remove", "fixed", "ip",
              server_id, fixed_ip)
    assert fixed_ip not in addresses(acme.server(server_id)).get("private", [])

    port = acme.neutron("POST", "ports", json={"port": {"network_id": PRIVATE,
                                                        "name": "mine"}})["port"]
    cli.quiet("server", "add", "port", server_id, "mine")
    bound = acme.neutron("GET", f"ports/{port['id']}", expect=200)["port"]
    assert bound["device_id"] == server_id and bound["status"] == "ACTIVE"
    assert port["fixed_ips"][0]["ip_address"] in addresses(acme.server(server_id))["private"]
    cli.quiet("server", "remove", "port", server_id, "mine")
    unbound = acme.neutron("GET", f"ports/{port['id']}", expect=200)["port"]
    assert unbound["device_id"] == "" and unbound["status"] == "DOWN"

    cli.quiet("server", "add", "network", server_id, "private")
    interfaces = acme.get(f"servers/{server_id}/os-interface").json()["interfaceAttachments"]
    assert sorted(i["net_id"] for i in interfaces) == sorted([PUBLIC, PRIVATE, PRIVATE])
    shown = cli.json("server", "show", server_id)
    assert len(shown["addresses"]["private"]) == 1
    # Removing a network removes every port the server has on it.
    cli.quiet("server", "remove", "network", server_id, "private")
    assert set(acme.server(server_id)["addresses"]) == {"public"}
    assert [i["net_id"] for i in acme.get(f"servers/{server_id}/os-interface").json()[
        "interfaceAttachments"]] == [PUBLIC]
