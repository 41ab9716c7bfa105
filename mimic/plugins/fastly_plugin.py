"""
The Fastly plugin: serves :class:`mimic.rest.fastly_api.FastlyApi` at
``/fastly`` on the root of the server, where Fastly clients are pointed
(their host setting), since Fastly has no Keystone catalog entry to be
found through. The API is global, not regional: it adds nothing to
tenants' catalogs, and ``/mimicking/fastly/<region>/`` serves the same API.
"""

from __future__ import annotations

from typing import Any

from twisted.plugin import IPlugin
from zope.interface import implementer

from mimic.imimic import IAPIMock, IResourceLister, IRootMounts
from mimic.overview import MAX_LISTED, ResourceSummary
from mimic.rest.fastly_api import FastlyApi


# IPlugin too: twisted.plugin.getPlugins only lists objects providing it.
@implementer(IPlugin, IAPIMock, IRootMounts, IResourceLister)
class FastlyPlugin:
    """Wires Fastly's API into Mimic's root and (regionless) plugin table."""

    name = "fastly"

    def catalog_entries(self, tenant_id: str, regions: tuple) -> list:
        return []

    def resource_for_region(self, region: str, uri_prefix: str,
                            session_store: Any) -> Any:
        return FastlyApi(lambda: session_store).resource()

    def root_resources(self, core: Any) -> dict:
        return {"fastly": FastlyApi(lambda: core.store).resource()}

    def resources(self, session_store: Any, regions: tuple) -> list:
        store = session_store.known_data_for_api("fastly")
        if store is None:
            return []
        found = []
        for customer in store.customers():
            for service in store.services(customer)[:MAX_LISTED]:
                active = [v.number for v in service.versions if v.active]
                found.append(ResourceSummary(
                    api=self.name, kind="service", id=service.id, name=service.name,
                    status=f"active v{active[0]}" if active else "inactive",
                    account=customer.id))
        return found


fastly = FastlyPlugin()
