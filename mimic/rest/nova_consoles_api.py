"""
What a server's hypervisor shows of it: the console log
(``os-getConsoleOutput``, a boot log growing on the clock), remote console
URLs (``servers/<id>/remote-consoles`` from 2.6, the ``os-get*Console``
actions before), and ``servers/<id>/diagnostics`` (libvirt's free-form keys
before 2.48, the standard shape from it; admins only, as Nova's default
policy says). Nova's rules: nova/api/openstack/compute/console_output.py,
remote_consoles.py, server_diagnostics.py and their schemas), and
``servers/<id>/topology`` (2.78: the guest NUMA cells, the host's side of
them for admins; server_topology.py).
"""

from __future__ import annotations

import json
from typing import Any, Optional

from mimic.bounds import decimal
from mimic.model.nova_instance_actions import console_output
from mimic.model.nova_server import STATES
from mimic.model.nova_topology import numa_topology
from mimic.rest.http import RequestError, json_response, read_json
from mimic.rest.nova_json import invalid_input
from mimic.rest.nova_routes import NovaRoutes, tenant_route

app = NovaRoutes.app

#: The console types each protocol has (Nova's remote console schema), and
#: the microversion that added them; the proxy port and page devstack serves.
CONSOLE_TYPES = {
    ("vnc", "novnc"): ("2.6", "http", 6080, "vnc_lite.html?path=%3Ftoken%3D"),
    ("vnc", "xvpvnc"): ("2.6", "http", 6081, "console?token="),
    ("spice", "spice-html5"): ("2.6", "http", 6082, "spice_auto.html?token="),
    ("rdp", "rdp-html5"): ("2.6", "http", 6083, "?token="),
    ("serial", "serial"): ("2.6", "ws", 6083, "?token="),
    ("mks", "webmks"): ("2.8", "http", 6090, "?token="),
}

#: The legacy console actions (up to 2.5) and the protocol each asks for.
LEGACY_CONSOLE_ACTIONS = {
    "os-getVNCConsole": "vnc", "os-getSPICEConsole": "spice",
    "os-getRDPConsole": "rdp", "os-getSerialConsole": "serial",
}

#: The instance state libvirt reports for each status (2.48's ``state``).
_DIAGNOSTIC_STATES = {"PAUSED": "paused", "SHUTOFF": "shutdown",
                      "SUSPENDED": "suspended", "BUILD": "pending"}


def _ready(compute: Any, server_id: str) -> Any:
    """The server, once it has a host: Nova's 409 while it is still building."""
    server = compute.server(server_id)
    if server.status_at(compute.now()) == "BUILD":
        raise RequestError(409, f"Instance {server_id} is not ready")
    return server


def _console_output(api, request, compute, links, server_id, parameters):
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, dict):
        raise invalid_input("os-getConsoleOutput", parameters,
                            f"{json.dumps(parameters)} is not of type 'object'")
    length = _read_length(parameters.get("length"))
    server = _ready(compute, server_id)
    up = compute.now() - server.created
    return json_response(request, {"output": console_output(
        server.hostname, server.name, up, length)})


def _read_length(raw: Any) -> Optional[int]:
    """Nova's ``length``: an integer (or its digits) of at least -1; -1 is all."""
    if raw is None:
        return None
    if isinstance(raw, str) and decimal(raw, signed=True) is not None:
        raw = decimal(raw, signed=True)
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < -1:
        raise invalid_input("length", raw, f"{json.dumps(raw)} is not a valid length")
    return None if raw == -1 else raw


def _console_url(request: Any, compute: Any, protocol: str, kind: str) -> str:
    _, scheme, port, page = CONSOLE_TYPES[(protocol, kind)]
    host = request.getRequestHostname().decode("ascii", "replace")
    return f"{scheme}://{host}:{port}/{page}{compute.ids.uuid()}"


def _legacy_console(action: str):
    protocol = LEGACY_CONSOLE_ACTIONS[action]

    def act(api, request, compute, links, server_id, parameters):
        kind = parameters.get("type") if isinstance(parameters, dict) else None
        if (protocol, kind) not in CONSOLE_TYPES:
            raise invalid_input("type", kind, f"{json.dumps(kind)} is not a valid "
                                f"{protocol} console type")
        _ready(compute, server_id)
        return json_response(request, {"console": {
            "type": kind, "url": _console_url(request, compute, protocol, kind)}})

    return act


CONSOLE_ACTIONS = {"os-getConsoleOutput": _console_output,
                   **{name: _legacy_console(name) for name in LEGACY_CONSOLE_ACTIONS}}
#: The legacy console actions end where remote-consoles begins.
CONSOLE_ACTIONS_UNTIL = {name: "2.5" for name in LEGACY_CONSOLE_ACTIONS}


class ConsoleRoutes(NovaRoutes):
    """``servers/<id>/remote-consoles``, ``diagnostics`` and ``topology``."""

    @tenant_route(app, "/servers/<server_id>/remote-consoles", methods=["POST"])
    def remote_console(self, request: Any, tenant_id: str, server_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        if self.version < "2.6":
            raise RequestError(404, "The resource could not be found.")
        compute.server(server_id)
        asked = read_json(request).get("remote_console")
        if not isinstance(asked, dict):
            raise invalid_input("remote_console", asked, "'remote_console' is a required "
                                "property")
        protocol, kind = asked.get("protocol"), asked.get("type")
        known = CONSOLE_TYPES.get((protocol, kind))
        if known is None or self.version < known[0]:
            raise invalid_input("remote_console", asked,
                                f"{json.dumps(kind)} is not a valid console type for "
                                f"protocol {json.dumps(protocol)}")
        _ready(compute, server_id)
        return json_response(request, {"remote_console": {
            "protocol": protocol, "type": kind,
            "url": _console_url(request, compute, protocol, kind)}})

    @tenant_route(app, "/servers/<server_id>/diagnostics", methods=["GET"])
    def diagnostics(self, request: Any, tenant_id: str, server_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        if not self._is_admin(request, tenant_id):
            raise RequestError(403, "Policy doesn't allow "
                                    "os_compute_api:os-server-diagnostics to be performed.")
        server = _ready(compute, server_id)
        now = compute.now()
        up = int(now - server.created)
        ports = compute.interfaces(server_id)
        flavor = server.flavor
        if self.version < "2.48":
            legacy: dict = {f"cpu{n}_time": up * 10 ** 9 for n in range(flavor.vcpus)}
            legacy.update({"memory": flavor.ram * 1024, "vda_read": 0, "vda_write": 0,
                           "vda_read_req": 0, "vda_write_req": 0, "vda_errors": -1})
            for n, _port in enumerate(ports):
                legacy.update({f"tap{n}_rx": 0, f"tap{n}_tx": 0})
            return json_response(request, legacy)
        status = server.status_at(now)
        power = STATES[status][2]
        return json_response(request, {
            "state": _DIAGNOSTIC_STATES.get(status, "running" if power == 1 else "shutdown"),
            "driver": "libvirt",
            "hypervisor": "kvm",
            "hypervisor_os": "linux",
            "uptime": up,
            "config_drive": bool(server.config_drive),
            "num_cpus": flavor.vcpus,
            "num_nics": len(ports),
            "num_disks": 1,
            "memory_details": {"maximum": flavor.ram, "used": 0},
            "cpu_details": [{"id": n, "time": up * 10 ** 9, "utilisation": None}
                            for n in range(flavor.vcpus)],
            "nic_details": [{"mac_address": p.mac_address, "rx_octets": 0, "rx_errors": 0,
                             "rx_drop": 0, "rx_packets": 0, "rx_rate": None,
                             "tx_octets": 0, "tx_errors": 0, "tx_drop": 0,
                             "tx_packets": 0, "tx_rate": None} for p in ports],
            "disk_details": [{"read_bytes": 0, "read_requests": 0, "write_bytes": 0,
                              "write_requests": 0, "errors_count": 0}],
        })

    @tenant_route(app, "/servers/<server_id>/topology", methods=["GET"])
    def topology(self, request: Any, tenant_id: str, server_id: str) -> bytes:
        """
        Nova's default policy lets the owner and admins read it; the host
        side (``host_node``, ``cpu_pinning``) is for admins only.
        """
        self._begin(request, tenant_id)
        if self.version < "2.78":
            # No version of the route matches: before the server is looked up.
            raise RequestError(404, "The resource could not be found.")
        compute, _ = self._begin_server(request, tenant_id, server_id)
        found = numa_topology(compute.server(server_id).flavor)
        if found is None:
            return json_response(request, {"nodes": [], "pagesize_kb": None})
        admin = self._is_admin(request, tenant_id)
        nodes = []
        for cell in found.cells:
            node: dict = {"vcpu_set": list(cell.vcpu_set), "siblings": [],
                          "memory_mb": cell.memory_mb}
            if admin:
                node["host_node"] = cell.host_node
                node["cpu_pinning"] = {str(v): p for v, p in cell.cpu_pinning}
            nodes.append(node)
        return json_response(request, {"nodes": nodes, "pagesize_kb": found.pagesize_kb})
