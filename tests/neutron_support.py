"""
Helpers for the Neutron tests: a tenant's Neutron read from a real v2.0
catalog (the resources under ``/v2.0`` of the unversioned endpoint), and
the check that an answer is Neutron's error.
"""

from __future__ import annotations

import attrs
import pytest

PUBLIC = "00000000-0000-0000-0000-000000000000"
PRIVATE = "11111111-1111-1111-1111-111111111111"


@attrs.define
class Neutron:
    """A tenant's view of Neutron in one region: URL and token."""

    mimic: object
    url: str
    token: str

    def call(self, method, path, **kwargs):
        headers = {"x-auth-token": self.token, **kwargs.pop("headers", {})}
        return self.mimic.request(method, self.url + path, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.call("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.call("PUT", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.call("DELETE", path, **kwargs)

    def ok(self, method, path, code=200, **kwargs):
        response = self.call(method, path, **kwargs)
        assert response.status_code == code, response.text
        return response.json() if response.content else None


def connect(mimic, username="alice", region="ORD"):
    access = mimic.authenticate(username)
    # The catalog lists Neutron unversioned, as real clouds do; the
    # resources are under /v2.0 of it.
    return Neutron(mimic, mimic.endpoint(access, "network", region) + "/v2.0",
                   access["token"]["id"])


@pytest.fixture
def neutron(mimic):
    return connect(mimic)


def assert_neutron_error(response, code, kind=None):
    assert response.status_code == code, response.text
    assert response.headers["content-type"] == "application/json"
    error = response.json()["NeutronError"]
    assert set(error) == {"type", "message", "detail"}
    assert error["message"]
    if kind is not None:
        assert error["type"] == kind, error
    return error["message"]
