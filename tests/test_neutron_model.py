"""
The pure Neutron model: address pools hand out unique addresses in O(1),
servers get their ports and addresses, and every refused operation leaves
the state as it was.
"""

from __future__ import annotations

import ipaddress

import pytest
from twisted.internet.task import Clock

from mimic.model.identity import SessionStore
from mimic.model.neutron import (
    PRIVATE_NETWORK_ID,
    PUBLIC_NETWORK_ID,
    AddressPool,
    BadRequest,
    Conflict,
    NetworkRequest,
    NetworkState,
    NotFound,
    PoolExhausted,
    network_state,
)
from mimic.util import IdSource


@pytest.fixture
def state() -> NetworkState:
    return NetworkState.create("123456", "ORD", Clock(), IdSource(0))


def test_pool_allocates_in_order_skips_claimed_and_reuses_released():
    pool = AddressPool.for_cidr("10.0.0.0/29")  # .2 to .6
    assert pool.start == "10.0.0.2" and pool.end == "10.0.0.6"
    assert pool.claim("10.0.0.3")
    assert not pool.claim("10.0.0.3")
    assert [pool.allocate() for _ in range(3)] == ["10.0.0.2", "10.0.0.4", "10.0.0.5"]
    pool.release("10.0.0.4")
    assert pool.allocate() == "10.0.0.4"
    assert pool.allocate() == "10.0.0.6"
    with pytest.raises(PoolExhausted):
        pool.allocate()


def test_pool_does_not_hand_out_a_released_address_claimed_again():
    pool = AddressPool.for_cidr("10.0.0.0/29")
    first = pool.allocate()
    pool.release(first)
    assert pool.claim(first)
    assert pool.allocate() != first


def test_new_tenant_has_public_private_and_default_group(state):
    assert {n.name for n in state.networks.values()} == {"public", "private"}
    assert state.networks[PUBLIC_NETWORK_ID].external
    assert not state.networks[PRIVATE_NETWORK_ID].external
    default = state.default_security_group()
    rules = [state.rules[r] for r in default.rule_ids]
    assert sorted((r.direction, r.ethertype, r.remote_group_id) for r in rules) == [
        ("egress", "IPv4", None), ("egress", "IPv6", None),
        ("ingress", "IPv4", default.id), ("ingress", "IPv6", default.id)]


def test_state_is_per_tenant_and_region():
    store = SessionStore(clock=Clock(), ids=IdSource(0))
    ord_a = network_state(store, "a", "ORD")
    assert network_state(store, "a", "ORD") is ord_a
    assert network_state(store, "a", "DFW") is not ord_a
    assert network_state(store, "b", "ORD") is not ord_a


def test_tenants_of_a_region_never_share_an_address():
    store = SessionStore(clock=Clock(), ids=IdSource(0))
    alice, bob = network_state(store, "a", "ORD"), network_state(store, "b", "ORD")
    seen = [a["addr"] for s in ("s1", "s2")
            for entries in alice.attach_server(s) and alice.addresses_for(s).values()
            for a in entries]
    seen += [a["addr"] for entries in (bob.attach_server("s3") and
                                       bob.addresses_for("s3").values()) for a in entries]
    seen.append(bob.create_floating_ip(PUBLIC_NETWORK_ID).floating_ip_address)
    assert len(seen) == len(set(seen)) == 10
    # Each tenant's own subnets and networks stay its own.
    assert set(alice.subnets).isdisjoint(bob.subnets)


def test_attach_server_gives_public_v4_v6_and_private_v4(state):
    ports = state.attach_server("server-1")
    assert [p.network_id for p in ports] == [PUBLIC_NETWORK_ID, PRIVATE_NETWORK_ID]
    addresses = state.addresses_for("server-1")
    assert list(addresses) == ["public", "private"]
    assert [a["version"] for a in addresses["public"]] == [4, 6]
    assert [a["version"] for a in addresses["private"]] == [4]
    for network, entries in addresses.items():
        for entry in entries:
            assert entry["OS-EXT-IPS:type"] == "fixed"
            ipaddress.ip_address(entry["addr"])
    assert addresses["public"][0]["OS-EXT-IPS-MAC:mac_addr"] == ports[0].mac_address
    assert [g.name for g in state.security_groups_of("server-1")] == ["default"]


def test_ten_thousand_servers_get_unique_addresses_and_macs(state):
    for n in range(10_000):
        state.attach_server(f"s{n}")
    ports = list(state.ports.values())
    assert len(ports) == 20_000
    addresses = [f.ip_address for p in ports for f in p.fixed_ips]
    assert len(addresses) == len(set(addresses)) == 30_000
    assert len({p.mac_address for p in ports}) == 20_000


def test_detach_server_frees_addresses_for_reuse_and_keeps_user_ports(state):
    own = state.create_port(PRIVATE_NETWORK_ID, name="mine")
    ports = state.attach_server("s1", networks=[NetworkRequest(network_id=PUBLIC_NETWORK_ID),
                                                NetworkRequest(port_id=own.id)])
    assert own.device_id == "s1" and own.status == "ACTIVE"
    freed = ports[0].fixed_ips[0].ip_address
    state.detach_server("s1")
    assert list(state.ports) == [own.id]
    assert own.device_id == "" and own.status == "DOWN"
    assert state.addresses_for("s1") == {}
    again = state.attach_server("s2")
    assert again[0].fixed_ips[0].ip_address == freed


def test_attach_server_with_bad_request_changes_nothing(state):
    bound = state.create_port(PRIVATE_NETWORK_ID, device_id="other")
    before = (dict(state.ports), state.subnets[state.networks[PUBLIC_NETWORK_ID]
                                              .subnet_ids[0]].pool.used)
    with pytest.raises(Conflict) as error:
        state.attach_server("s1", networks=[NetworkRequest(network_id=PUBLIC_NETWORK_ID),
                                            NetworkRequest(port_id=bound.id)])
    assert error.value.kind == "PortInUse"
    with pytest.raises(NotFound):
        state.attach_server("s1", networks=[NetworkRequest(network_id="nope")])
    with pytest.raises(NotFound):
        state.attach_server("s1", security_groups=["nope"])
    with pytest.raises(Conflict):
        state.attach_server("s1", networks=[
            NetworkRequest(network_id=PUBLIC_NETWORK_ID),
            NetworkRequest(network_id=PRIVATE_NETWORK_ID, fixed_ip="10.176.0.2"),
            NetworkRequest(network_id=PRIVATE_NETWORK_ID, fixed_ip="10.176.0.2")])
    after = (dict(state.ports), state.subnets[state.networks[PUBLIC_NETWORK_ID]
                                             .subnet_ids[0]].pool.used)
    assert after == before
    assert state.ports_of("s1") == []


def test_floating_ip_shows_as_floating_on_its_port_network(state):
    public, private = state.attach_server("s1")
    fip = state.create_floating_ip(PUBLIC_NETWORK_ID)
    state.update_floating_ip(fip.id, private.id)
    entries = state.addresses_for("s1")["private"]
    assert entries[-1] == {"addr": fip.floating_ip_address, "version": 4,
                           "OS-EXT-IPS:type": "floating",
                           "OS-EXT-IPS-MAC:mac_addr": private.mac_address}
    with pytest.raises(NotFound) as error:
        state.update_floating_ip(fip.id, public.id)
    assert error.value.kind == "ExternalGatewayForFloatingIPNotFound"
    assert fip.port_id == private.id
    state.detach_server("s1")
    assert fip.port_id is None and fip.status == "DOWN"


def test_fixed_ips_added_and_removed(state):
    state.attach_server("s1")
    port = state.add_fixed_ip("s1", PRIVATE_NETWORK_ID)
    assert len(port.fixed_ips) == 2
    extra = port.fixed_ips[1].ip_address
    assert [a["addr"] for a in state.addresses_for("s1")["private"]][1] == extra
    state.remove_fixed_ip("s1", extra)
    assert len(port.fixed_ips) == 1
    with pytest.raises(BadRequest):
        state.remove_fixed_ip("s1", extra)
    state.detach_interface("s1", port.id)
    with pytest.raises(BadRequest):
        state.add_fixed_ip("s1", PRIVATE_NETWORK_ID)


def test_interfaces_attach_and_detach(state):
    state.attach_server("s1", networks=[])
    port = state.attach_interface("s1", network_id=PRIVATE_NETWORK_ID, fixed_ip="10.176.9.9")
    assert port.fixed_ips[0].ip_address == "10.176.9.9"
    assert state.ports_of("s1") == [port]
    with pytest.raises(NotFound):
        state.detach_interface("s2", port.id)
    state.detach_interface("s1", port.id)
    assert port.id not in state.ports


def test_security_groups_on_servers(state):
    state.attach_server("s1")
    web = state.create_security_group("web")
    state.add_security_group("s1", "web")
    assert [g.name for g in state.security_groups_of("s1")] == ["default", "web"]
    with pytest.raises(BadRequest):
        state.add_security_group("s1", web.id)
    with pytest.raises(Conflict) as error:
        state.delete_security_group(web.id)
    assert error.value.kind == "SecurityGroupInUse"
    state.remove_security_group("s1", web.id)
    with pytest.raises(BadRequest):
        state.remove_security_group("s1", "web")
    state.delete_security_group(web.id)
    assert web.id not in state.security_groups


# A server's default ports kept compact until Neutron is asked about them.

SERVER = "7d0a9c52-3a4e-4b8c-9f0e-2c6d1b5e8a31"


def nova_view(state: NetworkState, server_id: str) -> list[tuple[str, str, str]]:
    return [(network, a["addr"], a["OS-EXT-IPS-MAC:mac_addr"])
            for network, entries in state.addresses_for(server_id).items() for a in entries]


def neutron_view(state: NetworkState, server_id: str) -> list[tuple[str, str, str]]:
    return [(state.networks[p.network_id].name, f.ip_address, p.mac_address)
            for p in state.ports_of(server_id) for f in p.fixed_ips]


def test_default_ports_are_compact_until_looked_at(state):
    state.place_server(SERVER)
    assert state.ports.materialized == {}
    assert len(state.ports) == 2
    shown = nova_view(state, SERVER)
    assert [network for network, _, _ in shown] == ["public", "public", "private"]
    assert [g.name for g in state.security_groups_of(SERVER)] == ["default"]
    assert state.ports.materialized == {}
    assert neutron_view(state, SERVER) == shown
    assert len(state.ports.materialized) == 2
    assert nova_view(state, SERVER) == shown


def test_a_compact_port_is_found_by_its_id_with_what_nova_showed(state):
    state.place_server(SERVER)
    shown = nova_view(state, SERVER)
    public_id, private_id = (p.id for p in NetworkState.create(
        "x", "ORD", Clock(), IdSource(0)).attach_server(SERVER))
    assert public_id in state.ports and private_id in state.ports
    private = state.port(private_id)
    assert private.device_id == SERVER and private.made_for_server
    assert private.status == "ACTIVE" and private.revision_number == 1
    assert private.created_at == state.now()
    assert [f.ip_address for f in private.fixed_ips] == [shown[2][1]]
    assert private.mac_address == shown[2][2]
    assert [p.id for p in state.ports_of(SERVER)] == [public_id, private_id]
    with pytest.raises(NotFound):
        state.port(public_id[:-1] + ("0" if public_id[-1] != "0" else "1"))


def test_listings_keep_creation_order_across_compact_and_real_ports(state):
    before = state.create_port(PRIVATE_NETWORK_ID, name="before")
    state.place_server(SERVER)
    after = state.create_port(PRIVATE_NETWORK_ID, name="after")
    state.port(state.ports_of(SERVER)[1].id)
    names = [(p.name, p.device_id) for p in state.ports.values()]
    assert names == [("before", ""), ("", SERVER), ("", SERVER), ("after", "")]
    assert [p.id for p in state.ports_on_network(PRIVATE_NETWORK_ID)] == [
        before.id, state.ports_of(SERVER)[1].id, after.id]


def test_a_later_interface_comes_after_the_compact_ports(state):
    state.place_server(SERVER)
    extra = state.attach_interface(SERVER, network_id=PRIVATE_NETWORK_ID)
    assert [e[0] for e in nova_view(state, SERVER)] == ["public", "public", "private", "private"]
    shown = nova_view(state, SERVER)
    assert [p.id for p in state.ports_of(SERVER)][-1] == extra.id
    assert neutron_view(state, SERVER) == shown


def test_a_compact_ports_mac_is_in_use(state):
    state.place_server(SERVER)
    mac = nova_view(state, SERVER)[2][2]
    with pytest.raises(Conflict) as error:
        state.create_port(PRIVATE_NETWORK_ID, mac_address=mac)
    assert error.value.kind == "MacAddressInUse"
    assert state.ports.materialized == {}


def test_deleting_a_compact_server_frees_its_addresses_for_the_next(state):
    state.place_server(SERVER)
    freed = [addr for _, addr, _ in nova_view(state, SERVER)]
    state.detach_server(SERVER)
    assert len(state.ports) == 0 and state.addresses_for(SERVER) == {}
    other = SERVER.replace("7d0a", "8e1b")
    state.place_server(other)
    assert [addr for _, addr, _ in nova_view(state, other)] == freed


def test_compact_servers_get_unique_addresses_macs_and_port_ids(state):
    servers = [str(IdSource(n).uuid()) for n in range(2000)]
    for server in servers:
        state.place_server(server)
    views = [nova_view(state, s) for s in servers]
    addresses = [addr for view in views for _, addr, _ in view]
    macs = {mac for view in views for _, _, mac in view}
    assert len(addresses) == len(set(addresses)) == 6000
    assert len(macs) == 4000
    ports = state.ports.values()
    assert len({p.id for p in ports}) == 4000
    assert [neutron_view(state, s) for s in servers] == views


def test_non_default_requests_make_real_ports_at_once(state):
    group = state.create_security_group("web")
    state.place_server(SERVER, security_groups=["web"])
    assert len(state.ports.materialized) == 2
    assert state.security_groups_of(SERVER) == [group]
