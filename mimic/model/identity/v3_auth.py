"""
Identity v3 authentication: what a ``POST /v3/auth/tokens`` request names
(a user by name and domain or by id, a token, an application credential; a
project, the system, or no scope) and the token it earns, decided against
the one :class:`SessionStore` that Identity v2.0 uses too, so the same user
and project are the same tenant through either version.

Implicit users (made by authenticating) accept any password, as in v2.0,
and join any project they name. What Mimic refuses is what a real Keystone
would refuse and a test might rely on: a user id or token Mimic never
issued, a user named in the wrong domain, a managed user's wrong password
or a project no role gives them, a disabled user or domain, a system scope
for a user who is no admin. Nothing is created until the request is known
to succeed, so a refused request changes no state. Every authentication
issues a new token, as Keystone does.
"""

from __future__ import annotations

from typing import Optional, Union

import attrs

from mimic.model.identity.projects import DEFAULT_DOMAIN_ID, Domain, Tenant
from mimic.model.identity.store import SessionStore
from mimic.model.identity.tokens import DOMAIN, PROJECT, SYSTEM, Token
from mimic.model.identity.tokens import UNSCOPED as UNSCOPED_TOKEN
from mimic.model.identity.users import User


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
class SystemScope:
    """``"scope": {"system": {"all": true}}``: a token on the whole deployment."""


SYSTEM_SCOPE = SystemScope()


@attrs.frozen
class DomainScope:
    """``"scope": {"domain": {"id"|"name": ...}}``: a token on one domain."""

    domain: DomainRef


@attrs.frozen
class ApplicationCredentialIdentity:
    """The ``application_credential`` method: a credential by id, or by name and user."""

    secret: str
    id: Optional[str] = None
    name: Optional[str] = None
    user_id: Optional[str] = None
    user_name: Optional[str] = None
    user_domain: Optional[DomainRef] = None


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
    application_credential: Optional[ApplicationCredentialIdentity] = None
    scope: Union[ProjectScope, Unscoped, SystemScope, DomainScope, None] = None


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
            domain = _find_domain(store, request.password.domain)
            user = store.user_by_name(username, domain.id) if domain else None
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
    """The new token ``request`` earns, or :class:`AuthenticationFailed`."""
    credential = None
    if request.application_credential is not None:
        credential = _application_credential(store, request.application_credential)
    user = _identified_user(store, request, credential)
    if user is not None:
        _check_enabled(store, user)
    if credential is not None:
        if request.scope is not None and not (
                isinstance(request.scope, ProjectScope)
                and request.scope.id in (None, credential.project.id)
                and request.scope.name in (None, credential.project.name)):
            raise AuthenticationFailed("An application credential is scoped to its "
                                       "project: the request may not name another scope.")
        return store.issue_token(user, PROJECT, credential.project, request.methods,
                                 application_credential=credential,
                                 roles=credential.effective_roles(
                                     store.roles_for(user, credential.project)))
    if isinstance(request.scope, SystemScope):
        # A user Mimic has not seen yet may take a system token only if
        # their name makes them an admin; they are made once that is known.
        name = user.username if user else request.password.name
        if user is None and name in store.admin_users:
            user = _new_user(store, request.password, None)
        if user is None or not store.roles_for(user, None):
            raise AuthenticationFailed(
                f"User {name} has no role on the system: only admins get "
                "system-scoped tokens.")
        return store.issue_token(user, SYSTEM, None, request.methods)
    if isinstance(request.scope, DomainScope):
        return _domain_token(store, request, user)
    plan = None
    if isinstance(request.scope, ProjectScope):
        plan = _scoped_project(store, request.scope, user)
    if user is None:
        user = _new_user(store, request.password, plan)
    tenant = _make_project(store, plan) if plan is not None else None
    if isinstance(request.scope, Unscoped):
        return store.issue_token(user, UNSCOPED_TOKEN, None, request.methods)
    if tenant is not None:
        store.join(user, tenant)
    elif not user.member_by_rule and not store.roles_for(user, user.tenant):
        # A managed or seeded user with no role on their default project
        # (or whose default project was deleted): Keystone then answers an
        # unscoped token.
        return store.issue_token(user, UNSCOPED_TOKEN, None, request.methods)
    return store.issue_token(user, PROJECT, tenant, request.methods)


def _domain_token(store: SessionStore, request: AuthRequest, user: Optional[User]) -> Token:
    """A domain-scoped token, for users holding a role on that domain."""
    domain = _find_domain(store, request.scope.domain)
    if domain is None or not domain.enabled:
        raise AuthenticationFailed(
            f"Could not find domain {_describe(request.scope.domain)} (or it is disabled).")
    name = user.username if user else request.password.name
    if user is None and name in store.admin_users:
        user = _new_user(store, request.password, None)
    if user is None or not store.domain_roles_for(user, domain):
        raise AuthenticationFailed(f"User {name} has no role on domain {domain.id}.")
    return store.issue_token(user, DOMAIN, None, request.methods, domain=domain)


def _check_enabled(store: SessionStore, user: User) -> None:
    domain = store.known_domain(user.domain_id)
    if not user.enabled or (domain is not None and not domain.enabled):
        raise AuthenticationFailed(f"User {user.id} is disabled (or their domain is).")


def _application_credential(store: SessionStore, identity: ApplicationCredentialIdentity):
    from mimic.model.identity.credentials import find_application_credential

    domain = _find_domain(store, identity.user_domain)
    credential = find_application_credential(store, identity, domain.id if domain else None)
    if credential is None:
        raise AuthenticationFailed("Could not find the application credential, or its "
                                   "secret does not match.")
    if credential.expires_at is not None and credential.expires_at <= store.now():
        raise AuthenticationFailed("The application credential has expired.")
    return credential


def _identified_user(store: SessionStore, request: AuthRequest,
                     credential=None) -> Optional[User]:
    """
    The known user the methods identify; ``None`` for a user name Mimic has
    not seen yet (made once the scope is known to be acceptable).
    """
    users: list[Optional[User]] = []
    if credential is not None:
        users.append(credential.user)
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
    if any(u is not users[0] for u in users[1:]):
        raise AuthenticationFailed("The methods given identify different users.")
    return users[0]


def _password_user(store: SessionStore, identity: PasswordIdentity) -> Optional[User]:
    if identity.user_id is not None:
        user = store.user_by_id(identity.user_id)
        if user is None:
            raise AuthenticationFailed(f"Could not find user: {identity.user_id}.")
    else:
        assert identity.name is not None and identity.domain is not None
        domain = _find_domain(store, identity.domain)
        user = store.user_by_name(identity.name, domain.id) if domain is not None else None
        if user is None and domain is not None and not domain.enabled:
            raise AuthenticationFailed(f"Domain {domain.id} is disabled.")
    if user is not None and not user.password_matches(identity.password):
        raise AuthenticationFailed("The request you have made requires authentication: "
                                   f"the password of user {user.id} does not match.")
    return user


@attrs.frozen
class _ProjectPlan:
    """The project a scope names: a known one, or one to make once nothing can fail."""

    tenant: Optional[Tenant] = None
    new_id: Optional[str] = None
    new_name: Optional[str] = None
    domain: Optional[DomainRef] = None
    domain_id: str = DEFAULT_DOMAIN_ID


def _scoped_project(store: SessionStore, scope: ProjectScope,
                    user: Optional[User]) -> _ProjectPlan:
    """What a project scope names, checked against the user's roles."""
    domain_id = DEFAULT_DOMAIN_ID
    if scope.id is not None:
        tenant = store.known_tenant(scope.id)
    else:
        assert scope.name is not None and scope.domain is not None
        domain = _find_domain(store, scope.domain)
        tenant = store.find_tenant_named(scope.name, domain.id if domain else None)
        if tenant is None and store.find_tenant_named(scope.name) is not None and (
                domain is None or store.find_tenant_named(scope.name).domain_id != domain.id):
            raise AuthenticationFailed(
                f"Could not find project {scope.name!r} in domain "
                f"{_describe(scope.domain)}."
            )
        domain_id = domain.id if domain else ""
    if tenant is not None:
        if not tenant.enabled:
            raise AuthenticationFailed(f"Project {tenant.id} is disabled.")
        if user is not None and not store.may_scope(user, tenant):
            raise AuthenticationFailed(
                f"User {user.id} has no access to project {tenant.id}.")
        return _ProjectPlan(tenant=tenant)
    if user is not None and user.managed:
        raise AuthenticationFailed(
            f"User {user.id} has no access to project {scope.id or scope.name}.")
    if scope.id is not None:
        return _ProjectPlan(new_id=scope.id, new_name=scope.id)
    return _ProjectPlan(new_id=scope.name, new_name=scope.name, domain=scope.domain,
                        domain_id=domain_id)


def _make_project(store: SessionStore, plan: _ProjectPlan) -> Tenant:
    """The planned project, made now if new (in its domain, made too if new)."""
    if plan.tenant is not None:
        return plan.tenant
    domain_id = plan.domain_id or _make_domain(store, plan.domain).id
    return store.tenant(plan.new_id, plan.new_name, domain_id=domain_id)


def _new_user(store: SessionStore, identity: Optional[PasswordIdentity],
              plan: Optional[_ProjectPlan]) -> User:
    assert identity is not None and identity.name is not None
    domain = _find_domain(store, identity.domain) or _make_domain(store, identity.domain)
    tenant = _make_project(store, plan) if plan is not None else None
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
    """A domain first mentioned now: by id (named after it) or by name (id derived)."""
    if ref is None or ref.id is not None:
        return store.domain(ref.id if ref else DEFAULT_DOMAIN_ID)
    return store.domain_by_name(ref.name or "")


def _describe(ref: Optional[DomainRef]) -> str:
    if ref is None:
        return repr(DEFAULT_DOMAIN_ID)
    return repr(ref.id) if ref.id is not None else f"named {ref.name!r}"
