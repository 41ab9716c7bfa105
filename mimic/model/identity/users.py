"""
Users and groups. A user Mimic made because someone authenticated as them
is *implicit*: any password works and they may name any tenant (joining
it), as in the original Mimic. A user an operator created through Keystone
v3 (``POST /v3/users``) is *managed*: their password is checked and they
reach only the projects a role assignment gives them. A user a profile
starts with (:mod:`mimic.model.identity.accounts`) is *seeded*: any
password, as for implicit users, but every role they hold is a stored
assignment, as for managed ones.
"""

from __future__ import annotations

import hashlib
from typing import Optional

import attrs

from mimic.model.identity.projects import DEFAULT_DOMAIN_ID, Tenant


@attrs.define(eq=False)
class User:
    """
    A user: a name, an id derived from it, and the tenant they were first
    seen in (their default project). Their API key is derived from their id,
    not stored.
    """

    id: str
    username: str
    tenant: Tenant
    password: Optional[str] = None
    domain_id: str = DEFAULT_DOMAIN_ID
    managed: bool = False
    seeded: bool = False
    enabled: bool = True
    email: Optional[str] = None
    description: str = ""
    #: Properties an operator set beyond Keystone's own (Keystone keeps them).
    extra: Optional[dict] = None

    @property
    def api_key(self) -> str:
        """The user's Rackspace API key: the same for the same user id."""
        return hashlib.blake2b(f"api-key\x00{self.id}".encode("utf-8"),
                               digest_size=16).hexdigest()

    @property
    def member_by_rule(self) -> bool:
        """
        Whether Mimic's own rule gives them ``member`` on their default
        tenant: implicit users, who have no stored assignment for it; not
        managed or seeded ones, whose roles are all assignments.
        """
        return not (self.managed or self.seeded)

    def password_matches(self, password: str) -> bool:
        """Implicit users accept any password; managed ones only theirs."""
        return not self.managed or self.password == password


@attrs.define(eq=False)
class Group:
    """A Keystone group: users who share role assignments."""

    id: str
    name: str
    domain_id: str = DEFAULT_DOMAIN_ID
    description: str = ""
    members: set = attrs.field(factory=set)
    extra: Optional[dict] = None
