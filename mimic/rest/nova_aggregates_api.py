"""
Nova's host aggregates (``os-aggregates``), for admins only
(nova/policies/aggregates.py: every rule ``ADMIN``): create, list, show,
update (name, availability zone), delete, and the ``add_host``,
``remove_host`` and ``set_metadata`` actions; ``uuid`` from 2.41. Shapes
are nova/api/openstack/compute/aggregates.py (a create's answer leaves out
hosts and metadata) and its schemas.
"""

from __future__ import annotations

import json
from typing import Any

from mimic.model.nova_aggregates import Aggregate
from mimic.rest.http import RequestError, empty_response, json_response, read_json
from mimic.rest.nova_json import invalid_input, refuse_unexpected, string_field
from mimic.rest.nova_routes import NovaRoutes, tenant_route
from mimic.util import iso_time

app = NovaRoutes.app

_POLICY = "os_compute_api:os-aggregates:"


class AggregateRoutes(NovaRoutes):
    """``os-aggregates`` and its actions."""

    def _aggregates(self, request: Any, tenant_id: str, policy: str,
                    aggregate_id: str = "") -> Any:
        compute, _ = self._begin(request, tenant_id)
        self._authorize(request, tenant_id, _POLICY + policy)
        if aggregate_id and not aggregate_id.lstrip("-").isdigit():
            raise RequestError(400, "Invalid input received: id must be an integer")
        return compute

    @tenant_route(app, "/os-aggregates", methods=["GET"])
    def list_aggregates(self, request: Any, tenant_id: str) -> bytes:
        compute = self._aggregates(request, tenant_id, "index")
        return json_response(request, {"aggregates": [
            self._view(a) for a in compute.cloud.aggregates]})

    @tenant_route(app, "/os-aggregates", methods=["POST"])
    def create_aggregate(self, request: Any, tenant_id: str) -> bytes:
        compute = self._aggregates(request, tenant_id, "create")
        body = _member(read_json(request), "aggregate")
        refuse_unexpected(body, frozenset({"name", "availability_zone"}), field="aggregate")
        name = _name(body, "name", required=True)
        zone = _name(body, "availability_zone") if body.get("availability_zone") else None
        aggregate = compute.cloud.aggregates.create(name, zone, compute.now())
        view = self._view(aggregate)
        del view["hosts"], view["metadata"]
        return json_response(request, {"aggregate": view})

    @tenant_route(app, "/os-aggregates/<aggregate_id>", methods=["GET"])
    def show_aggregate(self, request: Any, tenant_id: str, aggregate_id: str) -> bytes:
        compute = self._aggregates(request, tenant_id, "show", aggregate_id)
        return json_response(request, {"aggregate": self._view(
            compute.cloud.aggregates.get(aggregate_id))})

    @tenant_route(app, "/os-aggregates/<aggregate_id>", methods=["PUT"])
    def update_aggregate(self, request: Any, tenant_id: str, aggregate_id: str) -> bytes:
        compute = self._aggregates(request, tenant_id, "update", aggregate_id)
        body = _member(read_json(request), "aggregate")
        refuse_unexpected(body, frozenset({"name", "availability_zone"}), field="aggregate")
        if not body:
            raise invalid_input("aggregate", "{}", "{} does not have enough properties")
        name = _name(body, "name") if "name" in body else None
        zone = _name(body, "availability_zone") if body.get("availability_zone") else None
        aggregate = compute.cloud.aggregates.update(
            aggregate_id, name, zone, "availability_zone" in body, compute.now())
        return json_response(request, {"aggregate": self._view(aggregate)})

    @tenant_route(app, "/os-aggregates/<aggregate_id>", methods=["DELETE"])
    def delete_aggregate(self, request: Any, tenant_id: str, aggregate_id: str) -> bytes:
        compute = self._aggregates(request, tenant_id, "delete", aggregate_id)
        compute.cloud.aggregates.delete(aggregate_id)
        return empty_response(request, 200)

    @tenant_route(app, "/os-aggregates/<aggregate_id>/action", methods=["POST"])
    def aggregate_action(self, request: Any, tenant_id: str, aggregate_id: str) -> bytes:
        body = read_json(request)
        if len(body) != 1 or next(iter(body)) not in ("add_host", "remove_host",
                                                      "set_metadata"):
            self._begin(request, tenant_id)
            raise RequestError(400, "There is no such action: "
                               f"{', '.join(sorted(body))[:100] or 'None'}")
        action, parameters = next(iter(body.items()))
        compute = self._aggregates(request, tenant_id, action, aggregate_id)
        store, now = compute.cloud.aggregates, compute.now()
        parameters = _member(body, action)
        if action == "set_metadata":
            refuse_unexpected(parameters, frozenset({"metadata"}), field=action)
            aggregate = store.set_metadata(aggregate_id, _metadata(parameters), now)
        else:
            refuse_unexpected(parameters, frozenset({"host"}), field=action)
            host = _name(parameters, "host", required=True)
            aggregate = (store.add_host(aggregate_id, host,
                                        compute.cloud.hosts.compute_hosts(), now)
                         if action == "add_host" else store.remove_host(aggregate_id, host, now))
        return json_response(request, {"aggregate": self._view(aggregate)})

    def _view(self, aggregate: Aggregate) -> dict:
        view = {
            "id": aggregate.id,
            "name": aggregate.name,
            "availability_zone": aggregate.availability_zone,
            "created_at": _naive_time(aggregate.created),
            "updated_at": (None if aggregate.updated is None
                           else _naive_time(aggregate.updated)),
            "deleted_at": None,
            "deleted": False,
            "hosts": list(aggregate.hosts),
            "metadata": dict(aggregate.metadata),
        }
        if self.version >= "2.41":
            view["uuid"] = aggregate.uuid
        return view


def _naive_time(seconds: float) -> str:
    """Nova writes aggregates' times without a zone (``...T00:00:00.000000``)."""
    return iso_time(seconds)[:-1]


def _member(body: dict, key: str) -> dict:
    value = body.get(key)
    if not isinstance(value, dict):
        if key not in body:
            raise invalid_input(key, None, f"'{key}' is a required property")
        raise invalid_input(key, value, f"{json.dumps(value)[:100]} is not of type 'object'")
    return value


def _name(body: dict, key: str, required: bool = False) -> str:
    """Nova's ``parameter_types.name``: 1 to 255 characters, no edge whitespace."""
    value = string_field(body, key, required=required, minimum=1)
    if value is not None and value.strip() != value:
        raise invalid_input(key, value, "leading or trailing whitespace is not allowed")
    return value  # type: ignore[return-value]


def _metadata(parameters: dict) -> dict:
    """``set_metadata``'s ``metadata``: keys of 1-255 characters, strings or ``null``."""
    metadata = _member(parameters, "metadata")
    for key, value in metadata.items():
        if not 1 <= len(key) <= 255:
            raise invalid_input("metadata", key[:100], "keys must be 1 to 255 characters")
        if value is not None and (not isinstance(value, str) or len(value) > 255):
            raise invalid_input(key, str(value)[:100],
                                f"{json.dumps(value)[:100]} is not of type 'string', 'null'")
    return dict(metadata)
