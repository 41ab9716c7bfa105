"""
Wiring for OpenStack Compute: Nova itself (``cloudServersOpenStack``, type
``compute``) and its control API (``cloudServersBehavior``, type
``compute:control``), both in every configured region and both reaching
the same per-tenant-region state (:class:`mimic.model.nova.ComputeRegion`).
"""

from __future__ import annotations

from typing import Any

from twisted.plugin import IPlugin
from zope.interface import implementer

from mimic.catalog import Endpoint, Entry
from mimic.control_api import SteeringApi
from mimic.imimic import IAPIMock, IPresetProvider, IResourceLister, IStatefulAPI, IWireConventions
from mimic.overview import MAX_LISTED, ResourceSummary
from mimic.paths import OPENSTACK_REQUEST_ID
from mimic.rest.http import openstack_error_body
from mimic.util import key_name

# The API's own modules (its routes, its model) are imported when it first
# answers: Mimic's start-up imports no API's routes (docs/performance.rst).


@implementer(IPlugin, IAPIMock, IPresetProvider, IResourceLister, IWireConventions,
             IStatefulAPI)
class NovaApiMock:
    """OpenStack Compute (2.1 to 2.100) at ``/mimicking/nova/<region>/v2/<tenant_id>``."""

    name = "nova"
    # Nova answers with the compute-specific header beside oslo's.
    request_id_headers = (OPENSTACK_REQUEST_ID, "x-compute-request-id")
    credential_header = b"x-auth-token"
    # nova/api/openstack/wsgi.py refuses a URL of another project with 400.
    wrong_tenant_status = 400

    def error_body(self, error: Any) -> dict:
        return openstack_error_body(error)

    def owns_state(self, key: Any) -> bool:
        return key_name(key) in ("nova", "nova-rendered")

    def replayable(self, method: bytes, path: bytes) -> bool:
        # A keypair made without a public key is a real RSA pair, drawn
        # from the operating system's randomness.
        return not (method == b"POST" and path.rstrip(b"/").endswith(b"/os-keypairs"))

    def catalog_entries(self, tenant_id: str, regions: Any) -> list:
        return [Entry(tenant_id, "compute", "cloudServersOpenStack",
                      [Endpoint(region, f"v2/{tenant_id}") for region in regions])]

    def resource_for_region(self, region: str, uri_prefix: str, session_store: Any) -> Any:
        from mimic.rest.nova_api import NovaApi

        return NovaApi(region, uri_prefix, session_store).app.resource()

    def resources(self, session_store: Any, regions: Any) -> list:
        from mimic.model.nova import ServerQuery

        now = session_store.now()
        found = []
        for tenant in session_store.tenants():
            for region in regions:
                compute = tenant.known_data_for_api(("nova", region))
                if compute is None:
                    continue
                for server in compute.list_servers(ServerQuery(limit=MAX_LISTED)):
                    found.append(ResourceSummary(
                        api=self.name, kind="server", id=server.id, name=server.name,
                        status=server.status_at(now), region=region, tenant_id=tenant.id))
        return found

    def presets(self) -> dict:
        from mimic.model.flavors import INVALID_FLAVOR_REFS
        from mimic.model.images import INVALID_IMAGE_REFS
        from mimic.model.nova import PRESETS

        return {
            "metadata": dict(PRESETS),
            "invalid_image_refs": list(INVALID_IMAGE_REFS),
            "invalid_flavor_refs": list(INVALID_FLAVOR_REFS),
        }


@implementer(IPlugin, IAPIMock, IWireConventions, IStatefulAPI)
class NovaControlApiMock(SteeringApi):
    """Nova's behaviors at ``/mimicking/nova-control/<region>/v2/<tenant_id>``."""

    name = "nova-control"
    def error_body(self, error: Any) -> dict:
        return openstack_error_body(error)

    def catalog_entries(self, tenant_id: str, regions: Any) -> list:
        return [Entry(tenant_id, "compute:control", "cloudServersBehavior",
                      [Endpoint(region, f"v2/{tenant_id}") for region in regions])]

    def resource_for_region(self, region: str, uri_prefix: str, session_store: Any) -> Any:
        from mimic.rest.nova_control_api import NovaControlApi

        return NovaControlApi(region, uri_prefix, session_store).app.resource()


nova = NovaApiMock()
nova_control = NovaControlApiMock()
