"""
Mimic in a user's own test suite: a sample project with no conftest, run by
pytest's ``pytester`` in a subprocess (so pytest finds the plugin through
its ``pytest11`` entry point, as it does after ``pip install``), gets the
``mimic_server`` and ``mimic`` fixtures; its openstacksdk tests (the
README's and the docs' examples among them) pass, a failing assertion
reports normally, state is reset between tests, and ``mimic_args`` and
``--mimic-arg`` reach the server, the command line's last. The client helpers of
:mod:`mimic.testing` work against a live server and from unittest.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mimic.testing import MimicError

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
HELLO = ROOT / "examples" / "mimik-hello-world.yaml"
OPENSTACK = os.path.join(os.path.dirname(sys.executable), "openstack")

#: The README's example, as a user would paste it.
README_TEST = re.search(r"^## In your own tests\n.*?^```python\n(.*?)^```", README,
                        re.M | re.S).group(1)



def docs_example() -> str:
    """The complete example of docs/testing.rst (the literal block after it)."""
    text = (ROOT / "docs" / "testing.rst").read_text(encoding="utf-8")
    lines = text.split("A complete example", 1)[1].split("::\n", 1)[1].splitlines()
    block = []
    for line in lines:
        if line.strip() and not line.startswith("    "):
            break
        block.append(line)
    return textwrap.dedent("\n".join(block))


USER_TESTS = '''
import openstack


def test_each_test_starts_from_a_reset_mimic(mimic):
    cloud = openstack.connect(**mimic.cloud_config())
    assert list(cloud.compute.servers()) == []
    assert mimic.tick(0)["now"] == "1970-01-01T00:00:00.000000Z"
    image = cloud.image.find_image("Debian 12 (Bookworm)")
    cloud.compute.create_server(name="left-behind", image_id=image.id, flavor_id="2")
    mimic.tick(500)


def test_the_mesh_of_mimic_args_is_served(mimic):
    assert mimic.get("/mesh/hello-world-frontend/").json()["upstream_calls"][0][
        "service"] == "hello-world-backend"


def test_mimic_arg_of_the_command_line_comes_after_the_ini_setting(mimic):
    assert mimic.endpoint("compute", "XYZ").startswith(mimic.url + "/mimicking/nova/XYZ/")


def test_a_failing_assertion_reports_normally(mimic):
    cloud = openstack.connect(**mimic.cloud_config())
    image = cloud.image.find_image("Debian 12 (Bookworm)")
    server = cloud.compute.create_server(
        name="slow", image_id=image.id, flavor_id="2", metadata={"server_building": "60"})
    assert cloud.compute.get_server(server.id).status == "ACTIVE"
'''


def test_a_user_project_gets_the_fixtures_without_a_conftest(pytester):
    pytester.makepyfile(test_readme=README_TEST, test_docs=docs_example(),
                        test_user=USER_TESTS)
    pytester.makeini(f"[pytest]\nmimic_args = --mesh {HELLO} --regions ORD\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider",
                                           "-W", "ignore::DeprecationWarning",
                                           "--mimic-arg=--regions ORD,XYZ")
    result.assert_outcomes(passed=6, failed=1)
    output = result.stdout.str()
    assert "test_a_failing_assertion_reports_normally" in output
    assert "AssertionError" in output and "assert 'BUILD' == 'ACTIVE'" in output
    assert not (pytester.path / "conftest.py").exists()


def test_mimic_testing_works_from_unittest(tmp_path):
    (tmp_path / "test_unit.py").write_text('''
import unittest

from mimic.testing import start_mimic


class CloudTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = start_mimic("--quiet")
        cls.addClassCleanup(cls.server.stop)

    def setUp(self):
        self.mimic = self.server.client()
        self.mimic.reset()

    def test_tick(self):
        self.assertEqual(self.mimic.tick(60)["now"], "1970-01-01T00:01:00.000000Z")
''')
    result = subprocess.run([sys.executable, "-m", "unittest", "-v", "test_unit"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Ran 1 test" in result.stderr and "OK" in result.stderr


def test_token_and_endpoint_come_from_the_users_catalog(mimic):
    token = mimic.token("dora")
    assert token == mimic.token("dora")
    access = mimic.authenticate("dora")
    assert access["token"]["id"] == token
    url = mimic.endpoint("compute", "DFW", username="dora")
    assert url == mimic.endpoint(access, "compute", "DFW")
    assert url.endswith(f"/v2/{access['token']['tenant']['id']}")
    with pytest.raises(LookupError):
        mimic.endpoint("compute", "NOWHERE")


def test_behaviors_of_an_api_are_added_listed_and_removed(mimic):
    nova = mimic.behaviors("nova")
    behavior_id = nova.add("creation", "fail", {"code": 503, "message": "no room"},
                           [{"server_name": "doomed"}])
    token = mimic.token()
    url = mimic.endpoint("compute", "ORD")
    body = {"server": {"name": "doomed", "imageRef": "a1b2c3d4-0003-4e6f-8a9b-0c1d2e3f4a03",
                       "flavorRef": "2"}}
    refused = mimic.post(f"{url}/servers", json=body, headers={"X-Auth-Token": token})
    assert refused.status_code == 503
    assert [b["id"] for b in nova.list("creation")] == [behavior_id]
    nova.remove("creation", behavior_id)
    assert nova.list("creation") == []
    made = mimic.post(f"{url}/servers", json=body, headers={"X-Auth-Token": token})
    assert made.status_code == 202

    identity = mimic.behaviors("identity")
    identity.add("auth", "fail", {"code": 401, "message": "nope"}, [{"username": "bad"}])
    assert mimic.post("/identity/v2.0/tokens", json={"auth": {"passwordCredentials": {
        "username": "bad", "password": "x"}}}).status_code == 401
    with pytest.raises(MimicError, match="400"):
        identity.add("auth", "no-such-behavior")
    with pytest.raises(LookupError):
        mimic.behaviors("glance")


def test_requests_reads_the_journal(mimic):
    if mimic.get("/mimic/v1.1/requests").status_code == 404:
        pytest.skip("this Mimic has no request journal (/mimic/v1.1/requests) yet")
    mimic.get("/identity/v2.0/no-such-route")
    paths = [entry.get("path") for entry in mimic.requests()]
    assert "/identity/v2.0/no-such-route" in paths


def test_os_env_points_the_openstack_cli_at_mimic(mimic, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update(mimic.os_env(username="erin", project="erin-project"), HOME=str(tmp_path))
    listed = subprocess.run([OPENSTACK, "flavor", "list", "-f", "json"], env=env,
                            capture_output=True, text=True, timeout=120,
                            stdin=subprocess.DEVNULL)
    assert listed.returncode == 0, listed.stderr
    assert "2" in {flavor["ID"] for flavor in json.loads(listed.stdout)}


def test_clouds_yaml_names_a_cloud_the_openstack_cli_uses(mimic, tmp_path):
    config = tmp_path / ".config" / "openstack"
    config.mkdir(parents=True)
    (config / "clouds.yaml").write_text(mimic.clouds_yaml(username="fay"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update(HOME=str(tmp_path), OS_CLOUD="mimic")
    listed = subprocess.run([OPENSTACK, "server", "list", "-f", "json"], env=env,
                            capture_output=True, text=True, timeout=120,
                            stdin=subprocess.DEVNULL)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []
