"""
The identity a cloud starts with: the projects, users, roles, groups and
role assignments a profile (``--profile``, :mod:`mimic.profiles`) says
exist before anyone authenticated, so that they are listed, and hold their
roles, from the first request on. Plain data here, put into a fresh
:class:`~mimic.model.identity.store.SessionStore` by :func:`seed_accounts`
(at start and on every reset).

The users are made as Mimic makes users on first authentication (any
password works, naming another project joins it), with their default
project, but *seeded* (:class:`~mimic.model.identity.users.User`): every
role they hold is one of the stored assignments, listed by ``GET
/v3/role_assignments`` and revocable like any other, as in the real cloud.
"""

from __future__ import annotations

from typing import Optional

import attrs

from mimic.model.identity.projects import DEFAULT_DOMAIN_ID
from mimic.model.identity.roles import SYSTEM_ALL, Assignment
from mimic.model.identity.store import SessionStore

USER = "user"
GROUP = "group"
PROJECT = "project"
DOMAIN = "domain"
SYSTEM = "system"


@attrs.frozen
class SeedUser:
    """A user the cloud starts with, in the default domain."""

    name: str
    #: The name of their default project (also its id, as for every project
    #: Mimic makes by name at authentication).
    project: str
    email: Optional[str] = None


@attrs.frozen
class SeedGroup:
    """A group the cloud starts with (without members, as devstack's are)."""

    name: str
    description: str = ""


@attrs.frozen
class SeedGrant:
    """
    One role assignment, by names: ``role`` held by a user or group
    (``actor``, ``actor_name``) on a project, a domain (by id) or the
    system (``target_name`` ``all``).
    """

    role: str
    actor: str
    actor_name: str
    target: str
    target_name: str


@attrs.frozen
class Accounts:
    """Everything a profile's identity starts with; empty for the default."""

    #: Roles beyond Keystone's built-in ``admin``, ``member`` and ``reader``.
    roles: tuple = ()
    #: Project names (each its own id) in the default domain.
    projects: tuple = ()
    users: tuple = ()
    groups: tuple = ()
    grants: tuple = ()


def seed_accounts(store: SessionStore, accounts: Accounts) -> None:
    """Make ``accounts`` in ``store`` (a fresh one: nothing there is replaced)."""
    for name in accounts.roles:
        store.roles.create_role(name)
    for name in accounts.projects:
        store.tenant(name, name)
    actors = {}
    for seed in accounts.users:
        user = store.user(seed.name, tenant_id=seed.project, tenant_name=seed.project)
        user.email = seed.email
        user.seeded = True
        actors[(USER, seed.name)] = user.id
    for seed in accounts.groups:
        group = store.create_group(seed.name, DEFAULT_DOMAIN_ID, seed.description)
        actors[(GROUP, seed.name)] = group.id
    for grant in accounts.grants:
        target_id = SYSTEM_ALL if grant.target == SYSTEM else grant.target_name
        store.roles.grant(Assignment(store.roles.role_named(grant.role).id, grant.actor,
                                     actors[(grant.actor, grant.actor_name)],
                                     grant.target, target_id))
