"""
Nova's views of its machines, for admins only (nova/policies/hypervisors.py
and services.py: every rule ``ADMIN``): ``os-hypervisors`` (list, detail,
show, ``statistics`` until 2.87, ``search``/``servers`` and ``uptime``
routes until 2.52/2.87, integer ids until 2.52 and UUIDs from 2.53 with
``hypervisor_hostname_pattern`` and ``with_servers``; 2.88 drops the
usage fields) and ``os-services`` (list, ``forced_down`` from 2.11,
the old ``PUT os-services/disable``-style updates until 2.52 and
``PUT os-services/<uuid>`` from 2.53, delete) and, until 2.42, ``os-hosts``
(list and show). Shapes are nova/api/openstack/compute/hypervisors.py,
services.py and hosts.py.
"""

from __future__ import annotations

from typing import Any, Optional

from mimic.model.nova_hosts import (
    COMPUTE,
    INTERNAL_ZONE,
    Hypervisor,
    HostUsage,
    Service,
    cpu_info_text,
    uuid_like,
)
from mimic.rest.http import RequestError, empty_response, json_response, read_json
from mimic.rest.nova_json import (
    invalid_input,
    paged,
    query_argument,
    read_boolean,
    read_limit,
    string_field,
)
from mimic.rest.nova_routes import NovaRoutes, tenant_route
from mimic.util import iso_time

app = NovaRoutes.app

_HYPERVISORS = "os_compute_api:os-hypervisors:"
_SERVICES = "os_compute_api:os-services:"


class HostRoutes(NovaRoutes):
    """``os-hypervisors`` and ``os-services``."""

    def _hosts(self, request: Any, tenant_id: str, policy: str) -> Any:
        compute, links = self._begin(request, tenant_id)
        self._authorize(request, tenant_id, policy)
        return compute, links

    def _servers_on(self, host: str) -> list:
        return [s for compute in self._computes() for s in compute.servers_on(host)]

    # hypervisors

    @tenant_route(app, "/os-hypervisors", methods=["GET"])
    def list_hypervisors(self, request: Any, tenant_id: str) -> bytes:
        return self._hypervisor_listing(request, tenant_id, detail=False)

    @tenant_route(app, "/os-hypervisors/detail", methods=["GET"])
    def list_hypervisor_details(self, request: Any, tenant_id: str) -> bytes:
        return self._hypervisor_listing(request, tenant_id, detail=True)

    def _hypervisor_listing(self, request: Any, tenant_id: str, detail: bool) -> bytes:
        compute, links = self._hosts(request, tenant_id, _HYPERVISORS
                                     + ("list-detail" if detail else "list"))
        hosts = compute.cloud.hosts
        hypervisors = list(hosts.hypervisors)
        with_servers = False
        paging = self.version >= "2.33"
        if self.version >= "2.53":
            pattern = query_argument(request, "hypervisor_hostname_pattern")
            with_servers = _strict_boolean(request, "with_servers")
            if pattern is not None:
                if query_argument(request, "limit") or query_argument(request, "marker"):
                    raise RequestError(400, "Paging over hypervisors with the "
                                       "hypervisor_hostname_pattern query parameter is "
                                       "not supported.")
                hypervisors, paging = hosts.matching(pattern), False
        if paging:
            key = (lambda h: h.uuid) if self.version >= "2.53" else (lambda h: str(h.id))
            hypervisors = paged(hypervisors, read_limit(request),
                                query_argument(request, "marker"), key)
        body: dict = {"hypervisors": [
            self._hypervisor_view(compute, h, detail, with_servers) for h in hypervisors]}
        if paging and hypervisors and len(hypervisors) == read_limit(request):
            last = body["hypervisors"][-1]["id"]
            body["hypervisors_links"] = links.next_page(
                "os-hypervisors/detail" if detail else "os-hypervisors", request, str(last))
        return json_response(request, body)

    @tenant_route(app, "/os-hypervisors/statistics", methods=["GET"])
    def hypervisor_statistics(self, request: Any, tenant_id: str) -> bytes:
        """Every node's sizes and usage summed; gone from 2.88 (a 404 as Nova's)."""
        compute, _ = self._hosts(request, tenant_id, _HYPERVISORS + "statistics")
        if self.version >= "2.88":
            raise RequestError(404, "The resource could not be found.")
        totals = dict.fromkeys(("count", "vcpus", "memory_mb", "local_gb", "vcpus_used",
                                "memory_mb_used", "local_gb_used", "free_ram_mb",
                                "free_disk_gb", "current_workload", "running_vms",
                                "disk_available_least"), 0)
        for hypervisor in compute.cloud.hosts.hypervisors:
            totals["count"] += 1
            for key, value in _usage_fields(hypervisor, self._usage(hypervisor)).items():
                totals[key] += value
        return json_response(request, {"hypervisor_statistics": totals})

    @tenant_route(app, "/os-hypervisors/<hypervisor_id>", methods=["GET"])
    def show_hypervisor(self, request: Any, tenant_id: str, hypervisor_id: str) -> bytes:
        compute, _ = self._hosts(request, tenant_id, _HYPERVISORS + "show")
        hypervisor = compute.cloud.hosts.hypervisor(hypervisor_id, self.version >= "2.53")
        with_servers = self.version >= "2.53" and _strict_boolean(request, "with_servers")
        return json_response(request, {"hypervisor": self._hypervisor_view(
            compute, hypervisor, True, with_servers)})

    @tenant_route(app, "/os-hypervisors/<hypervisor_id>/uptime", methods=["GET"])
    def hypervisor_uptime(self, request: Any, tenant_id: str, hypervisor_id: str) -> bytes:
        compute, _ = self._hosts(request, tenant_id, _HYPERVISORS + "uptime")
        if self.version >= "2.88":
            raise RequestError(404, "The resource could not be found.")
        hypervisor = compute.cloud.hosts.hypervisor(hypervisor_id, self.version >= "2.53")
        view = self._hypervisor_view(compute, hypervisor, False, False)
        view["uptime"] = _uptime(compute.now())
        return json_response(request, {"hypervisor": view})

    @tenant_route(app, "/os-hypervisors/<pattern>/search", methods=["GET"])
    def search_hypervisors(self, request: Any, tenant_id: str, pattern: str) -> bytes:
        return self._search(request, tenant_id, pattern, "search", with_servers=False)

    @tenant_route(app, "/os-hypervisors/<pattern>/servers", methods=["GET"])
    def hypervisor_servers(self, request: Any, tenant_id: str, pattern: str) -> bytes:
        return self._search(request, tenant_id, pattern, "servers", with_servers=True)

    def _search(self, request: Any, tenant_id: str, pattern: str, policy: str,
                with_servers: bool) -> bytes:
        """The routes 2.53 folded into the listing's query (404 from then on)."""
        compute, _ = self._hosts(request, tenant_id, _HYPERVISORS + policy)
        if self.version >= "2.53":
            raise RequestError(404, "The resource could not be found.")
        return json_response(request, {"hypervisors": [
            self._hypervisor_view(compute, h, False, with_servers)
            for h in compute.cloud.hosts.matching(pattern)]})

    def _usage(self, hypervisor: Hypervisor) -> HostUsage:
        return HostUsage.of(self._servers_on(hypervisor.host))

    def _hypervisor_view(self, compute: Any, hypervisor: Hypervisor, detail: bool,
                         with_servers: bool) -> dict:
        hosts = compute.cloud.hosts
        service = hosts.service_of(hypervisor)
        by_uuid = self.version >= "2.53"
        view: dict = {
            "id": hypervisor.uuid if by_uuid else hypervisor.id,
            "hypervisor_hostname": hypervisor.hostname,
            "state": service.state,
            "status": service.status,
        }
        if detail:
            view.update({
                "hypervisor_type": hypervisor.hypervisor_type,
                "hypervisor_version": hypervisor.hypervisor_version,
                "host_ip": hypervisor.host_ip,
                "service": {"id": service.uuid if by_uuid else service.id,
                            "host": hypervisor.host,
                            "disabled_reason": service.disabled_reason},
            })
            if self.version >= "2.88":
                view["uptime"] = _uptime(compute.now())
            else:
                view.update(_usage_fields(hypervisor, self._usage(hypervisor)))
                view["cpu_info"] = (hypervisor.cpu_info if self.version >= "2.28"
                                    else cpu_info_text())
        if with_servers:
            servers = self._servers_on(hypervisor.host)
            if servers or self.version >= "2.75":
                view["servers"] = [{"name": s.name, "uuid": s.id} for s in servers]
        return view

    # os-hosts: the services by host, until 2.42 (then Nova's 404)

    def _old_hosts(self, request: Any, tenant_id: str, policy: str) -> Any:
        compute, _ = self._hosts(request, tenant_id, "os_compute_api:os-hosts:" + policy)
        if self.version >= "2.43":
            raise RequestError(404, "The resource could not be found.")
        return compute

    @tenant_route(app, "/os-hosts", methods=["GET"])
    def list_hosts(self, request: Any, tenant_id: str) -> bytes:
        compute = self._old_hosts(request, tenant_id, "list")
        zone = query_argument(request, "zone")
        hosts = [{"host_name": s.host, "service": s.binary.split("-", 1)[-1],
                  "zone": self._service_view(compute, s)["zone"]}
                 for s in compute.cloud.hosts.services]
        return json_response(request, {"hosts": [
            h for h in hosts if zone is None or h["zone"] == zone]})

    @tenant_route(app, "/os-hosts/<host>", methods=["GET"])
    def show_host(self, request: Any, tenant_id: str, host: str) -> bytes:
        """A compute host's size, what is used and by which project (Nova's ``show``)."""
        compute = self._old_hosts(request, tenant_id, "show")
        hypervisor = next((h for h in compute.cloud.hosts.hypervisors if h.host == host), None)
        if hypervisor is None:
            raise RequestError(404, f"Compute host {host} could not be found.")
        servers = self._servers_on(host)
        usage = HostUsage.of(servers)

        def resource(project: str, used: HostUsage) -> dict:
            return {"resource": {"host": host, "project": project, "cpu": used.vcpus,
                                 "memory_mb": used.memory_mb, "disk_gb": used.local_gb}}

        total = HostUsage(hypervisor.vcpus, hypervisor.memory_mb, hypervisor.local_gb)
        rows = [resource("(total)", total), resource("(used_now)", usage),
                resource("(used_max)", usage)]
        for project in dict.fromkeys(s.tenant_id for s in servers):
            rows.append(resource(project, HostUsage.of(
                s for s in servers if s.tenant_id == project)))
        return json_response(request, {"host": rows})

    # services

    @tenant_route(app, "/os-services", methods=["GET"])
    def list_services(self, request: Any, tenant_id: str) -> bytes:
        compute, _ = self._hosts(request, tenant_id, _SERVICES + "list")
        host = query_argument(request, "host")
        binary = query_argument(request, "binary")
        return json_response(request, {"services": [
            self._service_view(compute, s) for s in compute.cloud.hosts.services
            if (not host or s.host == host) and (not binary or s.binary == binary)]})

    @tenant_route(app, "/os-services/<service_id>", methods=["PUT"])
    def update_service(self, request: Any, tenant_id: str, service_id: str) -> bytes:
        compute, _ = self._hosts(request, tenant_id, _SERVICES + "update")
        body = read_json(request)
        hosts = compute.cloud.hosts
        if self.version >= "2.53":
            _check_uuid(service_id)
            service = hosts.service(service_id)
            status = body.get("status")
            if status not in (None, "enabled", "disabled"):
                raise invalid_input("status", status, f"'{status}' is not one of "
                                    f"['enabled', 'disabled']")
            forced = _boolean_or_none(body, "forced_down")
            reason = string_field(body, "disabled_reason")
            hosts.update(service, status, reason, forced)
            return json_response(request, {"service": self._service_view(compute, service)})
        return self._old_service_update(request, compute, service_id, body)

    def _old_service_update(self, request: Any, compute: Any, action: str,
                            body: dict) -> bytes:
        """Before 2.53: ``disable``, ``enable``, ``disable-log-reason``, ``force-down``."""
        actions = ("enable", "disable", "disable-log-reason") + (
            ("force-down",) if self.version >= "2.11" else ())
        if action not in actions:
            raise RequestError(404, "Unknown action")
        host = string_field(body, "host", required=True)
        binary = string_field(body, "binary", required=True)
        hosts = compute.cloud.hosts
        service = hosts.compute_service(host, binary)
        answer: dict = {"host": host, "binary": binary}
        if action == "force-down":
            if "forced_down" not in body:
                raise RequestError(400, "Missing forced_down field")
            forced = read_boolean(body, "forced_down")
            hosts.update(service, forced_down=forced)
            answer["forced_down"] = forced
        else:
            reason = None
            if action == "disable-log-reason":
                if "disabled_reason" not in body:
                    raise RequestError(400, "Missing disabled reason field")
                reason = string_field(body, "disabled_reason")
            status = "enabled" if action == "enable" else "disabled"
            hosts.update(service, status, reason)
            answer["status"] = status
            if reason:
                answer["disabled_reason"] = reason
        return json_response(request, {"service": answer})

    @tenant_route(app, "/os-services/<service_id>", methods=["DELETE"])
    def delete_service(self, request: Any, tenant_id: str, service_id: str) -> bytes:
        compute, _ = self._hosts(request, tenant_id, _SERVICES + "delete")
        if self.version >= "2.53":
            _check_uuid(service_id)
        elif not service_id.isdigit():
            raise RequestError(400, "Invalid input received: id must be an integer")
        hosts = compute.cloud.hosts
        service = hosts.service(service_id)
        hosts.delete(service, len(self._servers_on(service.host)))
        for aggregate in compute.cloud.aggregates:
            if service.binary == COMPUTE and service.host in aggregate.hosts:
                aggregate.hosts.remove(service.host)
        return empty_response(request, 204)

    def _service_view(self, compute: Any, service: Service) -> dict:
        view = {
            "binary": service.binary,
            "host": service.host,
            "id": service.uuid if self.version >= "2.53" else service.id,
            "zone": (compute.cloud.zone_of(service.host) if service.binary == COMPUTE
                     else INTERNAL_ZONE),
            "status": service.status,
            "state": service.state,
            "updated_at": iso_time(Service.reported_at(compute.now()))[:-1],
            "disabled_reason": service.disabled_reason,
        }
        if self.version >= "2.11":
            view["forced_down"] = service.forced_down
        return view


def _usage_fields(hypervisor: Hypervisor, usage: HostUsage) -> dict:
    """The usage fields of a hypervisor before 2.88."""
    return {
        "vcpus": hypervisor.vcpus,
        "memory_mb": hypervisor.memory_mb,
        "local_gb": hypervisor.local_gb,
        "vcpus_used": usage.vcpus,
        "memory_mb_used": usage.memory_mb,
        "local_gb_used": usage.local_gb,
        "free_ram_mb": hypervisor.memory_mb - usage.memory_mb,
        "free_disk_gb": hypervisor.local_gb - usage.local_gb,
        "current_workload": 0,
        "running_vms": usage.running_vms,
        "disk_available_least": hypervisor.local_gb - usage.local_gb,
    }


def _uptime(now: float) -> str:
    """``uptime``'s output, the host up since Mimic's clock began."""
    clock = iso_time(now)[11:19]
    days = int(now // 86400)
    return f" {clock} up {days} days, load average: 0.10, 0.08, 0.05"


def _strict_boolean(request: Any, name: str) -> bool:
    """oslo's ``bool_from_string(strict=True)``: a word it knows, else Nova's 400."""
    value = query_argument(request, name)
    if value is None:
        return False
    word = value.strip().lower()
    if word in ("1", "t", "true", "on", "y", "yes"):
        return True
    if word in ("0", "f", "false", "off", "n", "no"):
        return False
    raise RequestError(400, f"Invalid input for query parameters {name}. Value: "
                       f"{value[:100]}. '{value[:100]}' is not a 'boolean'")


def _boolean_or_none(body: dict, key: str) -> Optional[bool]:
    return read_boolean(body, key) if key in body else None


def _check_uuid(text: str) -> None:
    if not uuid_like(text):
        raise RequestError(400, f"Invalid uuid {text[:100]}")
