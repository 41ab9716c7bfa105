"""
Wires Rackspace Cloud Load Balancers into Mimic: the API itself
(``cloudLoadBalancers``, type ``rax:load-balancer``) and its control API
(``cloudLoadBalancerControl``, type ``rax:load-balancer:control``), each with
a catalog endpoint ``.../v1.0/<tenant_id>`` per region. Both read and write the
same per-tenant, per-region state (:func:`mimic.model.clb.store_for`).
"""

from __future__ import annotations

from typing import Any

from twisted.plugin import IPlugin
from zope.interface import implementer

from mimic.catalog import Endpoint, Entry
from mimic.control_api import SteeringApi
from mimic.imimic import IAPIMock, IPresetProvider, IResourceLister, IStatefulAPI, IWireConventions
from mimic.overview import MAX_LISTED, ResourceSummary
from mimic.util import key_name

# The API's own modules (its routes, its model) are imported when it first
# answers: Mimic's start-up imports no API's routes (docs/performance.rst).


def _entry(tenant_id: str, regions: Any, service_type: str, name: str) -> Entry:
    return Entry(tenant_id, service_type, name,
                 endpoints=[Endpoint(region, f"v1.0/{tenant_id}") for region in regions])


@implementer(IPlugin, IAPIMock, IPresetProvider, IResourceLister, IWireConventions,
             IStatefulAPI)
class LoadBalancerApi:
    """Cloud Load Balancers v1.0."""

    name = "clb"
    # Rackspace's CLB answers carry no OpenStack request id.
    request_id_headers = ()
    credential_header = b"x-auth-token"
    wrong_tenant_status = 403

    def error_body(self, error: Any) -> dict:
        from mimic.rest.clb_api import clb_error_body

        return clb_error_body(error)

    def owns_state(self, key: Any) -> bool:
        return key_name(key) in ("clb", "clb-ids")

    def replayable(self, method: bytes, path: bytes) -> bool:
        return True

    def catalog_entries(self, tenant_id: str, regions: Any) -> list:
        return [_entry(tenant_id, regions, "rax:load-balancer", "cloudLoadBalancers")]

    def resource_for_region(self, region: str, uri_prefix: str, session_store: Any) -> Any:
        from mimic.rest.clb_api import ClbApi

        return ClbApi(region, session_store).app.resource()

    def presets(self) -> dict:
        from mimic.model.clb import PRESETS

        return {"metadata": dict(PRESETS)}

    def resources(self, session_store: Any, regions: Any) -> list:
        found = []
        for tenant in session_store.tenants():
            for region in regions:
                store = tenant.known_data_for_api(("clb", region))
                if store is None:
                    continue
                for lb in store.visible()[:MAX_LISTED]:
                    found.append(ResourceSummary(
                        api=self.name, kind="load balancer", id=str(lb.id), name=lb.name,
                        status=store.status(lb), region=region, tenant_id=tenant.id))
        return found


@implementer(IPlugin, IAPIMock, IWireConventions, IStatefulAPI)
class LoadBalancerControlApi(SteeringApi):
    """The control API steering Cloud Load Balancers."""

    name = "clb-control"
    def error_body(self, error: Any) -> dict:
        from mimic.rest.clb_api import clb_error_body

        return clb_error_body(error)

    def catalog_entries(self, tenant_id: str, regions: Any) -> list:
        return [_entry(tenant_id, regions, "rax:load-balancer:control",
                       "cloudLoadBalancerControl")]

    def resource_for_region(self, region: str, uri_prefix: str, session_store: Any) -> Any:
        from mimic.rest.clb_control_api import ClbControlApi

        return ClbControlApi(region, session_store).app.resource()


clb_api = LoadBalancerApi()
clb_control_api = LoadBalancerControlApi()
