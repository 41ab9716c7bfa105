"""
Subnet pools (Neutron's ``subnet_allocation``): prefixes a tenant's
subnets are carved from, by prefix length (the first free block of that
size) or by an explicit CIDR inside the pool, with neutron-lib's bounds
and errors. A ``shared`` pool (an admin's to make) is seen by every
project, which carve their subnets from it; its ``default_quota`` bounds
each project's share.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Optional, Sequence

import attrs

from mimic.bounds import decimal
from mimic.model.neutron.faults import BadRequest, Conflict, NotFound, found
from mimic.model.neutron.standard import Stamped

#: The prefix-length bounds of a pool when it names none (Neutron's).
DEFAULT_BOUNDS = {4: (8, 32), 6: (64, 128)}


@attrs.define(eq=False)
class SubnetPool(Stamped):
    id: str = ""
    name: str = ""
    tenant_id: str = ""
    description: str = ""
    prefixes: list = attrs.field(factory=list)
    ip_version: int = 4
    default_prefixlen: int = 8
    min_prefixlen: int = 8
    max_prefixlen: int = 32
    #: The subnets allocated from the pool, in the order made: subnet id to
    #: its project and CIDR (a shared pool's subnets are other projects').
    subnet_ids: dict = attrs.field(factory=dict)
    address_scope_id: Optional[str] = None
    #: How much of the pool a project may take (None: all): addresses for
    #: IPv4, /64 blocks for IPv6, as Neutron counts ``default_quota``.
    default_quota: Optional[int] = None
    shared: bool = False

    def allocated(self, tenant_id: Optional[str] = None) -> list:
        """The CIDRs of the pool's subnets (of one project's, if ``tenant_id``)."""
        return [ipaddress.ip_network(cidr) for owner, cidr in self.subnet_ids.values()
                if tenant_id is None or owner == tenant_id]


def _prefixes(prefixes: Any) -> list:
    """A pool's prefixes: CIDRs of one IP version, merged as Neutron keeps them."""
    if not isinstance(prefixes, list) or not prefixes:
        raise BadRequest("Invalid input for prefixes. Reason: a non-empty list of CIDRs is "
                         "required.")
    nets = []
    for prefix in prefixes:
        try:
            if not isinstance(prefix, str):
                raise ValueError(prefix)
            nets.append(ipaddress.ip_network(prefix, strict=False))
        except (TypeError, ValueError):
            raise BadRequest(f"Invalid input for prefixes. Reason: '{prefix}' is not a valid "
                             f"IP subnet.") from None
    if len({net.version for net in nets}) > 1:
        raise BadRequest("Cannot mix IPv4 and IPv6 prefixes in a subnet pool.",
                         "PrefixVersionMismatch")
    return list(ipaddress.collapse_addresses(nets))


def _bound(value: Any, name: str) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, str) and decimal(value) is not None:
        value = decimal(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"Invalid input for {name}. Reason: '{str(value)[:100]}' is not an "
                         f"integer.")
    return value


def _quota(value: Any) -> Optional[int]:
    quota = _bound(value, "default_quota")
    if quota is not None and quota < 0:
        raise BadRequest(f"Invalid input for default_quota. Reason: '{quota}' should be a "
                         f"non-negative integer.")
    return quota


def _quota_units(net: Any) -> int:
    """What a subnet counts against a pool's quota: addresses, or /64s for IPv6."""
    return net.num_addresses if net.version == 4 else max(1, net.num_addresses >> 64)


class SubnetPools:
    """The subnet pools of :class:`~mimic.model.neutron.state.NetworkState`."""

    __slots__ = ()

    def visible_subnetpools(self) -> list[SubnetPool]:
        """The project's pools and every project's shared ones."""
        seen = dict(self.subnetpools)
        for other in self.region_networks.all_states():
            for pool in other.subnetpools.values():
                if pool.shared:
                    seen.setdefault(pool.id, pool)
        return list(seen.values())

    def subnetpool(self, subnetpool_id: str) -> SubnetPool:
        """A pool the project sees (its own or a shared one)."""
        if subnetpool_id in self.subnetpools:
            return self.subnetpools[subnetpool_id]
        for pool in self.visible_subnetpools():
            if pool.id == subnetpool_id:
                return pool
        raise NotFound(f"Subnet pool {subnetpool_id} could not be found.",
                       "SubnetPoolNotFound")

    def _own_subnetpool(self, subnetpool_id: str) -> SubnetPool:
        return found(self.subnetpools, subnetpool_id,
                     f"Subnet pool {subnetpool_id} could not be found.", "SubnetPoolNotFound")

    def create_subnetpool(self, prefixes: Any, name: str = "", description: str = "",
                          default_prefixlen: Any = None, min_prefixlen: Any = None,
                          max_prefixlen: Any = None,
                          address_scope_id: Optional[str] = None,
                          default_quota: Any = None, shared: bool = False) -> SubnetPool:
        nets = _prefixes(prefixes)
        default_quota = _quota(default_quota)
        self.check_pool_scope(None, address_scope_id, [str(n) for n in nets])
        version = nets[0].version
        low, high = DEFAULT_BOUNDS[version]
        minimum = _bound(min_prefixlen, "min_prefixlen")
        maximum = _bound(max_prefixlen, "max_prefixlen")
        minimum = low if minimum is None else minimum
        maximum = high if maximum is None else maximum
        default = _bound(default_prefixlen, "default_prefixlen")
        default = minimum if default is None else default
        self._check_bounds(version, minimum, default, maximum)
        now = self.now()
        pool = SubnetPool(now, now, 0, id=self.ids.uuid(), name=name, tenant_id=self.tenant_id,
                          description=description, prefixes=[str(n) for n in nets],
                          ip_version=version, default_prefixlen=default,
                          min_prefixlen=minimum, max_prefixlen=maximum,
                          address_scope_id=address_scope_id, default_quota=default_quota,
                          shared=shared)
        self.subnetpools[pool.id] = pool
        return pool

    @staticmethod
    def _check_bounds(version: int, minimum: int, default: int, maximum: int) -> None:
        bits = 32 if version == 4 else 128
        if not 0 <= minimum <= bits:
            raise BadRequest(f"Prefix '{minimum}' not supported in IPv{version} pool.",
                             "UnsupportedMinSubnetPoolPrefix")
        for kind, value, base_kind, base in (
                ("default_prefixlen", default, "min_prefixlen", minimum),
                ("max_prefixlen", maximum, "default_prefixlen", default)):
            if value < base or value > bits:
                raise BadRequest(f"Illegal prefix bounds: {kind}={value}, "
                                 f"{base_kind}={base}.", "IllegalSubnetPoolPrefixBounds")

    def update_subnetpool(self, subnetpool_id: str, name: Optional[str] = None,
                          description: Optional[str] = None, prefixes: Any = None,
                          default_prefixlen: Any = None, min_prefixlen: Any = None,
                          max_prefixlen: Any = None, address_scope_id: Any = None,
                          change_scope: bool = False, default_quota: Any = None) -> SubnetPool:
        """
        Change a pool; its prefixes may grow, never shrink; with
        ``change_scope`` it joins ``address_scope_id`` (None: leaves its scope).
        """
        pool = self._own_subnetpool(subnetpool_id)
        nets = None
        if prefixes is not None:
            nets = _prefixes(prefixes)
            if nets[0].version != pool.ip_version:
                raise BadRequest("Cannot mix IPv4 and IPv6 prefixes in a subnet pool.",
                                 "PrefixVersionMismatch")
            old = [ipaddress.ip_network(p) for p in pool.prefixes]
            if not all(any(o.subnet_of(n) for n in nets) for o in old):
                raise BadRequest("Illegal update to prefixes: Existing prefixes must be a "
                                 "subset of the new prefixes.", "IllegalSubnetPoolPrefixUpdate")
        minimum = _bound(min_prefixlen, "min_prefixlen")
        maximum = _bound(max_prefixlen, "max_prefixlen")
        default = _bound(default_prefixlen, "default_prefixlen")
        minimum = pool.min_prefixlen if minimum is None else minimum
        maximum = pool.max_prefixlen if maximum is None else maximum
        default = pool.default_prefixlen if default is None else default
        self._check_bounds(pool.ip_version, minimum, default, maximum)
        if change_scope:
            self.check_pool_scope(pool, address_scope_id,
                                  [str(n) for n in nets] if nets else pool.prefixes)
            pool.address_scope_id = address_scope_id
        elif nets is not None:
            self.check_pool_scope(pool, pool.address_scope_id, [str(n) for n in nets])
        quota = _quota(default_quota)
        if name is not None:
            pool.name = name
        if description is not None:
            pool.description = description
        if quota is not None:
            pool.default_quota = quota
        if nets is not None:
            pool.prefixes = [str(n) for n in nets]
        pool.min_prefixlen, pool.default_prefixlen, pool.max_prefixlen = (
            minimum, default, maximum)
        pool.touch(self.now())
        return pool

    def delete_subnetpool(self, subnetpool_id: str) -> None:
        pool = self._own_subnetpool(subnetpool_id)
        if pool.subnet_ids:
            raise BadRequest("Unable to delete subnet pool: Subnet pool has existing "
                             "allocations.", "SubnetPoolDeleteError")
        del self.subnetpools[subnetpool_id]

    def allocate_from_pool(self, pool: SubnetPool, prefixlen: Any = None,
                           cidr: Optional[Any] = None) -> Any:
        """
        The CIDR a new subnet of ``pool`` gets: ``cidr`` if it is inside the
        pool and free, else the first free block of ``prefixlen`` (the
        pool's default if None); within the pool's ``default_quota``.
        """
        chosen = self._free_cidr(pool, prefixlen, cidr)
        if pool.default_quota is not None:
            held = sum(map(_quota_units, pool.allocated(self.tenant_id)))
            if held + _quota_units(chosen) > pool.default_quota:
                raise Conflict("Per-tenant subnet pool prefix quota exceeded.",
                               "SubnetPoolQuotaExceeded")
        return chosen

    def _free_cidr(self, pool: SubnetPool, prefixlen: Any, cidr: Optional[Any]) -> Any:
        taken = pool.allocated()
        prefixes = [ipaddress.ip_network(p) for p in pool.prefixes]
        if cidr is not None:
            if not any(cidr.subnet_of(p) for p in prefixes if p.version == cidr.version):
                raise Conflict(f"Failed to allocate subnet: Cidr {cidr} is not within the "
                               f"prefixes of subnet pool {pool.id}.", "SubnetAllocationError")
            if any(cidr.overlaps(t) for t in taken):
                raise Conflict(f"Failed to allocate subnet: Cidr {cidr} overlaps a subnet "
                               f"already allocated from subnet pool {pool.id}.",
                               "SubnetAllocationError")
            self._check_prefixlen(pool, cidr.prefixlen)
            return cidr
        length = _bound(prefixlen, "prefixlen")
        length = pool.default_prefixlen if length is None else length
        self._check_prefixlen(pool, length)
        free = _free_blocks(prefixes, taken)
        for block in free:
            if block.prefixlen <= length:
                return next(block.subnets(new_prefix=length))
        raise Conflict(f"Failed to allocate subnet: Insufficient prefix space to allocate "
                       f"subnet size /{length}.", "SubnetAllocationError")

    @staticmethod
    def _check_prefixlen(pool: SubnetPool, length: int) -> None:
        if length < pool.min_prefixlen:
            raise BadRequest(f"Unable to allocate subnet with prefix length {length}, minimum "
                             f"allowed prefix is {pool.min_prefixlen}.",
                             "MinPrefixSubnetAllocationError")
        if length > pool.max_prefixlen:
            raise BadRequest(f"Unable to allocate subnet with prefix length {length}, maximum "
                             f"allowed prefix is {pool.max_prefixlen}.",
                             "MaxPrefixSubnetAllocationError")


def _free_blocks(prefixes: Sequence[Any], taken: Sequence[Any]) -> list:
    """What of ``prefixes`` no ``taken`` network covers, as blocks in address order."""
    free = list(prefixes)
    for used in taken:
        remaining = []
        for block in free:
            if used.subnet_of(block) if used.version == block.version else False:
                remaining.extend(block.address_exclude(used))
            elif block.version == used.version and block.subnet_of(used):
                continue
            else:
                remaining.append(block)
        free = remaining
    return sorted(free, key=lambda n: (int(n.network_address), n.prefixlen))
