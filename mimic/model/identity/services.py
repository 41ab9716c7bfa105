"""
The catalog as Keystone v3 administers it: services, endpoints and regions
an operator adds (``POST /v3/services`` ...), beside the ones Mimic's
plugins provide. An operator's endpoints show in the catalog of every new
token; their URL may hold ``$(project_id)s`` (or ``$(tenant_id)s``), put in
per project as Keystone does.
"""

from __future__ import annotations

from typing import Optional

import attrs

#: The interfaces Keystone knows.
INTERFACES = ("public", "internal", "admin")


class CatalogConflict(Exception):
    """A service, endpoint or region that cannot be made or changed as asked."""


@attrs.define(eq=False)
class Service:
    id: str
    type: str
    name: str = ""
    description: str = ""
    enabled: bool = True
    extra: Optional[dict] = None


@attrs.define(eq=False)
class Endpoint:
    id: str
    service_id: str
    interface: str
    url: str
    region_id: Optional[str] = None
    enabled: bool = True
    extra: Optional[dict] = None

    def url_for(self, tenant_id: str) -> str:
        """The URL with the project put in, as Keystone substitutes it."""
        return (self.url.replace("$(project_id)s", tenant_id)
                .replace("$(tenant_id)s", tenant_id))


@attrs.define(eq=False)
class Region:
    id: str
    description: str = ""
    parent_region_id: Optional[str] = None
    extra: Optional[dict] = None


@attrs.define
class ServiceBook:
    """What an operator added to the catalog, by id."""

    services: dict = attrs.field(factory=dict)
    endpoints: dict = attrs.field(factory=dict)
    regions: dict = attrs.field(factory=dict)

    def add_service(self, service: Service) -> Service:
        self.services[service.id] = service
        return service

    def delete_service(self, service_id: str) -> None:
        del self.services[service_id]
        for endpoint in [e for e in self.endpoints.values() if e.service_id == service_id]:
            del self.endpoints[endpoint.id]

    def endpoints_of(self, service_id: str) -> list:
        return [e for e in self.endpoints.values() if e.service_id == service_id]

    def add_region(self, region: Region, known: set) -> Region:
        if region.id in known or region.id in self.regions:
            raise CatalogConflict(f"Duplicate ID, {region.id}.")
        if region.parent_region_id is not None and (
                region.parent_region_id not in known
                and region.parent_region_id not in self.regions):
            raise CatalogConflict(f"Could not find region: {region.parent_region_id}.")
        self.regions[region.id] = region
        return region

    def region_in_use(self, region_id: str) -> bool:
        return (any(e.region_id == region_id for e in self.endpoints.values())
                or any(r.parent_region_id == region_id for r in self.regions.values()))
