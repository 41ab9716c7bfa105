"""
Addresses: the allocation pool of a subnet (O(1) per allocation, what is
in use kept as ranges), the fixed IPs ports hold, and the checks of IP and
MAC addresses clients send.
"""

from __future__ import annotations

import ipaddress
from collections import deque
from typing import Any

import attrs

from mimic.model.neutron.faults import BadRequest, PoolExhausted


#: OpenStack's default MAC prefix (``base_mac``).
MAC_PREFIX = "fa:16:3e"


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


@attrs.frozen
class FixedIp:
    subnet_id: str
    ip_address: str


def valid_ip(address: Any, what: str = "fixed_ips") -> str:
    if not isinstance(address, str):
        raise BadRequest(f"Invalid input for {what}. Reason: '{address}' is not a valid IP "
                         f"address.")
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        raise BadRequest(
            f"Invalid input for {what}. Reason: '{address}' is not a valid IP address."
        ) from None


def normal_mac(mac: Any) -> str:
    text = mac.lower() if isinstance(mac, str) else ""
    parts = text.split(":")
    if len(parts) != 6 or not all(len(p) == 2 and all(c in "0123456789abcdef" for c in p)
                                  for p in parts):
        raise BadRequest(f"Invalid input for mac_address. Reason: '{mac}' is not a valid MAC "
                         f"address.")
    return text
