"""
Helpers for the Cloud Load Balancers tests: a tenant's API and control
endpoints read from a real catalog, and short-hands for the requests most
tests start with.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from tests.harness import MimicClient

TENANT = "123456"


def lb_body(**overrides: Any) -> dict:
    """A valid create request; keyword arguments replace or add attributes."""
    body = {
        "name": "a-new-loadbalancer",
        "protocol": "HTTP",
        "virtualIps": [{"type": "PUBLIC"}],
        "nodes": [{"address": "10.1.1.1", "port": 80, "condition": "ENABLED"}],
    }
    body.update(overrides)
    return {"loadBalancer": body}


@attrs.define
class Clb:
    """One tenant's view of CLB in ORD: ``url`` (API) and ``control``."""

    mimic: MimicClient
    url: str
    control: str

    def create(self, **overrides: Any) -> dict:
        response = self.mimic.post(f"{self.url}/loadbalancers", json=lb_body(**overrides))
        assert response.status_code == 202, response.text
        return response.json()["loadBalancer"]

    def get(self, lb_id: Any) -> dict:
        response = self.mimic.get(f"{self.url}/loadbalancers/{lb_id}")
        assert response.status_code == 200, response.text
        return response.json()["loadBalancer"]

    def status(self, lb_id: Any) -> str:
        return self.get(lb_id)["status"]

    def lb_url(self, lb_id: Any, suffix: str = "") -> str:
        return f"{self.url}/loadbalancers/{lb_id}{suffix}"


def clb_for(mimic: MimicClient, tenant_id: str = TENANT, region: str = "ORD") -> Clb:
    access = mimic.authenticate(f"user-{tenant_id}", "secret", tenant_id)
    return Clb(
        mimic,
        mimic.endpoint(access, "rax:load-balancer", region),
        mimic.endpoint(access, "rax:load-balancer:control", region),
    )


@pytest.fixture
def clb(mimic: MimicClient) -> Clb:
    return clb_for(mimic)


def assert_fault(response: Any, code: int, message_part: str = "") -> dict:
    """The response is a CLB fault ``{"message", "code", "details"}``."""
    assert response.status_code == code, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["details"], str)
    text = body["message"] + " " + " ".join(
        body.get("validationErrors", {}).get("messages", []))
    assert message_part in text, text
    return body
