"""
Address scopes over HTTP (``address-scope``): ``/v2.0/address-scopes``,
their JSON and bodies. ``shared`` is an admin's to set (Neutron's
``create_address_scope:shared`` is ``ADMIN``).
"""

from __future__ import annotations

from typing import Any

from mimic.bounds import decimal
from mimic.model.neutron import NetworkState
from mimic.model.neutron.address_scopes import AddressScope
from mimic.rest.http import RequestError, empty_response
from mimic.rest.neutron.wire import (
    app,
    bad_request,
    boolean_field,
    read_resource,
    render_list,
    render_one,
    stamps,
    string_field,
)


def address_scope_json(scope: AddressScope, viewer: Any = None) -> dict:
    """A scope as ``viewer`` sees it: ``shared`` if an RBAC entry shares it with it."""
    shared = scope.shared or (viewer is not None and viewer.shared_with_me(scope.id))
    return {"id": scope.id, "name": scope.name, "tenant_id": scope.tenant_id,
            "project_id": scope.tenant_id, "ip_version": scope.ip_version,
            "shared": shared, **stamps(scope)}


ADDRESS_SCOPE_ATTRIBUTES = frozenset(address_scope_json(AddressScope("", "")))


def _shared(request_owner: Any, body: dict, action: str) -> Any:
    shared = boolean_field(body, "shared")
    if shared and not request_owner:
        raise RequestError(403, f"(rule:{action}_address_scope:shared) is disallowed by "
                           f"policy", kind="PolicyNotAuthorized")
    return shared


class AddressScopeRoutes:
    """Routes of ``/v2.0/address-scopes``."""

    @app.route("/v2.0/address-scopes", methods=["GET"])
    def list_address_scopes(self, request: Any) -> bytes:
        state, scopes = self._listed(request, "address_scopes",
                                     NetworkState.visible_address_scopes)
        return render_list(request, "address_scopes", (
            address_scope_json(s, state) for s in scopes), ADDRESS_SCOPE_ATTRIBUTES)

    @app.route("/v2.0/address-scopes/<scope_id>", methods=["GET"])
    def show_address_scope(self, request: Any, scope_id: str) -> bytes:
        _, scope = self._shown(request, "address_scopes", scope_id,
                               NetworkState.address_scope)
        return render_one(request, "address_scope", address_scope_json(
            scope, self._state(request)))

    @app.route("/v2.0/address-scopes", methods=["POST"])
    def create_address_scope(self, request: Any) -> bytes:
        state = self._creating(request, "address_scope")
        body = read_resource(request, "address_scope", ("name", "ip_version", "shared"),
                             state.tenant_id)
        if "ip_version" not in body:
            raise bad_request("Failed to parse request. Required attribute 'ip_version' not "
                              "specified")
        version = body["ip_version"]
        if isinstance(version, str) and decimal(version) is not None:
            version = decimal(version)
        name = string_field(body, "name", "")
        shared = _shared(self._is_admin(request), body, "create") is True
        scope = self._run(lambda: state.create_address_scope(version, name, shared))
        return render_one(request, "address_scope", address_scope_json(scope), 201)

    @app.route("/v2.0/address-scopes/<scope_id>", methods=["PUT"])
    def update_address_scope(self, request: Any, scope_id: str) -> bytes:
        state = self._holder(request, "address_scopes", scope_id)
        body = read_resource(request, "address_scope", ("name", "shared"), state.tenant_id)
        name = string_field(body, "name")
        shared = _shared(self._is_admin(request), body, "update")
        scope = self._run(lambda: state.update_address_scope(scope_id, name, shared))
        return render_one(request, "address_scope", address_scope_json(scope))

    @app.route("/v2.0/address-scopes/<scope_id>", methods=["DELETE"])
    def delete_address_scope(self, request: Any, scope_id: str) -> bytes:
        state = self._holder(request, "address_scopes", scope_id)
        self._run(lambda: state.delete_address_scope(scope_id))
        return empty_response(request)
