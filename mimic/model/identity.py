"""
Who is calling: users, tenants (v3 projects), v3 domains and tokens, and the
store that holds all of Mimic's state.

Mimic accepts any credentials, as a test double should, but it remembers
them: the same username always gets the same user, tenant and (until it
expires on Mimic's clock) token. Per-tenant API state hangs off
:class:`Tenant`, so two users naming the same tenant see the same servers.
Everything lives in one :class:`SessionStore`; reset replaces the store.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, TypeVar

import attrs

from mimic.model.behaviors import (
    BehaviorKind,
    BehaviorRegistry,
    CriterionKind,
    Event,
    failure_kind,
)
from mimic.util import IdSource

T = TypeVar("T")

#: Tokens live this long on Mimic's clock, like Rackspace Identity's.
TOKEN_LIFETIME = 24 * 60 * 60

#: The domain every user and project belongs to unless told otherwise
#: (Keystone's own default domain; v2.0 has no domains and uses it).
DEFAULT_DOMAIN_ID = "default"
DEFAULT_DOMAIN_NAME = "Default"

#: What may go wrong when a user authenticates (``IdentityControlAPI``).
AUTH_EVENT = Event(
    name="auth",
    behaviors=(
        failure_kind(
            "unauthorized",
            "Unable to authenticate user with credentials provided.",
            "answer with {code, message, type} instead of a token",
        ),
        BehaviorKind("default", "authenticate normally"),
    ),
    criteria=(CriterionKind("username"), CriterionKind("tenant_id")),
)


class TenantMismatch(Exception):
    """A user asked for a tenant other than the one they belong to."""


@attrs.define(eq=False)
class Domain:
    """An Identity v3 domain: the namespace of users and projects."""

    id: str
    name: str


@attrs.define(eq=False)
class Tenant:
    """A tenant (project): the unit that owns servers, load balancers, ..."""

    id: str
    name: str
    _api_data: dict = attrs.field(factory=dict)
    domain_id: str = DEFAULT_DOMAIN_ID

    def data_for_api(self, key: Any, factory: Callable[[], T]) -> T:
        """
        This tenant's state for one API (``key`` is the API's choice, often
        ``(api name, region)``), made by ``factory`` on first use.
        """
        try:
            return self._api_data[key]
        except KeyError:
            data = self._api_data[key] = factory()
            return data

    def known_data_for_api(self, key: Any) -> Optional[Any]:
        """This tenant's state for one API if it was ever made (makes nothing)."""
        return self._api_data.get(key)


@attrs.define(eq=False)
class User:
    """A user Mimic has seen, with the tenant they belong to."""

    id: str
    username: str
    tenant: Tenant
    api_key: str
    password: Optional[str] = None
    domain_id: str = DEFAULT_DOMAIN_ID


@attrs.define(eq=False)
class Token:
    """
    An issued token. ``impersonator`` names the user who asked for an
    impersonation token, when that is how it was made. An ``unscoped``
    token (Identity v3 only) proves who the user is but carries no
    project, roles or catalog. ``methods`` are the v3 authentication
    methods it was obtained with, as v3 reports them on validation.
    """

    id: str
    user: User
    issued: float
    expires: float
    impersonator: Optional[User] = None
    revoked: bool = False
    unscoped: bool = False
    methods: list = attrs.field(factory=list)

    def authenticated_by(self, method: str) -> None:
        """Remember that ``method`` (``password``, ``token``) produced this token."""
        if method not in self.methods:
            self.methods.append(method)

    @property
    def tenant(self) -> Tenant:
        return self.user.tenant


@attrs.define
class SessionStore:
    """
    All of Mimic's remembered state: users, tenants, tokens, each tenant's
    API data, and global per-API data (behavior registries, Fastly
    customers...). Replaced whole on reset.
    """

    clock: Any
    ids: IdSource
    #: The command line Mimic was started with (read-only), for APIs whose
    #: rules it changes (Nova's ``--strict-refs``).
    options: Any = attrs.field(factory=dict)
    _users: dict[str, User] = attrs.field(factory=dict)
    _users_by_id: dict[str, User] = attrs.field(factory=dict)
    _tenants: dict[str, Tenant] = attrs.field(factory=dict)
    _tokens: dict[str, Token] = attrs.field(factory=dict)
    _primary_tokens: dict[str, Token] = attrs.field(factory=dict)
    _unscoped_tokens: dict[str, Token] = attrs.field(factory=dict)
    _global_data: dict = attrs.field(factory=dict)
    _domains: dict[str, Domain] = attrs.field(
        factory=lambda: {DEFAULT_DOMAIN_ID: Domain(DEFAULT_DOMAIN_ID, DEFAULT_DOMAIN_NAME)}
    )

    def now(self) -> float:
        return self.clock.seconds()

    # domains

    def domain(self, domain_id: str, name: Optional[str] = None) -> Domain:
        """The domain with this id, made on first mention."""
        domain = self._domains.get(domain_id)
        if domain is None:
            domain = self._domains[domain_id] = Domain(domain_id, name or domain_id)
        return domain

    def known_domain(self, domain_id: str) -> Optional[Domain]:
        return self._domains.get(domain_id)

    def domain_named(self, name: str) -> Optional[Domain]:
        """The known domain with this name, if any."""
        for domain in self._domains.values():
            if domain.name == name:
                return domain
        return None

    def domains(self) -> list[Domain]:
        return list(self._domains.values())

    # tenants and users

    def tenant(self, tenant_id: str, name: Optional[str] = None,
               domain_id: str = DEFAULT_DOMAIN_ID) -> Tenant:
        """The tenant with this id, made on first mention (in ``domain_id``)."""
        tenant = self._tenants.get(tenant_id)
        if tenant is None:
            tenant = self._tenants[tenant_id] = Tenant(
                tenant_id, name or tenant_id, domain_id=domain_id
            )
        return tenant

    def tenants(self) -> list[Tenant]:
        return list(self._tenants.values())

    def find_tenant_named(self, name: str) -> Optional[Tenant]:
        """The known tenant with this name, if any (makes nothing)."""
        for tenant in self._tenants.values():
            if tenant.name == name:
                return tenant
        return None

    def tenant_named(self, name: str) -> Tenant:
        """The tenant with this name; Rackspace tenants' ids are their names."""
        return self.find_tenant_named(name) or self.tenant(name, name)

    def known_tenant(self, tenant_id: str) -> Optional[Tenant]:
        return self._tenants.get(tenant_id)

    def user(self, username: str, tenant_id: Optional[str] = None,
             tenant_name: Optional[str] = None,
             domain_id: str = DEFAULT_DOMAIN_ID) -> User:
        """
        The user with this name, made on first mention (in ``domain_id``)
        in the tenant asked for (or a new numeric tenant). A known user
        asking for another tenant raises :class:`TenantMismatch`.
        """
        user = self._users.get(username)
        if user is not None:
            if tenant_id is not None and tenant_id != user.tenant.id:
                raise TenantMismatch(tenant_id)
            if tenant_name is not None and tenant_name != user.tenant.name:
                raise TenantMismatch(tenant_name)
            return user
        if tenant_id is not None:
            tenant = self.tenant(tenant_id, tenant_name)
        elif tenant_name is not None:
            tenant = self.tenant_named(tenant_name)
        else:
            tenant = self.tenant(self._fresh_tenant_id())
        user = User(
            id=self.ids.digits(8),
            username=username,
            tenant=tenant,
            api_key=self.ids.hex(32),
            domain_id=domain_id,
        )
        self._users[username] = user
        self._users_by_id[user.id] = user
        return user

    def _fresh_tenant_id(self) -> str:
        while True:
            candidate = self.ids.digits(6)
            if candidate not in self._tenants:
                return candidate

    def user_by_id(self, user_id: str) -> Optional[User]:
        return self._users_by_id.get(user_id)

    def user_by_name(self, username: str) -> Optional[User]:
        return self._users.get(username)

    def users(self) -> list[User]:
        return list(self._users.values())

    def users_of_tenant(self, tenant: Tenant) -> list[User]:
        return [u for u in self._users.values() if u.tenant is tenant]

    # tokens

    def token_for(self, user: User) -> Token:
        """
        The user's token: the same one each time until it expires on
        Mimic's clock or is revoked, then a new one.
        """
        token = self._primary_tokens.get(user.id)
        if token is None or token.revoked or token.expires <= self.now():
            token = self._issue(user, TOKEN_LIFETIME)
            self._primary_tokens[user.id] = token
        return token

    def unscoped_token_for(self, user: User) -> Token:
        """
        The user's unscoped (Identity v3) token, reused like
        :meth:`token_for`'s until it expires or is revoked.
        """
        token = self._unscoped_tokens.get(user.id)
        if token is None or token.revoked or token.expires <= self.now():
            token = self._issue(user, TOKEN_LIFETIME, unscoped=True)
            self._unscoped_tokens[user.id] = token
        return token

    def _issue(self, user: User, lifetime: float, token_id: Optional[str] = None,
               impersonator: Optional[User] = None, unscoped: bool = False) -> Token:
        now = self.now()
        token = Token(
            id=token_id or self.ids.hex(32),
            user=user,
            issued=now,
            expires=now + lifetime,
            impersonator=impersonator,
            unscoped=unscoped,
        )
        self._tokens[token.id] = token
        return token

    def adopt_token(self, token_id: str, tenant_id: Optional[str] = None,
                    tenant_name: Optional[str] = None) -> Token:
        """
        Authentication by token: a token Mimic issued stands for its user
        (whose tenant must match any tenant named); an unknown one is
        accepted too, as any credentials are, and becomes a new user's.
        """
        token = self.valid_token(token_id)
        if token is not None:
            if tenant_id is not None and tenant_id != token.tenant.id:
                raise TenantMismatch(tenant_id)
            if tenant_name is not None and tenant_name != token.tenant.name:
                raise TenantMismatch(tenant_name)
            # An unscoped (v3) token is exchanged for the user's scoped one.
            return self.token_for(token.user) if token.unscoped else token
        user = self.user(f"token-user-{token_id[:12]}", tenant_id, tenant_name)
        token = self._issue(user, TOKEN_LIFETIME, token_id=token_id)
        self._primary_tokens[user.id] = token
        return token

    def valid_token(self, token_id: str) -> Optional[Token]:
        """The token with this id if it is neither expired nor revoked."""
        token = self._tokens.get(token_id)
        if token is None or token.revoked or token.expires <= self.now():
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

    # global state

    def data_for_api(self, key: Any, factory: Callable[[], T]) -> T:
        """State of one API shared by all tenants, made on first use."""
        try:
            return self._global_data[key]
        except KeyError:
            data = self._global_data[key] = factory()
            return data

    def known_data_for_api(self, key: Any) -> Optional[Any]:
        """Global state of one API if it was ever made (makes nothing)."""
        return self._global_data.get(key)

    def behavior_registry(self, scope: str, event: Event) -> BehaviorRegistry:
        """The global registry of ``event`` behaviors of one API."""
        return self.data_for_api(
            ("behaviors", scope, event.name), lambda: BehaviorRegistry(event, self.ids)
        )
