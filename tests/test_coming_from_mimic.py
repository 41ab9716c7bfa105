"""
What "Coming from the original Mimic" (docs/coming-from-mimic.rst) says is
the same: the original README's first requests, as it wrote them, and the
``openstack`` command the page gives for its ``keystone ... catalog``.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "coming-from-mimic.rst").read_text(encoding="utf-8")
OPENSTACK = os.path.join(os.path.dirname(sys.executable), "openstack")


def test_the_original_readmes_first_requests_answer_as_it_said(mimic):
    # The original README: curl http://localhost:8900 ... the welcome.
    welcome = mimic.get("/").text
    assert welcome.startswith("To get started with Mimic, POST an authentication request to:")
    assert "/identity/v2.0/tokens" in welcome
    # Its authentication request, verbatim.
    body = '{"auth":{"RAX-KSKEY:apiKeyCredentials":{"username":"mimic","apiKey":"12345"}}}'
    access = mimic.post("/identity/v2.0/tokens", data=body).json()["access"]
    assert access["token"]["id"] and access["serviceCatalog"]
    # Its tick, and its output's shape.
    assert mimic.post("/mimic/v1.1/tick", data='{"amount": 1.0}').json() == {
        "advanced": 1.0, "now": "1970-01-01T00:00:01.000000Z"}


def test_the_pages_openstack_command_replaces_the_keystone_catalog_call(mimic, tmp_path):
    command = re.search(r"``(openstack --os-auth-url.*?catalog list)``", PAGE, re.S).group(1)
    args = shlex.split(" ".join(command.split()).replace("http://localhost:8900",
                                                          mimic.base_url))
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env["HOME"] = str(tmp_path)
    listed = subprocess.run([OPENSTACK, *args[1:], "-f", "json"], env=env,
                            capture_output=True, text=True, timeout=120,
                            stdin=subprocess.DEVNULL)
    assert listed.returncode == 0, listed.stderr
    assert "compute" in listed.stdout and "cloudServersOpenStack" in listed.stdout
