"""
The ways the block-storage model refuses a request, named for what went
wrong. The REST layer maps each to Cinder's status code and its fault body
(:func:`mimic.rest.cinder_api.cinder_error`); the model never speaks HTTP.

The messages are Cinder's own wording (``cinder/exception.py``:
``InvalidVolume`` is "Invalid volume: <reason>", ``InvalidInput`` "Invalid
input received: <reason>", quota errors are 413 ``overLimit``).
"""

from __future__ import annotations

from typing import Optional


class BlockStorageError(Exception):
    """Something Cinder refuses; ``message`` is what the client reads."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(BlockStorageError):
    """Malformed or impossible request, or a volume in the wrong state (400)."""


class NotFound(BlockStorageError):
    """No such volume, snapshot, type or attachment (404)."""


class Conflict(BlockStorageError):
    """A name already taken, a grant already made (409)."""


class QuotaExceeded(BlockStorageError):
    """Over the tenant's volume, snapshot or gigabyte quota (413)."""


class InjectedFailure(BlockStorageError):
    """A failure a test asked for, with its own ``code`` and error ``kind``."""

    def __init__(self, code: int, message: str, kind: Optional[str] = None) -> None:
        super().__init__(message)
        self.code = code
        self.kind = kind


def invalid_volume(reason: str) -> BadRequest:
    return BadRequest(f"Invalid volume: {reason}")


def invalid_input(reason: str) -> BadRequest:
    return BadRequest(f"Invalid input received: {reason}")


def invalid_snapshot(reason: str) -> BadRequest:
    return BadRequest(f"Invalid snapshot: {reason}")
