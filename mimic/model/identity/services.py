"""
The catalog as Keystone v3 administers it: services, endpoints and regions
an operator adds (``POST /v3/services`` ...), beside the ones Mimic's
plugins provide. An operator's endpoints show in the catalog of every new
token; their URL may hold ``$(project_id)s`` (or ``$(tenant_id)s``), put in
per project as Keystone does. Endpoint groups (``OS-EP-FILTER``) select
endpoints by their attributes, for the projects associated with them;
policies are the opaque rule blobs Keystone stores (``/v3/policies``).
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


#: What an endpoint group's filters may name (Keystone's
#: ``endpoint_group`` schema: ``interface``, ``service_id``, ``region_id``).
ENDPOINT_GROUP_FILTERS = ("interface", "service_id", "region_id")


@attrs.define(eq=False)
class EndpointGroup:
    """
    The endpoints whose attributes equal every one of ``filters``
    (a mapping of :data:`ENDPOINT_GROUP_FILTERS` names to values).
    """

    id: str
    name: str
    filters: dict
    description: Optional[str] = None

    def selects(self, attributes: dict) -> bool:
        return all(attributes.get(k) == v for k, v in self.filters.items())


@attrs.define(eq=False)
class Policy:
    """A policy blob Keystone stores and hands back, of a MIME ``type``."""

    id: str
    blob: str
    type: str
    extra: Optional[dict] = None


@attrs.define
class ServiceBook:
    """What an operator added to the catalog, by id."""

    services: dict = attrs.field(factory=dict)
    endpoints: dict = attrs.field(factory=dict)
    regions: dict = attrs.field(factory=dict)
    endpoint_groups: dict = attrs.field(factory=dict)
    #: ``(endpoint group id, project id)`` associations.
    group_projects: dict = attrs.field(factory=dict)
    #: ``(endpoint id, project id)`` associations (OS-EP-FILTER), of
    #: Mimic's own endpoints and an operator's.
    endpoint_projects: dict = attrs.field(factory=dict)
    policies: dict = attrs.field(factory=dict)

    def delete_endpoint_group(self, group_id: str) -> None:
        del self.endpoint_groups[group_id]
        for pair in [p for p in self.group_projects if p[0] == group_id]:
            del self.group_projects[pair]

    def forget_project(self, project_id: str) -> None:
        for pair in [p for p in self.group_projects if p[1] == project_id]:
            del self.group_projects[pair]
        for pair in [p for p in self.endpoint_projects if p[1] == project_id]:
            del self.endpoint_projects[pair]

    def delete_endpoint(self, endpoint_id: str) -> None:
        """Delete an endpoint and its project associations, as Keystone does."""
        self.endpoints.pop(endpoint_id, None)
        for pair in [p for p in self.endpoint_projects if p[0] == endpoint_id]:
            del self.endpoint_projects[pair]

    def projects_of_endpoint(self, endpoint_id: str) -> list:
        return [project for endpoint, project in self.endpoint_projects
                if endpoint == endpoint_id]

    def endpoints_of_project(self, project_id: str) -> list:
        """The ids of the endpoints associated with the project directly."""
        return [endpoint for endpoint, project in self.endpoint_projects
                if project == project_id]

    def projects_of_group(self, group_id: str) -> list:
        return [project for group, project in self.group_projects if group == group_id]

    def groups_of_project(self, project_id: str) -> list:
        return [self.endpoint_groups[group] for group, project in self.group_projects
                if project == project_id]

    def add_service(self, service: Service) -> Service:
        self.services[service.id] = service
        return service

    def delete_service(self, service_id: str) -> None:
        del self.services[service_id]
        for endpoint in [e for e in self.endpoints.values() if e.service_id == service_id]:
            self.delete_endpoint(endpoint.id)

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

    def region_subtree(self, region_id: str) -> list:
        """The region's id and its child regions', at any depth."""
        children: dict = {}
        for region in self.regions.values():
            children.setdefault(region.parent_region_id, []).append(region.id)
        found = [region_id]
        seen = {region_id}
        for current in found:
            for child in children.get(current, ()):
                if child not in seen:
                    seen.add(child)
                    found.append(child)
        return found

    def delete_region(self, region_id: str) -> None:
        """
        Delete a region and its child regions, unless an endpoint is in one
        of them (keystone/catalog/backends/sql.py ``delete_region``).
        """
        subtree = self.region_subtree(region_id)
        if any(e.region_id in subtree for e in self.endpoints.values()):
            raise CatalogConflict(f"Unable to delete region {region_id} because it or "
                                  "its child regions have associated endpoints.")
        for gone in subtree:
            self.regions.pop(gone, None)
