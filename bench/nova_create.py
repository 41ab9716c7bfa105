"""
Whether creating servers stays flat as a tenant grows, and what a server
costs in memory: create 10,000 servers in one tenant over one keep-alive
connection, report the mean latency of the first and last 100 creates,
the GET and DELETE latency at that size, and the server process's RSS
growth per server (after creating, and again after listing every server
in detail, which fills the bounded render cache).

    .venv/bin/python bench/nova_create.py [--url URL --pid PID] [--servers 10000]

Without ``--url`` a Mimic is started for the run (its pid is known); with
``--url`` RSS is reported only if ``--pid`` is given.

Targets (docs/performance.rst): last-100 / first-100 <= 1.5;
<= 1 KB RSS per server.
"""

from __future__ import annotations

import argparse
import json
import statistics

from nova_support import (
    Connection,
    compute_path,
    mimic_to_measure,
    now,
    rss_bytes,
    server_body,
)


def timed(connection: Connection, method: str, path: str, body=None, expect=200):
    start = now()
    status, data = connection.request(method, path, body)
    elapsed = now() - start
    assert status == expect, (status, data[:200])
    return elapsed, data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running Mimic (default: start one)")
    parser.add_argument("--pid", type=int, help="pid of the running Mimic, for RSS")
    parser.add_argument("--servers", type=int, default=10000)
    args = parser.parse_args()
    base_url, process = mimic_to_measure(args.url)
    pid = process.process.pid if process is not None else args.pid
    try:
        connection = Connection(base_url)
        path = compute_path(connection, "bench-create")
        # One server first, so the tenant's stores exist before RSS is read.
        connection.json("POST", f"{path}/servers", server_body("warm-up"), expect=202)
        before = rss_bytes(pid) if pid else None
        latencies = []
        ids = []
        small_gets: list = []
        for index in range(args.servers):
            elapsed, data = timed(connection, "POST", f"{path}/servers",
                                  server_body(f"server-{index}"), expect=202)
            latencies.append(elapsed)
            if index < 100 or index >= args.servers - 100:
                ids.append(json.loads(data)["server"]["id"])
            if index == 99:
                small_gets = [timed(connection, "GET", f"{path}/servers/{i}")[0]
                              for i in ids]
        after = rss_bytes(pid) if pid else None
        first = statistics.mean(latencies[:100]) * 1000
        last = statistics.mean(latencies[-100:]) * 1000
        print(f"created {args.servers} servers in {sum(latencies):.1f} s")
        print(f"create mean latency: first 100 {first:.3f} ms, last 100 {last:.3f} ms, "
              f"ratio {last / first:.2f}")
        first_median = statistics.median(latencies[:100]) * 1000
        last_median = statistics.median(latencies[-100:]) * 1000
        print(f"create median latency: first 100 {first_median:.3f} ms, last 100 "
              f"{last_median:.3f} ms, ratio {last_median / first_median:.2f}")
        gets = [timed(connection, "GET", f"{path}/servers/{i}")[0] for i in ids[-100:]]
        print(f"GET one server at 101: {statistics.mean(small_gets) * 1000:.3f} ms, "
              f"at {args.servers + 1}: {statistics.mean(gets) * 1000:.3f} ms")
        deletes = [timed(connection, "DELETE", f"{path}/servers/{i}", expect=204)[0]
                   for i in ids[:100]]
        print(f"DELETE one server at {args.servers}: "
              f"{statistics.mean(deletes) * 1000:.3f} ms")
        if before is not None:
            per_server = (after - before) / args.servers
            print(f"RSS {before / 2**20:.1f} MiB -> {after / 2**20:.1f} MiB: "
                  f"{per_server:.0f} bytes per server")
            # Listing every server in detail fills the (bounded) render cache.
            marker = ""
            while True:
                page = connection.json("GET", f"{path}/servers/detail?limit=1000{marker}")
                if "servers_links" not in page:
                    break
                marker = f"&marker={page['servers'][-1]['id']}"
            listed = rss_bytes(pid)
            print(f"RSS after listing every server in detail: {listed / 2**20:.1f} MiB "
                  f"({(listed - before) / args.servers:.0f} bytes per server)")
    finally:
        if process is not None:
            process.stop()


if __name__ == "__main__":
    main()
