"""
A pytest plugin the peer harness loads into the suites' runs: each test's
outcome is appended to a JSON-lines file (``PEER_PROGRESS``) the moment it
is known. pytest writes its JUnit report only at the end; a file cut short
by ``--file-timeout`` whose interrupted test's cleanups (CLI commands, on
a loaded machine) outlast the grace period gets killed before it writes
one, and without this the tests it did finish would be lost.
"""

from __future__ import annotations

import json
import os
from typing import Any


def pytest_runtest_logreport(report: Any) -> None:
    path = os.environ.get("PEER_PROGRESS")
    if not path:
        return
    # A test is done when its call phase is (unittest-style cleanups run
    # inside it), or when its setup failed or skipped it.
    if report.when != "call" and report.passed:
        return
    if report.when == "teardown" and not report.failed:
        return
    if report.skipped:
        longrepr = report.longrepr
        text = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    else:
        text = report.longreprtext if report.failed else ""
    line = {"name": report.nodeid.rsplit("::", 1)[-1], "when": report.when,
            "outcome": report.outcome, "text": text}
    with open(path, "a", encoding="utf-8") as progress:
        progress.write(json.dumps(line) + "\n")
