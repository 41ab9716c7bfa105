"""
Identity v3 authentication: what a ``POST /v3/auth/tokens`` request names
(a user by name and domain or by id, a token, a project scope or none) and
the token it earns, decided against the one :class:`SessionStore` that
Identity v2.0 uses too, so the same user and project are the same tenant
through either version.

Mimic accepts any password, as v2.0 does: an unknown user name is a new user.
What it refuses is what a real Keystone would refuse and a test might rely
on: a user id or token Mimic never issued, a user named in the wrong domain,
a project the user does not belong to. Nothing is created until the request
is known to succeed, so a refused request changes no state.
"""

from __future__ import annotations

from typing import Optional, Union

import attrs

from mimic.model.identity import DEFAULT_DOMAIN_ID, Domain, SessionStore, Tenant, Token, User


class AuthenticationFailed(Exception):
    """The credentials or scope do not hold (Keystone answers 401)."""


@attrs.frozen
class DomainRef:
    """A domain named by id or by name, as v3 requests name them."""

    id: Optional[str] = None
    name: Optional[str] = None


@attrs.frozen
class PasswordIdentity:
    """The ``password`` method: a user by id, or by name within a domain."""

    password: str
    user_id: Optional[str] = None
    name: Optional[str] = None
    domain: Optional[DomainRef] = None


@attrs.frozen
class ProjectScope:
    """A project scope: by id, or by name within a domain."""

    id: Optional[str] = None
    name: Optional[str] = None
    domain: Optional[DomainRef] = None


@attrs.frozen
class Unscoped:
    """``"scope": "unscoped"``: a token with no project even if the user has one."""


UNSCOPED = Unscoped()


@attrs.frozen
class AuthRequest:
    """
    A parsed v3 authentication request. ``scope`` is ``None`` when the
    request names none: Keystone then scopes to the user's default project,
    which every Mimic user has (the tenant they were made in).
    """

    methods: tuple[str, ...]
    password: Optional[PasswordIdentity] = None
    token_id: Optional[str] = None
    scope: Union[ProjectScope, Unscoped, None] = None


@attrs.frozen
class AuthTarget:
    """
    Who a request is about, for choosing ``auth`` behaviors before anything
    is decided: the user name and the tenant (id or name) it asks for.
    """

    username: str
    tenant: str


def auth_target(store: SessionStore, request: AuthRequest) -> AuthTarget:
    """The user name and tenant a request names, as far as they are known."""
    user: Optional[User] = None
    username = ""
    if request.password is not None:
        if request.password.user_id is not None:
            user = store.user_by_id(request.password.user_id)
            username = user.username if user else ""
        else:
            username = request.password.name or ""
            user = store.user_by_name(username)
    elif request.token_id is not None:
        token = store.valid_token(request.token_id)
        user = token.user if token else None
        username = user.username if user else ""
    scope = request.scope
    if isinstance(scope, ProjectScope):
        tenant = scope.id or scope.name or ""
    else:
        tenant = user.tenant.id if user else ""
    return AuthTarget(username, tenant)


def authenticate(store: SessionStore, request: AuthRequest) -> Token:
    """
    The token ``request`` earns, or :class:`AuthenticationFailed`.

    Like v2.0, a user keeps one scoped token (and one unscoped token) until
    it expires on Mimic's clock or is revoked.
    """
    user = _identified_user(store, request)
    if isinstance(request.scope, ProjectScope):
        tenant = _scoped_project(store, request.scope, user)
    else:
        tenant = None
    if user is None:
        user = _new_user(store, request.password, tenant)
    elif request.password is not None and user.password is None:
        user.password = request.password.password
    if isinstance(request.scope, Unscoped):
        token = store.unscoped_token_for(user)
    else:
        token = store.token_for(user)
    for method in request.methods:
        token.authenticated_by(method)
    return token


def _identified_user(store: SessionStore, request: AuthRequest) -> Optional[User]:
    """
    The known user the methods identify; ``None`` for a user name Mimic has
    not seen yet (made once the scope is known to be acceptable).
    """
    users: list[Optional[User]] = []
    if request.password is not None:
        users.append(_password_user(store, request.password))
    if request.token_id is not None:
        token = store.valid_token(request.token_id)
        if token is None:
            raise AuthenticationFailed(
                f"Could not find token: {request.token_id} (it is unknown, "
                "revoked or expired)."
            )
        users.append(token.user)
    if len(users) == 2 and users[0] is not users[1]:
        raise AuthenticationFailed("The password and the token identify different users.")
    return users[0]


def _password_user(store: SessionStore, identity: PasswordIdentity) -> Optional[User]:
    if identity.user_id is not None:
        user = store.user_by_id(identity.user_id)
        if user is None:
            raise AuthenticationFailed(f"Could not find user: {identity.user_id}.")
        return user
    assert identity.name is not None and identity.domain is not None
    domain = _find_domain(store, identity.domain)
    user = store.user_by_name(identity.name)
    if user is not None and (domain is None or domain.id != user.domain_id):
        raise AuthenticationFailed(
            f"Could not find user {identity.name!r} in domain "
            f"{_describe(identity.domain)}."
        )
    return user


def _scoped_project(store: SessionStore, scope: ProjectScope,
                    user: Optional[User]) -> Tenant:
    """The tenant a project scope names, checked against the user's."""
    if scope.id is not None:
        tenant = store.known_tenant(scope.id)
        domain_id = DEFAULT_DOMAIN_ID
    else:
        assert scope.name is not None and scope.domain is not None
        tenant = store.find_tenant_named(scope.name)
        domain = _find_domain(store, scope.domain)
        if tenant is not None and (domain is None or domain.id != tenant.domain_id):
            raise AuthenticationFailed(
                f"Could not find project {scope.name!r} in domain "
                f"{_describe(scope.domain)}."
            )
        domain_id = domain.id if domain else ""
    if user is not None:
        if tenant is not user.tenant:
            raise AuthenticationFailed(
                f"User {user.id} has no access to project "
                f"{scope.id or scope.name}; their project is {user.tenant.id}."
            )
        return tenant
    if tenant is not None:
        return tenant
    # A new project for a new user, made now that nothing can fail.
    if scope.id is not None:
        return store.tenant(scope.id, domain_id=domain_id)
    if not domain_id:
        domain_id = _make_domain(store, scope.domain).id
    return store.tenant(scope.name, scope.name, domain_id=domain_id)


def _new_user(store: SessionStore, identity: Optional[PasswordIdentity],
              tenant: Optional[Tenant]) -> User:
    assert identity is not None and identity.name is not None
    domain = _find_domain(store, identity.domain) or _make_domain(store, identity.domain)
    user = store.user(
        identity.name,
        tenant_id=tenant.id if tenant else None,
        domain_id=domain.id,
    )
    user.password = identity.password
    return user


def _find_domain(store: SessionStore, ref: Optional[DomainRef]) -> Optional[Domain]:
    if ref is None:
        return store.known_domain(DEFAULT_DOMAIN_ID)
    if ref.id is not None:
        return store.known_domain(ref.id)
    return store.domain_named(ref.name or "")


def _make_domain(store: SessionStore, ref: Optional[DomainRef]) -> Domain:
    """A domain first mentioned now: by id (named after it) or by name."""
    if ref is None or ref.id is not None:
        return store.domain(ref.id if ref else DEFAULT_DOMAIN_ID)
    return store.domain(store.ids.hex(32), ref.name)


def _describe(ref: Optional[DomainRef]) -> str:
    if ref is None:
        return repr(DEFAULT_DOMAIN_ID)
    return repr(ref.id) if ref.id is not None else f"named {ref.name!r}"
