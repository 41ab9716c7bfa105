"""
Routers and floating IPs over HTTP: their JSON, bodies and routes,
including a router's ``add_router_interface`` and
``remove_router_interface`` actions.
"""

from __future__ import annotations

from typing import Any, Optional

from mimic.model.neutron import FloatingIp, NetworkState, Port, Router
from mimic.rest.http import RequestError, empty_response, json_response
from mimic.rest.neutron.wire import (
    tag_created,
    app,
    bad_request,
    boolean_field,
    read_body,
    read_resource,
    render_list,
    render_one,
    stamps,
    string_field,
)


def floating_ip_json(state: Any, fip: FloatingIp) -> dict:
    details = None
    if fip.port_id is not None and fip.port_id in state.ports:
        port = state.ports[fip.port_id]
        details = {"name": port.name, "network_id": port.network_id,
                   "mac_address": port.mac_address, "admin_state_up": port.admin_state_up,
                   "status": port.status, "device_id": port.device_id,
                   "device_owner": port.device_owner}
    return {
        "id": fip.id, "tenant_id": fip.tenant_id, "project_id": fip.tenant_id,
        "floating_network_id": fip.floating_network_id,
        "floating_ip_address": fip.floating_ip_address, "router_id": fip.router_id,
        "port_id": fip.port_id, "fixed_ip_address": fip.fixed_ip_address,
        "status": fip.status, "port_details": details, "description": fip.description,
        "dns_domain": "", "dns_name": "", "qos_policy_id": None, "tags": list(fip.tags),
        **stamps(fip),
    }


def router_json(router: Router) -> dict:
    gateway = None
    if router.gateway_network_id is not None:
        gateway = {"network_id": router.gateway_network_id,
                   "enable_snat": router.enable_snat,
                   "external_fixed_ips": [{"subnet_id": f.subnet_id, "ip_address": f.ip_address}
                                          for f in router.gateway_ips]}
    return {
        "id": router.id, "name": router.name, "tenant_id": router.tenant_id,
        "project_id": router.tenant_id, "status": "ACTIVE",
        "admin_state_up": router.admin_state_up, "external_gateway_info": gateway,
        "routes": [{"destination": r.destination, "nexthop": r.nexthop}
                   for r in router.routes],
        "description": router.description, "distributed": False, "ha": False,
        "flavor_id": None, "availability_zone_hints": [], "availability_zones": ["nova"],
        "tags": list(router.tags), **stamps(router),
    }


def interface_json(router: Router, port: Port, subnet_ids: Optional[list] = None) -> dict:
    """
    What ``add_router_interface`` and ``remove_router_interface`` answer:
    the interface's subnets (for a removed one, those it had).
    """
    if subnet_ids is None:
        subnet_ids = [f.subnet_id for f in port.fixed_ips]
    return {"id": router.id, "tenant_id": router.tenant_id, "project_id": router.tenant_id,
            "port_id": port.id, "network_id": port.network_id,
            "subnet_id": subnet_ids[0] if subnet_ids else None, "subnet_ids": subnet_ids}


#: What lists of floating IPs and routers may filter and sort on.
FLOATING_IP_ATTRIBUTES = frozenset(floating_ip_json(None, FloatingIp("", "")))
ROUTER_ATTRIBUTES = frozenset(router_json(Router("", "")))


def _gateway(body: dict) -> Optional[dict]:
    """``external_gateway_info``: null, ``{}`` or ``{"network_id": ...}``."""
    gateway = body.get("external_gateway_info")
    if gateway is None or gateway == {}:
        return None
    if not isinstance(gateway, dict):
        raise bad_request(f"Invalid input for external_gateway_info. Reason: '{gateway}' is "
                          f"not a dictionary.")
    unknown = sorted(set(gateway) - {"network_id", "enable_snat", "external_fixed_ips"})
    if unknown:
        raise bad_request(f"Invalid input for external_gateway_info. Reason: Unexpected keys "
                          f"supplied: {', '.join(unknown)}.")
    for admin_only in ("enable_snat", "external_fixed_ips"):
        # Admin-only in Neutron's default policy.
        if admin_only in gateway:
            raise RequestError(403, f"(rule:update_router:external_gateway_info:{admin_only})"
                               f" is disallowed by policy", kind="PolicyNotAuthorized")
    if string_field(gateway, "network_id") is None:
        raise bad_request("Invalid input for external_gateway_info. Reason: Validation of "
                          "dictionary's keys failed. Expected keys: {'network_id'}.")
    return gateway


def _routes_field(body: dict) -> Optional[list]:
    routes = body.get("routes")
    if routes is not None and not isinstance(routes, list):
        raise bad_request(f"Invalid input for routes. Reason: '{routes}' is not a list.")
    return routes


def _extra_routes(request: Any, tenant_id: str) -> list:
    """
    The routes of an ``add_extraroutes``/``remove_extraroutes`` body:
    ``{"router": {"routes": [...]}}``, as a router update names them.
    """
    routes = _routes_field(read_resource(request, "router", ("routes",), tenant_id))
    if routes is None:
        raise bad_request("Failed to parse request. Required attribute 'routes' not specified")
    return routes


def _interface(request: Any) -> dict:
    body = read_body(request)
    unknown = sorted(set(body) - {"subnet_id", "port_id"})
    if unknown:
        raise bad_request(f"Unrecognized attribute(s) '{', '.join(unknown)}'")
    return {key: string_field(body, key) for key in ("subnet_id", "port_id")}


class RouterRoutes:
    """Routes of ``/v2.0/routers`` and ``/v2.0/floatingips``."""

    @app.route("/v2.0/routers", methods=["GET"])
    def list_routers(self, request: Any) -> bytes:
        _, routers = self._listed(request, "routers")
        return render_list(request, "routers", map(router_json, routers), ROUTER_ATTRIBUTES)

    @app.route("/v2.0/routers/<router_id>", methods=["GET"])
    def show_router(self, request: Any, router_id: str) -> bytes:
        _, router = self._shown(request, "routers", router_id, NetworkState.router)
        return render_one(request, "router", router_json(router))

    @app.route("/v2.0/routers", methods=["POST"])
    def create_router(self, request: Any) -> bytes:
        state = self._creating(request, "router")
        body = read_resource(request, "router", (
            "name", "description", "admin_state_up", "external_gateway_info", "distributed",
            "ha", "availability_zone_hints", "flavor_id", "tags",
        ), state.tenant_id)
        for admin_only in ("distributed", "ha"):
            if admin_only in body:
                raise RequestError(403, f"(rule:create_router:{admin_only}) is disallowed by "
                                   f"policy", kind="PolicyNotAuthorized")
        kwargs = dict(name=string_field(body, "name", ""),
                      description=string_field(body, "description", ""),
                      admin_state_up=boolean_field(body, "admin_state_up") is not False,
                      gateway=_gateway(body))
        router = self._run(lambda: state.create_router(**kwargs))
        tag_created([router], [body])
        return render_one(request, "router", router_json(router), 201)

    @app.route("/v2.0/routers/<router_id>", methods=["PUT"])
    def update_router(self, request: Any, router_id: str) -> bytes:
        state = self._holder(request, "routers", router_id)
        body = read_resource(request, "router", (
            "name", "description", "admin_state_up", "external_gateway_info", "routes",
        ), state.tenant_id)
        routes = _routes_field(body)
        kwargs = dict(name=string_field(body, "name"),
                      description=string_field(body, "description"),
                      admin_state_up=boolean_field(body, "admin_state_up"),
                      gateway=_gateway(body),
                      change_gateway="external_gateway_info" in body, routes=routes)
        router = self._run(lambda: state.update_router(router_id, **kwargs))
        return render_one(request, "router", router_json(router))

    @app.route("/v2.0/routers/<router_id>", methods=["DELETE"])
    def delete_router(self, request: Any, router_id: str) -> bytes:
        state = self._holder(request, "routers", router_id)
        self._run(lambda: state.delete_router(router_id))
        return empty_response(request)

    @app.route("/v2.0/routers/<router_id>/add_extraroutes", methods=["PUT"])
    def add_extraroutes(self, request: Any, router_id: str) -> bytes:
        state = self._holder(request, "routers", router_id)
        routes = _extra_routes(request, state.tenant_id)
        router = self._run(lambda: state.add_extra_routes(router_id, routes))
        return json_response(request, {"router": router_json(router)})

    @app.route("/v2.0/routers/<router_id>/remove_extraroutes", methods=["PUT"])
    def remove_extraroutes(self, request: Any, router_id: str) -> bytes:
        state = self._holder(request, "routers", router_id)
        routes = _extra_routes(request, state.tenant_id)
        router = self._run(lambda: state.remove_extra_routes(router_id, routes))
        return json_response(request, {"router": router_json(router)})

    @app.route("/v2.0/routers/<router_id>/add_router_interface", methods=["PUT"])
    def add_router_interface(self, request: Any, router_id: str) -> bytes:
        state = self._holder(request, "routers", router_id)
        wanted = _interface(request)
        router, port = self._run(lambda: state.add_router_interface(router_id, **wanted))
        return json_response(request, interface_json(router, port))

    @app.route("/v2.0/routers/<router_id>/remove_router_interface", methods=["PUT"])
    def remove_router_interface(self, request: Any, router_id: str) -> bytes:
        state = self._holder(request, "routers", router_id)
        wanted = _interface(request)
        router, port, subnet_ids = self._run(
            lambda: state.remove_router_interface(router_id, **wanted))
        return json_response(request, interface_json(router, port, subnet_ids))

    @app.route("/v2.0/floatingips", methods=["GET"])
    def list_floating_ips(self, request: Any) -> bytes:
        state, floating_ips = self._listed(request, "floating_ips")
        return render_list(request, "floatingips",
                           (floating_ip_json(state, f) for f in floating_ips),
                           FLOATING_IP_ATTRIBUTES)

    @app.route("/v2.0/floatingips/<floating_ip_id>", methods=["GET"])
    def show_floating_ip(self, request: Any, floating_ip_id: str) -> bytes:
        state, fip = self._shown(request, "floating_ips", floating_ip_id,
                                 NetworkState.floating_ip)
        return render_one(request, "floatingip", floating_ip_json(state, fip))

    @app.route("/v2.0/floatingips", methods=["POST"])
    def create_floating_ip(self, request: Any) -> bytes:
        state = self._creating(request, "floatingip")
        body = read_resource(request, "floatingip", (
            "floating_network_id", "floating_ip_address", "port_id", "fixed_ip_address",
            "description", "subnet_id", "tags",
        ), state.tenant_id)
        network_id = string_field(body, "floating_network_id")
        if network_id is None:
            raise bad_request("Failed to parse request. Required attribute 'floating_network_id' "
                              "not specified")
        kwargs = dict(
            floating_ip_address=string_field(body, "floating_ip_address"),
            port_id=string_field(body, "port_id"),
            fixed_ip_address=string_field(body, "fixed_ip_address"),
            description=string_field(body, "description", ""),
            subnet_id=string_field(body, "subnet_id"),
        )
        fip = self._run(lambda: state.create_floating_ip(network_id, **kwargs))
        tag_created([fip], [body])
        return render_one(request, "floatingip", floating_ip_json(state, fip), 201)

    @app.route("/v2.0/floatingips/<floating_ip_id>", methods=["PUT"])
    def update_floating_ip(self, request: Any, floating_ip_id: str) -> bytes:
        state = self._holder(request, "floating_ips", floating_ip_id)
        body = read_resource(request, "floatingip", ("port_id", "fixed_ip_address", "description"),
                             state.tenant_id)
        port_id = string_field(body, "port_id")
        fixed = string_field(body, "fixed_ip_address")
        description = string_field(body, "description")
        fip = self._run(lambda: state.update_floating_ip(
            floating_ip_id, port_id, fixed, description, change_port="port_id" in body))
        return render_one(request, "floatingip", floating_ip_json(state, fip))

    @app.route("/v2.0/floatingips/<floating_ip_id>", methods=["DELETE"])
    def delete_floating_ip(self, request: Any, floating_ip_id: str) -> bytes:
        state = self._holder(request, "floating_ips", floating_ip_id)
        self._run(lambda: state.delete_floating_ip(floating_ip_id))
        return empty_response(request)
