"""
OpenStack Poppy's Fastly driver, call for call, through the official
``fastly`` client (v15, strict type checking): create a CDN service, update
it (clone, swap domains, backends and caching rules, activate), purge it
(everything, one URL) and delete it -- and the state each step leaves,
including the conditions that response objects and cache settings name.
"""

from __future__ import annotations

import json

import pytest
from fastly.api import (
    backend_api,
    cache_settings_api,
    condition_api,
    domain_api,
    purge_api,
    response_object_api,
    service_api,
    settings_api,
    version_api,
)
from fastly.exceptions import ApiException
from fastly.model.create_response_object_request import CreateResponseObjectRequest

from tests.test_fastly_client import client, error_of, fastly_client  # noqa: F401


def create_cdn_service(client, name="poppy-site"):
    """Poppy's ``create``: a new version with domains, origins, rules, settings."""
    services = service_api.ServiceApi(client)
    versions = version_api.VersionApi(client)
    service = services.create_service(name=name, comment="Poppy")
    version = versions.create_service_version(service_id=service.id).number
    ids = {"service_id": service.id, "version_id": version}
    domains = domain_api.DomainApi(client)
    for domain in ("www.poppy.test", "static.poppy.test"):
        domains.create_domain(**ids, name=domain)
    assert [check.value[0]["name"] for check in domains.check_domains(**ids).value] == [
        "www.poppy.test", "static.poppy.test"]
    backend_api.BackendApi(client).create_backend(**ids, name="origin", address="192.0.2.50",
                                                  port=443, use_ssl=True)
    conditions = condition_api.ConditionApi(client)
    # A referrer restriction: a REQUEST condition and a 403 answered on it.
    conditions.create_condition(**ids, name="restrict-referrer", type="REQUEST",
                                statement='req.http.referer !~ "poppy.test"', priority="10")
    response_object_api.ResponseObjectApi(client).create_response_object(
        **ids, create_response_object_request=CreateResponseObjectRequest(
            name="access-denied", status="403", response="Forbidden",
            request_condition="restrict-referrer"))
    settings_api.SettingsApi(client).update_service_settings(**ids, general_default_ttl=3600)
    # A caching rule: a CACHE condition and the cache settings it selects.
    conditions.create_condition(**ids, name="images", type="CACHE",
                                statement='req.url ~ "^/images/"')
    cache_settings_api.CacheSettingsApi(client).create_cache_settings(
        **ids, name="images-ttl", ttl="86400", cache_condition="images")
    versions.activate_service_version(**ids)
    return service.id, version


def test_poppy_create_update_purge_delete_flow(client):
    services = service_api.ServiceApi(client)
    versions = version_api.VersionApi(client)
    domains = domain_api.DomainApi(client)
    backends = backend_api.BackendApi(client)
    caching = cache_settings_api.CacheSettingsApi(client)
    service_id, first = create_cdn_service(client)

    details = services.get_service_detail(service_id=service_id)
    assert details.active_version.number == first == 2
    assert details.version.settings.general_default_ttl == 3600
    assert [o.request_condition for o in details.version.response_objects] == [
        "restrict-referrer"]
    assert [(c.name, c.cache_condition) for c in details.version.cache_settings] == [
        ("images-ttl", "images")]
    assert services.search_service(name="poppy-site").id == service_id

    # update: clone the active version, change it, activate the clone.
    listed = versions.list_service_versions(service_id=service_id)
    active = next(v.number for v in listed if v.active)
    ids = {"service_id": service_id,
           "version_id": versions.clone_service_version(service_id=service_id,
                                                        version_id=active).number}
    domains.delete_domain(**ids, domain_name="static.poppy.test")
    domains.create_domain(**ids, name="cdn.poppy.test")
    backends.delete_backend(**ids, backend_name="origin")
    backends.create_backend(**ids, name="origin-2", address="192.0.2.51", port=80)
    assert [c.name for c in caching.list_cache_settings(**ids)] == ["images-ttl"]
    caching.update_cache_settings(**ids, cache_settings_name="images-ttl", ttl="600")
    versions.activate_service_version(**ids)

    after = services.get_service_detail(service_id=service_id)
    assert after.active_version.number == ids["version_id"] == 3
    assert sorted(d.name for d in domains.list_domains(**ids).value) == [
        "cdn.poppy.test", "www.poppy.test"]
    assert [b.name for b in backends.list_backends(**ids)] == ["origin-2"]
    assert caching.get_cache_settings(**ids, cache_settings_name="images-ttl").ttl == "600"
    # The version Poppy updated from is kept, inactive and unchanged.
    assert [b.name for b in backends.list_backends(service_id=service_id,
                                                   version_id=2)] == ["origin"]
    assert [(v.number, v.active) for v in versions.list_service_versions(
        service_id=service_id)] == [(1, False), (2, False), (3, True)]

    # purge: everything, then one URL.
    purges = purge_api.PurgeApi(client)
    assert purges.purge_all(service_id=service_id).status == "ok"
    one = purges.purge_single_url(cached_url="www.poppy.test/images/logo.png")
    again = purges.purge_single_url(cached_url="www.poppy.test/images/logo.png")
    assert one.status == again.status == "ok" and one.id != again.id

    # delete: deactivate the active version, then delete the service.
    versions.deactivate_service_version(service_id=service_id, version_id=3)
    assert services.delete_service(service_id=service_id).status == "ok"
    assert error_of(services.search_service, name="poppy-site")[0] == 404
    assert error_of(purges.purge_all, service_id=service_id)[0] == 404
    # Its domains are free for another service again.
    other = services.create_service(name="next")
    domains.create_domain(service_id=other.id, version_id=1, name="www.poppy.test")


def test_response_object_and_cache_settings_need_their_conditions(client):
    service = service_api.ServiceApi(client).create_service(name="conditions")
    ids = {"service_id": service.id, "version_id": 1}
    objects = response_object_api.ResponseObjectApi(client)
    status, body = error_of(
        objects.create_response_object, **ids,
        create_response_object_request=CreateResponseObjectRequest(
            name="denied", status="403", request_condition="no-such-condition"))
    assert status == 400 and body["msg"] == "Bad request"
    assert "no-such-condition" in body["detail"]
    caching = cache_settings_api.CacheSettingsApi(client)
    assert error_of(caching.create_cache_settings, **ids, name="c",
                    cache_condition="missing")[0] == 400
    assert objects.list_response_objects(**ids) == []
    assert caching.list_cache_settings(**ids) == []
    # Naming a missing condition in an update is refused too, and changes nothing.
    condition_api.ConditionApi(client).create_condition(**ids, name="c1", type="CACHE",
                                                        statement="true")
    caching.create_cache_settings(**ids, name="c", cache_condition="c1")
    assert error_of(caching.update_cache_settings, **ids, cache_settings_name="c",
                    cache_condition="c2")[0] == 400
    assert caching.get_cache_settings(**ids, cache_settings_name="c").cache_condition == "c1"


def test_purge_by_surrogate_key_through_the_client(client):
    service = service_api.ServiceApi(client).create_service(name="keys")
    purges = purge_api.PurgeApi(client)
    single = purges.purge_tag(service_id=service.id, surrogate_key="product-42")
    assert single.status == "ok" and single.id
    bulk = purges.bulk_purge_tag(service_id=service.id, surrogate_key="a b c")
    assert sorted(bulk.to_dict()) == ["a", "b", "c"]
    with pytest.raises(ApiException) as raised:
        purges.purge_tag(service_id="nope", surrogate_key="x")
    assert raised.value.status == 404
    assert set(json.loads(raised.value.body)) == {"msg", "detail"}
