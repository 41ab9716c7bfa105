"""
Neutron's networking state for one tenant in one region: networks, subnets,
ports with their fixed IPs, security groups and their rules, floating IPs.

Every tenant has, in every region, the two networks every server gets: an
external ``public`` network (an IPv4 and an IPv6 subnet; floating IPs come
from it) and a ``private`` one (an IPv4 subnet, reachable from ``public`` by
an implicit router, so its ports can hold floating IPs), plus a ``default``
security group. A server's addresses are nothing but its ports: Nova calls
:meth:`NetworkState.attach_server` when it builds a server,
:meth:`NetworkState.addresses_for` to render ``addresses``, and the other
``*_server``/interface methods for ``server add/remove fixed ip|port|network|
security group``. Addresses are handed out by :class:`AddressPool` in O(1)
per allocation, so a tenant with tens of thousands of servers costs no
scans. Errors are :class:`NeutronFault` subclasses carrying Neutron's error
type name; this module knows nothing about HTTP.
"""

from __future__ import annotations

import ipaddress
import re
from collections import deque
from collections.abc import MutableMapping
from typing import Any, Iterable, Iterator, Optional, Sequence, Union

import attrs

from mimic.bounds import decimal
from mimic.util import iso_time

#: The well-known ids of the two networks every tenant has (Rackspace's
#: ``public`` and ServiceNet ``private`` networks have these ids).
PUBLIC_NETWORK_ID = "00000000-0000-0000-0000-000000000000"
PRIVATE_NETWORK_ID = "11111111-1111-1111-1111-111111111111"

#: The subnets of those networks: (network id, name, CIDR).
PUBLIC_IPV4_CIDR = "198.18.0.0/15"
PUBLIC_IPV6_CIDR = "2001:db8::/64"
PRIVATE_IPV4_CIDR = "10.176.0.0/12"

#: What Nova puts in ``device_owner`` of the ports it binds to servers.
COMPUTE_OWNER = "compute:nova"

#: OpenStack's default MAC prefix (``base_mac``).
MAC_PREFIX = "fa:16:3e"

#: The MACs of a server's default ports name their IPv4 address: the last
#: three octets are this tag (public ``a``, private ``b``) over the
#: address's offset in its pool, so they are unique without being stored.
#: Random MACs stay out of these ranges.
COMPACT_MAC_TAGS = (0xA, 0xB)

#: A server's default ports' ids are its id with the first eight hex digits
#: XORed with these (public, private): derived, reversible, never stored.
COMPACT_PORT_ID_MASKS = (0x5BD1E995, 0x1B873593)

_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")

#: Protocol names a security group rule accepts, besides numbers 0-255.
PROTOCOL_NAMES = (
    "ah", "dccp", "egp", "esp", "gre", "hopopt", "icmp", "igmp", "ipip",
    "ipv6-encap", "ipv6-frag", "ipv6-icmp", "icmpv6", "ipv6-nonxt",
    "ipv6-opts", "ipv6-route", "ospf", "pgm", "rsvp", "sctp", "tcp", "udp",
    "udplite", "vrrp", "any",
)
PORT_PROTOCOLS = ("tcp", "udp", "dccp", "sctp", "udplite", "6", "17", "33", "132", "136")


# Errors: Neutron's exception families, each instance naming its type.


class NeutronFault(Exception):
    """
    A refused operation. ``kind`` is Neutron's error type (the ``type`` of
    its ``NeutronError`` body, e.g. ``PortNotFound``); the subclass says
    which family (not found, conflict, bad input) it belongs to.
    """

    default_kind = "NeutronError"

    def __init__(self, message: str, kind: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind or self.default_kind


class NotFound(NeutronFault):
    """Something named does not exist (HTTP 404 in Neutron)."""

    default_kind = "NotFound"


class Conflict(NeutronFault):
    """The state forbids the operation: in use, already allocated (409)."""

    default_kind = "Conflict"


class BadRequest(NeutronFault):
    """The request itself is wrong (400)."""

    default_kind = "HTTPBadRequest"


class Forbidden(NeutronFault):
    """Policy forbids it, like changing the networks every tenant shares (403)."""

    default_kind = "HTTPForbidden"


class PoolExhausted(Conflict):
    """No address is left in a subnet's allocation pool."""


# Address allocation.


@attrs.define
class AddressPool:
    """
    The allocation pool of one subnet: addresses ``first..last`` (as
    integers). New addresses come from a cursor that only moves forward;
    released ones wait in a queue and are reused first. Both are O(1) per
    allocation: the cursor skips an address only if it was claimed
    explicitly, which happens once per claim.

    What is in use is kept as ranges, not one entry per address (a region
    holds tens of thousands of servers): everything below the cursor is in
    use except what was released and not handed out again (``_free``),
    and above it only what was claimed explicitly (``_claimed``).
    """

    version: int
    first: int
    last: int
    _cursor: int = attrs.field(init=False)
    _free: set = attrs.field(init=False, factory=set)
    _claimed: set = attrs.field(init=False, factory=set)
    _released: deque = attrs.field(init=False, factory=deque)
    _used: int = attrs.field(init=False, default=0)

    def __attrs_post_init__(self) -> None:
        self._cursor = self.first

    @classmethod
    def for_cidr(cls, cidr: str) -> "AddressPool":
        """The pool of ``cidr``: all but the network, gateway and broadcast."""
        net = ipaddress.ip_network(cidr)
        return cls(net.version, int(net.network_address) + 2,
                   int(net.broadcast_address) - (1 if net.version == 4 else 0))

    def text(self, value: int) -> str:
        """An address of this pool's family, as Neutron writes it."""
        return str(ipaddress.IPv4Address(value) if self.version == 4
                   else ipaddress.IPv6Address(value))

    def _value(self, address: str) -> int:
        return int(ipaddress.ip_address(address))

    @property
    def start(self) -> str:
        return self.text(self.first)

    @property
    def end(self) -> str:
        return self.text(self.last)

    def contains(self, address: str) -> bool:
        value = ipaddress.ip_address(address)
        return value.version == self.version and self.first <= int(value) <= self.last

    def value_in_use(self, value: int) -> bool:
        if value < self._cursor:
            return value >= self.first and value not in self._free
        return value in self._claimed

    def in_use(self, address: str) -> bool:
        return self.value_in_use(self._value(address))

    def allocate_value(self) -> int:
        """A free address as an integer, or :class:`PoolExhausted`."""
        while self._released:
            value = self._released.popleft()
            if value in self._free:
                self._free.discard(value)
                if value >= self._cursor:
                    self._claimed.add(value)
                self._used += 1
                return value
        while self._cursor <= self.last:
            value = self._cursor
            self._cursor += 1
            if value in self._claimed:
                self._claimed.discard(value)
            else:
                self._free.discard(value)
                self._used += 1
                return value
        raise PoolExhausted("No more IP addresses available.", "IpAddressGenerationFailure")

    def allocate(self) -> str:
        """A free address, or :class:`PoolExhausted`."""
        return self.text(self.allocate_value())

    def claim(self, address: str) -> bool:
        """Take ``address`` (which must be in the pool); False if it is taken."""
        value = self._value(address)
        if self.value_in_use(value):
            return False
        self._free.discard(value)
        if value >= self._cursor:
            self._claimed.add(value)
        self._used += 1
        return True

    def release_value(self, value: int) -> None:
        if not self.value_in_use(value):
            return
        self._claimed.discard(value)
        self._free.add(value)
        self._released.append(value)
        self._used -= 1

    def release(self, address: str) -> None:
        self.release_value(self._value(address))

    @property
    def used(self) -> int:
        return self._used


#: The largest share of a pool every tenant of a region draws from
#: (``public`` and ``private``) that one tenant may hold: an eighth, so
#: that no tenant can exhaust a region's public IPv4 addresses (131,068 of
#: them; 16,383 per tenant) for all the others.
SHARED_POOL_SHARE = 8


@attrs.define
class PoolShare:
    """
    One tenant's view of a shared :class:`AddressPool`: the same addresses
    and answers, but the tenant may hold at most ``limit`` of them at once
    (past it, :class:`PoolExhausted` as if the pool were empty).
    """

    shared: AddressPool
    limit: int
    held: int = 0

    @classmethod
    def of(cls, shared: AddressPool) -> "PoolShare":
        return cls(shared, (shared.last - shared.first + 1) // SHARED_POOL_SHARE)

    def _check(self) -> None:
        if self.held >= self.limit:
            raise PoolExhausted(f"No more IP addresses available: a project may hold at "
                                f"most {self.limit} addresses of this shared pool.",
                                "IpAddressGenerationFailure")

    def allocate_value(self) -> int:
        self._check()
        value = self.shared.allocate_value()
        self.held += 1
        return value

    def allocate(self) -> str:
        return self.shared.text(self.allocate_value())

    def claim(self, address: str) -> bool:
        self._check()
        claimed = self.shared.claim(address)
        self.held += claimed
        return claimed

    def release_value(self, value: int) -> None:
        if self.shared.value_in_use(value):
            self.shared.release_value(value)
            self.held -= 1

    def release(self, address: str) -> None:
        self.release_value(int(ipaddress.ip_address(address)))

    # Everything else is the shared pool's.

    @property
    def version(self) -> int:
        return self.shared.version

    @property
    def first(self) -> int:
        return self.shared.first

    @property
    def last(self) -> int:
        return self.shared.last

    @property
    def start(self) -> str:
        return self.shared.start

    @property
    def end(self) -> str:
        return self.shared.end

    @property
    def used(self) -> int:
        return self.shared.used

    def text(self, value: int) -> str:
        return self.shared.text(value)

    def contains(self, address: str) -> bool:
        return self.shared.contains(address)

    def value_in_use(self, value: int) -> bool:
        return self.shared.value_in_use(value)

    def in_use(self, address: str) -> bool:
        return self.shared.in_use(address)


# The resources.


@attrs.define(eq=False)
class Stamped:
    """Neutron's standard attributes: timestamps and a revision number."""

    created_at: str
    updated_at: str
    revision_number: int = 0

    def touch(self, now: str) -> None:
        self.updated_at = now
        self.revision_number += 1


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

    @property
    def ip_version(self) -> int:
        return self.pool.version


@attrs.frozen
class FixedIp:
    subnet_id: str
    ip_address: str


@attrs.define(eq=False)
class Port(Stamped):
    """
    A port. ``made_for_server`` marks ports Nova created for a server (at
    boot or interface attach): those are deleted when the server lets go of
    them, while ports the user made are only unbound.
    """

    id: str = ""
    name: str = ""
    tenant_id: str = ""
    network_id: str = ""
    mac_address: str = ""
    fixed_ips: list = attrs.field(factory=list)
    device_id: str = ""
    device_owner: str = ""
    security_group_ids: list = attrs.field(factory=list)
    admin_state_up: bool = True
    port_security_enabled: bool = True
    description: str = ""
    made_for_server: bool = False
    #: Creation order, which listings follow.
    serial: int = 0

    @property
    def status(self) -> str:
        return "ACTIVE" if self.device_id and self.admin_state_up else "DOWN"


@attrs.define(eq=False)
class SecurityGroupRule(Stamped):
    id: str = ""
    tenant_id: str = ""
    security_group_id: str = ""
    direction: str = "ingress"
    ethertype: str = "IPv4"
    protocol: Optional[str] = None
    port_range_min: Optional[int] = None
    port_range_max: Optional[int] = None
    remote_ip_prefix: Optional[str] = None
    remote_group_id: Optional[str] = None
    description: str = ""
    belongs_to_default_sg: bool = False

    def signature(self) -> tuple:
        """What makes two rules the same rule (Neutron refuses duplicates)."""
        return (self.direction, self.ethertype, self.protocol, self.port_range_min,
                self.port_range_max, self.remote_ip_prefix, self.remote_group_id)


@attrs.define(eq=False)
class SecurityGroup(Stamped):
    id: str = ""
    name: str = ""
    tenant_id: str = ""
    description: str = ""
    rule_ids: dict = attrs.field(factory=dict)  # ordered set of rule ids

    @property
    def is_default(self) -> bool:
        return self.name == "default"


@attrs.define(eq=False)
class FloatingIp(Stamped):
    id: str = ""
    tenant_id: str = ""
    floating_network_id: str = ""
    floating_ip_address: str = ""
    port_id: Optional[str] = None
    fixed_ip_address: Optional[str] = None
    description: str = ""

    @property
    def status(self) -> str:
        return "ACTIVE" if self.port_id else "DOWN"


@attrs.frozen
class NetworkRequest:
    """
    One entry of a Nova server's ``networks``: a network (optionally with a
    fixed IP to take on it) or an existing port.
    """

    network_id: Optional[str] = None
    port_id: Optional[str] = None
    fixed_ip: Optional[str] = None


def _valid_ip(address: Any, what: str = "fixed_ips") -> str:
    if not isinstance(address, str):
        raise BadRequest(f"Invalid input for {what}. Reason: '{address}' is not a valid IP "
                         f"address.")
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        raise BadRequest(
            f"Invalid input for {what}. Reason: '{address}' is not a valid IP address."
        ) from None


def _normal_mac(mac: Any) -> str:
    text = mac.lower() if isinstance(mac, str) else ""
    parts = text.split(":")
    if len(parts) != 6 or not all(len(p) == 2 and all(c in "0123456789abcdef" for c in p)
                                  for p in parts):
        raise BadRequest(f"Invalid input for mac_address. Reason: '{mac}' is not a valid MAC "
                         f"address.")
    return text


class PortTable(MutableMapping):
    """
    The tenant's ports by id. Most are :class:`Port` objects
    (``materialized``); the two ports Nova makes for a server's default
    networks are kept by :class:`NetworkState` as a few integers until
    something asks for them by id or in a listing, which turns them into
    real ports with the same id, addresses, MAC and timestamps. Looking
    one up by id costs no scan; iterating materializes every port.
    """

    def __init__(self, state: "NetworkState") -> None:
        self._state = state
        self.materialized: dict[str, Port] = {}

    def __getitem__(self, port_id: str) -> Port:
        port = self.materialized.get(port_id)
        if port is None:
            port = self._state._materialize_port(port_id)
            if port is None:
                raise KeyError(port_id)
        return port

    def __contains__(self, port_id: object) -> bool:
        return port_id in self.materialized or self._state._compact_owner(port_id) is not None

    def __iter__(self) -> Iterator[str]:
        return iter([port.id for port in self.values()])

    def __len__(self) -> int:
        return len(self.materialized) + 2 * len(self._state._compact)

    def __setitem__(self, port_id: str, port: Port) -> None:
        self.materialized[port_id] = port

    def __delitem__(self, port_id: str) -> None:
        del self.materialized[port_id]

    def values(self) -> list[Port]:  # type: ignore[override]
        """Every port, in the order they were made."""
        self._state._materialize_all()
        return list(self.materialized.values())


def _found(table: Any, key: str, message: str, error_type: str) -> Any:
    """``table[key]``, or Neutron's NotFound with its message and error type."""
    value = table.get(key)
    if value is None:
        raise NotFound(message, error_type)
    return value


@attrs.define(eq=False)
class NetworkState:
    """
    One tenant's networking in one region. Get it with :func:`network_state`.

    The API Nova uses (all take a server id; all raise :class:`NeutronFault`
    subclasses and change nothing when they do):

    - :meth:`attach_server` when a server is created: ports on ``public``
      (an IPv4 and an IPv6 address) and ``private`` (an IPv4 address), or on
      the networks/ports the request names; :meth:`detach_server` when it is
      deleted.
    - :meth:`addresses_for`: the server's ``addresses`` in Nova's shape.
    - :meth:`ports_of`, :meth:`attach_interface`, :meth:`detach_interface`:
      ``os-interface`` (``server add/remove port|network``, ``add fixed ip``
      with microversion 2.49+).
    - :meth:`add_fixed_ip`, :meth:`remove_fixed_ip`: the ``addFixedIp`` and
      ``removeFixedIp`` actions.
    - :meth:`add_security_group`, :meth:`remove_security_group`,
      :meth:`security_groups_of`: ``server add/remove security group`` and
      the server's ``security_groups``.
    """

    tenant_id: str
    region: str
    clock: Any
    ids: Any
    networks: dict = attrs.field(factory=dict)
    subnets: dict = attrs.field(factory=dict)
    ports: PortTable = attrs.field(init=False)
    security_groups: dict = attrs.field(factory=dict)
    rules: dict = attrs.field(factory=dict)
    floating_ips: dict = attrs.field(factory=dict)
    _ports_by_device: dict = attrs.field(factory=dict)
    _ports_by_network: dict = attrs.field(factory=dict)
    _macs: set = attrs.field(factory=set)
    _group_port_counts: dict = attrs.field(factory=dict)
    _floating_by_port: dict = attrs.field(factory=dict)
    _device_revisions: dict = attrs.field(factory=dict)
    _now: tuple = attrs.field(default=(None, ""), repr=False)
    #: Servers whose ports are still compact: server id to ``[serial,
    #: created, public, private]`` (public: IPv4 offset | IPv6 offset << 20
    #: in their pools; private: IPv4 offset). See :meth:`place_server`.
    _compact: dict = attrs.field(factory=dict, repr=False)
    _serial: int = 0
    _out_of_order: bool = False
    #: Counts every change to what a server shows of its networking (its
    #: ports, their addresses and groups, floating IPs on them).
    changes: int = 0

    def __attrs_post_init__(self) -> None:
        self.ports = PortTable(self)

    @classmethod
    def create(cls, tenant_id: str, region: str, clock: Any, ids: Any,
               shared_pools: Optional[dict] = None) -> "NetworkState":
        """
        The state a tenant starts with: public, private and default group.
        ``shared_pools`` (CIDR to :class:`AddressPool`, filled on first use)
        lets every tenant of a region draw from the same pools, so that no
        two tenants are handed the same public or private address.
        """
        state = cls(tenant_id, region, clock, ids)
        pools = {} if shared_pools is None else shared_pools
        state._add_network(PUBLIC_NETWORK_ID, "public", external=True, shared=True,
                           cidrs=(("public-ipv4", PUBLIC_IPV4_CIDR),
                                  ("public-ipv6", PUBLIC_IPV6_CIDR)), pools=pools)
        state._add_network(PRIVATE_NETWORK_ID, "private", external=False, shared=True,
                           cidrs=(("private-ipv4", PRIVATE_IPV4_CIDR),), pools=pools)
        state.create_security_group("default", "Default security group", _default=True)
        return state

    def now(self) -> str:
        # One string per clock second, shared by every record stamped then
        # (the clock stands still while tests make thousands of ports).
        seconds = self.clock.seconds()
        if self._now[0] != seconds:
            self._now = (seconds, iso_time(seconds, microseconds=False))
        return self._now[1]

    def _add_network(self, network_id: str, name: str, external: bool, shared: bool,
                     cidrs: Iterable[tuple[str, str]], pools: dict) -> Network:
        now = self.now()
        network = Network(now, now, 1, id=network_id, name=name, tenant_id=self.tenant_id,
                          external=external, shared=shared, builtin=True)
        for subnet_name, cidr in cidrs:
            net = ipaddress.ip_network(cidr)
            subnet = Subnet(now, now, 0, id=self.ids.uuid(), name=subnet_name,
                            tenant_id=self.tenant_id, network_id=network_id, cidr=cidr,
                            gateway_ip=str(net.network_address + 1),
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
                       admin_state_up: bool = True) -> Network:
        """A tenant network: not external, not shared, no subnets yet."""
        now = self.now()
        network = Network(now, now, 1, id=self.ids.uuid(), name=name, tenant_id=self.tenant_id,
                          description=description, admin_state_up=admin_state_up)
        self.networks[network.id] = network
        self._ports_by_network[network.id] = {}
        return network

    def _own_network(self, network_id: str, action: str) -> Network:
        network = self.network(network_id)
        if network.builtin:
            raise Forbidden(f"({action}) is disallowed by policy", "PolicyNotAuthorized")
        return network

    def update_network(self, network_id: str, name: Optional[str] = None,
                       description: Optional[str] = None,
                       admin_state_up: Optional[bool] = None) -> Network:
        network = self._own_network(network_id, "rule:update_network")
        if name is not None:
            network.name = name
            # A server's addresses are keyed by network name.
            for port in self.ports_on_network(network_id):
                self._device_changed(port.device_id)
        if description is not None:
            network.description = description
        if admin_state_up is not None:
            network.admin_state_up = admin_state_up
        network.touch(self.now())
        return network

    def delete_network(self, network_id: str) -> None:
        """Delete a network with no ports left on it, and its subnets."""
        network = self._own_network(network_id, "rule:delete_network")
        if self._ports_by_network[network_id]:
            raise Conflict(f"Unable to complete operation on network {network_id}. There are "
                           f"one or more ports still in use on the network.", "NetworkInUse")
        for subnet_id in network.subnet_ids:
            del self.subnets[subnet_id]
        del self._ports_by_network[network_id]
        del self.networks[network_id]

    def create_subnet(self, network_id: str, cidr: str, ip_version: int, name: str = "",
                      gateway_ip: Optional[str] = "", allocation_pool: Optional[tuple] = None,
                      enable_dhcp: bool = True, dns_nameservers: Sequence[str] = (),
                      description: str = "", ipv6_ra_mode: Optional[str] = None,
                      ipv6_address_mode: Optional[str] = None) -> Subnet:
        """
        A subnet of a tenant network. ``gateway_ip`` ``""`` means the first
        address, None no gateway; ``allocation_pool`` is ``(start, end)``,
        by default every host address but the gateway.
        """
        network = self.network(network_id)
        if network.builtin:
            raise Forbidden(f"Tenant {self.tenant_id} not allowed to create subnet on this "
                            f"network", "HTTPForbidden")
        if ip_version not in (4, 6):
            raise BadRequest(f"Invalid input for ip_version. Reason: {ip_version!r} is not in "
                             f"[4, 6].")
        try:
            net = ipaddress.ip_network(cidr)
        except (ValueError, TypeError):
            raise BadRequest(f"Invalid input for cidr. Reason: '{cidr}' is not a valid IP "
                             f"subnet.") from None
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
            gateway_ip = _valid_ip(gateway_ip, "gateway_ip")
            if ipaddress.ip_address(gateway_ip) not in net:
                raise BadRequest(f"Invalid input for operation: Gateway IP {gateway_ip} "
                                 f"is not in subnet {net}.", "InvalidInput")
        if allocation_pool is None:
            # Every host but the gateway; one pool, so a gateway inside the
            # range is kept out by claiming it.
            first, last = hosts_first, hosts_last
            if gateway_ip is not None and int(ipaddress.ip_address(gateway_ip)) == first:
                first += 1
            elif gateway_ip is not None and int(ipaddress.ip_address(gateway_ip)) == last:
                last -= 1
        else:
            bounds = [ipaddress.ip_address(_valid_ip(a, "allocation_pools"))
                      for a in allocation_pool]
            first, last = (int(b) for b in bounds)
            if any(b not in net for b in bounds) or not hosts_first <= first <= last <= hosts_last:
                raise BadRequest(f"The allocation pool {allocation_pool[0]}-"
                                 f"{allocation_pool[1]} spans beyond the subnet cidr {net}.",
                                 "OutOfBoundsAllocationPool")
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
                        ipv6_address_mode=ipv6_address_mode)
        self.subnets[subnet.id] = subnet
        network.subnet_ids.append(subnet.id)
        network.touch(now)
        return subnet

    def update_subnet(self, subnet_id: str, name: Optional[str] = None,
                      description: Optional[str] = None,
                      enable_dhcp: Optional[bool] = None,
                      dns_nameservers: Optional[Sequence[str]] = None) -> Subnet:
        subnet = self.subnet(subnet_id)
        self._own_network(subnet.network_id, "rule:update_subnet")
        if name is not None:
            subnet.name = name
        if description is not None:
            subnet.description = description
        if enable_dhcp is not None:
            subnet.enable_dhcp = enable_dhcp
        if dns_nameservers is not None:
            subnet.dns_nameservers = list(dns_nameservers)
        subnet.touch(self.now())
        return subnet

    def delete_subnet(self, subnet_id: str) -> None:
        """Delete a subnet no port holds an address in."""
        subnet = self.subnet(subnet_id)
        network = self._own_network(subnet.network_id, "rule:delete_subnet")
        gateway_held = subnet.gateway_ip is not None and subnet.pool.contains(subnet.gateway_ip)
        if subnet.pool.used > (1 if gateway_held else 0):
            raise Conflict(f"Unable to complete operation on subnet {subnet_id}: One or more "
                           f"ports have an IP allocation from this subnet.", "SubnetInUse")
        network.subnet_ids.remove(subnet_id)
        del self.subnets[subnet_id]
        network.touch(self.now())

    # lookups

    def network(self, network_id: str) -> Network:
        return _found(self.networks, network_id,
                      f"Network {network_id} could not be found.", "NetworkNotFound")

    def subnet(self, subnet_id: str) -> Subnet:
        return _found(self.subnets, subnet_id,
                      f"Subnet {subnet_id} could not be found.", "SubnetNotFound")

    def port(self, port_id: str) -> Port:
        return _found(self.ports, port_id,
                      f"Port {port_id} could not be found.", "PortNotFound")

    def security_group(self, group_id: str) -> SecurityGroup:
        return _found(self.security_groups, group_id,
                      f"Security group {group_id} does not exist", "SecurityGroupNotFound")

    def find_security_group(self, name_or_id: str) -> SecurityGroup:
        """A group by id, or by name if exactly one group has that name."""
        group = self.security_groups.get(name_or_id)
        if group is not None:
            return group
        named = [g for g in self.security_groups.values() if g.name == name_or_id]
        if len(named) == 1:
            return named[0]
        if named:
            raise Conflict(f"Multiple security_group matches found for name "
                           f"'{name_or_id}', use an ID to be more specific.",
                           "NeutronClientNoUniqueMatch")
        raise NotFound(f"Security group {name_or_id} does not exist", "SecurityGroupNotFound")

    def rule(self, rule_id: str) -> SecurityGroupRule:
        return _found(self.rules, rule_id, f"Security group rule {rule_id} does not exist",
                      "SecurityGroupRuleNotFound")

    def floating_ip(self, floating_ip_id: str) -> FloatingIp:
        return _found(self.floating_ips, floating_ip_id,
                      f"Floating IP {floating_ip_id} could not be found", "FloatingIPNotFound")

    def default_security_group(self) -> SecurityGroup:
        return next(g for g in self.security_groups.values() if g.is_default)

    def ports_on_device(self, device_id: str) -> list[Port]:
        """Ports whose ``device_id`` is ``device_id``, without a scan."""
        if device_id in self._compact:
            self._materialize_server(device_id)
        return [self.ports[p] for p in self._ports_by_device.get(device_id, ())]

    def ports_on_network(self, network_id: str) -> list[Port]:
        if network_id in (PUBLIC_NETWORK_ID, PRIVATE_NETWORK_ID):
            self._materialize_all()
        return [self.ports[p] for p in self._ports_by_network.get(network_id, ())]

    # compact ports: a server's two default ports as a few integers

    @staticmethod
    def _compact_port_id(server_id: str, index: int) -> str:
        head = int(server_id[:8], 16) ^ COMPACT_PORT_ID_MASKS[index]
        return f"{head:08x}{server_id[8:]}"

    def _compact_owner(self, port_id: Any) -> Optional[tuple[str, int]]:
        """The server and index of a compact port ``port_id``, if it is one."""
        if not isinstance(port_id, str) or not _CANONICAL_UUID.match(port_id):
            return None
        head = int(port_id[:8], 16)
        for index, mask in enumerate(COMPACT_PORT_ID_MASKS):
            server_id = f"{head ^ mask:08x}{port_id[8:]}"
            if server_id in self._compact:
                return server_id, index
        return None

    def _compact_pools(self) -> tuple[Subnet, Subnet, Subnet]:
        """The subnets of public IPv4, public IPv6 and private IPv4."""
        public = self.networks[PUBLIC_NETWORK_ID].subnet_ids
        private = self.networks[PRIVATE_NETWORK_ID].subnet_ids
        return self.subnets[public[0]], self.subnets[public[1]], self.subnets[private[0]]

    @staticmethod
    def _compact_mac(index: int, offset: int) -> str:
        tail = COMPACT_MAC_TAGS[index] << 20 | offset
        return f"{MAC_PREFIX}:{tail >> 16:02x}:{tail >> 8 & 0xff:02x}:{tail & 0xff:02x}"

    def _mac_in_use(self, mac: str) -> bool:
        """
        Whether ``mac`` is taken. A MAC in a compact range is taken while
        the address it names is in use: by the compact port that would
        have it, or (rarely, and then refused too) by something else.
        """
        if mac in self._macs:
            return True
        if not mac.startswith(MAC_PREFIX + ":"):
            return False
        tail = int(mac[len(MAC_PREFIX) + 1:].replace(":", ""), 16)
        if tail >> 20 not in COMPACT_MAC_TAGS:
            return False
        public4, _, private4 = self._compact_pools()
        pool = (public4 if tail >> 20 == COMPACT_MAC_TAGS[0] else private4).pool
        return pool.value_in_use(pool.first + (tail & 0xFFFFF))

    def _place_compactly(self, server_id: str) -> bool:
        """
        Give a server its default ports as a compact record, if it can have
        one (a canonical UUID, MACs free); False leaves everything as it was.
        """
        if not _CANONICAL_UUID.match(server_id) or server_id in self._compact:
            return False
        if any(self._compact_port_id(server_id, i) in self.ports.materialized
               for i in (0, 1)):
            return False
        subnets = self._compact_pools()
        offsets: list[int] = []
        try:
            for subnet in subnets:
                offsets.append(subnet.pool.allocate_value() - subnet.pool.first)
        except PoolExhausted:
            pass
        if (len(offsets) < 3 or offsets[0] >> 20 or offsets[2] >> 20
                or self._compact_mac(0, offsets[0]) in self._macs
                or self._compact_mac(1, offsets[2]) in self._macs):
            for subnet, offset in zip(subnets, offsets):
                subnet.pool.release_value(subnet.pool.first + offset)
            return False
        self._compact[server_id] = [self._serial, self.now(),
                                    offsets[0] | offsets[1] << 20, offsets[2]]
        self._serial += 2
        default_id = self.default_security_group().id
        self._group_port_counts[default_id] += 2
        self.changes += 1
        return True

    def _compact_fixed_ips(self, record: list) -> tuple[list[FixedIp], list[FixedIp]]:
        public4, public6, private4 = self._compact_pools()
        public, private = record[2], record[3]
        return ([FixedIp(public4.id, public4.pool.text(public4.pool.first + (public & 0xFFFFF))),
                 FixedIp(public6.id, public6.pool.text(public6.pool.first + (public >> 20)))],
                [FixedIp(private4.id, private4.pool.text(private4.pool.first + private))])

    def _compact_macs(self, record: list) -> tuple[str, str]:
        return self._compact_mac(0, record[2] & 0xFFFFF), self._compact_mac(1, record[3])

    def _materialize_server(self, server_id: str) -> None:
        """Turn a server's compact ports into :class:`Port` objects."""
        record = self._compact.pop(server_id)
        default_id = self.default_security_group().id
        made = []
        for index, (network_id, fixed_ips, mac) in enumerate(zip(
                (PUBLIC_NETWORK_ID, PRIVATE_NETWORK_ID), self._compact_fixed_ips(record),
                self._compact_macs(record))):
            port = Port(record[1], record[1], 1, id=self._compact_port_id(server_id, index),
                        tenant_id=self.tenant_id, network_id=network_id, mac_address=mac,
                        fixed_ips=fixed_ips, device_id=server_id, device_owner=COMPUTE_OWNER,
                        security_group_ids=[default_id], made_for_server=True,
                        serial=record[0] + index)
            self.ports.materialized[port.id] = port
            self._ports_by_network[network_id][port.id] = None
            self._macs.add(mac)
            made.append(port.id)
        later = self._ports_by_device.get(server_id, {})
        self._ports_by_device[server_id] = {**dict.fromkeys(made), **later}
        self._out_of_order = True

    def _materialize_port(self, port_id: str) -> Optional[Port]:
        owner = self._compact_owner(port_id)
        if owner is None:
            return None
        self._materialize_server(owner[0])
        return self.ports.materialized[port_id]

    def _materialize_all(self) -> None:
        """Every port a real one, and the indexes back in creation order."""
        for server_id in list(self._compact):
            self._materialize_server(server_id)
        if self._out_of_order:
            ports = self.ports.materialized
            in_order = sorted(ports.values(), key=lambda p: p.serial)
            self.ports.materialized = {p.id: p for p in in_order}
            for network_id, held in self._ports_by_network.items():
                self._ports_by_network[network_id] = dict.fromkeys(
                    sorted(held, key=lambda p: ports[p].serial))
            self._out_of_order = False

    def floating_ips_of_port(self, port_id: str) -> list[FloatingIp]:
        return [self.floating_ips[f] for f in self._floating_by_port.get(port_id, ())]

    # ports

    def _new_mac(self) -> str:
        while True:
            tail = self.ids.hex(6)
            mac = f"{MAC_PREFIX}:{tail[0:2]}:{tail[2:4]}:{tail[4:6]}"
            if int(tail[0], 16) not in COMPACT_MAC_TAGS and mac not in self._macs:
                return mac

    def _allocate_fixed_ips(self, network: Network, requested: Optional[Sequence[dict]]
                            ) -> list[FixedIp]:
        """
        Addresses for a new port on ``network``: one per IP version by
        default, else what ``requested`` (Neutron's ``fixed_ips`` entries:
        ``subnet_id`` and/or ``ip_address``) says. All or nothing.
        """
        taken: list[FixedIp] = []
        try:
            if requested is None:
                versions: set[int] = set()
                for subnet_id in network.subnet_ids:
                    subnet = self.subnets[subnet_id]
                    if subnet.ip_version in versions:
                        continue
                    versions.add(subnet.ip_version)
                    taken.append(self._allocate_on(subnet))
            else:
                for entry in requested:
                    taken.append(self._allocate_requested(network, entry))
        except NeutronFault:
            for fixed in taken:
                self.subnets[fixed.subnet_id].pool.release(fixed.ip_address)
            raise
        return taken

    def _allocate_on(self, subnet: Subnet) -> FixedIp:
        try:
            return FixedIp(subnet.id, subnet.pool.allocate())
        except PoolExhausted:
            raise PoolExhausted(f"No more IP addresses available for subnet {subnet.id}.",
                                "IpAddressGenerationFailure") from None

    def _allocate_requested(self, network: Network, entry: Any) -> FixedIp:
        if not isinstance(entry, dict) or not entry or set(entry) - {"subnet_id", "ip_address"}:
            raise BadRequest(f"Invalid input for fixed_ips. Reason: Invalid data format "
                             f"for fixed IP: '{entry}'.")
        subnet_id = entry.get("subnet_id")
        address = entry.get("ip_address")
        if subnet_id is not None:
            if not isinstance(subnet_id, str):
                raise BadRequest(f"Invalid input for fixed_ips. Reason: '{subnet_id}' "
                                 f"is not a valid UUID.")
            subnet = self.subnet(subnet_id)
            if subnet.network_id != network.id:
                raise BadRequest(
                    f"Invalid input for operation: Failed to create port on network "
                    f"{network.id}, because fixed_ips included invalid subnet {subnet_id}.",
                    "InvalidInput")
            if address is None:
                return self._allocate_on(subnet)
            address = _valid_ip(address)
            if not subnet.pool.contains(address):
                raise BadRequest(f"IP address {address} is not a valid IP for the "
                                 f"specified subnet.", "InvalidIpForSubnet")
        else:
            address = _valid_ip(address)
            candidates = [self.subnets[s] for s in network.subnet_ids
                          if self.subnets[s].pool.contains(address)]
            if not candidates:
                raise BadRequest(f"IP address {address} is not a valid IP for any of the "
                                 f"subnets on the specified network.", "InvalidIpForNetwork")
            subnet = candidates[0]
        if not subnet.pool.claim(address):
            raise Conflict(f"IP address {address} already allocated in subnet {subnet.id}",
                           "IpAddressAlreadyAllocated")
        return FixedIp(subnet.id, address)

    def create_port(self, network_id: str, name: str = "", fixed_ips: Optional[Sequence] = None,
                    device_id: str = "", device_owner: str = "",
                    security_group_ids: Optional[Sequence[str]] = None,
                    mac_address: Optional[str] = None, admin_state_up: bool = True,
                    port_security_enabled: bool = True, description: str = "",
                    made_for_server: bool = False) -> Port:
        """A new port with its addresses; the ``default`` group unless told."""
        network = self.network(network_id)
        if security_group_ids is None:
            groups = [self.default_security_group().id] if port_security_enabled else []
        else:
            groups = list(dict.fromkeys(self.security_group(g).id for g in security_group_ids))
        if mac_address is not None:
            mac_address = _normal_mac(mac_address)
            if self._mac_in_use(mac_address):
                raise Conflict(f"Unable to complete operation for network {network_id}. "
                               f"The mac address {mac_address} is in use.", "MacAddressInUse")
        addresses = self._allocate_fixed_ips(network, fixed_ips)
        now = self.now()
        port = Port(now, now, 1, id=self.ids.uuid(), name=name, tenant_id=self.tenant_id,
                    network_id=network_id, mac_address=mac_address or self._new_mac(),
                    fixed_ips=addresses, device_id=device_id, device_owner=device_owner,
                    security_group_ids=groups, admin_state_up=admin_state_up,
                    port_security_enabled=port_security_enabled, description=description,
                    made_for_server=made_for_server, serial=self._serial)
        self._serial += 1
        self._macs.add(port.mac_address)
        self.ports[port.id] = port
        self._ports_by_network[network_id][port.id] = None
        if device_id:
            self._ports_by_device.setdefault(device_id, {})[port.id] = None
            self._device_changed(device_id)
        for group_id in groups:
            self._group_port_counts[group_id] = self._group_port_counts.get(group_id, 0) + 1
        return port

    def update_port(self, port_id: str, name: Optional[str] = None,
                    description: Optional[str] = None,
                    admin_state_up: Optional[bool] = None,
                    security_group_ids: Optional[Sequence[str]] = None,
                    device_id: Optional[str] = None,
                    device_owner: Optional[str] = None,
                    fixed_ips: Optional[Sequence] = None) -> Port:
        """Change what ``PUT /ports/<id>`` may change; None leaves a field be."""
        port = self.port(port_id)
        groups = None
        if security_group_ids is not None:
            groups = list(dict.fromkeys(self.security_group(g).id for g in security_group_ids))
        if fixed_ips is not None:
            self._replace_fixed_ips(port, fixed_ips)
        if name is not None:
            port.name = name
        if description is not None:
            port.description = description
        if admin_state_up is not None:
            port.admin_state_up = admin_state_up
        if groups is not None:
            self._set_groups(port, groups)
        if device_id is not None:
            self._bind(port, device_id, port.device_owner if device_owner is None
                       else device_owner)
        elif device_owner is not None:
            port.device_owner = device_owner
        port.touch(self.now())
        return port

    def _replace_fixed_ips(self, port: Port, requested: Sequence) -> None:
        """
        Give the port exactly the ``requested`` fixed IPs: addresses it
        already has are kept, others allocated, the rest released (and
        their floating IPs disassociated). All or nothing.
        """
        held = {(f.subnet_id, f.ip_address): f for f in port.fixed_ips}
        held_by_address = {f.ip_address: f for f in port.fixed_ips}
        kept: list[FixedIp] = []
        new: list[FixedIp] = []
        try:
            for entry in requested:
                address = entry.get("ip_address") if isinstance(entry, dict) else None
                current = None
                if isinstance(address, str) and address in held_by_address:
                    current = held_by_address[address]
                    if entry.get("subnet_id", current.subnet_id) != current.subnet_id:
                        current = None
                if current is not None and current not in kept:
                    kept.append(current)
                    new.append(current)
                else:
                    fixed = self._allocate_requested(self.networks[port.network_id], entry)
                    new.append(fixed)
        except NeutronFault:
            for fixed in new:
                if fixed not in kept:
                    self.subnets[fixed.subnet_id].pool.release(fixed.ip_address)
            raise
        for key, fixed in held.items():
            if fixed not in kept:
                for fip in self.floating_ips_of_port(port.id):
                    if fip.fixed_ip_address == fixed.ip_address:
                        self._disassociate(fip)
                self.subnets[fixed.subnet_id].pool.release(fixed.ip_address)
        port.fixed_ips = new
        self._device_changed(port.device_id)

    def _set_groups(self, port: Port, groups: list[str]) -> None:
        self._device_changed(port.device_id)
        for group_id in port.security_group_ids:
            self._group_port_counts[group_id] -= 1
        for group_id in groups:
            self._group_port_counts[group_id] = self._group_port_counts.get(group_id, 0) + 1
        port.security_group_ids = groups

    def _bind(self, port: Port, device_id: str, device_owner: str) -> None:
        self._device_changed(port.device_id)
        self._device_changed(device_id)
        if port.device_id:
            self._ports_by_device[port.device_id].pop(port.id, None)
            if not self._ports_by_device[port.device_id]:
                del self._ports_by_device[port.device_id]
        port.device_id = device_id
        port.device_owner = device_owner
        if device_id:
            self._ports_by_device.setdefault(device_id, {})[port.id] = None

    def delete_port(self, port_id: str) -> None:
        """Delete a port, releasing its addresses and its floating IPs' hold."""
        port = self.port(port_id)
        for fip in self.floating_ips_of_port(port_id):
            self._disassociate(fip)
        for fixed in port.fixed_ips:
            self.subnets[fixed.subnet_id].pool.release(fixed.ip_address)
        self._set_groups(port, [])
        self._bind(port, "", "")
        self._ports_by_network[port.network_id].pop(port_id, None)
        self._macs.discard(port.mac_address)
        del self.ports[port_id]

    # security groups

    def create_security_group(self, name: str = "", description: str = "",
                              _default: bool = False) -> SecurityGroup:
        """A group with Neutron's starting rules: all egress, IPv4 and IPv6."""
        if name == "default" and not _default:
            raise Conflict("Default security group already exists.",
                           "SecurityGroupDefaultAlreadyExists")
        now = self.now()
        group = SecurityGroup(now, now, 1, id=self.ids.uuid(), name=name,
                              tenant_id=self.tenant_id, description=description)
        self.security_groups[group.id] = group
        self._group_port_counts[group.id] = 0
        for ethertype in ("IPv4", "IPv6"):
            self._add_rule(group, "egress", ethertype)
        if _default:
            for ethertype in ("IPv4", "IPv6"):
                self._add_rule(group, "ingress", ethertype, remote_group_id=group.id)
        return group

    def update_security_group(self, group_id: str, name: Optional[str] = None,
                              description: Optional[str] = None) -> SecurityGroup:
        group = self.security_group(group_id)
        if name is not None and name != group.name:
            if group.is_default:
                raise Conflict("Updating default security group not allowed.",
                               "SecurityGroupCannotUpdateDefault")
            if name == "default":
                raise Conflict("Default security group already exists.",
                               "SecurityGroupDefaultAlreadyExists")
            group.name = name
            if self._group_port_counts.get(group.id):
                # Servers show their groups by name; renames are rare
                # enough for a look at every port.
                # Compact ports only ever have the default group.
                for port in self.ports.materialized.values():
                    if group.id in port.security_group_ids:
                        self._device_changed(port.device_id)
        if description is not None:
            group.description = description
        group.touch(self.now())
        return group

    def delete_security_group(self, group_id: str) -> None:
        group = self.security_group(group_id)
        if group.is_default:
            raise Conflict("Insufficient rights for removing default security group.",
                           "SecurityGroupCannotRemoveDefault")
        if self._group_port_counts.get(group_id):
            raise Conflict(f"Security Group {group_id} in use.", "SecurityGroupInUse")
        for rule_id in group.rule_ids:
            del self.rules[rule_id]
        del self.security_groups[group_id]
        del self._group_port_counts[group_id]

    def _add_rule(self, group: SecurityGroup, direction: str, ethertype: str,
                  **fields: Any) -> SecurityGroupRule:
        now = self.now()
        rule = SecurityGroupRule(now, now, 0, id=self.ids.uuid(), tenant_id=self.tenant_id,
                                 security_group_id=group.id, direction=direction,
                                 ethertype=ethertype, belongs_to_default_sg=group.is_default,
                                 **fields)
        self.rules[rule.id] = rule
        group.rule_ids[rule.id] = None
        return rule

    def create_security_group_rule(
        self, security_group_id: str, direction: str, ethertype: str = "IPv4",
        protocol: Optional[Union[str, int]] = None, port_range_min: Optional[int] = None,
        port_range_max: Optional[int] = None, remote_ip_prefix: Optional[str] = None,
        remote_group_id: Optional[str] = None, description: str = "",
    ) -> SecurityGroupRule:
        """A rule, validated as Neutron validates it; duplicates are refused."""
        if direction not in ("ingress", "egress"):
            raise BadRequest(f"Invalid input for direction. Reason: {direction!r} is not in "
                             f"['ingress', 'egress'].")
        if ethertype not in ("IPv4", "IPv6"):
            raise BadRequest(f"Invalid input for ethertype. Reason: {ethertype!r} is not in "
                             f"['IPv4', 'IPv6'].")
        protocol = _protocol(protocol)
        for value in (port_range_min, port_range_max):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or not 0 <= value <= 65535):
                raise BadRequest(f"Invalid value for port {value}",
                                 "SecurityGroupInvalidPortValue")
        if (port_range_min is not None or port_range_max is not None) and protocol is None:
            raise BadRequest("Must also specify protocol if port range is given.",
                             "SecurityGroupProtocolRequiredWithPorts")
        if protocol in PORT_PROTOCOLS and port_range_min is not None:
            if port_range_max is not None and port_range_min > port_range_max:
                raise BadRequest("For TCP/UDP protocols, port_range_min must be <= "
                                 "port_range_max", "SecurityGroupInvalidPortRange")
        if remote_ip_prefix is not None and remote_group_id is not None:
            raise BadRequest("Only remote_ip_prefix or remote_group_id may be provided.",
                             "SecurityGroupRemoteGroupAndRemoteIpPrefix")
        if remote_ip_prefix is not None:
            try:
                prefix = ipaddress.ip_network(remote_ip_prefix, strict=False)
            except (ValueError, TypeError):
                raise BadRequest(f"Invalid input for remote_ip_prefix. Reason: "
                                 f"'{remote_ip_prefix}' is not a valid IP subnet.") from None
            if (prefix.version == 4) != (ethertype == "IPv4"):
                raise BadRequest(f"Conflicting value ethertype {ethertype} for CIDR "
                                 f"{remote_ip_prefix}", "SecurityGroupRuleParameterConflict")
            remote_ip_prefix = str(prefix)
        group = self.security_group(security_group_id)
        if remote_group_id is not None:
            remote_group_id = self.security_group(remote_group_id).id
        candidate = SecurityGroupRule("", "", 0, direction=direction, ethertype=ethertype,
                                      protocol=protocol, port_range_min=port_range_min,
                                      port_range_max=port_range_max,
                                      remote_ip_prefix=remote_ip_prefix,
                                      remote_group_id=remote_group_id)
        for rule_id in group.rule_ids:
            if self.rules[rule_id].signature() == candidate.signature():
                raise Conflict(f"Security group rule already exists. Rule id is {rule_id}.",
                               "SecurityGroupRuleExists")
        rule = self._add_rule(group, direction, ethertype, protocol=protocol,
                              port_range_min=port_range_min, port_range_max=port_range_max,
                              remote_ip_prefix=remote_ip_prefix,
                              remote_group_id=remote_group_id, description=description)
        group.touch(self.now())
        return rule

    def delete_security_group_rule(self, rule_id: str) -> None:
        rule = self.rule(rule_id)
        group = self.security_groups[rule.security_group_id]
        del group.rule_ids[rule_id]
        del self.rules[rule_id]
        group.touch(self.now())

    # floating IPs

    def create_floating_ip(self, floating_network_id: str,
                           floating_ip_address: Optional[str] = None,
                           port_id: Optional[str] = None,
                           fixed_ip_address: Optional[str] = None,
                           description: str = "",
                           subnet_id: Optional[str] = None) -> FloatingIp:
        """A floating IP from an external network, associated if ``port_id``."""
        network = self.network(floating_network_id)
        if not network.external:
            raise BadRequest(f"Bad floatingip request: Network {network.id} is not a valid "
                             f"external network.", "BadRequest")
        if subnet_id is not None:
            subnet = self.subnet(subnet_id)
            if subnet.network_id != network.id or subnet.ip_version != 4:
                raise BadRequest(f"Bad floatingip request: Subnet {subnet_id} is not an IPv4 "
                                 f"subnet of network {network.id}.", "BadRequest")
        else:
            subnet = next(self.subnets[s] for s in network.subnet_ids
                          if self.subnets[s].ip_version == 4)
        target = None
        if port_id is not None:
            target = self._association_target(port_id, fixed_ip_address, None)
        if floating_ip_address is not None:
            fixed = self._allocate_requested(
                network, {"subnet_id": subnet.id,
                          "ip_address": _valid_ip(floating_ip_address, "floating_ip_address")})
        else:
            try:
                fixed = self._allocate_on(subnet)
            except PoolExhausted:
                raise PoolExhausted(f"No more IP addresses available on network {network.id}.",
                                    "IpAddressGenerationFailure") from None
        now = self.now()
        fip = FloatingIp(now, now, 0, id=self.ids.uuid(), tenant_id=self.tenant_id,
                         floating_network_id=network.id,
                         floating_ip_address=fixed.ip_address, description=description)
        self.floating_ips[fip.id] = fip
        if target is not None:
            self._associate(fip, *target)
        return fip

    def _association_target(self, port_id: str, fixed_ip_address: Optional[str],
                            fip: Optional[FloatingIp]) -> tuple[Port, str]:
        port = self.port(port_id)
        network = self.networks[port.network_id]
        ipv4 = [f for f in port.fixed_ips if self.subnets[f.subnet_id].ip_version == 4]
        if network.external or not network.builtin:
            # Only ``private`` has a router to ``public`` (an implicit one).
            subnet_id = (ipv4[0].subnet_id if ipv4
                         else next(iter(network.subnet_ids), ""))
            raise NotFound(
                f"External network {PUBLIC_NETWORK_ID} is not reachable from subnet "
                f"{subnet_id}.  Therefore, cannot associate Port {port_id} with a "
                f"Floating IP.", "ExternalGatewayForFloatingIPNotFound")
        if fixed_ip_address is not None:
            fixed_ip_address = _valid_ip(fixed_ip_address, "fixed_ip_address")
            if not any(f.ip_address == fixed_ip_address for f in ipv4):
                raise BadRequest(f"Bad floatingip request: Port {port_id} does not have fixed "
                                 f"ip {fixed_ip_address}.", "BadRequest")
        elif not ipv4:
            raise BadRequest(f"Bad floatingip request: Port {port_id} does not have any "
                             f"IPv4 fixed IPs.", "BadRequest")
        elif len(ipv4) > 1:
            raise BadRequest(f"Bad floatingip request: Port {port_id} has multiple fixed "
                             f"IPv4 addresses.  Must provide a specific IPv4 address when "
                             f"assigning a floating IP.", "BadRequest")
        else:
            fixed_ip_address = ipv4[0].ip_address
        for other in self.floating_ips_of_port(port_id):
            if other is not fip and other.fixed_ip_address == fixed_ip_address:
                label = fip.floating_ip_address if fip else "new floating IP"
                raise Conflict(
                    f"Cannot associate floating IP {label} ({fip.id if fip else ''}) with "
                    f"port {port_id} using fixed IP {fixed_ip_address}, as that fixed IP "
                    f"already has a floating IP on external network "
                    f"{other.floating_network_id}.", "FloatingIPPortAlreadyAssociated")
        return port, fixed_ip_address

    def _associate(self, fip: FloatingIp, port: Port, fixed_ip_address: str) -> None:
        if fip.port_id is not None:
            self._disassociate(fip)
        fip.port_id = port.id
        self._device_changed(port.device_id)
        fip.fixed_ip_address = fixed_ip_address
        self._floating_by_port.setdefault(port.id, {})[fip.id] = None

    def _disassociate(self, fip: FloatingIp) -> None:
        if fip.port_id is None:
            return
        self._device_changed(self.ports[fip.port_id].device_id)
        held = self._floating_by_port.get(fip.port_id, {})
        held.pop(fip.id, None)
        if not held:
            self._floating_by_port.pop(fip.port_id, None)
        fip.port_id = None
        fip.fixed_ip_address = None
        fip.touch(self.now())

    def update_floating_ip(self, floating_ip_id: str, port_id: Optional[str],
                           fixed_ip_address: Optional[str] = None,
                           description: Optional[str] = None,
                           change_port: bool = True) -> FloatingIp:
        """
        Associate (``port_id``) or disassociate (``port_id=None``) a floating
        IP; ``change_port=False`` changes only the description.
        """
        fip = self.floating_ip(floating_ip_id)
        if change_port:
            if port_id is None:
                self._disassociate(fip)
            else:
                self._associate(fip, *self._association_target(port_id, fixed_ip_address, fip))
        if description is not None:
            fip.description = description
        fip.touch(self.now())
        return fip

    def delete_floating_ip(self, floating_ip_id: str) -> None:
        fip = self.floating_ip(floating_ip_id)
        self._disassociate(fip)
        network = self.networks[fip.floating_network_id]
        for subnet_id in network.subnet_ids:
            subnet = self.subnets[subnet_id]
            if subnet.pool.contains(fip.floating_ip_address):
                subnet.pool.release(fip.floating_ip_address)
        del self.floating_ips[floating_ip_id]

    # what Nova uses

    def _device_changed(self, device_id: str) -> None:
        if device_id:
            self.changes += 1
            self._device_revisions[device_id] = self.changes

    def device_revision(self, device_id: str) -> int:
        """
        A number that changes whenever what ``device_id`` shows of its
        networking changes (its ports, addresses, floating IPs, groups), so
        Nova can cache a server's rendering without asking again.
        """
        return self._device_revisions.get(device_id, 0)

    def attach_server(self, server_id: str,
                      networks: Optional[Sequence[NetworkRequest]] = None,
                      security_groups: Sequence[str] = ("default",)) -> list[Port]:
        """:meth:`place_server`, returning the server's ports."""
        self.place_server(server_id, networks, security_groups)
        return self.ports_of(server_id)

    def place_server(self, server_id: str,
                     networks: Optional[Sequence[NetworkRequest]] = None,
                     security_groups: Sequence[str] = ("default",)) -> None:
        """
        Ports for a new server: by default one on ``public`` (IPv4 and IPv6)
        and one on ``private`` (IPv4); otherwise one per request (a network,
        with an optional fixed IP, or an existing unbound port). Security
        groups (names or ids) apply to the ports made here. All or nothing.

        The default pair in the default group (what almost every server
        has) is kept compact until something looks at the ports themselves.
        """
        group_ids = [self.find_security_group(g).id for g in security_groups]
        if (networks is None and list(dict.fromkeys(group_ids))
                == [self.default_security_group().id] and self._place_compactly(server_id)):
            return
        if networks is None:
            networks = (NetworkRequest(network_id=PUBLIC_NETWORK_ID),
                        NetworkRequest(network_id=PRIVATE_NETWORK_ID))
        for request in networks:
            if request.port_id is not None:
                self._check_attachable(self.port(request.port_id))
            else:
                self.network(request.network_id or "")
        made: list[Port] = []
        try:
            for request in networks:
                made.append(self.attach_interface(
                    server_id, network_id=request.network_id, port_id=request.port_id,
                    fixed_ip=request.fixed_ip, security_group_ids=group_ids))
        except NeutronFault:
            for port in made:
                self.detach_interface(server_id, port.id)
            raise

    def detach_server(self, server_id: str) -> None:
        """A deleted server: its own ports go, ports the user made are unbound."""
        record = self._compact.pop(server_id, None)
        if record is not None:
            for fixed_ips in self._compact_fixed_ips(record):
                for fixed in fixed_ips:
                    self.subnets[fixed.subnet_id].pool.release(fixed.ip_address)
            self._group_port_counts[self.default_security_group().id] -= 2
            self._device_changed(server_id)
        for port in self.ports_on_device(server_id):
            self.detach_interface(server_id, port.id)
        self._device_revisions.pop(server_id, None)

    def ports_of(self, server_id: str) -> list[Port]:
        """The server's ports (its interfaces), in the order they were bound."""
        return [p for p in self.ports_on_device(server_id)
                if p.device_owner.startswith("compute:")]

    def _check_attachable(self, port: Port) -> None:
        if port.device_id:
            raise Conflict(f"Unable to complete operation on port {port.id} for network "
                           f"{port.network_id}. Port already has an attached device "
                           f"{port.device_id}.", "PortInUse")

    def attach_interface(self, server_id: str, network_id: Optional[str] = None,
                         port_id: Optional[str] = None, fixed_ip: Optional[str] = None,
                         security_group_ids: Optional[Sequence[str]] = None) -> Port:
        """
        Bind an existing port (``port_id``) to the server, or make a new one
        on ``network_id`` (taking ``fixed_ip`` if given). Returns the port.
        """
        if port_id is not None:
            port = self.port(port_id)
            self._check_attachable(port)
            self._bind(port, server_id, COMPUTE_OWNER)
            port.touch(self.now())
            return port
        if network_id is None:
            raise BadRequest("A network or a port is required.", "InvalidInput")
        fixed_ips = None if fixed_ip is None else [{"ip_address": fixed_ip}]
        return self.create_port(network_id, fixed_ips=fixed_ips, device_id=server_id,
                                device_owner=COMPUTE_OWNER,
                                security_group_ids=security_group_ids,
                                made_for_server=True)

    def detach_interface(self, server_id: str, port_id: str) -> None:
        """Let go of a port: deleted if Nova made it, unbound otherwise."""
        port = self.port(port_id)
        if port.device_id != server_id:
            raise NotFound(f"Port {port_id} is not attached to server {server_id}.",
                           "PortNotFound")
        if port.made_for_server:
            self.delete_port(port_id)
        else:
            self._bind(port, "", "")
            port.touch(self.now())

    def add_fixed_ip(self, server_id: str, network_id: str) -> Port:
        """Another address on the server's (first) port on ``network_id``."""
        network = self.network(network_id)
        port = next((p for p in self.ports_of(server_id) if p.network_id == network_id), None)
        if port is None:
            raise BadRequest(f"Network {network_id} is not attached to server {server_id}.",
                             "NetworkNotFoundForInstance")
        last_error: Optional[NeutronFault] = None
        for subnet_id in network.subnet_ids:
            try:
                port.fixed_ips.append(self._allocate_on(self.subnets[subnet_id]))
                self._device_changed(server_id)
                port.touch(self.now())
                return port
            except PoolExhausted as error:
                last_error = error
        raise last_error or PoolExhausted(f"No more IP addresses available on network "
                                          f"{network_id}.", "IpAddressGenerationFailure")

    def remove_fixed_ip(self, server_id: str, address: str) -> Port:
        """Take ``address`` off the server's port that has it."""
        for port in self.ports_of(server_id):
            for fixed in port.fixed_ips:
                if fixed.ip_address == address:
                    for fip in self.floating_ips_of_port(port.id):
                        if fip.fixed_ip_address == address:
                            self._disassociate(fip)
                    port.fixed_ips.remove(fixed)
                    self.subnets[fixed.subnet_id].pool.release(address)
                    self._device_changed(server_id)
                    port.touch(self.now())
                    return port
        raise BadRequest(f"Fixed IP {address} not found on server {server_id}.",
                         "FixedIpNotFoundForInstance")

    def _bound_ports_of(self, server_id: str) -> list[Port]:
        """The server's ports that are :class:`Port` objects (not compact)."""
        return [p for p in (self.ports.materialized[i]
                            for i in self._ports_by_device.get(server_id, ()))
                if p.device_owner.startswith("compute:")]

    def security_groups_of(self, server_id: str) -> list[SecurityGroup]:
        """The groups of the server's ports, each once, in first-seen order."""
        seen: dict[str, None] = {}
        if server_id in self._compact:
            seen[self.default_security_group().id] = None
        for port in self._bound_ports_of(server_id):
            seen.update(dict.fromkeys(port.security_group_ids))
        return [self.security_groups[g] for g in seen]

    def add_security_group(self, server_id: str, name_or_id: str) -> SecurityGroup:
        """Put a group on every port of the server."""
        group = self.find_security_group(name_or_id)
        ports = self.ports_of(server_id)
        if ports and all(group.id in p.security_group_ids for p in ports):
            raise BadRequest(f"Security group {group.name} is already associated with the "
                             f"instance {server_id}", "SecurityGroupExistsForInstance")
        for port in ports:
            if group.id not in port.security_group_ids:
                self._set_groups(port, port.security_group_ids + [group.id])
                port.touch(self.now())
        return group

    def remove_security_group(self, server_id: str, name_or_id: str) -> SecurityGroup:
        """Take a group off every port of the server."""
        group = self.find_security_group(name_or_id)
        ports = [p for p in self.ports_of(server_id) if group.id in p.security_group_ids]
        if not ports:
            raise BadRequest(f"Security group {group.name} not associated with the "
                             f"instance {server_id}", "SecurityGroupNotExistsForInstance")
        for port in ports:
            self._set_groups(port, [g for g in port.security_group_ids if g != group.id])
            port.touch(self.now())
        return group

    def floating_ip_by_address(self, address: str) -> FloatingIp:
        """The tenant's floating IP at ``address`` (a tenant holds few of them)."""
        for fip in self.floating_ips.values():
            if fip.floating_ip_address == address:
                return fip
        raise NotFound(f"Floating IP not found for address {address}.",
                       "FloatingIpNotFoundForAddress")

    def associate_floating_ip_with_server(self, server_id: str, address: str,
                                          fixed_address: Optional[str] = None) -> FloatingIp:
        """
        Nova's ``addFloatingIp``: put the floating IP at ``address`` on the
        server's port holding ``fixed_address``, or else on the first of
        the server's IPv4 addresses whose port can reach the external
        network (a port on ``public`` itself cannot hold one).
        """
        fip = self.floating_ip_by_address(address)
        ports = self.ports_of(server_id)
        candidates = [(port, fixed.ip_address) for port in ports for fixed in port.fixed_ips
                      if self.subnets[fixed.subnet_id].ip_version == 4]
        if fixed_address is not None:
            candidates = [c for c in candidates if c[1] == fixed_address]
            if not candidates:
                raise BadRequest("Specified fixed address not assigned to instance",
                                 "FixedIpNotFoundForInstance")
        if not candidates:
            raise BadRequest("No fixed IPs associated to instance",
                             "FixedIpNotFoundForInstance")
        last_error: Optional[NeutronFault] = None
        for port, fixed_ip in candidates:
            try:
                target = self._association_target(port.id, fixed_ip, fip)
            except NeutronFault as error:
                last_error = error
                continue
            self._associate(fip, *target)
            fip.touch(self.now())
            return fip
        raise BadRequest(f"Unable to associate floating IP {address} to any fixed IPs for "
                         f"instance {server_id}: {last_error.message if last_error else ''}",
                         "FloatingIpAssociateFailed")

    def disassociate_floating_ip_from_server(self, server_id: str, address: str) -> FloatingIp:
        """Nova's ``removeFloatingIp``: only from the server that holds it."""
        fip = self.floating_ip_by_address(address)
        if fip.port_id is None or self.ports[fip.port_id].device_id != server_id:
            raise Conflict(f"Floating IP {address} is not associated with instance "
                           f"{server_id}.", "FloatingIpNotAssociated")
        self._disassociate(fip)
        return fip

    def addresses_for(self, server_id: str) -> dict:
        """
        The server's ``addresses`` as Nova renders them: per network name,
        each fixed IP of the server's ports on it, then the floating IPs
        associated with that port.
        """
        addresses: dict[str, list] = {}
        record = self._compact.get(server_id)
        if record is not None:
            for network_id, fixed_ips, mac in zip(
                    (PUBLIC_NETWORK_ID, PRIVATE_NETWORK_ID), self._compact_fixed_ips(record),
                    self._compact_macs(record)):
                addresses.setdefault(self.networks[network_id].name, []).extend(
                    {"addr": fixed.ip_address,
                     "version": self.subnets[fixed.subnet_id].ip_version,
                     "OS-EXT-IPS:type": "fixed",
                     "OS-EXT-IPS-MAC:mac_addr": mac} for fixed in fixed_ips)
        for port in self._bound_ports_of(server_id):
            entries = addresses.setdefault(self.networks[port.network_id].name, [])
            for fixed in port.fixed_ips:
                entries.append({
                    "addr": fixed.ip_address,
                    "version": self.subnets[fixed.subnet_id].ip_version,
                    "OS-EXT-IPS:type": "fixed",
                    "OS-EXT-IPS-MAC:mac_addr": port.mac_address,
                })
            for fip in self.floating_ips_of_port(port.id):
                entries.append({
                    "addr": fip.floating_ip_address,
                    "version": 4,
                    "OS-EXT-IPS:type": "floating",
                    "OS-EXT-IPS-MAC:mac_addr": port.mac_address,
                })
        return addresses


def _protocol(protocol: Any) -> Optional[str]:
    if protocol is None:
        return None
    if isinstance(protocol, bool):
        protocol = str(protocol)
    number = decimal(protocol) if isinstance(protocol, str) else protocol
    if isinstance(number, int):
        if 0 <= number <= 255:
            return str(number)
    elif isinstance(protocol, str) and protocol.lower() in PROTOCOL_NAMES:
        return protocol.lower()
    raise BadRequest(
        f"Security group rule protocol {protocol} not supported. Only protocol values "
        f"{list(PROTOCOL_NAMES)} and integer representations [0 to 255] are supported.",
        "SecurityGroupRuleInvalidProtocol")


def network_state(store: Any, tenant_id: str, region: str) -> NetworkState:
    """
    The networking of ``tenant_id`` in ``region``, made on first use; the
    tenants of a region share the address pools of ``public`` and
    ``private``, as the tenants of a cloud share its addresses.
    """
    pools = store.data_for_api(("neutron-shared-pools", region), dict)
    return store.tenant(tenant_id).data_for_api(
        ("neutron", region),
        lambda: NetworkState.create(tenant_id, region, store.clock, store.ids, pools))
