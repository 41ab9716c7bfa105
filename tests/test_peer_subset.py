"""
A subset of the OpenStack clients' own functional suites, run unmodified
against Mimic as ``make peer`` runs them (peer/run.py): one file per API
family, chosen to finish in well under three minutes together. The whole
measure, every file of every area, is ``make peer``; its table is
docs/compatibility.rst.

The sdists are downloaded from the package index into ``.peer/`` on first
use, as ``make peer`` does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parent.parent

#: One file per area the Compute and Identity/Network/Image issues measure.
SUBSET = (
    "sdk:compute/v2/test_server.py",
    "osc:compute/v2/test_keypair.py",
    "sdk:network/v2/test_router.py",
    "osc:identity/v3/test_project.py",
    "sdk:image/v2/test_image.py",
    "sdk:block_storage/v3/test_volume.py",
)


@pytest.fixture(scope="module")
def peer_results(tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("peer")
    results = work / "results.json"
    completed = subprocess.run(
        [sys.executable, "-m", "peer.run", "--fresh", "--files", *SUBSET,
         "--results", str(results), "--out", str(work / "compatibility.rst"),
         "--workdir", str(work / "run")],
        cwd=TOP, capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return {f"{row['suite']}:{row['path']}": row
            for row in json.loads(results.read_text(encoding="utf-8"))}


@pytest.mark.parametrize("name", SUBSET)
def test_the_clients_own_functional_tests_pass(peer_results: dict, name: str) -> None:
    row = peer_results[name]
    assert row["passed"] > 0, row
    assert row["failed"] == 0, row["failures"]
