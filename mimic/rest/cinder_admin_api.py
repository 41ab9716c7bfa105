"""
Cinder's operator views over HTTP: ``os-services`` (list, enable, disable),
a backend's ``capabilities``, the ``volumes/summary`` (3.12, its
``metadata`` from 3.36), ``resource_filters`` (3.33) and quota sets (read
for one's own project; read, update and revert of any project for admins).

The shapes follow Cinder's api-ref samples
(``api-ref/source/v3/samples/os-services/v3.49/services-list-response.json``,
``cinder/api/views/capabilities.py``, ``etc/cinder/resource_filters.json``,
``api-ref/source/v3/quota-sets.inc``).
"""

from __future__ import annotations

from typing import Any

from mimic.model.cinder import DEFAULT_QUOTAS, block_storage_for, known_block_storage
from mimic.model.cinder_errors import BadRequest, NotFound
from mimic.model.cinder_types import BACKEND_NAME, Service
from mimic.rest.cinder_json import invalid_field, section
from mimic.rest.cinder_routes import CinderRoutes, policy_refusal, require, tenant_route
from mimic.rest.http import empty_response, json_response, read_json
from mimic.rest.nova_json import query_argument

app = CinderRoutes.app

SUMMARY = (3, 12)
SUMMARY_METADATA = (3, 36)
RESOURCE_FILTERS = (3, 33)
SERVICE_CLUSTER = (3, 7)
BACKEND_STATE = (3, 49)

#: The filters each resource's listing accepts (``etc/cinder/resource_filters.json``).
RESOURCE_FILTER_LISTS = {
    "volume": ["name", "status", "metadata", "bootable", "migration_status",
               "availability_zone", "group_id", "size", "created_at", "updated_at",
               "consumes_quota"],
    "backup": ["name", "status", "volume_id"],
    "snapshot": ["name", "status", "volume_id", "metadata", "availability_zone",
                 "consumes_quota"],
    "group": ["name"],
    "group_snapshot": ["name", "status", "group_id"],
    "attachment": ["volume_id", "status", "instance_id", "attach_status"],
    "message": ["resource_uuid", "resource_type", "event_id", "request_id",
                "message_level"],
    "pool": ["name", "volume_type"],
    "volume_type": ["is_public", "extra_specs"],
}

#: Quota resources an update may set (``cinder/quota.py``'s resources).
_QUOTA_KEYS = frozenset(DEFAULT_QUOTAS)


def _truthy(raw: Any) -> bool:
    return isinstance(raw, str) and raw.lower() in ("true", "1", "yes", "on")


def service_json(service: Service, version: tuple) -> dict:
    body = {"binary": service.binary, "host": service.host, "zone": service.zone,
            "status": service.status, "state": "up", "updated_at": None,
            "disabled_reason": service.disabled_reason}
    if version >= SERVICE_CLUSTER:
        body["cluster"] = None
    if service.binary == "cinder-volume":
        body.update(frozen=False, replication_status="disabled", active_backend_id=None)
        if version >= BACKEND_STATE:
            body["backend_state"] = "up"
    return body


class AdminRoutes(CinderRoutes):
    """Services, capabilities, the volume summary, resource filters and quota sets."""

    @tenant_route(app, "/os-services", methods=["GET"])
    def list_services(self, request: Any, tenant_id: str) -> bytes:
        version = self._admin(request, tenant_id, "volume_extension:services:index")
        host, binary = query_argument(request, "host"), query_argument(request, "binary")
        return json_response(request, {"services": [
            service_json(s, version) for s in self._catalog().services
            if (host is None or s.host == host) and (binary is None or s.binary == binary)]})

    @tenant_route(app, "/os-services/<action>", methods=["PUT"])
    def update_service(self, request: Any, tenant_id: str, action: str) -> bytes:
        self._admin(request, tenant_id, "volume_extension:services:update")
        if action not in ("enable", "disable", "disable-log-reason"):
            raise NotFound("Unknown action")
        body = read_json(request)
        if not isinstance(body, dict) or not isinstance(body.get("host"), str):
            raise invalid_field("host", body, "'host' is a required property")
        binary = body.get("binary") or body.get("service") or "cinder-volume"
        service = self._catalog().service(body["host"], binary)
        reason = body.get("disabled_reason")
        if reason is not None and (not isinstance(reason, str) or len(reason) > 255):
            raise invalid_field("disabled_reason", reason, "is not a string of at most 255")
        service.enabled = action == "enable"
        service.disabled_reason = None if service.enabled else reason
        answer = {"host": service.host, "binary": service.binary, "service": "",
                  "status": service.status, "disabled": not service.enabled}
        if action == "disable-log-reason":
            answer["disabled_reason"] = reason
        return json_response(request, answer)

    @tenant_route(app, "/capabilities/<host>", methods=["GET"])
    def capabilities(self, request: Any, tenant_id: str, host: str) -> bytes:
        self._admin(request, tenant_id, "volume_extension:capabilities")
        if host.split("#")[0] not in self._catalog().hosts():
            raise NotFound(f"Can't find service: {host}")
        return json_response(request, {
            "namespace": f"OS::Storage::Capabilities::{host}",
            "vendor_name": "Open Source",
            "volume_backend_name": BACKEND_NAME,
            "pool_name": None,
            "driver_version": "3.0.0",
            "storage_protocol": "iSCSI",
            "display_name": None,
            "description": None,
            "visibility": None,
            "replication_targets": [],
            "properties": {
                "compression": {"title": "Compression", "description":
                                "Enables compression.", "type": "boolean"},
                "thin_provisioning": {"title": "Thin Provisioning", "description":
                                      "Sets thin provisioning.", "type": "boolean"},
            },
        })

    @tenant_route(app, "/volumes/summary", methods=["GET"])
    def volume_summary(self, request: Any, tenant_id: str) -> bytes:
        storage, version = self._begin(request, tenant_id)
        require(version, SUMMARY)
        everyone = _truthy(query_argument(request, "all_tenants")) \
            or _truthy(query_argument(request, "all_projects"))
        if everyone and self._is_admin(request, tenant_id):
            stores = known_block_storage(self.store, self.region)
        else:
            stores = [storage]
        volumes = [v for s in stores for v in s.volumes()]
        summary: dict = {"total_size": sum(v.size for v in volumes),
                         "total_count": len(volumes)}
        if version >= SUMMARY_METADATA:
            metadata: dict = {}
            for volume in volumes:
                for key, value in volume.metadata.items():
                    values = metadata.setdefault(key, [])
                    if value not in values:
                        values.append(value)
            summary["metadata"] = metadata
        return json_response(request, {"volume-summary": summary})

    @tenant_route(app, "/resource_filters", methods=["GET"])
    def resource_filters(self, request: Any, tenant_id: str) -> bytes:
        _, version = self._begin(request, tenant_id)
        require(version, RESOURCE_FILTERS)
        wanted = query_argument(request, "resource")
        return json_response(request, {"resource_filters": [
            {"resource": resource, "filters": list(filters)}
            for resource, filters in RESOURCE_FILTER_LISTS.items()
            if wanted is None or wanted == resource]})

    # quota sets

    def _quota_target(self, request: Any, tenant_id: str, project_id: str, what: str) -> Any:
        """One's own project's quotas, or (admins) any project's."""
        self._begin(request, tenant_id)
        if project_id != tenant_id and not self._is_admin(request, tenant_id):
            raise policy_refusal(f"volume_extension:quotas:{what}")
        return block_storage_for(self.store, project_id, self.region)

    @tenant_route(app, "/os-quota-sets/<project_id>", methods=["GET"])
    def quota_set(self, request: Any, tenant_id: str, project_id: str) -> bytes:
        storage = self._quota_target(request, tenant_id, project_id, "show")
        quotas = self._quota_set(storage.quotas)
        if _truthy(query_argument(request, "usage")):
            used = storage.usage()
            quotas = {key: {"limit": limit, "in_use": used.get(key, 0), "reserved": 0,
                            "allocated": 0} for key, limit in quotas.items()}
        return json_response(request, {"quota_set": {"id": project_id, **quotas}})

    @tenant_route(app, "/os-quota-sets/<project_id>/defaults", methods=["GET"])
    def quota_defaults(self, request: Any, tenant_id: str, project_id: str) -> bytes:
        self._quota_target(request, tenant_id, project_id, "show")
        return json_response(request, {"quota_set": {
            "id": project_id, **self._quota_set(DEFAULT_QUOTAS)}})

    @tenant_route(app, "/os-quota-sets/<project_id>", methods=["PUT"])
    def update_quota_set(self, request: Any, tenant_id: str, project_id: str) -> bytes:
        self._begin(request, tenant_id)
        if not self._is_admin(request, tenant_id):
            raise policy_refusal("volume_extension:quotas:update")
        part = section(read_json(request), "quota_set")
        changes = {}
        for key, value in part.items():
            if key in ("tenant_id", "id"):
                continue
            if key not in _QUOTA_KEYS:
                raise BadRequest(f"Bad key(s) in quota set: {key}")
            if isinstance(value, str) and value.lstrip("-").isdigit():
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int) or value < -1 \
                    or value > 2 ** 31 - 1:
                raise BadRequest(f"Invalid input received: Quota limit {value} for {key} "
                                 "must be an integer between -1 and 2147483647")
            changes[key] = value
        storage = block_storage_for(self.store, project_id, self.region)
        storage.quotas.update(changes)
        return json_response(request, {"quota_set": self._quota_set(storage.quotas)})

    @tenant_route(app, "/os-quota-sets/<project_id>", methods=["DELETE"])
    def revert_quota_set(self, request: Any, tenant_id: str, project_id: str) -> bytes:
        self._begin(request, tenant_id)
        if not self._is_admin(request, tenant_id):
            raise policy_refusal("volume_extension:quotas:delete")
        storage = block_storage_for(self.store, project_id, self.region)
        storage.quotas.clear()
        storage.quotas.update(DEFAULT_QUOTAS)
        return empty_response(request, 200)

    def _quota_set(self, quotas: dict) -> dict:
        """Cinder's quota set: the totals, and a per-type entry (-1) for each type."""
        answer = dict(quotas)
        for volume_type in self._catalog().types(admin=True, is_public=None):
            for resource in ("volumes", "snapshots", "gigabytes"):
                answer[f"{resource}_{volume_type.name}"] = -1
        return answer
