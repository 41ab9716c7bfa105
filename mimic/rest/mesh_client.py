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
import treq
from twisted.internet.defer import CancelledError, ensureDeferred
from twisted.internet.error import TimeoutError as ConnectTimeoutError
from twisted.logger import Logger
from twisted.web.client import (
    Agent,
    FileBodyProducer,
    HTTPConnectionPool,
    ResponseNeverReceived,
)
from twisted.web.http_headers import Headers

log = Logger()

#: Characters a mesh path keeps as they are; the rest (``|``, ``[``, ``]``,
#: spaces) are percent-encoded and decoded again by the receiving Mimic.
PATH_SAFE = "/@:,;=+!$&'()*~-._"

#: How long an upstream call may take to answer before it is a 504.
CALL_TIMEOUT = 30.0
CONNECT_TIMEOUT = 5.0


def quote_path(path: str) -> str:
    return quote(path, safe=PATH_SAFE)


@attrs.frozen
class UpstreamAnswer:
    """What an upstream answered: its status and body."""

    code: int
    body: bytes
    workload: Optional[str] = None


class UpstreamFailed(Exception):
    """
    An upstream call that got no answer: ``code`` is what the caller
    reports for it (503 unreachable, 504 timed out), ``reason`` says why.
    """

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def describe_failure(error: BaseException) -> UpstreamFailed:
    """An exception of treq/Twisted as the failed node's code and text."""
    if isinstance(error, (CancelledError, ConnectTimeoutError)):
        return UpstreamFailed(504, "upstream request timeout")
    if isinstance(error, ResponseNeverReceived):
        reasons = "; ".join(str(r.value) for r in error.reasons) or "connection lost"
        return UpstreamFailed(503, f"upstream connect error or disconnect: {reasons}")
    return UpstreamFailed(503, f"upstream connect error: {error}")


class QuietConnectionPool(HTTPConnectionPool):
    """
    A pool whose connection factories stay out of the log: Twisted's log
    "Starting factory ..." and "Stopping factory ..." for each new upstream
    connection, which says nothing to a user of the mesh.
    """

    class _factory(HTTPConnectionPool._factory):  # type: ignore[name-defined]
        noisy = False


class MeshHttpClient:
    """
    One agent over one persistent ``HTTPConnectionPool``; redirects are not
    followed (a mesh call reports what its upstream said).
    """

    def __init__(self, reactor: Any, timeout: float = CALL_TIMEOUT) -> None:
        self.reactor = reactor
        self.timeout = timeout
        self.pool = QuietConnectionPool(reactor, persistent=True)
        # Enough idle connections for a fan-out under load to reuse them.
        self.pool.maxPersistentPerHost = 64
        self.pool.cachedConnectionTimeout = 60
        self.agent = Agent(reactor, pool=self.pool, connectTimeout=CONNECT_TIMEOUT)

    async def request(self, method: str, url: str, headers: dict,
                      body: Optional[bytes] = None) -> UpstreamAnswer:
        """
        ``method url`` (``url`` already percent-encoded); raises
        :class:`UpstreamFailed` when nothing answers within the timeout.
        """
        answering = self.agent.request(
            method.encode("ascii"), url.encode("ascii"),
            Headers({name: [value] for name, value in headers.items()}),
            FileBodyProducer(io.BytesIO(body)) if body else None)
        timeout = self.reactor.callLater(self.timeout, answering.cancel)
        try:
            response = await answering
            content = await treq.content(response)
        except Exception as error:  # noqa: BLE001 - every failure is a node
            raise describe_failure(error) from None
        finally:
            if timeout.active():
                timeout.cancel()
        workload = response.headers.getRawHeaders(b"x-mimic-workload", [None])[0]
        return UpstreamAnswer(response.code, content,
                              workload.decode("latin-1") if workload else None)

    def close(self) -> Any:
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
