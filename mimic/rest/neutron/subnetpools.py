"""
Subnet pools over HTTP (``subnet_allocation``): their JSON, bodies and
routes. ``shared`` and ``is_default`` are admin-only in Neutron's default
policy (neutron/conf/policies/subnetpool.py: ``create_subnetpool:shared``
and ``create_subnetpool:is_default`` are ``ADMIN``): a non-admin naming them
true gets 403. An admin makes shared pools, and pools of other projects
(``project_id``); ``is_default`` (default pools for subnets that name
none) is not emulated: an admin asking for it gets a 400 saying so. A pool joins an address
scope with ``address_scope_id``.
"""

from __future__ import annotations

from typing import Any

from mimic.model.neutron import NetworkState, SubnetPool
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


def subnetpool_json(pool: SubnetPool) -> dict:
    return {
        "id": pool.id, "name": pool.name, "tenant_id": pool.tenant_id,
        "project_id": pool.tenant_id, "description": pool.description,
        "prefixes": list(pool.prefixes), "ip_version": pool.ip_version,
        "default_prefixlen": pool.default_prefixlen, "min_prefixlen": pool.min_prefixlen,
        "max_prefixlen": pool.max_prefixlen, "shared": pool.shared, "is_default": False,
        "default_quota": pool.default_quota, "address_scope_id": pool.address_scope_id, "tags": list(pool.tags),
        **stamps(pool),
    }


SUBNETPOOL_ATTRIBUTES = frozenset(subnetpool_json(SubnetPool("", "")))

_FIELDS = ("name", "description", "prefixes", "default_prefixlen", "min_prefixlen",
           "max_prefixlen", "default_quota")


def _pool_request(body: dict) -> dict:
    return dict(address_scope_id=string_field(body, "address_scope_id"),
                default_quota=body.get("default_quota"),
                name=string_field(body, "name"), description=string_field(body, "description"),
                prefixes=body.get("prefixes"), default_prefixlen=body.get("default_prefixlen"),
                min_prefixlen=body.get("min_prefixlen"),
                max_prefixlen=body.get("max_prefixlen"))


class SubnetPoolRoutes:
    """Routes of ``/v2.0/subnetpools``."""

    @app.route("/v2.0/subnetpools", methods=["GET"])
    def list_subnetpools(self, request: Any) -> bytes:
        _, pools = self._listed(request, "subnetpools", NetworkState.visible_subnetpools)
        return render_list(request, "subnetpools", map(subnetpool_json, pools),
                           SUBNETPOOL_ATTRIBUTES)

    @app.route("/v2.0/subnetpools/<subnetpool_id>", methods=["GET"])
    def show_subnetpool(self, request: Any, subnetpool_id: str) -> bytes:
        _, pool = self._shown(request, "subnetpools", subnetpool_id, NetworkState.subnetpool)
        return render_one(request, "subnetpool", subnetpool_json(pool))

    @app.route("/v2.0/subnetpools", methods=["POST"])
    def create_subnetpool(self, request: Any) -> bytes:
        state = self._creating(request, "subnetpool")
        body = read_resource(request, "subnetpool", _FIELDS + (
            "shared", "is_default", "address_scope_id"), state.tenant_id)
        if body.get("prefixes") is None:
            raise bad_request("Failed to parse request. Required attribute 'prefixes' not "
                              "specified")
        shared = boolean_field(body, "shared") is True
        default = boolean_field(body, "is_default") is True
        for admin_only in ("shared", "is_default") if not self._is_admin(request) else ():
            if (shared, default)[admin_only == "is_default"]:
                raise RequestError(403, f"(rule:create_subnetpool:{admin_only}) is disallowed "
                                   f"by policy", kind="PolicyNotAuthorized")
        if default:
            raise bad_request("Mimic does not emulate default subnet pools (is_default).")
        wanted = _pool_request(body)
        wanted["shared"] = shared
        wanted["name"] = wanted["name"] or ""
        wanted["description"] = wanted["description"] or ""
        pool = self._run(lambda: state.create_subnetpool(**wanted))
        return render_one(request, "subnetpool", subnetpool_json(pool), 201)

    @app.route("/v2.0/subnetpools/<subnetpool_id>", methods=["PUT"])
    def update_subnetpool(self, request: Any, subnetpool_id: str) -> bytes:
        state = self._holder(request, "subnetpools", subnetpool_id)
        body = read_resource(request, "subnetpool", _FIELDS + ("address_scope_id",),
                             state.tenant_id)
        wanted = _pool_request(body)
        wanted["change_scope"] = "address_scope_id" in body
        pool = self._run(lambda: state.update_subnetpool(subnetpool_id, **wanted))
        return render_one(request, "subnetpool", subnetpool_json(pool))

    @app.route("/v2.0/subnetpools/<subnetpool_id>", methods=["DELETE"])
    def delete_subnetpool(self, request: Any, subnetpool_id: str) -> bytes:
        state = self._holder(request, "subnetpools", subnetpool_id)
        self._run(lambda: state.delete_subnetpool(subnetpool_id))
        return empty_response(request)
