"""
The ways the compute model refuses a request, named for what went wrong.
The REST layer maps each to Nova's status code and error body
(:func:`mimic.rest.nova_api.nova_error`); the model never speaks HTTP.
"""

from __future__ import annotations

from typing import Optional


class ComputeError(Exception):
    """Something Nova refuses; ``message`` is what the client reads."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(ComputeError):
    """Malformed or impossible request (400)."""


class NotFound(ComputeError):
    """No such server, key, image... (404)."""


class Conflict(ComputeError):
    """Not allowed in the server's current state (409)."""


class QuotaExceeded(ComputeError):
    """Over a quota, such as metadata items (403)."""


class InjectedFailure(ComputeError):
    """A failure a test asked for, with its own ``code`` and error ``kind``."""

    def __init__(self, code: int, message: str, kind: Optional[str] = None) -> None:
        super().__init__(message)
        self.code = code
        self.kind = kind
