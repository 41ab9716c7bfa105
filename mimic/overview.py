"""
What Mimic holds, tenant by tenant: the model behind ``GET
/mimic/v1.1/tenants`` and the dashboard's tenant panel. Each plugin that
provides :class:`mimic.imimic.IResourceLister` says what it keeps (servers
with their status, load balancers, Fastly services); this module groups it
by tenant (and, for APIs that have accounts instead, such as Fastly, by
account) without making any state.
"""

from __future__ import annotations

from typing import Any, Optional

import attrs

from mimic.imimic import IResourceLister
from mimic.util import iso_time

#: At most this many things of one API are listed per tenant and region
#: (or account): the overview is for a person's eyes, not an export.
MAX_LISTED = 500


@attrs.frozen
class ResourceSummary:
    """One thing an API keeps, as the overview shows it."""

    api: str
    kind: str
    id: str
    name: str
    status: str
    region: Optional[str] = None
    tenant_id: Optional[str] = None
    #: For APIs whose things belong to an account, not a tenant (Fastly).
    account: Optional[str] = None

    def to_json(self) -> dict:
        return {"kind": self.kind, "id": self.id, "name": self.name,
                "status": self.status, "region": self.region}


def _grouped(summaries: list) -> dict:
    by_api: dict = {}
    for summary in summaries:
        by_api.setdefault(summary.api, []).append(summary.to_json())
    return by_api


def overview(core: Any) -> dict:
    """
    ``{"now", "tenants": [{"id", "name", "users", "resources": {api: [...]}}],
    "accounts": [{"api", "id", "resources": [...]}]}``, tenants in the order
    they were first seen.
    """
    store = core.store
    summaries: list = []
    for name, api in core.apis.items():
        if IResourceLister.providedBy(api):
            summaries.extend(api.resources(store, core.regions[name]))
    by_tenant: dict = {}
    by_account: dict = {}
    for summary in summaries:
        if summary.tenant_id is not None:
            by_tenant.setdefault(summary.tenant_id, []).append(summary)
        else:
            by_account.setdefault((summary.api, summary.account), []).append(summary)
    tenants = []
    for tenant in store.tenants():
        tenants.append({
            "id": tenant.id,
            "name": tenant.name,
            "users": sorted(u.username for u in store.users_of_tenant(tenant)),
            "resources": _grouped(by_tenant.pop(tenant.id, [])),
        })
    return {
        "now": iso_time(core.clock.seconds()),
        "tenants": tenants,
        "accounts": [
            {"api": api, "id": account,
             "resources": [s.to_json() for s in items]}
            for (api, account), items in by_account.items()
        ],
    }
