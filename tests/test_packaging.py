"""
What a user gets from ``pip install .``: a ``twistd mimic`` subcommand (the
twisted plugin installed into ``twisted/plugins``), a ``mimic`` console
script, and the same options everywhere. The install test is the one slow
test of the suite: it builds a fresh virtual environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness import start_mimic

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed_venv(tmp_path_factory):
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         str(ROOT)],
        check=True, timeout=600,
    )
    return venv


def test_pip_install_gives_a_working_twistd_mimic(installed_venv, tmp_path):
    # Run from an empty directory so only the installed copy can be imported.
    command = [str(installed_venv / "bin" / "twistd"), "-n", "--pidfile=", "mimic",
               "--listen", "tcp:0:interface=127.0.0.1"]
    env = {"PYTHONPATH": "", "PATH": os.environ.get("PATH", "")}
    server = start_mimic(command=command, cwd=str(tmp_path), env=env)
    try:
        client = server.client()
        assert "POST an authentication request" in client.get("/").text
        assert client.authenticate()["token"]["id"]
        # The dashboard's files are package data of the installed copy.
        for name in ("", "dashboard.js", "dashboard.css"):
            assert client.get(f"/mimic/dashboard/{name}").status_code == 200, name
    finally:
        server.stop()
    where = subprocess.run(
        [str(installed_venv / "bin" / "python"), "-c",
         "import mimic, twisted.plugins.mimic as p; print(mimic.__file__); print(p.__file__)"],
        cwd=str(tmp_path), env=env, capture_output=True, text=True, check=True,
    ).stdout.split()
    assert all(path.startswith(str(installed_venv)) for path in where), where


def test_install_registers_the_pytest_plugin(installed_venv, tmp_path):
    found = subprocess.run(
        [str(installed_venv / "bin" / "python"), "-c",
         "from importlib.metadata import entry_points;"
         "print([e.value for e in entry_points(group='pytest11') if e.name == 'mimic'])"],
        cwd=str(tmp_path), env={"PYTHONPATH": "", "PATH": os.environ.get("PATH", "")},
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert found == "['mimic.pytest_plugin']"


def test_installed_console_script_takes_the_same_options(installed_venv, tmp_path):
    command = [str(installed_venv / "bin" / "mimic"), "--realtime",
               "--listen", "tcp:0:interface=127.0.0.1"]
    server = start_mimic(command=command, cwd=str(tmp_path),
                         env={"PYTHONPATH": "", "PATH": os.environ.get("PATH", "")})
    try:
        tick = server.client().post("/mimic/v1.1/tick", json={"amount": 1})
        assert tick.status_code == 400
    finally:
        server.stop()


def test_help_lists_the_options():
    result = subprocess.run([sys.executable, "-m", "mimic", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for option in ("--listen", "--realtime", "--verbose", "-l", "-r", "-v"):
        assert option in result.stdout


def test_verbose_logs_each_request_and_response(mimic_factory):
    server = mimic_factory("--verbose")
    client = server.client()
    client.post("/mimic/v1.1/tick", json={"amount": 3})
    # The server logs before it answers, but its log reaches us through a
    # pipe read by another thread: wait for the line, bounded.
    _wait_for(lambda: "<-- 200 POST /mimic/v1.1/tick" in server.log)
    assert '--> POST /mimic/v1.1/tick {"amount": 3}' in server.log
    assert '"now":"1970-01-01T00:00:03.000000Z"' in server.log


def _wait_for(condition, seconds=10.0):
    import threading

    deadline = threading.Event()
    for _ in range(int(seconds * 100)):
        if condition():
            return
        deadline.wait(0.01)
    raise AssertionError("condition not met in time")


def _site_packages(venv) -> Path:
    [site] = (venv / "lib").glob("python3*/site-packages")
    return site


def test_plugin_caches_written_after_install_need_no_rewrite_at_start(installed_venv, tmp_path):
    # What the Dockerfile does after `pip install`: `cd / && python -m
    # mimic.plugin_cache`. A start must then find every cache fresh, so an
    # unprivileged user (the image's) never tries to write one.
    site = _site_packages(installed_venv)
    caches = [site / "twisted" / "plugins" / "dropin.cache",
              site / "mimic" / "plugins" / "dropin.cache"]
    for cache in caches:
        cache.unlink(missing_ok=True)
    env = {"PYTHONPATH": "", "PATH": os.environ.get("PATH", "")}
    python = str(installed_venv / "bin" / "python")
    result = subprocess.run([python, "-m", "mimic.plugin_cache"], cwd=str(tmp_path), env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for cache in caches:
        assert f"{cache}: written" in result.stdout
    before = {cache: (cache.stat().st_mtime_ns, cache.read_bytes()) for cache in caches}
    command = [str(installed_venv / "bin" / "mimic"), "--listen", "tcp:0:interface=127.0.0.1"]
    server = start_mimic(command=command, cwd=str(tmp_path), env=env)
    try:
        assert server.client().get("/").status_code == 200
    finally:
        server.stop()
    assert "Unable to write to plugin cache" not in server.log
    assert {cache: (cache.stat().st_mtime_ns, cache.read_bytes()) for cache in caches} == before


def test_plugin_caches_refuse_to_be_written_from_a_source_tree(installed_venv):
    # From the checkout, Python imports the checkout's mimic, and the
    # installed package would be left without caches: the old Dockerfile's
    # bug. The command says so instead.
    result = subprocess.run(
        [str(installed_venv / "bin" / "python"), "-m", "mimic.plugin_cache"], cwd=str(ROOT),
        env={"PYTHONPATH": "", "PATH": os.environ.get("PATH", "")},
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "run this outside the source folder" in result.stderr


def test_the_installed_package_renders_meshes_with_its_own_schemas(installed_venv, tmp_path):
    # The Istio schema excerpt is package data: `mimic mesh render` works
    # from an install, outside the checkout.
    result = subprocess.run(
        [str(installed_venv / "bin" / "mimic"), "mesh", "render", "--check",
         str(ROOT / "examples" / "storefront.yaml")], cwd=str(tmp_path),
        env={"PYTHONPATH": "", "PATH": os.environ.get("PATH", "")},
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "OK (3 services, 4 Deployments" in result.stdout
