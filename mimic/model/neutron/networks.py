"""
Networks and subnets: the ``public`` and ``private`` networks every
tenant has (ids, CIDRs), the networks and subnets a tenant makes, and the
rules for them (shared networks belong to no one, subnets of a network do
not overlap, a network or subnet in use stays).
"""

from __future__ import annotations

import ipaddress
from typing import Any, Iterable, Optional, Sequence

import attrs

from mimic.model.neutron.addresses import AddressPool, PoolShare, valid_ip
from mimic.model.neutron.faults import BadRequest, Conflict, Forbidden, found
from mimic.model.neutron.standard import Stamped


#: The well-known ids of the two networks every tenant has (Rackspace's
#: ``public`` and ServiceNet ``private`` networks have these ids).
PUBLIC_NETWORK_ID = "00000000-0000-0000-0000-000000000000"


PRIVATE_NETWORK_ID = "11111111-1111-1111-1111-111111111111"


#: The subnets of those networks: (network id, name, CIDR).
PUBLIC_IPV4_CIDR = "198.18.0.0/15"


PUBLIC_IPV6_CIDR = "2001:db8::/64"


PRIVATE_IPV4_CIDR = "10.176.0.0/12"


#: The id of devstack's ``shared`` network (the others keep the ids above,
#: which Nova's default server ports are on).
SHARED_NETWORK_ID = "22222222-2222-2222-2222-222222222222"


@attrs.frozen
class BuiltinNetwork:
    """
    A network a profile gives the cloud (every project holds it, with the
    same id and subnets drawing on the region's shared pools): ``owner``
    names the project shown as its owner (None: each project itself),
    ``subnets`` are ``(name, cidr, enable_dhcp)``; ``owner_may_route``
    lets its owner plug it into a router.
    """

    id: str
    name: str
    subnets: tuple
    external: bool = False
    shared: bool = False
    owner: Optional[str] = None
    provider: tuple = (None, None, None)
    owner_may_route: bool = False
    is_default: bool = False


#: The Rackspace-like networks: ``public`` (external) and ``private``.
RACKSPACE_NETWORKS = (
    BuiltinNetwork(PUBLIC_NETWORK_ID, "public", (("public-ipv4", PUBLIC_IPV4_CIDR, True),
                                                 ("public-ipv6", PUBLIC_IPV6_CIDR, True)),
                   external=True, shared=True, is_default=True),
    BuiltinNetwork(PRIVATE_NETWORK_ID, "private", (("private-ipv4", PRIVATE_IPV4_CIDR, True),),
                   shared=True),
)

#: devstack's networks after ``stack.sh`` (github:openstack/devstack
#: lib/neutron_plugins/services/l3 ``create_neutron_initial_network``, stackrc
#: ``FLOATING_RANGE``/``FIXED_RANGE``, lib/tempest's ``shared`` network):
#: admin's external ``public`` (a flat provider network on physnet
#: ``public``, subnets without DHCP), demo's ``private`` (IPv4 and SLAAC
#: IPv6) and admin's ``shared``. devstack's IPv6 private range is random
#: (``IPV6_GLOBAL_ID``); Mimic fixes one.
DEVSTACK_NETWORKS = (
    BuiltinNetwork(PUBLIC_NETWORK_ID, "public", (("public-subnet", "172.24.4.0/24", False),
                                                 ("ipv6-public-subnet", PUBLIC_IPV6_CIDR, False)),
                   external=True, owner="admin", provider=("flat", "public", None)),
    BuiltinNetwork(PRIVATE_NETWORK_ID, "private", (
        ("private-subnet", "10.0.0.0/22", True),
        ("ipv6-private-subnet", "fd8e:5c1b:7a3f::/64", True)),
        owner="demo", provider=("geneve", None, 1), owner_may_route=True),
    BuiltinNetwork(SHARED_NETWORK_ID, "shared", (("shared-subnet", "192.168.233.0/24", True),),
                   shared=True, owner="admin", provider=("geneve", None, 2)),
)


@attrs.define(eq=False)
class Network(Stamped):
    id: str = ""
    name: str = ""
    tenant_id: str = ""
    external: bool = False
    shared: bool = False
    subnet_ids: list = attrs.field(factory=list)
    description: str = ""
    mtu: int = 1500
    admin_state_up: bool = True
    builtin: bool = False
    #: What the network's new ports default to.
    port_security_enabled: bool = True
    is_default: bool = False
    #: ``provider:network_type``, ``provider:physical_network``,
    #: ``provider:segmentation_id`` (what only admins see and set).
    provider: tuple = (None, None, None)
    #: A profile's network its owner may plug into a router.
    owner_may_route: bool = False


@attrs.define(eq=False)
class Subnet(Stamped):
    id: str = ""
    name: str = ""
    tenant_id: str = ""
    network_id: str = ""
    cidr: str = ""
    gateway_ip: Optional[str] = ""
    pool: AddressPool = None  # type: ignore[assignment]
    description: str = ""
    enable_dhcp: bool = True
    dns_nameservers: list = attrs.field(factory=list)
    ipv6_ra_mode: Optional[str] = None
    ipv6_address_mode: Optional[str] = None
    #: ``(destination, nexthop)`` pairs handed to the subnet's hosts by DHCP.
    host_routes: tuple = ()
    #: The ``device_owner`` values the subnet is for (stored and shown).
    service_types: tuple = ()
    subnetpool_id: Optional[str] = None

    @property
    def ip_version(self) -> int:
        return self.pool.version


#: The largest MTU a tenant network may have (Neutron's ``global_physnet_mtu``
#: default) and the smallest (IPv4's minimum).
MAX_MTU = 1500
MIN_MTU = 68


def _checked_mtu(mtu: Any) -> int:
    if isinstance(mtu, bool) or not isinstance(mtu, int) or mtu < MIN_MTU:
        raise BadRequest(f"Invalid input for mtu. Reason: '{mtu}' should be an integer "
                         f"of at least {MIN_MTU}.")
    if mtu > MAX_MTU:
        raise BadRequest(f"Invalid input for operation: Requested MTU is too big, maximum "
                         f"is {MAX_MTU}.", "InvalidInput")
    return mtu


#: Marks an attribute an update leaves as it is (where None means "none").
UNCHANGED = object()

#: How many host routes a subnet takes (Neutron's ``max_subnet_host_routes``).
MAX_HOST_ROUTES = 20


def _subnet_cidr(cidr: Any) -> Any:
    """
    A subnet's CIDR as neutron-lib's ``validate_subnet`` takes it (an
    address with a prefix length; an IPv4 one written canonically, host
    bits allowed) and Neutron stores it: the network, without host bits.
    """
    try:
        if not isinstance(cidr, str) or "/" not in cidr:
            raise ValueError(cidr)
        interface = ipaddress.ip_interface(cidr)
        if interface.version == 4 and str(interface) != cidr:
            raise ValueError(cidr)
        return interface.network
    except (ValueError, TypeError):
        raise BadRequest(f"Invalid input for cidr. Reason: '{cidr}' is not a valid IP "
                         f"subnet.") from None


#: Neutron's network types (ML2's type drivers).
NETWORK_TYPES = ("flat", "vlan", "vxlan", "gre", "geneve", "local")


def _provider(provider: tuple) -> tuple:
    """``(network_type, physical_network, segmentation_id)`` as ML2 checks them."""
    network_type, physical, segment = provider
    if network_type is None and (physical is not None or segment is not None):
        raise BadRequest("Invalid input for operation: network_type required.", "InvalidInput")
    if network_type is not None and network_type not in NETWORK_TYPES:
        raise BadRequest(f"Invalid input for operation: network_type value "
                         f"'{network_type}' not supported.", "InvalidInput")
    if network_type == "flat" and segment is not None:
        raise BadRequest("Invalid input for operation: segmentation_id specified for flat "
                         "network.", "InvalidInput")
    if network_type in ("flat", "vlan") and physical is None:
        raise BadRequest(f"Invalid input for operation: physical_network required for "
                         f"{network_type} provider network.", "InvalidInput")
    if segment is not None and (isinstance(segment, bool) or not isinstance(segment, int)
                                or not 1 <= segment <= 16777215):
        raise BadRequest(f"Invalid input for provider:segmentation_id. Reason: '{segment}' "
                         f"is not a valid segmentation id.")
    if network_type is not None and network_type not in ("flat", "local") and segment is None:
        segment = 1
    return (network_type, physical, segment)


def _host_routes(routes: Sequence[Any], version: int) -> tuple:
    """Host routes as neutron-lib's ``validate_hostroutes`` and Neutron check them."""
    checked: list[tuple[str, str]] = []
    if len(routes) > MAX_HOST_ROUTES:
        raise BadRequest(f"Unable to complete operation for subnet. The number of host routes "
                         f"exceeds the limit {MAX_HOST_ROUTES}.", "HostRoutesExhausted")
    for route in routes:
        if not isinstance(route, dict) or set(route) != {"destination", "nexthop"}:
            raise BadRequest(f"Invalid input for host_routes. Reason: Validation of "
                             f"dictionary's keys failed. Expected keys: "
                             f"{{'destination', 'nexthop'}}.")
        destination = _subnet_cidr(route["destination"])
        nexthop = ipaddress.ip_address(valid_ip(route["nexthop"], "host_routes"))
        if destination.version != version or nexthop.version != version:
            raise BadRequest(f"Invalid route {route} for a subnet of IP version {version}.",
                             "InvalidInput")
        pair = (str(destination), str(nexthop))
        if pair in checked:
            raise BadRequest(f"Invalid input for host_routes. Reason: Duplicate hostroute "
                             f"'{route}'.")
        checked.append(pair)
    return tuple(checked)


class NetworksAndSubnets:
    """
    The networks and subnets of :class:`~mimic.model.neutron.state.NetworkState`.
    """

    __slots__ = ()

    def _add_network(self, builtin: BuiltinNetwork, owner_id: str, pools: dict) -> Network:
        now = self.now()
        network = Network(now, now, 1, id=builtin.id, name=builtin.name, tenant_id=owner_id,
                          external=builtin.external, shared=builtin.shared, builtin=True,
                          provider=builtin.provider, owner_may_route=builtin.owner_may_route,
                          is_default=builtin.is_default)
        for subnet_name, cidr, dhcp in builtin.subnets:
            net = ipaddress.ip_network(cidr)
            subnet = Subnet(now, now, 0, id=self.ids.uuid(), name=subnet_name,
                            tenant_id=owner_id, network_id=builtin.id, cidr=cidr,
                            gateway_ip=str(net.network_address + 1), enable_dhcp=dhcp,
                            pool=PoolShare.of(pools.setdefault(cidr, AddressPool.for_cidr(cidr))),
                            ipv6_ra_mode="slaac" if net.version == 6 else None,
                            ipv6_address_mode="slaac" if net.version == 6 else None)
            self.subnets[subnet.id] = subnet
            network.subnet_ids.append(subnet.id)
        self.networks[network.id] = network
        self._ports_by_network[network.id] = {}
        return network

    # networks and subnets the tenant makes

    def create_network(self, name: str = "", description: str = "",
                       admin_state_up: bool = True,
                       port_security_enabled: bool = True,
                       mtu: Optional[int] = None, shared: bool = False,
                       external: bool = False, is_default: bool = False,
                       provider: tuple = (None, None, None)) -> Network:
        """
        A project network, no subnets yet. ``shared``, ``external``,
        ``is_default`` and ``provider`` are an admin's to set (the routes
        check who asks); a shared or external network gets the RBAC entry
        that opens it to every project of the region.
        """
        mtu = MAX_MTU if mtu is None else _checked_mtu(mtu)
        self.check_quota("network")
        now = self.now()
        network = Network(now, now, 1, id=self.ids.uuid(), name=name, tenant_id=self.tenant_id,
                          description=description, admin_state_up=admin_state_up,
                          port_security_enabled=port_security_enabled, mtu=mtu,
                          shared=shared, external=external, is_default=is_default,
                          provider=_provider(provider))
        self.networks[network.id] = network
        self._ports_by_network[network.id] = {}
        # Neutron's entries: shared is ``*`` access_as_shared, external ``*``
        # access_as_external (see :mod:`.rbac`).
        if shared:
            self.share_with_everyone(network, "network", "access_as_shared", True)
        if external:
            self.share_with_everyone(network, "network", "access_as_external", True)
        return network

    def _own_network(self, network_id: str, action: str) -> Network:
        """A network this project may change: its own, not one a profile gave."""
        network = self.network(network_id)
        if network.builtin or network.tenant_id != self.tenant_id:
            raise Forbidden(f"({action}) is disallowed by policy", "PolicyNotAuthorized")
        return network

    def update_network(self, network_id: str, name: Optional[str] = None,
                       description: Optional[str] = None,
                       admin_state_up: Optional[bool] = None,
                       port_security_enabled: Optional[bool] = None,
                       mtu: Optional[int] = None, shared: Optional[bool] = None,
                       external: Optional[bool] = None,
                       is_default: Optional[bool] = None) -> Network:
        network = self._own_network(network_id, "rule:update_network")
        if mtu is not None:
            mtu = _checked_mtu(mtu)
        unshared = [action for action, wanted, held in (
            ("access_as_shared", shared, network.shared),
            ("access_as_external", external, network.external)) if wanted is False and held]
        self.check_unsharing(network, unshared)
        for action in unshared:
            self.share_with_everyone(network, "network", action, False)
        if name is not None:
            network.name = name
            # A server's addresses are keyed by network name.
            for port in self.ports_on_network(network_id):
                self._device_changed(port.device_id)
        if description is not None:
            network.description = description
        if admin_state_up is not None:
            network.admin_state_up = admin_state_up
        if port_security_enabled is not None:
            network.port_security_enabled = port_security_enabled
        if mtu is not None:
            network.mtu = mtu
        if shared:
            self.share_with_everyone(network, "network", "access_as_shared", True)
        if external and not network.external:
            self.share_with_everyone(network, "network", "access_as_external", True)
        network.external = network.external if external is None else external
        if is_default is not None:
            network.is_default = is_default
        network.touch(self.now())
        return network

    def delete_network(self, network_id: str) -> None:
        """Delete a network with no ports left on it (in any project), and its subnets."""
        network = self._own_network(network_id, "rule:delete_network")
        if self._ports_by_network[network_id] or self.region_networks.users_besides(
                network_id, self):
            raise Conflict(f"Unable to complete operation on network {network_id}. There are "
                           f"one or more ports still in use on the network.", "NetworkInUse")
        self.region_networks.withdraw(network, self)
        self.forget_rbac_entries(network_id)
        for subnet_id in network.subnet_ids:
            self._leave_subnetpool(self.subnets.pop(subnet_id))
        del self._ports_by_network[network_id]
        del self.networks[network_id]

    def create_subnet(self, network_id: str, cidr: Optional[str], ip_version: Optional[int],
                      name: str = "",
                      gateway_ip: Optional[str] = "", allocation_pool: Optional[tuple] = None,
                      enable_dhcp: bool = True, dns_nameservers: Sequence[str] = (),
                      description: str = "", ipv6_ra_mode: Optional[str] = None,
                      ipv6_address_mode: Optional[str] = None,
                      host_routes: Sequence[Any] = (),
                      service_types: Sequence[str] = (),
                      subnetpool_id: Optional[str] = None,
                      prefixlen: Any = None) -> Subnet:
        """
        A subnet of a tenant network. ``gateway_ip`` ``""`` means the first
        address, None no gateway; ``allocation_pool`` is ``(start, end)``,
        by default every host address but the gateway. With
        ``subnetpool_id`` the CIDR comes from the pool (``cidr`` inside it,
        or the first free block of ``prefixlen``); ``ip_version`` None is
        the pool's, else 4.
        """
        network = self.network(network_id)
        if network.builtin or network.tenant_id != self.tenant_id:
            raise Forbidden(f"Tenant {self.tenant_id} not allowed to create subnet on this "
                            f"network", "HTTPForbidden")
        self.check_quota("subnet")
        subnetpool = None if subnetpool_id is None else self.subnetpool(subnetpool_id)
        if ip_version is None:
            ip_version = subnetpool.ip_version if subnetpool is not None else 4
        if ip_version not in (4, 6):
            raise BadRequest(f"Invalid input for ip_version. Reason: {ip_version!r} is not in "
                             f"[4, 6].")
        if subnetpool is None:
            if cidr is None:
                raise BadRequest("Bad subnet request: a cidr must be specified in the absence "
                                 "of a subnet pool", "BadRequest")
            net = _subnet_cidr(cidr)
        else:
            if subnetpool.ip_version != ip_version:
                raise BadRequest("Invalid input for operation: subnetpool and ip_version "
                                 "must be the same IP version.", "InvalidInput")
            net = self.allocate_from_pool(
                subnetpool, prefixlen, None if cidr is None else _subnet_cidr(cidr))
            cidr = str(net)
        if net.version != ip_version:
            raise BadRequest("Invalid input for operation: cidr and ip_version must be same "
                             "IP version.", "InvalidInput")
        if net.num_addresses < 4:
            raise BadRequest(f"Invalid input for operation: Subnet {cidr} is too small.",
                             "InvalidInput")
        for other_id in network.subnet_ids:
            if self.subnets[other_id].pool.version == net.version and net.overlaps(
                    ipaddress.ip_network(self.subnets[other_id].cidr)):
                raise BadRequest(f"Invalid input for operation: Requested subnet with cidr: "
                                 f"{net} for network: {network_id} overlaps with another "
                                 f"subnet.", "InvalidInput")
        hosts_first = int(net.network_address) + 1
        hosts_last = int(net.broadcast_address) - (1 if net.version == 4 else 0)
        if gateway_ip == "":
            gateway_ip = str(ipaddress.ip_address(hosts_first))
        elif gateway_ip is not None:
            gateway_ip = _checked_gateway(net, gateway_ip)
        if allocation_pool is None:
            # Every host but the gateway; one pool, so a gateway inside the
            # range is kept out by claiming it.
            first, last = hosts_first, hosts_last
            if gateway_ip is not None and int(ipaddress.ip_address(gateway_ip)) == first:
                first += 1
            elif gateway_ip is not None and int(ipaddress.ip_address(gateway_ip)) == last:
                last -= 1
        else:
            bounds = [ipaddress.ip_address(valid_ip(a, "allocation_pools"))
                      for a in allocation_pool]
            first, last = (int(b) for b in bounds)
            if any(b not in net for b in bounds) or not hosts_first <= first <= last <= hosts_last:
                raise BadRequest(f"The allocation pool {allocation_pool[0]}-"
                                 f"{allocation_pool[1]} spans beyond the subnet cidr {net}.",
                                 "OutOfBoundsAllocationPool")
        routes = _host_routes(host_routes, net.version)
        pool = AddressPool(net.version, first, last)
        if gateway_ip is not None and pool.contains(gateway_ip):
            if allocation_pool is not None:
                raise Conflict(f"Gateway ip {gateway_ip} conflicts with allocation pool "
                               f"{allocation_pool[0]}-{allocation_pool[1]}.",
                               "GatewayConflictWithAllocationPools")
            pool.claim(gateway_ip)
        now = self.now()
        subnet = Subnet(now, now, 0, id=self.ids.uuid(), name=name, tenant_id=self.tenant_id,
                        network_id=network_id, cidr=str(net), gateway_ip=gateway_ip,
                        pool=pool, description=description, enable_dhcp=enable_dhcp,
                        dns_nameservers=list(dns_nameservers), ipv6_ra_mode=ipv6_ra_mode,
                        ipv6_address_mode=ipv6_address_mode, host_routes=routes,
                        service_types=tuple(service_types),
                        subnetpool_id=None if subnetpool is None else subnetpool.id)
        self.subnets[subnet.id] = subnet
        network.subnet_ids.append(subnet.id)
        if subnetpool is not None:
            subnetpool.subnet_ids[subnet.id] = (self.tenant_id, subnet.cidr)
        self.region_networks.subnet_added(subnet)
        network.touch(now)
        return subnet

    def update_subnet(self, subnet_id: str, name: Optional[str] = None,
                      description: Optional[str] = None,
                      enable_dhcp: Optional[bool] = None,
                      dns_nameservers: Optional[Sequence[str]] = None,
                      gateway_ip: Any = UNCHANGED,
                      host_routes: Optional[Sequence[Any]] = None,
                      service_types: Optional[Sequence[str]] = None) -> Subnet:
        """
        Change what ``PUT /subnets/<id>`` may change; None (``UNCHANGED``
        for ``gateway_ip``, where None removes the gateway) leaves a field
        be. Everything is checked before anything changes.
        """
        subnet = self.subnet(subnet_id)
        self._own_network(subnet.network_id, "rule:update_subnet")
        net = ipaddress.ip_network(subnet.cidr)
        routes = None if host_routes is None else _host_routes(host_routes, net.version)
        if gateway_ip is not UNCHANGED:
            gateway_ip = self._new_gateway(subnet, net, gateway_ip)
        if name is not None:
            subnet.name = name
        if description is not None:
            subnet.description = description
        if enable_dhcp is not None:
            subnet.enable_dhcp = enable_dhcp
        if dns_nameservers is not None:
            subnet.dns_nameservers = list(dns_nameservers)
        if routes is not None:
            subnet.host_routes = routes
        if service_types is not None:
            subnet.service_types = tuple(service_types)
        if gateway_ip is not UNCHANGED and gateway_ip != subnet.gateway_ip:
            if subnet.gateway_ip is not None and subnet.pool.contains(subnet.gateway_ip):
                subnet.pool.release(subnet.gateway_ip)
            subnet.gateway_ip = gateway_ip
        subnet.touch(self.now())
        return subnet

    def _new_gateway(self, subnet: Subnet, net: Any, gateway_ip: Any) -> Optional[str]:
        """A gateway a subnet may move to: valid for it, outside its pool, not in use."""
        if subnet.id in self._gateway_ports:
            raise Conflict(f"Current gateway ip {subnet.gateway_ip} already in use by port "
                           f"{self._gateway_ports[subnet.id]}. Unable to update.",
                           "GatewayIpInUse")
        if gateway_ip is None:
            return None
        gateway_ip = _checked_gateway(net, gateway_ip)
        if gateway_ip != subnet.gateway_ip and subnet.pool.contains(gateway_ip):
            raise Conflict(f"Gateway ip {gateway_ip} conflicts with allocation pool "
                           f"{subnet.pool.start}-{subnet.pool.end}.",
                           "GatewayConflictWithAllocationPools")
        return gateway_ip

    def delete_subnet(self, subnet_id: str) -> None:
        """Delete a subnet no port holds an address in."""
        subnet = self.subnet(subnet_id)
        network = self._own_network(subnet.network_id, "rule:delete_subnet")
        gateway_held = subnet.gateway_ip is not None and subnet.pool.contains(subnet.gateway_ip)
        if subnet.pool.used > (1 if gateway_held else 0) or subnet_id in self._gateway_ports:
            raise Conflict(f"Unable to complete operation on subnet {subnet_id}: One or more "
                           f"ports have an IP allocation from this subnet.", "SubnetInUse")
        network.subnet_ids.remove(subnet_id)
        self._leave_subnetpool(subnet)
        del self.subnets[subnet_id]
        self.region_networks.subnet_removed(subnet)
        network.touch(self.now())

    def _leave_subnetpool(self, subnet: Subnet) -> None:
        """A subnet going away gives its CIDR back to the pool it came from."""
        if subnet.subnetpool_id is not None:
            self.subnetpool(subnet.subnetpool_id).subnet_ids.pop(subnet.id, None)

    # lookups

    def network(self, network_id: str) -> Network:
        return found(self.networks, network_id,
                      f"Network {network_id} could not be found.", "NetworkNotFound")

    def subnet(self, subnet_id: str) -> Subnet:
        return found(self.subnets, subnet_id,
                      f"Subnet {subnet_id} could not be found.", "SubnetNotFound")


def _checked_gateway(net: Any, gateway_ip: Any) -> str:
    """
    A subnet's gateway as Neutron's ``_validate_subnet`` takes it: an
    address of the subnet's IP version, anywhere (a gateway outside the
    CIDR is allowed, neutron/ipam/utils.py check_gateway_invalid_in_subnet)
    but an IPv4 subnet's network or broadcast address.
    """
    gateway_ip = valid_ip(gateway_ip, "gateway_ip")
    address = ipaddress.ip_address(gateway_ip)
    if address.version != net.version:
        raise BadRequest(f"Invalid input for operation: gateway_ip '{gateway_ip}' does not "
                         f"match the ip_version '{net.version}'", "InvalidInput")
    if net.version == 4 and address in (net.network_address, net.broadcast_address):
        raise BadRequest("Invalid input for operation: Gateway is not valid on subnet.",
                         "InvalidInput")
    return gateway_ip
