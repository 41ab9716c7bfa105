"""
Host aggregates of one Nova region (``os-aggregates``): named groups of
compute hosts with metadata, one of which (``availability_zone``) makes
the aggregate an availability zone its hosts belong to. Nova's rules are
nova/compute/api.py ``AggregateAPI`` (a name is unique, a host must be a
compute host, a host's zones may not conflict, an aggregate with hosts
cannot be deleted) and its messages nova/exception.py's.
"""

from __future__ import annotations

from typing import Optional

import attrs

from mimic.model.nova_errors import BadRequest, Conflict, NotFound
from mimic.util import IdSource

#: Bounds on what a client can make Mimic keep.
MAX_AGGREGATES = 200
MAX_AGGREGATE_METADATA = 100
ZONE_KEY = "availability_zone"


@attrs.define
class Aggregate:
    """One aggregate: hosts, metadata (its zone among them), when it was made and changed."""

    id: int
    uuid: str
    name: str
    created: float
    updated: Optional[float] = None
    hosts: list = attrs.field(factory=list)
    metadata: dict = attrs.field(factory=dict)

    @property
    def availability_zone(self) -> Optional[str]:
        return self.metadata.get(ZONE_KEY)


@attrs.define
class AggregateStore:
    """Every aggregate of a region by id."""

    ids: IdSource
    _aggregates: dict = attrs.field(factory=dict)
    _next_id: int = 1

    def __iter__(self):
        return iter(list(self._aggregates.values()))

    def get(self, aggregate_id: str) -> Aggregate:
        aggregate = self._aggregates.get(str(aggregate_id))
        if aggregate is None:
            raise NotFound(f"Aggregate {aggregate_id} could not be found.")
        return aggregate

    def create(self, name: str, zone: Optional[str], now: float) -> Aggregate:
        self._check_name(name)
        if len(self._aggregates) >= MAX_AGGREGATES:
            raise BadRequest(f"A region holds at most {MAX_AGGREGATES} aggregates in Mimic.")
        aggregate = Aggregate(self._next_id, self.ids.uuid(), name, now)
        if zone is not None:
            aggregate.metadata[ZONE_KEY] = zone
        self._aggregates[str(aggregate.id)] = aggregate
        self._next_id += 1
        return aggregate

    def _check_name(self, name: str, but: Optional[Aggregate] = None) -> None:
        if any(a.name == name and a is not but for a in self._aggregates.values()):
            raise Conflict(f"Aggregate {name} already exists.")

    def update(self, aggregate_id: str, name: Optional[str], zone: Optional[str],
               zone_given: bool, now: float) -> Aggregate:
        aggregate = self.get(aggregate_id)
        if name is not None:
            self._check_name(name, aggregate)
        if zone_given and zone is not None:
            self._check_zone_of_hosts(aggregate, zone)
        if name is not None:
            aggregate.name = name
        if zone_given:
            self._set_zone(aggregate, zone)
        aggregate.updated = now
        return aggregate

    def delete(self, aggregate_id: str) -> None:
        aggregate = self.get(aggregate_id)
        if aggregate.hosts:
            # Nova's InvalidAggregateActionDelete is worded so.
            raise BadRequest(f"Cannot remove host from aggregate {aggregate_id}. "
                             f"Reason: Host aggregate is not empty.")
        del self._aggregates[str(aggregate.id)]

    def add_host(self, aggregate_id: str, host: str, compute_hosts: list,
                 now: float) -> Aggregate:
        aggregate = self.get(aggregate_id)
        if host not in compute_hosts:
            raise NotFound(f"Compute host {host} could not be found.")
        if host in aggregate.hosts:
            raise Conflict(f"Aggregate {aggregate_id} already has host {host}.")
        zone = aggregate.availability_zone
        others = {z for z in self.zones_of(host) if z != zone}
        if zone is not None and others:
            raise BadRequest(f"Cannot add host to aggregate {aggregate_id}. Reason: One or "
                             f"more hosts already in availability zone(s) {sorted(others)}.")
        aggregate.hosts.append(host)
        aggregate.updated = now
        return aggregate

    def remove_host(self, aggregate_id: str, host: str, now: float) -> Aggregate:
        aggregate = self.get(aggregate_id)
        if host not in aggregate.hosts:
            raise NotFound(f"Cannot remove host {host} in aggregate {aggregate_id}")
        aggregate.hosts.remove(host)
        aggregate.updated = now
        return aggregate

    def set_metadata(self, aggregate_id: str, changes: dict, now: float) -> Aggregate:
        """Set each key, delete those given ``None`` (Nova's ``set_metadata``)."""
        aggregate = self.get(aggregate_id)
        merged = {k: v for k, v in {**aggregate.metadata, **changes}.items() if v is not None}
        if len(merged) > MAX_AGGREGATE_METADATA:
            raise BadRequest(f"An aggregate holds at most {MAX_AGGREGATE_METADATA} "
                             f"metadata items in Mimic.")
        if ZONE_KEY in changes and changes[ZONE_KEY] is not None:
            self._check_zone_of_hosts(aggregate, changes[ZONE_KEY])
        aggregate.metadata = merged
        aggregate.updated = now
        return aggregate

    def _set_zone(self, aggregate: Aggregate, zone: Optional[str]) -> None:
        if zone is None:
            aggregate.metadata.pop(ZONE_KEY, None)
        else:
            aggregate.metadata[ZONE_KEY] = zone

    def _check_zone_of_hosts(self, aggregate: Aggregate, zone: str) -> None:
        for host in aggregate.hosts:
            others = {z for a in self._aggregates.values() if a is not aggregate
                      and host in a.hosts for z in [a.availability_zone]
                      if z is not None and z != zone}
            if others:
                raise BadRequest(f"Cannot update aggregate {aggregate.id}. Reason: One or "
                                 f"more hosts already in availability zone(s) "
                                 f"{sorted(others)}.")

    def zones_of(self, host: str) -> list:
        """The zones the aggregates holding ``host`` name."""
        return sorted({a.availability_zone for a in self._aggregates.values()
                       if host in a.hosts and a.availability_zone is not None})

    def zone_of(self, host: str, default: str) -> str:
        zones = self.zones_of(host)
        return zones[0] if zones else default

    def zones(self) -> list:
        """Every zone an aggregate names that holds a host."""
        return sorted({a.availability_zone for a in self._aggregates.values()
                       if a.hosts and a.availability_zone is not None})
