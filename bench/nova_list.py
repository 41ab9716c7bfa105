"""
How fast Mimic lists servers: ``GET servers`` and ``GET servers/detail``
in a tenant with 0 and with 1,000 servers, requests per second over one
keep-alive connection, each measurement bounded by a count and a time.

Repeated listings with nothing changed in between are answered from the
listing cache; the "after a change" lines change one server's metadata
before every (timed) listing, so each one is assembled anew from the
per-server cache.

    .venv/bin/python bench/nova_list.py [--url http://127.0.0.1:8900]

Target (docs/performance.rst): detail list of 1,000 servers >= 200 req/s.
"""

from __future__ import annotations

import argparse

from nova_support import Connection, compute_path, mimic_to_measure, now, server_body


def rate(connection: Connection, path: str, requests: int, seconds: float) -> tuple[float, int]:
    """Requests per second of GET ``path``, and the body size."""
    size = len(connection.request("GET", path)[1])  # warm the caches, as any client would
    start = now()
    done = 0
    while done < requests and now() - start < seconds:
        status, body = connection.request("GET", path)
        assert status == 200, body[:200]
        done += 1
    return done / (now() - start), size


def rate_after_changes(connection: Connection, path: str, server_path: str,
                       requests: int, seconds: float) -> float:
    """Listings per second when one server changed before each listing."""
    spent = 0.0
    done = 0
    started = now()
    while done < requests and now() - started < seconds:
        connection.json("PUT", f"{server_path}/metadata/counter",
                        {"meta": {"counter": str(done)}})
        start = now()
        status, body = connection.request("GET", path)
        spent += now() - start
        assert status == 200, body[:200]
        done += 1
    return done / spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running Mimic (default: start one)")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    base_url, process = mimic_to_measure(args.url)
    try:
        connection = Connection(base_url)
        for count, tenant in ((0, "bench-list-0"), (1000, "bench-list-1000")):
            path = compute_path(connection, tenant)
            for index in range(count):
                connection.json("POST", f"{path}/servers", server_body(f"s{index}"), expect=202)
            for suffix in ("servers", "servers/detail"):
                per_second, size = rate(connection, f"{path}/{suffix}",
                                        args.requests, args.seconds)
                print(f"GET {suffix:<15} {count:>5} servers: {per_second:8.1f} req/s "
                      f"({size} bytes)")
            if count:
                first = connection.json("GET", f"{path}/servers?limit=1")["servers"][0]
                for suffix in ("servers", "servers/detail"):
                    per_second = rate_after_changes(
                        connection, f"{path}/{suffix}", f"{path}/servers/{first['id']}",
                        args.requests, args.seconds)
                    print(f"GET {suffix:<15} {count:>5} servers: {per_second:8.1f} req/s "
                          "after a change each time")
    finally:
        if process is not None:
            process.stop()


if __name__ == "__main__":
    main()
