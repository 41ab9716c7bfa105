"""
Neutron's quotas of a tenant: the limits (Neutron's defaults) and what is
in use, checked when a resource is made (409 ``OverQuota``, as Neutron's
quota engine answers).

Ports are the one default that differs: Neutron's is 500, but every server
Nova builds holds ports, and suites build thousands of servers in one
tenant, so Mimic's default for ports is unlimited (-1).
"""

from __future__ import annotations

from mimic.model.neutron.faults import BadRequest, Conflict

#: The limit of each resource (-1: none), as ``GET /v2.0/quotas/<project>``
#: lists them.
QUOTA_DEFAULTS = {
    "network": 100, "subnet": 100, "subnetpool": -1, "port": -1, "router": 10,
    "floatingip": 50, "security_group": 10, "security_group_rule": 100, "rbac_policy": 10,
}

#: The largest limit Mimic takes (Neutron's quota columns are integers).
MAX_QUOTA = 2**31 - 1


class Quotas:
    """The quota checks of :class:`~mimic.model.neutron.state.NetworkState`."""

    __slots__ = ()

    def quota_limits(self) -> dict[str, int]:
        """The project's limits: Neutron's defaults, with what an admin set."""
        return {**QUOTA_DEFAULTS, **self.quota_overrides}

    def set_quotas(self, limits: dict) -> dict[str, int]:
        """
        An admin's new limits (resource to an integer, -1 for none), all
        checked before any is set, as ``PUT /v2.0/quotas/<project>`` takes
        them.
        """
        for resource, limit in limits.items():
            if resource not in QUOTA_DEFAULTS:
                raise BadRequest(f"Unrecognized attribute(s) '{resource}'")
            if isinstance(limit, str) and limit.lstrip("-").isdigit() and len(limit) < 12:
                limit = int(limit)
            if isinstance(limit, bool) or not isinstance(limit, int) or not \
                    -1 <= limit <= MAX_QUOTA:
                raise BadRequest(f"Invalid input for {resource}. Reason: '{limit}' is not a "
                                 f"valid quota limit (an integer from -1 to {MAX_QUOTA}).")
        for resource, limit in limits.items():
            self.quota_overrides[resource] = int(limit)
        return self.quota_limits()

    def reset_quotas(self) -> None:
        """Back to the defaults (``DELETE /v2.0/quotas/<project>``)."""
        self.quota_overrides.clear()

    def quota_usage(self) -> dict[str, int]:
        """What the tenant holds of each resource the quotas count."""
        own_networks = [n for n in self.networks.values()
                        if not n.builtin and n.tenant_id == self.tenant_id]
        return {
            "network": len(own_networks),
            "subnet": sum(len(n.subnet_ids) for n in own_networks),
            "subnetpool": len(self.subnetpools),
            "port": len(self.ports),
            "router": len(self.routers),
            "floatingip": len(self.floating_ips),
            "security_group": len(self.security_groups),
            "security_group_rule": len(self.rules),
            "rbac_policy": self.owns_rbac_quota(),
        }

    def check_quota(self, resource: str, adding: int = 1) -> None:
        """Room for ``adding`` more of ``resource``, or Neutron's OverQuota."""
        limit = self.quota_limits()[resource]
        if limit >= 0 and self.quota_usage()[resource] + adding > limit:
            raise Conflict(f"Quota exceeded for resources: ['{resource}'].", "OverQuota")
