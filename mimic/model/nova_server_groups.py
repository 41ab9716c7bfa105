"""
Nova's server groups (``os-server-groups``): a named scheduling policy
(``affinity``, ``anti-affinity`` and from 2.15 their ``soft-`` forms; from
2.64 one ``policy`` and its ``rules``) and the servers created into it with
the ``group`` scheduler hint. A region has as many hosts as anti-affinity
needs: members of an anti-affinity group each get a host of their own
(``hostId``), members of an affinity group share the region's one host.
Pure data; :class:`mimic.model.nova.ComputeRegion` holds the store.
"""

from __future__ import annotations

import hashlib
from typing import Optional

import attrs

from mimic.model.nova_errors import BadRequest, NotFound, QuotaExceeded

POLICIES = ("affinity", "anti-affinity")
SOFT_POLICIES = ("soft-affinity", "soft-anti-affinity")


@attrs.define(eq=False)
class ServerGroup:
    """A server group and the ids of its members, in the order they joined."""

    id: str
    name: str
    policy: str
    project_id: str
    user_id: str
    rules: dict = attrs.field(factory=dict)
    members: list = attrs.field(factory=list)

    def host_for(self, region_host_id: str, server_id: str) -> str:
        """The ``hostId`` a new member lands on."""
        if self.policy.endswith("anti-affinity"):
            return hashlib.sha224(f"{region_host_id}{server_id}".encode()).hexdigest()
        return region_host_id


@attrs.define
class ServerGroupStore:
    """One tenant's server groups in one region, at most ``quota`` of them."""

    quota: int
    member_quota: int
    _groups: dict = attrs.field(factory=dict)

    def create(self, group: ServerGroup) -> ServerGroup:
        if len(self._groups) >= self.quota:
            raise QuotaExceeded("Quota exceeded, too many server groups.")
        self._groups[group.id] = group
        return group

    def get(self, group_id: str) -> ServerGroup:
        group = self._groups.get(group_id)
        if group is None:
            raise NotFound(f"Instance group {group_id} could not be found.")
        return group

    def delete(self, group_id: str) -> ServerGroup:
        group = self.get(group_id)
        del self._groups[group_id]
        return group

    def groups(self) -> list:
        return list(self._groups.values())

    def __len__(self) -> int:
        return len(self._groups)

    def group_for_hint(self, hint: object) -> Optional[ServerGroup]:
        """
        The group a create's ``group`` hint names, checked before anything
        changes: an unknown group is Nova's 400, a full one its 403.
        """
        if hint is None:
            return None
        group = self._groups.get(hint) if isinstance(hint, str) else None
        if group is None:
            raise BadRequest(f"Invalid input for field/attribute group. Value: {hint}. "
                             f"Instance group {hint} could not be found.")
        if len(group.members) >= self.member_quota:
            raise QuotaExceeded("Quota exceeded, too many servers in group")
        return group

    def leave(self, server_id: str, group_id: Optional[str]) -> None:
        group = self._groups.get(group_id) if group_id else None
        if group is not None and server_id in group.members:
            group.members.remove(server_id)
