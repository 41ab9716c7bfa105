"""
Nova's quota sets (``os-quota-sets``): a project's limits (show, and
``detail`` with what it uses), the defaults, an admin's update and revert.
Policy is nova/policies/quota_sets.py (show and detail
``PROJECT_READER_OR_ADMIN``, defaults anyone, update and delete
``ADMIN``); shapes are nova/api/openstack/compute/quota_sets.py (no ``id``
in an update's answer; the network quotas gone from 2.36, the injected
files' from 2.57, and refused in an update from then on).
"""

from __future__ import annotations

import json
from typing import Any

from mimic.bounds import decimal
from mimic.model.nova_quotas import NOVA_DEFAULTS, shown_at
from mimic.rest.http import RequestError, empty_response, json_response, read_json
from mimic.rest.nova_json import invalid_input, read_boolean
from mimic.rest.nova_routes import NovaRoutes, tenant_route

app = NovaRoutes.app

_POLICY = "os_compute_api:os-quota-sets:"
MAX_LIMIT = 2147483647


class QuotaRoutes(NovaRoutes):
    """``os-quota-sets/<project>``, its ``defaults`` and ``detail``."""

    def _quotas(self, request: Any, tenant_id: str, project_id: str, policy: str,
                rule: str = "admin") -> Any:
        compute, _ = self._begin(request, tenant_id)
        self._authorize(request, tenant_id, _POLICY + policy, rule, project_id)
        return compute

    def _project(self, project_id: str) -> Any:
        """That project's compute state here, if it has any (what it uses)."""
        for compute in self._computes():
            if compute.tenant_id == project_id:
                return compute
        return None

    def _used(self, project_id: str) -> dict:
        project = self._project(project_id)
        return {} if project is None else project.used()

    @tenant_route(app, "/os-quota-sets/<project_id>", methods=["GET"])
    def show_quotas(self, request: Any, tenant_id: str, project_id: str) -> bytes:
        compute = self._quotas(request, tenant_id, project_id, "show", "project")
        limits = compute.cloud.quotas.limits_of(project_id)
        return json_response(request, {"quota_set": {
            "id": project_id, **shown_at(self.version, limits)}})

    @tenant_route(app, "/os-quota-sets/<project_id>/detail", methods=["GET"])
    def quota_details(self, request: Any, tenant_id: str, project_id: str) -> bytes:
        compute = self._quotas(request, tenant_id, project_id, "detail", "project")
        used = self._used(project_id)
        limits = shown_at(self.version, compute.cloud.quotas.limits_of(project_id))
        return json_response(request, {"quota_set": {"id": project_id, **{
            name: {"limit": limit, "in_use": used.get(name, 0), "reserved": 0}
            for name, limit in limits.items()}}})

    @tenant_route(app, "/os-quota-sets/<project_id>/defaults", methods=["GET"])
    def default_quotas(self, request: Any, tenant_id: str, project_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        return json_response(request, {"quota_set": {
            "id": project_id, **shown_at(self.version, compute.cloud.quotas.defaults)}})

    @tenant_route(app, "/os-quota-sets/<project_id>", methods=["PUT"])
    def update_quotas(self, request: Any, tenant_id: str, project_id: str) -> bytes:
        compute = self._quotas(request, tenant_id, project_id, "update")
        body = read_json(request)
        quota_set = body.get("quota_set")
        if not isinstance(quota_set, dict):
            raise invalid_input("quota_set", quota_set, "'quota_set' is a required property")
        unexpected = sorted(k for k in body if k != "quota_set")
        if unexpected:
            raise RequestError(400, f"Invalid input for field/attribute quota_set. "
                               f"Additional properties are not allowed "
                               f"('{unexpected[0][:100]}' was unexpected)")
        allowed = set(shown_at(self.version, NOVA_DEFAULTS))
        force = read_boolean(quota_set, "force") if "force" in quota_set else False
        changes = {}
        for name, value in quota_set.items():
            if name == "force":
                continue
            if name not in allowed:
                raise RequestError(400, f"Invalid input for field/attribute quota_set. "
                                   f"Additional properties are not allowed "
                                   f"('{name[:100]}' was unexpected)")
            changes[name] = _limit(name, value)
        limits = compute.cloud.quotas.update(project_id, changes, self._used(project_id), force)
        return json_response(request, {"quota_set": shown_at(self.version, limits)})

    @tenant_route(app, "/os-quota-sets/<project_id>", methods=["DELETE"])
    def revert_quotas(self, request: Any, tenant_id: str, project_id: str) -> bytes:
        compute = self._quotas(request, tenant_id, project_id, "delete")
        compute.cloud.quotas.revert(project_id)
        return empty_response(request, 202)


def _limit(name: str, value: Any) -> int:
    """A limit: an integer (or its digits) from -1 (unlimited) to Nova's ``MAX_INT``."""
    if isinstance(value, str) and decimal(value, signed=True) is not None:
        value = decimal(value, signed=True)
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid_input(name, str(value)[:100],
                            f"{json.dumps(value)[:100]} is not of type 'integer', 'string'")
    if not -1 <= value <= MAX_LIMIT:
        bound = ("less than the minimum of -1" if value < -1
                 else f"greater than the maximum of {MAX_LIMIT}")
        raise invalid_input(name, value, f"{value} is {bound}")
    return value
