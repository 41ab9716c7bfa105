"""The Nova model without HTTP: plugin contract, state on the clock, addresses, scale."""

from __future__ import annotations

import pytest
from twisted.internet.task import Clock
from zope.interface.verify import verifyObject

from mimic.imimic import IAPIMock, IPresetProvider
from mimic.model.identity import SessionStore
from mimic.model.images import image_store_for
from mimic.model.nova import BadRequest, ComputeRegion, Conflict, NotFound, ServerSpec
from mimic.model.nova_server import default_hostname
from mimic.plugins.nova_plugin import nova, nova_control
from mimic.rest.nova_microversions import APIVersion
from mimic.util import IdSource

UBUNTU = "a1b2c3d4-0001-4e6f-8a9b-0c1d2e3f4a01"


@pytest.fixture
def store() -> SessionStore:
    return SessionStore(clock=Clock(), ids=IdSource(7))


def compute_for(store: SessionStore, tenant: str = "t1", region: str = "ORD") -> ComputeRegion:
    return ComputeRegion.for_tenant(store, tenant, region)


def spec(name: str = "s", **fields) -> ServerSpec:
    return ServerSpec(name=name, image_id=UBUNTU, flavor_id="2", **fields)


def test_plugins_provide_their_interfaces():
    assert verifyObject(IAPIMock, nova)
    assert verifyObject(IPresetProvider, nova)
    assert verifyObject(IAPIMock, nova_control)
    assert nova.name == "nova" and nova_control.name == "nova-control"


def test_catalog_entries_give_compute_and_control_types():
    (entry,) = nova.catalog_entries("42", ("ORD", "DFW"))
    assert (entry.type, entry.name) == ("compute", "cloudServersOpenStack")
    assert [e.path for e in entry.endpoints] == ["v2/42", "v2/42"]
    (control,) = nova_control.catalog_entries("42", ("ORD",))
    assert control.type == "compute:control"


def test_both_apis_and_the_image_store_share_one_state(store):
    compute = compute_for(store)
    assert compute is compute_for(store)
    assert compute.images is image_store_for(store, "t1", "ORD")
    assert compute is not compute_for(store, region="DFW")


def test_status_is_computed_from_the_clock_without_scheduling(store):
    compute = compute_for(store)
    created = compute.create_server(spec(metadata={"server_building": "10"}), "u")
    assert created.server.status_at(store.clock.seconds()) == "BUILD"
    assert store.clock.getDelayedCalls() == []
    store.clock.advance(10)
    assert created.server.status_at(store.clock.seconds()) == "ACTIVE"
    assert created.server.updated_at(store.clock.seconds()) == 10


def test_same_seed_gives_same_ids():
    first = compute_for(SessionStore(clock=Clock(), ids=IdSource(3)))
    second = compute_for(SessionStore(clock=Clock(), ids=IdSource(3)))
    assert first.create_server(spec(), "u").server.id == second.create_server(spec(), "u").server.id


def test_failed_delete_of_locked_server_keeps_it(store):
    compute = compute_for(store)
    server = compute.create_server(spec(), "u").server
    compute.lock(server.id)
    with pytest.raises(Conflict):
        compute.delete_server(server.id)
    assert compute.server(server.id) is server


def test_deleted_servers_addresses_are_reused_and_never_shared(store):
    compute = compute_for(store)
    servers = [compute.create_server(spec(f"s{i}"), "u").server for i in range(50)]
    released = {a["addr"] for s in servers[::2]
                for entries in compute.addresses_of(s).values() for a in entries}
    for server in servers[::2]:
        compute.delete_server(server.id)
    servers = servers[1::2] + [compute.create_server(spec(f"n{i}"), "u").server
                               for i in range(40)]
    entries = [a for s in servers for found in compute.addresses_of(s).values() for a in found]
    addresses = [a["addr"] for a in entries]
    macs = {a["OS-EXT-IPS-MAC:mac_addr"] for a in entries}
    assert len(addresses) == len(set(addresses)) == 65 * 3
    assert released & set(addresses)
    assert len(macs) == 65 * 2


def test_deleting_a_server_deletes_the_ports_made_for_it(store):
    compute = compute_for(store)
    server = compute.create_server(spec(), "u").server
    assert len(compute.network.ports_of(server.id)) == 2
    compute.delete_server(server.id)
    assert compute.network.ports_on_device(server.id) == []
    assert compute.network.ports == {}


def test_ten_thousand_servers_without_a_cap(store):
    compute = compute_for(store)
    for index in range(10000):
        compute.create_server(spec(f"s{index}"), "u")
    assert len(compute) == 10000
    assert compute.limits()["totalInstancesUsed"] == 10000
    with pytest.raises(NotFound):
        compute.server("nope")


def test_a_new_servers_ports_are_the_addresses_nova_shows_before_and_after_neutron_looks(store):
    compute = compute_for(store)
    server = compute.create_server(spec(), "u").server
    shown = compute.addresses_of(server)
    assert compute.network.ports.materialized == {}
    ports = compute.interfaces(server.id)
    assert [(p.network_id, p.device_id) for p in ports] == [
        ("00000000-0000-0000-0000-000000000000", server.id),
        ("11111111-1111-1111-1111-111111111111", server.id)]
    seen = {"public": ports[0], "private": ports[1]}
    for network, entries in shown.items():
        assert [e["addr"] for e in entries] == [f.ip_address for f in seen[network].fixed_ips]
        assert {e["OS-EXT-IPS-MAC:mac_addr"] for e in entries} == {seen[network].mac_address}
    assert compute.addresses_of(server) == shown
    assert compute.security_groups_of(server) == ["default"]


def test_strict_refs_come_from_the_command_line_the_store_carries():
    lenient = compute_for(SessionStore(clock=Clock(), ids=IdSource(1)))
    strict = compute_for(SessionStore(clock=Clock(), ids=IdSource(1),
                                      options={"strict-refs": True}))
    assert lenient.resolve_image("3afe97b2-26dc-49c5-a2cc-a2fc8d80c001").name is None
    assert lenient.resolve_flavor("performance9-99").ram == 512
    with pytest.raises(BadRequest):
        strict.resolve_image("3afe97b2-26dc-49c5-a2cc-a2fc8d80c001")
    with pytest.raises(BadRequest):
        strict.resolve_flavor("performance9-99")
    # The documented invalid ones are refused either way.
    with pytest.raises(BadRequest):
        lenient.resolve_image("ends-with-Z")
    with pytest.raises(BadRequest):
        lenient.resolve_flavor("8888")


@pytest.mark.parametrize("name, hostname", [
    ("web", "web"), ("My Web_Server", "my-web-server"), ("-odd.name.-", "odd.name"),
    ("x" * 70, "x" * 63), ("日本", ""),
])
def test_default_hostname_is_novas_sanitized_name(name, hostname):
    assert default_hostname(name) == hostname


def test_tags_are_bounded_as_nova_bounds_them(store):
    compute = compute_for(store)
    server = compute.create_server(spec(), "u").server
    assert compute.set_tags(server.id, ["a", "b", "a"]) == ["a", "b"]
    for bad in ("", "a/b", "a,b", "x" * 61):
        with pytest.raises(BadRequest):
            compute.add_tag(server.id, bad)
    with pytest.raises(BadRequest):
        compute.set_tags(server.id, [f"t{i}" for i in range(51)])
    assert server.tags == ("a", "b")


def test_microversions_compare_as_numbers_not_text():
    assert APIVersion(2, 100) > "2.99" and APIVersion(2, 9) < "2.10"
    assert APIVersion(2, 36) >= "2.36" and not APIVersion(2, 35) >= "2.36"
    assert str(APIVersion.parse("2.47")) == "2.47"


def test_a_renamed_server_keeps_its_hostname_as_in_nova(store):
    compute = compute_for(store)
    server = compute.create_server(spec("First Name"), "u").server
    compute.update_server(server.id, name="second")
    assert (server.name, server.hostname) == ("second", "first-name")


def test_servers_of_one_create_share_a_reservation_and_their_image_properties(store):
    compute = compute_for(store)
    first, second = (c.server for c in compute.create_servers(spec(), "u", 2))
    alone = compute.create_server(spec(), "u").server
    assert first.reservation_id == second.reservation_id != alone.reservation_id
    assert first.image_properties is second.image_properties is alone.image_properties
    assert (first.launch_index, second.launch_index, alone.launch_index) == (0, 1, 0)


def test_a_plain_server_keeps_nothing_in_its_optional_record(store):
    # What every server has (its host, zone, the request that made it) is
    # in slots; the optional record is for what only some clients set.
    # Measured by bench/nova_create.py (docs/performance.rst): 10,000 servers.
    compute = compute_for(store)
    one, two = (compute.create_server(spec(f"s{n}"), "".join(["t1-", "user"]),
                                      request_id=f"req-{store.ids.uuid()}").server
                for n in (1, 2))
    assert one.asked is None and two.asked is None
    assert one.compute_host and one.availability_zone == "nova"
    assert one.user_id is two.user_id
    assert (one.delete_failures, one.delete_failure_code, one.previous_flavor) == (0, 500, None)


def test_request_ids_are_kept_as_numbers_and_given_back_as_they_came():
    from mimic.model.nova_instance_actions import compact_request_id, request_id_text

    made = "req-0e5fcb8f-3c0f-4f4b-9a51-2f0a3c7d1e22"
    assert isinstance(compact_request_id(made), int)
    assert request_id_text(compact_request_id(made)) == made
    for other in ("req-0E5FCB8F-3C0F-4F4B-9A51-2F0A3C7D1E22", "req-nope", "abc"):
        assert request_id_text(compact_request_id(other)) == other


def test_a_deleted_server_the_region_forgets_takes_its_actions_along(store, monkeypatch):
    from mimic.model import nova as nova_model
    from mimic.model.nova_instance_actions import InstanceAction

    monkeypatch.setattr(nova_model, "MAX_DELETED_KEPT", 1)
    compute = compute_for(store)
    ids = [compute.create_server(spec(), "u", request_id=f"req-{store.ids.uuid()}").server.id
           for _ in range(2)]
    for server_id in ids:
        compute.delete_server(server_id)
        compute.instance_actions.record(InstanceAction.of(
            "delete", server_id, "req-x", "u", "t1", compute.now(), compute.host_id))
    assert compute.instance_actions_of(ids[0]) == []
    assert not compute.instance_actions.was_deleted(ids[0])
    assert [a.action for a in compute.instance_actions_of(ids[1])] == ["delete", "create"]
