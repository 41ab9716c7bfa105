"""
Quotas, IP availability and availability zones over HTTP:
``/v2.0/quotas`` (a project reads its own; an admin lists, reads, changes
and resets any project's, and its ``/details`` and ``/default``),
``/v2.0/network-ip-availabilities`` (an admin's: each network's used and
total addresses, per subnet) and ``/v2.0/availability_zones``. Others are
refused as Neutron's default policies refuse them
(neutron/conf/policies/quotas.py, network_ip_availability.py).
"""

from __future__ import annotations

from typing import Any

from mimic.model.neutron.quotas import QUOTA_DEFAULTS
from mimic.rest.http import RequestError, empty_response, json_response
from mimic.rest.neutron.wire import (
    app,
    policy_forbidden,
    query_lists,
    read_body,
    render_list,
    render_one,
)

#: The one zone Mimic's networks and routers are in.
AVAILABILITY_ZONES = [{"name": "nova", "resource": resource, "state": "available"}
                      for resource in ("network", "router")]
ZONE_ATTRIBUTES = frozenset(AVAILABILITY_ZONES[0])

#: What lists of IP availabilities may filter on (api-ref network-ip-availability).
AVAILABILITY_ATTRIBUTES = frozenset(("network_id", "network_name", "tenant_id", "project_id",
                                     "ip_version", "total_ips", "used_ips",
                                     "subnet_ip_availability"))


def ip_availability_json(state: Any, network: Any, versions: tuple = (4, 6)) -> dict:
    """
    A network's used and total addresses (its subnets' allocation pools),
    counting the subnets of ``versions``.
    """
    subnets = []
    for subnet_id in network.subnet_ids:
        subnet = state.subnets[subnet_id]
        if subnet.ip_version not in versions:
            continue
        pool = subnet.pool
        subnets.append({"subnet_id": subnet.id, "subnet_name": subnet.name,
                        "cidr": subnet.cidr, "ip_version": subnet.ip_version,
                        "total_ips": pool.last - pool.first + 1, "used_ips": pool.used})
    return {"network_id": network.id, "network_name": network.name,
            "tenant_id": network.tenant_id, "project_id": network.tenant_id,
            "total_ips": sum(s["total_ips"] for s in subnets),
            "used_ips": sum(s["used_ips"] for s in subnets),
            "subnet_ip_availability": subnets}


class QuotaRoutes:
    """Routes of ``/v2.0/quotas``, IP availabilities and availability zones."""

    def _quota_state(self, request: Any, project_id: str, action: str) -> Any:
        """The project's state if the caller may see its quotas (its own, or an admin)."""
        state = self._state(request)
        if project_id == state.tenant_id:
            return state
        if not self._is_admin(request):
            raise policy_forbidden(action)
        if not project_id or len(project_id) > 255:
            raise RequestError(400, f"Invalid project id {project_id[:64]!r}.",
                               kind="HTTPBadRequest")
        return self._project_state(project_id)

    @app.route("/v2.0/quotas/<project_id>", methods=["GET"])
    def show_quota(self, request: Any, project_id: str) -> bytes:
        state = self._quota_state(request, project_id, "get_quota")
        return json_response(request, {"quota": state.quota_limits()})

    @app.route("/v2.0/quotas/<project_id>/default", methods=["GET"])
    def default_quota(self, request: Any, project_id: str) -> bytes:
        self._quota_state(request, project_id, "get_quota")
        return json_response(request, {"quota": dict(QUOTA_DEFAULTS)})

    @app.route("/v2.0/quotas/<project_id>/details", methods=["GET"])
    def quota_details(self, request: Any, project_id: str) -> bytes:
        state = self._quota_state(request, project_id, "get_quota")
        used = state.quota_usage()
        return json_response(request, {"quota": {
            resource: {"limit": limit, "used": used[resource], "reserved": 0}
            for resource, limit in state.quota_limits().items()}})

    @app.route("/v2.0/quotas/<project_id>", methods=["PUT"])
    def update_quota(self, request: Any, project_id: str) -> bytes:
        if not self._is_admin(request):
            raise policy_forbidden("update_quota")
        state = self._quota_state(request, project_id, "update_quota")
        limits = read_body(request).get("quota")
        if not isinstance(limits, dict):
            raise RequestError(400, "Unable to find 'quota' in request body",
                               kind="HTTPBadRequest")
        return json_response(request, {"quota": self._run(lambda: state.set_quotas(limits))})

    @app.route("/v2.0/quotas/<project_id>", methods=["DELETE"])
    def delete_quota(self, request: Any, project_id: str) -> bytes:
        if not self._is_admin(request):
            raise policy_forbidden("delete_quota")
        self._quota_state(request, project_id, "delete_quota").reset_quotas()
        return empty_response(request)

    @app.route("/v2.0/quotas", methods=["GET"])
    def list_quotas(self, request: Any) -> bytes:
        # Every project's quotas are an admin's to list; Neutron lists the
        # projects whose quotas differ from the defaults.
        state = self._state(request)
        if not self._is_admin(request):
            raise policy_forbidden("get_quota")
        return json_response(request, {"quotas": [
            {**other.quota_limits(), "tenant_id": other.tenant_id,
             "project_id": other.tenant_id}
            for other in state.region_networks.all_states() if other.quota_overrides]})

    @app.route("/v2.0/network-ip-availabilities", methods=["GET"])
    def list_ip_availabilities(self, request: Any) -> bytes:
        state = self._state(request)
        if not self._is_admin(request):
            raise policy_forbidden("get_network_ip_availability")
        # ``ip_version`` picks the subnets counted, and the networks that
        # have one of that version (Neutron's ip_availability plugin).
        wanted = query_lists(request).get("ip_version")
        versions = tuple(v for v in (4, 6) if wanted is None or str(v) in wanted)
        seen: dict = {}
        for other in state.region_networks.all_states():
            for network in other.networks.values():
                if network.tenant_id == other.tenant_id or network.id not in seen:
                    seen[network.id] = ip_availability_json(other, network, versions)
        items = [a for a in seen.values() if wanted is None or a["subnet_ip_availability"]]
        return render_list(request, "network_ip_availabilities", items,
                           AVAILABILITY_ATTRIBUTES, handled=frozenset({"ip_version"}))

    @app.route("/v2.0/network-ip-availabilities/<network_id>", methods=["GET"])
    def show_ip_availability(self, request: Any, network_id: str) -> bytes:
        if not self._is_admin(request):
            self._state(request)
            raise policy_forbidden("get_network_ip_availability")
        state = self._holder(request, "networks", network_id)
        network = self._run(lambda: state.network(network_id))
        return render_one(request, "network_ip_availability",
                          ip_availability_json(state, network))

    @app.route("/v2.0/availability_zones", methods=["GET"])
    def list_availability_zones(self, request: Any) -> bytes:
        self._state(request)
        return render_list(request, "availability_zones", AVAILABILITY_ZONES, ZONE_ATTRIBUTES)
