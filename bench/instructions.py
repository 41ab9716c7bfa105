"""
Instructions per request, counted by valgrind's callgrind: a figure that
the machine's moment does not move, for deciding between two versions of
a hot path when rates do not settle.

    .venv/bin/python -m bench.instructions [--case mesh|servers] [--requests 1000]
        [--checkout OTHER ...] [--bare]

Each server (this checkout's Mimic, ``--checkout``'s Mimics, and with
``--bare`` the case's baseline from :mod:`bench.baselines`) runs under
``valgrind --tool=callgrind --instr-atstart=no``; after 200 untimed
requests (caches, pools and the heap settle) instrumentation is switched on
with ``callgrind_control``, ``--requests`` requests are sent by four
keep-alive clients, the counts are dumped, and the user-space instructions
of the server's whole process (Python, C extensions, libc) are divided by
the requests. The same code gives the same figure within about 0.3 % run
to run; the kernel's side of each request (the socket calls) is not in it.

Cases: ``mesh``, the 1-hop cascade ``/mesh/a/@b/x`` of :mod:`bench.compare`
(its baseline the Klein + ``Agent`` proxy hop), and ``servers``, ``GET
servers`` of a tenant without servers (its baseline the bare Klein route).

Under callgrind a server runs some 50 times slower: 1,000 mesh requests
take about 40 s a server. Needs ``valgrind`` (Debian's package); run by
hand, never as a test (docs/performance.rst).
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from typing import Optional

from bench._fastload import closed_loop, http_request
from bench.compare import call, compute_path, free_port
from bench.mesh import mesh_documents

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASELINES = os.path.join(ROOT, "bench", "baselines.py")
WARM_UP = 200
#: Most requests one count sends: the server runs about 50 times slower.
MOST_REQUESTS = 20_000


def wait_for(port: int, path: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 300   # a Python under callgrind starts slowly
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if call(port, "GET", path)[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError("the server did not answer within 300 s")


def count(case: str, requests: int, checkout: Optional[str], bare: bool) -> tuple:
    """(requests answered, instructions per request) of one server."""
    port = free_port()
    environment = dict(os.environ)
    cwd = None
    if bare:
        kind = "proxy" if case == "mesh" else "klein"
        command = [sys.executable, BASELINES, kind, str(port)]
        ready = "/hop/0" if case == "mesh" else "/v2/t/servers"
    else:
        command = [sys.executable, "-m", "mimic", "--quiet", "--listen",
                   f"tcp:{port}:interface=127.0.0.1"]
        ready = "/"
        if checkout is not None:
            environment["PYTHONPATH"] = cwd = checkout
    with tempfile.TemporaryDirectory(prefix="bench-callgrind-") as directory:
        output = os.path.join(directory, "callgrind.out")
        process = subprocess.Popen(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no",
             f"--callgrind-out-file={output}", *command],
            cwd=cwd, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(port, ready, process)
            if bare:
                path = "/hop/1" if case == "mesh" else "/v2/t/servers"
            elif case == "mesh":
                status, data = call(port, "POST", "/mimic/v1.1/mesh",
                                    mesh_documents().encode(), "application/yaml")
                assert status == 200, data[:300]
                path = "/mesh/a/@b/x"
            else:
                path = compute_path(port, "instructions") + "/servers"
            request = http_request("GET", path)
            closed_loop("127.0.0.1", port, request, 4, 600, max_requests=WARM_UP)
            control = ["callgrind_control"]
            subprocess.run([*control, "--instr=on", str(process.pid)], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            result = closed_loop("127.0.0.1", port, request, 4, 600, max_requests=requests)
            subprocess.run([*control, "--dump", str(process.pid)], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait()
        if result["unexpected"]:
            raise RuntimeError(f"{result['unexpected']} answers were not 200")
        total = 0
        for name in glob.glob(output + "*"):
            with open(name) as stream:
                for line in stream:
                    if line.startswith(("summary:", "totals:")):
                        total = max(total, int(line.split()[1]))
    return result["requests"], total / result["requests"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=["mesh", "servers"], default="mesh")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--checkout", action="append", default=[],
                        help="also count this checkout's Mimic (its code, this venv)")
    parser.add_argument("--bare", action="store_true", help="also count the case's baseline")
    options = parser.parse_args()
    for tool in ("valgrind", "callgrind_control"):
        if shutil.which(tool) is None:
            parser.error(f"{tool} is not on PATH (Debian: apt-get install valgrind)")
    requests = min(max(options.requests, 100), MOST_REQUESTS)
    sides = [("this checkout", None, False)]
    sides += [(os.path.basename(os.path.abspath(c)), os.path.abspath(c), False)
              for c in options.checkout]
    if options.bare:
        sides.append(("bare baseline", None, True))
    figures = {}
    for label, checkout, bare in sides:
        answered, per_request = count(options.case, requests, checkout, bare)
        figures[label] = per_request
        print(f"{label:<24} {answered:>6} requests  {per_request:>12,.0f} instructions "
              "per request", flush=True)
    mine = figures["this checkout"]
    for label, per_request in figures.items():
        if label != "this checkout":
            print(f"  this checkout / {label}: {mine / per_request:.3f}")


if __name__ == "__main__":
    main()
