"""
Mesh benchmark: how many call trees per second one embedded Mimic serves.

Workloads, each for ``--seconds`` under ``--clients`` concurrent
keep-alive clients (threads, in this process; the server is another):

- chain: ``/mesh/a/@b/@c/x``, a 2-hop chain (a -> b -> c: three nodes and
  two real upstream HTTP calls per request);
- fan-out: ``/mesh/a/@b|c|d|e/x``, four concurrent upstream calls;
- policy: the chain with Istio policies on both hops (a VirtualService with
  retries and a timeout, a DestinationRule with outlier detection): the
  cost of the sidecar's decisions (target: at least 80 % of chain);
- bare: the same 2-hop chain through a minimal Twisted proxy (a Resource
  forwarding over a persistent ``Agent``, answering a small JSON body), in
  a process this script starts: the baseline of what one hop costs in
  Twisted at all (target: ours / bare at least 0.7).
- leaf: ``/mesh/a/x``, one node and no upstream call (what a pod at the end
  of a chain does for each request).

The workloads take turns, each ``--seconds`` in ``--slices`` stretches
(default 5), so that the ratios compare workloads over the same moments of
the machine; with ``--pid`` (the server's process id) the server and the
bare proxy run on one CPU and the clients on another, as ``bench.compare``
places them (``--no-pin`` leaves them to the scheduler). Run whole one after
the other and unpinned, ours / bare per hop ranged over 0.64-0.80 in three
runs of the same code (docs/performance.rst).

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
import os
import threading
import time
from typing import Optional
from urllib.parse import urlsplit

try:
    from bench._placement import pin
except ImportError:   # run as a script: bench/ is on sys.path, not its parent
    from _placement import pin  # type: ignore[no-redef]

SERVICES = ["a", "b", "c", "d", "e"]
WORKLOADS = {
    "chain": "/mesh/a/@b/@c/x",
    "fanout": "/mesh/a/@b%7Cc%7Cd%7Ce/x",
    "policy": "/mesh/a/@b/@c/x",
    "bare": "/hop/2",
    "leaf": "/mesh/a/x",
}


def mesh_documents(policies: bool = False) -> str:
    documents = [
        "apiVersion: mimik.veicot.io/v1alpha1\nkind: Mimik\n"
        f"metadata: {{name: {name}}}\nspec: {{service: {name}, version: v1}}\n"
        for name in SERVICES
    ]
    if policies:
        for name in ("b", "c"):
            documents.append(
                "apiVersion: networking.istio.io/v1\nkind: VirtualService\n"
                f"metadata: {{name: {name}}}\nspec:\n  hosts: [{name}]\n  http:\n"
                "    - timeout: 5s\n"
                "      retries: {attempts: 2, perTryTimeout: 2s, retryOn: 5xx}\n"
                f"      route: [{{destination: {{host: {name}}}}}]\n")
            documents.append(
                "apiVersion: networking.istio.io/v1\nkind: DestinationRule\n"
                f"metadata: {{name: {name}}}\nspec:\n  host: {name}\n  trafficPolicy:\n"
                "    outlierDetection: {consecutive5xxErrors: 5, interval: 10s, "
                "baseEjectionTime: 30s}\n")
    return "---\n".join(documents)


BARE_PROXY = r'''
import sys
from twisted.internet import reactor
from twisted.web.client import Agent, HTTPConnectionPool, readBody
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Site

pool = HTTPConnectionPool(reactor, persistent=True)
pool.maxPersistentPerHost = 64
agent = Agent(reactor, pool=pool)


class Hop(Resource):
    isLeaf = True

    def render_GET(self, request):
        depth = int(request.postpath[0]) if request.postpath and request.postpath[0] else 0
        request.setHeader(b"content-type", b"application/json")
        if depth == 0:
            return b'{"code":200,"upstream_calls":[]}'
        port = request.getHost().port
        url = b"http://127.0.0.1:%d/hop/%d" % (port, depth - 1)
        answering = agent.request(b"GET", url).addCallback(readBody)

        def answer(body):
            request.write(b'{"code":200,"upstream_calls":[' + body + b"]}")
            request.finish()

        answering.addCallback(answer)
        return NOT_DONE_YET


root = Resource()
root.putChild(b"hop", Hop())
listening = reactor.listenTCP(0, Site(root), interface="127.0.0.1", backlog=1024)
print(listening.getHost().port, flush=True)
reactor.run()
'''


def start_bare_proxy() -> tuple:
    """The bare Twisted proxy in a process of its own: (process, port)."""
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-c", BARE_PROXY], stdout=subprocess.PIPE,
                               text=True)
    return process, int(process.stdout.readline())


def control(host: str, port: int, method: str, path: str, body: bytes = b"") -> int:
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request(method, path, body=body, headers={"content-type": "application/yaml"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def cpu_seconds(pid: Optional[int]) -> Optional[float]:
    """User + system CPU of process ``pid`` so far (Linux ``/proc``), or None."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(host: str, port: int, path: str, clients: int, seconds: float,
        pid: Optional[int] = None) -> dict:
    """One stretch of ``seconds`` of a workload: its raw figures (see :func:`summary`)."""
    cpu_before = cpu_seconds(pid)
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
    cpu_after = cpu_seconds(pid)
    return {"latencies": latencies, "failed": sum(failures), "elapsed": elapsed,
            "cpu": None if cpu_before is None or cpu_after is None else cpu_after - cpu_before}


def summary(parts: list) -> dict:
    """A workload's figures over all its stretches."""
    latencies = sorted(latency for part in parts for latency in part["latencies"])
    elapsed = sum(part["elapsed"] for part in parts)
    cpu = None if any(part["cpu"] is None for part in parts) else \
        sum(part["cpu"] for part in parts)

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "requests": len(latencies),
        "failed": sum(part["failed"] for part in parts),
        "per_second": len(latencies) / elapsed,
        "p50_ms": percentile(0.50),
        "p99_ms": percentile(0.99),
        "cpu_ms": None if cpu is None or not latencies else cpu * 1000 / len(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8900")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workloads", default="chain,fanout,leaf,policy,bare",
                        help="comma-separated: chain (2-hop chain), fanout (fan-out of 4), "
                             "leaf (one node), policy (chain under Istio policies), "
                             "bare (Twisted proxy chain)")
    parser.add_argument("--path", help="measure GET PATH instead of the workloads")
    parser.add_argument("--pid", type=int,
                        help="the Mimic server's process id: also print its CPU per request "
                             "(the bare proxy's is read from the process this script starts), "
                             "and run it and the bare proxy on one CPU, the clients on another")
    parser.add_argument("--slices", type=int, default=5,
                        help="turns each workload takes of its --seconds (at most one a second)")
    parser.add_argument("--no-pin", dest="pin", action="store_false",
                        help="with --pid, leave the processes where the scheduler puts them")
    args = parser.parse_args()
    pinning = args.pin and args.pid is not None
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
    results: dict = {}
    bare = None
    pin([args.pid] if pinning else [], pinning)
    slices = min(max(args.slices, 1), int(seconds))
    try:
        paths = ({args.path: args.path} if args.path else
                 {name: WORKLOADS[name] for name in args.workloads.split(",")})
        targets = {}
        for name in paths:
            targets[name] = (host, port), args.pid
            if name == "bare":
                bare = start_bare_proxy()
                targets[name] = ("127.0.0.1", bare[1]), bare[0].pid
                pin([bare[0].pid], pinning)
        parts: dict = {name: [] for name in paths}
        loaded = False   # the plain mesh, loaded above
        for turn in range(slices):
            # The workloads take turns (the one that starts rotating), so
            # that each sees the same moments of the machine.
            names = list(paths)
            names = names[turn % len(names):] + names[:turn % len(names)]
            for name in names:
                policies = name == "policy"
                if name != "bare" and loaded != policies:
                    control(host, port, "POST", "/mimic/v1.1/mesh",
                            mesh_documents(policies=policies).encode())
                    loaded = policies
                target, pid = targets[name]
                parts[name].append(run(*target, paths[name], args.clients,
                                       seconds / slices, pid))
        for name in paths:
            result = results[name] = summary(parts[name])
            cpu = "" if result["cpu_ms"] is None else f"cpu {result['cpu_ms']:5.2f} ms/req  "
            print(f"{name:8} {result['per_second']:8.1f} req/s  "
                  f"p50 {result['p50_ms']:6.2f} ms  p99 {result['p99_ms']:6.2f} ms  {cpu}"
                  f"({result['requests']} requests, {result['failed']} failed, "
                  f"{args.clients} clients, {seconds:.0f} s in {slices} turns)")
    finally:
        control(host, port, "POST", "/mimic/v1.1/reset")
        if bare is not None:
            bare[0].terminate()
            bare[0].wait()
    if "chain" in results and "policy" in results:
        print(f"policy / chain: {results['policy']['per_second'] / results['chain']['per_second']:.2f}"
              "  (target >= 0.80)")
    if "chain" in results and "bare" in results:
        print(f"ours / bare per hop: {results['chain']['per_second'] / results['bare']['per_second']:.2f}"
              "  (target >= 0.70)")
        if results["chain"]["cpu_ms"] and results["bare"]["cpu_ms"]:
            # CPU per request is what the load of other processes disturbs least.
            print(f"bare / ours CPU per chain request: "
                  f"{results['bare']['cpu_ms'] / results['chain']['cpu_ms']:.2f}")


if __name__ == "__main__":
    main()
