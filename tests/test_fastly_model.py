"""
The Fastly model without HTTP (versions, clones, coercion of form values,
refusals that leave state alone) and the plugin's contracts.
"""

from __future__ import annotations

import pytest
from twisted.internet.task import Clock
from twisted.plugin import IPlugin
from zope.interface.verify import verifyObject

from mimic.core import MimicCore
from mimic.imimic import IAPIMock, IRootMounts
from mimic.model.fastly import (
    BACKEND,
    DOMAIN,
    HEADER,
    FastlyStore,
    Invalid,
    NotFound,
)
from mimic.plugins.fastly_plugin import fastly as fastly_plugin
from mimic.util import IdSource


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(clock) -> FastlyStore:
    return FastlyStore(clock, IdSource(7))


def test_plugin_provides_its_interfaces_and_no_catalog_entries():
    assert verifyObject(IAPIMock, fastly_plugin)
    assert verifyObject(IRootMounts, fastly_plugin)
    assert IPlugin.providedBy(fastly_plugin)
    assert fastly_plugin.name == "fastly"
    assert fastly_plugin.catalog_entries("123", ("ORD",)) == []


def test_plugin_is_discovered_and_mounted_at_fastly():
    core = MimicCore.from_plugins()
    assert core.apis["fastly"] is fastly_plugin
    assert set(fastly_plugin.root_resources(core)) == {"fastly"}


def test_the_same_key_is_the_same_customer(store):
    assert store.customer("k") is store.customer("k")
    assert store.customer("k").id != store.customer("other").id


def test_ids_are_deterministic_for_a_seed(clock):
    first = FastlyStore(clock, IdSource(3))
    second = FastlyStore(clock, IdSource(3))
    made = [s.create_service(s.customer("k"), {"name": "x"}).id for s in (first, second)]
    assert made[0] == made[1]


def test_clone_copies_configuration_deeply(store):
    customer = store.customer("k")
    service = store.create_service(customer, {"name": "s"})
    store.create_object(customer, service.id, 1, BACKEND,
                        {"name": "o", "address": "192.0.2.1", "port": "81"})
    store.update_settings(customer, service.id, 1, {"general.default_ttl": "5"})
    clone = store.clone_version(customer, service.id, 1)
    store.update_object(customer, service.id, 2, BACKEND, "o", {"port": 82})
    store.update_settings(customer, service.id, 2, {"general.default_ttl": "6"})
    assert store.object(customer, service.id, 1, BACKEND, "o").attributes["port"] == 81
    assert store.version(customer, service.id, 1).settings["general.default_ttl"] == 5
    assert clone.number == 2 and clone.objects_of(BACKEND)["o"].attributes["port"] == 82


def test_only_one_version_is_active(store, clock):
    customer = store.customer("k")
    service = store.create_service(customer, {"name": "s"})
    store.create_version(customer, service.id)
    store.activate_version(customer, service.id, 1)
    clock.advance(10)
    store.activate_version(customer, service.id, 2)
    assert [v.active for v in service.versions] == [False, True]
    assert [v.locked for v in service.versions] == [True, True]
    assert service.active_version.updated_at == 10
    assert service.current_number == 2


def test_a_refused_update_changes_nothing(store):
    customer = store.customer("k")
    service = store.create_service(customer, {"name": "s"})
    store.create_object(customer, service.id, 1, BACKEND, {"name": "o", "address": "a"})
    with pytest.raises(Invalid):
        store.update_object(customer, service.id, 1, BACKEND, "o",
                            {"address": "b", "port": "not-a-port"})
    assert store.object(customer, service.id, 1, BACKEND, "o").attributes["address"] == "a"


@pytest.mark.parametrize("given,stored", [
    ("True", True), ("true", True), ("1", True), (True, True),
    ("False", False), ("0", False), (False, False), ("None", None), (None, None),
])
def test_nullable_booleans_accept_the_clients_spellings(store, given, stored):
    customer = store.customer("k")
    service = store.create_service(customer, {"name": "s"})
    backend = store.create_object(customer, service.id, 1, BACKEND,
                                  {"name": "o", "address": "a", "ssl_check_cert": given})
    assert backend.attributes["ssl_check_cert"] is stored


def test_non_nullable_fields_refuse_null(store):
    customer = store.customer("k")
    service = store.create_service(customer, {"name": "s"})
    with pytest.raises(Invalid, match="use_ssl"):
        store.create_object(customer, service.id, 1, BACKEND,
                            {"name": "o", "address": "a", "use_ssl": None})


def test_header_defaults_follow_fastly(store):
    customer = store.customer("k")
    service = store.create_service(customer, {"name": "s"})
    header = store.create_object(customer, service.id, 1, HEADER,
                                 {"name": "h", "dst": "http.X", "type": "request"})
    assert header.attributes["action"] == "set"
    assert header.attributes["priority"] == "100"


def test_lookups_of_unknown_things_raise_not_found(store):
    customer = store.customer("k")
    with pytest.raises(NotFound):
        store.service(customer, "missing")
    service = store.create_service(customer, {"name": "s"})
    with pytest.raises(NotFound):
        store.version(customer, service.id, 2)
    with pytest.raises(NotFound):
        store.object(customer, service.id, 1, DOMAIN, "none.example")


def test_domain_ownership_follows_renames_clones_and_deletions(store):
    customer = store.customer("k")
    first = store.create_service(customer, {"name": "first"})
    second = store.create_service(customer, {"name": "second"})
    store.create_object(customer, first.id, 1, DOMAIN, {"name": "a.example"})
    store.clone_version(customer, first.id, 1)
    store.delete_object(customer, first.id, 2, DOMAIN, "a.example")
    # Version 1 of the first service still holds it.
    with pytest.raises(Invalid, match="another service"):
        store.create_object(customer, second.id, 1, DOMAIN, {"name": "a.example"})
    store.update_object(customer, first.id, 1, DOMAIN, "a.example", {"name": "b.example"})
    store.create_object(customer, second.id, 1, DOMAIN, {"name": "a.example"})
    with pytest.raises(Invalid, match="another service"):
        store.create_object(customer, second.id, 1, DOMAIN, {"name": "b.example"})
    store.delete_service(customer, first.id)
    store.create_object(customer, second.id, 1, DOMAIN, {"name": "b.example"})


def test_purges_are_remembered_up_to_the_bound_with_the_service_of_the_url(store, clock):
    from mimic.model.fastly import PURGE_LOG_LIMIT

    customer = store.customer("key")
    service = store.create_service(customer, {"name": "s"})
    store.create_object(customer, service.id, 1, DOMAIN, {"name": "www.example.com"})
    clock.advance(5)
    first = store.purge_url(customer, "www.example.com/a.png")
    assert (first.kind, first.target, first.service_id, first.at) == (
        "url", "www.example.com/a.png", service.id, 5)
    assert store.purge_url(customer, "elsewhere.example.org/").service_id is None
    for _ in range(PURGE_LOG_LIMIT):
        store.purge_all(customer, service.id)
    kept = store.purges(customer)
    assert len(kept) == PURGE_LOG_LIMIT and first not in kept
    assert len({p.id for p in kept}) == PURGE_LOG_LIMIT


def test_purging_another_customers_service_is_not_found(store):
    mine = store.create_service(store.customer("a"), {"name": "s"})
    with pytest.raises(NotFound):
        store.purge_all(store.customer("b"), mine.id)
    assert store.purges(store.customer("b")) == []
