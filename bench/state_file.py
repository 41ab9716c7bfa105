"""
What ``--state-file`` costs, and what the request journal costs: in one
run, Nova creates per second on a Mimic without a state file and on one
with it (each create answered only after it is durable), over one
keep-alive connection and with 10 concurrent clients (whose creates share
group commits); then the server's RSS with the journal full (10,000
entries) against the journal off.

    .venv/bin/python bench/state_file.py [--creates 2000] [--seconds 10] [--journal 10000]

Targets (docs/performance.rst): creates/s with a state file at least 50 %
of without.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from nova_support import Connection, compute_path, rss_bytes, server_body
from twisted.internet import defer, task

from bench._load import closed_loop
from bench._server import start_mimic


def creates_per_second(creates: int, *args: str) -> tuple[float, float]:
    """Creates/s and the mean create latency (ms) on a Mimic started with ``args``."""
    process = start_mimic(*args)
    try:
        connection = Connection(process.base_url)
        path = compute_path(connection, "bench-state")
        connection.json("POST", f"{path}/servers", server_body("warm-up"), expect=202)
        started = time.perf_counter()
        for index in range(creates):
            connection.json("POST", f"{path}/servers", server_body(f"s-{index}"), expect=202)
        elapsed = time.perf_counter() - started
        return creates / elapsed, elapsed / creates * 1000
    finally:
        process.stop()


def concurrent_creates(seconds: float, clients: int, *runs: tuple) -> list:
    """
    For each Mimic started with one of ``runs`` (argument tuples), the
    closed-loop summary of ``clients`` creating servers for ``seconds``,
    all in one reactor run (a reactor cannot be run twice).
    """
    processes = [start_mimic(*args) for args in runs]
    results: list = []
    try:
        urls = [f"{p.base_url}{compute_path(Connection(p.base_url), 'bench-state')}/servers"
                .encode() for p in processes]

        @defer.inlineCallbacks
        def go(reactor):
            for url in urls:
                def create(client: int, count: int, url: bytes = url) -> tuple:
                    return "POST", url, server_body(f"c{client}-{count}")

                summary = yield closed_loop(reactor, create, clients, seconds, expect=202)
                results.append(summary)

        try:
            task.react(go)
        except SystemExit:
            pass
        return results
    finally:
        for process in processes:
            process.stop()


def journal_rss(requests: int, size: int) -> int:
    """RSS growth of a Mimic with ``--journal-size size`` over ``requests`` reads."""
    process = start_mimic("--journal-size", str(size))
    try:
        connection = Connection(process.base_url)
        path = compute_path(connection, "bench-journal")
        connection.json("POST", f"{path}/servers", server_body("listed"), expect=202)
        connection.json("GET", f"{path}/servers")
        before = rss_bytes(process.process.pid)
        for _ in range(requests):
            connection.json("GET", f"{path}/servers")
        return rss_bytes(process.process.pid) - before
    finally:
        process.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--creates", type=int, default=2000)
    parser.add_argument("--journal", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        state = os.path.join(directory, "mimic.sqlite")
        without, without_ms = creates_per_second(args.creates)
        with_file, with_ms = creates_per_second(args.creates, "--state-file", state)
        size = os.path.getsize(state)
    print(f"{args.creates} Nova creates, one keep-alive connection")
    print(f"  without --state-file: {without:,.0f}/s ({without_ms:.2f} ms each)")
    print(f"  with --state-file:    {with_file:,.0f}/s ({with_ms:.2f} ms each); "
          f"file {size / 2**20:.1f} MiB after a clean stop")
    print(f"  ratio: {with_file / without:.0%}")
    with tempfile.TemporaryDirectory() as directory:
        state = os.path.join(directory, "mimic.sqlite")
        plain, durable = concurrent_creates(args.seconds, args.clients,
                                            (), ("--state-file", state))
    print(f"{args.clients} concurrent clients creating for {args.seconds:.0f} s")
    for name, summary in (("without --state-file", plain), ("with --state-file", durable)):
        print(f"  {name}: {summary['per_second']:,.0f}/s, p50 {summary['p50_ms']} ms, "
              f"p99 {summary['p99_ms']} ms, errors {summary['errors']}")
    print(f"  ratio: {durable['per_second'] / plain['per_second']:.0%} (target >= 50 %)")
    on = journal_rss(args.journal, args.journal)
    off = journal_rss(args.journal, 0)
    print(f"journal of {args.journal:,} entries: RSS +{on / 2**20:.1f} MiB "
          f"(journal off: +{off / 2**20:.1f} MiB), "
          f"about {(on - off) / args.journal:,.0f} bytes per entry")


if __name__ == "__main__":
    main()
