"""
Glance v2 through the clients users drive it with: openstacksdk (which
discovers /v2 from the catalog's unversioned URL), novaclient's image helper
(which appends /v2/images to it) and the ``openstack`` CLI.
"""

from __future__ import annotations

import openstack
import pytest
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from novaclient import client as nova_client

from tests.conftest import json_of
from tests.nova_support import DEBIAN, UBUNTU


def v3_auth(mimic):
    return v3.Password(auth_url=mimic.base_url + "/identity/v3", username="alice",
                       password="secret", project_name="acme",
                       user_domain_name="Default", project_domain_name="Default")


@pytest.fixture
def conn(mimic):
    return openstack.connect(auth_url=mimic.base_url + "/identity/v3", username="alice",
                             password="secret", project_name="acme",
                             user_domain_name="Default", project_domain_name="Default",
                             region_name="ORD")


def test_openstacksdk_lists_gets_creates_updates_and_deletes_images(conn):
    names = {image.name for image in conn.image.images()}
    assert "Debian 12 (Bookworm)" in names and len(names) == 10
    debian = conn.image.get_image(DEBIAN)
    assert debian.status == "active"
    assert debian.visibility == "public"
    assert debian.min_disk == 20
    created = conn.image.create_image(name="sdk-image", disk_format="qcow2",
                                      container_format="bare", visibility="private",
                                      allow_duplicates=True, wait=False)
    assert created.status == "queued"
    updated = conn.image.update_image(created, name="sdk-image-2", owner_specified="me")
    assert updated.name == "sdk-image-2"
    assert conn.image.get_image(created.id).properties["owner_specified"] == "me"
    assert [i.id for i in conn.image.images(visibility="private")] == [created.id]
    conn.image.delete_image(created)
    assert conn.image.find_image(created.id) is None


def test_novaclient_image_helper_finds_images_through_the_catalog(mimic):
    nova = nova_client.Client("2.1", session=ks_session.Session(auth=v3_auth(mimic)),
                              region_name="ORD")
    found = nova.glance.find_image("Ubuntu 22.04 LTS (Jammy Jellyfish)")
    assert found.id == UBUNTU
    assert {image.id for image in nova.glance.list()} >= {UBUNTU, DEBIAN}


def test_openstack_cli_image_list_show_create_set_delete(mimic, openstack_cli):
    listed = json_of(openstack_cli(mimic.base_url, "image", "list", "-f", "json"))
    assert {row["Name"] for row in listed} >= {"Debian 12 (Bookworm)", "AlmaLinux 9"}
    assert all(row["Status"] == "active" for row in listed)
    shown = json_of(openstack_cli(mimic.base_url, "image", "show",
                                  "Debian 12 (Bookworm)", "-f", "json"))
    assert shown["id"] == DEBIAN
    assert shown["visibility"] == "public"
    created = json_of(openstack_cli(mimic.base_url, "image", "create", "--disk-format",
                                    "qcow2", "--container-format", "bare", "--property",
                                    "role=web", "cli-image", "-f", "json"))
    assert created["name"] == "cli-image"
    done = openstack_cli(mimic.base_url, "image", "set", "--name", "cli-image-2",
                         "--property", "tier=gold", "cli-image")
    assert done.returncode == 0, done.stderr
    shown = json_of(openstack_cli(mimic.base_url, "image", "show", "cli-image-2",
                                  "-f", "json"))
    assert shown["id"] == created["id"]
    assert shown["properties"]["tier"] == "gold"
    assert shown["properties"]["role"] == "web"
    deleted = openstack_cli(mimic.base_url, "image", "delete", "cli-image-2")
    assert deleted.returncode == 0, deleted.stderr
    missing = openstack_cli(mimic.base_url, "image", "show", "cli-image-2")
    assert missing.returncode == 1
    assert "cli-image-2" in missing.stderr


def test_openstack_cli_lists_images_having_every_tag_given(mimic, openstack_cli, conn):
    # ``image list --tag`` (repeatable) is sent to Glance as ``tag`` filters,
    # each of which must hold (its ``--sort`` sorts on the client side).
    tagged = conn.image.create_image(name="cli-tagged", disk_format="raw",
                                     container_format="bare", tags=["web", "blue"],
                                     allow_duplicates=True, wait=False)
    conn.image.create_image(name="cli-untagged", disk_format="raw", container_format="bare",
                            tags=["web"], allow_duplicates=True, wait=False)
    listed = json_of(openstack_cli(mimic.base_url, "image", "list", "--tag", "web",
                                   "--tag", "blue", "-f", "json"))
    assert [row["ID"] for row in listed] == [tagged.id]
