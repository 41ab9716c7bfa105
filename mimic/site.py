"""
The HTTP site: Twisted's ``Site`` with Mimic's request class, which refuses
bodies over 1 MiB with a JSON 413 before buffering them, counts every
answered request in ``mimic_http_requests_total``, writes the access log
(one line per request, unless ``--quiet``) and, with ``--verbose``, logs
every request and response with their bodies.

Before any route runs, each request learns which API its path belongs to
(:mod:`mimic.paths`); the site layer's own answers (413, a path that is not
UTF-8, ``--strict-auth`` refusals) come in that API's error shape. Request
ids, strict auth, the journal and the state file's holding of answers are
:mod:`mimic.bookkeeping`'s; this module only calls them.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, Callable, Optional
from urllib.parse import unquote_to_bytes

from twisted.internet.interfaces import IPushProducer
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.web import http, resource, server
from twisted.web.http_headers import Headers, _nameEncoder
from zope.interface import implementer

from mimic.access_log import api_label, log_access
from mimic.bookkeeping import RequestBookkeeping, RequestIds
from mimic.metrics import count_request
from mimic.paths import CONTROL
from mimic.rest.http import RequestError

#: Bodies larger than this are refused (413) without being stored.
MAX_BODY_BYTES = 1024 * 1024

#: Except a state document (``PUT /mimic/v1.1/state``): it holds everything.
MAX_STATE_BYTES = 256 * 1024 * 1024
STATE_PATH = b"/mimic/v1.1/state"

#: How much of a body ``--verbose`` logs.
LOGGED_BODY_BYTES = 2048

#: Answers larger than this are handed to the connection a slice at a time
#: (:class:`BodyInSlices`); a slice is what one send of Twisted's TCP
#: transport takes at most (``SEND_LIMIT``).
SLICE_BYTES = 128 * 1024
LARGE_BODY_BYTES = 2 * SLICE_BYTES

log = Logger()

#: The response headers Mimic's own code sets, each with the name Twisted
#: writes it under (its ``Header-Case``): :meth:`MimicRequest.setHeader`
#: stores these without Twisted's per-call canonicalising and sanitising.
KNOWN_HEADERS = {
    name: _nameEncoder.encode(name)
    for name in (b"content-type", b"content-length", b"server", b"date", b"location",
                 b"vary", b"x-openstack-request-id", b"x-compute-request-id",
                 b"openstack-api-version", b"x-openstack-nova-api-version",
                 b"cache-control", b"connection")
}


class DateHeader:
    """
    The ``Date`` header's value, formatted once per second: Twisted formats
    it for every request (``server.Request.process`` calls
    ``http.datetimeToString``), and it changes only once a second.
    """

    __slots__ = ("_second", "_value")

    def __init__(self) -> None:
        self._second = -1
        self._value = b""

    def value(self) -> bytes:
        now = time.time()
        second = int(now)
        if second != self._second:
            self._value = http.datetimeToString(now)
            self._second = second
        return self._value


class MimicChannel(http.HTTPChannel):
    """
    Twisted's HTTP/1.1 channel with what it asks of its transport on every
    request (whether it is TLS, its own address) answered once per
    connection, and each answer's head written in one piece.

    ``HTTPChannel.isSecure`` adapts the transport to ``ISSLTransport`` each
    time it is asked, and Twisted and Klein ask two or three times a request;
    a connection's transport does not change, so the answer is kept.
    """

    _secure: Optional[bool] = None
    _host: Any = None

    def isSecure(self) -> bool:
        if self._secure is None:
            self._secure = super().isSecure()
        return self._secure

    def getHost(self) -> Any:
        # Every request asks (``Request.__init__``), and a TCP transport
        # answers with a ``getsockname`` call each time; a connection's own
        # address does not change.
        if self._host is None:
            self._host = super().getHost()
        return self._host

    def writeHeaders(self, version: bytes, code: bytes, reason: bytes, headers: Any) -> None:
        """
        The status line and headers handed to the transport as one piece.
        ``HTTPChannel.writeHeaders`` hands it a list of four pieces per
        header, each of which ``FileDescriptor.writeSequence`` checks and
        counts: a hundred calls per answer of a dozen headers.
        """
        if not isinstance(headers, Headers):
            super().writeHeaders(version, code, reason, headers)
            return
        lines = [b"%s %s %s\r\n" % (version, code, reason)]
        lines += [b"%s: %s\r\n" % (name, value)
                  for name, values in headers.getAllRawHeaders() for value in values]
        lines.append(b"\r\n")
        self.transport.write(b"".join(lines))


class MimicRequest(RequestBookkeeping, server.Request):
    """
    A request that enforces the body limit, can log itself, and does the
    bookkeeping of :class:`mimic.bookkeeping.RequestBookkeeping`.
    """

    _too_large = False
    _received = 0
    _verbose = False
    _logged_response = b""
    #: When Mimic began answering (``time.perf_counter``), for the access log.
    _started = None
    #: Called with the reason if the connection goes before the answer has
    #: finished: what a mesh node needs of ``notifyFinish``, without a
    #: Deferred made and fired for each of its requests (two a hop).
    when_lost: Optional[Callable[[Failure], None]] = None

    def connectionLost(self, reason: Failure) -> None:
        super().connectionLost(reason)
        if self.when_lost is not None and not self.finished:
            self.when_lost(reason)

    _body_limit = MAX_BODY_BYTES

    def gotLength(self, length: Any) -> None:
        # Only the request line is known when the body starts (Twisted keeps
        # it on the channel until the request is complete).
        if getattr(self.channel, "_command", None) == b"PUT" and getattr(
                self.channel, "_path", b"").split(b"?")[0].rstrip(b"/") == STATE_PATH:
            self._body_limit = MAX_STATE_BYTES
        if length is not None and length > self._body_limit:
            self._too_large = True
        super().gotLength(None if self._too_large else length)

    def handleContentChunk(self, data: bytes) -> None:
        if self._too_large:
            return
        self._received += len(data)
        if self._received > self._body_limit:
            self._too_large = True
            self.content.seek(0)
            self.content.truncate()
            return
        super().handleContentChunk(data)

    def process(self) -> None:
        self._started = time.perf_counter()
        self._begin()
        if self._too_large:
            self._refuse(413, "overLimit",
                         f"Request body is larger than {self._body_limit} bytes.")
            return
        path = self.path
        try:
            # ASCII without percent-escapes is UTF-8 as it is (most paths).
            if not path.isascii() or b"%" in path:
                unquote_to_bytes(path).decode("utf-8")
        except UnicodeDecodeError:
            # Every API routes on text; say so once here, in JSON.
            self._refuse(400, "badRequest", "The request path is not valid UTF-8.")
            return
        refusal = self._strict_auth_refusal()
        if refusal is not None:
            self._refuse(refusal.code, refusal.kind, refusal.message)
            return
        self._log_for_state_file()
        self._verbose = getattr(self.channel.site, "verbose", False)
        if self._verbose:
            self._captured_limit = max(self._captured_limit, LOGGED_BODY_BYTES)
            self.content.seek(0)
            body = self.content.read(LOGGED_BODY_BYTES)
            self.content.seek(0)
            log.info("--> {method} {uri} {body}", method=self.method.decode(),
                     uri=self.uri.decode("utf-8", "replace"),
                     body=body.decode("utf-8", "replace"))
        core = getattr(self.channel.site, "core", None)
        if core is None or self.api.name == "mesh" or self._greeting():
            # No tenant to keep or forget: the greeting reads no state (and
            # makes no store, which a fresh Mimic makes on first need), and
            # mesh traffic names no tenant (it is two requests per hop).
            self._route()
            return
        store = core.store
        with store.first_mentions() as mentioned:
            self._route()
            # A tenant first named by a read or a refused request is not
            # kept: made-up tenant ids in URLs must cost nothing once
            # answered. The rest are kept before first_mentions ends, which
            # tells the tenants it did not see kept that they are forgotten
            # (Neutron's state of one then leaves its region's registry).
            if mentioned and self.method not in (b"GET", b"HEAD") and (
                    not self.finished or self.code < 400):
                store.keep(mentioned)

    def _greeting(self) -> bool:
        """Whether this is ``GET /`` or ``HEAD /`` answered by the root's greeting."""
        return self.path == b"/" and self.method in (b"GET", b"HEAD") and getattr(
            self.channel.site.resource, "greets", False)

    def _route(self) -> None:
        """
        What ``twisted.web.server.Request.process`` does (Twisted 26.10):
        the default headers, the path split into ``prepath``/``postpath``,
        the resource found and rendered; with the ``Date`` header formatted
        once a second (:class:`DateHeader`) instead of for every request.
        """
        self.site = site = self.channel.site
        headers = self.responseHeaders._rawHeaders
        headers[b"Server"] = [server.version]
        dates = getattr(site, "dates", None)
        headers[b"Date"] = [dates.value() if dates is not None else http.datetimeToString()]
        self.prepath = []
        self.postpath = [server.unquote(part) for part in self.path[1:].split(b"/")]
        if self.path == b"*":
            self._handleStar()
            return
        try:
            found = site.getResourceFor(self)
            if resource._IEncodingResource.providedBy(found):
                encoder = found.getEncoder(self)
                if encoder is not None:
                    self._encoder = encoder
            self.render(found)
        except BaseException:
            self.processingFailed(Failure())

    def setHeader(self, name: Any, value: Any) -> None:
        # Twisted's Headers.setRawHeaders canonicalises the name and takes
        # every value apart on line breaks (to refuse header injection) on
        # each call. The names Mimic sets are canonicalised once
        # (KNOWN_HEADERS); a bytes value without CR or LF is what the
        # sanitising would leave as it is.
        canonical = KNOWN_HEADERS.get(name)
        if (canonical is not None and type(value) is bytes
                and b"\n" not in value and b"\r" not in value):
            self.responseHeaders._rawHeaders[canonical] = [value]
            return
        self.responseHeaders.setRawHeaders(name, [value])

    def render(self, resource: Any) -> None:
        # A Klein app is rendered by Mimic's own renderer: once, at once,
        # with the answer's length (see mimic.klein_rendering for what
        # KleinResource.render does instead). ``_app`` is the app a
        # KleinResource serves. Klein is imported when a route first needs
        # it (start-up answers GET / without it): until then no resource is
        # a KleinResource.
        klein_resource = sys.modules.get("klein.resource")
        if klein_resource is not None and isinstance(resource, klein_resource.KleinResource):
            from mimic.klein_rendering import KleinRendering

            KleinRendering(resource._app, self).start()
            return
        super().render(resource)

    def write_whole(self, body: bytes) -> None:
        """
        Answer ``body`` with its ``Content-Length`` and finish (a ``HEAD``
        gets the length alone, as ``twisted.web`` answers it). A large body
        goes out in slices as the connection drains (:class:`BodyInSlices`).
        """
        self.setHeader(b"content-length", b"%d" % len(body))
        if self.method == b"HEAD":
            self.write(b"")
        elif len(body) > LARGE_BODY_BYTES and self._held is None:
            BodyInSlices(self, body).start()
            return
        else:
            self.write(body)
        self.finish()

    def _refuse(self, code: int, kind: str, message: str) -> None:
        """Answer before any routing, in the error shape of the path's API."""
        self.site = self.channel.site
        self.setResponseCode(code)
        self.setHeader(b"content-type", b"application/json")
        body = self.api.error_body(RequestError(code, message, kind=kind))
        self.write_whole(json.dumps(body).encode("utf-8"))

    def write(self, data: bytes) -> None:
        if len(self._logged_response) < self._captured_limit:
            self._logged_response += data[: self._captured_limit - len(self._logged_response)]
        if self._held is not None:
            self._held.append(data)
            return
        super().write(data)

    def finish(self) -> Any:
        if self._release_when_durable():
            return None
        return self._finish_now()

    def _finish_now(self) -> Any:
        site = getattr(self, "site", None)
        core = getattr(site, "core", None)
        replaying = getattr(site, "replaying", False)
        if core is not None and not replaying:
            count_request(core, self.path, self.method, self.code, self.api.counted_as
                          if self.api is not CONTROL else "")
            self._journal(core)
        if not replaying:
            self._write_access_log(core)
        if self._verbose:
            log.info("<-- {code} {method} {uri} {body}", code=self.code,
                     method=self.method.decode(), uri=self.uri.decode("utf-8", "replace"),
                     body=self._logged_response[:LOGGED_BODY_BYTES].decode("utf-8", "replace"))
        return super().finish()

    def _write_access_log(self, core: Any) -> None:
        """The access-log line of this request (``--quiet`` turns it off)."""
        site = getattr(self, "site", None)
        if not getattr(site, "access_log", False) or self._started is None:
            return
        if self.api is not CONTROL:
            label = self.api.logged_as
        else:
            label = api_label(self.path, core.apis if core is not None else ())
        log_access(self.method, self.uri, self.code, time.perf_counter() - self._started, label)


@implementer(IPushProducer)
class BodyInSlices:
    """
    Writes a large answer a slice at a time, each when the connection has
    sent the last one.

    Twisted's TCP transport keeps what it is given in a list and, each time
    it has sent what it had, joins that list into one new bytes object
    (``FileDescriptor.doWrite``): a 1.6 MB listing written at once, after
    its headers, was copied whole, a third of what answering it cost.
    Written a slice at a time as a streaming producer, the transport holds
    one slice when it joins, which costs nothing, and the listing is never
    copied whole.
    """

    def __init__(self, request: MimicRequest, body: bytes) -> None:
        self.request = request
        self.body = body
        self.sent = 0
        self.paused = False
        self.stopped = False

    def start(self) -> None:
        self.request.registerProducer(self, True)
        self.resumeProducing()

    def resumeProducing(self) -> None:
        self.paused = False
        body, request = self.body, self.request
        while not self.paused and not self.stopped and self.sent < len(body):
            piece = body[self.sent:self.sent + SLICE_BYTES]
            self.sent += len(piece)
            request.write(piece)    # the transport pauses us once it holds enough
        if self.sent >= len(body) and not self.stopped:
            self.stopped = True
            request.unregisterProducer()
            request.finish()

    def pauseProducing(self) -> None:
        self.paused = True

    def stopProducing(self) -> None:
        # The connection is gone: nothing more to write, nothing to finish.
        self.stopped = True


class MimicSite(server.Site):
    """``Site`` serving Mimic's root with :class:`MimicRequest` over :class:`MimicChannel`."""

    requestFactory = MimicRequest
    #: The channel itself, not Twisted's wrapper that would switch to HTTP/2
    #: when TLS negotiates it (``_GenericHTTPChannelProtocol``): Mimic speaks
    #: HTTP/1.1 (see acceptableProtocols), and the wrapper is one more call
    #: on every read.
    protocol = MimicChannel

    def acceptableProtocols(self) -> list:
        """HTTP/1.1 only (the channel is HTTP/1.1's)."""
        return [b"http/1.1"]

    def __init__(self, resource: Any, verbose: bool = False, core: Any = None,
                 access_log: bool = False, **kwargs: Any) -> None:
        # No route reads form arguments from request.args: Fastly's
        # form-encoded bodies are read by its routes (read_fields). Twisted
        # otherwise parses the Content-Type of every POST with a body
        # through email.message (twisted.web.http._parseContentType), a
        # fifth of a token request.
        kwargs.setdefault("parsePOSTFormSubmission", False)
        super().__init__(resource, **kwargs)
        self.verbose = verbose
        # One line per answered request (mimic.access_log); Mimic turns it on
        # unless --quiet.
        self.access_log = access_log
        # The core whose metrics count requests (mimic_http_requests_total).
        self.core = core
        # Which API each path belongs to (a MountedRoot knows its mounts).
        self.paths = getattr(resource, "paths", None)
        # --state-file: where requests are made durable (mimic.state_file).
        self.state_file: Any = None
        self.replaying = False
        self.replay_request_id: Optional[str] = None
        self.request_ids = RequestIds()
        self.dates = DateHeader()
        # No "MimicSite starting on ..." line: Mimic says where it listens.
        self.noisy = False

    def log(self, request: Any) -> None:
        """Mimic writes its own access log (see :mod:`mimic.access_log`)."""
