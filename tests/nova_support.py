"""
Helpers for the Nova tests: a tenant's compute and control endpoints read
from a real v2.0 catalog, and small request helpers over them.
"""

from __future__ import annotations

from typing import Any, Optional

import attrs
import pytest

from tests.harness import MimicClient

UBUNTU = "a1b2c3d4-0001-4e6f-8a9b-0c1d2e3f4a01"
DEBIAN = "a1b2c3d4-0003-4e6f-8a9b-0c1d2e3f4a03"
TENANT = "990001"


@attrs.define
class Nova:
    """One tenant's Nova in ORD: ``url`` is the compute endpoint."""

    mimic: MimicClient
    url: str
    control: str
    token: str
    network: str = ""

    def neutron(self, method: str, path: str, expect: int = 201, **kwargs: Any) -> Any:
        """A call to the same tenant's Neutron (which holds servers' networking)."""
        response = self.mimic.request(method, f"{self.network}/{path}",
                                      **self._authed(kwargs))
        assert response.status_code == expect, response.text
        return response.json() if response.content else None

    def security_group(self, name: str) -> dict:
        """Make a security group (a Neutron resource) that servers can join."""
        return self.neutron("POST", "security-groups",
                            json={"security_group": {"name": name}})["security_group"]

    def get(self, path: str, **kwargs: Any):
        return self.mimic.get(f"{self.url}/{path}", **self._authed(kwargs))

    def post(self, path: str, **kwargs: Any):
        return self.mimic.post(f"{self.url}/{path}", **self._authed(kwargs))

    def put(self, path: str, **kwargs: Any):
        return self.mimic.put(f"{self.url}/{path}", **self._authed(kwargs))

    def delete(self, path: str, **kwargs: Any):
        return self.mimic.delete(f"{self.url}/{path}", **self._authed(kwargs))

    def _authed(self, kwargs: dict) -> dict:
        """Send the token, as real clients do (Nova reads the user from it)."""
        kwargs["headers"] = {"X-Auth-Token": self.token, **kwargs.get("headers", {})}
        return kwargs

    def create(self, name: str = "web", metadata: Optional[dict] = None,
               expect: int = 202, version: Optional[str] = None, **fields: Any) -> dict:
        """Create a server (at microversion ``version`` if given)."""
        server = {"name": name, "imageRef": UBUNTU, "flavorRef": "2", **fields}
        if metadata is not None:
            server["metadata"] = metadata
        response = self.post("servers", json={"server": server},
                             headers=microversion(version))
        assert response.status_code == expect, response.text
        return response.json()

    def create_id(self, name: str = "web", **kwargs: Any) -> str:
        return self.create(name, **kwargs)["server"]["id"]

    def server(self, server_id: str) -> dict:
        response = self.get(f"servers/{server_id}")
        assert response.status_code == 200, response.text
        return response.json()["server"]

    def status(self, server_id: str) -> str:
        return self.server(server_id)["status"]

    def action(self, server_id: str, body: Any):
        return self.post(f"servers/{server_id}/action", json=body)

    def behave(self, event: str, body: dict) -> str:
        response = self.mimic.post(f"{self.control}/behaviors/{event}", json=body)
        assert response.status_code == 201, response.text
        return response.json()["id"]


def microversion(version: Optional[str]) -> dict:
    """The header asking for a Nova microversion (none for ``None``: 2.1)."""
    return {} if version is None else {"OpenStack-API-Version": f"compute {version}"}


def nova_for(mimic: MimicClient, tenant_id: str = TENANT, region: str = "ORD",
             username: Optional[str] = None) -> Nova:
    """``tenant_id``'s Nova, as ``user-<tenant_id>`` (or ``username``) sees it."""
    access = mimic.authenticate(username or f"user-{tenant_id}", "secret", tenant_id)
    return Nova(
        mimic,
        mimic.endpoint(access, "compute", region),
        mimic.endpoint(access, "compute:control", region),
        access["token"]["id"],
        mimic.endpoint(access, "network", region) + "/v2.0",
    )


def admin_nova_for(mimic: MimicClient, tenant_id: str = TENANT,
                   region: str = "ORD") -> Nova:
    """``tenant_id``'s Nova as the user named ``admin`` sees it (an admin everywhere, as on devstack)."""
    return nova_for(mimic, tenant_id, region, username="admin")


@pytest.fixture
def nova(mimic: MimicClient) -> Nova:
    """Tenant ``990001``'s Nova in ORD on a freshly reset server."""
    return nova_for(mimic)


def error_of(response: Any, code: int, kind: str) -> str:
    """Assert Nova's error shape and return its message."""
    assert response.status_code == code, response.text
    body = response.json()
    assert list(body) == [kind], body
    assert body[kind]["code"] == code
    return body[kind]["message"]
