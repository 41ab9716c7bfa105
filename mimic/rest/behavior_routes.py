"""
What every control API answers about its behaviors
(:mod:`mimic.model.behaviors`), whatever the API: register one (``POST
.../behaviors/<event>``, 201 ``{"id"}``), list them with what the event
supports (``GET``), forget one (``DELETE .../<id>``, 204, or 404). Each
control API routes its own URLs, finds the registry of the event (its own
404 for an unknown event) and hands it here; the error bodies are the API's
own, through its error handlers.
"""

from __future__ import annotations

from typing import Any, Callable

from mimic.model.behaviors import BehaviorRegistry, InvalidBehavior
from mimic.rest.http import RequestError, empty_response, json_response, read_json


def _bad_request(message: str) -> Exception:
    return RequestError(400, message)


def register_behavior(request: Any, registry: BehaviorRegistry,
                      refused: Callable[[str], Exception] = _bad_request) -> bytes:
    """
    Register the behavior in the body; one that cannot be accepted is
    ``refused(why)`` (a 400 unless the API words it otherwise) and
    registers nothing.
    """
    try:
        registered = registry.register(read_json(request))
    except InvalidBehavior as invalid:
        raise refused(str(invalid)) from None
    return json_response(request, {"id": registered.id}, code=201)


def list_behaviors(request: Any, registry: BehaviorRegistry) -> bytes:
    """The registered behaviors, oldest first, and what the event supports."""
    return json_response(request, {
        "behaviors": registry.listing(),
        "supported": registry.event.describe(),
    })


def remove_behavior(request: Any, registry: BehaviorRegistry, behavior_id: str) -> bytes:
    """Forget one registration (204), or a 404 if there is none with that id."""
    if not registry.remove(behavior_id):
        raise RequestError(404, f"No behavior with id {behavior_id}.")
    return empty_response(request)
