"""
Shared fixtures: one Mimic server for the whole session (reset before each
test, so tests stay independent) and a factory for servers with their own
options.
"""

from __future__ import annotations

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
