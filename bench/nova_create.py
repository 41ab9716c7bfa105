"""
Whether creating servers stays flat as a tenant grows, and what a server
costs in memory: create 10,000 servers in one tenant over one keep-alive
connection, report the mean latency of the first and last 100 creates,
the GET and DELETE latency at that size, and the server process's RSS
growth per server (after creating, and again after listing every server
in detail, which fills the bounded render cache).

    .venv/bin/python bench/nova_create.py [--url URL --pid PID] [--servers 10000]
        [--journal-size N]

Without ``--url`` a Mimic is started for the run (its pid is known;
``--journal-size`` is passed to it); with ``--url`` RSS is reported only if
``--pid`` is given.

Before the first reading, another tenant creates servers until the
request journal is full of create-sized entries, and lists them in detail
(see :func:`warm_up`): what is counted per server is then Nova's own cost,
not the journal filling (bounded: it holds 10,000 entries by default,
whatever the number of servers) nor the allocator's one-off growth. The
warm-up's own RSS growth is printed too: per create, server and journal
entry together.

GET and DELETE are reported as the mean and the median of 100 requests: a
full garbage collection (tens of milliseconds with 10,000 servers) falls
in or out of that window with the process's allocation history, which
moves the mean by a fraction of a millisecond and not the median. With
the server's pid known, the server's own CPU time per GET and per DELETE
(1,000 of each, at the end) is reported too: unlike latencies, it hardly
moves with what else the machine runs.

Targets (docs/performance.rst): last-100 / first-100 <= 1.5;
<= 1 KB RSS per server.
"""

from __future__ import annotations

import argparse
import json
import statistics
from typing import Optional

import psutil

from nova_support import (
    Connection,
    compute_path,
    mimic_to_measure,
    now,
    rss_bytes,
    server_body,
)

#: Servers created by the warm-up tenant besides one per journal entry:
#: enough for the interpreter's and the allocator's one-off growth (the
#: start-up's freed memory reused, a detail page's buffers) to be done
#: before the first reading.
WARM_UP_SERVERS = 1500


def timed(connection: Connection, method: str, path: str, body=None, expect=200):
    start = now()
    status, data = connection.request(method, path, body)
    elapsed = now() - start
    assert status == expect, (status, data[:200])
    return elapsed, data


def journal_capacity(connection: Connection) -> int:
    """How many requests the Mimic's journal keeps (0: none, or no journal)."""
    status, data = connection.request("GET", "/mimic/v1.1/requests?limit=1")
    return json.loads(data).get("capacity", 0) if status == 200 else 0


def list_in_detail(connection: Connection, path: str) -> None:
    """Every server of the tenant at ``path``, in detail, 1,000 a page."""
    marker = ""
    while True:
        page = connection.json("GET", f"{path}/servers/detail?limit=1000{marker}")
        if "servers_links" not in page:
            return
        marker = f"&marker={page['servers'][-1]['id']}"


def warm_up(connection: Connection, capacity: int) -> int:
    """
    Create servers in a tenant of their own, one per journal entry and
    :data:`WARM_UP_SERVERS` more, and list them in detail: the journal is
    then full of entries the size of the measured creates' (each measured
    create replaces one), and the allocator has grown what it grows once.
    Returns the number of servers created.
    """
    path = compute_path(connection, "bench-warm-up")
    count = max(capacity, 0) + WARM_UP_SERVERS
    for index in range(count):
        connection.json("POST", f"{path}/servers", server_body(f"warm-{index}"), expect=202)
    list_in_detail(connection, path)
    return count


#: Requests per server-CPU figure: enough that the kernel's accounting
#: (in clock ticks of 10 ms) is a small part of what is measured.
CPU_REQUESTS = 1000


def server_cpu_ms(process: psutil.Process, requests) -> float:
    """The server's CPU milliseconds per request over ``requests`` (callables)."""
    def used() -> float:
        times = process.cpu_times()
        return times.user + times.system

    before = used()
    count = 0
    for request in requests:
        request()
        count += 1
    return (used() - before) * 1000 / count


def latencies_ms(samples: list) -> str:
    return (f"mean {statistics.mean(samples) * 1000:.3f} ms, "
            f"median {statistics.median(samples) * 1000:.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running Mimic (default: start one)")
    parser.add_argument("--pid", type=int, help="pid of the running Mimic, for RSS")
    parser.add_argument("--servers", type=int, default=10000)
    parser.add_argument("--journal-size", type=int,
                        help="the started Mimic's --journal-size (default: Mimic's own)")
    args = parser.parse_args()
    server_args = () if args.journal_size is None else ("--journal-size", str(args.journal_size))
    base_url, process = mimic_to_measure(args.url, *server_args)
    pid: Optional[int] = process.process.pid if process is not None else args.pid
    try:
        connection = Connection(base_url)
        capacity = journal_capacity(connection)
        start = rss_bytes(pid) if pid else None
        warmed = warm_up(connection, capacity)
        path = compute_path(connection, "bench-create")
        # One server first, so the tenant's stores exist before RSS is read.
        connection.json("POST", f"{path}/servers", server_body("warm-up"), expect=202)
        before = rss_bytes(pid) if pid else None
        if before is not None:
            print(f"warm-up: {warmed} creates in another tenant, journal of {capacity} "
                  f"entries: RSS {start / 2**20:.1f} MiB -> {before / 2**20:.1f} MiB: "
                  f"{(before - start) / warmed:.0f} bytes per create "
                  f"(server, journal entry and one-off growth)")
        latencies = []
        ids = []
        small_gets: list = []
        for index in range(args.servers):
            elapsed, data = timed(connection, "POST", f"{path}/servers",
                                  server_body(f"server-{index}"), expect=202)
            latencies.append(elapsed)
            ids.append(json.loads(data)["server"]["id"])
            if index == 99:
                small_gets = [timed(connection, "GET", f"{path}/servers/{i}")[0]
                              for i in ids]
        after = rss_bytes(pid) if pid else None
        first = statistics.mean(latencies[:100]) * 1000
        last = statistics.mean(latencies[-100:]) * 1000
        print(f"created {args.servers} servers in {sum(latencies):.1f} s: "
              f"{args.servers / sum(latencies):.0f} creates/s")
        print(f"create mean latency: first 100 {first:.3f} ms, last 100 {last:.3f} ms, "
              f"ratio {last / first:.2f}")
        first_median = statistics.median(latencies[:100]) * 1000
        last_median = statistics.median(latencies[-100:]) * 1000
        print(f"create median latency: first 100 {first_median:.3f} ms, last 100 "
              f"{last_median:.3f} ms, ratio {last_median / first_median:.2f}")
        gets = [timed(connection, "GET", f"{path}/servers/{i}")[0] for i in ids[-100:]]
        print(f"GET one server at 101: {latencies_ms(small_gets)}")
        print(f"GET one server at {args.servers + 1}: {latencies_ms(gets)}")
        deletes = [timed(connection, "DELETE", f"{path}/servers/{i}", expect=204)[0]
                   for i in ids[:100]]
        print(f"DELETE one server at {args.servers}: {latencies_ms(deletes)}")
        if before is not None:
            per_server = (after - before) / args.servers
            print(f"RSS {before / 2**20:.1f} MiB -> {after / 2**20:.1f} MiB: "
                  f"{per_server:.0f} bytes per server (journal full before: Nova's own)")
            # Listing every server in detail fills the (bounded) render cache.
            list_in_detail(connection, path)
            listed = rss_bytes(pid)
            print(f"RSS after listing every server in detail: {listed / 2**20:.1f} MiB "
                  f"({(listed - before) / args.servers:.0f} bytes per server)")
            server = psutil.Process(pid)
            recent = ids[-100:]
            per_get = server_cpu_ms(server, (
                lambda i=i: timed(connection, "GET", f"{path}/servers/{recent[i % 100]}")
                for i in range(CPU_REQUESTS)))
            doomed = ids[100:100 + CPU_REQUESTS]
            per_delete = server_cpu_ms(server, (
                lambda i=i: timed(connection, "DELETE", f"{path}/servers/{i}", expect=204)
                for i in doomed))
            print(f"server CPU per GET of one server: {per_get:.3f} ms; "
                  f"per DELETE: {per_delete:.3f} ms ({CPU_REQUESTS} GETs, {len(doomed)} DELETEs)")
    finally:
        if process is not None:
            process.stop()


if __name__ == "__main__":
    main()
