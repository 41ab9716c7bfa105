"""
Neutron routers over real sockets, and floating IPs through them as
Neutron gives them: a floating IP from an external network reaches a port
only if a router has a gateway on that network and an interface on the
port's subnet (``neutron/db/l3_db.py``, ``_get_router_for_floatingip``),
except on ``private``, which an implicit router joins to ``public``. Error
types are neutron-lib's (``neutron_lib/exceptions/l3.py``): RouterNotFound,
RouterInUse, RouterInterfaceNotFoundForSubnet,
RouterInterfaceInUseByFloatingIP, RouterExternalGatewayInUseByFloatingIp;
routes are checked as ``neutron/db/extraroute_db.py`` checks them (the
nexthop on a connected subnet, at most ``max_routes`` = 30).
"""

from __future__ import annotations

import openstack
import pytest

from tests.neutron_support import PRIVATE, PUBLIC, assert_neutron_error, neutron  # noqa: F401


@pytest.fixture
def tenant_net(neutron):
    """A tenant network with one IPv4 subnet and a port on it."""
    network = neutron.ok("POST", "/networks", 201, json={"network": {"name": "app"}})["network"]
    subnet = neutron.ok("POST", "/subnets", 201, json={"subnet": {
        "network_id": network["id"], "cidr": "10.20.0.0/24", "ip_version": 4}})["subnet"]
    port = neutron.ok("POST", "/ports", 201, json={"port": {
        "network_id": network["id"], "device_id": "vm-1",
        "device_owner": "compute:nova"}})["port"]
    return network, subnet, port


def make_router(neutron, **fields):
    return neutron.ok("POST", "/routers", 201, json={"router": fields})["router"]


def test_router_create_show_list_update_delete(neutron):
    router = make_router(neutron, name="edge", description="d")
    assert router["status"] == "ACTIVE" and router["admin_state_up"] is True
    assert router["external_gateway_info"] is None and router["routes"] == []
    assert neutron.ok("GET", f"/routers/{router['id']}")["router"] == router
    listed = neutron.ok("GET", "/routers?name=edge")["routers"]
    assert [r["id"] for r in listed] == [router["id"]]
    renamed = neutron.ok("PUT", f"/routers/{router['id']}", json={"router": {
        "name": "edge-2", "admin_state_up": False}})["router"]
    assert (renamed["name"], renamed["admin_state_up"]) == ("edge-2", False)
    assert renamed["revision_number"] > router["revision_number"]
    assert neutron.delete(f"/routers/{router['id']}").status_code == 204
    assert_neutron_error(neutron.get(f"/routers/{router['id']}"), 404, "RouterNotFound")


def test_gateway_takes_an_address_on_the_external_network_and_gives_it_back(neutron):
    router = make_router(neutron, external_gateway_info={"network_id": PUBLIC})
    gateway = router["external_gateway_info"]
    assert gateway["network_id"] == PUBLIC and gateway["enable_snat"] is True
    assert [ip["ip_address"].count(".") for ip in gateway["external_fixed_ips"]] == [3, 0]
    cleared = neutron.ok("PUT", f"/routers/{router['id']}", json={"router": {
        "external_gateway_info": {}}})["router"]
    assert cleared["external_gateway_info"] is None
    # The released IPv4 address is the next one handed out on public.
    fip = neutron.ok("POST", "/floatingips", 201, json={"floatingip": {
        "floating_network_id": PUBLIC}})["floatingip"]
    assert fip["floating_ip_address"] == gateway["external_fixed_ips"][0]["ip_address"]


@pytest.mark.parametrize("body, code, kind", [
    ({"external_gateway_info": {"network_id": PRIVATE}}, 400, "BadRequest"),
    ({"external_gateway_info": {"network_id": "nope"}}, 404, "NetworkNotFound"),
    ({"external_gateway_info": {"network_id": PUBLIC, "enable_snat": False}}, 403,
     "PolicyNotAuthorized"),
    ({"external_gateway_info": "public"}, 400, "HTTPBadRequest"),
    ({"routes": []}, 400, "HTTPBadRequest"),
    ({"distributed": True}, 403, "PolicyNotAuthorized"),
    ({"name": 5}, 400, "HTTPBadRequest"),
])
def test_bad_router_creates_are_refused_and_make_nothing(neutron, body, code, kind):
    response = neutron.post("/routers", json={"router": body})
    assert_neutron_error(response, code, kind)
    assert neutron.ok("GET", "/routers")["routers"] == []


def test_interface_by_subnet_holds_the_gateway_address(neutron, tenant_net):
    network, subnet, _ = tenant_net
    router = make_router(neutron)
    added = neutron.ok("PUT", f"/routers/{router['id']}/add_router_interface",
                       json={"subnet_id": subnet["id"]})
    assert added["id"] == router["id"] and added["subnet_id"] == subnet["id"]
    assert added["subnet_ids"] == [subnet["id"]] and added["network_id"] == network["id"]
    port = neutron.ok("GET", f"/ports/{added['port_id']}")["port"]
    assert port["device_owner"] == "network:router_interface"
    assert port["device_id"] == router["id"]
    assert port["fixed_ips"] == [{"subnet_id": subnet["id"],
                                  "ip_address": subnet["gateway_ip"]}]
    # The interface port is the router's: not deleted through the port API,
    # and it keeps its subnet and router in use.
    assert_neutron_error(neutron.delete(f"/ports/{port['id']}"), 409, "ServicePortInUse")
    assert_neutron_error(neutron.delete(f"/subnets/{subnet['id']}"), 409, "SubnetInUse")
    assert_neutron_error(neutron.delete(f"/routers/{router['id']}"), 409, "RouterInUse")
    assert_neutron_error(neutron.put(f"/routers/{router['id']}/add_router_interface",
                                     json={"subnet_id": subnet["id"]}), 400, "BadRequest")
    removed = neutron.ok("PUT", f"/routers/{router['id']}/remove_router_interface",
                         json={"subnet_id": subnet["id"]})
    assert removed["port_id"] == port["id"]
    # The answer names the subnet the interface was on, as Neutron's does
    # (openstacksdk's functional tests check it after every removal).
    assert (removed["subnet_id"], removed["subnet_ids"]) == (subnet["id"], [subnet["id"]])
    assert_neutron_error(neutron.get(f"/ports/{port['id']}"), 404, "PortNotFound")
    assert_neutron_error(neutron.put(f"/routers/{router['id']}/remove_router_interface",
                                     json={"subnet_id": subnet["id"]}), 404,
                         "RouterInterfaceNotFoundForSubnet")
    assert neutron.delete(f"/routers/{router['id']}").status_code == 204


def test_interface_by_port_binds_the_port_and_removing_it_deletes_it(neutron, tenant_net):
    network, subnet, _ = tenant_net
    port = neutron.ok("POST", "/ports", 201, json={"port": {"network_id": network["id"]}})[
        "port"]
    router = make_router(neutron)
    added = neutron.ok("PUT", f"/routers/{router['id']}/add_router_interface",
                       json={"port_id": port["id"]})
    assert added["port_id"] == port["id"] and added["subnet_id"] == subnet["id"]
    bound = neutron.ok("GET", f"/ports/{port['id']}")["port"]
    assert (bound["device_id"], bound["status"]) == (router["id"], "ACTIVE")
    neutron.ok("PUT", f"/routers/{router['id']}/remove_router_interface",
               json={"port_id": port["id"]})
    # Removing the interface deletes the port, as Neutron's
    # _remove_interface_by_port does (OSC's floating IP test relies on it to
    # free its subnet).
    assert_neutron_error(neutron.get(f"/ports/{port['id']}"), 404, "PortNotFound")
    assert_neutron_error(neutron.put(f"/routers/{router['id']}/remove_router_interface",
                                     json={"port_id": port["id"]}), 404,
                         "RouterInterfaceNotFound")


@pytest.mark.parametrize("body, code, kind", [
    ({}, 400, "BadRequest"),
    ({"subnet_id": "a", "port_id": "b"}, 400, "BadRequest"),
    ({"subnet_id": "nope"}, 404, "SubnetNotFound"),
    ({"port_id": "nope"}, 404, "PortNotFound"),
    ({"subnet": "x"}, 400, "HTTPBadRequest"),
])
def test_bad_interface_requests_change_nothing(neutron, tenant_net, body, code, kind):
    router = make_router(neutron)
    response = neutron.put(f"/routers/{router['id']}/add_router_interface", json=body)
    assert_neutron_error(response, code, kind)
    assert neutron.ok("GET", f"/routers/{router['id']}")["router"] == router


def test_floating_ip_reaches_a_tenant_port_only_through_a_router(neutron, tenant_net):
    _, subnet, port = tenant_net
    fip = neutron.ok("POST", "/floatingips", 201, json={"floatingip": {
        "floating_network_id": PUBLIC}})["floatingip"]
    refused = neutron.put(f"/floatingips/{fip['id']}", json={"floatingip": {
        "port_id": port["id"]}})
    message = assert_neutron_error(refused, 404, "ExternalGatewayForFloatingIPNotFound")
    assert subnet["id"] in message
    router = make_router(neutron, external_gateway_info={"network_id": PUBLIC})
    # A gateway alone is not enough: the port's subnet needs an interface.
    assert_neutron_error(neutron.put(f"/floatingips/{fip['id']}", json={"floatingip": {
        "port_id": port["id"]}}), 404, "ExternalGatewayForFloatingIPNotFound")
    neutron.ok("PUT", f"/routers/{router['id']}/add_router_interface",
               json={"subnet_id": subnet["id"]})
    associated = neutron.ok("PUT", f"/floatingips/{fip['id']}", json={"floatingip": {
        "port_id": port["id"]}})["floatingip"]
    assert associated["router_id"] == router["id"]
    assert associated["fixed_ip_address"] == port["fixed_ips"][0]["ip_address"]
    # What the floating IP needs stays: the interface and the gateway.
    assert_neutron_error(neutron.put(f"/routers/{router['id']}/remove_router_interface",
                                     json={"subnet_id": subnet["id"]}), 409,
                         "RouterInterfaceInUseByFloatingIP")
    assert_neutron_error(neutron.put(f"/routers/{router['id']}", json={"router": {
        "external_gateway_info": None}}), 409, "RouterExternalGatewayInUseByFloatingIp")
    freed = neutron.ok("PUT", f"/floatingips/{fip['id']}", json={"floatingip": {
        "port_id": None}})["floatingip"]
    assert freed["router_id"] is None
    neutron.ok("PUT", f"/routers/{router['id']}/remove_router_interface",
               json={"subnet_id": subnet["id"]})


def test_floating_ip_on_private_needs_no_router(neutron):
    port = neutron.ok("POST", "/ports", 201, json={"port": {"network_id": PRIVATE}})["port"]
    fip = neutron.ok("POST", "/floatingips", 201, json={"floatingip": {
        "floating_network_id": PUBLIC, "port_id": port["id"]}})["floatingip"]
    assert fip["port_id"] == port["id"] and fip["router_id"] is None


def test_static_routes_go_through_connected_subnets(neutron, tenant_net):
    _, subnet, _ = tenant_net
    router = make_router(neutron)
    route = {"destination": "192.168.0.0/16", "nexthop": "10.20.0.254"}
    assert_neutron_error(neutron.put(f"/routers/{router['id']}", json={"router": {
        "routes": [route]}}), 400, "InvalidRoutes")
    neutron.ok("PUT", f"/routers/{router['id']}/add_router_interface",
               json={"subnet_id": subnet["id"]})
    routed = neutron.ok("PUT", f"/routers/{router['id']}", json={"router": {
        "routes": [route]}})["router"]
    assert routed["routes"] == [route]
    assert_neutron_error(neutron.put(f"/routers/{router['id']}/remove_router_interface",
                                     json={"subnet_id": subnet["id"]}), 409,
                         "RouterInterfaceInUseByRoute")
    too_many = [{"destination": f"172.16.{n}.0/24", "nexthop": "10.20.0.254"}
                for n in range(31)]
    assert_neutron_error(neutron.put(f"/routers/{router['id']}", json={"router": {
        "routes": too_many}}), 400, "RoutesExhausted")
    for bad in ([{"destination": "x", "nexthop": "10.20.0.1"}],
                [{"destination": 167772160, "nexthop": "10.20.0.1"}],
                [{"destination": "10.0.0.0/8"}], "a-route"):
        assert_neutron_error(neutron.put(f"/routers/{router['id']}", json={"router": {
            "routes": bad}}), 400)
    assert neutron.ok("GET", f"/routers/{router['id']}")["router"]["routes"] == [route]
    cleared = neutron.ok("PUT", f"/routers/{router['id']}", json={"router": {"routes": []}})
    assert cleared["router"]["routes"] == []


def test_extra_routes_are_added_and_removed_atomically(mimic):
    # extraroute-atomic, per neutron-lib api-ref/source/v2/routers.inc
    # ("Add/Remove extra routes to/from router") and
    # neutron/db/extraroute_db.py (_add_extra_routes, _remove_extra_routes):
    # a route already there is accepted and kept once, one missing from a
    # removal is accepted, only exact (destination, nexthop) matches go,
    # and the answer is the whole router.
    conn = openstack.connect(
        auth_url=mimic.base_url + "/identity/v2.0", username="extraroute-user",
        password="secret", project_name="extraroute-project", identity_api_version="2",
        region_name="ORD")
    try:
        assert "extraroute-atomic" in {e.alias for e in conn.network.extensions()}
        network = conn.network.create_network(name="routed")
        subnet = conn.network.create_subnet(network_id=network.id, cidr="10.0.0.0/24",
                                            ip_version=4)
        router = conn.network.create_router(name="atomic")
        conn.network.add_interface_to_router(router, subnet=subnet.id)
        ten = {"destination": "10.0.10.0/24", "nexthop": "10.0.0.10"}
        eleven = {"destination": "10.0.11.0/24", "nexthop": "10.0.0.11"}
        twelve = {"destination": "10.0.12.0/24", "nexthop": "10.0.0.12"}
        assert conn.network.add_extra_routes_to_router(
            router, body={"router": {"routes": [ten]}}).routes == [ten]
        assert conn.network.add_extra_routes_to_router(
            router, body={"router": {"routes": [ten, eleven]}}).routes == [ten, eleven]
        other_hop = {"destination": "10.0.11.0/24", "nexthop": "10.0.0.99"}
        removed = conn.network.remove_extra_routes_from_router(
            router, body={"router": {"routes": [other_hop, eleven, twelve]}})
        assert removed.routes == [ten]
        assert conn.network.get_router(router.id).routes == [ten]
    finally:
        conn.close()


def test_bad_extra_routes_are_refused_and_change_nothing(neutron, tenant_net):
    _, subnet, _ = tenant_net
    router = make_router(neutron)
    neutron.ok("PUT", f"/routers/{router['id']}/add_router_interface",
               json={"subnet_id": subnet["id"]})
    route = {"destination": "192.168.0.0/16", "nexthop": "10.20.0.254"}
    before = neutron.ok("PUT", f"/routers/{router['id']}/add_extraroutes",
                        json={"router": {"routes": [route]}})["router"]
    too_many = [{"destination": f"172.16.{n}.0/24", "nexthop": "10.20.0.254"}
                for n in range(30)]
    for action, body, code, kind in (
            ("add", {"router": {"routes": [{"destination": "10.9.0.0/16",
                                            "nexthop": "10.99.0.1"}]}}, 400, "InvalidRoutes"),
            ("add", {"router": {"routes": too_many}}, 400, "RoutesExhausted"),
            ("add", {"router": {"routes": [{"destination": "x", "nexthop": "10.20.0.1"}]}},
             400, None),
            ("add", {"router": {"routes": "a-route"}}, 400, None),
            ("add", {"router": {}}, 400, None),
            ("add", {"routes": [route]}, 400, None),
            ("remove", {"router": {"routes": [{"destination": "192.168.0.0/16"}]}}, 400,
             None),
            ("remove", {"router": {"routes": [route], "name": "x"}}, 400, None)):
        assert_neutron_error(neutron.put(f"/routers/{router['id']}/{action}_extraroutes",
                                         json=body), code, kind)
    after = neutron.ok("GET", f"/routers/{router['id']}")["router"]
    assert (after["routes"], after["revision_number"]) == ([route], before["revision_number"])
    assert_neutron_error(neutron.put("/routers/nope/add_extraroutes",
                                     json={"router": {"routes": [route]}}), 404,
                         "RouterNotFound")


def test_openstacksdk_router_flow_with_a_floating_ip(mimic):
    conn = openstack.connect(
        auth_url=mimic.base_url + "/identity/v2.0", username="router-user",
        password="secret", project_name="router-project", identity_api_version="2",
        region_name="ORD")
    try:
        network = conn.network.create_network(name="web")
        subnet = conn.network.create_subnet(network_id=network.id, cidr="10.30.0.0/24",
                                            ip_version=4)
        port = conn.network.create_port(network_id=network.id)
        public = conn.network.find_network("public")
        router = conn.network.create_router(name="r1",
                                            external_gateway_info={"network_id": public.id})
        conn.network.add_interface_to_router(router, subnet=subnet.id)
        fip = conn.network.create_ip(floating_network_id=public.id, port_id=port.id)
        assert fip.router_id == router.id
        assert fip.fixed_ip_address == port.fixed_ips[0]["ip_address"]
        assert [r.name for r in conn.network.routers()] == ["r1"]
        conn.network.delete_ip(fip)
        conn.network.remove_interface_from_router(router, subnet=subnet.id)
        conn.network.delete_router(router)
        assert list(conn.network.routers()) == []
    finally:
        conn.close()


def test_openstack_cli_router_with_gateway_and_subnet(mimic):
    from tests.test_neutron_clients import openstack_cli

    # The network is made in-process (the CLI is slow to start); the
    # router's commands are the CLI's.
    conn = openstack.connect(
        auth_url=mimic.base_url + "/identity/v2.0", username="cli-user", password="secret",
        project_name="cli-project", identity_api_version="2", region_name="ORD")
    try:
        network = conn.network.create_network(name="cli-net")
        subnet = conn.network.create_subnet(network_id=network.id, name="cli-sub",
                                            cidr="10.40.0.0/24", ip_version=4)
    finally:
        conn.close()
    openstack_cli(mimic, "router", "create", "--external-gateway", "public", "cli-router",
                  "-f", "json")
    openstack_cli(mimic, "router", "add", "subnet", "cli-router", "cli-sub")
    shown = openstack_cli(mimic, "router", "show", "cli-router", "-f", "json")
    assert shown["external_gateway_info"]["network_id"] == PUBLIC
    assert [i["subnet_id"] for i in shown["interfaces_info"]] == [subnet.id]
