"""
Networks and subnets over HTTP: their JSON, the bodies that create and
change them (one or a bulk list), and their routes.
"""

from __future__ import annotations

from typing import Any, Optional

from mimic.bounds import decimal
from mimic.model.neutron import AddressPool, Network, NetworkState, Subnet
from mimic.model.neutron.networks import UNCHANGED
from mimic.rest.http import RequestError, empty_response
from mimic.rest.neutron.wire import (
    tag_created,
    app,
    bad_request,
    boolean_field,
    read_create_bodies,
    read_resource,
    render_created,
    render_list,
    render_one,
    stamps,
    string_field,
    string_list_field,
)


#: The attributes only admins see (and set), Neutron's ``get_network:provider:*``.
PROVIDER_KEYS = ("provider:network_type", "provider:physical_network",
                 "provider:segmentation_id")


def network_json(network: Network, admin: bool = False, viewer: Any = None) -> dict:
    """
    A network as ``viewer`` (the caller's state) sees it: ``shared`` when
    an RBAC entry shares it with every project or with the viewer's.
    """
    shown = {}
    if admin:
        shown = dict(zip(PROVIDER_KEYS, network.provider))
    return {**shown,
        "id": network.id, "name": network.name, "tenant_id": network.tenant_id,
        "project_id": network.tenant_id, "status": "ACTIVE",
        "admin_state_up": network.admin_state_up,
        "subnets": list(network.subnet_ids),
        "shared": network.shared or (viewer is not None and viewer.shared_with_me(network.id)),
        "router:external": network.external, "is_default": network.is_default,
        "mtu": network.mtu, "port_security_enabled": network.port_security_enabled,
        "availability_zone_hints": [], "availability_zones": ["nova"], "ipv4_address_scope": None,
        "ipv6_address_scope": None, "l2_adjacency": True, "description": network.description,
        "tags": list(network.tags), **stamps(network),
    }


def subnet_json(subnet: Subnet) -> dict:
    return {
        "id": subnet.id, "name": subnet.name, "tenant_id": subnet.tenant_id,
        "project_id": subnet.tenant_id, "network_id": subnet.network_id,
        "ip_version": subnet.ip_version, "cidr": subnet.cidr,
        "gateway_ip": subnet.gateway_ip,
        "allocation_pools": [{"start": subnet.pool.start, "end": subnet.pool.end}],
        "dns_nameservers": list(subnet.dns_nameservers),
        "host_routes": [{"destination": d, "nexthop": n} for d, n in subnet.host_routes],
        "enable_dhcp": subnet.enable_dhcp, "ipv6_ra_mode": subnet.ipv6_ra_mode,
        "ipv6_address_mode": subnet.ipv6_address_mode,
        "subnetpool_id": subnet.subnetpool_id, "service_types": list(subnet.service_types),
        "segment_id": None,
        "description": subnet.description, "tags": list(subnet.tags), **stamps(subnet),
    }


#: What lists of networks and subnets may filter and sort on.
NETWORK_ATTRIBUTES = frozenset(network_json(Network("", ""), admin=True))
SUBNET_ATTRIBUTES = frozenset(subnet_json(
    Subnet("", "", pool=AddressPool.for_cidr("10.0.0.0/30"))))


def _allocation_pool(resource: dict) -> Optional[tuple]:
    pools = resource.get("allocation_pools")
    if pools is None or pools == []:
        return None
    if (not isinstance(pools, list) or len(pools) != 1 or not isinstance(pools[0], dict)
            or set(pools[0]) != {"start", "end"}):
        raise bad_request(f"Invalid input for allocation_pools. Reason: Mimic takes one pool "
                          f"{{'start', 'end'}}, not '{pools}'.")
    return (pools[0]["start"], pools[0]["end"])


def _ipv6_mode(resource: dict, key: str) -> Optional[str]:
    value = resource.get(key)
    if value is not None and value not in ("slaac", "dhcpv6-stateful", "dhcpv6-stateless"):
        raise bad_request(f"Invalid input for {key}. Reason: '{value}' is not in "
                          f"['dhcpv6-stateful', 'dhcpv6-stateless', 'slaac'].")
    return value


#: What only an admin may set on a network (Neutron's default policies,
#: neutron/conf/policies/network.py: ``create_network:shared`` and the
#: others are ``ADMIN``).
ADMIN_NETWORK_KEYS = ("shared", "router:external", "is_default", *PROVIDER_KEYS)


def _refuse_admin_keys(body: dict, action: str, admin: bool) -> None:
    """
    Neutron checks an attribute's policy when a create gives it a value
    other than its default, and whenever an update names it.
    """
    if admin:
        return
    for key in ADMIN_NETWORK_KEYS:
        if key not in body:
            continue
        default = None if key.startswith("provider:") else False
        if action == "update" or body[key] != default:
            raise RequestError(403, f"(rule:{action}_network:{key}) is disallowed by policy",
                               kind="PolicyNotAuthorized")


def _provider(body: dict) -> tuple:
    network_type = string_field(body, "provider:network_type")
    physical = string_field(body, "provider:physical_network")
    segment = body.get("provider:segmentation_id")
    if isinstance(segment, str) and decimal(segment) is not None:
        segment = decimal(segment)
    return (network_type, physical, segment)


def _network_request(body: dict, admin: bool) -> dict:
    """The keyword arguments of ``create_network`` for one network body."""
    _refuse_admin_keys(body, "create", admin)
    return dict(name=string_field(body, "name", ""),
                description=string_field(body, "description", ""),
                admin_state_up=boolean_field(body, "admin_state_up") is not False,
                port_security_enabled=boolean_field(body, "port_security_enabled") is not False,
                mtu=_mtu(body), shared=boolean_field(body, "shared") is True,
                external=boolean_field(body, "router:external") is True,
                is_default=boolean_field(body, "is_default") is True,
                provider=_provider(body))


def _mtu(body: dict) -> Optional[int]:
    value = body.get("mtu")
    if isinstance(value, str) and decimal(value) is not None:
        value = decimal(value)
    return value


def _subnet_request(body: dict) -> dict:
    """The keyword arguments of ``create_subnet`` for one subnet body."""
    if string_field(body, "network_id") is None:
        raise bad_request("Failed to parse request. Required attribute 'network_id' not "
                          "specified")
    if body.get("segment_id") is not None:
        raise bad_request("Mimic does not emulate segments: segment_id is not taken.")
    ip_version = body.get("ip_version")
    if isinstance(ip_version, str) and decimal(ip_version) is not None:
        ip_version = decimal(ip_version)
    return dict(
        network_id=body["network_id"], cidr=string_field(body, "cidr"), ip_version=ip_version,
        subnetpool_id=string_field(body, "subnetpool_id"), prefixlen=body.get("prefixlen"),
        name=string_field(body, "name", ""), description=string_field(body, "description", ""),
        gateway_ip=body["gateway_ip"] if "gateway_ip" in body else "",
        allocation_pool=_allocation_pool(body),
        enable_dhcp=boolean_field(body, "enable_dhcp") is not False,
        dns_nameservers=string_list_field(body, "dns_nameservers") or (),
        ipv6_ra_mode=_ipv6_mode(body, "ipv6_ra_mode"),
        ipv6_address_mode=_ipv6_mode(body, "ipv6_address_mode"),
        host_routes=_list(body, "host_routes") or (),
        service_types=string_list_field(body, "service_types") or (),
    )


def _list(body: dict, key: str) -> Optional[list]:
    """A list attribute (null: none); its items are the model's to check."""
    value = body.get(key)
    if value is not None and not isinstance(value, list):
        raise bad_request(f"Invalid input for {key}. Reason: '{value}' is not a list.")
    return value


class NetworkRoutes:
    """Routes of ``/v2.0/networks`` and ``/v2.0/subnets``."""

    @app.route("/v2.0/networks", methods=["GET"])
    def list_networks(self, request: Any) -> bytes:
        state, networks = self._listed(request, "networks")
        admin = self._is_admin(request)
        return render_list(request, "networks", (
            network_json(n, admin, state) for n in networks), NETWORK_ATTRIBUTES)

    @app.route("/v2.0/networks/<network_id>", methods=["GET"])
    def show_network(self, request: Any, network_id: str) -> bytes:
        _, network = self._shown(request, "networks", network_id, NetworkState.network)
        return render_one(request, "network", network_json(
            network, self._is_admin(request), self._state(request)))

    @app.route("/v2.0/networks", methods=["POST"])
    def create_network(self, request: Any) -> bytes:
        state = self._creating(request, "network")
        admin = self._is_admin(request)
        bodies, bulk = read_create_bodies(request, "network", (
            "name", "description", "admin_state_up", "mtu", "port_security_enabled",
            "tags", *ADMIN_NETWORK_KEYS), state.tenant_id)
        wanted = [_network_request(body, admin) for body in bodies]
        networks = self._run(lambda: state.create_networks(wanted))
        tag_created(networks, bodies)
        return render_created(request, "network", [network_json(n, admin, state)
                                                   for n in networks],
                              bulk)

    @app.route("/v2.0/networks/<network_id>", methods=["PUT"])
    def update_network(self, request: Any, network_id: str) -> bytes:
        state = self._holder(request, "networks", network_id)
        admin = self._is_admin(request)
        body = read_resource(request, "network", ("name", "description", "admin_state_up",
                                                  "port_security_enabled", "mtu", "shared",
                                                  "router:external", "is_default"),
                             state.tenant_id)
        _refuse_admin_keys(body, "update", admin)
        kwargs = dict(name=string_field(body, "name"),
                      shared=boolean_field(body, "shared"),
                      external=boolean_field(body, "router:external"),
                      is_default=boolean_field(body, "is_default"),
                      description=string_field(body, "description"),
                      admin_state_up=boolean_field(body, "admin_state_up"),
                      port_security_enabled=boolean_field(body, "port_security_enabled"),
                      mtu=_mtu(body))
        network = self._run(lambda: state.update_network(network_id, **kwargs))
        return render_one(request, "network", network_json(network, admin,
                                                           self._state(request)))

    @app.route("/v2.0/networks/<network_id>", methods=["DELETE"])
    def delete_network(self, request: Any, network_id: str) -> bytes:
        state = self._holder(request, "networks", network_id)
        self._run(lambda: state.delete_network(network_id))
        return empty_response(request)

    @app.route("/v2.0/subnets", methods=["POST"])
    def create_subnet(self, request: Any) -> bytes:
        state = self._creating(request, "subnet")
        bodies, bulk = read_create_bodies(request, "subnet", (
            "network_id", "cidr", "ip_version", "name", "description", "gateway_ip",
            "allocation_pools", "enable_dhcp", "dns_nameservers", "ipv6_ra_mode",
            "ipv6_address_mode", "host_routes", "subnetpool_id", "prefixlen",
            "service_types", "segment_id", "tags",
        ), state.tenant_id)
        wanted = [_subnet_request(body) for body in bodies]
        subnets = self._run(lambda: state.create_subnets(wanted))
        tag_created(subnets, bodies)
        return render_created(request, "subnet", list(map(subnet_json, subnets)), bulk)

    @app.route("/v2.0/subnets/<subnet_id>", methods=["PUT"])
    def update_subnet(self, request: Any, subnet_id: str) -> bytes:
        state = self._holder(request, "subnets", subnet_id)
        body = read_resource(request, "subnet", (
            "name", "description", "enable_dhcp", "dns_nameservers", "gateway_ip",
            "host_routes", "service_types",
        ), state.tenant_id)
        kwargs = dict(name=string_field(body, "name"),
                      description=string_field(body, "description"),
                      enable_dhcp=boolean_field(body, "enable_dhcp"),
                      dns_nameservers=string_list_field(body, "dns_nameservers"),
                      gateway_ip=body["gateway_ip"] if "gateway_ip" in body else UNCHANGED,
                      host_routes=([] if "host_routes" in body and body["host_routes"] is None
                                   else _list(body, "host_routes")),
                      service_types=string_list_field(body, "service_types"))
        subnet = self._run(lambda: state.update_subnet(subnet_id, **kwargs))
        return render_one(request, "subnet", subnet_json(subnet))

    @app.route("/v2.0/subnets/<subnet_id>", methods=["DELETE"])
    def delete_subnet(self, request: Any, subnet_id: str) -> bytes:
        state = self._holder(request, "subnets", subnet_id)
        self._run(lambda: state.delete_subnet(subnet_id))
        return empty_response(request)

    @app.route("/v2.0/subnets", methods=["GET"])
    def list_subnets(self, request: Any) -> bytes:
        _, subnets = self._listed(request, "subnets")
        return render_list(request, "subnets", map(subnet_json, subnets), SUBNET_ATTRIBUTES)

    @app.route("/v2.0/subnets/<subnet_id>", methods=["GET"])
    def show_subnet(self, request: Any, subnet_id: str) -> bytes:
        _, subnet = self._shown(request, "subnets", subnet_id, NetworkState.subnet)
        return render_one(request, "subnet", subnet_json(subnet))
