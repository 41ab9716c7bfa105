"""
Start-up stays as designed (issue 17: the first 200 on ``GET /`` within
0.35 s), checked by what it imports and makes, never by timing it:

- the ``mimic`` command answers its first ``GET /`` before it imports
  twistd's application machinery, Klein, werkzeug, Mimic's own root routes,
  any API's routes or models (Identity's store included), the state file's
  SQLite journal, the mesh's YAML and JSON schema, Prometheus, or key
  generation; and werkzeug makes no URL builder until one is used;
- ``GET /`` and ``HEAD /``, answered without Klein, answer byte for byte
  what Mimic's root route answers; every other method of ``/`` still gets
  the route's JSON 405;
- the garbage collector, paused while the command starts, collects again
  once the reactor runs, with what start-up made frozen out of its passes;
- the store of all state is made on first need, as a reset makes it, even
  after the clock moved;
- the ``mimic`` command still ends by the signal that stopped it, as
  ``twistd`` does, and ``twistd -n mimic`` still serves.

``python -m bench.compare --only start-up`` measures the time itself.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from mimic.core import MimicCore
from mimic.lazy_resource import resolved
from mimic.resource import MountedRoot
from mimic.site import MimicSite
from tests.harness import start_mimic
from tests.test_site_hot_path import Connection, request, split

ROOT = Path(__file__).resolve().parent.parent
TWISTD = os.path.join(os.path.dirname(sys.executable), "twistd")

#: Modules (and their submodules) the ``mimic`` command must not have
#: imported when it answers its first ``GET /``.
NOT_AT_START_UP = (
    "twisted.application", "twisted.scripts", "twisted.web.client", "klein", "werkzeug",
    "mimic.tap", "mimic.klein_rendering", "mimic.rest.root_api", "mimic.state",
    "mimic.model.identity", "mimic.model.images", "mimic.state_file", "sqlite3",
    "mimic.rest.nova_api", "mimic.rest.cinder_api", "mimic.rest.neutron",
    "mimic.rest.glance_api", "mimic.rest.clb_api", "mimic.rest.fastly_api",
    "mimic.rest.identity_api", "mimic.rest.mesh_api", "mimic.rest.openapi",
    "mimic.model.nova", "mimic.model.mesh", "yaml", "jsonschema", "prometheus_client",
    "mimic.model.keypairs",
)

#: Runs the ``mimic`` command in this process, with a thread that asks for
#: ``GET /`` until it gets a 200, then writes what it got and which modules
#: were imported by then, and stops the server with SIGTERM. Afterwards
#: (klein imported now, for the check alone) the type of the root routes'
#: URL rules and of their builder.
FIRST_GET = """
import gc, json, os, signal, socket, sys, threading, time

port, out = int(sys.argv[1]), sys.argv[2]


def probe():
    seen = {}
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not seen:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                    sock.sendall(b"GET / HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nConnection: close\\r\\n\\r\\n")
                    answer = b""
                    while chunk := sock.recv(65536):
                        answer += chunk
            except OSError:
                time.sleep(0.01)
                continue
            seen = {"answer": answer.decode("latin-1"), "modules": sorted(sys.modules),
                    "collector": [gc.isenabled(), gc.get_freeze_count()]}
        from mimic.rest.root_api import MimicRoot
        rule = next(MimicRoot.app.url_map.iter_rules())
        seen["rule"] = [type(rule).__name__, rule._build.__qualname__]
    finally:
        with open(out, "w") as stream:
            json.dump(seen, stream)
        os.kill(os.getpid(), signal.SIGTERM)


threading.Thread(target=probe, daemon=True).start()
from mimic.__main__ import main
main(["--quiet", "--listen", f"tcp:{port}:interface=127.0.0.1"])
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_mimic_command_answers_its_first_get_of_the_root_importing_only_what_serves_it(
        tmp_path):
    out = tmp_path / "first-get.json"
    completed = subprocess.run(
        [sys.executable, "-c", FIRST_GET, str(free_port()), str(out)], cwd=ROOT,
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    seen = json.loads(out.read_text())
    assert seen["answer"].startswith("HTTP/1.1 200 OK\r\n")
    assert seen["answer"].endswith(
        "\r\n\r\nTo get started with Mimic, POST an authentication request to:\n"
        "\n/identity/v2.0/tokens\n")
    imported = [name for name in seen["modules"]
                if any(name == heavy or name.startswith(heavy + ".") for heavy in NOT_AT_START_UP)]
    assert imported == []
    # The garbage collector, off while Mimic started, is on again, with what
    # start-up made frozen out of its passes.
    collecting, frozen = seen["collector"]
    assert collecting and frozen > 10_000
    # Imported later, werkzeug's rules still make their URL builders lazily.
    assert seen["rule"] == ["LazyBuildRule", "LazyBuildRule._compile_builder.<locals>.build"]
    # Stopped by SIGTERM, the command ends by it, as twistd ended.
    assert completed.returncode == -signal.SIGTERM
    assert "Server Shut Down." in completed.stdout


def answers_without_date(connection: Connection, raw: bytes) -> tuple:
    status, headers, body = split(connection.send(raw))
    headers.pop("date")
    return status, headers, body


def test_get_and_head_of_the_root_answer_what_the_root_route_answers():
    core = MimicCore.from_plugins()
    root = MountedRoot(core)
    greeting = Connection(MimicSite(root, core=core))
    # Mimic's root routes as the site's root (of another core): GET /
    # reaches the route.
    other = MimicCore.from_plugins()
    route = Connection(MimicSite(resolved(MountedRoot(other).root), core=other))
    for method in ("GET", "HEAD"):
        answered = answers_without_date(greeting, request(method, "/"))
        assert answered == answers_without_date(route, request(method, "/"))
        assert answered[:2] == (200, {
            "server": "TwistedWeb/26.10.0", "content-type": "text/plain; charset=utf-8",
            "content-length": "85"})
    assert answered[2] == b""   # HEAD: the length alone
    # The greeting made no store (a fresh Mimic makes it on first need).
    assert core._store is None
    status, headers, body = split(greeting.send(request("POST", "/", b"{}")))
    assert (status, sorted(headers["allow"].split(", "))) == (405, ["GET", "HEAD"])
    assert json.loads(body) == {"badMethod": {"code": 405,
                                              "message": "Method POST is not allowed here."}}


def test_the_store_made_on_first_need_holds_the_profiles_accounts_even_after_a_tick():
    core = MimicCore.from_plugins(apis=[], options={"profile": "devstack"})
    core.tick(90)
    store = core.store
    assert store.user_by_name("demo") is not None
    assert store.now() == 90
    assert core.store is store
    core.reset()
    assert core.store is not store and core.store.now() == 0


def test_twistd_n_mimic_still_serves_and_stops_as_twistd(tmp_path):
    server = start_mimic(command=[TWISTD, "-n", "--pidfile=", "mimic", "--listen",
                                  "tcp:0:interface=127.0.0.1"], cwd=str(ROOT))
    try:
        client = server.client()
        assert client.get("/").text.startswith("To get started with Mimic")
        assert client.get("/mimicking/nova/ORD/v2/123/servers").json() == {"servers": []}
    finally:
        server.stop()
    assert server.process.returncode == -signal.SIGTERM
    assert "twistd" in server.log and "Server Shut Down." in server.log
