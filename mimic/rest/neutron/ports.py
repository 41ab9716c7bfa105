"""
Ports over HTTP: their JSON, the bodies that create (one or a bulk list)
and change them, and their routes.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from mimic.model.neutron import NetworkState, Port, Trunk
from mimic.rest.http import RequestError, empty_response
from mimic.rest.neutron.wire import (
    tag_created,
    app,
    bad_request,
    boolean_field,
    query_lists,
    read_create_bodies,
    read_resource,
    render_created,
    render_list,
    render_one,
    stamps,
    string_field,
    string_list_field,
)
from mimic.rest.neutron.trunks import sub_ports_json


def port_json(port: Port, trunk_details: Optional[dict] = None) -> dict:
    """
    A port as Neutron shows it; ``trunk_details`` only on a trunk's parent
    port (the ``trunk-details`` extension).
    """
    shown = {
        "id": port.id, "name": port.name, "tenant_id": port.tenant_id,
        "project_id": port.tenant_id, "network_id": port.network_id,
        "mac_address": port.mac_address, "admin_state_up": port.admin_state_up,
        "status": port.status, "device_id": port.device_id,
        "device_owner": port.device_owner,
        "fixed_ips": [{"subnet_id": f.subnet_id, "ip_address": f.ip_address}
                      for f in port.fixed_ips],
        "security_groups": list(port.security_group_ids),
        "port_security_enabled": port.port_security_enabled,
        "allowed_address_pairs": [], "extra_dhcp_opts": [], "binding:vnic_type": "normal",
        "description": port.description, "tags": list(port.tags), **stamps(port),
    }
    if trunk_details is not None:
        shown["trunk_details"] = trunk_details
    return shown


def trunk_details_json(state: Any, trunk: Trunk) -> dict:
    """
    A parent port's ``trunk_details``: its trunk and the subports with
    their MACs (neutron/services/trunk/plugin.py, _extend_port_trunk_details).
    """
    return {"trunk_id": trunk.id, "sub_ports": [
        {**sub_port, "mac_address": state.ports[sub_port["port_id"]].mac_address}
        for sub_port in sub_ports_json(trunk)]}


def ports_json(states: Iterable[Any], ports: Iterable[Port]) -> list[dict]:
    """Ports as Neutron shows them, the parents of the trunks of ``states`` with details."""
    parents = {port_id: (state, trunk) for state in states
               for port_id, trunk in state.trunks_by_parent().items()}
    return [port_json(port, trunk_details_json(*parents[port.id]) if port.id in parents
                      else None) for port in ports]


#: What lists of ports may filter and sort on.
PORT_ATTRIBUTES = frozenset(port_json(Port("", "")))


def _fixed_ips(resource: dict) -> Optional[list]:
    fixed_ips = resource.get("fixed_ips")
    if fixed_ips is not None and not isinstance(fixed_ips, list):
        raise bad_request(f"Invalid input for fixed_ips. Reason: Invalid data format for fixed "
                          f"IP: '{fixed_ips}'.")
    return fixed_ips


def _port_request(body: dict) -> dict:
    """The keyword arguments of ``create_port`` for one port body."""
    network_id = string_field(body, "network_id")
    if network_id is None:
        raise bad_request("Failed to parse request. Required attribute 'network_id' not "
                          "specified")
    return dict(
        network_id=network_id, fixed_ips=_fixed_ips(body),
        name=string_field(body, "name", ""), description=string_field(body, "description", ""),
        device_id=string_field(body, "device_id", ""),
        device_owner=string_field(body, "device_owner", ""),
        security_group_ids=string_list_field(body, "security_groups"),
        mac_address=body.get("mac_address"),
        admin_state_up=boolean_field(body, "admin_state_up") is not False,
        port_security_enabled=boolean_field(body, "port_security_enabled"),
    )


def _new_mac(body: dict) -> Optional[str]:
    if "mac_address" in body and body["mac_address"] is None:
        raise bad_request("Invalid input for mac_address. Reason: 'None' is not a valid MAC "
                          "address.")
    return body.get("mac_address")


class PortRoutes:
    """Routes of ``/v2.0/ports``."""

    @app.route("/v2.0/ports", methods=["GET"])
    def list_ports(self, request: Any) -> bytes:
        state = self._state(request)
        query = query_lists(request)
        # The indexes answer the filters clients use most without a scan.
        if len(query.get("device_id", ())) == 1 and query["device_id"][0]:
            ports = state.ports_on_device(query["device_id"][0])
        elif len(query.get("network_id", ())) == 1 and query["network_id"][0]:
            ports = state.ports_on_network(query["network_id"][0])
        elif self._is_admin(request):
            ports = self._visible(request, "ports")
        else:
            ports = state.ports.values()
        states = state.region_networks.all_states() if self._is_admin(request) else [state]
        return render_list(request, "ports", ports_json(states, ports), PORT_ATTRIBUTES)

    @app.route("/v2.0/ports/<port_id>", methods=["GET"])
    def show_port(self, request: Any, port_id: str) -> bytes:
        state, port = self._shown(request, "ports", port_id, NetworkState.port)
        return render_one(request, "port", ports_json([state], [port])[0])

    @app.route("/v2.0/ports", methods=["POST"])
    def create_port(self, request: Any) -> bytes:
        state = self._creating(request, "port")
        bodies, bulk = read_create_bodies(request, "port", (
            "network_id", "name", "description", "admin_state_up", "fixed_ips", "device_id",
            "device_owner", "security_groups", "mac_address", "port_security_enabled", "tags",
        ), state.tenant_id)
        wanted = [_port_request(body) for body in bodies]
        ports = self._run(lambda: state.create_ports(wanted))
        tag_created(ports, bodies)
        return render_created(request, "port", list(map(port_json, ports)), bulk)

    @app.route("/v2.0/ports/<port_id>", methods=["PUT"])
    def update_port(self, request: Any, port_id: str) -> bytes:
        state = self._holder(request, "ports", port_id)
        body = read_resource(request, "port", ("name", "description", "admin_state_up",
                                               "security_groups", "device_id", "device_owner",
                                               "fixed_ips", "port_security_enabled",
                                               "mac_address"),
                             state.tenant_id)
        if "mac_address" in body and not self._is_admin(request):
            # neutron/conf/policies/port.py: ``update_port:mac_address`` is
            # ADMIN_OR_SERVICE (or a network owner holding ``manager``, a
            # role Mimic's users do not hold), checked whenever it is named.
            raise RequestError(403, "(rule:update_port:mac_address) is disallowed by policy",
                               kind="PolicyNotAuthorized")
        fixed_ips = _fixed_ips(body)
        kwargs = dict(
            name=string_field(body, "name"), description=string_field(body, "description"),
            admin_state_up=boolean_field(body, "admin_state_up"),
            security_group_ids=string_list_field(body, "security_groups"),
            device_id=string_field(body, "device_id"),
            device_owner=string_field(body, "device_owner"),
            fixed_ips=fixed_ips,
            port_security_enabled=boolean_field(body, "port_security_enabled"),
            mac_address=_new_mac(body),
        )
        port = self._run(lambda: state.update_port(port_id, **kwargs))
        return render_one(request, "port", ports_json([state], [port])[0])

    @app.route("/v2.0/ports/<port_id>", methods=["DELETE"])
    def delete_port(self, request: Any, port_id: str) -> bytes:
        state = self._holder(request, "ports", port_id)
        self._run(lambda: state.delete_port(port_id))
        return empty_response(request)
