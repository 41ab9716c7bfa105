"""
Metadata: the ``{key, value}`` items of a load balancer or of one of its
nodes. An item is not configuration, so changing one never makes the load
balancer pending; some keys of a new load balancer's metadata are presets
(:mod:`mimic.model.clb.presets`).
"""

from __future__ import annotations

from typing import Any, Optional

import attrs

from mimic.model.clb.validation import each_object, is_integer, refuse_any

METADATA_TEXT_MAX = 256


@attrs.define
class MetadataItem:
    """One ``{key, value}`` of a load balancer's or node's metadata."""

    id: int
    key: str
    value: str


def metadata_text(value: Any, what: str, errors: list) -> Optional[str]:
    """Metadata keys and values: strings (numbers accepted, as presets are)."""
    if is_integer(value) or isinstance(value, float):
        value = str(value)
    if not isinstance(value, str) or not 1 <= len(value) <= METADATA_TEXT_MAX:
        errors.append(f"{what} must be a string of 1 to {METADATA_TEXT_MAX} characters.")
        return None
    return value


def _pair(item: dict, what: str, errors: list) -> Optional[tuple[str, str]]:
    key = metadata_text(item.get("key"), f"{what}key", errors)
    value = metadata_text(item.get("value"), f"{what}value", errors)
    if key is None or value is None:
        return None
    return key, value


def parse_metadata(raw: Any) -> list[tuple[str, str]]:
    """A ``[{key, value}]`` list, keys unique."""
    pairs, errors = each_object(
        raw, "metadata", _pair, keys=frozenset({"key", "value"}),
        shape="an object with key and value",
        refusal="metadata must be a list of {key, value} objects.")
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        errors.append("Duplicate metadata keys are not allowed.")
    refuse_any(errors)
    return pairs
