"""
What the APIs whose resources a test makes misbehave share: two behavior
events, ``creation`` and ``deletion`` of one kind of resource, whose
criteria are the resource's name and its metadata
(:func:`lifecycle_events`); the ``fail`` behavior whose error ``type`` the
API names from the code (:func:`typed_failure_kind`); and metadata presets
that are a number of clock seconds (:func:`preset_seconds`).

Cinder's volumes (:mod:`mimic.model.cinder_behaviors`) and Cloud Load
Balancers (:mod:`mimic.model.clb.presets`) declare theirs with these; the
registry itself is :mod:`mimic.model.behaviors`. Each API keeps its own
behaviors, messages and presets: this module holds only their shape.
"""

from __future__ import annotations

from typing import Any, Mapping

from mimic.model.behaviors import (
    BehaviorKind,
    CriterionKind,
    Event,
    InvalidBehavior,
    coerce_number,
    failure_kind,
)


def lifecycle_events(name_criterion: str, creation: tuple[BehaviorKind, ...],
                     deletion: tuple[BehaviorKind, ...],
                     deletion_criteria: tuple[CriterionKind, ...] = ()) -> dict:
    """
    ``{"creation": Event, "deletion": Event}`` of one kind of resource: both
    select requests by the resource's name (``name_criterion``, a regex) and
    its metadata (``{key: regex}``); ``deletion_criteria`` are the ones only
    a delete has (the id of what is deleted, say).
    """
    criteria = (CriterionKind(name_criterion), CriterionKind("metadata", shape="mapping"))
    return {"creation": Event("creation", creation, criteria),
            "deletion": Event("deletion", deletion, criteria + deletion_criteria)}


def typed_failure_kind(name: str, message: str, description: str) -> BehaviorKind:
    """
    A ``fail``-shaped behavior (``code``, ``message``, ``type``) whose
    ``type``, when the registration leaves it out, is ``None``: the API then
    answers with its own fault name for the code (Nova's and Cinder's
    ``badRequest``, ``itemNotFound``, ... rather than one fixed name).
    """
    base = failure_kind("computeFault", message, description)

    def validate(parameters: Mapping[str, Any]) -> dict:
        checked = base.validate(parameters)
        if "type" not in parameters:
            checked["type"] = None
        return checked

    return BehaviorKind(name, description, validate)


def preset_seconds(metadata: Mapping[str, Any], key: str) -> float:
    """
    The preset ``key`` of ``metadata`` (which holds it): a number of clock
    seconds, given as a number or a numeric string (metadata values are
    strings), never negative; :class:`InvalidBehavior` otherwise.
    """
    seconds = coerce_number(metadata[key], key)
    if seconds < 0:
        raise InvalidBehavior(f"{key!r} must not be negative")
    return seconds
