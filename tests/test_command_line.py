"""
The command line a new user meets first: ``mimic --help``/``--version``,
mistakes answered in one line, ``--listen`` with a bare port, the access
log (text, JSON, ``--quiet``), and ``make run PORT= ARGS=``.
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from mimic import __version__
from tests.harness import MimicDidNotStart, start_mimic

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def run_mimic(*args: str) -> subprocess.CompletedProcess:
    """``mimic ARGS`` that is expected to exit by itself."""
    return subprocess.run([sys.executable, "-m", "mimic", *args], capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, seconds=10.0):
    """Wait (bounded) for a log line that another thread reads from a pipe."""
    import threading

    pause = threading.Event()
    for _ in range(int(seconds * 100)):
        if condition():
            return
        pause.wait(0.01)
    raise AssertionError("condition not met in time")


def test_version_prints_mimics_version():
    result = run_mimic("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"mimic {__version__}"


def test_help_usage_line_names_mimic_not_twistd():
    result = run_mimic("--help")
    assert result.returncode == 0
    assert result.stdout.splitlines()[0] == "Usage: mimic [options]"
    assert "twistd" not in result.stdout
    for option in ("--quiet", "--log-format", "--version"):
        assert option in result.stdout


@pytest.mark.parametrize("args, says", [
    (["--no-such-option"], "option --no-such-option not recognized"),
    (["--zipkin", "collector:9411"], "--zipkin takes an http:// or https:// URL"),
    (["--zipkin", "ftp://collector/x"], "--zipkin takes an http:// or https:// URL"),
    (["--listen", "70000"], "70000 is not a port number"),
    (["--log-format", "xml"], "--log-format takes one of text, json"),
    (["--plugin-regions", "nova=XYZ"], "XYZ is not among --regions"),
    (["--quiet", "--verbose"], "cannot be given together"),
])
def test_a_wrong_option_is_one_line_and_a_pointer_to_help(args, says):
    result = run_mimic(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert says in lines[0]
    assert lines[0].startswith("mimic: ") and lines[0].endswith("(see mimic --help)")


def test_plugin_regions_of_an_unknown_plugin_lists_the_valid_names():
    result = run_mimic("--plugin-regions", "novva=ORD", "--listen", "0")
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert "novva" in output
    assert "the plugins are: cinder, cinder-control, clb, clb-control, fastly, glance, mesh, neutron, nova" in output


def test_plugin_regions_may_use_a_region_declared_in_regions(mimic_factory):
    server = mimic_factory("--regions", "ORD,XYZ", "--plugin-regions", "nova=XYZ")
    client = server.client()
    assert client.endpoint("compute", "XYZ").startswith(
        f"{server.base_url}/mimicking/nova/XYZ/")
    with pytest.raises(LookupError):
        client.endpoint("compute", "ORD")


def test_listen_takes_a_bare_port_as_that_port_on_loopback():
    port = free_port()
    # The harness's own --listen comes first; the last one given wins.
    with start_mimic("--listen", str(port)) as server:
        assert server.base_url == f"http://127.0.0.1:{port}"
        assert server.client().get("/").status_code == 200


def test_a_busy_port_is_one_line_without_a_traceback(mimic_server):
    port = mimic_server.base_url.rsplit(":", 1)[1]
    result = run_mimic("--listen", port)
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if "cannot listen" in line]
    assert len(errors) == 1
    assert f"mimic: cannot listen on tcp:{port}:interface=127.0.0.1" in errors[0]
    assert "already in use" in errors[0]


def test_access_log_has_one_line_per_request_and_no_factory_noise(mimic_factory):
    server = mimic_factory("--mesh", str(EXAMPLES / "servicemock.yaml"))
    client = server.client()
    client.post("/mimic/v1.1/tick", json={"amount": 3})
    client.get("/identity/v2.0/no-such-thing")
    # A mesh call makes real upstream HTTP calls through Twisted's client.
    assert client.get("/mesh/service1/@service2,service3/x").status_code == 200
    wait_for(lambda: server.log.count("[mimic.access#info]") >= 5)
    access = [line.split("] ", 1)[1].split() for line in server.lines
              if "[mimic.access#info]" in line]
    tick, missing = access[:2]
    assert tick[:3] == ["POST", "/mimic/v1.1/tick", "200"] and tick[4] == "control"
    assert missing[:3] == ["GET", "/identity/v2.0/no-such-thing", "404"]
    assert missing[4] == "identity"
    assert tick[3].endswith("ms") and float(tick[3][:-2]) >= 0
    assert {line[4] for line in access[2:]} == {"mesh"}
    assert "Starting factory" not in server.log
    server.stop()
    assert "Stopping factory" not in server.log


def test_quiet_turns_the_access_log_off(mimic_factory):
    server = mimic_factory("--quiet")
    client = server.client()
    client.get("/")
    client.post("/mimic/v1.1/tick", json={"amount": 1})
    # The tick's own answer comes after the greeting's log line would have.
    assert client.get("/mimic/v1.1/no-such-route").status_code == 404
    assert "mimic.access" not in server.log


TWISTD = os.path.join(os.path.dirname(sys.executable), "twistd")


@pytest.mark.parametrize("runner", ["mimic", "twistd"])
def test_log_format_json_writes_one_object_per_line(mimic_factory, runner):
    if runner == "mimic":
        server = mimic_factory("--log-format", "json")
    else:
        server = mimic_factory(command=[TWISTD, "-n", "--pidfile=", "mimic", "--listen",
                                        "tcp:0:interface=127.0.0.1", "--log-format", "json"],
                               cwd=str(ROOT))
    client = server.client()
    client.get("/mimicking/nova/ORD/v2/123/servers")
    wait_for(lambda: '"path": "/mimicking/nova/ORD/v2/123/servers"' in server.log)
    records = [json.loads(line) for line in server.lines]
    assert all({"time", "level", "namespace", "message"} <= set(r) for r in records)
    (access,) = [r for r in records if r["namespace"] == "mimic.access"]
    assert (access["method"], access["path"], access["api"]) == (
        "GET", "/mimicking/nova/ORD/v2/123/servers", "nova")
    assert isinstance(access["status"], int) and isinstance(access["duration_ms"], float)
    assert access["time"].endswith("Z")


def test_a_mesh_file_with_a_mistyped_kind_and_no_service_stops_start_up(tmp_path):
    path = tmp_path / "mesh.yaml"
    path.write_text("apiVersion: mimik.veicot.io/v1alpha1\nkind: Mimk\n"
                    "metadata: {name: a}\nspec: {service: a, version: v1}\n")
    with pytest.raises(MimicDidNotStart) as started:
        start_mimic("--mesh", str(path))
    log = str(started.value)
    assert "Traceback" not in log
    assert f"{path}, document 0: unknown kind 'Mimk'" in log
    assert "declares no service" in log


def test_a_file_of_policies_alone_is_still_a_mesh_file(tmp_path):
    from mimic.model.mesh.documents import read_mesh_files

    # Services in one file, Istio policies in another: no Mimik document,
    # but no unknown kind either.
    path = tmp_path / "policies.yaml"
    path.write_text("apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\n"
                    "metadata: {name: a}\nspec: {hosts: [a]}\n")
    assert [d.kind for d in read_mesh_files([str(path)]).documents] == ["VirtualService"]


def test_make_run_takes_port_and_args(tmp_path):
    port = free_port()
    planned = subprocess.run(
        ["make", "-s", "-n", "run", f"PORT={port}",
         "ARGS=--mesh examples/mimik-hello-world.yaml --seed 7"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    ).stdout.strip().splitlines()[-1]
    command = shlex.split(planned)
    assert command[0] == ".venv/bin/mimic"
    # Run what make would run, with this interpreter's mimic (the same code).
    with start_mimic(command=[sys.executable, "-m", "mimic", *command[1:]],
                     cwd=str(ROOT)) as server:
        assert server.base_url == f"http://127.0.0.1:{port}"
        assert server.client().get("/mesh/hello-world-frontend/").status_code == 200


def test_make_shell_puts_the_venv_first_on_path():
    result = subprocess.run(
        ["make", "-s", "shell"], cwd=ROOT, capture_output=True, text=True, timeout=120,
        input='echo "PATH=$PATH"; command -v mimic; command -v openstack\n',
        env={**os.environ, "SHELL": "/bin/sh"},
    )
    assert result.returncode == 0, result.stderr
    path_line = [line for line in result.stdout.splitlines() if line.startswith("PATH=")][0]
    assert path_line.split("=", 1)[1].split(":")[0] == str(ROOT / ".venv" / "bin")
    assert str(ROOT / ".venv" / "bin" / "mimic") in result.stdout
    assert str(ROOT / ".venv" / "bin" / "openstack") in result.stdout
