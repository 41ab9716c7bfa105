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

from mimic.imimic import IAPIMock, IResourceLister, IRootMounts, IStatefulAPI, IWireConventions
from mimic.lazy_resource import LazyResource
from mimic.overview import MAX_LISTED, ResourceSummary
from mimic.util import key_name

# The API's own modules (its routes, its model) are imported when it first
# answers: Mimic's start-up imports no API's routes (docs/performance.rst).


# IPlugin too: twisted.plugin.getPlugins only lists objects providing it.
@implementer(IPlugin, IAPIMock, IRootMounts, IResourceLister, IWireConventions, IStatefulAPI)
class FastlyPlugin:
    """Wires Fastly's API into Mimic's root and (regionless) plugin table."""

    name = "fastly"
    request_id_headers = ()
    credential_header = b"fastly-key"
    wrong_tenant_status = 403

    def error_body(self, error: Any) -> dict:
        from mimic.rest.fastly_api import fastly_error_body

        return fastly_error_body(error)

    def owns_state(self, key: Any) -> bool:
        return key_name(key) in ("fastly",)

    def replayable(self, method: bytes, path: bytes) -> bool:
        return True

    def catalog_entries(self, tenant_id: str, regions: tuple) -> list:
        return []

    def resource_for_region(self, region: str, uri_prefix: str,
                            session_store: Any) -> Any:
        from mimic.rest.fastly_api import FastlyApi

        return FastlyApi(lambda: session_store).resource()

    def root_resources(self, core: Any) -> dict:
        def make() -> Any:
            from mimic.rest.fastly_api import FastlyApi

            return FastlyApi(lambda: core.store).resource()

        return {"fastly": LazyResource(make)}

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
