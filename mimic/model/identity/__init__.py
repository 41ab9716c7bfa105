"""
Who is calling, and everything Mimic remembers: Identity's model, split
along Keystone's nouns.

- :mod:`~mimic.model.identity.ids`: ids derived from names and ``--seed``;
- :mod:`~mimic.model.identity.projects`: domains and tenants (projects);
- :mod:`~mimic.model.identity.users`: users and groups;
- :mod:`~mimic.model.identity.roles`: roles, assignments, who is an admin;
- :mod:`~mimic.model.identity.tokens`: tokens on Mimic's clock;
- :mod:`~mimic.model.identity.store`: the :class:`SessionStore` holding it
  all (and every API's per-tenant state);
- :mod:`~mimic.model.identity.v3_auth`: what a v3 authentication earns;
- :mod:`~mimic.model.identity.services`: services, endpoints and regions
  an operator adds to the catalog.

The names most code needs are importable from here.
"""

from mimic.model.identity.events import AUTH_EVENT
from mimic.model.identity.projects import (
    DEFAULT_DOMAIN_ID,
    DEFAULT_DOMAIN_NAME,
    Domain,
    Tenant,
)
from mimic.model.identity.store import SessionStore, TenantMismatch
from mimic.model.identity.tokens import TOKEN_LIFETIME, Token
from mimic.model.identity.users import Group, User

__all__ = [
    "AUTH_EVENT",
    "DEFAULT_DOMAIN_ID",
    "DEFAULT_DOMAIN_NAME",
    "Domain",
    "Group",
    "SessionStore",
    "Tenant",
    "TenantMismatch",
    "TOKEN_LIFETIME",
    "Token",
    "User",
]
