"""
Neutron's refusals, each naming its error type (the ``type`` of
Neutron's ``NeutronError`` body), in the families Neutron's API layer maps
to status codes: not found, conflict, bad request, forbidden. This package
knows nothing about HTTP; :mod:`mimic.rest.neutron` picks the codes.
"""

from __future__ import annotations

from typing import Any, Optional


class NeutronFault(Exception):
    """
    A refused operation. ``kind`` is Neutron's error type (the ``type`` of
    its ``NeutronError`` body, e.g. ``PortNotFound``); the subclass says
    which family (not found, conflict, bad input) it belongs to.
    """

    default_kind = "NeutronError"

    def __init__(self, message: str, kind: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind or self.default_kind


class NotFound(NeutronFault):
    """Something named does not exist (HTTP 404 in Neutron)."""

    default_kind = "NotFound"


class Conflict(NeutronFault):
    """The state forbids the operation: in use, already allocated (409)."""

    default_kind = "Conflict"


class BadRequest(NeutronFault):
    """The request itself is wrong (400)."""

    default_kind = "HTTPBadRequest"


class Forbidden(NeutronFault):
    """Policy forbids it, like changing the networks every tenant shares (403)."""

    default_kind = "HTTPForbidden"


class PoolExhausted(Conflict):
    """No address is left in a subnet's allocation pool."""


def found(table: Any, key: str, message: str, error_type: str) -> Any:
    """``table[key]``, or Neutron's NotFound with its message and error type."""
    value = table.get(key)
    if value is None:
        raise NotFound(message, error_type)
    return value
