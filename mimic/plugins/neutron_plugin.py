"""
The Neutron plugin: puts a ``network`` service (``cloudNetworks``) in every
tenant's catalog, one unversioned endpoint per region, as real clouds list
Neutron (clients read the versions document at its root, or append ``v2.0``
themselves), and serves :class:`mimic.rest.neutron.NeutronApi` there.
"""

from __future__ import annotations

from typing import Any

from twisted.plugin import IPlugin
from zope.interface import implementer

from mimic.catalog import Endpoint, Entry
from mimic.imimic import IAPIMock, IStatefulAPI, IWireConventions
from mimic.paths import OPENSTACK_REQUEST_ID
from mimic.util import key_name

# The API's own modules (its routes, its model) are imported when it first
# answers: Mimic's start-up imports no API's routes (docs/performance.rst).


@implementer(IPlugin, IAPIMock, IWireConventions, IStatefulAPI)
class NeutronPlugin:
    """Neutron v2.0: networks, subnets, ports, security groups, floating IPs."""

    name = "neutron"
    request_id_headers = (OPENSTACK_REQUEST_ID,)
    credential_header = b"x-auth-token"
    wrong_tenant_status = 403

    def error_body(self, error: Any) -> dict:
        from mimic.rest.neutron.wire import neutron_error_body

        return neutron_error_body(error)

    def owns_state(self, key: Any) -> bool:
        return key_name(key) in ("neutron", "neutron-shared-pools", "neutron-region",
                                 "neutron-flavors")

    def replayable(self, method: bytes, path: bytes) -> bool:
        return True

    def catalog_entries(self, tenant_id: str, regions: Any) -> list:
        return [Entry(tenant_id, "network", "cloudNetworks",
                      [Endpoint(region) for region in regions])]

    def resource_for_region(self, region: str, uri_prefix: str, session_store: Any) -> Any:
        from mimic.rest.neutron import NeutronApi

        return NeutronApi(session_store, region, uri_prefix).app.resource()


neutron = NeutronPlugin()
