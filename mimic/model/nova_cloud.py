"""
What one Nova region holds for every project at once, the part only an
operator changes: the flavors (:mod:`mimic.model.nova_flavor_catalog`),
the hosts and their services (:mod:`mimic.model.nova_hosts`), the host
aggregates (:mod:`mimic.model.nova_aggregates`), the quotas
(:mod:`mimic.model.nova_quotas`) and the migrations servers went through.
Each project's own state (:class:`mimic.model.nova.ComputeRegion`) refers
to its region's :class:`ComputeCloud`; both live in the session store, so
reset and snapshots take them along.

Also here: what ``os-simple-tenant-usage`` computes from servers'
lifetimes (:func:`usage_of`), on Mimic's clock.
"""

from __future__ import annotations

import hashlib
from typing import Any, Iterable, Optional

import attrs

from mimic.model.nova_aggregates import AggregateStore
from mimic.model.nova_errors import BadRequest
from mimic.model.nova_flavor_catalog import FlavorCatalog
from mimic.model.nova_hosts import HostRegistry
from mimic.model.nova_quotas import QuotaBook, default_quotas
from mimic.model.nova_server import AVAILABILITY_ZONE, METADATA_ITEMS
from mimic.util import IdSource

#: Compute hosts per region; two, so that a cold migration has somewhere to go.
COMPUTE_HOSTS = 2
#: The most migrations a region remembers (the oldest are forgotten first).
MAX_MIGRATIONS = 1000


@attrs.define
class Migration:
    """
    A resize or cold migration of one server (``os-migrations``): it is
    ``migrating`` until the server's move ends on the clock, then
    ``finished`` until confirmed or reverted.
    """

    id: int
    uuid: str
    server_id: str
    project_id: str
    user_id: str
    kind: str
    source_host: str
    dest_host: str
    old_flavor_id: str
    new_flavor_id: str
    created: float
    finishes: float
    ended: Optional[str] = None
    updated: Optional[float] = None

    def status_at(self, now: float) -> str:
        if self.ended is not None:
            return self.ended
        return "finished" if now >= self.finishes else "migrating"

    def updated_at(self, now: float) -> float:
        if self.updated is not None:
            return self.updated
        return self.finishes if now >= self.finishes else self.created


@attrs.define
class ComputeCloud:
    """One region's operator state, shared by all its projects."""

    region: str
    ids: IdSource
    flavors: FlavorCatalog
    hosts: HostRegistry
    aggregates: AggregateStore
    quotas: QuotaBook
    migrations: list = attrs.field(factory=list)
    _next_migration: int = 1

    # where servers go

    def zones(self) -> list:
        """The availability zones servers may ask for: ``nova`` and the aggregates'."""
        return sorted({AVAILABILITY_ZONE, *self.aggregates.zones()})

    def zone_of(self, host: str) -> str:
        return self.aggregates.zone_of(host, AVAILABILITY_ZONE)

    def place(self, placement_key: str, zone: Optional[str],
              avoid: Optional[str] = None) -> str:
        """
        The compute host a server goes to: one of the enabled hosts in the
        zone asked for, chosen by ``placement_key`` (so servers of one
        affinity group share a host), not ``avoid`` (a migration's source)
        if another will do. No host at all is Nova's "No valid host".
        """
        hosts = [h for h in self.hosts.schedulable()
                 if zone is None or self.zone_of(h) == zone]
        if avoid is not None and len(hosts) > 1:
            hosts = [h for h in hosts if h != avoid]
        if not hosts:
            raise BadRequest("No valid host was found. There are not enough hosts available.")
        digest = int(hashlib.sha224(placement_key.encode()).hexdigest(), 16)
        return hosts[digest % len(hosts)]

    # migrations

    def start_migration(self, server: Any, kind: str, dest_host: str,
                        old_flavor_id: str, new_flavor_id: str, now: float,
                        finishes: float) -> Migration:
        migration = Migration(
            self._next_migration, self.ids.uuid(), server.id, server.tenant_id,
            server.user_id, kind, server.compute_host, dest_host, old_flavor_id,
            new_flavor_id, now, finishes)
        self._next_migration += 1
        self.migrations.append(migration)
        del self.migrations[:-MAX_MIGRATIONS]
        return migration

    def end_migration(self, server_id: str, ending: str, now: float) -> Optional[Migration]:
        """Mark the server's open migration ``confirmed`` or ``reverted``."""
        for migration in reversed(self.migrations):
            if migration.server_id == server_id and migration.ended is None:
                migration.ended = ending
                migration.updated = now
                return migration
        return None

    def migrations_matching(self, project_id: Optional[str] = None,
                            server_id: Optional[str] = None, kind: Optional[str] = None,
                            status: Optional[str] = None, host: Optional[str] = None,
                            now: float = 0.0) -> list:
        """Newest first, as Nova lists them."""
        return [m for m in reversed(self.migrations)
                if (project_id is None or m.project_id == project_id)
                and (server_id is None or m.server_id == server_id)
                and (kind is None or m.kind == kind)
                and (status is None or m.status_at(now) == status)
                and (host is None or host in (m.source_host, m.dest_host))]


def new_cloud(region: str, profile: Any, ids: IdSource) -> ComputeCloud:
    """A region as ``profile`` starts it: its flavors, two compute hosts, the defaults."""
    return ComputeCloud(
        region=region,
        ids=ids,
        flavors=FlavorCatalog.of(profile.flavors, ids),
        hosts=HostRegistry.of(region or "region", COMPUTE_HOSTS, ids),
        aggregates=AggregateStore(ids),
        quotas=QuotaBook(default_quotas(
            unlimited_instances=profile.name != "devstack",
            metadata_items=METADATA_ITEMS)),
    )


def compute_cloud_for(session_store: Any, region: str, profile: Any) -> ComputeCloud:
    """The region's :class:`ComputeCloud`, made on first use from the profile."""
    return session_store.data_for_api(
        ("nova", region, "cloud"), lambda: new_cloud(region, profile, session_store.ids))


# os-simple-tenant-usage

@attrs.frozen
class ServerUsage:
    """One server's part of a usage report over ``[start, end]``."""

    server: Any
    hours: float
    started: float
    ended: Optional[float]
    state: str


def usage_of(servers: Iterable, start: float, end: float, now: float) -> list:
    """
    What each server that lived in ``[start, end]`` used of it: hours of
    its life inside the window (Nova's ``_hours_for``), its flavor's
    sizes, and its state then (``terminated`` once deleted).
    """
    end = min(end, now)
    found = []
    for server in servers:
        deleted = server.deleted_at
        if server.created > end or (deleted is not None and deleted < start):
            continue
        until = end if deleted is None else min(deleted, end)
        hours = max(0.0, until - max(server.created, start)) / 3600
        state = "terminated" if deleted is not None else server.vm_state_at(now)
        found.append(ServerUsage(server, hours, server.created, deleted, state))
    return found
