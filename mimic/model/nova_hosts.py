"""
The machines behind one Nova region, as an operator sees them: the
services (``os-services``: ``nova-scheduler`` and ``nova-conductor`` on the
first host, a ``nova-compute`` per compute host) and the compute
nodes (``os-hypervisors``), with what an operator may change (disable a
compute service with a reason, force it down, delete it).

Servers are placed on the enabled compute hosts (the scheduler's part);
how much of a hypervisor they use is counted from them when asked, so
nothing here changes when a server is made or deleted. Nova's rules come
from nova/api/openstack/compute/services.py and hypervisors.py.
"""

from __future__ import annotations

import json
import uuid
from typing import Iterable, Optional

import attrs

from mimic.model.nova_errors import BadRequest, Conflict, NotFound
from mimic.util import IdSource

COMPUTE = "nova-compute"
#: The zone of the services that are not compute services.
INTERNAL_ZONE = "internal"
#: How often services report (nova.conf ``report_interval``): their
#: ``updated_at`` is the last report before now.
REPORT_INTERVAL = 10

#: One compute node's size (a generous devstack host): what the
#: hypervisor views report and the free amounts are counted from.
NODE_VCPUS = 64
NODE_MEMORY_MB = 262144
NODE_LOCAL_GB = 2000
CPU_INFO = {"arch": "x86_64", "model": "Cascadelake-Server", "vendor": "Intel",
            "topology": {"cells": 1, "sockets": 1, "cores": 32, "threads": 2},
            "features": ["sse4.2", "avx2", "vmx"]}


@attrs.define
class Service:
    """One Nova service on one host; the integer ``id`` before 2.53, ``uuid`` from it."""

    id: int
    uuid: str
    binary: str
    host: str
    disabled: bool = False
    disabled_reason: Optional[str] = None
    forced_down: bool = False

    @property
    def state(self) -> str:
        return "down" if self.forced_down else "up"

    @property
    def status(self) -> str:
        return "disabled" if self.disabled else "enabled"

    @staticmethod
    def reported_at(now: float) -> float:
        return now - now % REPORT_INTERVAL


@attrs.define
class Hypervisor:
    """A compute node: the host of a compute service, its id and uuid (2.53), its size."""

    id: int
    uuid: str
    host: str
    host_ip: str
    hypervisor_type: str = "QEMU"
    hypervisor_version: int = 8002000
    vcpus: int = NODE_VCPUS
    memory_mb: int = NODE_MEMORY_MB
    local_gb: int = NODE_LOCAL_GB

    @property
    def hostname(self) -> str:
        return self.host

    @property
    def cpu_info(self) -> dict:
        return CPU_INFO


@attrs.frozen
class HostUsage:
    """What the servers on one hypervisor use of it."""

    vcpus: int = 0
    memory_mb: int = 0
    local_gb: int = 0
    running_vms: int = 0

    @classmethod
    def of(cls, servers: Iterable) -> "HostUsage":
        vcpus = memory = disk = count = 0
        for server in servers:
            flavor = server.flavor
            vcpus += flavor.vcpus
            memory += flavor.ram
            disk += flavor.disk + flavor.ephemeral
            count += 1
        return cls(vcpus, memory, disk, count)


@attrs.define
class HostRegistry:
    """The services and compute nodes of one region."""

    ids: IdSource
    services: list = attrs.field(factory=list)
    hypervisors: list = attrs.field(factory=list)
    _next_id: int = 1

    @classmethod
    def of(cls, region: str, compute_hosts: int, ids: IdSource) -> "HostRegistry":
        """
        ``compute_hosts`` compute hosts named after the region, the first of
        which also runs the scheduler and conductor (as devstack's one node
        does: its ``host list`` starts with a host that is a compute host).
        """
        registry = cls(ids)
        hosts = [f"compute-{region.lower()}-{number}" for number in range(1, compute_hosts + 1)]
        for binary in ("nova-scheduler", "nova-conductor"):
            registry._add_service(binary, hosts[0])
        for number, host in enumerate(hosts, start=1):
            registry._add_service(COMPUTE, host)
            registry.hypervisors.append(Hypervisor(
                number, ids.uuid(), host, f"192.168.{number // 250}.{10 + number % 250}"))
        return registry

    def _add_service(self, binary: str, host: str) -> None:
        self.services.append(Service(self._next_id, self.ids.uuid(), binary, host))
        self._next_id += 1

    # services

    def service(self, service_id: str) -> Service:
        """By uuid or (before 2.53) integer id; Nova's :class:`NotFound` if none."""
        for service in self.services:
            if service_id in (service.uuid, str(service.id)):
                return service
        raise NotFound(f"Service {service_id} could not be found.")

    def compute_service(self, host: str, binary: str = COMPUTE) -> Service:
        """The service ``binary`` on ``host``, for the pre-2.53 updates named by both."""
        if binary != COMPUTE:
            raise BadRequest(f"Updating a {binary} service is not supported. "
                             f"Only nova-compute services can be updated.")
        for service in self.services:
            if service.host == host and service.binary == binary:
                return service
        raise NotFound(f"Service {binary} on host {host} could not be found.")

    def update(self, service: Service, status: Optional[str] = None,
               reason: Optional[str] = None, forced_down: Optional[bool] = None) -> Service:
        """Enable, disable (with an optional reason) or force down a compute service."""
        if service.binary != COMPUTE:
            raise BadRequest(f"Updating a {service.binary} service is not supported. "
                             f"Only nova-compute services can be updated.")
        if status is None and forced_down is None:
            raise BadRequest("No updates were requested. Fields 'status' or "
                             "'forced_down' should be specified.")
        if status == "enabled" and reason:
            raise BadRequest("Specifying 'disabled_reason' with status 'enabled' is invalid.")
        if status is not None:
            service.disabled = status == "disabled"
            service.disabled_reason = reason if service.disabled else None
        if forced_down is not None:
            service.forced_down = forced_down
        return service

    def delete(self, service: Service, hosted: int) -> None:
        """Delete a service (a compute service takes its node along), unless it hosts servers."""
        if service.binary == COMPUTE and hosted:
            raise Conflict("Unable to delete compute service that is hosting instances. "
                           "Migrate or delete the instances first.")
        self.services.remove(service)
        self.hypervisors = [h for h in self.hypervisors if h.host != service.host
                            or service.binary != COMPUTE]

    def compute_hosts(self) -> list:
        return [h.host for h in self.hypervisors]

    def schedulable(self, hosts: Optional[Iterable[str]] = None) -> list:
        """The compute hosts new servers may land on: enabled and up (among ``hosts``)."""
        allowed = None if hosts is None else set(hosts)
        return [s.host for s in self.services
                if s.binary == COMPUTE and not s.disabled and not s.forced_down
                and (allowed is None or s.host in allowed)]

    # hypervisors

    def hypervisor(self, hypervisor_id: str, by_uuid: bool) -> Hypervisor:
        """By uuid (2.53 on) or integer id; 400 for a malformed one, 404 for an unknown."""
        if by_uuid:
            if not uuid_like(hypervisor_id):
                raise BadRequest(f"Invalid uuid {hypervisor_id}")
        elif not hypervisor_id.isdigit():
            raise NotFound(f"Hypervisor with ID '{hypervisor_id}' could not be found.")
        for hypervisor in self.hypervisors:
            if hypervisor_id == (hypervisor.uuid if by_uuid else str(hypervisor.id)):
                return hypervisor
        raise NotFound(f"Hypervisor with ID '{hypervisor_id}' could not be found.")

    def service_of(self, hypervisor: Hypervisor) -> Service:
        return next(s for s in self.services
                    if s.host == hypervisor.host and s.binary == COMPUTE)

    def matching(self, pattern: str) -> list:
        """Hypervisors whose hostname contains ``pattern`` (Nova's SQL ``LIKE %pattern%``)."""
        found = [h for h in self.hypervisors if pattern in h.hostname]
        if not found:
            raise NotFound(f"No hypervisor matching '{pattern}' could be found.")
        return found


def uuid_like(text: str) -> bool:
    """oslo's ``is_uuid_like``: a UUID in any of its text forms."""
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def cpu_info_text() -> str:
    """``cpu_info`` before 2.28: the JSON document as a string."""
    return json.dumps(CPU_INFO, sort_keys=True)
