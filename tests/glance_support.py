"""
Helpers for the Glance tests: one tenant's Glance read from a real v2.0
catalog, its requests, and the check that an answer is Glance's error.
"""

from __future__ import annotations

import pytest

PATCH = "application/openstack-images-v2.1-json-patch"


class Glance:
    """One tenant's Glance in ORD, with its token."""

    def __init__(self, mimic, username="glance-user", tenant_id="770001"):
        self.mimic = mimic
        access = mimic.authenticate(username, tenant_id=tenant_id)
        self.token = access["token"]["id"]
        self.root = mimic.endpoint(access, "image")
        self.compute = mimic.endpoint(access, "compute")

    def request(self, method, path, **kwargs):
        headers = {"X-Auth-Token": self.token, **kwargs.pop("headers", {})}
        return self.mimic.request(method, self.root + path, headers=headers, **kwargs)

    def patch(self, image_id, operations, content_type=PATCH):
        return self.request("PATCH", f"/v2/images/{image_id}", json=operations,
                            headers={"content-type": content_type})

    def register(self, **fields):
        response = self.request("POST", "/v2/images", json=fields)
        assert response.status_code == 201, response.text
        return response.json()


@pytest.fixture
def glance(mimic):
    return Glance(mimic)


def assert_glance_error(response, code, fragment=""):
    assert response.status_code == code, response.text
    body = response.json()
    assert body["code"].startswith(str(code))
    assert body["title"]
    assert fragment in body["message"]
