"""
What Nova tells operators about the past: ``os-simple-tenant-usage``
(every project's usage over a window, admins only; one project's, also
for its own members: nova/policies/simple_tenant_usage.py), computed from
servers' lifetimes on Mimic's clock, deleted servers included; and
``os-migrations`` (the resizes and cold migrations servers went through,
admins only: nova/policies/migrations.py), with ``migration_type`` from
2.23, ``uuid``, paging and ``changes-since`` from 2.59, ``user_id`` and
``project_id`` from 2.80. Shapes are
nova/api/openstack/compute/simple_tenant_usage.py and migrations.py.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any, Optional

from mimic.bounds import decimal
from mimic.model.nova_cloud import Migration, usage_of
from mimic.rest.http import RequestError, json_response
from mimic.rest.nova_json import paged, query_argument, read_limit, read_time
from mimic.rest.nova_routes import NovaRoutes, tenant_route
from mimic.util import iso_time

app = NovaRoutes.app


class UsageRoutes(NovaRoutes):
    """``os-simple-tenant-usage`` and ``os-migrations``."""

    @tenant_route(app, "/os-simple-tenant-usage", methods=["GET"])
    def list_usage(self, request: Any, tenant_id: str) -> bytes:
        compute, links = self._begin(request, tenant_id)
        self._authorize(request, tenant_id, "os_compute_api:os-simple-tenant-usage:list")
        start, end = _window(request, compute.now())
        detailed = query_argument(request, "detailed") == "1"
        servers = [s for c in self._computes() for s in c.every_server()]
        usages = self._usage_page(request, servers, start, end, compute.now())
        body: dict = {"tenant_usages": _summaries(usages, start, end, compute.now(), detailed)}
        if self.version >= "2.40" and usages and len(usages) == read_limit(request):
            body["tenant_usages_links"] = links.next_page(
                "os-simple-tenant-usage", request, usages[-1].server.id)
        return json_response(request, body)

    @tenant_route(app, "/os-simple-tenant-usage/<project_id>", methods=["GET"])
    def show_usage(self, request: Any, tenant_id: str, project_id: str) -> bytes:
        compute, links = self._begin(request, tenant_id)
        self._authorize(request, tenant_id, "os_compute_api:os-simple-tenant-usage:show",
                        "project", project_id)
        start, end = _window(request, compute.now())
        servers = [s for c in self._computes() if c.tenant_id == project_id
                   for s in c.every_server()]
        usages = self._usage_page(request, servers, start, end, compute.now())
        summaries = _summaries(usages, start, end, compute.now(), detailed=True)
        body: dict = {"tenant_usage": summaries[0] if summaries else {}}
        if self.version >= "2.40" and usages and len(usages) == read_limit(request):
            body["tenant_usage_links"] = links.next_page(
                f"os-simple-tenant-usage/{project_id}", request, usages[-1].server.id)
        return json_response(request, body)

    def _usage_page(self, request: Any, servers: list, start: float, end: float,
                    now: float) -> list:
        servers.sort(key=lambda s: s.created)
        usages = usage_of(servers, start, end, now)
        if self.version >= "2.40":
            usages = paged(usages, read_limit(request), query_argument(request, "marker"),
                           lambda usage: usage.server.id)
        return usages

    # migrations

    @tenant_route(app, "/os-migrations", methods=["GET"])
    def list_migrations(self, request: Any, tenant_id: str) -> bytes:
        compute, links = self._begin(request, tenant_id)
        self._authorize(request, tenant_id, "os_compute_api:os-migrations:index")
        now = compute.now()
        cloud = compute.cloud
        found = cloud.migrations_matching(
            project_id=query_argument(request, "project_id") if self.version >= "2.80" else None,
            server_id=query_argument(request, "instance_uuid"),
            kind=query_argument(request, "migration_type"),
            status=query_argument(request, "status"),
            host=query_argument(request, "host") or query_argument(request, "source_compute"),
            now=now)
        if self.version >= "2.80" and query_argument(request, "user_id"):
            found = [m for m in found if m.user_id == query_argument(request, "user_id")]
        if self.version >= "2.59":
            since = query_argument(request, "changes-since")
            if since is not None:
                moment = read_time(since, "changes-since")
                found = [m for m in found if m.updated_at(now) >= moment]
            before = query_argument(request, "changes-before") if self.version >= "2.66" \
                else None
            if before is not None:
                moment = read_time(before, "changes-before")
                found = [m for m in found if m.updated_at(now) <= moment]
            marker = query_argument(request, "marker")
            try:
                found = paged(found, read_limit(request), marker, lambda m: m.uuid)
            except RequestError:
                raise RequestError(404, f"Marker {marker} could not be found.") from None
        body: dict = {"migrations": [self._migration_view(compute, m, now) for m in found]}
        if self.version >= "2.59" and found and len(found) == read_limit(request):
            body["migrations_links"] = links.next_page("os-migrations", request,
                                                       found[-1].uuid)
        return json_response(request, body)

    def _migration_view(self, compute: Any, migration: Migration, now: float) -> dict:
        hosts = {h.host: h.host_ip for h in compute.cloud.hosts.hypervisors}
        view: dict = {
            "id": migration.id,
            "instance_uuid": migration.server_id,
            "status": migration.status_at(now),
            "source_compute": migration.source_host,
            "source_node": migration.source_host,
            "dest_compute": migration.dest_host,
            "dest_node": migration.dest_host,
            "dest_host": hosts.get(migration.dest_host, ""),
            "old_instance_type_id": flavor_number(migration.old_flavor_id),
            "new_instance_type_id": flavor_number(migration.new_flavor_id),
            "created_at": _naive(migration.created),
            "updated_at": _naive(migration.updated_at(now)),
        }
        if self.version >= "2.23":
            view["migration_type"] = migration.kind
        if self.version >= "2.59":
            view["uuid"] = migration.uuid
        if self.version >= "2.80":
            view["user_id"] = migration.user_id
            view["project_id"] = migration.project_id
        return view


def flavor_number(flavor_id: str) -> int:
    """
    The integer Nova's migrations name a flavor by (its database id): the
    id itself when it is a number, else a stable number made from it.
    """
    number = decimal(flavor_id)
    if number is not None and number < 2 ** 31:
        return number
    return int(hashlib.sha1(flavor_id.encode()).hexdigest()[:7], 16)


def _naive(seconds: Optional[float]) -> Optional[str]:
    """A time as Nova writes its database's (no zone)."""
    return None if seconds is None else iso_time(seconds)[:-1]


_USAGE_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%d %H:%M:%S.%f")


def _window(request: Any, now: float) -> tuple:
    """``start`` and ``end`` (now when not given, ``end`` never past now)."""
    start = _usage_time(query_argument(request, "start"), now)
    end = _usage_time(query_argument(request, "end"), now)
    if not start < end:
        raise RequestError(400, "Invalid start time. The start time cannot occur after "
                                "the end time.")
    return start, min(end, now)


def _usage_time(text: Optional[str], now: float) -> float:
    if not text:
        return now
    for form in _USAGE_FORMATS:
        try:
            moment = datetime.strptime(text[:64], form)
        except ValueError:
            continue
        return moment.replace(tzinfo=timezone.utc).timestamp()
    raise RequestError(400, "Invalid datetime string: Datetime is in invalid format")


def _summaries(usages: list, start: float, end: float, now: float, detailed: bool) -> list:
    """Per project, in the order their servers come: totals, and each server if detailed."""
    projects: dict = {}
    for usage in usages:
        server = usage.server
        summary = projects.get(server.tenant_id)
        if summary is None:
            summary = projects[server.tenant_id] = {
                "tenant_id": server.tenant_id, "total_local_gb_usage": 0.0,
                "total_vcpus_usage": 0.0, "total_memory_mb_usage": 0.0,
                "total_hours": 0.0, "start": _naive(start), "stop": _naive(end)}
            if detailed:
                summary["server_usages"] = []
        flavor = server.flavor
        local_gb = flavor.disk + flavor.ephemeral
        summary["total_local_gb_usage"] += local_gb * usage.hours
        summary["total_vcpus_usage"] += flavor.vcpus * usage.hours
        summary["total_memory_mb_usage"] += flavor.ram * usage.hours
        summary["total_hours"] += usage.hours
        if detailed:
            ended = usage.ended
            summary["server_usages"].append({
                "instance_id": server.id, "name": server.name, "hours": usage.hours,
                "flavor": flavor.name, "tenant_id": server.tenant_id,
                "memory_mb": flavor.ram, "local_gb": local_gb, "vcpus": flavor.vcpus,
                "started_at": _naive(usage.started), "ended_at": _naive(ended),
                "state": usage.state,
                "uptime": int((ended if ended is not None else now) - usage.started),
            })
    return list(projects.values())
