"""
Shared fixtures. ``mimic_server`` and ``mimic`` are the pytest plugin's
(:mod:`mimic.pytest_plugin`, which users get too): one Mimic server for the
whole session, reset before each test so tests stay independent. They are
imported here as well so the suite runs where the entry point is not
installed. ``mimic_factory`` starts servers with their own options.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Iterator

import pytest

from mimic.pytest_plugin import mimic, mimic_server  # noqa: F401  (fixtures)
from tests.harness import MimicProcess, start_mimic


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
