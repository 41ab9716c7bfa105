"""
The Cloud Load Balancers control API: steer the load balancers of one
tenant in one region from a test, through its own catalog entry
(``rax:load-balancer:control``).

It forces a load balancer's status or a node's health (ONLINE/OFFLINE) and
registers behaviors for the ``creation`` and ``deletion`` events with the
shared behavior registry. Failures use the CLB fault shape, rendered by
:mod:`mimic.rest.clb_api`.
"""

from __future__ import annotations

from typing import Any

from mimic.klein_rendering import MimicKlein

from mimic.model import clb
from mimic.rest import behavior_routes
from mimic.rest.clb_api import ClbEndpoint, install_clb_error_handlers, node_json
from mimic.rest.http import RequestError, json_response, read_json


def _status(request: Any) -> Any:
    status = read_json(request).get("status")
    if not isinstance(status, str):
        raise clb.ValidationFailed("'status' is required and must be a string.")
    return status


class ClbControlApi(ClbEndpoint):
    """``/v1.0/<tenant_id>/...`` of the control endpoint of one region."""

    app = MimicKlein()

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/status", methods=["PUT"])
    def set_status(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        store = self._store(tenant_id)
        lb = store.get(lb_id)
        store.set_status(lb, _status(request))
        return json_response(request, {
            "loadBalancer": {"id": lb.id, "status": store.status(lb)}
        })

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/nodes/<node_id>/status",
               methods=["PUT"])
    def set_node_status(self, request: Any, tenant_id: str, lb_id: str,
                        node_id: str) -> bytes:
        store = self._store(tenant_id)
        node = store.set_node_status(store.get(lb_id), node_id, _status(request))
        return json_response(request, {"node": node_json(node)})

    def _registry(self, tenant_id: str, event: str) -> Any:
        if event not in clb.EVENTS:
            raise RequestError(404, f"Cloud Load Balancers have no behavior event "
                               f"{event!r}; known: {', '.join(sorted(clb.EVENTS))}.")
        return self._store(tenant_id).registry(event)

    @app.route("/v1.0/<tenant_id>/behaviors/<event>", methods=["POST"])
    def register_behavior(self, request: Any, tenant_id: str, event: str) -> bytes:
        # CLB words a refusal as its validation failure, not a bare 400.
        return behavior_routes.register_behavior(request, self._registry(tenant_id, event),
                                 refused=clb.ValidationFailed)

    @app.route("/v1.0/<tenant_id>/behaviors/<event>", methods=["GET"])
    def list_behaviors(self, request: Any, tenant_id: str, event: str) -> bytes:
        return behavior_routes.list_behaviors(request, self._registry(tenant_id, event))

    @app.route("/v1.0/<tenant_id>/behaviors/<event>/<behavior_id>", methods=["DELETE"])
    def remove_behavior(self, request: Any, tenant_id: str, event: str,
                        behavior_id: str) -> bytes:
        return behavior_routes.remove_behavior(request, self._registry(tenant_id, event), behavior_id)


install_clb_error_handlers(ClbControlApi.app)
