"""
Fastly's refusals, as the model raises them: each carries the ``detail``
of Fastly's ``{"msg", "detail"}`` error body; the REST layer picks the
status code (404, 400, 409) by its class.
"""

from __future__ import annotations


class FastlyError(Exception):
    """A request Fastly refuses; ``detail`` says why, for the error body."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(FastlyError):
    """An unknown service, version or configuration object (404)."""


class Invalid(FastlyError):
    """A request the rules forbid or a malformed value (400)."""


class Duplicate(FastlyError):
    """A second object of a kind with a name already used in a version (409)."""
