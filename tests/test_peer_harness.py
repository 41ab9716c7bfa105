"""
The ``make peer`` harness (peer/run.py): how it reads the suites' JUnit
reports and which clouds it writes. The suites themselves run by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from peer import run
from peer.run import (
    FileResult,
    clouds_yaml,
    load_results,
    parse_junit,
    parse_progress,
    save_results,
    write_table,
)

REPORT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
<testcase classname="t.TestServer" name="test_create"/>
<testcase classname="t.TestServer" name="test_skip"><skipped message="block-storage service not supported by cloud"/></testcase>
<testcase classname="t.TestServer" name="test_fail"><failure message="NOTE: Incompatible Exception Representation">Traceback (most recent call last):
  File "x.py", line 1, in test_fail
testtools.testresult.real._StringException: Traceback (most recent call last):
openstack.exceptions.NotFoundException: 404: Client Error for url: http://x/tags
</failure></testcase>
</testsuite></testsuites>
"""


def _report(tmp_path: Path, text: str) -> Path:
    report = tmp_path / "junit.xml"
    report.write_text(text)
    return report


@pytest.fixture
def run_sdk_file(tmp_path: Path, monkeypatch):
    """
    ``run_sdk_file(name, source, file_timeout)``: what ``run.run_file``
    measures of a one-file "sdk" suite holding ``source``, under
    ``tmp_path`` (the work directory is ``tmp_path / "work"``).
    """
    tests = tmp_path / "suite" / "tests"
    tests.mkdir(parents=True)
    (tmp_path / "work").mkdir()
    monkeypatch.setitem(run.SUITES, "sdk", ("suite", "suite/tests"))
    # Without the venv's plugins pytest starts in a second, well inside the budget.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")

    def run_file(name: str, source: str, file_timeout: float) -> FileResult:
        (tests / name).write_text(source)
        return run.run_file("sdk", tmp_path, name, tmp_path / "work",
                            file_timeout=file_timeout)

    return run_file


def test_junit_report_counts_outcomes_and_keeps_the_raised_exception(tmp_path: Path) -> None:
    result = parse_junit("sdk", "compute/v2/test_server.py", _report(tmp_path, REPORT))
    assert (result.passed, result.failed, result.skipped) == (1, 1, 1)
    assert result.failures == ((
        "test_fail",
        "openstack.exceptions.NotFoundException: 404: Client Error for url: http://x/tags"),)


def test_a_file_whose_tests_all_skip_says_why(tmp_path: Path) -> None:
    skips_only = (REPORT.replace('<testcase classname="t.TestServer" name="test_create"/>', "")
                  .split('<testcase classname="t.TestServer" name="test_fail">')[0]
                  + "</testsuite></testsuites>")
    result = parse_junit("sdk", "compute/v2/test_keypair.py", _report(tmp_path, skips_only))
    assert result.ran == 0
    assert result.note == "block-storage service not supported by cloud"


def test_clouds_are_the_four_devstack_writes() -> None:
    clouds = clouds_yaml("http://127.0.0.1:1/identity/v3")["clouds"]
    assert sorted(clouds) == ["devstack", "devstack-admin", "devstack-alt",
                              "devstack-system-admin"]
    assert clouds["devstack-system-admin"]["auth"]["system_scope"] == "all"
    assert "project_name" not in clouds["devstack-system-admin"]["auth"]
    assert clouds["devstack"]["auth"]["project_name"] == "demo"
    assert {c["region_name"] for c in clouds.values()} == {"RegionOne"}


def test_recorded_results_round_trip_and_the_table_lists_exclusions_apart(tmp_path: Path) -> None:
    rows = [FileResult("sdk", "network/v2/test_router.py", 3, 1, 0,
                       (("test_update", "BadRequestException: 400"),)),
            FileResult("sdk", "network/v2/test_agent.py", note="excluded: agents")]
    save_results(rows, tmp_path / "results.json")
    loaded = load_results(tmp_path / "results.json")
    assert loaded["sdk:network/v2/test_router.py"] == rows[0]
    table = tmp_path / "compatibility.rst"
    write_table(sorted(loaded.values(), key=lambda r: r.path), table, {"openstacksdk": "1"})
    text = table.read_text()
    assert "Of 4 tests that did not skip, 3 passed (75 %)." in text
    assert "- ``sdk:network/v2/test_agent.py``: agents" in text
    assert "``network/v2/test_agent.py``\n" not in text.split("Files left out")[0]
    assert "   * - sdk:network/v2\n     - 4\n     - 3\n     - 75 %" in text


SLOW_FILE = """
import time


def test_quick():
    pass


def test_slow():
    time.sleep(120)
"""


def test_a_file_that_runs_out_of_time_is_measured_as_far_as_it_got(run_sdk_file) -> None:
    result = run_sdk_file("test_slow.py", SLOW_FILE, file_timeout=8.0)
    assert result.passed == 1
    assert result.note == "timed out after 8 s: the tests it reached"


STUBBORN_FILE = """
import time


def test_quick():
    pass


def test_stubborn():
    try:
        time.sleep(120)
    except KeyboardInterrupt:
        # A cleanup that outlasts the grace period, as a CLI suite's can.
        time.sleep(120)
"""


def test_a_file_killed_before_its_report_keeps_the_tests_it_finished(
        run_sdk_file, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(run, "INTERRUPT_GRACE", 1.0)
    result = run_sdk_file("test_stubborn.py", STUBBORN_FILE, file_timeout=8.0)
    assert not (tmp_path / "work" / "junit.xml").exists()
    assert (result.passed, result.failed) == (1, 0)
    assert result.note == "timed out after 8 s: the tests it reached"


def test_progress_lines_count_a_failed_test_once(tmp_path: Path) -> None:
    progress = tmp_path / "progress.jsonl"
    progress.write_text(
        '{"name": "test_a", "when": "call", "outcome": "passed", "text": ""}\n'
        '{"name": "test_b", "when": "call", "outcome": "failed", '
        '"text": "Traceback\\nKeyError: \'id\'"}\n'
        '{"name": "test_b", "when": "teardown", "outcome": "failed", "text": "x"}\n'
        '{"name": "test_c", "when": "setup", "outcome": "skipped", "text": "no volume"}\n')
    result = parse_progress("osc", "compute/v2/test_server.py", progress)
    assert (result.passed, result.failed, result.skipped) == (1, 1, 1)
    assert result.failures == (("test_b", "KeyError: 'id'"),)


ENV_FILE = """
import os


def test_per_test_limit_is_the_functional_envs():
    assert os.environ["OS_TEST_TIMEOUT"] == "600"
"""


def test_sdk_tests_get_the_time_limit_its_tox_functional_env_gives(
        run_sdk_file, monkeypatch) -> None:
    # openstacksdk's tox.ini [testenv:functional] sets OS_TEST_TIMEOUT=600;
    # without it openstack/tests/base.py gives every test 5 s.
    monkeypatch.delenv("OS_TEST_TIMEOUT", raising=False)
    result = run_sdk_file("test_env.py", ENV_FILE, file_timeout=60.0)
    assert (result.passed, result.failed) == (1, 0), result
