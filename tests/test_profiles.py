"""
``--profile``: the default (``rackspace``) keeps the original's canned data;
``devstack`` starts with devstack's flavors (ids and sizes from devstack's
lib/nova ``create_flavors`` and lib/tempest's ``m1.nano``/``m1.micro``) and
its cirros image, in Nova and Glance alike; an unknown profile is refused
on the command line.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from mimic.profiles import CIRROS_IMAGE_ID, CIRROS_IMAGE_NAME
from tests.nova_support import nova_for, nova  # noqa: F401
from tests.test_openstack_cli import OpenStackCli

DEVSTACK_FLAVORS = {
    "1": ("m1.tiny", 512, 1, 1), "2": ("m1.small", 2048, 20, 1),
    "3": ("m1.medium", 4096, 40, 2), "4": ("m1.large", 8192, 80, 4),
    "5": ("m1.xlarge", 16384, 160, 8), "42": ("m1.nano", 192, 1, 1),
    "84": ("m1.micro", 256, 1, 1), "c1": ("cirros256", 256, 1, 1),
    "d1": ("ds512M", 512, 5, 1), "d2": ("ds1G", 1024, 10, 1),
    "d3": ("ds2G", 2048, 10, 2), "d4": ("ds4G", 4096, 20, 4),
}


@pytest.fixture
def devstack(mimic_factory):
    return mimic_factory("--profile", "devstack").client()


def test_the_default_profile_keeps_the_rackspace_flavors_and_images(nova):
    names = {f["name"] for f in nova.get("flavors").json()["flavors"]}
    assert "512MB Standard Instance" in names and "m1.tiny" not in names
    images = {i["name"] for i in nova.get("images").json()["images"]}
    assert "Ubuntu 22.04 LTS (Jammy Jellyfish)" in images
    assert CIRROS_IMAGE_NAME not in images


def test_devstack_has_devstacks_flavors_with_their_ids_and_sizes(devstack):
    nova = nova_for(devstack, region="ORD")
    flavors = nova.get("flavors/detail").json()["flavors"]
    assert {f["id"]: (f["name"], f["ram"], f["disk"], f["vcpus"]) for f in flavors} == \
        DEVSTACK_FLAVORS
    specs = nova.get("flavors/1/os-extra_specs").json()
    assert specs == {"extra_specs": {"hw_rng:allowed": "True"}}


def test_devstack_boots_m1_tiny_from_cirros(devstack):
    nova = nova_for(devstack, region="ORD")
    made = nova.create(imageRef=CIRROS_IMAGE_ID, flavorRef="1")
    server = nova.server(made["server"]["id"])
    assert server["flavor"]["id"] == "1" and server["image"]["id"] == CIRROS_IMAGE_ID


def test_devstack_cirros_is_in_glance_too(devstack, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    cli = OpenStackCli(devstack.base_url, str(home))
    images = cli.json("image", "list")
    assert [i["Name"] for i in images] == [CIRROS_IMAGE_NAME]
    flavor = cli.json("flavor", "show", "m1.tiny")
    assert (flavor["id"], flavor["ram"], flavor["disk"]) == ("1", 512, 1)


def test_an_unknown_profile_is_refused_on_the_command_line():
    completed = subprocess.run([sys.executable, "-m", "mimic", "--profile", "openshift"],
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode != 0
    assert "--profile takes one of rackspace, devstack" in completed.stderr + completed.stdout
