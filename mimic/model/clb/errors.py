"""
The refusals of Cloud Load Balancers, one class per fault the API answers
with. The model raises them and knows nothing of HTTP;
:func:`mimic.rest.clb_api.as_request_error` is the one place that says which
status and body each becomes, so every route fails the same way.
"""

from __future__ import annotations

#: The answer to a bulk request that names no ids at all.
NO_IDS = "Must supply one or more id's to process this request."


class ClbError(Exception):
    """A request the service refuses; subclasses say which fault it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationFailed(ClbError):
    """The request object is invalid (``badRequest``); lists every reason."""

    def __init__(self, *messages: str) -> None:
        super().__init__("Validation Failure")
        self.messages = list(messages)


class BadRequest(ClbError):
    """A well-formed request the service cannot do (``badRequest``)."""


class NotFound(ClbError):
    """No such load balancer, node, rule or item (``itemNotFound``)."""


class Immutable(ClbError):
    """The load balancer is not in a status that allows changes (422)."""

    def __init__(self, lb_id: int, status: str) -> None:
        super().__init__(
            f"Load Balancer '{lb_id}' has a status of '{status}' and is "
            "considered immutable."
        )


class Gone(ClbError):
    """The load balancer is deleted (410)."""


class OverLimit(ClbError):
    """An absolute limit would be exceeded (``overLimit``, 413)."""


class InjectedFailure(ClbError):
    """A ``fail`` behavior applies: answer with its code and message."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
