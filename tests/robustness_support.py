"""
Helpers for the robustness tests: every API's endpoints for one tenant
(read from a real v2.0 catalog), and a check per API that an error body has
that API's own shape.
"""

from __future__ import annotations

from typing import Any, Callable

import attrs

from tests.harness import MimicClient

TENANT = "660001"


@attrs.define
class Endpoints:
    """One tenant's endpoints in ORD and a token for it."""

    mimic: MimicClient
    token: str
    tenant: str
    compute: str
    compute_control: str
    clb: str
    clb_control: str
    image: str
    network: str

    def headers(self) -> dict:
        return {"X-Auth-Token": self.token}


def endpoints(mimic: MimicClient, username: str = "robust", tenant: str = TENANT) -> Endpoints:
    access = mimic.authenticate(username=username, tenant_id=tenant)
    return Endpoints(
        mimic=mimic, token=access["token"]["id"], tenant=tenant,
        compute=mimic.endpoint(access, "compute"),
        compute_control=mimic.endpoint(access, "compute:control"),
        clb=mimic.endpoint(access, "rax:load-balancer"),
        clb_control=mimic.endpoint(access, "rax:load-balancer:control"),
        image=mimic.endpoint(access, "image"),
        # Neutron's catalog entry is unversioned, as Keystone's is; its API
        # lives under v2.0.
        network=mimic.endpoint(access, "network").rstrip("/").removesuffix("/v2.0") + "/v2.0",
    )


def _openstack(body: Any, code: int) -> bool:
    # {"badRequest": {"code": 400, "message": "..."}}: Nova, Cinder, Identity v2.0,
    # the control plane and the mesh's control API (which may add where).
    if not isinstance(body, dict) or len(body) != 1:
        return False
    (inner,) = body.values()
    return (isinstance(inner, dict) and inner.get("code") == code
            and isinstance(inner.get("message"), str))


def _keystone(body: Any, code: int) -> bool:
    inner = body.get("error") if isinstance(body, dict) else None
    return (isinstance(inner, dict) and inner.get("code") == code
            and isinstance(inner.get("title"), str) and isinstance(inner.get("message"), str))


def _identity_v2(body: Any, code: int) -> bool:
    """Identity v2.0: the Rackspace key and Keystone's ``error`` in one body."""
    if not isinstance(body, dict) or set(body) - {"error"} == set():
        return False
    rackspace = {key: value for key, value in body.items() if key != "error"}
    return _openstack(rackspace, code) and _keystone(body, code)


def _clb(body: Any, code: int) -> bool:
    return (isinstance(body, dict) and body.get("code") == code
            and isinstance(body.get("message"), str))


def _fastly(body: Any, code: int) -> bool:
    return (isinstance(body, dict) and isinstance(body.get("msg"), str)
            and isinstance(body.get("detail"), str))


def _glance(body: Any, code: int) -> bool:
    if code == 401:
        return _keystone(body, code)
    return (isinstance(body, dict) and isinstance(body.get("message"), str)
            and str(body.get("code", "")).startswith(str(code)))


def _neutron(body: Any, code: int) -> bool:
    if code == 401:
        return _keystone(body, code)
    inner = body.get("NeutronError") if isinstance(body, dict) else None
    return (isinstance(inner, dict) and isinstance(inner.get("type"), str)
            and isinstance(inner.get("message"), str))


#: Each API's error-body check, by the name the tests use for the API.
ERROR_SHAPES: dict[str, Callable[[Any, int], bool]] = {
    "identity": _identity_v2, "identity-v3": _keystone, "nova": _openstack,
    "cinder": _openstack,
    "control": _openstack, "mesh": _openstack, "clb": _clb, "fastly": _fastly,
    "glance": _glance, "neutron": _neutron,
}


def assert_error_shape(api: str, response: Any, code: int = 400) -> None:
    """``response`` is a ``code`` in ``api``'s own error shape (JSON, never HTML)."""
    assert response.status_code == code, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json"), response.text[:300]
    body = response.json()
    assert ERROR_SHAPES[api](body, code), (api, body)
