"""
Bad input to writable Keystone v3 never gets a 500 (issue 9's rule, for
the routes of issue 13): every malformed body, wrong type or unknown id on
every write route is a 4xx in Keystone's error shape, and nothing is made.
"""

from __future__ import annotations

import pytest

V3 = "/identity/v3"

WRITES = [
    ("POST", "/domains", "domain"), ("PATCH", "/domains/default", "domain"),
    ("POST", "/projects", "project"), ("PATCH", "/projects/admin", "project"),
    ("POST", "/users", "user"), ("POST", "/groups", "group"),
    ("POST", "/roles", "role"), ("POST", "/services", "service"),
    ("POST", "/endpoints", "endpoint"), ("POST", "/regions", "region"),
    ("POST", "/credentials", "credential"),
    ("POST", "/registered_limits", "registered_limits"), ("POST", "/limits", "limits"),
    ("PUT", "/projects/admin/tags", "tags"),
]

BODIES = [
    b"", b"not json", b"[]", b"null", b'"text"', b"{}", b'{"KEY": null}', b'{"KEY": []}',
    b'{"KEY": "text"}', b'{"KEY": {}}', b'{"KEY": {"name": 7, "id": []}}',
    b'{"KEY": {"name": "\\ud800"}}', b'{"KEY": [{"service_id": 1}]}',
    b'{"KEY": {"name": "n", "enabled": "maybe", "domain_id": {}, "tags": [1]}}',
    # Deep nesting (issue 9) is the shared JSON reader's, in
    # mimic/rest/http.py, which the core work changes; not repeated here.
]


@pytest.fixture(scope="module")
def admin_token(mimic_server):
    client = mimic_server.client()
    client.reset()
    response = client.post(f"{V3}/auth/tokens", json={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "password": "x", "domain": {"id": "default"}}}},
        "scope": {"project": {"id": "admin"}}}})
    return client, response.headers["x-subject-token"]


@pytest.mark.parametrize("method,path,key", WRITES)
def test_malformed_writes_are_4xx_in_keystone_shape(admin_token, method, path, key):
    client, token = admin_token
    before = {p: client.get(V3 + p, headers={"X-Auth-Token": token}).json()
              for p in ("/projects", "/users", "/roles", "/services", "/regions")}
    for body in BODIES:
        if path == "/regions" and body in (b'{"KEY": {}}', BODIES[-1]) or (
                (path, body) == ("/projects/admin/tags", b'{"KEY": []}')):
            # Valid: a region whose id Keystone picks, or one with extra
            # properties only (Keystone keeps them); no tags.
            continue
        response = client.request(method, V3 + path, data=body.replace(b"KEY", key.encode()),
                                  headers={"X-Auth-Token": token,
                                           "content-type": "application/json"})
        assert 400 <= response.status_code < 500, (body, response.text)
        assert list(response.json()) == ["error"], response.text
    after = {p: client.get(V3 + p, headers={"X-Auth-Token": token}).json()
             for p in before}
    assert after == before


@pytest.mark.parametrize("path", [
    "/projects/nope/users/nope/roles/nope", "/domains/nope/groups/nope/roles",
    "/system/users/nope/roles/nope", "/roles/nope/implies/nope",
    "/users/nope/application_credentials", "/groups/nope/users/nope",
    "/role_assignments?user.id=%ff", "/projects?name=%ff", "/credentials/nope",
    "/limits/nope", "/endpoints/nope", "/services/nope", "/regions/nope",
])
def test_unknown_ids_and_bad_queries_are_4xx(admin_token, path):
    client, token = admin_token
    for method in ("GET", "PUT", "DELETE", "HEAD"):
        response = client.request(method, V3 + path, headers={"X-Auth-Token": token})
        assert 400 <= response.status_code < 500, (method, path, response.text)
