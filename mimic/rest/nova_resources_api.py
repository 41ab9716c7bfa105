"""
Nova's catalogue routes: images (Nova's view of the region's one image
store), limits, availability zones and extensions. Flavors are in
:mod:`mimic.rest.nova_flavors_api`.
"""

from __future__ import annotations

from typing import Any

from mimic.model.images import REMOVE, ImageNotDeletable, InvalidImageChange
from mimic.model.nova import QUOTAS, ComputeRegion
from mimic.model.nova_hosts import COMPUTE, INTERNAL_ZONE, Service
from mimic.rest.http import (
    RequestError, empty_response, json_response, read_json)
from mimic.rest.nova_json import paged, query_argument, read_limit, read_metadata, ref_id
from mimic.rest.nova_microversions import absolute_limits_at
from mimic.rest.nova_routes import NovaRoutes, tenant_route
from mimic.rest.nova_views import image_detail
from mimic.util import iso_time

app = NovaRoutes.app


class ResourceRoutes(NovaRoutes):
    """``flavors``, ``images``, ``limits``, ``os-availability-zone``."""

    # images: a proxy of Glance's, served up to 2.35

    @tenant_route(app, "/images", methods=["GET"])
    def list_images(self, request: Any, tenant_id: str) -> bytes:
        compute, links = self._begin_proxy(request, tenant_id)
        return json_response(request, {"images": [
            {"id": i.id, "name": i.name, "links": links("images", i.id)}
            for i in self._image_page(request, compute)
        ]})

    @tenant_route(app, "/images/detail", methods=["GET"])
    def list_image_details(self, request: Any, tenant_id: str) -> bytes:
        compute, links = self._begin_proxy(request, tenant_id)
        now = compute.now()
        return json_response(request, {"images": [
            image_detail(i, now, links) for i in self._image_page(request, compute)
        ]})

    def _image_page(self, request: Any, compute: ComputeRegion) -> list:
        now = compute.now()
        name = query_argument(request, "name")
        status = query_argument(request, "status")
        server = ref_id(query_argument(request, "server"))
        kind = query_argument(request, "type")
        if kind not in (None, "snapshot", "base"):
            raise RequestError(400, f"Invalid type filter [{kind}]")
        images = [
            i for i in compute.images.images()
            if (name is None or i.name == name)
            and (status is None or i.status_at(now) == status.upper())
            and (server is None or i.server_id == server)
            and (kind is None or (i.server_id is None) == (kind == "base"))
        ]
        return paged(images, read_limit(request), query_argument(request, "marker"))

    @tenant_route(app, "/images/<image_id>", methods=["GET"])
    def show_image(self, request: Any, tenant_id: str, image_id: str) -> bytes:
        compute, links = self._begin_proxy(request, tenant_id)
        image = compute.images.find(image_id)
        if image is None:
            raise RequestError(404, "Image not found.")
        return json_response(request, {"image": image_detail(image, compute.now(), links)})

    @tenant_route(app, "/images/<image_id>", methods=["DELETE"])
    def delete_image(self, request: Any, tenant_id: str, image_id: str) -> bytes:
        compute, _ = self._begin_proxy(request, tenant_id)
        if compute.images.find(image_id) is None:
            raise RequestError(404, "Image not found.")
        try:
            compute.images.delete(image_id)
        except ImageNotDeletable:
            raise RequestError(403, f"You are not allowed to delete the image {image_id}.")
        return empty_response(request, 204)

    # image metadata: Nova's proxy of the image's Glance properties, up to 2.35

    def _image_metadata(self, request: Any, tenant_id: str, image_id: str) -> tuple:
        compute, _ = self._begin_proxy(request, tenant_id)
        image = compute.images.find(image_id)
        if image is None:
            raise RequestError(404, "Image not found.")
        return compute, image

    def _change_image(self, request: Any, compute: ComputeRegion, image_id: str,
                      changes: dict) -> dict:
        """Through the one image store, as Nova asks Glance (its refusals Nova's)."""
        admin = self._is_admin(request, compute.tenant_id)
        try:
            image = compute.images.update(image_id, changes, compute.now(), admin=admin)
        except InvalidImageChange as refused:
            raise RequestError(refused.code, refused.message)
        return dict(image.metadata)

    @staticmethod
    def _check_image_quota(metadata: dict) -> None:
        if len(metadata) > QUOTAS["maxImageMeta"]:
            raise RequestError(403, "Image metadata limit exceeded")

    @tenant_route(app, "/images/<image_id>/metadata", methods=["GET"])
    def image_metadata(self, request: Any, tenant_id: str, image_id: str) -> bytes:
        _, image = self._image_metadata(request, tenant_id, image_id)
        return json_response(request, {"metadata": dict(image.metadata)})

    @tenant_route(app, "/images/<image_id>/metadata", methods=["PUT", "POST"])
    def set_image_metadata(self, request: Any, tenant_id: str, image_id: str) -> bytes:
        """PUT replaces the properties, POST merges into them."""
        compute, image = self._image_metadata(request, tenant_id, image_id)
        body = read_json(request)
        if "metadata" not in body:
            raise RequestError(400, "Malformed request body")
        wanted = read_metadata(body["metadata"])
        changes: dict = dict(wanted)
        if request.method == b"PUT":
            changes.update({k: REMOVE for k in image.metadata if k not in wanted})
            self._check_image_quota(wanted)
        else:
            self._check_image_quota({**image.metadata, **wanted})
        return json_response(request, {
            "metadata": self._change_image(request, compute, image_id, changes)})

    @tenant_route(app, "/images/<image_id>/metadata/<key>", methods=["GET"])
    def image_metadata_item(self, request: Any, tenant_id: str, image_id: str,
                            key: str) -> bytes:
        _, image = self._image_metadata(request, tenant_id, image_id)
        if key not in image.metadata:
            raise RequestError(404, "Invalid metadata key")
        return json_response(request, {"meta": {key: image.metadata[key]}})

    @tenant_route(app, "/images/<image_id>/metadata/<key>", methods=["PUT"])
    def set_image_metadata_item(self, request: Any, tenant_id: str, image_id: str,
                                key: str) -> bytes:
        compute, image = self._image_metadata(request, tenant_id, image_id)
        meta = read_metadata(read_json(request).get("meta"), field="meta")
        if key not in meta:
            raise RequestError(400, "Request body and URI mismatch")
        if len(meta) > 1:
            raise RequestError(400, "Request body contains too many items")
        self._check_image_quota({**image.metadata, **meta})
        self._change_image(request, compute, image_id, meta)
        return json_response(request, {"meta": meta})

    @tenant_route(app, "/images/<image_id>/metadata/<key>", methods=["DELETE"])
    def delete_image_metadata_item(self, request: Any, tenant_id: str, image_id: str,
                                   key: str) -> bytes:
        compute, image = self._image_metadata(request, tenant_id, image_id)
        if key not in image.metadata:
            raise RequestError(404, "Invalid metadata key")
        self._change_image(request, compute, image_id, {key: REMOVE})
        return empty_response(request, 204)

    # limits, keypairs, availability zones

    @tenant_route(app, "/limits", methods=["GET"])
    def limits(self, request: Any, tenant_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        return json_response(request, {"limits": {
            "rate": [], "absolute": absolute_limits_at(self.version, compute.limits())}})

    @tenant_route(app, "/os-availability-zone", methods=["GET"])
    def availability_zones(self, request: Any, tenant_id: str) -> bytes:
        """The zones of the compute hosts: available while one of its hosts is enabled."""
        compute, _ = self._begin(request, tenant_id)
        return json_response(request, {"availabilityZoneInfo": [
            {"zoneName": zone, "zoneState": {"available": available}, "hosts": None}
            for zone, available in _zones(compute.cloud).items()
        ]})

    @tenant_route(app, "/os-availability-zone/detail", methods=["GET"])
    def availability_zone_details(self, request: Any, tenant_id: str) -> bytes:
        """The zones with their hosts' services: admins only, as Nova's policy says."""
        compute, _ = self._begin(request, tenant_id)
        self._authorize(request, tenant_id, "os_compute_api:os-availability-zone:detail")
        cloud = compute.cloud
        reported = iso_time(Service.reported_at(compute.now()))
        zones: dict = {INTERNAL_ZONE: {}}
        for service in cloud.hosts.services:
            zone = (cloud.zone_of(service.host) if service.binary == COMPUTE
                    else INTERNAL_ZONE)
            zones.setdefault(zone, {}).setdefault(service.host, {})[service.binary] = {
                "available": not service.disabled, "active": service.state == "up",
                "updated_at": reported}
        states = _zones(cloud)
        return json_response(request, {"availabilityZoneInfo": [
            {"zoneName": zone, "zoneState": {"available": states.get(zone, True)},
             "hosts": hosts}
            for zone, hosts in zones.items()
        ]})

    # extensions: Nova 2.1 still lists the v2 extensions it folded in

    @tenant_route(app, "/extensions", methods=["GET"])
    def list_extensions(self, request: Any, tenant_id: str) -> bytes:
        self._begin(request, tenant_id)
        return json_response(request, {"extensions": [
            extension_document(alias) for alias in EXTENSIONS]})

    @tenant_route(app, "/extensions/<alias>", methods=["GET"])
    def show_extension(self, request: Any, tenant_id: str, alias: str) -> bytes:
        self._begin(request, tenant_id)
        if alias not in EXTENSIONS:
            raise RequestError(404, "Extension could not be found.")
        return json_response(request, {"extension": extension_document(alias)})


#: The extensions Mimic serves the routes of, by alias, with Nova's names.
EXTENSIONS = {
    "os-availability-zone": "AvailabilityZone",
    "os-console-output": "ConsoleOutput",
    "os-extended-availability-zone": "ExtendedAvailabilityZone",
    "OS-EXT-IPS": "ExtendedIps",
    "OS-EXT-SRV-ATTR": "ExtendedServerAttributes",
    "OS-EXT-STS": "ExtendedStatus",
    "os-extended-volumes": "ExtendedVolumes",
    "os-instance-actions": "InstanceActions",
    "os-interface": "AttachInterfaces",
    "os-keypairs": "Keypairs",
    "os-remote-consoles": "Consoles",
    "os-security-groups": "SecurityGroups",
    "os-server-diagnostics": "ServerDiagnostics",
    "OS-SRV-USG": "ServerUsage",
    "OS-DCF": "DiskConfig",
}


def extension_document(alias: str) -> dict:
    """One extension as Nova's v2.1 lists them (a fixed date, no links)."""
    name = EXTENSIONS[alias]
    return {"alias": alias, "name": name, "description": f"{name} support.",
            "namespace": "http://docs.openstack.org/compute/ext/fake_xml",
            "updated": "2014-12-03T00:00:00Z", "links": []}



def _zones(cloud: Any) -> dict:
    """Each zone of a compute host, and whether one of its hosts takes servers."""
    enabled = set(cloud.hosts.schedulable())
    zones: dict = {}
    for host in cloud.hosts.compute_hosts():
        zone = cloud.zone_of(host)
        zones[zone] = zones.get(zone, False) or host in enabled
    return dict(sorted(zones.items()))
