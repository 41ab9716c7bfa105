"""
A server's tags (``servers/<id>/tags``), from microversion 2.26 (a 404
before, as Nova answers a route no version of which matches): list,
replace all, delete all, and one tag's check, add and delete, with Nova's
bounds (50 tags of 1-60 characters, no ``/`` or ``,``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from mimic.model.nova import ComputeRegion
from mimic.rest.http import RequestError, empty_response, json_response, read_json
from mimic.rest.nova_routes import NovaRoutes, tenant_route

app = NovaRoutes.app


class TagRoutes(NovaRoutes):
    """``servers/<id>/tags`` and ``servers/<id>/tags/<tag>``."""

    def _tags_of(self, request: Any, tenant_id: str, server_id: str) -> ComputeRegion:
        compute, _ = self._begin(request, tenant_id)
        if self.version < "2.26":
            raise RequestError(404, "The resource could not be found.")
        compute.server(server_id)
        return compute

    @tenant_route(app, "/servers/<server_id>/tags", methods=["GET"])
    def list_tags(self, request: Any, tenant_id: str, server_id: str) -> bytes:
        compute = self._tags_of(request, tenant_id, server_id)
        return json_response(request, {"tags": list(compute.server(server_id).tags)})

    @tenant_route(app, "/servers/<server_id>/tags", methods=["PUT"])
    def replace_tags(self, request: Any, tenant_id: str, server_id: str) -> bytes:
        compute = self._tags_of(request, tenant_id, server_id)
        body = read_json(request)
        if set(body) != {"tags"} or not isinstance(body["tags"], list):
            raise RequestError(400, "Invalid input for field/attribute tags. "
                               "'tags' is a required property of type 'array'")
        return json_response(request, {"tags": compute.set_tags(server_id, body["tags"])})

    @tenant_route(app, "/servers/<server_id>/tags", methods=["DELETE"])
    def delete_tags(self, request: Any, tenant_id: str, server_id: str) -> bytes:
        compute = self._tags_of(request, tenant_id, server_id)
        compute.set_tags(server_id, [])
        return empty_response(request, 204)

    @tenant_route(app, "/servers/<server_id>/tags/<tag>", methods=["GET"])
    def check_tag(self, request: Any, tenant_id: str, server_id: str, tag: str) -> bytes:
        compute = self._tags_of(request, tenant_id, server_id)
        tag = unquote(tag)
        if tag not in compute.server(server_id).tags:
            raise RequestError(404, f"Tag {tag} could not be found.")
        return empty_response(request, 204)

    @tenant_route(app, "/servers/<server_id>/tags/<tag>", methods=["PUT"])
    def add_tag(self, request: Any, tenant_id: str, server_id: str, tag: str) -> bytes:
        compute = self._tags_of(request, tenant_id, server_id)
        tag = unquote(tag)
        if not compute.add_tag(server_id, tag):
            return empty_response(request, 204)
        request.setHeader(b"location", request.uri)
        return empty_response(request, 201)

    @tenant_route(app, "/servers/<server_id>/tags/<tag>", methods=["DELETE"])
    def delete_tag(self, request: Any, tenant_id: str, server_id: str, tag: str) -> bytes:
        compute = self._tags_of(request, tenant_id, server_id)
        compute.remove_tag(server_id, unquote(tag))
        return empty_response(request, 204)
