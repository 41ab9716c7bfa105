"""
Cloud Load Balancers benchmark: how fast one Mimic creates, reads, lists and
changes load balancers, and how much memory they take.

Run by hand against a started server on loopback (never as a test)::

    python -m mimic --listen tcp:8900:interface=127.0.0.1 &
    python bench/clb_bench.py --base http://127.0.0.1:8900 --pid $! --count 500

Every phase is bounded by ``--seconds`` so a slow machine still finishes.
"""

from __future__ import annotations

import argparse
import time

import requests


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def phase(name: str, count: int, seconds: float, call) -> None:
    started = time.perf_counter()
    done = 0
    while done < count and time.perf_counter() - started < seconds:
        call(done)
        done += 1
    elapsed = time.perf_counter() - started
    print(f"{name:<32} {done:>6} requests  {done / elapsed:>8.0f} req/s  "
          f"{1000 * elapsed / max(done, 1):>6.2f} ms each")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8900")
    parser.add_argument("--pid", type=int, help="the server's pid, to report its RSS")
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=30)
    options = parser.parse_args()

    http = requests.Session()
    http.post(f"{options.base}/mimic/v1.1/reset").raise_for_status()
    access = http.post(f"{options.base}/identity/v2.0/tokens", json={"auth": {
        "passwordCredentials": {"username": "bench", "password": "x"},
        "tenantId": "bench"}}).json()["access"]
    url = next(e["publicURL"] for s in access["serviceCatalog"]
               if s["type"] == "rax:load-balancer" for e in s["endpoints"]
               if e["region"] == "ORD")
    # One load balancer made and deleted first: Mimic builds an API's routes
    # and loads its model on the API's first request (start-up stays short),
    # and that one-time cost is not a load balancer's.
    warm = http.post(f"{url}/loadbalancers", json={"loadBalancer": {
        "name": "warm-up", "protocol": "HTTP", "virtualIps": [{"type": "PUBLIC"}],
        "nodes": [{"address": "10.255.255.1", "port": 80, "condition": "ENABLED"}]}})
    assert warm.status_code == 202, warm.text
    http.delete(f"{url}/loadbalancers/{warm.json()['loadBalancer']['id']}").raise_for_status()
    before = rss_kib(options.pid) if options.pid else 0
    ids: list = []

    def create(i: int) -> None:
        response = http.post(f"{url}/loadbalancers", json={"loadBalancer": {
            "name": f"lb-{i}", "protocol": "HTTP", "virtualIps": [{"type": "PUBLIC"}],
            "nodes": [{"address": f"10.{i // 250 % 250}.{i % 250}.{n}", "port": 80,
                       "condition": "ENABLED"} for n in range(1, 6)]}})
        assert response.status_code == 202, response.text
        ids.append(response.json()["loadBalancer"]["id"])

    phase("create (5 nodes each)", options.count, options.seconds, create)
    after = rss_kib(options.pid) if options.pid else 0
    phase("get details", options.count, options.seconds,
          lambda i: http.get(f"{url}/loadbalancers/{ids[i % len(ids)]}").raise_for_status())
    phase(f"list ({len(ids)} load balancers)", 50, options.seconds,
          lambda i: http.get(f"{url}/loadbalancers").raise_for_status())
    phase("add a node", min(options.count, len(ids)), options.seconds,
          lambda i: http.post(f"{url}/loadbalancers/{ids[i]}/nodes", json={"nodes": [
              {"address": "192.0.2.1", "port": 8080, "condition": "ENABLED"}]}
          ).raise_for_status())
    phase("delete", min(options.count, len(ids)), options.seconds,
          lambda i: http.delete(f"{url}/loadbalancers/{ids[i]}").raise_for_status())
    if options.pid:
        print(f"server RSS: {before} KiB before, {after} KiB after {len(ids)} creates "
              f"({(after - before) / max(len(ids), 1):.1f} KiB per load balancer)")


if __name__ == "__main__":
    main()
