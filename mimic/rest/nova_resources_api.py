"""
Nova's catalogue routes: flavors (and their extra specs), images (Nova's
view of the region's one image store), limits and availability zones.
"""

from __future__ import annotations

from typing import Any

from mimic.model.flavors import FLAVORS, find_flavor
from mimic.model.images import ImageNotDeletable
from mimic.model.nova import AVAILABILITY_ZONE, ComputeRegion
from mimic.rest.http import RequestError, empty_response, json_response
from mimic.rest.nova_json import paged, query_argument, read_limit, ref_id
from mimic.rest.nova_microversions import absolute_limits_at
from mimic.rest.nova_routes import NovaRoutes, tenant_route
from mimic.rest.nova_views import flavor_detail, image_detail

app = NovaRoutes.app


class ResourceRoutes(NovaRoutes):
    """``flavors``, ``images``, ``limits``, ``os-availability-zone``."""

    # flavors

    @tenant_route(app, "/flavors", methods=["GET"])
    def list_flavors(self, request: Any, tenant_id: str) -> bytes:
        _, links = self._begin(request, tenant_id)
        page = self._flavor_page(request)
        return json_response(request, {"flavors": [
            {"id": f.id, "name": f.name, "links": links("flavors", f.id)} for f in page
        ]})

    @tenant_route(app, "/flavors/detail", methods=["GET"])
    def list_flavor_details(self, request: Any, tenant_id: str) -> bytes:
        _, links = self._begin(request, tenant_id)
        return json_response(request, {"flavors": [
            flavor_detail(f, links, self.version) for f in self._flavor_page(request)
        ]})

    def _flavor_page(self, request: Any) -> list:
        is_public = (query_argument(request, "is_public") or "true").lower()
        if is_public in ("none", "all"):
            wanted = None
        elif is_public in ("true", "t", "yes", "y", "1", "on"):
            wanted = True
        elif is_public in ("false", "f", "no", "n", "0", "off"):
            wanted = False
        else:
            raise RequestError(400, f"Invalid is_public filter [{is_public}]")
        minimums = {}
        for name in ("minRam", "minDisk"):
            value = query_argument(request, name)
            if value is not None:
                if not value.isdigit():
                    raise RequestError(400, f"Invalid {name} filter [{value}]")
                minimums[name] = int(value)
        flavors = [
            f for f in FLAVORS
            if (wanted is None or f.is_public == wanted)
            and f.ram >= minimums.get("minRam", 0) and f.disk >= minimums.get("minDisk", 0)
        ]
        return paged(flavors, read_limit(request), query_argument(request, "marker"))

    @tenant_route(app, "/flavors/<flavor_id>", methods=["GET"])
    def show_flavor(self, request: Any, tenant_id: str, flavor_id: str) -> bytes:
        _, links = self._begin(request, tenant_id)
        flavor = find_flavor(flavor_id)
        if flavor is None:
            raise RequestError(404, f"Flavor {flavor_id} could not be found.")
        return json_response(request, {"flavor": flavor_detail(flavor, links, self.version)})

    @tenant_route(app, "/flavors/<flavor_id>/os-extra_specs", methods=["GET"])
    def flavor_extra_specs(self, request: Any, tenant_id: str, flavor_id: str) -> bytes:
        self._begin(request, tenant_id)
        flavor = find_flavor(flavor_id)
        if flavor is None:
            raise RequestError(404, f"Flavor {flavor_id} could not be found.")
        return json_response(request, {"extra_specs": dict(flavor.extra_specs)})

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

    # limits, keypairs, availability zones

    @tenant_route(app, "/limits", methods=["GET"])
    def limits(self, request: Any, tenant_id: str) -> bytes:
        compute, _ = self._begin(request, tenant_id)
        return json_response(request, {"limits": {
            "rate": [], "absolute": absolute_limits_at(self.version, compute.limits())}})

    @tenant_route(app, "/os-availability-zone", methods=["GET"])
    def availability_zones(self, request: Any, tenant_id: str) -> bytes:
        self._begin(request, tenant_id)
        return json_response(request, {"availabilityZoneInfo": [
            {"zoneName": AVAILABILITY_ZONE, "zoneState": {"available": True}, "hosts": None}
        ]})

