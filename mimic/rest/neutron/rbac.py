"""
RBAC policies over HTTP (``rbac-policies``): ``/v2.0/rbac-policies``, the
entry's JSON (``target_tenant`` and its newer name ``target_project``
both shown, as Neutron does) and the bodies that create and retarget one.
The rules are :mod:`mimic.model.neutron.rbac`'s.
"""

from __future__ import annotations

from typing import Any

from mimic.model.neutron.rbac import RbacPolicy
from mimic.rest.http import empty_response
from mimic.rest.neutron.wire import (
    app,
    bad_request,
    read_resource,
    render_list,
    render_one,
    string_field,
)


def rbac_policy_json(entry: RbacPolicy) -> dict:
    return {"id": entry.id, "tenant_id": entry.tenant_id, "project_id": entry.tenant_id,
            "object_type": entry.object_type, "object_id": entry.object_id,
            "action": entry.action, "target_tenant": entry.target_tenant,
            "target_project": entry.target_tenant}


#: What lists of entries may filter and sort on.
RBAC_POLICY_ATTRIBUTES = frozenset(rbac_policy_json(RbacPolicy("", "", "", "", "", "")))


def _target(body: dict, required: bool) -> Any:
    """``target_tenant``, or its newer name ``target_project``."""
    for key in ("target_tenant", "target_project"):
        if key in body:
            return string_field(body, key)
    if required:
        raise bad_request("Failed to parse request. Required attribute 'target_tenant' not "
                          "specified")
    return None


class RbacPolicyRoutes:
    """Routes of ``/v2.0/rbac-policies``."""

    def _known_project(self, project_id: str) -> bool:
        return self.store.known_tenant(project_id) is not None

    @app.route("/v2.0/rbac-policies", methods=["GET"])
    def list_rbac_policies(self, request: Any) -> bytes:
        entries = self._state(request).rbac_policies(self._is_admin(request))
        return render_list(request, "rbac_policies", map(rbac_policy_json, entries),
                           RBAC_POLICY_ATTRIBUTES)

    @app.route("/v2.0/rbac-policies/<policy_id>", methods=["GET"])
    def show_rbac_policy(self, request: Any, policy_id: str) -> bytes:
        state = self._state(request)
        return render_one(request, "rbac_policy", rbac_policy_json(self._run(
            lambda: state.rbac_policy(policy_id, self._is_admin(request)))))

    @app.route("/v2.0/rbac-policies", methods=["POST"])
    def create_rbac_policy(self, request: Any) -> bytes:
        # An admin's body may name the project that owns the entry.
        state = self._creating(request, "rbac_policy")
        body = read_resource(request, "rbac_policy", (
            "object_type", "object_id", "action", "target_tenant", "target_project"),
            state.tenant_id)
        for key in ("object_type", "object_id", "action"):
            if key not in body:
                raise bad_request(f"Failed to parse request. Required attribute '{key}' not "
                                  f"specified")
        target = _target(body, required=True)
        entry = self._run(lambda: state.create_rbac_policy(
            body["object_type"], body["object_id"], body["action"], target,
            self._is_admin(request), self._known_project))
        return render_one(request, "rbac_policy", rbac_policy_json(entry), 201)

    @app.route("/v2.0/rbac-policies/<policy_id>", methods=["PUT"])
    def update_rbac_policy(self, request: Any, policy_id: str) -> bytes:
        state = self._state(request)
        admin = self._is_admin(request)
        body = read_resource(request, "rbac_policy", ("target_tenant", "target_project"),
                             state.tenant_id)
        target = _target(body, required=False)
        if target is None:
            entry = self._run(lambda: state.rbac_policy(policy_id, admin))
        else:
            entry = self._run(lambda: state.update_rbac_policy(policy_id, target, admin,
                                                               self._known_project))
        return render_one(request, "rbac_policy", rbac_policy_json(entry))

    @app.route("/v2.0/rbac-policies/<policy_id>", methods=["DELETE"])
    def delete_rbac_policy(self, request: Any, policy_id: str) -> bytes:
        state = self._state(request)
        self._run(lambda: state.delete_rbac_policy(policy_id, self._is_admin(request)))
        return empty_response(request)

