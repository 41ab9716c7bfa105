"""
Nova's operator APIs as operators call them: openstacksdk (which
negotiates Nova's newest microversion), python-novaclient at 2.96, and the
``openstack`` command, each as the user named ``admin`` (an admin
everywhere, as on devstack), against a real Mimic over a socket.
"""

from __future__ import annotations

import datetime

import openstack
import pytest
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v2
from novaclient import client as nova_client
from novaclient import exceptions as nova_exceptions

from tests.nova_support import UBUNTU, nova_for
from tests.test_openstack_cli import OpenStackCli

PROJECT = "770001"


@pytest.fixture
def admin_sdk(mimic):
    connection = openstack.connect(
        auth_url=f"{mimic.base_url}/identity/v2.0", username="admin", password="secret",
        project_id=PROJECT, region_name="ORD", identity_api_version="2")
    yield connection
    connection.close()


def novaclient_as(mimic, username: str, tenant_id: str, version: str = "2.96"):
    auth = v2.Password(auth_url=f"{mimic.base_url}/identity/v2.0", username=username,
                       password="secret", tenant_id=tenant_id)
    return nova_client.Client(version, session=ks_session.Session(auth=auth),
                              region_name="ORD")


def test_openstacksdk_manages_private_flavors_quotas_and_aggregates(mimic, admin_sdk):
    member = nova_for(mimic, "770002")
    flavor = admin_sdk.compute.create_flavor(name="sdk.private", ram=256, vcpus=1, disk=1,
                                             is_public=False)
    admin_sdk.compute.create_flavor_extra_specs(flavor, {"hw:mem_page_size": "large"})
    assert admin_sdk.compute.fetch_flavor_extra_specs(flavor).extra_specs == {
        "hw:mem_page_size": "large"}
    assert "sdk.private" not in {f["name"] for f in member.get("flavors").json()["flavors"]}
    admin_sdk.compute.flavor_add_tenant_access(flavor.id, "770002")
    assert "sdk.private" in {f["name"] for f in member.get("flavors").json()["flavors"]}
    assert [a["tenant_id"] for a in admin_sdk.compute.get_flavor_access(flavor.id)] == [
        "770002"]

    quota = admin_sdk.compute.update_quota_set("770002", instances=1)
    assert quota.instances == 1
    member.create_id()
    refused = member.post("servers", json={"server": {
        "name": "two", "imageRef": UBUNTU, "flavorRef": "2"}})
    assert refused.status_code == 403
    assert admin_sdk.compute.get_quota_set_defaults("770002").instances == -1
    admin_sdk.compute.revert_quota_set("770002")
    assert admin_sdk.compute.get_quota_set("770002").instances == -1

    hypervisors = list(admin_sdk.compute.hypervisors(details=True))
    assert len(hypervisors) == 2
    aggregate = admin_sdk.compute.create_aggregate(name="sdk-rack",
                                                   availability_zone="sdk-zone")
    aggregate = admin_sdk.compute.add_host_to_aggregate(aggregate, hypervisors[0].name)
    assert aggregate.hosts == [hypervisors[0].name]
    services = list(admin_sdk.compute.services())
    assert {s.availability_zone for s in services if s.binary == "nova-compute"} == {
        "nova", "sdk-zone"}
    everyone = list(admin_sdk.compute.servers(all_projects=True))
    assert [s.project_id for s in everyone] == ["770002"]
    admin_sdk.compute.remove_host_from_aggregate(aggregate, hypervisors[0].name)
    admin_sdk.compute.delete_aggregate(aggregate)
    admin_sdk.compute.delete_flavor(flavor)
    assert admin_sdk.compute.find_flavor("sdk.private") is None


def test_novaclient_reads_hosts_usage_and_migrations_and_members_are_refused(mimic):
    admin = novaclient_as(mimic, "admin", PROJECT)
    member = novaclient_as(mimic, "nova-member", "770003")
    server = member.servers.create("usage", UBUNTU, "2", nics="auto")
    mimic.tick(1800)
    hypervisor = admin.hypervisors.list()[0]
    assert admin.hypervisors.get(hypervisor.id).hypervisor_hostname
    compute = [s for s in admin.services.list(binary="nova-compute")]
    disabled = admin.services.disable_log_reason(compute[0].id, "racking")
    assert (disabled.status, disabled.disabled_reason) == ("disabled", "racking")
    admin.services.enable(compute[0].id)

    end = datetime.datetime(2100, 1, 1)
    usages = admin.usage.list(datetime.datetime(1970, 1, 1), end, detailed=True)
    mine = [u for u in usages if u.tenant_id == "770003"]
    assert [round(s["hours"], 2) for s in mine[0].server_usages] == [0.5]

    admin.servers.migrate(server.id)
    migrations = admin.migrations.list()
    assert [(m.instance_uuid, m.migration_type) for m in migrations] == [
        (server.id, "migration")]
    with pytest.raises(nova_exceptions.Forbidden):
        member.hypervisors.list()
    with pytest.raises(nova_exceptions.Forbidden):
        member.servers.list(search_opts={"all_tenants": 1})
    assert [s.id for s in admin.servers.list(search_opts={"all_tenants": 1})] == [server.id]


def test_openstack_cli_makes_a_private_flavor_for_one_project(mimic, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    admin = OpenStackCli(mimic.base_url, str(home), username="admin", project="admin")
    member = nova_for(mimic, "770004")  # the project Identity then knows
    made = admin.json("flavor", "create", "--ram", "512", "--disk", "1", "--vcpus", "1",
                      "--private", "--project", "770004", "--property", "a=b", "cli.private")
    assert made["os-flavor-access:is_public"] is False
    assert made["properties"] == {"a": "b"}
    shown = admin.json("flavor", "show", "cli.private")
    assert shown["access_project_ids"] == ["770004"]
    assert "cli.private" in {f["name"] for f in member.get("flavors").json()["flavors"]}
