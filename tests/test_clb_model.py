"""
The pure CLB model on a hand-driven clock: statuses settle exactly when
their time is up, record when they did, and deleted load balancers expire.
"""

from __future__ import annotations

import json
import re

import pytest
from twisted.internet.task import Clock

from mimic.model import clb
from mimic.snapshot_codec import decode_state, encode_state
from mimic.util import IdSource


def new_store(clock: Clock) -> clb.LoadBalancerStore:
    return clb.LoadBalancerStore("ORD", clock, clb.ClbIds(), IdSource(0))


def spec(**metadata) -> clb.LoadBalancerSpec:
    return clb.parse_create({
        "name": "m", "protocol": "HTTP", "virtualIps": [{"type": "SERVICENET"}],
        "metadata": [{"key": k, "value": v} for k, v in metadata.items()],
    })


def test_build_settles_at_exactly_the_preset_and_records_when():
    clock = Clock()
    store = new_store(clock)
    lb = store.create(spec(lb_building="12.5"))
    clock.advance(12.4)
    assert store.status(lb) == "BUILD"
    clock.advance(100)
    assert store.status(lb) == "ACTIVE"
    assert lb.updated == 12.5


def test_pending_delete_then_deleted_expires_ninety_minutes_after_deletion():
    clock = Clock()
    store = new_store(clock)
    lb = store.create(spec(lb_pending_delete=10))
    store.delete([lb.id])
    clock.advance(10 + clb.DELETED_VISIBLE_SECONDS - 1)
    assert store.status(lb) == "DELETED"
    assert lb.deleted_at == 10
    assert store.visible() == [lb]
    clock.advance(1)
    assert store.visible() == []
    with pytest.raises(clb.NotFound):
        store.get(lb.id)


def test_refused_requests_consume_no_ids():
    clock = Clock()
    store = new_store(clock)
    first = store.create(spec())
    with pytest.raises(clb.OverLimit):
        store.add_nodes(first, clb.parse_nodes([
            {"address": f"10.0.0.{i}", "port": 80, "condition": "ENABLED"}
            for i in range(26)]))
    second = store.create(spec())
    assert second.id == first.id + 1
    assert first.nodes == {}


def test_presets_accept_numbers_and_numeric_strings_only():
    pairs = clb.parse_metadata([{"key": "lb_building", "value": 5}])
    assert clb.parse_presets(pairs, [{"key": "lb_building", "value": 5}]).building == 5
    with pytest.raises(clb.ValidationFailed):
        clb.parse_presets([], [{"key": "lb_pending_update", "value": "later"}])
    assert clb.parse_presets([], [{"key": "lb_error_state", "value": "x"}]).error


@pytest.mark.parametrize("address, valid", [
    ("10.0.0.1", True), ("2001:db8::1", True), ("web-1.example.com", True),
    ("999.1.1.1", False), ("", False), ("has space", False), (5, False),
])
def test_node_addresses_are_ips_or_host_names(address, valid):
    assert clb.valid_node_address(address) is valid


def test_state_that_names_classes_as_the_single_module_did_still_restores():
    # Snapshots and --state-file databases taken before mimic.model.clb
    # became a package name its classes "mimic.model.clb:LoadBalancer";
    # the package's own names must keep resolving them.
    clock = Clock()
    store = new_store(clock)
    lb = store.create(spec(lb_pending_update=3))
    store.add_nodes(lb, clb.parse_nodes(
        [{"address": "10.0.0.1", "port": 80, "condition": "ENABLED"}]))
    clock.advance(3)
    store.add_access_rules(lb, clb.parse_access_list(
        [{"address": "10.0.0.0/8", "type": "DENY"}]))
    clock.advance(3)
    store.configure(lb, health_monitor=clb.parse_health_monitor(
        {"type": "CONNECT", "delay": 10, "timeout": 5, "attemptsBeforeDeactivation": 3}))
    document = json.dumps(encode_state(store, clock))
    renamed = re.sub(r'"mimic\.model\.clb\.[a-z_]+:', '"mimic.model.clb:', document)
    assert renamed != document
    restored = decode_state(json.loads(renamed), clock)
    assert type(restored) is clb.LoadBalancerStore
    assert repr(restored.load_balancers) == repr(store.load_balancers)
