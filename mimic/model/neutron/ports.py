"""
Ports and their addresses: creating, changing and deleting ports (fixed
IPs from the subnets' pools, MACs, security groups, the device a port is
bound to), and the compact form of the two ports Nova makes for a server's
default networks: a few integers per server until something looks at the
ports themselves, with derived ids and MACs.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any, Iterator, Optional, Sequence

import attrs

from mimic.model.neutron.addresses import MAC_PREFIX, FixedIp, normal_mac, valid_ip
from mimic.model.neutron.faults import BadRequest, Conflict, NeutronFault, PoolExhausted, found
from mimic.model.neutron.networks import PRIVATE_NETWORK_ID, PUBLIC_NETWORK_ID, Network, Subnet
from mimic.model.neutron.security_groups import check_groups_for_port
from mimic.model.neutron.standard import Stamped


#: The ``device_owner`` of a router's interface ports.
ROUTER_INTERFACE_OWNER = "network:router_interface"

#: What Nova puts in ``device_owner`` of the ports it binds to servers.
COMPUTE_OWNER = "compute:nova"


#: The MACs of a server's default ports name their IPv4 address: the last
#: three octets are this tag (public ``a``, private ``b``) over the
#: address's offset in its pool, so they are unique without being stored.
#: Random MACs stay out of these ranges.
COMPACT_MAC_TAGS = (0xA, 0xB)


#: A server's default ports' ids are its id with the first eight hex digits
#: XORed with these (public, private): derived, reversible, never stored.
COMPACT_PORT_ID_MASKS = (0x5BD1E995, 0x1B873593)


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


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


class Ports:
    """
    The ports of :class:`~mimic.model.neutron.state.NetworkState`, compact or not.
    """

    __slots__ = ()

    # lookups

    def port(self, port_id: str) -> Port:
        return found(self.ports, port_id,
                      f"Port {port_id} could not be found.", "PortNotFound")

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
            address = valid_ip(address)
            if not subnet.pool.contains(address):
                raise BadRequest(f"IP address {address} is not a valid IP for the "
                                 f"specified subnet.", "InvalidIpForSubnet")
        else:
            address = valid_ip(address)
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
                    port_security_enabled: Optional[bool] = None, description: str = "",
                    made_for_server: bool = False) -> Port:
        """
        A new port with its addresses; the ``default`` group unless told,
        and port security as its network's unless told.
        """
        network = self.network(network_id)
        self.check_quota("port")
        if port_security_enabled is None:
            port_security_enabled = network.port_security_enabled
        if security_group_ids is None:
            groups = [self.default_security_group().id] if port_security_enabled else []
        else:
            groups = list(dict.fromkeys(self.security_group(g).id for g in security_group_ids))
        self.check_port_groups(port_security_enabled, groups, asked=True)
        if mac_address is not None:
            mac_address = normal_mac(mac_address)
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
                    fixed_ips: Optional[Sequence] = None,
                    port_security_enabled: Optional[bool] = None,
                    mac_address: Optional[str] = None) -> Port:
        """
        Change what ``PUT /ports/<id>`` may change; None leaves a field be.
        (Who may change ``mac_address`` is the API's policy, not the model's.)
        """
        port = self.port(port_id)
        new_mac = None if mac_address is None else self._checked_new_mac(
            port, mac_address, port.device_owner if device_owner is None else device_owner)
        groups = None
        if security_group_ids is not None:
            groups = list(dict.fromkeys(self.security_group(g).id for g in security_group_ids))
        self.check_port_groups(
            port.port_security_enabled if port_security_enabled is None
            else port_security_enabled,
            port.security_group_ids if groups is None else groups, asked=bool(groups))
        if port_security_enabled is not None:
            port.port_security_enabled = port_security_enabled
        if fixed_ips is not None:
            self._replace_fixed_ips(port, fixed_ips)
        if new_mac is not None:
            self._macs.discard(port.mac_address)
            self._macs.add(new_mac)
            port.mac_address = new_mac
            self._device_changed(port.device_id)
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

    def _checked_new_mac(self, port: Port, mac_address: str, device_owner: str
                         ) -> Optional[str]:
        """
        The MAC a port may change to, None if it is the one it has, or
        Neutron's refusal: not for a port a Neutron service owns
        (``network:*``, ``UnsupportedPortDeviceOwner``), nor a port bound
        to a server (ML2's ``PortBound``), nor a MAC in use.
        """
        mac = normal_mac(mac_address)
        if mac == port.mac_address:
            return None
        if device_owner.startswith("network:"):
            raise Conflict(f"Operation mac address update is not supported for device_owner "
                           f"{device_owner} on port {port.id}.", "UnsupportedPortDeviceOwner")
        if port.device_id and port.device_owner.startswith("compute:"):
            raise Conflict(f"Unable to complete operation on port {port.id}, port is already "
                           f"bound, port type: ovs, old_mac {port.mac_address}, new_mac {mac}.",
                           "PortBound")
        if self._mac_in_use(mac):
            raise Conflict(f"Unable to complete operation for network {port.network_id}. "
                           f"The mac address {mac} is in use.", "MacAddressInUse")
        return mac

    def check_port_groups(self, port_security: bool, group_ids: Sequence[str],
                          asked: bool) -> None:
        """
        Neutron's rules for a port's groups: none without port security
        (400 if the request names groups, 409 if the port still has them)
        and not stateful and stateless ones together.
        """
        if group_ids and not port_security:
            if asked:
                raise BadRequest("Port security must be enabled and port must have an IP "
                                 "address in order to use security groups.",
                                 "PortSecurityAndIPRequiredForSecurityGroups")
            raise Conflict("Port has security group associated. Cannot disable port security "
                           "or ip address until security group is removed",
                           "PortSecurityPortHasSecurityGroup")
        check_groups_for_port([self.security_groups[g] for g in group_ids])

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
        if port.device_owner == ROUTER_INTERFACE_OWNER:
            raise Conflict(f"Port {port_id} cannot be deleted directly via the port API: has "
                           f"device owner {ROUTER_INTERFACE_OWNER}.", "ServicePortInUse")
        if self.trunks:
            self.check_port_not_in_trunk(port_id)
        self._delete_port(port)

    def _delete_port(self, port: Port) -> None:
        port_id = port.id
        for fip in self.floating_ips_of_port(port_id):
            self._disassociate(fip)
        for fixed in port.fixed_ips:
            self.subnets[fixed.subnet_id].pool.release(fixed.ip_address)
        self._set_groups(port, [])
        self._bind(port, "", "")
        self._ports_by_network[port.network_id].pop(port_id, None)
        self._macs.discard(port.mac_address)
        del self.ports[port_id]
