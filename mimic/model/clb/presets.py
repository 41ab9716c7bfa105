"""
How a test makes a load balancer misbehave: the metadata presets of a
create request (``lb_building``, ``lb_pending_update``,
``lb_pending_delete``, ``lb_error_state``), read once into
:class:`Presets`, and the behavior events of the control API
(``creation``, ``deletion``; the registry is :mod:`mimic.model.behaviors`).
Both only say what should happen; the store makes it happen on Mimic's
clock.
"""

from __future__ import annotations

from typing import Any

import attrs

from mimic.model.behaviors import (
    BehaviorKind,
    CriterionKind,
    InvalidBehavior,
    duration_kind,
    failure_kind,
)
from mimic.model.clb.validation import refuse_any
from mimic.model.lifecycle_behaviors import lifecycle_events, preset_seconds

#: Metadata keys that change how a load balancer behaves (see presets()).
PRESETS = {
    "lb_building": "seconds the load balancer stays in BUILD after creation",
    "lb_pending_update": "seconds it stays in PENDING_UPDATE after each change",
    "lb_pending_delete": "seconds it stays in PENDING_DELETE before DELETED",
    "lb_error_state": "any value: the load balancer is in ERROR from creation",
}


@attrs.frozen
class Presets:
    """The metadata presets given at creation, parsed once."""

    building: float = 0
    pending_update: float = 0
    pending_delete: float = 0
    error: bool = False


def parse_presets(pairs: list[tuple[str, str]], raw: Any) -> Presets:
    """
    The presets among a new load balancer's metadata. Durations may be given
    as numbers or numeric strings.
    """
    values = {}
    if isinstance(raw, list):
        values = {
            item["key"]: item["value"] for item in raw
            if isinstance(item, dict) and item.get("key") in PRESETS
        }
    errors = []
    durations = {}
    for key in ("lb_building", "lb_pending_update", "lb_pending_delete"):
        if key in values:
            try:
                durations[key] = preset_seconds(values, key)
            except InvalidBehavior as invalid:
                errors.append(f"metadata {invalid}.")
    refuse_any(errors)
    return Presets(
        building=durations.get("lb_building", 0),
        pending_update=durations.get("lb_pending_update", 0),
        pending_delete=durations.get("lb_pending_delete", 0),
        error="lb_error_state" in values,
    )


#: What may happen when a load balancer is created or deleted (control API).
EVENTS = lifecycle_events(
    "loadbalancer_name",
    creation=(
        failure_kind("loadBalancerFault", "Load balancer creation failed.",
                     "answer {code, message} instead of creating"),
        BehaviorKind("error", "create the load balancer in ERROR status"),
        duration_kind("building", "stay in BUILD for {duration} seconds"),
        BehaviorKind("default", "create normally"),
    ),
    deletion=(
        failure_kind("loadBalancerFault", "Load balancer deletion failed.",
                     "answer {code, message} instead of deleting"),
        duration_kind("pending", "stay in PENDING_DELETE for {duration} seconds"),
        BehaviorKind("default", "delete normally"),
    ),
    deletion_criteria=(CriterionKind("loadbalancer_id"),),
)
CREATION_EVENT, DELETION_EVENT = EVENTS["creation"], EVENTS["deletion"]
