"""
Mimic against the bare stack, in one run: ``python -m bench.compare``
starts a Mimic (``--quiet``) and the baselines of :mod:`bench.baselines`
as separate processes on loopback, runs each case against Mimic and its
baseline, three repetitions, and prints each run, then a table of medians
with their spread, the ratio to the baseline measured in the same run, and
whether the target is met. Within a repetition the two sides take turns in
slices (six of 0.5 s each by default), so that a ratio compares the two
under the same load on the machine rather than seconds apart; and with two
CPUs or more the servers run on one CPU and the load generator on another
(``--no-pin`` leaves them to the scheduler).

    .venv/bin/python -m bench.compare [--seconds 3] [--repetitions 3] [--clients 10] [--slices 6] [--no-pin]
    .venv/bin/python -m bench.compare --only start-up [--repetitions 9] [--against ../main]

Cases (targets of issue 17):

- ``GET servers`` of a tenant without servers, against a bare Klein JSON
  route answering the same bytes (and, for reference, a bare
  ``twisted.web`` resource): at least 0.80;
- ``POST /identity/v2.0/tokens`` (100 users, each its own tenant), against
  a Klein route that parses the JSON body and answers Mimic's own token
  answer, pre-encoded: at least 0.70;
- ``GET servers/detail`` of 1,000 servers, the same URI each time, against
  a bare resource writing the same bytes: at least 0.80;
- the same listing with a different URI each request (an ignored query
  parameter: the page cache misses, the per-server renderings hit): at
  least 300 requests/s;
- a mesh 1-hop cascade (``/mesh/a/@b/x``: two server requests and one
  client request per call), against a Klein route calling itself once
  through a persistent ``Agent``: at least 0.90;
- start-up: from starting the process to the first 200 on ``GET /``: at
  most 0.35 s (a bare Klein server's start-up is shown beside it).
  ``--only start-up`` runs this case alone; ``--against CHECKOUT`` starts
  another checkout's Mimic too (its ``.venv``, e.g. main's), interleaved
  with this one's, and prints its row and the ratio.

The load generator (:mod:`bench._fastload`) reports its own CPU per
request beside the server's: when the generator's is not well below the
server's, the generator was the limit and the ratio means nothing. The
load average is printed at the start and the end: on a shared machine the
absolute rates move with it; the ratios, measured minutes apart at most,
move much less.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Callable, Optional

from bench._fastload import closed_loop, cpu_seconds, http_request
from bench._placement import pin, unpin
from bench.mesh import mesh_documents
from tests.harness import start_mimic

BASELINES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "baselines.py")
USERS = 100
LISTED_SERVERS = 1000


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def call(port: int, method: str, path: str, body: Optional[bytes] = None,
         content_type: str = "application/json") -> tuple:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(method, path, body=body,
                       headers={"content-type": content_type} if body is not None else {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def token_body(user: str) -> bytes:
    return json.dumps({"auth": {"passwordCredentials": {
        "username": user, "password": "secret"}}}).encode()


def compute_path(port: int, tenant: str) -> str:
    """The path of ``tenant``'s compute endpoint in ORD, from Identity's catalog."""
    status, data = call(port, "POST", "/identity/v2.0/tokens", json.dumps({"auth": {
        "passwordCredentials": {"username": tenant, "password": "x"},
        "tenantId": tenant}}).encode())
    assert status == 200, data[:300]
    for service in json.loads(data)["access"]["serviceCatalog"]:
        if service["type"] == "compute":
            for endpoint in service["endpoints"]:
                if endpoint["region"] == "ORD":
                    return "/" + endpoint["publicURL"].split("/", 3)[3]
    raise LookupError("no compute endpoint in ORD")


class Baseline:
    """One :mod:`bench.baselines` server in a process of its own."""

    def __init__(self, kind: str, body: Optional[bytes] = None) -> None:
        command = [sys.executable, BASELINES, kind, "0"]
        self._file = None
        if body is not None:
            self._file = tempfile.NamedTemporaryFile(prefix=f"bench-{kind}-", delete=False)
            self._file.write(body)
            self._file.close()
            command += ["--body", self._file.name]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        self.port = int(self.process.stdout.readline())
        self.pid = self.process.pid

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait()
        if self._file is not None:
            os.unlink(self._file.name)


class Mimic:
    """The Mimic under test, set up with what every case needs."""

    def __init__(self) -> None:
        self.server = start_mimic("--quiet")
        self.port = int(self.server.base_url.rsplit(":", 1)[1])
        self.pid = self.server.process.pid
        self.empty = self.compute_path("compare-empty")
        self.full = self.compute_path("compare-full")
        server = json.dumps({"server": {"name": "s", "imageRef":
                                        "a1b2c3d4-0001-4e6f-8a9b-0c1d2e3f4a01",
                                        "flavorRef": "2"}}).encode()
        for _ in range(LISTED_SERVERS):
            status, data = call(self.port, "POST", f"{self.full}/servers", server)
            assert status == 202, data[:300]
        status, self.listing = call(self.port, "GET", f"{self.full}/servers/detail")
        assert status == 200 and self.listing.count(b'"OS-EXT-STS:vm_state"') \
            == LISTED_SERVERS, self.listing[:300]
        for number in range(USERS):   # every tenant's catalog, as a client would
            call(self.port, "POST", "/identity/v2.0/tokens", token_body(f"compare-{number}"))
        status, self.token = call(self.port, "POST", "/identity/v2.0/tokens",
                                  token_body("compare-0"))
        assert status == 200, self.token[:300]
        status, data = call(self.port, "POST", "/mimic/v1.1/mesh", mesh_documents().encode(),
                            "application/yaml")
        assert status == 200, data[:300]

    def compute_path(self, tenant: str) -> str:
        return compute_path(self.port, tenant)

    def stop(self) -> None:
        self.server.stop()


class Case:
    """What one row of the table measures, on Mimic and on its baseline."""

    def __init__(self, name: str, mimic: Callable, baseline: Optional[tuple],
                 target: str, check: Callable) -> None:
        self.name = name
        self.mimic = mimic            # make_request(client, n) against Mimic
        self.baseline = baseline      # (Baseline, make_request) or None
        self.target = target
        self.check = check            # (mimic rate, ratio) -> met?
        self.runs: dict = {"mimic": [], "baseline": []}


def cases(mimic: Mimic, baselines: dict) -> list:
    servers = http_request("GET", f"{mimic.empty}/servers")
    tokens = [http_request("POST", "/identity/v2.0/tokens", body=token_body(f"compare-{n}"))
              for n in range(USERS)]
    detail = f"{mimic.full}/servers/detail"
    return [
        Case("GET servers (0 servers)", lambda c, n: servers,
             (baselines["klein"], lambda c, n: http_request("GET", "/v2/t/servers")),
             ">= 0.80 of bare Klein", lambda rate, ratio: ratio >= 0.80),
        Case("  (bare twisted.web, same bytes)", None,
             (baselines["raw"], lambda c, n: http_request("GET", "/v2/t/servers")),
             "reference", None),
        Case("POST tokens", lambda c, n: tokens[(c * 7919 + n) % USERS],
             (baselines["post"],
              lambda c, n: http_request("POST", "/v2.0/tokens", body=token_body("compare-0"))),
             ">= 0.70 of Klein, JSON in, same token out", lambda rate, ratio: ratio >= 0.70),
        Case(f"servers/detail, {LISTED_SERVERS:,} servers, same URI",
             lambda c, n: http_request("GET", detail),
             (baselines["blob"], lambda c, n: http_request("GET", "/servers/detail")),
             ">= 0.80 of bare twisted.web", lambda rate, ratio: ratio >= 0.80),
        Case("  the same, a different URI each request",
             lambda c, n: http_request("GET", f"{detail}?poll={c}-{n}"),
             (baselines["blob"], lambda c, n: http_request("GET", "/servers/detail")),
             ">= 300 req/s", lambda rate, ratio: rate >= 300),
        Case("mesh 1-hop cascade", lambda c, n: http_request("GET", "/mesh/a/@b/x"),
             (baselines["proxy"], lambda c, n: http_request("GET", "/hop/1")),
             ">= 0.90 of Klein + Agent hop", lambda rate, ratio: ratio >= 0.90),
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def time_to_first_200(command: list, port: int, path: str,
                      cwd: Optional[str] = None) -> tuple:
    """
    Seconds from starting ``command`` to its first 200 on ``GET path``, and
    the CPU seconds the process had used by then (which other processes on
    the machine disturb less).
    """
    # Bytecode may be cached, as in any installed Mimic (the first,
    # untimed start writes it where the environment said not to).
    environment = {name: value for name, value in os.environ.items()
                   if name != "PYTHONDONTWRITEBYTECODE"}
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=environment, cwd=cwd)
    try:
        while time.perf_counter() - started < 60:
            try:
                status, _ = call(port, "GET", path)
                if status == 200:
                    return time.perf_counter() - started, cpu_seconds(process.pid)
            except OSError:
                time.sleep(0.002)
            if process.poll() is not None:
                raise RuntimeError(f"{command} exited with {process.returncode}")
        raise TimeoutError(f"{command} did not answer within 60 s")
    finally:
        process.terminate()
        process.wait()


def mimic_start_up(python: str, cwd: Optional[str] = None) -> tuple:
    """One Mimic's (wall, CPU) seconds to its first 200 on ``GET /``."""
    port = free_port()
    return time_to_first_200([python, "-m", "mimic", "--quiet", "--listen",
                              f"tcp:{port}:interface=127.0.0.1"], port, "/", cwd)


def klein_start_up() -> tuple:
    """A bare Klein server's (wall, CPU) seconds to its first 200."""
    port = free_port()
    return time_to_first_200([sys.executable, BASELINES, "klein", str(port)], port,
                             "/v2/t/servers")


def start_up(repetitions: int, against: Optional[str] = None) -> tuple:
    """
    (wall, CPU) pairs of this Mimic's start-ups, bare Klein's and, with
    ``against``, that checkout's Mimic's, taken in turn (the order rotating
    between repetitions, so that none always starts first).
    """
    starts: list = [lambda: mimic_start_up(sys.executable), klein_start_up]
    if against is not None:
        python = os.path.join(against, ".venv", "bin", "python")
        starts.append(lambda: mimic_start_up(python, cwd=against))
    times: list = [[] for _ in starts]
    for repetition in range(repetitions + 1):
        order = list(range(len(starts)))
        shift = repetition % len(order)
        for which in order[shift:] + order[:shift]:
            times[which].append(starts[which]())
    # The first start of each only wrote the bytecode caches.
    return tuple(kept[1:] for kept in times)


def spread(values: list, digits: int = 0) -> str:
    middle = statistics.median(values)
    return (f"{middle:,.{digits}f} ({min(values):,.{digits}f}-{max(values):,.{digits}f})")


def measure(port: int, pid: int, make: Callable, seconds: float, options) -> dict:
    """One slice of a side's run: ``closed_loop`` for ``seconds``."""
    return closed_loop("127.0.0.1", port, make, clients=options.clients, seconds=seconds,
                       server_pid=pid)


def combined(slices: list) -> dict:
    """
    A side's run from its slices: the rate over all their requests and
    time, CPU per request over all their requests, and the median of the
    slices' median latencies.
    """
    requests = sum(part["requests"] for part in slices)
    seconds = sum(part["seconds"] for part in slices)

    def per_request(key: str) -> float:
        return sum(part[key] * part["requests"] for part in slices) / requests

    return {
        "requests": requests,
        "unexpected": sum(part["unexpected"] for part in slices),
        "per_second": requests / seconds if seconds > 0 else 0.0,
        "p50_ms": statistics.median(part["p50_ms"] for part in slices),
        "server_cpu_ms": per_request("server_cpu_ms"),
        "client_cpu_ms": per_request("client_cpu_ms"),
    }


def run_case(case: "Case", repetition: int, sides: list, options) -> None:
    """
    One repetition of a case: its sides take turns in ``options.slices``
    slices each (the side that starts alternating), so that both see the
    same moments of the machine.

    On this shared machine a bare server's CPU per request moved by a
    quarter between runs seconds apart (0.60 to 0.76 ms on the mesh hop):
    with each side run whole, one after the other, that drift alone put the
    mesh ratio anywhere from 0.67 to 0.98 in five repetitions of the same
    code. Slices of half a second put both sides into the same drift.
    """
    length = options.seconds / options.slices
    parts: dict = {side: [] for side, *_ in sides}
    for number in range(options.slices):
        turn = sides if (repetition + number) % 2 == 0 else sides[::-1]
        for side, port, pid, make in turn:
            parts[side].append(measure(port, pid, make, length, options))
    for side, *_ in sides:
        result = combined(parts[side])
        case.runs[side].append(result)
        label = f"{case.name.strip()} [{'Mimic' if side == 'mimic' else 'bare'}]"
        print(f"  {label:<44} {result['per_second']:8.1f} req/s  p50 {result['p50_ms']:6.2f} ms  "
              f"server {result['server_cpu_ms']:.3f} / client {result['client_cpu_ms']:.3f} "
              f"ms CPU per request" + (f"  ({result['unexpected']} not 200)"
                                       if result["unexpected"] else ""), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per run (at most 30)")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--no-pin", dest="pin", action="store_false",
                        help="let the scheduler place the servers and the load generator")
    parser.add_argument("--slices", type=int, default=6,
                        help="turns each side takes in a repetition (each at least 0.25 s)")
    parser.add_argument("--only", choices=["start-up"],
                        help="run this case alone (start-ups are seconds, the rest minutes)")
    parser.add_argument("--against", metavar="CHECKOUT",
                        help="in the start-up case, also start this checkout's Mimic "
                        "(CHECKOUT/.venv/bin/python -m mimic), interleaved")
    options = parser.parse_args()
    options.seconds = min(max(options.seconds, 0.5), 30.0)
    options.repetitions = min(max(options.repetitions, 1), 9 if options.only is None else 31)
    options.slices = min(max(options.slices, 1), int(options.seconds / 0.25))
    if options.against is not None:
        options.against = os.path.abspath(options.against)
        if not os.path.exists(os.path.join(options.against, ".venv", "bin", "python")):
            parser.error(f"--against {options.against}: no .venv/bin/python there")
    began = time.perf_counter()
    print(f"load average at start: {load_average()}", flush=True)
    if options.only == "start-up":
        starts = start_up(options.repetitions, options.against)
        header()
        report_start_up(*starts, against=options.against)
        print(f"load average at end: {load_average()}; "
              f"{time.perf_counter() - began:.0f} s in all", flush=True)
        return
    mimic = Mimic()
    baselines: dict = {}
    try:
        baselines = {"klein": Baseline("klein"), "raw": Baseline("raw"),
                     "post": Baseline("post", mimic.token),
                     "blob": Baseline("blob", mimic.listing), "proxy": Baseline("proxy")}
        table = cases(mimic, baselines)
        everywhere = pin([mimic.pid, *(base.pid for base in baselines.values())],
                         options.pin)
        for case in table:   # warm every cache and connection pool once
            if case.mimic is not None:
                closed_loop("127.0.0.1", mimic.port, case.mimic, options.clients, 0.3)
            if case.baseline is not None:
                closed_loop("127.0.0.1", case.baseline[0].port, case.baseline[1],
                            options.clients, 0.3)
        for repetition in range(options.repetitions):
            print(f"repetition {repetition + 1} (load average {load_average()})", flush=True)
            for case in table:
                sides = []
                if case.mimic is not None:
                    sides.append(("mimic", mimic.port, mimic.pid, case.mimic))
                if case.baseline is not None and case.name.startswith("  the same"):
                    pass   # its baseline is the row above's, measured there
                elif case.baseline is not None:
                    base, make = case.baseline
                    sides.append(("baseline", base.port, base.pid, make))
                run_case(case, repetition, sides, options)
        unpin(everywhere)   # the start-ups' processes run where they like
        starts = start_up(options.repetitions, options.against)
    finally:
        mimic.stop()
        for baseline in baselines.values():
            baseline.stop()
    report(table)
    report_start_up(*starts, against=options.against)
    print(f"load average at end: {load_average()}; "
          f"{time.perf_counter() - began:.0f} s in all", flush=True)


def report(table: list) -> None:
    detail_same = next(case for case in table if case.name.startswith("servers/detail"))
    header()
    for case in table:
        mimic_rates = [run["per_second"] for run in case.runs["mimic"]]
        base_runs = case.runs["baseline"] or (
            detail_same.runs["baseline"] if case.name.startswith("  the same") else [])
        base_rates = [run["per_second"] for run in base_runs]
        ratios = [m / b for m, b in zip(mimic_rates, base_rates)]
        # Server CPU per request, bare / Mimic: what other processes on the
        # machine disturb least.
        cpu = [b["server_cpu_ms"] / m["server_cpu_ms"]
               for m, b in zip(case.runs["mimic"], base_runs)]
        mimic_text = spread(mimic_rates) if mimic_rates else "-"
        base_text = spread(base_rates) if base_rates else "-"
        ratio_text = spread(ratios, 2) if ratios and mimic_rates else "-"
        if case.check is None:
            verdict = case.target
        else:
            met = case.check(statistics.median(mimic_rates),
                             statistics.median(ratios) if ratios else 0.0)
            verdict = f"{case.target}: {'met' if met else 'NOT MET'}"
        cpu_text = f"{statistics.median(cpu):.2f}" if cpu else "-"
        print(f"{case.name:<44} {mimic_text:>22} {base_text:>22} {ratio_text:>18} "
              f"{cpu_text:>10}  {verdict}")


def header() -> None:
    print()
    print(f"{'case':<44} {'Mimic req/s':>22} {'bare req/s':>22} {'ratio':>18} "
          f"{'CPU ratio':>10}  target: met?")


def report_start_up(mimic_start: list, klein_start: list, against_start: Optional[list] = None,
                    against: Optional[str] = None) -> None:
    """The start-up rows: wall seconds to the first 200 (median and spread), then CPU."""
    mimic_wall = [wall for wall, _ in mimic_start]
    klein_wall = [wall for wall, _ in klein_start]
    met = statistics.median(mimic_wall) <= 0.35
    print(f"{'start-up to first 200 on GET / (s)':<44} {spread(mimic_wall, 3):>22} "
          f"{spread(klein_wall, 3):>22} {'':>18} {'':>10}  "
          f"<= 0.35 s: {'met' if met else 'NOT MET'}")
    mimic_cpu = statistics.median(cpu for _, cpu in mimic_start)
    klein_cpu = statistics.median(cpu for _, cpu in klein_start)
    print(f"{'  CPU by then (s); Mimic / bare Klein':<44} {mimic_cpu:>22.2f} {klein_cpu:>22.2f} "
          f"{mimic_cpu / klein_cpu if klein_cpu else 0.0:>18.2f}")
    if against_start:
        other_wall = [wall for wall, _ in against_start]
        other_cpu = statistics.median(cpu for _, cpu in against_start)
        ratios = [mine / other for mine, other in zip(mimic_wall, other_wall)]
        print(f"{'  the same, Mimic of ' + os.path.basename(against or ''):<44} "
              f"{spread(other_wall, 3):>22} {'(this / that)':>22} {spread(ratios, 2):>18}")
        print(f"{'  its CPU by then (s); this / that':<44} {other_cpu:>22.2f} {'':>22} "
              f"{mimic_cpu / other_cpu if other_cpu else 0.0:>18.2f}")
    if statistics.median(klein_wall) > 0.35 and statistics.median(mimic_wall) > 0.35:
        # Mimic imports less than bare Klein (no Klein, no werkzeug, no HTTP
        # client before its first 200), so a slow bare Klein alone says
        # nothing; both over the target says the machine is slow.
        print(f"  (a bare Klein server itself takes {statistics.median(klein_wall):.2f} s "
              "to its first 200 here: this machine is slower than the target assumes)")


if __name__ == "__main__":
    main()
