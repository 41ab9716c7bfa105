"""
The networks of one tenant in one region and the ports that attach servers
to them, in the shape Rackspace gives every server: one port on ``public``
(IPv4 and IPv6) and one on ``private`` (ServiceNet, IPv4).

A port is two small numbers, its network and its index there; its
addresses, MAC address and id are derived from them, which keeps a tenant
with tens of thousands of servers small and makes every address unique by
construction. Allocation takes the next index (or one freed by a deleted
server): no scan of existing ports, whatever their number. A later
networking (Neutron) plugin builds on :func:`network_store_for`.
"""

from __future__ import annotations

import ipaddress
import uuid
from typing import Any, Optional

import attrs


class AddressesExhausted(Exception):
    """A network has handed out every address it has."""


@attrs.frozen
class Network:
    """
    A network: ``label`` is its key in a server's ``addresses``. ``ipv4``
    is the first address handed out, ``ipv6`` the prefix of derived IPv6
    addresses (or ``None``; its last 64 bits must be zero), ``capacity``
    how many ports it can hold.
    """

    id: str
    label: str
    number: int
    ipv4: int
    capacity: int
    ipv6: Optional[int] = None
    _ipv6_prefix: str = attrs.field(init=False, default="", eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.ipv6 is not None:
            # The /96 prefix as text ("2001:db8::"); the last 32 bits vary.
            prefix = str(ipaddress.IPv6Address(self.ipv6)).rstrip(":") + "::"
            object.__setattr__(self, "_ipv6_prefix", prefix)

    def ipv6_text(self, offset: int) -> str:
        """The canonical text of address ``ipv6 + offset`` (offset < 2**32)."""
        high, low = offset >> 16, offset & 0xFFFF
        if high:
            return f"{self._ipv6_prefix}{high:x}:{low:x}"
        return f"{self._ipv6_prefix}{low:x}"


@attrs.frozen(slots=True)
class Port:
    """A server's attachment to a network, at ``index`` in that network."""

    network: Network
    index: int

    @property
    def id(self) -> str:
        return str(uuid.uuid5(uuid.UUID(self.network.id), str(self.index)))

    @property
    def ipv4(self) -> str:
        # Formatted by hand: ipaddress's str() is ten times slower, and big
        # listings format thousands of these.
        value = self.network.ipv4 + self.index
        return f"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}"

    @property
    def ipv6(self) -> Optional[str]:
        if self.network.ipv6 is None:
            return None
        return self.network.ipv6_text(self.index + 1)

    @property
    def mac_address(self) -> str:
        # fa:16:3e is OpenStack's locally administered prefix; the network's
        # number and the index make it unique within the tenant's region.
        index = self.index
        return (f"fa:16:3e:{self.network.number:02x}:"
                f"{(index >> 8) & 0xff:02x}:{index & 0xff:02x}"
                if index < 0x10000 else
                f"fa:16:{0x3e + (index >> 16):02x}:{self.network.number:02x}:"
                f"{(index >> 8) & 0xff:02x}:{index & 0xff:02x}")

    def addresses(self) -> list[tuple[int, str]]:
        """``(version, address)`` pairs, IPv4 first."""
        found = [(4, self.ipv4)]
        ipv6 = self.ipv6
        if ipv6 is not None:
            found.append((6, ipv6))
        return found


def _v4(text: str) -> int:
    return int(ipaddress.IPv4Address(text))


def _v6(text: str) -> int:
    return int(ipaddress.IPv6Address(text))


PUBLIC = Network(
    id="00000000-0000-0000-0000-000000000000", label="public", number=1,
    ipv4=_v4("100.64.0.10"), capacity=(1 << 22) - 20, ipv6=_v6("2001:db8::"),
)
PRIVATE = Network(
    id="11111111-1111-1111-1111-111111111111", label="private", number=2,
    ipv4=_v4("10.176.0.10"), capacity=(1 << 20) - 20,
)


@attrs.define
class NetworkStore:
    """The networks of one tenant in one region and their free indexes."""

    networks: tuple[Network, ...] = (PUBLIC, PRIVATE)
    _next: dict[str, int] = attrs.field(factory=dict)
    _freed: dict[str, list] = attrs.field(factory=dict)

    def network(self, network_id: str) -> Optional[Network]:
        for network in self.networks:
            if network.id == network_id or network.label == network_id:
                return network
        return None

    def allocate(self, network: Network) -> Port:
        """A new port on ``network`` (reusing a freed index first)."""
        freed = self._freed.get(network.id)
        if freed:
            return Port(network, freed.pop())
        index = self._next.get(network.id, 0)
        if index >= network.capacity:
            raise AddressesExhausted(network.label)
        self._next[network.id] = index + 1
        return Port(network, index)

    def allocate_default(self) -> tuple[Port, ...]:
        """A port on every network, as Rackspace attaches new servers."""
        ports = []
        try:
            for network in self.networks:
                ports.append(self.allocate(network))
        except AddressesExhausted:
            self.release(ports)
            raise
        return tuple(ports)

    def release(self, ports: Any) -> None:
        """Give ports' addresses back for later servers."""
        for port in ports:
            self._freed.setdefault(port.network.id, []).append(port.index)


def network_store_for(session_store: Any, tenant_id: str, region: str) -> NetworkStore:
    """The network store of ``tenant_id`` in ``region``, shared by every API."""
    return session_store.tenant(tenant_id).data_for_api(("networks", region), NetworkStore)
