"""
Nothing a client sends Identity can bloat Mimic or break it (issue 9): the
rendered catalogs are keyed on what they depend on, never on the ``Host``
header, and bounded; a user costs about what a name, a tenant and a token
cost; an impersonation lifetime Mimic cannot represent is refused before
anything is made.
"""

from __future__ import annotations

import gc
import json
import tracemalloc

import pytest
from twisted.internet.task import Clock

from mimic.model.identity import SessionStore
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
