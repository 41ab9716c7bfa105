"""
The Cinder control API for one region: what a test says to make Block
Storage misbehave for one tenant, shaped like Nova's
(:mod:`mimic.rest.nova_control_api`). It is its own catalog entry (type
``block-storage:control``) and reaches the same per-tenant-region state.

- ``POST   .../behaviors/<event>``       register a behavior (201 ``{"id"}``)
- ``GET    .../behaviors/<event>``       list them, and what is supported
- ``DELETE .../behaviors/<event>/<id>``  forget one (204, or 404)

Events are ``creation`` and ``deletion`` of volumes (see
:mod:`mimic.model.cinder`).
"""

from __future__ import annotations

from typing import Any

from mimic.klein_rendering import MimicKlein

from mimic.model.behaviors import BehaviorRegistry, InvalidBehavior
from mimic.model.cinder import EVENTS, block_storage_for
from mimic.rest.cinder_routes import install_cinder_error_handlers
from mimic.rest.http import RequestError, empty_response, json_response, read_json


class CinderControlApi:
    """The control API of Cinder in one region."""

    app = MimicKlein()

    def __init__(self, region: str, uri_prefix: str, session_store: Any) -> None:
        self.region = region
        self.prefix = uri_prefix
        self.store = session_store

    def _registry(self, tenant_id: str, event: str) -> BehaviorRegistry:
        return block_storage_for(self.store, tenant_id, self.region).behaviors(event)

    @app.route("/v3/<tenant_id>/behaviors/<event>", methods=["POST"])
    def register(self, request: Any, tenant_id: str, event: str) -> bytes:
        registry = self._registry(tenant_id, event)
        try:
            registered = registry.register(read_json(request))
        except InvalidBehavior as invalid:
            raise RequestError(400, str(invalid)) from None
        return json_response(request, {"id": registered.id}, code=201)

    @app.route("/v3/<tenant_id>/behaviors/<event>", methods=["GET"])
    def listing(self, request: Any, tenant_id: str, event: str) -> bytes:
        registry = self._registry(tenant_id, event)
        return json_response(request, {
            "behaviors": registry.listing(),
            "supported": EVENTS[event].describe(),
        })

    @app.route("/v3/<tenant_id>/behaviors/<event>/<behavior_id>", methods=["DELETE"])
    def remove(self, request: Any, tenant_id: str, event: str, behavior_id: str) -> bytes:
        if not self._registry(tenant_id, event).remove(behavior_id):
            raise RequestError(404, f"No behavior with id {behavior_id}.")
        return empty_response(request)


install_cinder_error_handlers(CinderControlApi.app)
