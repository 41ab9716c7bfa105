"""
Routers and floating IPs over HTTP: their JSON, bodies and routes.
"""

from __future__ import annotations

from typing import Any

from mimic.model.neutron import FloatingIp
from mimic.rest.http import empty_response
from mimic.rest.neutron.wire import (
    app,
    bad_request,
    read_resource,
    render_list,
    render_one,
    stamps,
    string_field,
)


def floating_ip_json(state: Any, fip: FloatingIp) -> dict:
    details = None
    if fip.port_id is not None:
        port = state.ports[fip.port_id]
        details = {"name": port.name, "network_id": port.network_id,
                   "mac_address": port.mac_address, "admin_state_up": port.admin_state_up,
                   "status": port.status, "device_id": port.device_id,
                   "device_owner": port.device_owner}
    return {
        "id": fip.id, "tenant_id": fip.tenant_id, "project_id": fip.tenant_id,
        "floating_network_id": fip.floating_network_id,
        "floating_ip_address": fip.floating_ip_address, "router_id": None,
        "port_id": fip.port_id, "fixed_ip_address": fip.fixed_ip_address,
        "status": fip.status, "port_details": details, "description": fip.description,
        "dns_domain": "", "dns_name": "", "qos_policy_id": None, "tags": [],
        **stamps(fip),
    }


#: What lists of floating IPs may filter and sort on.
FLOATING_IP_ATTRIBUTES = frozenset(floating_ip_json(None, FloatingIp("", "")))


class RouterRoutes:
    """Routes of ``/v2.0/floatingips``."""

    @app.route("/v2.0/floatingips", methods=["GET"])
    def list_floating_ips(self, request: Any) -> bytes:
        state = self._state(request)
        return render_list(request, "floatingips",
                           (floating_ip_json(state, f) for f in state.floating_ips.values()),
                           FLOATING_IP_ATTRIBUTES)

    @app.route("/v2.0/floatingips/<floating_ip_id>", methods=["GET"])
    def show_floating_ip(self, request: Any, floating_ip_id: str) -> bytes:
        state = self._state(request)
        fip = self._run(lambda: state.floating_ip(floating_ip_id))
        return render_one(request, "floatingip", floating_ip_json(state, fip))

    @app.route("/v2.0/floatingips", methods=["POST"])
    def create_floating_ip(self, request: Any) -> bytes:
        state = self._state(request)
        body = read_resource(request, "floatingip", (
            "floating_network_id", "floating_ip_address", "port_id", "fixed_ip_address",
            "description", "subnet_id",
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
        return render_one(request, "floatingip", floating_ip_json(state, fip), 201)

    @app.route("/v2.0/floatingips/<floating_ip_id>", methods=["PUT"])
    def update_floating_ip(self, request: Any, floating_ip_id: str) -> bytes:
        state = self._state(request)
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
        state = self._state(request)
        self._run(lambda: state.delete_floating_ip(floating_ip_id))
        return empty_response(request)
