"""
Trunks over HTTP: their JSON, bodies and routes, with the
``add_subports``, ``remove_subports`` and ``get_subports`` actions.
"""

from __future__ import annotations

from typing import Any

from mimic.model.neutron import Trunk
from mimic.rest.http import empty_response, json_response
from mimic.rest.neutron.wire import (
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


def sub_ports_json(trunk: Trunk) -> list:
    return [{"port_id": s.port_id, "segmentation_type": s.segmentation_type,
             "segmentation_id": s.segmentation_id} for s in trunk.sub_ports]


def trunk_json(state: Any, trunk: Trunk) -> dict:
    bound = state is not None and bool(state.ports[trunk.port_id].device_id)
    return {
        "id": trunk.id, "name": trunk.name, "tenant_id": trunk.tenant_id,
        "project_id": trunk.tenant_id, "description": trunk.description,
        "port_id": trunk.port_id, "admin_state_up": trunk.admin_state_up,
        "status": "ACTIVE" if bound and trunk.admin_state_up else "DOWN",
        "sub_ports": sub_ports_json(trunk), "tags": list(trunk.tags), **stamps(trunk),
    }


TRUNK_ATTRIBUTES = frozenset(trunk_json(None, Trunk("", "")))


def _sub_ports(request: Any) -> list:
    body = read_body(request)
    sub_ports = body.get("sub_ports")
    if not isinstance(sub_ports, list):
        raise bad_request("Invalid input for sub_ports: a list is required.")
    return sub_ports


class TrunkRoutes:
    """Routes of ``/v2.0/trunks``."""

    @app.route("/v2.0/trunks", methods=["GET"])
    def list_trunks(self, request: Any) -> bytes:
        state = self._state(request)
        return render_list(request, "trunks", (trunk_json(state, t)
                                               for t in state.trunks.values()),
                           TRUNK_ATTRIBUTES)

    @app.route("/v2.0/trunks/<trunk_id>", methods=["GET"])
    def show_trunk(self, request: Any, trunk_id: str) -> bytes:
        state = self._state(request)
        trunk = self._run(lambda: state.trunk(trunk_id))
        return render_one(request, "trunk", trunk_json(state, trunk))

    @app.route("/v2.0/trunks", methods=["POST"])
    def create_trunk(self, request: Any) -> bytes:
        state = self._state(request)
        body = read_resource(request, "trunk", ("port_id", "name", "description",
                                                "admin_state_up", "sub_ports"),
                             state.tenant_id)
        port_id = string_field(body, "port_id")
        if port_id is None:
            raise bad_request("Failed to parse request. Required attribute 'port_id' not "
                              "specified")
        sub_ports = body.get("sub_ports") or []
        if not isinstance(sub_ports, list):
            raise bad_request("Invalid input for sub_ports: a list is required.")
        kwargs = dict(name=string_field(body, "name", ""),
                      description=string_field(body, "description", ""),
                      admin_state_up=boolean_field(body, "admin_state_up") is not False,
                      sub_ports=sub_ports)
        trunk = self._run(lambda: state.create_trunk(port_id, **kwargs))
        return render_one(request, "trunk", trunk_json(state, trunk), 201)

    @app.route("/v2.0/trunks/<trunk_id>", methods=["PUT"])
    def update_trunk(self, request: Any, trunk_id: str) -> bytes:
        state = self._state(request)
        body = read_resource(request, "trunk", ("name", "description", "admin_state_up"),
                             state.tenant_id)
        kwargs = dict(name=string_field(body, "name"),
                      description=string_field(body, "description"),
                      admin_state_up=boolean_field(body, "admin_state_up"))
        trunk = self._run(lambda: state.update_trunk(trunk_id, **kwargs))
        return render_one(request, "trunk", trunk_json(state, trunk))

    @app.route("/v2.0/trunks/<trunk_id>", methods=["DELETE"])
    def delete_trunk(self, request: Any, trunk_id: str) -> bytes:
        state = self._state(request)
        self._run(lambda: state.delete_trunk(trunk_id))
        return empty_response(request)

    @app.route("/v2.0/trunks/<trunk_id>/add_subports", methods=["PUT"])
    def add_subports(self, request: Any, trunk_id: str) -> bytes:
        state = self._state(request)
        sub_ports = _sub_ports(request)
        trunk = self._run(lambda: state.add_sub_ports(trunk_id, sub_ports))
        return json_response(request, trunk_json(state, trunk))

    @app.route("/v2.0/trunks/<trunk_id>/remove_subports", methods=["PUT"])
    def remove_subports(self, request: Any, trunk_id: str) -> bytes:
        state = self._state(request)
        sub_ports = _sub_ports(request)
        trunk = self._run(lambda: state.remove_sub_ports(trunk_id, sub_ports))
        return json_response(request, trunk_json(state, trunk))

    @app.route("/v2.0/trunks/<trunk_id>/get_subports", methods=["GET"])
    def get_subports(self, request: Any, trunk_id: str) -> bytes:
        state = self._state(request)
        trunk = self._run(lambda: state.trunk(trunk_id))
        return json_response(request, {"sub_ports": sub_ports_json(trunk)})
