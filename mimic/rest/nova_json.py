"""
Nova's requests on the wire, what every route reads alike: fields of a
request body as Nova's schemas check them (with its error messages), and
the query arguments of its listings (``limit``, ``marker``, times).
:mod:`mimic.rest.nova_server_json` reads a server's own bodies and
queries; :mod:`mimic.rest.nova_views` writes the answers.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Optional

from mimic.rest.http import RequestError, query_integer, query_text

#: Nova's ``osapi_max_limit``: the most items one page holds.
MAX_PAGE = 1000


def invalid_input(field: str, value: Any, reason: str) -> RequestError:
    return RequestError(400, f"Invalid input for field/attribute {field}. "
                        f"Value: {value}. {reason}")


def string_field(body: dict, key: str, required: bool = False, minimum: int = 0,
            maximum: int = 255, field: Optional[str] = None) -> Optional[str]:
    field = field or key
    if key not in body:
        if required:
            raise invalid_input(field, None, f"'{key}' is a required property")
        return None
    value = body[key]
    if not isinstance(value, str):
        raise invalid_input(field, value, f"{json.dumps(value)} is not of type 'string'")
    if not minimum <= len(value) <= maximum:
        raise invalid_input(field, value, f"length must be between {minimum} and {maximum}")
    return value


def name_field(body: dict, required: bool) -> Optional[str]:
    name = string_field(body, "name", required=required, minimum=1)
    if name is not None and name.strip() != name:
        raise invalid_input("name", name, "leading or trailing whitespace is not allowed")
    return name


def reference_field(body: dict, key: str) -> str:
    """
    The id an ``imageRef``/``flavorRef``-like field names: an id, or a URL
    whose last segment is the id (numbers are accepted for flavors).
    """
    value = body.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip() or not ref_id(value.strip()):
        kind = "flavorRef" if key == "flavorRef" else "imageRef"
        raise RequestError(400, f"Invalid {kind} provided.")
    return ref_id(value.strip())


#: What a flavor id may be made of (Nova's flavor-create schema).
#: A server, image, network or port id as Nova's schemas accept it (dashes optional).
UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                   r"[0-9a-fA-F]{12}$")


_FLAVOR_ID = re.compile(r"^[A-Za-z0-9._ -]{1,255}$")


def image_reference(body: dict, key: str, empty_allowed: bool = False) -> str:
    """
    The image an ``imageRef``-like field names: a UUID (or a URL ending in
    one; the original Mimic's clients send those). Anything else is Nova's
    schema refusal, worded as Nova's schema for the route words it (create
    takes a UUID or ``""``, hence "any of the given schemas").
    """
    value = body.get(key)
    image_id = ref_id(value.strip()) if isinstance(value, str) else None
    if not image_id or not UUID_PATTERN.match(image_id):
        reason = ("is not valid under any of the given schemas" if empty_allowed
                  else "is not a 'uuid'")
        raise invalid_input(key, value, f"{value!r} {reason}")
    return image_id


def flavor_reference(body: dict, key: str = "flavorRef") -> str:
    """
    The flavor a ``flavorRef`` names: an id (a string or number, or a URL
    ending in one) of the characters flavor ids are made of.
    """
    flavor_id = reference_field(body, key)
    if not _FLAVOR_ID.match(flavor_id):
        raise RequestError(400, "Invalid flavorRef provided.")
    return flavor_id


def read_metadata(value: Any, field: str = "metadata") -> dict:
    """
    A metadata object: keys of 1-255 characters, string values of at most
    255 (numbers are accepted and kept as strings, and objects kept as JSON
    text, so presets such as ``{"server_building": 120}`` read naturally).
    """
    if not isinstance(value, dict):
        raise invalid_input(field, value, f"{json.dumps(value)} is not of type 'object'")
    metadata = {}
    for key, item in value.items():
        if not 1 <= len(key) <= 255:
            raise invalid_input(field, value, f"metadata key {key!r} must be 1 to 255 characters")
        if isinstance(item, bool) or item is None or isinstance(item, list):
            raise invalid_input(field, value, f"{json.dumps(item)} is not of type 'string'")
        if isinstance(item, (int, float)):
            item = json.dumps(item)
        elif isinstance(item, dict):
            item = json.dumps(item, separators=(",", ":"))
        if len(item) > 255:
            raise invalid_input(field, value, f"metadata value of {key!r} is over 255 characters")
        metadata[key] = item
    return metadata


def refuse_unexpected(body: dict, allowed: frozenset, field: str = "server") -> None:
    """Nova 2.1's schemas allow no properties they do not name."""
    extra = sorted(set(body) - allowed)
    if extra:
        names = ", ".join(repr(k) for k in extra)
        verb = "were" if len(extra) > 1 else "was"
        raise RequestError(400, f"Invalid input for field/attribute {field}. "
                           f"Additional properties are not allowed ({names} {verb} unexpected)")


def read_boolean(body: dict, key: str) -> bool:
    """A field of Nova's ``parameter_types.boolean``: JSON booleans or their words."""
    value = body.get(key, False)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in _TRUE_WORDS | _FALSE_WORDS:
        return value.lower() in _TRUE_WORDS
    raise invalid_input(key, value, f"{json.dumps(value)} is not of type 'boolean', 'string'")


_TRUE_WORDS = frozenset({"1", "t", "true", "on", "y", "yes"})


_FALSE_WORDS = frozenset({"0", "f", "false", "off", "n", "no"})


def query_argument(request: Any, name: str) -> Optional[str]:
    return query_text(request, name)


def read_limit(request: Any) -> int:
    raw = query_argument(request, "limit")
    if raw is not None and raw.startswith("-") and raw[1:].isdigit():
        raise RequestError(400, "limit param must be positive")
    limit = query_integer(raw, "limit", MAX_PAGE, message="limit param must be an integer")
    return min(limit, MAX_PAGE)


def read_time(value: str, field: str) -> float:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise invalid_input(field, value, f"'{value}' is not a 'date-time'") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def ref_id(ref: Optional[str]) -> Optional[str]:
    """An image or flavor reference may be a URL; its id is the last segment."""
    return None if ref is None else ref.rstrip("/").rsplit("/", 1)[-1]


def paged(items: Iterable[Any], limit: int, marker: Optional[str],
          key: Callable[[Any], str] = lambda item: item.id) -> list:
    """One page of ``items`` after ``marker`` (which must be among them)."""
    items = list(items)
    start = 0
    if marker is not None:
        for index, item in enumerate(items):
            if key(item) == marker:
                start = index + 1
                break
        else:
            raise RequestError(400, f"marker [{marker}] not found")
    return items[start:start + limit]
