"""
Fastly benchmark: how fast a started Mimic answers the Poppy-style
sequence (create service, add domain and backend, activate) as the number
of services grows, and how long listing and domain checks take at the end.

Run by hand against a server on loopback, never as a test::

    twistd -n mimic &   # or: python -m mimic --listen tcp:8900:interface=127.0.0.1
    python bench/fastly_bench.py --url http://127.0.0.1:8900 --services 1000

It stops at ``--services`` or after ``--seconds``, whichever comes first,
and resets Mimic before and after.
"""

from __future__ import annotations

import argparse
import statistics
import time

import requests


def percentile(samples: list, fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8900")
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60.0)
    options = parser.parse_args()

    http = requests.Session()
    http.headers["Fastly-Key"] = "bench"
    base = options.url.rstrip("/") + "/fastly"
    http.post(options.url.rstrip("/") + "/mimic/v1.1/reset").raise_for_status()

    latencies: list = []

    def timed(method: str, path: str, **kwargs) -> requests.Response:
        started = time.perf_counter()
        response = http.request(method, base + path, **kwargs)
        latencies.append(time.perf_counter() - started)
        response.raise_for_status()
        return response

    deadline = time.monotonic() + options.seconds
    began = time.perf_counter()
    made = 0
    while made < options.services and time.monotonic() < deadline:
        sid = timed("POST", "/service", data={"name": f"site-{made}"}).json()["id"]
        timed("POST", f"/service/{sid}/version/1/domain",
              data={"name": f"www.site-{made}.example"})
        timed("POST", f"/service/{sid}/version/1/backend",
              data={"name": "origin", "address": "192.0.2.1", "port": "443"})
        timed("PUT", f"/service/{sid}/version/1/activate")
        made += 1
    elapsed = time.perf_counter() - began

    started = time.perf_counter()
    timed("GET", "/service", params={"per_page": "1000"})
    list_seconds = time.perf_counter() - started
    started = time.perf_counter()
    timed("GET", f"/service/{sid}/details")
    details_seconds = time.perf_counter() - started

    http.post(options.url.rstrip("/") + "/mimic/v1.1/reset").raise_for_status()
    print(f"services configured: {made} ({len(latencies)} requests) in {elapsed:.2f} s")
    print(f"throughput: {len(latencies) / elapsed:.0f} requests/s")
    print(f"latency: median {statistics.median(latencies) * 1000:.2f} ms, "
          f"p99 {percentile(latencies, 0.99) * 1000:.2f} ms, "
          f"max {max(latencies) * 1000:.2f} ms")
    print(f"list of {min(made, 1000)} services: {list_seconds * 1000:.1f} ms; "
          f"details: {details_seconds * 1000:.1f} ms")


if __name__ == "__main__":
    main()
