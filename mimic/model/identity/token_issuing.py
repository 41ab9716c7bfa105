"""
The tokens the store issues: Identity v2.0's one token per user and tenant
until it expires or is revoked, Keystone v3's new token per
authentication, tokens adopted (v2.0 authentication by a token) and
impersonation tokens, each with the roles its scope gives, and their
revocation. A part of :class:`mimic.model.identity.store.SessionStore`,
which holds them (``tokens``, a :class:`~mimic.model.identity.tokens.TokenBook`)
and knows the users, tenants and roles they are for.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from mimic.model.identity.projects import Tenant
from mimic.model.identity.tokens import DOMAIN, PROJECT, SYSTEM, TOKEN_LIFETIME, UNSCOPED, Token
from mimic.model.identity.users import User


class TokenIssuing:
    """The token half of :class:`~mimic.model.identity.store.SessionStore`."""

    __slots__ = ()

    def token_for(self, user: User, tenant: Optional[Tenant] = None) -> Token:
        """
        The user's v2.0 token on ``tenant`` (their default one if not
        given): the same one each time until it expires on Mimic's clock or
        is revoked, then a new one.
        """
        tenant = tenant or user.tenant
        key = user.id if tenant is user.tenant else (user.id, tenant.id)
        token = self.tokens.reused(key)
        if token is None or not token.valid_at(self.now()):
            token = self._issue(user, TOKEN_LIFETIME, tenant=tenant)
            self.tokens.reuse(key, token)
        return token

    def issue_token(self, user: User, scope: str = PROJECT, tenant: Optional[Tenant] = None,
                    methods: Iterable[str] = (), lifetime: float = TOKEN_LIFETIME,
                    **fields: Any) -> Token:
        """A new Keystone v3 token, whatever the user already holds."""
        return self._issue(user, lifetime, tenant=tenant, scope=scope,
                           methods=tuple(dict.fromkeys(methods)), ring=True, **fields)

    def unscoped_token_for(self, user: User) -> Token:
        """A new unscoped (Identity v3) token: no project, roles or catalog."""
        return self.issue_token(user, UNSCOPED)

    def _issue(self, user: User, lifetime: float, token_id: Optional[str] = None,
               tenant: Optional[Tenant] = None, scope: str = PROJECT,
               ring: bool = False, **fields: Any) -> Token:
        now = self.now()
        if "roles" in fields:
            roles = fields.pop("roles")
        elif scope == PROJECT:
            roles = self.roles_for(user, tenant or user.tenant)
        elif scope == SYSTEM:
            roles = self.roles_for(user, None)
        elif scope == DOMAIN:
            roles = self.domain_roles_for(user, fields["domain"])
        else:
            roles = ()
        token = Token(
            # One draw of 128 bits rather than 32 of a hex digit each: v3
            # issues a token per authentication, and that made the id the
            # largest cost of one.
            id=token_id or f"{self.ids.integer(0, 2 ** 128 - 1):032x}",
            user=user,
            issued=now,
            expires=now + lifetime,
            tenant=tenant,
            scope=scope,
            roles=roles,
            **fields,
        )
        return self.tokens.add(token, ring=ring)

    def adopt_token(self, token_id: str, tenant_id: Optional[str] = None,
                    tenant_name: Optional[str] = None) -> Token:
        """
        v2.0 authentication by token: a token Mimic issued stands for its
        user (on the tenant named, which they join, or the token's own); an
        unknown one is accepted too, as any credentials are, and becomes a
        new user's.
        """
        token = self.valid_token(token_id)
        if token is not None:
            if tenant_id is None and tenant_name is None:
                if token.scope == PROJECT:
                    return token
                # An unscoped or system (v3) token is exchanged for the
                # user's scoped one.
                return self.token_for(token.user)
            tenant = self.scope_for(token.user, tenant_id, tenant_name)
            if tenant is token.tenant and token.scope == PROJECT:
                return token
            return self.token_for(token.user, tenant)
        user = self.user(f"token-user-{token_id[:12]}", tenant_id, tenant_name)
        tenant = self.scope_for(user, tenant_id, tenant_name)
        token = self._issue(user, TOKEN_LIFETIME, token_id=token_id, tenant=tenant)
        self.tokens.reuse(user.id if tenant is user.tenant else (user.id, tenant.id), token)
        return token

    def valid_token(self, token_id: str) -> Optional[Token]:
        """The token with this id if it is neither expired nor revoked."""
        token = self.tokens.get(token_id)
        if token is None or not token.valid_at(self.now()):
            return None
        return token

    def impersonate(self, impersonator: Optional[User], username: str,
                    lifetime: float) -> Token:
        """A new token acting as ``username``, valid for ``lifetime`` s."""
        return self._issue(self.user(username), lifetime, impersonator=impersonator)

    def revoke(self, token_id: str) -> bool:
        token = self.valid_token(token_id)
        if token is None:
            return False
        token.revoked = True
        return True

    def revoke_tokens_of(self, user: User, tenant: Optional[Tenant] = None) -> None:
        """
        Revoke every token of ``user`` (on ``tenant`` only, if given): what
        Keystone does when a user is disabled, their password changes, or a
        role assignment is removed.
        """
        for token in self.tokens.of_user(user):
            if tenant is None or (token.tenant is tenant and token.scope == PROJECT):
                token.revoked = True
