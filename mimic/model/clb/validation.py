"""
The small checks every CLB request object is built from: an integer in a
range, one of a set of choices, a boolean, a list of objects. Each adds
its complaint to the request's list of problems instead of raising, so
that one ``validationErrors`` answer names everything wrong with a request,
as the real service's does; :func:`refuse_any` then raises them together.
Kept in one place so every field of every noun fails in the same words.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Optional, TypeVar

from mimic.model.clb.errors import ValidationFailed

T = TypeVar("T")


def is_integer(value: Any) -> bool:
    """An integer of JSON's, not a boolean (which Python counts as one)."""
    return isinstance(value, int) and not isinstance(value, bool)


def integer(body: Mapping, key: str, low: int, high: int, errors: list,
            what: str = "") -> Optional[int]:
    value = body.get(key)
    if not is_integer(value) or not low <= value <= high:
        errors.append(f"{what}{key} must be an integer from {low} to {high}.")
        return None
    return value


def choice(body: Mapping, key: str, options: Iterable[str], errors: list,
           what: str = "") -> Optional[str]:
    value = body.get(key)
    options = tuple(options)
    if value not in options:
        errors.append(f"{what}{key} must be one of {', '.join(options)}; got {value!r}.")
        return None
    return value


def boolean(body: Mapping, key: str, errors: list) -> Optional[bool]:
    value = body.get(key)
    if not isinstance(value, bool):
        errors.append(f"{key} must be true or false.")
        return None
    return value


#: How one attribute of an update is checked: ``check(body, key, errors)``.
Check = Callable[[Mapping, str, list], Any]


def one_of(options: Iterable[str]) -> Check:
    return lambda body, key, errors: choice(body, key, options, errors)


def within(low: int, high: int) -> Check:
    return lambda body, key, errors: integer(body, key, low, high, errors)


def changes_in(body: Mapping, checks: Iterable[tuple[str, str, Check]],
               errors: list) -> dict:
    """
    ``{field: value}`` of the attributes an update names: ``checks`` are
    ``(key, field, check)``, in the order their complaints should come.
    """
    return {field: check(body, key, errors) for key, field, check in checks if key in body}


def each_object(raw: Any, name: str,
                parse_item: Callable[[dict, str, list], Optional[T]], *,
                refusal: str, non_empty: bool = False, shape: str = "an object",
                keys: Optional[frozenset] = None) -> tuple[list[T], list]:
    """
    ``(parsed, errors)`` of a list of request objects (``nodes``,
    ``virtualIps``, ``metadata``, ``accessList``): ``raw`` must be a list
    (``refusal`` otherwise, raised at once), each item an object (with only
    ``keys``, if given); ``parse_item(item, "name[i].", errors)`` returns
    what the item means, or None when it added to ``errors``.
    """
    if not isinstance(raw, list) or (non_empty and not raw):
        raise ValidationFailed(refusal)
    errors: list = []
    parsed: list = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or (keys is not None and set(item) - keys):
            errors.append(f"{name}[{index}] must be {shape}.")
            continue
        value = parse_item(item, f"{name}[{index}].", errors)
        if value is not None:
            parsed.append(value)
    return parsed, errors


def gather(errors: list, parse: Callable[..., T], *args: Any) -> Optional[T]:
    """``parse(*args)``; or None, its complaints added to ``errors``."""
    try:
        return parse(*args)
    except ValidationFailed as invalid:
        errors.extend(invalid.messages)
        return None


def refuse_any(errors: list) -> None:
    """Raise every complaint at once, if there is any."""
    if errors:
        raise ValidationFailed(*errors)
