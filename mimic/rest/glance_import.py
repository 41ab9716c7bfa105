"""
Glance's interoperable image import over HTTP: what it offers
(``/v2/info/import``, ``/v2/info/stores``), staging data (``PUT
/v2/images/<id>/stage``), importing it (``POST /v2/images/<id>/import``)
and the tasks that record each import (``/v2/tasks``,
``/v2/images/<id>/tasks``). ``web-download`` is offered, as clients expect
it, but fails as a task with a message saying why: Mimic reaches nothing
outside itself.
"""

from __future__ import annotations

from typing import Any

from mimic.model.images import IMPORT_METHODS, TASK_SECONDS_TO_LIVE, ImageStore, Task
from mimic.rest.glance_routes import app
from mimic.rest.http import RequestError, empty_response, json_response, read_json
from mimic.util import iso_time

#: The one store Mimic keeps image data in.
STORE = {"id": "mimic", "description": "Mimic's memory (bounded by its 1 MiB body limit)",
         "default": True}


def task_json(task: Task) -> dict:
    def stamp(seconds: float) -> str:
        return iso_time(seconds, microseconds=False)

    return {
        "id": task.id, "type": "api_image_import", "status": task.status,
        "input": {"image_id": task.image_id, "import_req": {"method": task.method},
                  "backend": [STORE["id"]]},
        "result": {"image_id": task.image_id} if task.status == "success" else None,
        "owner": task.owner, "message": task.message, "image_id": task.image_id,
        "request_id": "", "user_id": "",
        "expires_at": stamp(task.created + TASK_SECONDS_TO_LIVE),
        "created_at": stamp(task.created), "updated_at": stamp(task.created),
        "self": f"/v2/tasks/{task.id}", "schema": "/v2/schemas/task",
    }


class ImportRoutes:
    """Routes of the interoperable import and of tasks."""

    @app.route("/v2/info/import", methods=["GET"])
    def import_info(self, request: Any) -> bytes:
        self._images(request)
        return json_response(request, {"import-methods": {
            "description": "Import methods available.", "type": "array",
            "value": list(IMPORT_METHODS)}})

    @app.route("/v2/info/stores", methods=["GET"])
    def stores_info(self, request: Any) -> bytes:
        self._images(request)
        return json_response(request, {"stores": [dict(STORE)]})

    @app.route("/v2/images/<image_id>/stage", methods=["PUT"])
    def stage_data(self, request: Any, image_id: str) -> bytes:
        return self._receive_data(request, image_id, "staged data", ImageStore.stage)

    @app.route("/v2/images/<image_id>/import", methods=["POST"])
    def import_image(self, request: Any, image_id: str) -> bytes:
        images = self._images(request)
        self._mutable(images, image_id, "import")
        body = read_json(request)
        images.import_data(image_id, body.get("method"), self._now())
        return empty_response(request, 202)

    @app.route("/v2/images/<image_id>/tasks", methods=["GET"])
    def image_tasks(self, request: Any, image_id: str) -> bytes:
        images = self._images(request)
        self._mutable(images, image_id, "see the tasks of")
        return json_response(request, {"tasks": [task_json(t) for t in
                                                 images.tasks_of(image_id)]})

    @app.route("/v2/tasks", methods=["GET"])
    def list_tasks(self, request: Any) -> bytes:
        images = self._images(request)
        return json_response(request, {"tasks": [task_json(t) for t in images.tasks.values()],
                                       "first": "/v2/tasks", "schema": "/v2/schemas/tasks"})

    @app.route("/v2/tasks/<task_id>", methods=["GET"])
    def show_task(self, request: Any, task_id: str) -> bytes:
        images = self._images(request)
        task = images.tasks.get(task_id)
        if task is None:
            raise RequestError(404, f"Task with the given ID {task_id} could not be found")
        return json_response(request, task_json(task))

    @app.route("/v2/tasks", methods=["POST"])
    def create_task(self, request: Any) -> bytes:
        # The old task API is admin-only in Glance's default policy.
        self._images(request)
        raise RequestError(403, "You are not authorized to complete tasks_api_access action.")
