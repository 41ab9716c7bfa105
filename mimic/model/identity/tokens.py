"""
Tokens: what authentication earns, on Mimic's clock.

Identity v2.0 keeps the original's one token per user (and tenant) until it
expires or is revoked, which old suites rely on. Keystone v3 issues a new
token on every authentication, each revocable alone; those are kept in a
bounded ring (:data:`MAX_V3_TOKENS`): clients that see Mimic's 1970 tokens
as expired authenticate before every request, and the oldest of their
tokens are the ones forgotten.
"""

from __future__ import annotations

from typing import Any, Optional

import attrs

from mimic.model.identity.projects import Tenant
from mimic.model.identity.roles import ADMIN
from mimic.model.identity.users import User

#: Tokens live this long on Mimic's clock, like Rackspace Identity's.
TOKEN_LIFETIME = 24 * 60 * 60

#: The longest lifetime an impersonation token may ask for (ten years).
MAX_TOKEN_LIFETIME = 10 * 365 * 24 * 60 * 60

#: The last second the APIs' timestamps can show (9999-12-31T23:59:59Z).
LAST_SHOWABLE_SECOND = 253402300799

#: How many v3 tokens Mimic remembers at once; past it, the oldest go.
MAX_V3_TOKENS = 100_000

#: A token's scope: a project (its ``tenant``), a domain, none, or the
#: whole system.
PROJECT = "project"
DOMAIN = "domain"
UNSCOPED = "unscoped"
SYSTEM = "system"


def lifetime_fits(now: float, lifetime: float) -> bool:
    """Whether a token issued ``now`` for ``lifetime`` s has an expiry the APIs can show."""
    return now + lifetime <= LAST_SHOWABLE_SECOND


@attrs.define(eq=False)
class Token:
    """
    An issued token. ``tenant`` is the project it is scoped to (for an
    unscoped or system token, the user's default tenant, so that APIs that
    only read ``token.tenant.id`` still find one). ``impersonator`` names
    the user who asked for an impersonation token. ``methods`` are the v3
    authentication methods it was obtained with; ``roles`` the names of the
    roles its user held on its scope when it was issued.
    """

    id: str
    user: User
    issued: float
    expires: float
    tenant: Optional[Tenant] = None
    impersonator: Optional[User] = None
    revoked: bool = False
    scope: str = PROJECT
    methods: tuple = ()
    roles: tuple = ()
    application_credential: Any = None
    #: The domain of a domain-scoped token.
    domain: Any = None

    def __attrs_post_init__(self) -> None:
        if self.tenant is None:
            self.tenant = self.user.tenant

    @property
    def unscoped(self) -> bool:
        return self.scope == UNSCOPED

    @property
    def system(self) -> bool:
        return self.scope == SYSTEM

    @property
    def is_admin(self) -> bool:
        """
        Whether the token's user may act as an operator on its scope: it
        carries the ``admin`` role (see :mod:`mimic.model.identity.roles`).
        """
        return ADMIN in self.roles

    def authenticated_by(self, method: str) -> None:
        """Remember that ``method`` (``password``, ``token``) produced this token."""
        if method not in self.methods:
            self.methods = (*self.methods, method)

    def valid_at(self, now: float) -> bool:
        return not self.revoked and self.expires > now


@attrs.define
class TokenBook:
    """Every token by id, the reused v2.0 tokens and the ring of v3 ones."""

    _tokens: dict = attrs.field(factory=dict)
    _reused: dict = attrs.field(factory=dict)
    _ring: dict = attrs.field(factory=dict)
    capacity: int = MAX_V3_TOKENS

    def add(self, token: Token, ring: bool = False) -> Token:
        self._tokens[token.id] = token
        if ring:
            self._ring[token.id] = None
            while len(self._ring) > self.capacity:
                oldest = next(iter(self._ring))
                del self._ring[oldest]
                self._tokens.pop(oldest, None)
        return token

    def get(self, token_id: str) -> Optional[Token]:
        return self._tokens.get(token_id)

    def reused(self, key: Any) -> Optional[Token]:
        return self._reused.get(key)

    def reuse(self, key: Any, token: Token) -> None:
        self._reused[key] = token

    def forget_reuse(self, key: Any) -> None:
        self._reused.pop(key, None)

    def of_user(self, user: User) -> list:
        return [t for t in self._tokens.values() if t.user is user]

    def all(self) -> list:
        return list(self._tokens.values())
