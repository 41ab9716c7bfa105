"""
A small closed-loop load generator for the benchmarks: N concurrent clients,
each on its own keep-alive connection, each sending its next request as soon
as the previous one answered, for a bounded time, against loopback only.

The client is a minimal HTTP/1.1 protocol rather than treq: on the 2-core
machine the benchmarks run on, the load generator shares the CPU with the
server, and treq's per-request cost (URL objects, cookie and redirect
layers) made the client, not Mimic, the limit. This one costs a few tens of
microseconds a request, so the numbers measure the server.

Run the benchmarks by hand (never as tests); see docs/performance.rst.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Callable, Optional

from urllib.parse import urlsplit

from twisted.internet import defer, task
from twisted.internet.endpoints import TCP4ClientEndpoint, connectProtocol
from twisted.internet.protocol import Protocol

from bench._server import start_mimic

RequestFactory = Callable[[int, int], tuple]


def percentile(samples: list, fraction: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


class KeepAliveClient(Protocol):
    """One HTTP/1.1 connection: a request at a time, answers read by length."""

    def __init__(self) -> None:
        self.buffer = b""
        self.waiting: Optional[defer.Deferred] = None

    def request(self, raw: bytes) -> defer.Deferred:
        self.waiting = defer.Deferred()
        self.transport.write(raw)
        return self.waiting

    def dataReceived(self, data: bytes) -> None:
        self.buffer += data
        answer = self._complete_answer()
        if answer is not None and self.waiting is not None:
            waiting, self.waiting = self.waiting, None
            waiting.callback(answer)

    def connectionLost(self, reason) -> None:
        if self.waiting is not None:
            waiting, self.waiting = self.waiting, None
            waiting.errback(reason)

    def _complete_answer(self) -> Optional[tuple]:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = self.buffer[:end].decode("latin-1").lower()
        code = int(head[9:12])
        start = end + 4
        if "transfer-encoding: chunked" in head:
            body, position = b"", start
            while True:
                line_end = self.buffer.find(b"\r\n", position)
                if line_end < 0:
                    return None
                size = int(self.buffer[position:line_end].split(b";")[0], 16)
                chunk_start = line_end + 2
                if len(self.buffer) < chunk_start + size + 2:
                    return None
                if size == 0:
                    self.buffer = self.buffer[chunk_start + 2:]
                    return code, body
                body += self.buffer[chunk_start:chunk_start + size]
                position = chunk_start + size + 2
        length = 0
        for line in head.split("\r\n"):
            if line.startswith("content-length:"):
                length = int(line.split(":", 1)[1])
        if len(self.buffer) < start + length:
            return None
        body = self.buffer[start:start + length]
        self.buffer = self.buffer[start + length:]
        return code, body


def encode_request(method: str, url: bytes, body, headers: Optional[dict]) -> bytes:
    parts = urlsplit(url)
    target = parts.path + (b"?" + parts.query if parts.query else b"")
    data = json.dumps(body).encode() if body is not None else b""
    lines = [b"%s %s HTTP/1.1" % (method.encode(), target), b"Host: " + parts.netloc,
             b"Content-Type: application/json", b"Content-Length: %d" % len(data)]
    for name, values in (headers or {}).items():
        lines += [name + b": " + value for value in values]
    return b"\r\n".join(lines) + b"\r\n\r\n" + data


@defer.inlineCallbacks
def closed_loop(reactor, make_request: RequestFactory, concurrency: int, seconds: float,
                max_requests: Optional[int] = None, expect: int = 200,
                headers: Optional[dict] = None):
    """
    Run ``concurrency`` clients for ``seconds`` (or ``max_requests`` in
    all). ``make_request(client, n)`` returns ``(method, url, body)`` (url
    as bytes, body as JSON-able or None); ``headers`` (bytes to list of
    bytes) go with every request. Returns a summary dict.
    """
    latencies: list = []
    errors: list = []
    deadline = time.perf_counter() + seconds
    sent = [0]
    first_url = urlsplit(make_request(0, 0)[1])
    endpoint = TCP4ClientEndpoint(reactor, first_url.hostname.decode(), first_url.port)

    @defer.inlineCallbacks
    def client(number: int):
        connection = yield connectProtocol(endpoint, KeepAliveClient())
        count = 0
        while time.perf_counter() < deadline and (max_requests is None or sent[0] < max_requests):
            sent[0] += 1
            method, url, body = make_request(number, count)
            count += 1
            started = time.perf_counter()
            code, _ = yield connection.request(encode_request(method, url, body, headers))
            latencies.append(time.perf_counter() - started)
            if code != expect:
                errors.append(code)
        connection.transport.loseConnection()

    begun = time.perf_counter()
    yield defer.gatherResults([client(i) for i in range(concurrency)], consumeErrors=True)
    elapsed = time.perf_counter() - begun
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "seconds": round(elapsed, 2),
        "per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.5) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2) if latencies else None,
    }


def run(main: Callable, *server_args: str) -> None:
    """Start a Mimic, run ``main(reactor, base_url)``, print its result, stop."""
    server = start_mimic(*server_args)

    def go(reactor):
        return defer.ensureDeferred(_wrap(main, reactor, server.base_url))

    try:
        task.react(go)
    finally:
        server.stop()


async def _wrap(main, reactor, base_url):
    result = await main(reactor, base_url)
    print(json.dumps(result, indent=2))
