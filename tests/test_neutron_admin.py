"""
Neutron for admins, over real sockets with openstacksdk and the
``openstack`` command, on a Mimic started ``--profile devstack``: the
networks devstack makes (admin's external ``public``, demo's ``private``
behind ``router1``, admin's ``shared``), the admin-only attributes
(``shared``, ``router:external``, ``provider:*``, another project's
``project_id``), quotas an admin sets and Neutron enforces, and
``network-ip-availabilities``. Non-admins get Neutron's 403
``PolicyNotAuthorized`` in its body shape.

What is admin-only comes from Neutron's default policies
(github:openstack/neutron neutron/conf/policies/network.py:
``create_network:shared``, ``create_network:router:external``,
``create_network:provider:*``, ``get_network:provider:*`` are ``ADMIN``;
quotas.py: ``update_quota``/``delete_quota`` ``ADMIN``;
network_ip_availability.py: ``get_network_ip_availability`` ``ADMIN``);
the response shapes from neutron-lib's api-ref (quotas.inc,
network-ip-availability.inc). devstack's networks from
github:openstack/devstack lib/neutron_plugins/services/l3 and lib/tempest.
"""

from __future__ import annotations

import pytest
from openstack import exceptions as sdk_exceptions

from tests.neutron_support import admin, alt, demo, devstack  # noqa: F401  (fixtures)
from tests.neutron_support import devstack_cli as _cli


def test_devstack_starts_with_public_private_shared_and_demos_router1(demo, admin):
    networks = {n.name: n for n in demo.network.networks()}
    assert {"public", "private", "shared"} <= set(networks)
    public, private, shared = networks["public"], networks["private"], networks["shared"]
    assert public.is_router_external and not public.is_shared
    assert shared.is_shared and not private.is_shared
    assert private.project_id == demo.current_project_id
    assert public.project_id == shared.project_id == admin.current_project_id
    subnets = {s.name: s for s in demo.network.subnets()}
    assert subnets["public-subnet"].cidr == "172.24.4.0/24"
    assert subnets["shared-subnet"].cidr == "192.168.233.0/24"
    assert subnets["private-subnet"].cidr == "10.0.0.0/22"
    router = demo.network.find_router("router1")
    assert router.external_gateway_info["network_id"] == public.id
    ports = list(demo.network.ports(device_id=router.id,
                                    device_owner="network:router_interface"))
    assert {p.fixed_ips[0]["subnet_id"] for p in ports} == set(private.subnet_ids)
    # provider:* are an admin's to see (get_network:provider:* is ADMIN).
    assert public.provider_network_type is None
    seen_by_admin = admin.network.get_network(public.id)
    assert (seen_by_admin.provider_network_type, seen_by_admin.provider_physical_network) == \
        ("flat", "public")


def test_non_admin_may_not_make_shared_or_external_or_provider_networks(demo):
    for attributes, rule in (({"shared": True}, "create_network:shared"),
                             ({"is_router_external": True},
                              "create_network:router:external"),
                             ({"provider_network_type": "vlan",
                               "provider_physical_network": "physnet1"},
                              "create_network:provider:")):
        with pytest.raises(sdk_exceptions.ForbiddenException) as refused:
            demo.network.create_network(name="refused", **attributes)
        assert rule in str(refused.value)
    assert demo.network.find_network("refused") is None


def test_shared_network_is_usable_by_every_project_and_stays_while_used(admin, alt):
    network = admin.network.create_network(name="commons", shared=True,
                                           provider_network_type="vlan",
                                           provider_physical_network="physnet1",
                                           provider_segmentation_id=101)
    assert network.provider_segmentation_id == 101
    admin.network.create_subnet(network_id=network.id, ip_version=4, cidr="10.9.0.0/24")
    assert alt.network.find_network("commons").is_shared
    port = alt.network.create_port(network_id=network.id)
    assert port.fixed_ips[0]["ip_address"].startswith("10.9.0.")
    assert port.project_id == alt.current_project_id
    with pytest.raises(sdk_exceptions.ForbiddenException):
        alt.network.delete_network(network.id)
    with pytest.raises(sdk_exceptions.ConflictException) as refused:
        admin.network.update_network(network.id, shared=False)
    assert "Multiple tenants are using it" in str(refused.value)
    with pytest.raises(sdk_exceptions.ConflictException):
        admin.network.delete_network(network.id)
    alt.network.delete_port(port)
    admin.network.update_network(network.id, shared=False)
    assert alt.network.find_network("commons") is None
    admin.network.delete_network(network.id)


def test_external_network_gives_every_project_gateways_and_floating_ips(admin, demo):
    external = admin.network.create_network(name="ext2", is_router_external=True)
    admin.network.create_subnet(network_id=external.id, ip_version=4, cidr="203.0.113.0/24")
    net = demo.network.create_network(name="inside")
    subnet = demo.network.create_subnet(network_id=net.id, ip_version=4, cidr="10.50.0.0/24")
    router = demo.network.create_router(name="r2",
                                        external_gateway_info={"network_id": external.id})
    demo.network.add_interface_to_router(router, subnet=subnet.id)
    port = demo.network.create_port(network_id=net.id)
    fip = demo.network.create_ip(floating_network_id=external.id, port_id=port.id)
    assert fip.floating_ip_address.startswith("203.0.113.")
    assert fip.router_id == router.id
    # The admin sees the demo's floating IP among every project's.
    assert fip.id in {f.id for f in admin.network.ips()}


def test_admin_creates_a_network_in_another_project(admin, demo):
    made = admin.network.create_network(name="given", project_id=demo.current_project_id)
    assert made.project_id == demo.current_project_id
    mine = demo.network.find_network("given")
    assert mine.id == made.id
    demo.network.delete_network(mine)
    assert admin.network.find_network(made.id) is None


def test_admin_finds_networks_made_for_projects_mimic_had_not_seen(admin):
    # openstacksdk's network test_find_with_filter: networks of the same
    # name for projects "1" and "2", told apart by a project_id filter. A
    # project first named by a create that succeeded is kept, and its
    # networks are every admin's to list.
    name = "made-for-new-projects"
    one = admin.network.create_network(name=name, project_id="1")
    two = admin.network.create_network(name=name, project_id="2")
    try:
        found = admin.network.find_network(name, project_id="1", ignore_missing=False)
        assert (found.id, found.project_id) == (one.id, "1")
        assert {n.project_id for n in admin.network.networks(name=name)} == {"1", "2"}
    finally:
        admin.network.delete_network(one)
        admin.network.delete_network(two)
    assert list(admin.network.networks(name=name)) == []


def test_non_admin_may_not_create_in_another_project(demo, admin):
    with pytest.raises(sdk_exceptions.ForbiddenException):
        demo.network.create_network(name="theirs", project_id=admin.current_project_id)


def test_admin_sets_quotas_neutron_enforces_and_delete_restores_defaults(admin, alt):
    project = alt.current_project_id
    admin.network.update_quota(project, networks=1, routers=7)
    quota = admin.network.get_quota(project)
    assert (quota.networks, quota.routers) == (1, 7)
    assert admin.network.get_quota_default(project).networks == 100
    details = admin.network.get_quota(project, details=True)
    assert details.networks["limit"] == 1
    first = alt.network.create_network(name="only-one")
    with pytest.raises(sdk_exceptions.ConflictException) as refused:
        alt.network.create_network(name="one-too-many")
    assert "Quota exceeded for resources: ['network']" in str(refused.value)
    assert project in {q.project_id for q in admin.network.quotas()}
    with pytest.raises(sdk_exceptions.ForbiddenException):
        alt.network.update_quota(project, networks=50)
    admin.network.delete_quota(project)
    assert admin.network.get_quota(project).networks == 100
    alt.network.create_network(name="now-fine")
    for network in alt.network.networks(project_id=project):
        alt.network.delete_network(network)
    assert first.id not in {n.id for n in alt.network.networks()}


def test_bad_quota_values_are_refused_and_change_nothing(admin, devstack):
    project = "demo"
    response = admin.network.put(f"/quotas/{project}", json={"quota": {"network": "lots",
                                                                       "router": 3}})
    assert response.status_code == 400
    assert response.json()["NeutronError"]["type"] == "HTTPBadRequest"
    assert admin.network.get_quota(project).routers == 10


def test_network_ip_availability_counts_used_and_total_addresses(admin, demo):
    net = demo.network.create_network(name="counted")
    subnet = demo.network.create_subnet(network_id=net.id, ip_version=4, cidr="10.77.0.0/28",
                                        gateway_ip=None)
    demo.network.create_port(network_id=net.id)
    demo.network.create_port(network_id=net.id)
    availability = admin.network.get_network_ip_availability(net.id)
    assert (availability.total_ips, availability.used_ips) == (14, 2)
    assert availability.subnet_ip_availability == [{
        "subnet_id": subnet.id, "subnet_name": "", "cidr": "10.77.0.0/28", "ip_version": 4,
        "total_ips": 14, "used_ips": 2}]
    listed = {a.network_id for a in admin.network.network_ip_availabilities()}
    assert {net.id, demo.network.find_network("public").id} <= listed
    # ``ip_version`` (what ``openstack ip availability list`` sends) counts
    # only the subnets of that version.
    ipv6 = {a.network_id: a for a in admin.network.network_ip_availabilities(ip_version=6)}
    assert net.id not in ipv6
    public = ipv6[demo.network.find_network("public").id]
    assert [s["ip_version"] for s in public.subnet_ip_availability] == [6]
    with pytest.raises(sdk_exceptions.ForbiddenException):
        demo.network.get_network_ip_availability(net.id)


def test_devstack_projects_exist_before_anyone_authenticates(mimic_factory, tmp_path):
    # ``openstack project list`` on devstack shows admin, demo and alt_demo
    # (OSC's network tests look demo up before demo ever logs in).
    fresh = mimic_factory("--profile", "devstack", "--regions", "RegionOne")
    listed = _cli(fresh, tmp_path, "admin", "project", "list", "-f", "json")
    assert {"admin", "demo", "alt_demo"} <= {p["Name"] for p in listed}


def test_openstack_cli_admin_makes_a_shared_external_provider_network(devstack, tmp_path):
    home = tmp_path / "home"
    home.mkdir()

    made = _cli(devstack, home, "admin", "network", "create", "--share", "--external",
                "--provider-network-type", "flat", "--provider-physical-network", "physnet9",
                "cli-ext", "-f", "json")
    assert made["shared"] is True and made["router:external"] is True
    assert made["provider:physical_network"] == "physnet9"
    refused = _cli(devstack, home, "demo", "network", "create", "--share", "cli-refused",
                   check=False)
    assert refused.returncode != 0
    assert "(rule:create_network:shared) is disallowed by policy" in refused.stderr


def test_an_admins_network_in_a_project_never_seen_is_listed_and_found(admin):
    # openstacksdk's functional test_network.py::test_find_with_filter: the
    # project is first named by the create's project_id and must stay in
    # the region's registry once the create is kept.
    made = admin.network.create_network(name="unseen-owner", project_id="proj-never-seen")
    found = admin.network.find_network("unseen-owner", project_id="proj-never-seen",
                                       ignore_missing=False)
    assert (found.id, found.project_id) == (made.id, "proj-never-seen")
    assert made.id in {n.id for n in admin.network.networks(project_id="proj-never-seen")}
    admin.network.delete_network(made.id)
