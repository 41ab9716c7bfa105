"""
Wiring for the Image service (Glance) v2: ``cloudImages``, type ``image``, at
the unversioned root ``/mimicking/glance/<region>``, from which clients
discover ``/v2`` (openstacksdk) or to which they append ``/v2/images``
(novaclient's image helper). It serves the region's one image store, the
one Nova serves too.
"""

from __future__ import annotations

from typing import Any

from zope.interface import implementer

from mimic.catalog import Endpoint, Entry
from mimic.imimic import IAPIMock, IStatefulAPI, IWireConventions
from mimic.paths import OPENSTACK_REQUEST_ID
from mimic.util import key_name

# The API's own modules (its routes, its model) are imported when it first
# answers: Mimic's start-up imports no API's routes (docs/performance.rst).


@implementer(IAPIMock, IWireConventions, IStatefulAPI)
class GlanceApiMock:
    """Glance v2 at ``/mimicking/glance/<region>``."""

    name = "glance"
    request_id_headers = (OPENSTACK_REQUEST_ID,)
    credential_header = b"x-auth-token"
    wrong_tenant_status = 403

    def error_body(self, error: Any) -> dict:
        from mimic.rest.glance_api import glance_error_body

        return glance_error_body(error)

    def owns_state(self, key: Any) -> bool:
        # A region's images per tenant, and who each image is shared with.
        return key_name(key) in ("images", "image-shares")

    def replayable(self, method: bytes, path: bytes) -> bool:
        return True

    def catalog_entries(self, tenant_id: str, regions: Any) -> list:
        return [Entry(tenant_id, "image", "cloudImages",
                      [Endpoint(region) for region in regions])]

    def resource_for_region(self, region: str, uri_prefix: str, session_store: Any) -> Any:
        from mimic.rest.glance_api import GlanceApi

        return GlanceApi(session_store, region, uri_prefix).app.resource()


glance = GlanceApiMock()
