"""
Nova's quotas in one region (``os-quota-sets``): the defaults, each
project's own limits an admin set, and the rule a server create meets
(nova/compute/utils.py ``check_num_instances_quota``: instances, cores and
RAM together; a ``max_count`` that does not fit is cut down to what fits
as long as ``min_count`` does, else Nova's 403 "Quota exceeded for ...").

What a project uses is counted by its :class:`mimic.model.nova.ComputeRegion`
and passed in; nothing here counts servers.
"""

from __future__ import annotations

from typing import Mapping, Optional

import attrs

from mimic.model.nova_errors import BadRequest, QuotaExceeded

#: Every quota Nova has, in the order Nova lists them (nova/quota.py), with
#: Nova's defaults (nova/conf/quota.py), except where Mimic's default
#: profile keeps its own (see :func:`default_quotas`).
NOVA_DEFAULTS = {
    "instances": 10,
    "cores": 20,
    "ram": 51200,
    "metadata_items": 128,
    "injected_files": 5,
    "injected_file_content_bytes": 10240,
    "injected_file_path_bytes": 255,
    "key_pairs": 100,
    "server_groups": 10,
    "server_group_members": 10,
    "floating_ips": 10,
    "fixed_ips": -1,
    "security_groups": 10,
    "security_group_rules": 20,
}

#: What a microversion stops showing: the network proxies' at 2.36, the
#: injected files' at 2.57 (nova/api/openstack/compute/quota_sets.py).
DROPPED = (
    ("2.36", ("fixed_ips", "floating_ips", "security_group_rules", "security_groups")),
    ("2.57", ("injected_files", "injected_file_content_bytes", "injected_file_path_bytes")),
)

#: The quotas a server create is held to, and how its request counts against each.
INSTANCE_QUOTAS = ("instances", "cores", "ram")


def default_quotas(unlimited_instances: bool, metadata_items: int) -> dict:
    """
    The defaults of a region. Mimic's default profile (as the original
    Mimic) does not cap instances, cores or RAM, so old suites that make
    many servers keep working; devstack's profile has Nova's defaults.
    """
    defaults = dict(NOVA_DEFAULTS, metadata_items=metadata_items)
    if unlimited_instances:
        defaults.update(instances=-1, cores=-1, ram=-1)
    return defaults


def shown_at(version: object, quotas: Mapping) -> dict:
    """``quotas`` without what ``version`` no longer shows."""
    dropped = {name for since, names in DROPPED if version >= since for name in names}
    return {k: v for k, v in quotas.items() if k not in dropped}


@attrs.define
class QuotaBook:
    """The region's default quotas and each project's own."""

    defaults: dict
    _projects: dict = attrs.field(factory=dict)

    def limits_of(self, project_id: str) -> dict:
        return {**self.defaults, **self._projects.get(project_id, {})}

    def update(self, project_id: str, changes: Mapping[str, int],
               used: Mapping[str, int], force: bool) -> dict:
        """
        Set some of a project's limits (``-1``: unlimited). Unless
        ``force``, a limit below what the project already uses is Nova's
        400; all are checked before any is set.
        """
        for name, limit in changes.items():
            if name not in self.defaults:
                raise BadRequest(f"Invalid input for field/attribute quota_set. "
                                 f"Additional properties are not allowed ('{name}' "
                                 f"was unexpected)")
            in_use = used.get(name, 0)
            if not force and limit != -1 and limit < in_use:
                raise BadRequest(f"Quota limit {limit} for {name} must be greater than or "
                                 f"equal to already used and reserved {in_use}.")
        self._projects.setdefault(project_id, {}).update(changes)
        return self.limits_of(project_id)

    def revert(self, project_id: str) -> None:
        """Back to the defaults (``DELETE os-quota-sets/<project>``)."""
        self._projects.pop(project_id, None)

    def instances_allowed(self, project_id: str, used: Mapping[str, int], vcpus: int,
                          ram: int, min_count: int, max_count: int) -> int:
        """
        How many of ``min_count`` to ``max_count`` servers of this size the
        project may still make: ``max_count`` when all fit, the most that
        fit when at least ``min_count`` do, else Nova's 403.
        """
        limits = self.limits_of(project_id)
        each = {"instances": 1, "cores": vcpus, "ram": ram}
        allowed: Optional[int] = None
        for name in INSTANCE_QUOTAS:
            if limits[name] == -1 or each[name] == 0:
                continue
            room = max(0, limits[name] - used.get(name, 0)) // each[name]
            allowed = room if allowed is None else min(allowed, room)
        if allowed is None or allowed >= max_count:
            return max_count
        if allowed >= min_count:
            return allowed
        requested = {"instances": (str(min_count) if min_count == max_count
                                   else f"{min_count}-{max_count}"),
                     "cores": max_count * vcpus, "ram": max_count * ram}
        overs = sorted(name for name in INSTANCE_QUOTAS if limits[name] != -1
                       and used.get(name, 0) + max_count * each[name] > limits[name])
        raise QuotaExceeded(
            f"Quota exceeded for {', '.join(overs)}: Requested "
            f"{', '.join(str(requested[n]) for n in overs)}, but already used "
            f"{', '.join(str(used.get(n, 0)) for n in overs)} of "
            f"{', '.join(str(limits[n]) for n in overs)} {', '.join(overs)}")
