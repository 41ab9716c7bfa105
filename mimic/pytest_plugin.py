"""
Mimic's pytest plugin, registered by the ``pytest11`` entry point: after
installing Mimic, a test suite gets these fixtures without any conftest.

- ``mimic_server`` (session): one Mimic subprocess on a free loopback port
  for the whole run, started with the options of ``--mimic-arg`` (repeat
  it: ``--mimic-arg=--mesh --mimic-arg=mesh.yaml``) and of the ini setting
  ``mimic_args``; stopped at the end.
- ``mimic`` (function): a :class:`mimic.testing.MimicClient` of that
  server, reset (all state forgotten, clock at 0) before the test.

It is its own module, not part of :mod:`mimic.testing`, so that the client
stays importable where pytest is not installed.
"""

from __future__ import annotations

import shlex
from typing import Any, Iterator

import pytest

from mimic.testing import MimicClient, MimicServer, start_mimic


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("mimic", "Mimic, the cloud API emulator")
    group.addoption("--mimic-arg", action="append", default=[], dest="mimic_arg",
                    metavar="ARG",
                    help="one command-line argument of the Mimic that mimic_server "
                    "starts (repeatable, in order)")
    parser.addini("mimic_args", type="args", default=[],
                  help="command-line arguments of the Mimic that mimic_server starts")


def mimic_args(config: Any) -> list:
    """The ini setting's arguments, then the command line's."""
    try:
        from_ini = list(config.getini("mimic_args"))
    except ValueError:
        # The plugin's options are not registered (its fixtures imported by
        # a conftest where the entry point is not installed).
        from_ini = []
    from_cli = config.getoption("mimic_arg", default=None) or []
    return from_ini + [arg for value in from_cli for arg in shlex.split(value)]


@pytest.fixture(scope="session")
def mimic_server(request: Any) -> Iterator[MimicServer]:
    """One Mimic for the whole test session."""
    server = start_mimic(*mimic_args(request.config))
    yield server
    server.stop()


@pytest.fixture
def mimic(mimic_server: MimicServer) -> MimicClient:
    """A client of the session's Mimic, whose state (and clock) was just reset."""
    client = mimic_server.client()
    client.reset()
    return client
