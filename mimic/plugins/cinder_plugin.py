"""
Wiring for OpenStack Block Storage v3 (Cinder): the API itself, in the
catalog under every type clients look it up by (``block-storage``,
``volumev3`` and the older ``volumev2`` alias, all at the same
``/v3/<tenant_id>`` URL), and its control API (``block-storage:control``),
in every configured region and reaching the same per-tenant-region state
(:class:`mimic.model.cinder.BlockStorageRegion`).
"""

from __future__ import annotations

from typing import Any

from twisted.plugin import IPlugin
from zope.interface import implementer

from mimic.catalog import Endpoint, Entry
from mimic.control_api import SteeringApi
from mimic.imimic import IAPIMock, IPresetProvider, IStatefulAPI, IWireConventions
from mimic.paths import OPENSTACK_REQUEST_ID
from mimic.rest.http import openstack_error_body
from mimic.util import key_name

# The API's own modules (its routes, its model) are imported when it first
# answers: Mimic's start-up imports no API's routes (docs/performance.rst).

#: The service types Cinder answers to (the service-types authority lists
#: ``volumev3``, ``volumev2`` and ``volume`` as aliases of ``block-storage``).
SERVICE_TYPES = (("block-storage", "cinder"), ("volumev3", "cinderv3"),
                 ("volumev2", "cinderv2"))


@implementer(IPlugin, IAPIMock, IPresetProvider, IWireConventions, IStatefulAPI)
class CinderApiMock:
    """Cinder v3 at ``/mimicking/cinder/<region>/v3/<tenant_id>``."""

    name = "cinder"
    request_id_headers = (OPENSTACK_REQUEST_ID,)
    credential_header = b"x-auth-token"
    # Cinder's own project check refuses another project's URL with 403
    # ("Malformed request url" is Nova's; Cinder's policy answers 403).
    wrong_tenant_status = 403

    def error_body(self, error: Any) -> dict:
        return openstack_error_body(error)

    def owns_state(self, key: Any) -> bool:
        return key_name(key) == "cinder"

    def replayable(self, method: bytes, path: bytes) -> bool:
        # Nothing Cinder makes draws on the operating system's randomness.
        return True

    def catalog_entries(self, tenant_id: str, regions: Any) -> list:
        return [Entry(tenant_id, service_type, name,
                      [Endpoint(region, f"v3/{tenant_id}") for region in regions])
                for service_type, name in SERVICE_TYPES]

    def resource_for_region(self, region: str, uri_prefix: str, session_store: Any) -> Any:
        from mimic.rest.cinder_api import CinderApi

        return CinderApi(region, uri_prefix, session_store).app.resource()

    def presets(self) -> dict:
        from mimic.model.cinder import PRESETS

        return {"metadata": dict(PRESETS)}


@implementer(IPlugin, IAPIMock, IWireConventions, IStatefulAPI)
class CinderControlApiMock(SteeringApi):
    """Cinder's behaviors at ``/mimicking/cinder-control/<region>/v3/<tenant_id>``."""

    name = "cinder-control"
    def error_body(self, error: Any) -> dict:
        return openstack_error_body(error)

    def catalog_entries(self, tenant_id: str, regions: Any) -> list:
        return [Entry(tenant_id, "block-storage:control", "cinderBehavior",
                      [Endpoint(region, f"v3/{tenant_id}") for region in regions])]

    def resource_for_region(self, region: str, uri_prefix: str, session_store: Any) -> Any:
        from mimic.rest.cinder_control_api import CinderControlApi

        return CinderControlApi(region, uri_prefix, session_store).app.resource()


cinder = CinderApiMock()
cinder_control = CinderControlApiMock()
