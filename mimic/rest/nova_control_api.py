"""
The Nova control API for one region: what a test says to make Nova
misbehave for one tenant. It is its own catalog entry (type
``compute:control``) and reaches the same per-tenant-region state as Nova.

- ``POST   .../behaviors/<event>``       register a behavior (201 ``{"id"}``)
- ``GET    .../behaviors/<event>``       list them, and what is supported
- ``DELETE .../behaviors/<event>/<id>``  forget one (204, or 404)
- ``POST   .../attributes``              ``{"status": {server_id: STATUS}}``
  puts servers straight into a status.

Events are ``creation`` and ``deletion`` (see :mod:`mimic.model.nova`).
"""

from __future__ import annotations

from typing import Any

from mimic.klein_rendering import MimicKlein

from mimic.model.behaviors import InvalidBehavior
from mimic.model.nova import EVENTS, ComputeRegion
from mimic.rest.http import (
    RequestError,
    empty_response,
    json_response,
    read_json,
)
from mimic.rest.nova_api import install_nova_error_handlers


class NovaControlApi:
    """The control API of Nova in one region."""

    app = MimicKlein()

    def __init__(self, region: str, uri_prefix: str, session_store: Any) -> None:
        self.region = region
        self.prefix = uri_prefix
        self.store = session_store

    def _compute(self, tenant_id: str) -> ComputeRegion:
        return ComputeRegion.for_tenant(self.store, tenant_id, self.region)

    def _registry(self, tenant_id: str, event: str) -> Any:
        return self._compute(tenant_id).behaviors(event)

    @app.route("/v2/<tenant_id>/behaviors/<event>", methods=["POST"])
    def register(self, request: Any, tenant_id: str, event: str) -> bytes:
        registry = self._registry(tenant_id, event)
        try:
            registered = registry.register(read_json(request))
        except InvalidBehavior as invalid:
            raise RequestError(400, str(invalid)) from None
        return json_response(request, {"id": registered.id}, code=201)

    @app.route("/v2/<tenant_id>/behaviors/<event>", methods=["GET"])
    def listing(self, request: Any, tenant_id: str, event: str) -> bytes:
        registry = self._registry(tenant_id, event)
        return json_response(request, {
            "behaviors": registry.listing(),
            "supported": EVENTS[event].describe(),
        })

    @app.route("/v2/<tenant_id>/behaviors/<event>/<behavior_id>", methods=["DELETE"])
    def remove(self, request: Any, tenant_id: str, event: str, behavior_id: str) -> bytes:
        if not self._registry(tenant_id, event).remove(behavior_id):
            raise RequestError(404, f"No behavior with id {behavior_id}.")
        return empty_response(request)

    @app.route("/v2/<tenant_id>/attributes", methods=["POST"])
    def set_attributes(self, request: Any, tenant_id: str) -> bytes:
        body = read_json(request)
        statuses = body.get("status")
        if set(body) != {"status"} or not isinstance(statuses, dict) or not all(
            isinstance(value, str) for value in statuses.values()
        ):
            raise RequestError(400, "The body must be {\"status\": {server_id: STATUS}}.")
        self._compute(tenant_id).set_statuses(statuses)
        return json_response(request, {"status": statuses}, code=201)


install_nova_error_handlers(NovaControlApi.app)
