"""
Nova and Neutron tell one story: a server's ports are Neutron ports, its
addresses are theirs (floating IPs included), its security groups are
theirs, and Nova's actions and ``os-interface`` change Neutron's state.
All over real sockets, each side checked through the other's API.
"""

from __future__ import annotations

from tests.nova_support import UBUNTU, Nova, error_of, nova  # noqa: F401

PUBLIC = "00000000-0000-0000-0000-000000000000"
PRIVATE = "11111111-1111-1111-1111-111111111111"


def ports_of(nova: Nova, server_id: str) -> list:
    return nova.neutron("GET", f"ports?device_id={server_id}", expect=200)["ports"]


def fixed_addresses(ports: list) -> set:
    return {f["ip_address"] for p in ports for f in p["fixed_ips"]}


def create(nova: Nova, **fields):
    """The raw answer to a create request (for refusals)."""
    return nova.post("servers", json={"server": {
        "name": "s", "imageRef": UBUNTU, "flavorRef": "2", **fields}})


def nova_addresses(server: dict) -> set:
    return {a["addr"] for entries in server["addresses"].values() for a in entries}


def test_a_new_server_gets_a_neutron_port_on_public_and_on_private(nova):
    server_id = nova.create_id()
    ports = ports_of(nova, server_id)
    assert sorted(p["network_id"] for p in ports) == [PUBLIC, PRIVATE]
    assert {p["device_owner"] for p in ports} == {"compute:nova"}
    server = nova.server(server_id)
    assert nova_addresses(server) == fixed_addresses(ports)
    macs = {p["network_id"]: p["mac_address"] for p in ports}
    assert {a["OS-EXT-IPS-MAC:mac_addr"] for a in server["addresses"]["private"]} == {
        macs[PRIVATE]}


def test_networks_in_the_create_request_choose_the_ports(nova):
    private_only = nova.create_id("a", networks=[{"uuid": PRIVATE, "fixed_ip": "10.176.9.9"}])
    assert nova.server(private_only)["addresses"] == {"private": [{
        "addr": "10.176.9.9", "version": 4, "OS-EXT-IPS:type": "fixed",
        "OS-EXT-IPS-MAC:mac_addr": ports_of(nova, private_only)[0]["mac_address"]}]}
    none = nova.create_id("b", networks="none", version="2.37")
    server = nova.server(none)
    assert server["addresses"] == {} and "security_groups" not in server
    assert ports_of(nova, none) == []
    auto = nova.create_id("c", networks="auto", version="2.37")
    assert set(nova.server(auto)["addresses"]) == {"public", "private"}


def test_a_users_port_is_bound_on_create_and_only_unbound_on_delete(nova):
    port = nova.neutron("POST", "ports", json={"port": {"network_id": PRIVATE}})["port"]
    server_id = nova.create_id(networks=[{"port": port["id"]}])
    bound = nova.neutron("GET", f"ports/{port['id']}", expect=200)["port"]
    assert bound["device_id"] == server_id and bound["status"] == "ACTIVE"
    assert nova_addresses(nova.server(server_id)) == fixed_addresses([port])
    # A port already in use cannot serve a second server.
    error_of(create(nova, networks=[{"port": port["id"]}]), 409, "conflictingRequest")
    assert nova.delete(f"servers/{server_id}").status_code == 204
    left = nova.neutron("GET", f"ports/{port['id']}", expect=200)["port"]
    assert left["device_id"] == "" and left["status"] == "DOWN"


def test_deleting_a_server_deletes_its_own_ports(nova):
    server_id = nova.create_id()
    assert len(ports_of(nova, server_id)) == 2
    assert nova.delete(f"servers/{server_id}").status_code == 204
    assert ports_of(nova, server_id) == []
    assert nova.neutron("GET", "ports", expect=200)["ports"] == []


def test_a_create_refused_for_its_networks_changes_nothing(nova):
    unknown = "22222222-2222-2222-2222-222222222222"
    for networks, code in (([{"uuid": unknown}], 400), ([{"uuid": "not-a-uuid"}], 400),
                           ([{"port": unknown}], 400), ([{"net": PRIVATE}], 400),
                           ([{"uuid": PRIVATE, "fixed_ip": "10.176.0.999"}], 400)):
        error_of(create(nova, networks=networks), code, "badRequest")
    error_of(create(nova, security_groups=[{"name": "nope"}]), 400, "badRequest")
    assert nova.get("servers").json()["servers"] == []
    assert nova.neutron("GET", "ports", expect=200)["ports"] == []


def test_a_floating_ip_associated_in_neutron_shows_in_nova(nova):
    server_id = nova.create_id()
    listing = nova.get("servers/detail").json()["servers"]  # rendered and cached
    assert all(a["OS-EXT-IPS:type"] == "fixed" for a in listing[0]["addresses"]["private"])
    private_port = next(p for p in ports_of(nova, server_id) if p["network_id"] == PRIVATE)
    fip = nova.neutron("POST", "floatingips", json={"floatingip": {
        "floating_network_id": PUBLIC, "port_id": private_port["id"]}})["floatingip"]
    expected = {"addr": fip["floating_ip_address"], "version": 4,
                "OS-EXT-IPS:type": "floating",
                "OS-EXT-IPS-MAC:mac_addr": private_port["mac_address"]}
    assert expected in nova.server(server_id)["addresses"]["private"]
    listing = nova.get("servers/detail").json()["servers"]
    assert expected in listing[0]["addresses"]["private"]
    ips = nova.get(f"servers/{server_id}/ips/private").json()["private"]
    assert {"addr": fip["floating_ip_address"], "version": 4} in ips
    nova.neutron("PUT", f"floatingips/{fip['id']}", expect=200,
                 json={"floatingip": {"port_id": None}})
    assert expected not in nova.server(server_id)["addresses"]["private"]
    assert expected not in nova.get("servers/detail").json()["servers"][0]["addresses"]["private"]


def test_security_group_actions_act_on_the_servers_ports(nova):
    server_id = nova.create_id()
    web = nova.security_group("web")
    error_of(nova.action(server_id, {"addSecurityGroup": {"name": "nope"}}), 404, "itemNotFound")
    error_of(nova.action(server_id, {"removeSecurityGroup": {"name": "nope"}}),
             404, "itemNotFound")
    assert nova.action(server_id, {"addSecurityGroup": {"name": "web"}}).status_code == 202
    assert all(web["id"] in p["security_groups"] for p in ports_of(nova, server_id))
    # A group Neutron renames is renamed on the server too.
    nova.neutron("PUT", f"security-groups/{web['id']}", expect=200,
                 json={"security_group": {"name": "www"}})
    assert nova.server(server_id)["security_groups"] == [{"name": "default"}, {"name": "www"}]
    assert nova.action(server_id, {"removeSecurityGroup": {"name": "www"}}).status_code == 202
    assert all(web["id"] not in p["security_groups"] for p in ports_of(nova, server_id))
    assert nova.server(server_id)["security_groups"] == [{"name": "default"}]


def test_add_and_remove_fixed_ip_change_the_servers_port(nova):
    server_id = nova.create_id()
    before = nova.server(server_id)["addresses"]["private"]
    assert nova.action(server_id, {"addFixedIp": {"networkId": PRIVATE}}).status_code == 202
    port = next(p for p in ports_of(nova, server_id) if p["network_id"] == PRIVATE)
    assert len(port["fixed_ips"]) == 2
    after = nova.server(server_id)["addresses"]["private"]
    assert len(after) == 2 and before[0] in after
    added = next(a["addr"] for a in after if a not in before)
    assert nova.action(server_id, {"removeFixedIp": {"address": added}}).status_code == 202
    assert nova.server(server_id)["addresses"]["private"] == before
    error_of(nova.action(server_id, {"addFixedIp": {"networkId": "nope"}}), 400, "badRequest")
    error_of(nova.action(server_id, {"removeFixedIp": {"address": added}}), 400, "badRequest")


def test_os_interface_lists_attaches_shows_and_detaches_ports(nova):
    server_id = nova.create_id(networks=[{"uuid": PUBLIC}])
    listed = nova.get(f"servers/{server_id}/os-interface").json()["interfaceAttachments"]
    (public,) = ports_of(nova, server_id)
    assert listed == [{
        "port_id": public["id"], "net_id": PUBLIC, "mac_addr": public["mac_address"],
        "port_state": "ACTIVE", "fixed_ips": public["fixed_ips"]}]
    response = nova.post(f"servers/{server_id}/os-interface",
                         json={"interfaceAttachment": {"net_id": PRIVATE}})
    assert response.status_code == 200, response.text
    attached = response.json()["interfaceAttachment"]
    assert attached["net_id"] == PRIVATE
    assert nova.get(f"servers/{server_id}/os-interface/{attached['port_id']}").json() == {
        "interfaceAttachment": attached}
    assert "private" in nova.server(server_id)["addresses"]
    mine = nova.neutron("POST", "ports", json={"port": {"network_id": PRIVATE}})["port"]
    response = nova.post(f"servers/{server_id}/os-interface",
                         json={"interfaceAttachment": {"port_id": mine["id"]}})
    assert response.json()["interfaceAttachment"]["port_id"] == mine["id"]
    assert len(ports_of(nova, server_id)) == 3
    for port_id in (attached["port_id"], mine["id"]):
        assert nova.delete(f"servers/{server_id}/os-interface/{port_id}").status_code == 202
    assert [p["id"] for p in ports_of(nova, server_id)] == [public["id"]]
    # The port Nova made is gone; the user's port stays, unbound.
    assert nova.neutron("GET", f"ports/{attached['port_id']}", expect=404)
    assert nova.neutron("GET", f"ports/{mine['id']}", expect=200)["port"]["device_id"] == ""


def test_os_interface_refuses_bad_requests_and_changes_nothing(nova):
    server_id = nova.create_id()
    url = f"servers/{server_id}/os-interface"
    unknown = "22222222-2222-2222-2222-222222222222"
    error_of(nova.post(url, json={"interfaceAttachment": {"net_id": PRIVATE,
                                                          "port_id": unknown}}),
             400, "badRequest")
    error_of(nova.post(url, json={"interfaceAttachment": {
        "fixed_ips": [{"ip_address": "10.176.3.3"}]}}), 400, "badRequest")
    error_of(nova.post(url, json={"interfaceAttachment": {"port_id": unknown}}),
             404, "itemNotFound")
    error_of(nova.post(url, json={"interfaceAttachment": {"net_id": unknown}}),
             404, "itemNotFound")
    error_of(nova.post(url, json={"interfaceAttachment": {"mac": "x"}}), 400, "badRequest")
    error_of(nova.post(url, json={"interfaceAttachment": {}}), 409, "conflictingRequest")
    error_of(nova.get(f"{url}/{unknown}"), 404, "itemNotFound")
    error_of(nova.delete(f"{url}/{unknown}"), 404, "itemNotFound")
    error_of(nova.get(f"servers/{unknown}/os-interface"), 404, "itemNotFound")
    assert len(ports_of(nova, server_id)) == 2
    assert len(nova.neutron("GET", "ports", expect=200)["ports"]) == 2


def test_limits_count_neutrons_groups_and_floating_ips(nova):
    nova.security_group("web")
    nova.neutron("POST", "floatingips", json={"floatingip": {"floating_network_id": PUBLIC}})
    absolute = nova.get("limits").json()["limits"]["absolute"]
    assert absolute["totalSecurityGroupsUsed"] == 2
    assert absolute["totalFloatingIpsUsed"] == 1


def test_add_and_remove_floating_ip_actions_use_neutrons_floating_ips(nova):
    server_id = nova.create_id()
    fip = nova.neutron("POST", "floatingips", json={"floatingip": {
        "floating_network_id": PUBLIC}})["floatingip"]
    address = fip["floating_ip_address"]
    error_of(nova.action(server_id, {"addFloatingIp": {"address": "198.51.100.1"}}),
             404, "itemNotFound")
    error_of(nova.action(server_id, {"addFloatingIp": {"address": address,
                                                       "fixed_address": "10.9.9.9"}}),
             400, "badRequest")
    error_of(nova.action(server_id, {"addFloatingIp": {"address": "x"}}), 400, "badRequest")
    error_of(nova.action(server_id, {"removeFloatingIp": {"address": address}}),
             409, "conflictingRequest")
    # The public port cannot hold a floating IP: the private one gets it.
    assert nova.action(server_id, {"addFloatingIp": {"address": address}}).status_code == 202
    private_port = next(p for p in ports_of(nova, server_id) if p["network_id"] == PRIVATE)
    held = nova.neutron("GET", f"floatingips/{fip['id']}", expect=200)["floatingip"]
    assert held["port_id"] == private_port["id"]
    assert held["fixed_ip_address"] == private_port["fixed_ips"][0]["ip_address"]
    assert address in nova_addresses(nova.server(server_id))
    other = nova.create_id("other")
    error_of(nova.action(other, {"removeFloatingIp": {"address": address}}),
             409, "conflictingRequest")
    assert nova.action(server_id, {"removeFloatingIp": {"address": address}}).status_code == 202
    assert address not in nova_addresses(nova.server(server_id))
    assert nova.neutron("GET", f"floatingips/{fip['id']}",
                        expect=200)["floatingip"]["port_id"] is None


def test_a_fixed_ip_in_use_refuses_the_whole_multi_create(nova):
    taken = {"uuid": PRIVATE, "fixed_ip": "10.176.5.5"}
    error_of(create(nova, networks=[taken], max_count=2), 400, "badRequest")
    assert nova.get("servers").json()["servers"] == []
    assert nova.neutron("GET", "ports", expect=200)["ports"] == []
    server_id = nova.create_id(networks=[taken])
    error_of(create(nova, networks=[taken]), 400, "badRequest")
    # Attaching takes Nova's other answer for the same refusal: 409.
    error_of(nova.post(f"servers/{server_id}/os-interface", json={"interfaceAttachment": {
        "net_id": PRIVATE, "fixed_ips": [{"ip_address": "10.176.5.5"}]}}),
        409, "conflictingRequest")
    assert len(nova.get("servers").json()["servers"]) == 1
    assert len(nova.neutron("GET", "ports", expect=200)["ports"]) == 1


def test_malformed_interface_and_network_bodies_are_400s(nova):
    server_id = nova.create_id()
    url = f"servers/{server_id}/os-interface"
    for body in ({"interfaceAttachment": "x"}, {"interfaceAttachment": {"net_id": 5}},
                 {"interfaceAttachment": {"net_id": PRIVATE, "fixed_ips": "10.176.1.1"}},
                 {"interfaceAttachment": {"net_id": PRIVATE, "fixed_ips": [{"ip": "x"}]}},
                 {"interfaceAttachment": {"net_id": PRIVATE,
                                          "fixed_ips": [{"ip_address": "nope"}]}},
                 {"other": {}}, [1]):
        error_of(nova.post(url, json=body), 400, "badRequest")
    for action in ({"addFixedIp": {}}, {"addFixedIp": []}, {"addFloatingIp": {}},
                   {"addFloatingIp": {"address": 5}}, {"removeFloatingIp": {"address": "x"}},
                   {"addFloatingIp": {"address": "198.18.0.9", "extra": 1}}):
        error_of(nova.action(server_id, action), 400, "badRequest")
    for networks in ([5], [{"port": 5}], [{"uuid": PRIVATE, "fixed_ip": 5}], {"uuid": PRIVATE}):
        error_of(create(nova, networks=networks), 400, "badRequest")
    building = nova.create_id("b", metadata={"server_building": 30})
    error_of(nova.post(f"servers/{building}/os-interface",
                       json={"interfaceAttachment": {"net_id": PRIVATE}}),
             409, "conflictingRequest")
    assert len(nova.neutron("GET", "ports", expect=200)["ports"]) == 4
