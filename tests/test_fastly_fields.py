"""
Fastly types its fields: every field of every route that takes a body,
sent with a value of the wrong type (as JSON, where a type can be wrong),
is a 400 in Fastly's ``{"msg", "detail"}`` shape and changes nothing; every
required field left out is a 400 too. The cases are read off the routes'
field tables in :mod:`mimic.model.fastly_fields`, so a field added there is
checked here without a new test.
"""

from __future__ import annotations

import pytest

from mimic.model.fastly import (
    CONFIG_KINDS,
    SERVICE,
    SERVICE_CHANGE,
    SETTINGS,
    VERSION,
    Field,
    NumericText,
)
from tests.test_fastly_routes import assert_error, call, create_service

#: The smallest valid create body of each kind.
VALID = {
    "domain": {"name": "fields.example.com"},
    "backend": {"name": "origin", "address": "192.0.2.1"},
    "condition": {"name": "cond", "statement": "true", "type": "REQUEST"},
    "cache_settings": {"name": "cache"},
    "response_object": {"name": "teapot"},
    "header": {"name": "mark", "dst": "http.X-Mark", "type": "response"},
}


def wrong_values(field: Field) -> list:
    """JSON values of the wrong type (or outside the choices) for ``field``."""
    values: list = [["a list"], {"an": "object"}]
    if field.type is str:
        values += [123, True]
    elif field.type is int:
        values += ["abc", 1.5]
    elif field.type is bool:
        values += ["maybe", 7]
    elif field.type is NumericText:
        values += ["ten", False]
    if field.choices is not None:
        values.append("bogus")
    if not field.nullable:
        values.append(None)
    return values


#: Every route that takes a body, with its field table.
ROUTES = {"create service": SERVICE, "update service": SERVICE_CHANGE,
          "update version": VERSION, "update settings": SETTINGS}
ROUTES.update({f"{action} {path}": kind for path, kind in CONFIG_KINDS.items()
               for action in ("create", "update")})


def state(mimic, sid):
    """Everything a refused request could have changed."""
    services = call(mimic, "GET", "/service").json()
    details = call(mimic, "GET", f"/service/{sid}/details?version=1").json()
    for body in [*services, details]:
        body.pop("updated_at", None)
    return services, details


@pytest.fixture
def configured(mimic):
    """A service whose version 1 holds one valid object of every kind."""
    sid = create_service(mimic, "fields")["id"]
    for path, body in VALID.items():
        response = call(mimic, "POST", f"/service/{sid}/version/1/{path}", json=body)
        assert response.status_code == 200, response.text
    return sid


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_mistyped_field_is_a_400_and_changes_nothing(mimic, configured, route):
    sid = configured
    before = state(mimic, sid)
    action, what = route.split(" ", 1)
    base = f"/service/{sid}/version/1"
    for name, field in ROUTES[route].fields.items():
        for value in wrong_values(field):
            if route == "create service":
                response = call(mimic, "POST", "/service", json={"name": "x", name: value})
            elif route == "update service":
                response = call(mimic, "PUT", f"/service/{sid}", json={name: value})
            elif route == "update version":
                response = call(mimic, "PUT", base, json={name: value})
            elif route == "update settings":
                response = call(mimic, "PUT", f"{base}/settings", json={name: value})
            elif action == "create":
                body = {**VALID[what], "name": "another", name: value}
                response = call(mimic, "POST", f"{base}/{what}", json=body)
            else:
                response = call(mimic, "PUT", f"{base}/{what}/{VALID[what]['name']}",
                                json={name: value})
            assert_error(response, 400, "Bad request", name)
    assert state(mimic, sid) == before


def test_service_name_of_the_wrong_type_creates_nothing(mimic):
    # The literal request of the issue: Fastly's answer is a 400 in its shape.
    response = call(mimic, "POST", "/service", json={"name": 123})
    assert_error(response, 400, "Bad request", "'name'")
    assert call(mimic, "GET", "/service").json() == []


@pytest.mark.parametrize("path, required", [
    (path, name) for path, kind in CONFIG_KINDS.items() for name in kind.required])
def test_every_required_field_is_required(mimic, path, required):
    sid = create_service(mimic)["id"]
    body = {k: v for k, v in VALID[path].items() if k != required}
    assert_error(call(mimic, "POST", f"/service/{sid}/version/1/{path}", json=body), 400,
                 "Bad request", required)
    assert call(mimic, "GET", f"/service/{sid}/version/1/{path}").json() == []


@pytest.mark.parametrize("body", [{}, {"comment": "no name"}, {"name": ""}])
def test_a_service_needs_a_name(mimic, body):
    assert_error(call(mimic, "POST", "/service", json=body), 400, "Bad request", "name")
    assert call(mimic, "GET", "/service").json() == []


def test_numbers_kept_as_text_take_numbers_or_digits(mimic):
    sid = create_service(mimic)["id"]
    made = call(mimic, "POST", f"/service/{sid}/version/1/condition",
                json={"name": "c", "statement": "true", "type": "CACHE", "priority": 5})
    assert made.json()["priority"] == "5"
    cache = call(mimic, "POST", f"/service/{sid}/version/1/cache_settings",
                 data={"name": "s", "ttl": "60", "cache_condition": "c"}).json()
    assert (cache["ttl"], cache["stale_ttl"]) == ("60", "0")
