"""
Helpers for the Neutron tests: a tenant's Neutron read from a real v2.0
catalog (the resources under ``/v2.0`` of the unversioned endpoint), the
check that an answer is Neutron's error, and openstacksdk connections and
``openstack`` commands as a user of a Mimic started ``--profile devstack``.
"""

from __future__ import annotations

import json
import os
import subprocess

import attrs
import openstack
import pytest

from tests.conftest import CLI_TIMEOUT, OPENSTACK

PUBLIC = "00000000-0000-0000-0000-000000000000"
PRIVATE = "11111111-1111-1111-1111-111111111111"


@attrs.define
class Neutron:
    """A tenant's view of Neutron in one region: URL and token."""

    mimic: object
    url: str
    token: str

    def call(self, method, path, **kwargs):
        headers = {"x-auth-token": self.token, **kwargs.pop("headers", {})}
        return self.mimic.request(method, self.url + path, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.call("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.call("PUT", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.call("DELETE", path, **kwargs)

    def ok(self, method, path, code=200, **kwargs):
        response = self.call(method, path, **kwargs)
        assert response.status_code == code, response.text
        return response.json() if response.content else None


def connect(mimic, username="alice", region="ORD", tenant_id=None):
    """Neutron as ``username``, on ``tenant_id`` or else the user's default tenant."""
    access = mimic.authenticate(username, tenant_id=tenant_id)
    # The catalog lists Neutron unversioned, as real clouds do; the
    # resources are under /v2.0 of it.
    return Neutron(mimic, mimic.endpoint(access, "network", region) + "/v2.0",
                   access["token"]["id"])


@pytest.fixture
def neutron(mimic):
    return connect(mimic)


def assert_neutron_error(response, code, kind=None):
    assert response.status_code == code, response.text
    assert response.headers["content-type"] == "application/json"
    error = response.json()["NeutronError"]
    assert set(error) == {"type", "message", "detail"}
    assert error["message"]
    if kind is not None:
        assert error["type"] == kind, error
    return error["message"]


def devstack_connection(server, user):
    """openstacksdk as ``user`` (on the project of the same name) of a devstack Mimic."""
    return openstack.connect(
        auth_url=server.base_url + "/identity/v3", username=user, password="secret",
        project_name=user, user_domain_id="default", project_domain_id="default",
        region_name="RegionOne", identity_api_version="3")


def devstack_cli(server, home, user, *args, check=True):
    """``openstack *args`` as ``user``: its JSON output, or (``check=False``) the process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update({"HOME": str(home), "OS_AUTH_URL": server.base_url + "/identity/v3",
                "OS_USERNAME": user, "OS_PASSWORD": "secret", "OS_PROJECT_NAME": user,
                "OS_USER_DOMAIN_NAME": "Default", "OS_PROJECT_DOMAIN_NAME": "Default",
                "OS_REGION_NAME": "RegionOne"})
    completed = subprocess.run([OPENSTACK, *args], env=env, capture_output=True, text=True,
                               timeout=CLI_TIMEOUT, stdin=subprocess.DEVNULL)
    if not check:
        return completed
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@pytest.fixture(scope="module")
def devstack():
    """A Mimic of its own with devstack's profile, one per test module."""
    from mimic.testing import start_mimic

    server = start_mimic("--profile", "devstack", "--regions", "RegionOne")
    yield server
    server.stop()


def _devstack_user(devstack, user):
    connection = devstack_connection(devstack, user)
    yield connection
    connection.close()


@pytest.fixture
def admin(devstack):
    """openstacksdk as devstack's ``admin``."""
    yield from _devstack_user(devstack, "admin")


@pytest.fixture
def demo(devstack):
    """openstacksdk as devstack's ``demo``."""
    yield from _devstack_user(devstack, "demo")


@pytest.fixture
def alt(devstack):
    """
    openstacksdk as a member of a second project. Not devstack's alt_demo:
    lib/keystone gives alt_demo the admin role on its project (ks-alt-admin).
    """
    yield from _devstack_user(devstack, "alt_member")
