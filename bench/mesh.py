"""
Mesh benchmark: how many call trees per second one embedded Mimic serves.

Two workloads, each for ``--seconds`` under ``--clients`` concurrent
keep-alive clients (threads, in this process; the server is another):

- chain: ``/mesh/a/@b/@c/x``, a 2-hop chain (a -> b -> c: three nodes and
  two real upstream HTTP calls per request);
- fan-out: ``/mesh/a/@b|c|d|e/x``, four concurrent upstream calls;
- leaf: ``/mesh/a/x``, one node and no upstream call (what a pod at the end
  of a chain does for each request).

``--path`` measures any other path instead, e.g. a standalone pod
(``mimic --mesh-service a``): ``--path /x`` (a leaf), or ``--path /@b/x``
for a pod calling one upstream pod (started with ``--mesh-resolve``).

Run against a started server on loopback, e.g.::

    mimic --listen tcp:8900:interface=127.0.0.1 &
    .venv/bin/python bench/mesh.py --url http://127.0.0.1:8900 --seconds 10

It replaces the server's mesh (``POST /mimic/v1.1/mesh``) with five plain
mock services and leaves the server reset afterwards. Bounded: each
workload stops after ``--seconds`` (at most 120) and every request has a
10 s timeout.
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time
from urllib.parse import urlsplit

SERVICES = ["a", "b", "c", "d", "e"]
WORKLOADS = {
    "chain": "/mesh/a/@b/@c/x",
    "fanout": "/mesh/a/@b%7Cc%7Cd%7Ce/x",
    "leaf": "/mesh/a/x",
}


def mesh_documents() -> str:
    return "---\n".join(
        "apiVersion: mimik.veicot.io/v1alpha1\nkind: Mimik\n"
        f"metadata: {{name: {name}}}\nspec: {{service: {name}, version: v1}}\n"
        for name in SERVICES
    )


def control(host: str, port: int, method: str, path: str, body: bytes = b"") -> int:
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request(method, path, body=body, headers={"content-type": "application/yaml"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def run(host: str, port: int, path: str, clients: int, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    latencies: list = []
    failures: list = []
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=10)
        mine, bad = [], 0
        while time.monotonic() < deadline:
            started = time.monotonic()
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            mine.append(time.monotonic() - started)
            if response.status != 200 or json.loads(body)["code"] != 200:
                bad += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            failures.append(bad)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    latencies.sort()

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "requests": len(latencies),
        "failed": sum(failures),
        "per_second": len(latencies) / elapsed,
        "p50_ms": percentile(0.50),
        "p99_ms": percentile(0.99),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8900")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workloads", default="chain,fanout,leaf",
                        help="comma-separated: chain (2-hop chain), fanout (fan-out of 4), "
                             "leaf (one node)")
    parser.add_argument("--path", help="measure GET PATH instead of the workloads")
    args = parser.parse_args()
    seconds = min(max(args.seconds, 1.0), 120.0)
    address = urlsplit(args.url)
    if address.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("bench/mesh.py only runs against a Mimic on loopback")
    host, port = address.hostname, address.port or 80
    try:
        status = control(host, port, "POST", "/mimic/v1.1/mesh", mesh_documents().encode())
    except ConnectionRefusedError:
        raise SystemExit(f"no Mimic answers at {args.url}: start one first, e.g. "
                         "mimic --listen tcp:8900:interface=127.0.0.1 &") from None
    if status != 200:
        raise SystemExit(f"could not load the bench mesh: HTTP {status}")
    try:
        paths = ({args.path: args.path} if args.path else
                 {name: WORKLOADS[name] for name in args.workloads.split(",")})
        for name, path in paths.items():
            result = run(host, port, path, args.clients, seconds)
            print(f"{name:8} {result['per_second']:8.1f} req/s  "
                  f"p50 {result['p50_ms']:6.2f} ms  p99 {result['p99_ms']:6.2f} ms  "
                  f"({result['requests']} requests, {result['failed']} failed, "
                  f"{args.clients} clients, {seconds:.0f} s)")
    finally:
        control(host, port, "POST", "/mimic/v1.1/reset")


if __name__ == "__main__":
    main()
