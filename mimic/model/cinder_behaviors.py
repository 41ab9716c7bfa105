"""
How a test makes Cinder misbehave: the behavior events of its control API
(``creation``, ``deletion`` of volumes; the registry is
:mod:`mimic.model.behaviors`) and the metadata presets a volume create may
carry (``volume_creating``, ``volume_error``, ``volume_deleting``). Both
only say what should happen; :mod:`mimic.model.cinder` makes it happen on
Mimic's clock.
"""

from __future__ import annotations

import attrs

from mimic.model.behaviors import BehaviorKind, InvalidBehavior, duration_kind
from mimic.model.cinder_errors import invalid_input
from mimic.model.lifecycle_behaviors import (
    lifecycle_events,
    preset_seconds,
    typed_failure_kind,
)

EVENTS = lifecycle_events(
    "volume_name",
    creation=(
        typed_failure_kind("fail", "The volume could not be created.",
                           "answer {code, message, type}; no volume is created"),
        duration_kind("creating", "stay creating for {duration} seconds, then available",
                      default=0),
        BehaviorKind("error", "go to error (after any creating time)"),
        BehaviorKind("default", "create an available volume at once"),
    ),
    deletion=(
        typed_failure_kind("fail", "The volume could not be deleted.",
                           "answer {code, message, type}; the volume stays"),
        duration_kind("deleting", "show deleting for {duration} seconds, then vanish",
                      default=0),
        BehaviorKind("default", "delete the volume at once"),
    ),
)
CREATION_EVENT, DELETION_EVENT = EVENTS["creation"], EVENTS["deletion"]

#: Metadata keys that change how a new volume behaves.
PRESETS = {
    "volume_creating": "seconds (number or numeric string) to stay creating",
    "volume_error": "any value: the volume goes to error instead of available",
    "volume_deleting": "seconds (number or numeric string) to show deleting when deleted",
}


@attrs.frozen
class CreationPresets:
    """What a new volume's metadata asks of it."""

    creating: float = 0.0
    error: bool = False
    deleting: float = 0.0

    @classmethod
    def from_metadata(cls, metadata: dict) -> "CreationPresets":
        try:
            creating = _seconds(metadata, "volume_creating")
            deleting = _seconds(metadata, "volume_deleting")
        except InvalidBehavior as invalid:
            raise invalid_input(f"metadata preset: {invalid}") from None
        return cls(creating, "volume_error" in metadata, deleting)


def _seconds(metadata: dict, key: str) -> float:
    return preset_seconds(metadata, key) if key in metadata else 0.0
