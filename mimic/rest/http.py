"""
The HTTP plumbing every API module shares: reading JSON bodies, writing JSON
answers, and turning errors into each API's own error body.

An API module raises :class:`RequestError` from anywhere in a route and
renders it once, in its own shape, through :func:`install_error_handlers`;
that is what makes "every endpoint fails the same way" hold per API.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Optional

from twisted.logger import Logger
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

log = Logger()

#: OpenStack's names for error bodies by status code (Nova's fault map;
#: Identity v2.0 uses the same names).
OPENSTACK_ERROR_KINDS = {
    400: "badRequest",
    401: "unauthorized",
    403: "forbidden",
    404: "itemNotFound",
    405: "badMethod",
    406: "notAcceptable",
    409: "conflictingRequest",
    413: "overLimit",
    415: "badMediaType",
    422: "unprocessableEntity",
    429: "overLimit",
    500: "computeFault",
    501: "notImplemented",
    503: "serviceUnavailable",
}


class RequestError(Exception):
    """
    A request the API refuses: its status ``code``, a human ``message``, and
    optionally the error ``kind`` (the key of OpenStack error bodies) and
    extra ``details`` for APIs whose bodies carry more.
    """

    def __init__(self, code: int, message: str, kind: Optional[str] = None,
                 details: Any = None, headers: Optional[dict] = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.kind = kind or OPENSTACK_ERROR_KINDS.get(code, "badRequest")
        self.details = details
        self.headers = headers or {}


def json_response(request: Any, body: Any, code: int = 200,
                  headers: Optional[dict] = None) -> bytes:
    """Serialise ``body`` as the JSON answer to ``request`` with ``code``."""
    request.setResponseCode(code)
    request.setHeader(b"content-type", b"application/json")
    for name, value in (headers or {}).items():
        request.setHeader(name, value)
    if body is None:
        return b""
    return json.dumps(body, separators=(",", ":")).encode("utf-8")


def empty_response(request: Any, code: int = 204) -> bytes:
    """An answer with a status and no body (204, or 202 with nothing to say)."""
    request.setResponseCode(code)
    return b""


def read_json(request: Any, expect: type = dict, what: str = "request body") -> Any:
    """
    The request body parsed as JSON, which must be of type ``expect``
    (``dict`` by default). Anything else is a 400.
    """
    raw = request.content.read() if request.content is not None else b""
    request.content.seek(0)
    if not raw.strip():
        raise RequestError(400, f"The {what} is empty; a JSON {_type_name(expect)} is required.")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise RequestError(400, f"The {what} is not valid JSON.") from None
    if expect is not None and not isinstance(body, expect):
        raise RequestError(400, f"The {what} must be a JSON {_type_name(expect)}.")
    return body


def _type_name(expected: type) -> str:
    return {dict: "object", list: "array", str: "string"}.get(expected, "value")


def openstack_error_body(error: RequestError) -> dict:
    """``{"badRequest": {"code": 400, "message": ...}}``: Nova's and Identity's shape."""
    return {error.kind: {"code": error.code, "message": error.message}}


def install_error_handlers(app: Any, render: Callable[[RequestError], Any]) -> None:
    """
    Make a Klein app answer every failure as JSON in its API's shape:
    ``RequestError`` as raised, unknown paths as 404, wrong methods as 405,
    and anything unexpected as a logged 500 (a bug, but never an HTML page).
    """

    def respond(request: Any, error: RequestError) -> bytes:
        request.setHeader(b"content-type", b"application/json")
        for name, value in error.headers.items():
            request.setHeader(name, value)
        request.setResponseCode(error.code)
        return json.dumps(render(error)).encode("utf-8")

    # Klein passes (instance, request, failure) to handlers of apps bound to a
    # class, (request, failure) otherwise: the last two are what matter.
    @app.handle_errors(RequestError)
    def refused(*args: Any) -> bytes:
        request, failure = args[-2:]
        return respond(request, failure.value)

    @app.handle_errors(NotFound)
    def not_found(*args: Any) -> bytes:
        request, failure = args[-2:]
        path = request.uri.decode("utf-8", "replace").split("?")[0]
        return respond(request, RequestError(404, f"The resource {path} could not be found."))

    @app.handle_errors(MethodNotAllowed)
    def bad_method(*args: Any) -> bytes:
        request, failure = args[-2:]
        method = request.method.decode("ascii", "replace")
        allowed = ", ".join(failure.value.valid_methods or ())
        return respond(
            request,
            RequestError(405, f"Method {method} is not allowed here.",
                         headers={b"allow": allowed.encode("ascii")}),
        )

    @app.handle_errors(RequestRedirect)
    def redirect(*args: Any) -> bytes:
        # A path missing its trailing slash: 308 keeps the method and body.
        request, failure = args[-2:]
        request.setHeader(b"location", failure.value.new_url.encode("utf-8"))
        return respond(request, RequestError(
            308, f"Moved to {failure.value.new_url}", kind="redirect"))

    @app.handle_errors(Exception)
    def unexpected(*args: Any) -> bytes:
        request, failure = args[-2:]
        log.failure("Unexpected error answering {uri}", failure, uri=request.uri)
        return respond(request, RequestError(500, "Mimic failed unexpectedly; see its log."))


def caller_token(request: Any, store: Any) -> Any:
    """
    The valid token in ``X-Auth-Token``, for APIs whose URLs carry no tenant
    (Glance, Neutron): the token says whose resources a request means.
    ``None`` when the header is missing or the token unknown, expired or
    revoked.
    """
    header = request.getHeader(b"x-auth-token")
    if not header:
        return None
    return store.valid_token(header.decode("utf-8", "replace"))
