"""
The hop client: the HTTP/1.1 client a node's sidecar makes its upstream
calls with, over persistent connections kept per upstream (host, port).

Why not Twisted's ``Agent`` (which the Zipkin reporter still uses): a mesh
hop is a bodyless request and an answer buffered whole, and for that the
Agent's general machinery (URL parsing, a ``Headers`` object, a request
object and a response object, a parser state machine and a body protocol,
each with their Deferreds) was about a fifth of a hop's CPU, as much as
Twisted's HTTP server answering it. This client writes the request in one
piece and parses the answer in one pass: status line, headers, then a body
framed by ``Content-Length`` (what a Mimic node sends), chunks, or the
connection's end; a ``HEAD`` or a 204/304 has none. It keeps what the Agent
gave the mesh: connections reused (at most ``max_idle`` idle per upstream),
one retry on a fresh connection when a reused one turns out closed before
any answer (idempotent methods only, as the Agent does), cancellation that
aborts the connection, and a bounded answer.
"""

from __future__ import annotations

from typing import Any, Optional

from twisted.internet.defer import Deferred
from twisted.internet.protocol import Factory, Protocol

#: Methods a call may be retried with when a reused connection was closed
#: before it answered (Twisted's Agent retries the same ones).
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "TRACE"})

#: The longest status line and headers of an answer a caller reads.
MAX_HEAD_BYTES = 64 * 1024

#: Answers that have no body whatever their headers say (RFC 9110 6.4.1).
NO_BODY_CODES = frozenset({204, 304})


class AnswerTooLarge(Exception):
    """An upstream answer longer than the caller buffers."""


class BadAnswer(Exception):
    """An answer that is not HTTP/1.x (a status line or framing that does not parse)."""


class NoAnswer(Exception):
    """
    The connection ended before any byte of the answer: ``reused`` says
    whether it had answered before (then the upstream may simply have
    closed an idle connection, and one retry on a new one is safe).
    """

    def __init__(self, reason: Any, reused: bool) -> None:
        super().__init__(reason.getErrorMessage() if hasattr(reason, "getErrorMessage")
                         else str(reason))
        self.reason = reason
        self.reused = reused


class HopAnswer:
    """A parsed answer: status, headers (lower-case bytes names), body."""

    __slots__ = ("code", "headers", "body")

    def __init__(self, code: int, headers: dict, body: bytes) -> None:
        self.code = code
        self.headers = headers
        self.body = body


class HopConnection(Protocol):
    """One persistent connection: one request at a time, its answer parsed as it comes."""

    def __init__(self, pool: "HopPool", key: tuple) -> None:
        self.pool = pool
        self.key = key
        self.answer: Optional[Deferred] = None
        self.answered = 0
        self.idle_since = 0.0

    def send(self, request: bytes, head: bool, limit: int) -> Deferred:
        """Write ``request`` (a whole HTTP/1.1 request); fires with a :class:`HopAnswer`."""
        self.head_only = head
        self.limit = limit
        self.buffer = b""
        self.code = 0
        self.version = b""
        self.headers: Optional[dict] = None
        self.parts: list = []
        self.size = 0
        self.remaining = 0
        self.chunks: Optional[str] = None  # "size", "data", "crlf", "trailer"
        self.until_close = False
        self.keep = False
        self.received = False
        self.answer = Deferred(self._cancel)
        self.transport.write(request)
        return self.answer

    def _cancel(self, answer: Deferred) -> None:
        self.answer = None
        self.transport.abortConnection()

    def _fail(self, error: Exception) -> None:
        answer, self.answer = self.answer, None
        self.transport.abortConnection()
        if answer is not None:
            answer.errback(error)

    def dataReceived(self, data: bytes) -> None:
        if self.answer is None:
            # Bytes nobody asked for: this connection cannot be trusted again.
            self.transport.abortConnection()
            return
        self.received = True
        if self.headers is None:
            self.buffer += data
            while self.headers is None:
                end = self.buffer.find(b"\r\n\r\n")
                if end < 0:
                    if len(self.buffer) > MAX_HEAD_BYTES:
                        self._fail(BadAnswer("the answer's headers are too long"))
                    return
                head, self.buffer = self.buffer[:end], self.buffer[end + 4:]
                try:
                    self._read_head(head)
                except (ValueError, IndexError):
                    self._fail(BadAnswer(f"not an HTTP answer: {head[:80]!r}"))
                    return
                if self.answer is None:
                    return
            data, self.buffer = self.buffer, b""
            if self.remaining == 0 and self.chunks is None and not self.until_close:
                self._done(data)
                return
        if self.chunks is not None:
            self._read_chunks(data)
        elif self.until_close:
            self._collect(data)
        else:
            take = data[:self.remaining]
            self._collect(take)
            self.remaining -= len(take)
            if self.remaining == 0 and self.answer is not None:
                self._done(data[len(take):])

    def _read_head(self, head: bytes) -> None:
        lines = head.split(b"\r\n")
        version, code, _ = (lines[0] + b" ").split(b" ", 2)
        if not version.startswith(b"HTTP/1.") or len(code) != 3 or not code.isdigit():
            raise ValueError(head)
        status = int(code)
        if 100 <= status < 200:
            return  # an interim answer: the real one follows
        headers: dict = {}
        for line in lines[1:]:
            name, colon, value = line.partition(b":")
            if not colon:
                raise ValueError(line)
            headers[name.strip().lower()] = value.strip()
        self.code, self.version, self.headers = status, version, headers
        self.keep = version == b"HTTP/1.1" and \
            b"close" not in headers.get(b"connection", b"").lower()
        if self.head_only or status in NO_BODY_CODES:
            return
        if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            self.chunks = "size"
            return
        length = headers.get(b"content-length")
        if length is None:
            self.until_close, self.keep = True, False
            return
        if not length.isdigit():
            raise ValueError(length)
        self.remaining = int(length)
        if self.remaining > self.limit:
            self._fail(AnswerTooLarge())

    def _collect(self, part: bytes) -> None:
        if not part:
            return
        self.size += len(part)
        if self.size > self.limit:
            self._fail(AnswerTooLarge())
            return
        self.parts.append(part)

    def _read_chunks(self, data: bytes) -> None:
        buffer = self.buffer + data
        while self.answer is not None:
            if self.chunks == "data":
                take = buffer[:self.remaining]
                self._collect(take)
                self.remaining -= len(take)
                buffer = buffer[len(take):]
                if self.remaining:
                    break
                self.chunks = "crlf"
                continue
            if self.chunks == "crlf":
                if len(buffer) < 2:
                    break
                if buffer[:2] != b"\r\n":
                    self._fail(BadAnswer("a chunk does not end with CRLF"))
                    return
                buffer, self.chunks = buffer[2:], "size"
                continue
            end = buffer.find(b"\r\n")
            if end < 0:
                if len(buffer) > MAX_HEAD_BYTES:
                    self._fail(BadAnswer("a chunk's size line is too long"))
                    return
                break
            line, buffer = buffer[:end], buffer[end + 2:]
            if self.chunks == "trailer":
                if not line:
                    self.buffer = b""
                    self._done(buffer)
                    return
                continue
            size = line.split(b";", 1)[0].strip()
            if not size or len(size) > 16 or size.strip(b"0123456789abcdefABCDEF"):
                self._fail(BadAnswer(f"not a chunk size: {line[:40]!r}"))
                return
            self.remaining = int(size, 16)
            self.chunks = "data" if self.remaining else "trailer"
        self.buffer = buffer

    def _done(self, extra: bytes) -> None:
        answer, self.answer = self.answer, None
        self.answered += 1
        result = HopAnswer(self.code, self.headers or {}, b"".join(self.parts))
        self.parts = []
        if self.keep and not extra:
            self.pool.release(self)
        else:
            self.transport.loseConnection()
        if answer is not None:
            answer.callback(result)

    def connectionLost(self, reason: Any = None) -> None:
        self.pool.forget(self)
        answer, self.answer = self.answer, None
        if answer is None or answer.called:
            return
        if self.until_close and self.headers is not None:
            answer.callback(HopAnswer(self.code, self.headers, b"".join(self.parts)))
        elif not self.received:
            answer.errback(NoAnswer(reason, reused=self.answered > 0))
        else:
            answer.errback(BadAnswer(f"the connection ended during the answer "
                                     f"({reason.getErrorMessage()})"))


class _HopFactory(Factory):
    noisy = False  # no "Starting factory" line per upstream connection

    def __init__(self, pool: "HopPool", key: tuple) -> None:
        self.pool = pool
        self.key = key

    def buildProtocol(self, addr: Any) -> HopConnection:
        return HopConnection(self.pool, self.key)


class HopPool:
    """
    The hop client's connections: idle ones kept per upstream (host,
    port), at most ``max_idle`` each and none idle for longer than
    ``idle_timeout`` seconds, new ones opened through ``endpoints``.
    """

    def __init__(self, reactor: Any, endpoints: Any, max_idle: int = 64,
                 idle_timeout: float = 60.0) -> None:
        self.reactor = reactor
        self.endpoints = endpoints
        self.max_idle = max_idle
        self.idle_timeout = idle_timeout
        self.idle: dict = {}
        self.opened = 0

    def connection(self, host: str, port: int) -> Any:
        """An idle connection to (host, port), or a Deferred of a new one."""
        key = (host, port)
        idle = self.idle.get(key)
        now = self.reactor.seconds()
        while idle:
            connection = idle.pop()
            if now - connection.idle_since <= self.idle_timeout:
                return connection
            connection.transport.loseConnection()
        self.opened += 1
        endpoint = self.endpoints.endpoint(host.encode("ascii", "replace"), port)
        return endpoint.connect(_HopFactory(self, key))

    def release(self, connection: HopConnection) -> None:
        idle = self.idle.setdefault(connection.key, [])
        if len(idle) >= self.max_idle:
            connection.transport.loseConnection()
            return
        connection.idle_since = self.reactor.seconds()
        idle.append(connection)

    def forget(self, connection: HopConnection) -> None:
        idle = self.idle.get(connection.key)
        if idle and connection in idle:
            idle.remove(connection)

    def close(self) -> None:
        idle, self.idle = self.idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.transport.loseConnection()


def host_value(host: str, port: int) -> str:
    """The ``Host`` header of a call, as Twisted's Agent writes it."""
    host = f"[{host}]" if ":" in host else host
    return host if port == 80 else f"{host}:{port}"


def encode_request(method: str, target: str, host: str, port: int, headers: dict) -> bytes:
    """
    A bodyless HTTP/1.1 request in one piece. Line breaks in a name or
    value become spaces (as Twisted's ``Headers`` makes them), so no header
    can end the head early; PUT and POST say their empty body's length.
    """
    lines = [f"{method} {target} HTTP/1.1\r\nHost: {host_value(host, port)}\r\n"]
    for name, value in headers.items():
        line = f"{name}: {value}"
        if "\r" in line or "\n" in line:
            line = line.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
        lines.append(line + "\r\n")
    if method in ("PUT", "POST"):
        lines.append("Content-Length: 0\r\n")
    lines.append("\r\n")
    return "".join(lines).encode("utf-8")
