"""
The mesh's outgoing HTTP: upstream calls between mesh services and span
batches to a Zipkin collector, both over one ``Agent`` with one persistent
``HTTPConnectionPool`` per Mimic, so a load test reuses connections instead
of opening one per call, and treq collecting the bodies. Nothing here waits
in a way that blocks the reactor: every call returns a Deferred.

Why not ``treq.request``: on every call it parses the URL with hyperlink
(IDNA-checking the host) and wraps the agent in cookie, redirect and
content-decoding agents, which together cost about as much as the rest of
a mesh hop. A mesh call needs none of them: its URL is built here, and an
upstream's cookies, redirects and encodings are its answer, not something
to follow.
"""

from __future__ import annotations

import io
import json
from typing import Any, Optional
from urllib.parse import quote, urlsplit, urlunsplit

import attrs
from twisted.internet.defer import CancelledError, Deferred, ensureDeferred
from twisted.internet.endpoints import HostnameEndpoint
from twisted.internet.error import TimeoutError as ConnectTimeoutError
from twisted.internet.protocol import Protocol
from twisted.logger import Logger
from twisted.web.client import (
    Agent,
    FileBodyProducer,
    HTTPConnectionPool,
    PotentialDataLoss,
    ResponseDone,
    ResponseNeverReceived,
)
from twisted.web.http_headers import Headers
from twisted.web.iweb import IAgentEndpointFactory
from zope.interface import implementer

from mimic.rest.mesh_hops import (
    IDEMPOTENT,
    AnswerTooLarge,
    HopPool,
    NoAnswer,
    encode_request,
)

log = Logger()

#: Characters a mesh path keeps as they are; the rest (``|``, ``[``, ``]``,
#: spaces) are percent-encoded and decoded again by the receiving Mimic.
PATH_SAFE = "/@:,;=+!$&'()*~-._"

#: How long an upstream call may take to answer before it is a 504
#: (``--mesh-timeout``), and to connect (``--mesh-connect-timeout``).
CALL_TIMEOUT = 30.0
CONNECT_TIMEOUT = 5.0

#: The largest upstream answer a caller buffers (its node is parsed and
#: nested in the caller's); past it the call is a 502. A tree of the most
#: calls one request may make is well under 1 MiB.
MAX_ANSWER_BYTES = 4 * 1024 * 1024


def quote_path(path: str, safe: str = PATH_SAFE) -> str:
    return quote(path, safe=safe)


@attrs.frozen
class UpstreamAnswer:
    """What an upstream answered: its status and body."""

    code: int
    body: bytes
    workload: Optional[str] = None
    #: A Mimic node's summary of itself (``x-mimic-mesh-node``).
    summary: Optional[str] = None


class UpstreamFailed(Exception):
    """
    An upstream call that got no answer: ``code`` is what the caller
    reports for it (503 unreachable, 504 timed out), ``reason`` says why.
    """

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class _BoundedBody(Protocol):
    """Collects a response body, giving up past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list = []
        self.size = 0
        self.done: Deferred = Deferred()

    def dataReceived(self, data: bytes) -> None:
        if self.done.called:
            return
        self.size += len(data)
        if self.size > self.limit:
            self.done.errback(AnswerTooLarge())
            self.transport.stopProducing()
            return
        self.parts.append(data)

    def connectionLost(self, reason: Any) -> None:
        if self.done.called:
            return
        if reason.check(ResponseDone, PotentialDataLoss):
            self.done.callback(b"".join(self.parts))
        else:
            self.done.errback(reason)


def read_bounded(response: Any, limit: int) -> Deferred:
    """The body of ``response``, or :class:`AnswerTooLarge` past ``limit`` bytes."""
    if isinstance(response.length, int) and response.length > limit:
        response.deliverBody(Protocol())  # a Protocol drops what it is given
        return Deferred.fromCoroutine(_raise(AnswerTooLarge()))
    body = _BoundedBody(limit)
    response.deliverBody(body)
    return body.done


async def _raise(error: Exception) -> None:
    raise error


def describe_failure(error: BaseException) -> UpstreamFailed:
    """An exception of treq/Twisted as the failed node's code and text."""
    if isinstance(error, AnswerTooLarge):
        return UpstreamFailed(502, f"the upstream answer is larger than "
                                   f"{MAX_ANSWER_BYTES} bytes")
    if isinstance(error, (CancelledError, ConnectTimeoutError)):
        return UpstreamFailed(504, "upstream request timeout")
    if isinstance(error, ResponseNeverReceived):
        reasons = "; ".join(str(r.value) for r in error.reasons) or "connection lost"
        return UpstreamFailed(503, f"upstream connect error or disconnect: {reasons}")
    if isinstance(error, NoAnswer):
        return UpstreamFailed(503, f"upstream connect error or disconnect: {error}")
    return UpstreamFailed(503, f"upstream connect error: {error}")


class QuietConnectionPool(HTTPConnectionPool):
    """
    A pool whose connection factories stay out of the log: Twisted's log
    "Starting factory ..." and "Stopping factory ..." for each new upstream
    connection, which says nothing to a user of the mesh.
    """

    class _factory(HTTPConnectionPool._factory):  # type: ignore[name-defined]
        noisy = False


@implementer(IAgentEndpointFactory)
class CachedEndpoints:
    """
    One endpoint per (host, port), made once: Agent's own factory builds a
    ``HostnameEndpoint`` (IDNA-checking the host) for every request, which
    shows in a mesh hop's cost. Hosts are names or addresses; HTTP only.
    """

    def __init__(self, reactor: Any, connect_timeout: float) -> None:
        self.reactor = reactor
        self.connect_timeout = connect_timeout
        self.endpoints: dict = {}

    def endpointForURI(self, uri: Any) -> Any:
        return self.endpoint(uri.host, uri.port)

    def endpoint(self, host: bytes, port: int) -> Any:
        key = (host, port)
        endpoint = self.endpoints.get(key)
        if endpoint is None:
            if len(self.endpoints) > 1024:
                self.endpoints.clear()  # hosts come from the mesh and --mesh-resolve
            endpoint = self.endpoints[key] = HostnameEndpoint(
                self.reactor, host.strip(b"[]"), port, timeout=self.connect_timeout)
        return endpoint


class MeshHttpClient:
    """
    The mesh's two clients: the hop client (:mod:`mimic.rest.mesh_hops`)
    for upstream calls, and one agent over one persistent
    ``HTTPConnectionPool`` for the Zipkin collector (which may be HTTPS).
    Redirects are not followed (a mesh call reports what its upstream said).
    """

    def __init__(self, reactor: Any, timeout: float = CALL_TIMEOUT,
                 connect_timeout: float = CONNECT_TIMEOUT,
                 max_answer: int = MAX_ANSWER_BYTES) -> None:
        self.reactor = reactor
        self.timeout = timeout
        self.max_answer = max_answer
        self.pool = QuietConnectionPool(reactor, persistent=True)
        # Enough idle connections for a fan-out under load to reuse them.
        self.pool.maxPersistentPerHost = 64
        self.pool.cachedConnectionTimeout = 60
        endpoints = CachedEndpoints(reactor, connect_timeout)
        self.agent = Agent.usingEndpointFactory(reactor, endpoints, pool=self.pool)
        self.hops = HopPool(reactor, endpoints, max_idle=self.pool.maxPersistentPerHost,
                            idle_timeout=self.pool.cachedConnectionTimeout)

    async def _within(self, timeout: Optional[float], answer: Any) -> Any:
        """
        What the coroutine ``answer(pending)`` returns, unless it takes
        longer than ``timeout`` seconds (the client's own when None): then
        the Deferred it last put in ``pending`` is cancelled and the call
        is a 504. Every other failure is described as the failed node's
        code and reason (:func:`describe_failure`); a cancellation from
        outside (the caller's client went away) stays a ``CancelledError``.
        """
        pending: list = []
        timed_out: list = []

        def expire() -> None:
            timed_out.append(True)
            pending[-1].cancel()

        timer = self.reactor.callLater(self.timeout if timeout is None else timeout, expire)
        try:
            return await answer(pending)
        except CancelledError:
            if not timed_out:
                raise
            raise UpstreamFailed(504, "upstream request timeout") from None
        except Exception as error:  # noqa: BLE001 - every failure is a node
            if timed_out:
                raise UpstreamFailed(504, "upstream request timeout") from None
            raise describe_failure(error) from None
        finally:
            if timer.active():
                timer.cancel()

    async def hop(self, method: str, host: str, port: int, target: str, headers: dict,
                  timeout: Optional[float] = None) -> UpstreamAnswer:
        """
        One upstream call, ``method target`` (already percent-encoded) to
        ``host:port`` with ``headers``, no body; raises :class:`UpstreamFailed`
        as :meth:`request` does, and ``CancelledError`` when cancelled.
        """
        request = encode_request(method, target, host, port, headers)

        async def send(pending: list) -> Any:
            connection = self.hops.connection(host, port)
            if isinstance(connection, Deferred):
                pending.append(connection)
                connection = await connection
            pending.append(connection.send(request, method == "HEAD", self.max_answer))
            return await pending[-1]

        async def answer(pending: list) -> Any:
            try:
                return await send(pending)
            except NoAnswer as error:
                # A reused connection its upstream had closed: once more, anew.
                if not (error.reused and method in IDEMPOTENT):
                    raise
            return await send(pending)

        answer = await self._within(timeout, answer)
        workload = answer.headers.get(b"x-mimic-workload")
        summary = answer.headers.get(b"x-mimic-mesh-node")
        return UpstreamAnswer(answer.code, answer.body,
                              workload.decode("latin-1") if workload else None,
                              summary.decode("latin-1") if summary else None)

    async def request(self, method: str, url: str, headers: dict,
                      body: Optional[bytes] = None,
                      timeout: Optional[float] = None) -> UpstreamAnswer:
        """
        ``method url`` (``url`` already percent-encoded); raises
        :class:`UpstreamFailed` when nothing answers within ``timeout``
        seconds (504; the client's own by default) or the answer is too
        large (502). Cancelling the call (its caller's client went away)
        aborts the connection and raises ``CancelledError``.
        """

        async def answer(pending: list) -> tuple:
            pending.append(self.agent.request(
                method.encode("ascii"), url.encode("ascii"),
                Headers({name: [value] for name, value in headers.items()}),
                FileBodyProducer(io.BytesIO(body)) if body else None))
            response = await pending[-1]
            pending.append(read_bounded(response, self.max_answer))
            return response, await pending[-1]

        response, content = await self._within(timeout, answer)
        workload = response.headers.getRawHeaders(b"x-mimic-workload", [None])[0]
        return UpstreamAnswer(response.code, content,
                              workload.decode("latin-1") if workload else None)

    def close(self) -> Any:
        self.hops.close()
        return self.pool.closeCachedConnections()


def collector_url(url: str) -> str:
    """``http://zipkin:9411`` -> ``http://zipkin:9411/api/v2/spans``."""
    parts = urlsplit(url)
    if parts.path in ("", "/"):
        parts = parts._replace(path="/api/v2/spans")
    return urlunsplit(parts)


class ZipkinReporter:
    """
    Sends spans to a Zipkin collector (``POST /api/v2/spans``) in batches:
    at most every ``interval`` seconds of real time, or at once when
    ``batch_size`` spans wait. A request never waits for the collector;
    when it is down or refuses, the batch is dropped with a log line, and
    at most ``max_pending`` spans are held meanwhile.
    """

    def __init__(self, reactor: Any, client: MeshHttpClient, url: str,
                 interval: float = 0.5, batch_size: int = 100,
                 max_pending: int = 10000) -> None:
        self.reactor = reactor
        self.client = client
        self.url = collector_url(url)
        self.interval = interval
        self.batch_size = batch_size
        self.max_pending = max_pending
        self.pending: list = []
        self.scheduled: Any = None
        self.sent = 0
        self.dropped = 0

    def add(self, span: dict) -> None:
        if len(self.pending) >= self.max_pending:
            self.dropped += 1
            if self.dropped % 1000 == 1:
                log.warn("Zipkin: {count} spans are waiting; dropping new ones",
                         count=len(self.pending))
            return
        self.pending.append(span)
        if len(self.pending) >= self.batch_size:
            self.flush()
        elif self.scheduled is None:
            self.scheduled = self.reactor.callLater(self.interval, self.flush)

    def flush(self) -> Any:
        """Send what waits now; returns the Deferred of the POST (or None)."""
        if self.scheduled is not None:
            if self.scheduled.active():
                self.scheduled.cancel()
            self.scheduled = None
        if not self.pending:
            return None
        batch, self.pending = self.pending[: self.batch_size], self.pending[self.batch_size:]
        if self.pending:
            self.scheduled = self.reactor.callLater(self.interval, self.flush)
        posted = ensureDeferred(self.client.request(
            "POST", self.url, {"content-type": "application/json"},
            json.dumps(batch, separators=(",", ":")).encode("utf-8")))

        def answered(answer: UpstreamAnswer) -> None:
            if 200 <= answer.code < 300:
                self.sent += len(batch)
            else:
                self.dropped += len(batch)
                log.warn("Zipkin collector {url} answered {code}: dropped {count} spans",
                         url=self.url, code=answer.code, count=len(batch))

        def failed(failure: Any) -> None:
            self.dropped += len(batch)
            log.warn("Zipkin collector {url} unreachable ({reason}): dropped {count} spans",
                     url=self.url, reason=failure.getErrorMessage(), count=len(batch))

        return posted.addCallbacks(answered, failed)
