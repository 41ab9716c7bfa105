"""
Shared fixtures: one Mimic server for the whole session (reset before each
test, so tests stay independent) and a factory for servers with their own
options.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Iterator

import pytest

from tests.harness import MimicClient, MimicProcess, start_mimic


@pytest.fixture(scope="session")
def mimic_server() -> Iterator[MimicProcess]:
    server = start_mimic()
    yield server
    server.stop()


@pytest.fixture
def mimic(mimic_server: MimicProcess) -> MimicClient:
    """A client of the shared server, whose state (and clock) was just reset."""
    client = mimic_server.client()
    client.reset()
    return client


@pytest.fixture
def mimic_factory() -> Iterator:
    """``mimic_factory(*args)`` starts a server of its own; all stop at teardown."""
    started: list = []

    def start(*args: str, **kwargs) -> MimicProcess:
        server = start_mimic(*args, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


#: The real ``openstack`` command of python-openstackclient, from this venv.
OPENSTACK = os.path.join(os.path.dirname(sys.executable), "openstack")
CLI_TIMEOUT = 120


@pytest.fixture
def openstack_cli(tmp_path):
    """``openstack_cli(base_url, *args, **os_overrides)`` -> CompletedProcess."""
    home = tmp_path / "home"
    home.mkdir()

    def run(base_url, *args, username="alice", project="acme"):
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env.update({
            # An empty home: no clouds.yaml of the machine's owner applies.
            "HOME": str(home),
            "OS_AUTH_URL": base_url + "/identity/",
            "OS_USERNAME": username,
            "OS_PASSWORD": "secret",
            "OS_PROJECT_NAME": project,
            "OS_USER_DOMAIN_NAME": "Default",
            "OS_PROJECT_DOMAIN_NAME": "Default",
            "OS_REGION_NAME": "ORD",
        })
        return subprocess.run([OPENSTACK, *args], env=env, capture_output=True,
                              text=True, timeout=CLI_TIMEOUT, stdin=subprocess.DEVNULL)

    return run


def json_of(completed: subprocess.CompletedProcess):
    """The JSON a successful ``openstack ... -f json`` printed."""
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)
