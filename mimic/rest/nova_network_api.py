"""
Nova's networking routes: a server's interfaces (``os-interface``, its
Neutron ports).
"""

from __future__ import annotations

import json
from typing import Any

from mimic.rest.http import RequestError, empty_response, json_response, read_json
from mimic.rest.nova_json import invalid_input, refuse_unexpected, string_field
from mimic.rest.nova_server_json import read_interface_fixed_ip
from mimic.rest.nova_routes import NovaRoutes, tenant_route
from mimic.rest.nova_views import interface_attachment

app = NovaRoutes.app


class NetworkRoutes(NovaRoutes):
    """``servers/<id>/os-interface``."""

    # interfaces: the server's Neutron ports

    @tenant_route(app, "/servers/<server_id>/os-interface", methods=["GET"])
    def list_interfaces(self, request: Any, tenant_id: str, server_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        return json_response(request, {"interfaceAttachments": [
            interface_attachment(port) for port in compute.interfaces(server_id)]})

    @tenant_route(app, "/servers/<server_id>/os-interface", methods=["POST"])
    def attach_interface(self, request: Any, tenant_id: str, server_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        compute.server(server_id)
        body = read_json(request)
        refuse_unexpected(body, frozenset({"interfaceAttachment"}), field="body")
        attachment = body.get("interfaceAttachment", {})
        if not isinstance(attachment, dict):
            raise invalid_input("interfaceAttachment", attachment,
                                f"{json.dumps(attachment)} is not of type 'object'")
        refuse_unexpected(attachment, frozenset({"net_id", "port_id", "fixed_ips"}),
                          field="interfaceAttachment")
        network_id = string_field(attachment, "net_id", minimum=1)
        port_id = string_field(attachment, "port_id", minimum=1)
        fixed_ip = read_interface_fixed_ip(attachment.get("fixed_ips"))
        if network_id is not None and port_id is not None:
            raise RequestError(400, "Must not input both network_id and port_id")
        if fixed_ip is not None and network_id is None:
            raise RequestError(400, "Must input network_id when request IP address")
        port = compute.attach_interface(server_id, network_id=network_id, port_id=port_id,
                                        fixed_ip=fixed_ip)
        return json_response(request, {"interfaceAttachment": interface_attachment(port)})

    @tenant_route(app, "/servers/<server_id>/os-interface/<port_id>", methods=["GET"])
    def show_interface(self, request: Any, tenant_id: str, server_id: str,
                       port_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        port = compute.interface(server_id, port_id)
        return json_response(request, {"interfaceAttachment": interface_attachment(port)})

    @tenant_route(app, "/servers/<server_id>/os-interface/<port_id>", methods=["DELETE"])
    def detach_interface(self, request: Any, tenant_id: str, server_id: str,
                         port_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        compute.detach_interface(server_id, port_id)
        return empty_response(request, 202)

