"""
A small closed-loop load generator for the benchmarks: N concurrent clients
on one persistent connection pool, each sending its next request as soon as
the previous one answered, for a bounded time, against loopback only.

Run the benchmarks by hand (never as tests); see docs/performance.rst.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Callable, Optional

import treq
from twisted.internet import defer, task
from twisted.web.client import HTTPConnectionPool

from tests.harness import start_mimic

RequestFactory = Callable[[int, int], tuple]


def percentile(samples: list, fraction: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


@defer.inlineCallbacks
def closed_loop(reactor, make_request: RequestFactory, concurrency: int, seconds: float,
                max_requests: Optional[int] = None, expect: int = 200,
                headers: Optional[dict] = None):
    """
    Run ``concurrency`` clients for ``seconds`` (or ``max_requests`` in
    all). ``make_request(client, n)`` returns ``(method, url, body)``;
    ``headers`` (bytes to list of bytes) go with every request. Returns a
    summary dict.
    """
    pool = HTTPConnectionPool(reactor, persistent=True)
    pool.maxPersistentPerHost = concurrency
    latencies: list = []
    errors: list = []
    deadline = time.perf_counter() + seconds
    sent = [0]

    @defer.inlineCallbacks
    def client(number: int):
        count = 0
        while time.perf_counter() < deadline and (max_requests is None or sent[0] < max_requests):
            sent[0] += 1
            method, url, body = make_request(number, count)
            count += 1
            started = time.perf_counter()
            data = json.dumps(body).encode() if body is not None else None
            response = yield treq.request(method, url, data=data, pool=pool,
                                          headers={b"content-type": [b"application/json"],
                                                   **(headers or {})})
            yield response.content()
            latencies.append(time.perf_counter() - started)
            if response.code != expect:
                errors.append(response.code)

    begun = time.perf_counter()
    yield defer.gatherResults([client(i) for i in range(concurrency)], consumeErrors=True)
    elapsed = time.perf_counter() - begun
    yield pool.closeCachedConnections()
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
