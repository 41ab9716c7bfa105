"""
The official ``fastly`` Python client (v15), with its default strict type
checking of every answer, drives Mimic's Fastly API over real sockets: a
field of the wrong type in any response would raise in the client, so each
call that returns is a check of the wire format as well as of the rules.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import fastly
import pytest
from fastly.api import (
    backend_api,
    cache_settings_api,
    condition_api,
    customer_api,
    domain_api,
    header_api,
    response_object_api,
    service_api,
    settings_api,
    version_api,
)
from fastly.exceptions import ApiException, ApiTypeError, ApiValueError
from fastly.model.create_response_object_request import CreateResponseObjectRequest

from mimic.model.fastly import Version
from mimic.rest.fastly_api import render_version


def fastly_client(mimic, token: str = "mimic-token") -> fastly.ApiClient:
    configuration = fastly.Configuration()
    configuration.api_token = token
    configuration.host = mimic.base_url + "/fastly"
    return fastly.ApiClient(configuration)


@pytest.fixture
def client(mimic) -> fastly.ApiClient:
    return fastly_client(mimic)


def error_of(call, *args, **kwargs):
    """The ApiException a client call raises, with its body parsed."""
    with pytest.raises(ApiException) as raised:
        call(*args, **kwargs)
    return raised.value.status, json.loads(raised.value.body)


def test_client_checks_types_strictly_by_default(client):
    """The proof these tests rely on: a mistyped field makes the client raise."""
    assert client.configuration.discard_unknown_keys is False
    wrong = {**render_version(Version(1, "svc", 0, 0)), "number": "1"}
    response = _FakeResponse(wrong)
    with pytest.raises((ApiTypeError, ApiValueError), match="number"):
        client.deserialize(response, (fastly.model.version_response.VersionResponse,), True)


class _FakeResponse:
    def __init__(self, body: dict) -> None:
        self.data = json.dumps(body).encode("utf-8")

    def getheader(self, name, default=None):
        return "application/json" if name.lower() == "content-type" else default


def test_current_customer_is_the_keys_owner(client, mimic):
    customer = customer_api.CustomerApi(client).get_logged_in_customer()
    again = customer_api.CustomerApi(client).get_logged_in_customer()
    other = customer_api.CustomerApi(fastly_client(mimic, "other")).get_logged_in_customer()
    assert customer.id == again.id
    assert customer.id != other.id
    assert customer.created_at == datetime(1970, 1, 1, tzinfo=timezone.utc)


def test_poppy_style_lifecycle_create_configure_activate_clone_deactivate_delete(client, mimic):
    services = service_api.ServiceApi(client)
    versions = version_api.VersionApi(client)
    domains = domain_api.DomainApi(client)
    backends = backend_api.BackendApi(client)

    mimic.tick(3600)
    service = services.create_service(name="cdn-site", comment="made by a test")
    assert service.name == "cdn-site"
    assert service.type == "vcl"
    assert [v.number for v in service.versions] == [1]
    assert service.created_at == datetime(1970, 1, 1, 1, tzinfo=timezone.utc)

    created = versions.create_service_version(service_id=service.id)
    assert created.number == 2 and created.service_id == service.id

    domain = domains.create_domain(service_id=service.id, version_id=2,
                                   name="www.example.com", comment="main")
    assert domain.name == "www.example.com" and domain.version == 2
    backend = backends.create_backend(service_id=service.id, version_id=2, name="origin",
                                      address="203.0.113.7", port=443, use_ssl=True)
    assert (backend.address, backend.port, backend.use_ssl) == ("203.0.113.7", 443, True)
    assert backend.hostname == "203.0.113.7"
    assert backend.locked is False
    assert [d.name for d in domains.list_domains(service_id=service.id, version_id=2).value] \
        == ["www.example.com"]
    checks = domains.check_domains(service_id=service.id, version_id=2).value
    assert checks[0].value[0]["name"] == "www.example.com"
    assert checks[0].value[2] is False

    activated = versions.activate_service_version(service_id=service.id, version_id=2)
    assert activated.active is True and activated.locked is True
    checks = domains.check_domains(service_id=service.id, version_id=2).value
    assert checks[0].value[2] is True

    # A locked version refuses changes; its clone takes them.
    status, body = error_of(domains.create_domain, service_id=service.id, version_id=2,
                            name="cdn.example.com")
    assert status == 400 and body["msg"] == "Bad request" and "locked" in body["detail"]
    clone = versions.clone_service_version(service_id=service.id, version_id=2)
    assert clone.number == 3 and clone.locked is False and clone.active is False
    copied = backends.list_backends(service_id=service.id, version_id=3)
    assert [b.name for b in copied] == ["origin"]
    domains.create_domain(service_id=service.id, version_id=3, name="cdn.example.com")
    assert len(domains.list_domains(service_id=service.id, version_id=2).value) == 1

    details = services.get_service_detail(service_id=service.id)
    assert details.active_version.number == 2
    assert [d.name for d in details.active_version.domains] == ["www.example.com"]
    assert [b.name for b in details.version.backends] == ["origin"]
    assert [v.number for v in details.versions] == [1, 2, 3]
    latest = services.get_service_detail(service_id=service.id, version=3)
    assert sorted(d.name for d in latest.version.domains) == ["cdn.example.com",
                                                              "www.example.com"]

    status, body = error_of(services.delete_service, service_id=service.id)
    assert status == 400 and "active" in body["detail"]

    deactivated = versions.deactivate_service_version(service_id=service.id, version_id=2)
    assert deactivated.active is False and deactivated.locked is True
    assert services.get_service_detail(service_id=service.id).active_version is None

    assert services.delete_service(service_id=service.id).status == "ok"
    status, body = error_of(services.get_service, service_id=service.id)
    assert status == 404 and body["msg"] == "Record not found"


def test_activating_another_version_deactivates_the_first(client):
    services = service_api.ServiceApi(client)
    versions = version_api.VersionApi(client)
    service = services.create_service(name="two")
    versions.activate_service_version(service_id=service.id, version_id=1)
    versions.clone_service_version(service_id=service.id, version_id=1)
    versions.activate_service_version(service_id=service.id, version_id=2)
    listed = versions.list_service_versions(service_id=service.id)
    assert [(v.number, v.active, v.locked) for v in listed] == [(1, False, True),
                                                                (2, True, True)]
    summary = services.list_services()
    assert [(s.name, s.version) for s in summary] == [("two", 2)]


def test_service_search_list_update_and_version_comment(client):
    services = service_api.ServiceApi(client)
    versions = version_api.VersionApi(client)
    first = services.create_service(name="alpha")
    services.create_service(name="beta", type="wasm")
    assert services.search_service(name="beta").type == "wasm"
    assert [s.name for s in services.list_services(direction="descend")] == ["beta", "alpha"]
    assert [s.name for s in services.list_services(per_page=1, page=2)] == ["beta"]
    renamed = services.update_service(service_id=first.id, name="gamma", comment="renamed")
    assert (renamed.name, renamed.comment) == ("gamma", "renamed")
    version = versions.update_service_version(service_id=first.id, version_id=1,
                                              comment="first draft")
    assert version.comment == "first draft"
    assert versions.get_service_version(service_id=first.id, version_id=1).comment \
        == "first draft"
    locked = versions.lock_service_version(service_id=first.id, version_id=1)
    assert locked.locked is True and locked.active is False
    status, _ = error_of(services.search_service, name="alpha")
    assert status == 404


def test_every_configuration_kind_round_trips_through_the_client(client):
    service = service_api.ServiceApi(client).create_service(name="config")
    sid = service.id
    conditions = condition_api.ConditionApi(client)
    condition = conditions.create_condition(service_id=sid, version_id=1, name="is-api",
                                            statement='req.url ~ "^/api"',
                                            type="REQUEST", priority="10")
    assert (condition.type, condition.priority, condition.version) == ("REQUEST", "10", "1")
    assert [c.name for c in conditions.list_conditions(service_id=sid, version_id=1).value] \
        == ["is-api"]

    cache = cache_settings_api.CacheSettingsApi(client)
    setting = cache.create_cache_settings(service_id=sid, version_id=1, name="no-cache",
                                          action="pass", cache_condition="is-api",
                                          ttl="0", stale_ttl="30")
    assert (setting.action, setting.stale_ttl) == ("pass", "30")
    updated = cache.update_cache_settings(service_id=sid, version_id=1,
                                          cache_settings_name="no-cache", ttl="300")
    assert updated.ttl == "300"

    objects = response_object_api.ResponseObjectApi(client)
    teapot = objects.create_response_object(
        service_id=sid, version_id=1,
        create_response_object_request=CreateResponseObjectRequest(
            name="teapot", status="418", response="I'm a teapot", content="short and stout",
            content_type="text/plain"),
    )
    assert (teapot.status, teapot.content) == ("418", "short and stout")
    assert [o.name for o in objects.list_response_objects(service_id=sid, version_id=1)] \
        == ["teapot"]

    headers = header_api.HeaderApi(client)
    header = headers.create_header_object(service_id=sid, version_id=1, name="mark",
                                          action="set", type="response",
                                          dst="http.X-Served-By", src='"mimic"')
    assert (header.action, header.dst, header.ignore_if_set) == ("set", "http.X-Served-By", "0")
    assert headers.get_header_object(service_id=sid, version_id=1,
                                     header_name="mark").src == '"mimic"'

    settings = settings_api.SettingsApi(client)
    changed = settings.update_service_settings(service_id=sid, version_id=1,
                                               general_default_ttl=60,
                                               general_stale_if_error=True)
    assert (changed.general_default_ttl, changed.general_stale_if_error) == (60, True)
    assert settings.get_service_settings(service_id=sid, version_id=1).general_default_ttl == 60

    backends = backend_api.BackendApi(client)
    backends.create_backend(service_id=sid, version_id=1, name="b", address="192.0.2.1",
                            request_condition="is-api", ssl_check_cert=None)
    renamed = backends.update_backend(service_id=sid, version_id=1, backend_name="b",
                                      name="origin", weight=50)
    assert (renamed.name, renamed.weight, renamed.ssl_check_cert) == ("origin", 50, None)
    assert backends.delete_backend(service_id=sid, version_id=1,
                                   backend_name="origin").status == "ok"
    status, _ = error_of(backends.get_backend, service_id=sid, version_id=1, backend_name="b")
    assert status == 404

    details = service_api.ServiceApi(client).get_service_detail(service_id=sid)
    assert [h.name for h in details.version.headers] == ["mark"]
    assert details.version.settings.general_default_ttl == 60
    assert details.version.conditions[0].name == "is-api"
    assert details.version.response_objects[0].name == "teapot"
    assert details.version.cache_settings[0].name == "no-cache"


def test_client_sees_every_error_with_its_status(client, mimic):
    services = service_api.ServiceApi(client)
    versions = version_api.VersionApi(client)
    domains = domain_api.DomainApi(client)
    service = services.create_service(name="errors")

    assert error_of(services.get_service, service_id="nope")[0] == 404
    assert error_of(versions.get_service_version, service_id=service.id, version_id=9)[0] == 404
    assert error_of(domains.get_domain, service_id=service.id, version_id=1,
                    domain_name="missing.example.com")[0] == 404
    assert error_of(versions.deactivate_service_version, service_id=service.id,
                    version_id=1)[0] == 400
    domains.create_domain(service_id=service.id, version_id=1, name="a.example.com")
    status, body = error_of(domains.create_domain, service_id=service.id, version_id=1,
                            name="a.example.com")
    assert (status, body["msg"]) == (409, "Duplicate record")

    other = service_api.ServiceApi(fastly_client(mimic, "someone-else"))
    assert error_of(other.get_service, service_id=service.id)[0] == 404
    theirs = other.create_service(name="theirs")
    status, body = error_of(domain_api.DomainApi(fastly_client(mimic, "someone-else"))
                            .create_domain, service_id=theirs.id, version_id=1,
                            name="a.example.com")
    assert status == 400 and "another customer" in body["detail"]

    anonymous = service_api.ServiceApi(fastly_client(mimic, ""))
    status, body = error_of(anonymous.list_services)
    assert status == 401 and body["msg"] == "Provided credentials are missing or invalid"
