"""
The identity a cloud starts with: the projects, users, roles, groups and
role assignments a profile (``--profile``, :mod:`mimic.profiles`) says
exist before anyone authenticated, so that they are listed, and hold their
roles, from the first request on. Put into a fresh
:class:`~mimic.model.identity.store.SessionStore` by :func:`seed_accounts`
(at start and on every reset).

The users are made as Mimic makes users on first authentication (any
password works, naming another project joins it), with their default
project, but *seeded* (:class:`~mimic.model.identity.users.User`): every
role they hold is one of the stored assignments, listed by ``GET
/v3/role_assignments`` and revocable like any other, as in the real cloud.

The data itself (:class:`~mimic.profiles.Accounts` and its parts) lives
with the profiles, which the command line reads before it imports any
model.
"""

from __future__ import annotations

from mimic.model.identity.projects import DEFAULT_DOMAIN_ID
from mimic.model.identity.roles import SYSTEM_ALL, Assignment
from mimic.model.identity.store import SessionStore
from mimic.profiles import (  # noqa: F401  (the seed data, also known by these names here)
    DOMAIN,
    GROUP,
    PROJECT,
    SYSTEM,
    USER,
    Accounts,
    SeedGrant,
    SeedGroup,
    SeedUser,
)


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
