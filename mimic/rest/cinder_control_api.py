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

from mimic.model.behaviors import BehaviorRegistry
from mimic.model.cinder import block_storage_for
from mimic.rest.behavior_routes import list_behaviors, register_behavior, remove_behavior
from mimic.rest.cinder_routes import install_cinder_error_handlers


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
        return register_behavior(request, self._registry(tenant_id, event))

    @app.route("/v3/<tenant_id>/behaviors/<event>", methods=["GET"])
    def listing(self, request: Any, tenant_id: str, event: str) -> bytes:
        return list_behaviors(request, self._registry(tenant_id, event))

    @app.route("/v3/<tenant_id>/behaviors/<event>/<behavior_id>", methods=["DELETE"])
    def remove(self, request: Any, tenant_id: str, event: str, behavior_id: str) -> bytes:
        return remove_behavior(request, self._registry(tenant_id, event), behavior_id)


install_cinder_error_handlers(CinderControlApi.app)
