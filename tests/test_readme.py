"""
The README's first requests run as written: its shell blocks, in order, in
one shell, against the Mimic its first block says to start, print what its
comments say they print. Only the port differs (a free one, not 8900).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.harness import start_mimic

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")

START = 'make run ARGS="--mesh examples/mimik-hello-world.yaml"'


def section(title: str) -> str:
    """The text of one ``## title`` section of the README."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.M | re.S)
    assert match, title
    return match.group(1)


def code_blocks(text: str, language: str) -> list:
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.M | re.S)


def expected_lines(block: str) -> list:
    """What a block's ``# ...`` comment lines say its commands print."""
    return [line[1:].strip() for line in block.splitlines()
            if line.startswith("#") and line[1:].strip()]


def test_readme_says_to_install_from_this_repository_never_from_pypi():
    assert "pip install mimic" not in README
    assert "pip install ." in README
    install = section("Install and run")
    assert "python3-venv" in install and "make" in install
    assert "make shell" in install and ".venv/bin/openstack" in install


def test_readme_first_requests_run_as_written(tmp_path):
    blocks = code_blocks(section("First requests"), "sh")
    assert blocks[0].strip() == START
    args = START.split('ARGS="', 1)[1].rstrip('"').split()
    with start_mimic(*args, cwd=str(ROOT)) as server:
        port = server.base_url.rsplit(":", 1)[1]
        script = "\n".join(["set -euo pipefail"] + [
            block.replace("127.0.0.1:8900", f"127.0.0.1:{port}") for block in blocks[1:]])
        home = tmp_path / "home"
        home.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env.update(HOME=str(home),
                   PATH=os.path.dirname(sys.executable) + os.pathsep + env["PATH"])
        result = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env,
                                capture_output=True, text=True, timeout=240,
                                stdin=subprocess.DEVNULL)
        assert result.returncode == 0, result.stdout + result.stderr
        output = [line.strip() for line in result.stdout.splitlines()]
        # Each commented output appears, in the order the README shows it
        # (curl adds no newline after a JSON answer: the next command's
        # output may share its line).
        position = 0
        for expected in (line for block in blocks[1:] for line in expected_lines(block)):
            found = [i for i, line in enumerate(output) if i >= position and expected in line]
            assert found, f"{expected!r} not printed after line {position}:\n{result.stdout}"
            position = found[0]
        # The mesh answered through both services, the header step included.
        assert '"service":"hello-world-backend"' in result.stdout.replace(" ", "")
        assert '"x-user":"me"' in result.stdout.replace(" ", "")
        # The behavior registered and the reset answered.
        assert '"reset":true' in result.stdout.replace(" ", "")
