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
from mimic.imimic import IAPIMock
from mimic.rest.neutron import NeutronApi


@implementer(IPlugin, IAPIMock)
class NeutronPlugin:
    """Neutron v2.0: networks, subnets, ports, security groups, floating IPs."""

    name = "neutron"

    def catalog_entries(self, tenant_id: str, regions: Any) -> list:
        return [Entry(tenant_id, "network", "cloudNetworks",
                      [Endpoint(region) for region in regions])]

    def resource_for_region(self, region: str, uri_prefix: str, session_store: Any) -> Any:
        return NeutronApi(session_store, region, uri_prefix).app.resource()


neutron = NeutronPlugin()
