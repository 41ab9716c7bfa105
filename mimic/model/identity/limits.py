"""
Keystone's unified limits: registered limits (a default per service,
region and resource) and project limits that override them. Keystone
stores them for services to read; so does Mimic.
"""

from __future__ import annotations

from typing import Optional

import attrs


class LimitConflict(Exception):
    """A limit that duplicates another or has no registered limit to override."""


@attrs.define(eq=False)
class RegisteredLimit:
    id: str
    service_id: str
    resource_name: str
    default_limit: int
    region_id: Optional[str] = None
    description: Optional[str] = None

    def key(self) -> tuple:
        return (self.service_id, self.region_id, self.resource_name)


@attrs.define(eq=False)
class Limit:
    id: str
    service_id: str
    resource_name: str
    resource_limit: int
    project_id: Optional[str] = None
    domain_id: Optional[str] = None
    region_id: Optional[str] = None
    description: Optional[str] = None

    def key(self) -> tuple:
        return (self.service_id, self.region_id, self.resource_name)


@attrs.define
class LimitBook:
    registered: dict = attrs.field(factory=dict)
    limits: dict = attrs.field(factory=dict)

    def register(self, limit: RegisteredLimit) -> RegisteredLimit:
        self._check_unique(limit, limit.key())
        self.registered[limit.id] = limit
        return limit

    def retarget(self, limit: RegisteredLimit, service_id: str, region_id: Optional[str],
                 resource_name: str) -> None:
        """Move a registered limit to another service, region or resource, if free."""
        self._check_unique(limit, (service_id, region_id, resource_name))
        limit.service_id, limit.region_id, limit.resource_name = (
            service_id, region_id, resource_name)

    def _check_unique(self, limit: RegisteredLimit, key: tuple) -> None:
        if any(other is not limit and other.key() == key
               for other in self.registered.values()):
            raise LimitConflict("Duplicate entry: a registered limit for that service, "
                                "region and resource exists.")

    def add(self, limit: Limit) -> Limit:
        if not any(r.key() == limit.key() for r in self.registered.values()):
            raise LimitConflict("No registered limit for that service, region and "
                                "resource: register one first.")
        if any(other.key() == limit.key() and other.project_id == limit.project_id
               and other.domain_id == limit.domain_id for other in self.limits.values()):
            raise LimitConflict("Duplicate entry: that project already has that limit.")
        self.limits[limit.id] = limit
        return limit

    def registered_in_use(self, limit: RegisteredLimit) -> bool:
        return any(other.key() == limit.key() for other in self.limits.values())
