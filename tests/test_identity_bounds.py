"""
Nothing a client sends Identity can bloat Mimic or break it (issue 9): the
rendered catalogs are keyed on what they depend on, never on the ``Host``
header, and bounded; a user costs about what a name, a tenant and a token
cost, and their first authentication makes nothing in any other API; an
impersonation lifetime Mimic cannot represent is refused before anything is
made.
"""

from __future__ import annotations

import gc
import random
import json
import tracemalloc
from collections import Counter

import pytest
from twisted.internet.address import IPv4Address
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport

from mimic.core import MimicCore
from mimic.model.identity import SessionStore
from mimic.resource import MountedRoot
from mimic.site import MimicSite
from mimic.rest.identity_common import CatalogCache, catalog_cache, rendered_catalog
from mimic.util import IdSource

IMPERSONATE = "/identity/v2.0/RAX-AUTH/impersonation-tokens"


@pytest.fixture
def store():
    return SessionStore(clock=Clock(), ids=IdSource(0))


def test_a_thousand_host_names_share_one_rendered_catalog(store):
    renders = []

    def render(root, tenant_id):
        renders.append(root)
        return [{"url": f"{root}/mimicking/nova/ORD/v2/{tenant_id}"}]

    for n in range(1000):
        root = f"http://host-{n}.example:8900"
        catalog = rendered_catalog(store, "v2.0", "acme", root, render)
        assert json.loads(catalog.encoded) == [
            {"url": f"{root}/mimicking/nova/ORD/v2/acme"}]
    assert len(renders) == 1
    assert len(catalog_cache(store)) == 1


def test_catalog_cache_keeps_the_most_recently_used_catalogs_only():
    cache = CatalogCache(size=2)
    for key in ("a", "b", "a", "c"):
        cache.template(key, lambda: [key])
    assert len(cache) == 2
    rendered = []
    cache.template("a", lambda: rendered.append("a") or ["a"])
    cache.template("b", lambda: rendered.append("b") or ["b"])
    assert rendered == ["b"]  # "b" was the least recently used, and went


def test_each_host_name_gets_its_own_urls_over_http(mimic):
    for host in ("alpha.example:1234", "127.0.0.1:9", 'odd"name'):
        response = mimic.post("/identity/v2.0/tokens", headers={"Host": host}, json={
            "auth": {"passwordCredentials": {"username": "alice", "password": "x"}}})
        assert response.status_code == 200, response.text
        urls = [e["publicURL"] for s in response.json()["access"]["serviceCatalog"]
                for e in s["endpoints"]]
        assert urls and all(url.startswith(f"http://{host}/") for url in urls)


def test_a_user_costs_about_a_name_a_tenant_and_a_token(store):
    # 50,000 users used to cost 29 KB each (issue 9); the model's share is
    # now under 1 KB (bench/identity_memory.py measures the whole server).
    for n in range(100):
        store.token_for(store.user(f"warm-{n}"))
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(2000):
            store.token_for(store.user(f"user-{n}"))
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown / 2000 < 1024


def _authentication(version: str, username: str) -> tuple:
    """The path and body of a first password authentication of ``username``."""
    if version == "v2.0":
        return "/identity/v2.0/tokens", {"auth": {"passwordCredentials": {
            "username": username, "password": "x"}}}
    return "/identity/v3/auth/tokens", {"auth": {"identity": {
        "methods": ["password"], "password": {"user": {
            "name": username, "domain": {"id": "default"}, "password": "x"}}}}}


def _objects_by_type() -> Counter:
    gc.collect()
    return Counter(type(thing).__qualname__ for thing in gc.get_objects())


@pytest.mark.parametrize("version", ["v2.0", "v3"])
def test_a_first_authentication_keeps_a_user_a_tenant_and_a_token_and_nothing_else(version):
    # Every plugin serves the catalog these users get, and none of them
    # was asked anything: a new user must cost no plugin a per-tenant
    # object (a region's registry entry, a quota record, an empty store),
    # nor make the journal or a cache grow past its bound. Counted in
    # objects, not bytes, so that it cannot pass or fail with the
    # allocator; bench/identity_memory.py measures the bytes.
    core = MimicCore.from_plugins(journal_size=4)
    # No idle timeout: Twisted would schedule one per request on the global
    # reactor, which does not run here and so never lets them go.
    site = MimicSite(MountedRoot(core), core=core, timeout=None)
    channel = site.buildProtocol(IPv4Address("TCP", "127.0.0.1", 50000))
    transport = StringTransport(hostAddress=IPv4Address("TCP", "127.0.0.1", 8900),
                                peerAddress=IPv4Address("TCP", "127.0.0.1", 50000))
    channel.makeConnection(transport)

    def authenticate(username: str) -> None:
        path, document = _authentication(version, username)
        body = json.dumps(document).encode()
        transport.clear()
        channel.dataReceived(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:8900\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            .encode() + body)
        assert transport.value().split(b" ", 2)[1] in (b"200", b"201"), transport.value()

    # The first users make what is made once: the catalog cache, the auth
    # behaviors' registry, the metrics, a full journal.
    for n in range(10):
        authenticate(f"warm-{n}")
    global_keys = set(core.store.global_data())
    # The first full collection in a process frees and makes a few objects
    # of its own; count from the second.
    _objects_by_type()
    before = _objects_by_type()
    users = 100
    for n in range(users):
        authenticate(f"user-{n}")
    grown = _objects_by_type() - before
    assert {kind: grown.pop(kind, 0) for kind in ("User", "Tenant", "Token")} == {
        "User": users, "Tenant": users, "Token": users}
    # Anything else made per user would grow by ``users``; allow the odd
    # one-off (a lazily made module object), never one per ten users.
    assert all(count < users / 10 for count in grown.values()), grown.most_common(5)
    new_tenants = [core.store.user_by_name(f"user-{n}").tenant for n in range(users)]
    assert [tenant.api_data() for tenant in new_tenants] == [{}] * users
    assert set(core.store.global_data()) == global_keys
    assert len(core.journal) == 4


@pytest.mark.parametrize("raw_lifetime", [
    "1e30", "1000000000000000000000000000000", "NaN", "Infinity", "-5", "0", "60.5",
    "60.0", '"60"', "true", "null", "315360001",
])
def test_impersonation_lifetime_mimic_cannot_honour_is_400_and_makes_no_user(
        mimic, raw_lifetime):
    admin = mimic.authenticate("admin")["token"]["id"]
    body = ('{"RAX-AUTH:impersonation": {"user": {"username": "victim"}, '
            f'"expire-in-seconds": {raw_lifetime}}}}}')
    response = mimic.post(IMPERSONATE, data=body, headers={
        "x-auth-token": admin, "content-type": "application/json"})
    assert response.status_code == 400, response.text
    message = response.json()["badRequest"]["message"]
    if raw_lifetime in ("NaN", "Infinity"):
        # Not JSON at all: the shared body reader refuses it first.
        assert f"{raw_lifetime} is not a JSON number" in message
    else:
        assert "expire-in-seconds" in message
    assert mimic.get("/identity/v2.0/users", params={"name": "victim"}).status_code == 404


def test_impersonation_lifetime_up_to_ten_years_is_honoured(mimic):
    admin = mimic.authenticate("admin")["token"]["id"]
    response = mimic.post(IMPERSONATE, headers={"x-auth-token": admin}, json={
        "RAX-AUTH:impersonation": {"user": {"username": "victim"},
                                   "expire-in-seconds": 315360000}})
    assert response.status_code == 200, response.text
    assert response.json()["access"]["token"]["expires"] == "1979-12-30T00:00:00.000000Z"


def test_tenants_are_found_by_name_first_named_first_whatever_the_index_leaves_out():
    # The name index leaves out a tenant whose name is its id and no other
    # tenant's (most tenants); lookups must answer as a full index in
    # naming order would, through creates, renames, deletes and tenants
    # first mentioned and then kept or dropped.
    names = ["a", "b", "c"]
    for seed in range(60):
        chooser = random.Random(seed)
        store = SessionStore(clock=Clock(), ids=IdSource(0))
        named_order: list = []
        for _ in range(40):
            step = chooser.random()
            tenant_id = chooser.choice(names + ["x1", "x2"])
            if step < 0.45:
                if store.known_tenant(tenant_id) is None:
                    named_order.append(store.tenant(tenant_id, chooser.choice(names + [None]),
                                                    domain_id=chooser.choice(["default", "d2"])))
            elif step < 0.7 and store.tenants():
                tenant = chooser.choice(store.tenants())
                store.rename_tenant(tenant, chooser.choice(names + ["x1"]))
                named_order.remove(tenant)
                named_order.append(tenant)
            elif step < 0.85 and store.tenants():
                tenant = chooser.choice(store.tenants())
                store.delete_tenant(tenant)
                named_order.remove(tenant)
            else:
                with store.first_mentions() as mentioned:
                    known = store.known_tenant(tenant_id)
                    tenant = store.tenant(tenant_id, chooser.choice(names + [None]))
                    if chooser.random() < 0.5:
                        store.keep(mentioned)
                        if known is None:
                            named_order.append(tenant)
            for name in names + ["x1", "x2"]:
                for domain_id in (None, "default", "d2"):
                    expected = next((t for t in named_order if t.name == name and (
                        domain_id is None or t.domain_id == domain_id)), None)
                    assert store.find_tenant_named(name, domain_id) is expected
