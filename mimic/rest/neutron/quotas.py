"""
Quotas and availability zones over HTTP: ``/v2.0/quotas/<project>`` (and
its ``/details`` and ``/default``) for the caller's own project, read-only
(changing quotas is an admin's), ``/v2.0/availability_zones``, and the
admin-only ``/v2.0/network-ip-availabilities``, refused as Neutron's
default policy refuses it to others.
"""

from __future__ import annotations

from typing import Any

from mimic.model.neutron.quotas import QUOTA_DEFAULTS
from mimic.rest.http import RequestError, json_response
from mimic.rest.neutron.wire import app, render_list

#: The one zone Mimic's networks and routers are in.
AVAILABILITY_ZONES = [{"name": "nova", "resource": resource, "state": "available"}
                      for resource in ("network", "router")]
ZONE_ATTRIBUTES = frozenset(AVAILABILITY_ZONES[0])


def _forbidden(action: str) -> RequestError:
    return RequestError(403, f"(rule:{action}) is disallowed by policy",
                        kind="PolicyNotAuthorized")


class QuotaRoutes:
    """Routes of ``/v2.0/quotas`` and ``/v2.0/availability_zones``."""

    def _own_quota_state(self, request: Any, project_id: str) -> Any:
        state = self._state(request)
        if project_id != state.tenant_id:
            raise _forbidden("get_quota")
        return state

    @app.route("/v2.0/quotas/<project_id>", methods=["GET"])
    def show_quota(self, request: Any, project_id: str) -> bytes:
        state = self._own_quota_state(request, project_id)
        return json_response(request, {"quota": state.quota_limits()})

    @app.route("/v2.0/quotas/<project_id>/default", methods=["GET"])
    def default_quota(self, request: Any, project_id: str) -> bytes:
        self._own_quota_state(request, project_id)
        return json_response(request, {"quota": dict(QUOTA_DEFAULTS)})

    @app.route("/v2.0/quotas/<project_id>/details", methods=["GET"])
    def quota_details(self, request: Any, project_id: str) -> bytes:
        state = self._own_quota_state(request, project_id)
        used = state.quota_usage()
        return json_response(request, {"quota": {
            resource: {"limit": limit, "used": used[resource], "reserved": 0}
            for resource, limit in state.quota_limits().items()}})

    @app.route("/v2.0/quotas/<project_id>", methods=["PUT", "DELETE"])
    def change_quota(self, request: Any, project_id: str) -> bytes:
        self._state(request)
        action = "update_quota" if request.method == b"PUT" else "delete_quota"
        raise _forbidden(action)

    @app.route("/v2.0/quotas", methods=["GET"])
    def list_quotas(self, request: Any) -> bytes:
        # Every project's quotas are an admin's to list.
        self._state(request)
        raise _forbidden("get_quota")

    @app.route("/v2.0/network-ip-availabilities", methods=["GET"])
    @app.route("/v2.0/network-ip-availabilities/<network_id>", methods=["GET"])
    def ip_availabilities(self, request: Any, network_id: str = "") -> bytes:
        # Admin-only in Neutron's default policy; Mimic has no admins yet.
        self._state(request)
        raise _forbidden("get_network_ip_availability")

    @app.route("/v2.0/availability_zones", methods=["GET"])
    def list_availability_zones(self, request: Any) -> bytes:
        self._state(request)
        return render_list(request, "availability_zones", AVAILABILITY_ZONES, ZONE_ATTRIBUTES)
