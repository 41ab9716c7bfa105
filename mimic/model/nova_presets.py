"""
How a test makes Nova misbehave: the behavior events of its control API
(``creation``, ``deletion``) and the metadata presets of a create request
(``server_building``, ``server_error``, ``create_server_failure``,
``delete_server_failure``), read into :class:`CreationPresets`.
"""

from __future__ import annotations

import json
from typing import Any, Optional

import attrs

from mimic.model.behaviors import (
    BehaviorKind,
    CriterionKind,
    Event,
    InvalidBehavior,
    coerce_number,
    duration_kind,
    failure_kind,
    integer_parameter,
)
from mimic.model.nova_errors import BadRequest, InjectedFailure


def _failure_kind(name: str, message: str, description: str) -> BehaviorKind:
    """``fail``-shaped parameters; ``type`` left ``None`` means "Nova's name for the code"."""
    base = failure_kind("computeFault", message, description)

    def validate(parameters: Any) -> dict:
        checked = base.validate(parameters)
        if "type" not in parameters:
            checked["type"] = None
        return checked

    return BehaviorKind(name, description, validate)


_CRITERIA = (CriterionKind("server_name"), CriterionKind("metadata", shape="mapping"))

CREATION_EVENT = Event(
    name="creation",
    behaviors=(
        _failure_kind("fail", "The server could not be created.",
                      "answer {code, message, type}; no server is created"),
        _failure_kind("false-negative", "The server could not be created.",
                      "answer {code, message, type}, yet create the server"),
        duration_kind("build", "stay in BUILD for {duration} seconds, then ACTIVE", default=0),
        BehaviorKind("error", "go straight to ERROR"),
        duration_kind("active-then-error",
                       "be ACTIVE for {duration} seconds, then ERROR", default=0),
        BehaviorKind("default", "create an ACTIVE server at once"),
    ),
    criteria=_CRITERIA,
)

DELETION_EVENT = Event(
    name="deletion",
    behaviors=(
        _failure_kind("fail", "The server could not be deleted.",
                      "answer {code, message, type}; the server stays"),
        BehaviorKind("default", "delete the server"),
    ),
    criteria=_CRITERIA,
)

EVENTS = {event.name: event for event in (CREATION_EVENT, DELETION_EVENT)}

#: Metadata keys that change how a new server behaves.
PRESETS = {
    "server_building": "seconds (number or numeric string) to stay in BUILD",
    "server_error": "any value: the server goes to ERROR at once",
    "create_server_failure":
        '{"message": ..., "code": ...} (object or JSON string): answer that '
        "error and create nothing",
    "delete_server_failure":
        '{"code": ..., "times": ...} (object or JSON string): DELETE fails '
        "`times` times with `code`, then succeeds",
}


@attrs.frozen
class CreationPresets:
    """What a new server's metadata asks of it."""

    building: float = 0.0
    error: bool = False
    failure: Optional[InjectedFailure] = None
    delete_failure_code: int = 500
    delete_failures: int = 0

    @classmethod
    def from_metadata(cls, metadata: dict) -> "CreationPresets":
        """Read the presets in ``metadata``; a malformed one is a :class:`BadRequest`."""
        try:
            building = 0.0
            if "server_building" in metadata:
                building = coerce_number(metadata["server_building"], "server_building")
                if building < 0:
                    raise InvalidBehavior("'server_building' must not be negative")
            failure = None
            if "create_server_failure" in metadata:
                spec = _preset_object(metadata["create_server_failure"],
                                      "create_server_failure")
                message = spec.get("message", "Server creation failed.")
                if not isinstance(message, str):
                    raise InvalidBehavior("create_server_failure.message must be a string")
                code = integer_parameter(spec, "code", default=500, minimum=400, maximum=599)
                failure = InjectedFailure(code, message)
            delete_code, delete_times = 500, 0
            if "delete_server_failure" in metadata:
                spec = _preset_object(metadata["delete_server_failure"],
                                      "delete_server_failure")
                delete_code = integer_parameter(spec, "code", default=500,
                                                minimum=400, maximum=599)
                delete_times = integer_parameter(spec, "times", default=1, minimum=0)
        except InvalidBehavior as invalid:
            raise BadRequest(f"Invalid metadata preset: {invalid}") from None
        return cls(building, "server_error" in metadata, failure, delete_code, delete_times)


def _preset_object(value: Any, name: str) -> dict:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise InvalidBehavior(f"{name!r} must be a JSON object") from None
    if not isinstance(value, dict):
        raise InvalidBehavior(f"{name!r} must be a JSON object")
    return value



def injected_failure(parameters: dict) -> InjectedFailure:
    return InjectedFailure(parameters["code"], parameters["message"], parameters.get("type"))

