"""
The HTTP plumbing every API module shares: reading JSON bodies, writing JSON
answers, and turning errors into each API's own error body.

An API module raises :class:`RequestError` from anywhere in a route and
renders it once, in its own shape, through :func:`install_error_handlers`;
that is what makes "every endpoint fails the same way" hold per API.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Callable, Optional

from twisted.logger import Logger

from mimic.bounds import InputRefused, load_json, parse_query_integer

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


class RawJSON:
    """
    A value already encoded as JSON, spliced into an answer as it is: what a
    large part that repeats across answers (a tenant's service catalog) is
    cached as, so it is encoded once rather than on every request.
    """

    __slots__ = ("encoded", "value")

    def __init__(self, value: Any) -> None:
        self.value = value
        self.encoded = json.dumps(value, separators=(",", ":")).encode("utf-8")


def encode_json(body: Any) -> bytes:
    """``body`` as compact JSON bytes, :class:`RawJSON` parts spliced in."""
    raw_parts: list = []

    def placeholder(value: Any) -> str:
        if not isinstance(value, RawJSON):
            raise TypeError(f"{type(value).__name__} is not JSON serialisable")
        raw_parts.append(value.encoded)
        return f"\x00raw{len(raw_parts) - 1}\x00"

    encoded = json.dumps(body, separators=(",", ":"), default=placeholder).encode("utf-8")
    marks = [b'"\\u0000raw%d\\u0000"' % index for index in range(len(raw_parts))]
    if any(encoded.count(mark) != 1 for mark in marks):
        # Some string of the body itself looks like a mark: encode it all.
        return json.dumps(body, separators=(",", ":"),
                          default=lambda raw: raw.value).encode("utf-8")
    for mark, raw in zip(marks, raw_parts):
        encoded = encoded.replace(mark, raw, 1)
    return encoded


def json_response(request: Any, body: Any, code: int = 200,
                  headers: Optional[dict] = None) -> bytes:
    """Serialise ``body`` as the JSON answer to ``request`` with ``code``."""
    request.setResponseCode(code)
    request.setHeader(b"content-type", b"application/json")
    for name, value in (headers or {}).items():
        request.setHeader(name, value)
    if body is None:
        return b""
    return encode_json(body)


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
    body = parse_json(raw, what)
    if expect is not None and not isinstance(body, expect):
        raise RequestError(400, f"The {what} must be a JSON {_type_name(expect)}.")
    return body


def parse_json(raw: bytes, what: str = "request body") -> Any:
    """
    ``raw`` parsed as JSON within Mimic's limits (depth, lone surrogates,
    number sizes: :func:`mimic.bounds.load_json`); a 400 that says why if
    not. Every JSON request body of every API goes through here.
    """
    try:
        return load_json(raw)
    except InputRefused as refused:
        raise RequestError(400, f"The {what} is refused: {refused}.") from None
    except (ValueError, UnicodeDecodeError):
        raise RequestError(400, f"The {what} is not valid JSON.") from None


def query_values(request: Any, name: str) -> list:
    """
    Every value of the query parameter ``name``, as text; a 400 if one is
    not UTF-8 (``?name=%ff``): no API compares undecodable bytes, and a
    replacement character would match what the client never sent.
    """
    return [_query_text(name, value) for value in request.args.get(name.encode("utf-8"), ())]


def query_text(request: Any, name: str, default: Optional[str] = None,
               first: bool = False) -> Optional[str]:
    """
    The value of the query parameter ``name`` (the last one when repeated,
    or the ``first``), or ``default`` when absent; a 400 if not UTF-8.
    """
    values = request.args.get(name.encode("utf-8"))
    if not values:
        return default
    return _query_text(name, values[0] if first else values[-1])


def query_arguments(request: Any) -> dict:
    """Every query parameter as ``{name: [values]}`` of text; a 400 if any is not UTF-8."""
    arguments = {}
    for raw_name, values in request.args.items():
        try:
            name = raw_name.decode("utf-8")
        except UnicodeDecodeError:
            raise RequestError(400, "A query parameter name is not valid UTF-8.") from None
        arguments[name] = [_query_text(name, value) for value in values]
    return arguments


def _query_text(name: str, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestError(400, f"The query parameter {name} is not valid UTF-8.") from None


def query_integer(raw: Optional[str], name: str, default: Optional[int] = None,
                  minimum: int = 0, message: Optional[str] = None) -> Optional[int]:
    """
    A query value (from :func:`query_text`) as a whole number of at least
    ``minimum``; ``default`` when ``raw`` is None. Anything else (signs,
    spaces, non-ASCII digits, more than
    :data:`mimic.bounds.MAX_QUERY_INTEGER_DIGITS` digits) is a 400 with
    ``message`` (the API's own wording) or a plain one.
    """
    if raw is None:
        return default
    try:
        number = parse_query_integer(raw)
    except InputRefused as refused:
        raise RequestError(400, message or f"{name} must be a whole number: {refused}.") from None
    if number < minimum:
        raise RequestError(400, message or f"{name} must be at least {minimum}.")
    return number


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
    # werkzeug comes with Klein, when an app is made: this module is
    # imported at start-up, Klein is not (docs/performance.rst, start-up).
    from werkzeug.exceptions import MethodNotAllowed, NotFound
    from werkzeug.routing import RequestRedirect

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


def root_url(request: Any) -> str:
    """``scheme://host[:port]`` as the client addressed this server."""
    host = request.getHeader(b"host")
    scheme = "https" if request.isSecure() else "http"
    if host:
        return f"{scheme}://{host.decode('ascii', 'replace')}"
    address = request.getHost()
    return f"{scheme}://{address.host}:{address.port}"


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


def request_id(request: Any) -> str:
    """
    The id of ``request`` (``req-<uuid>``): what OpenStack APIs answer in
    ``x-openstack-request-id``, what the request journal records, and what
    Nova's instance actions keep. The site gives every request one before
    routing; a request that did not come through it (a test's stub) gets
    one here, the same on every call.
    """
    found = getattr(request, "mimic_request_id", None)
    if found is None:
        found = f"req-{uuid.uuid4()}"
        request.mimic_request_id = found
    return found


def global_request_id(request: Any) -> Optional[str]:
    """
    The caller's ``X-OpenStack-Request-ID`` when it is a valid
    ``req-<uuid>``, which OpenStack services keep as the global request id
    beside their own (oslo.middleware's RequestId); else ``None``.
    """
    return getattr(request, "global_request_id", None)
