"""
The service catalog: what a plugin says it offers a tenant, and where.

A plugin returns :class:`Entry` objects; the identity APIs render them as
Keystone v2.0 (``serviceCatalog``) or v3 (``catalog``) JSON. Endpoint URLs are
``<root>/mimicking/<service id>/<region>/<path>``: clients read them from the
catalog and never build them.
"""

from __future__ import annotations

import attrs

#: The regions every plugin offers unless Mimic is told otherwise.
DEFAULT_REGIONS = ("ORD", "DFW", "IAD", "LON", "SYD", "HKG")


@attrs.frozen
class Endpoint:
    """
    One region's endpoint of a service for one tenant.

    ``path`` is what follows ``/mimicking/<service id>/<region>/`` in the
    URL, for example ``v2/123456`` for Nova or ``v2.0`` for Neutron.
    """

    region: str
    path: str = ""

    def url(self, root: str, service_id: str) -> str:
        """The absolute URL of this endpoint under ``root`` (scheme://host)."""
        suffix = f"/{self.path}" if self.path else ""
        return f"{root}/mimicking/{service_id}/{self.region}{suffix}"


@attrs.frozen
class Entry:
    """A service in a tenant's catalog: its type, name and endpoints."""

    tenant_id: str
    type: str
    name: str
    endpoints: tuple[Endpoint, ...] = attrs.field(converter=tuple)
