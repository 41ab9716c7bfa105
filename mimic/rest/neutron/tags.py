"""
Tags over HTTP (``standard-attr-tag``): ``/v2.0/<collection>/<id>/tags``
to read, replace (``PUT``), add to (``POST``) or clear (``DELETE``) a
resource's tags, and ``.../tags/<tag>`` to check, add or remove one.
"""

from __future__ import annotations

from typing import Any

from mimic.model.neutron.tags import TAGGABLE
from mimic.rest.http import RequestError, empty_response, json_response
from mimic.rest.neutron.wire import app, bad_request, read_body

_COLLECTIONS = ",".join(f"'{c}'" for c in TAGGABLE)
_TAGS = f"/v2.0/<any({_COLLECTIONS}):collection>/<resource_id>/tags"


def _tags_body(request: Any) -> Any:
    body = read_body(request)
    if set(body) != {"tags"}:
        raise bad_request("Invalid input for operation: Invalid tags body.")
    return body["tags"]


class TagRoutes:
    """The tag routes of every taggable collection."""

    @app.route(_TAGS, methods=["GET"])
    def list_tags(self, request: Any, collection: str, resource_id: str) -> bytes:
        state = self._state(request)
        resource = self._run(lambda: state.tagged(collection, resource_id))
        return json_response(request, {"tags": list(resource.tags)})

    @app.route(_TAGS, methods=["PUT"])
    def replace_tags(self, request: Any, collection: str, resource_id: str) -> bytes:
        state = self._state(request)
        tags = _tags_body(request)
        resource = self._run(lambda: state.replace_tags(collection, resource_id, tags))
        return json_response(request, {"tags": list(resource.tags)})

    @app.route(_TAGS, methods=["POST"])
    def add_tags(self, request: Any, collection: str, resource_id: str) -> bytes:
        state = self._state(request)
        tags = _tags_body(request)
        resource = self._run(lambda: state.add_tags(collection, resource_id, tags))
        return json_response(request, {"tags": list(resource.tags)}, 201)

    @app.route(_TAGS, methods=["DELETE"])
    def clear_tags(self, request: Any, collection: str, resource_id: str) -> bytes:
        state = self._state(request)
        self._run(lambda: state.clear_tags(collection, resource_id))
        return empty_response(request)

    @app.route(_TAGS + "/<tag>", methods=["GET"])
    def check_tag(self, request: Any, collection: str, resource_id: str, tag: str) -> bytes:
        state = self._state(request)
        if not self._run(lambda: state.has_tag(collection, resource_id, tag)):
            raise RequestError(404, f"Tag {tag} could not be found.", kind="TagNotFound")
        return empty_response(request)

    @app.route(_TAGS + "/<tag>", methods=["PUT"])
    def add_tag(self, request: Any, collection: str, resource_id: str, tag: str) -> bytes:
        state = self._state(request)
        self._run(lambda: state.add_tag(collection, resource_id, tag))
        return empty_response(request, 201)

    @app.route(_TAGS + "/<tag>", methods=["DELETE"])
    def remove_tag(self, request: Any, collection: str, resource_id: str, tag: str) -> bytes:
        state = self._state(request)
        self._run(lambda: state.remove_tag(collection, resource_id, tag))
        return empty_response(request)
