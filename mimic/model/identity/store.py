"""
The store of all of Mimic's state: users, tenants, domains, groups, roles
and tokens (Identity's own), each tenant's API data, and the global per-API
data (behavior registries, Fastly customers...). Replaced whole on reset.

Mimic accepts any credentials, as a test double should, but it remembers
them: the same username always gets the same user, with an id derived from
the name and ``--seed`` (:mod:`mimic.model.identity.ids`), so ids are the
same in every run whatever authenticated first. A user naming a tenant they
have not used before joins it.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional, TypeVar

import attrs

from mimic.model.behaviors import BehaviorRegistry, Event
from mimic.model.identity.credentials import CredentialBook
from mimic.model.identity.ids import StableIds, tenant_id_of_user
from mimic.model.identity.federation import FederationBook
from mimic.model.identity.limits import LimitBook
from mimic.model.identity.projects import (
    DEFAULT_DOMAIN_ID,
    DEFAULT_DOMAIN_NAME,
    MAX_HIERARCHY_DEPTH,
    Domain,
    Tenant,
)
from mimic.model.identity.roles import (
    ADMIN,
    DEFAULT_ADMIN_USERS,
    MEMBER,
    SYSTEM_ALL,
    Assignment,
    RoleBook,
)
from mimic.model.identity.services import ServiceBook
from mimic.model.identity.token_issuing import TokenIssuing
from mimic.model.identity.tokens import PROJECT, Token, TokenBook
from mimic.model.identity.users import Group, User
from mimic.util import IdSource

T = TypeVar("T")


class TenantMismatch(Exception):
    """A managed user asked for a tenant no role assignment gives them."""


@attrs.define
class SessionStore(TokenIssuing):
    """
    All of Mimic's remembered state (the tokens it issues are
    :class:`~mimic.model.identity.token_issuing.TokenIssuing`'s). ``admin_users`` are the user names
    that hold ``admin`` everywhere (``admin`` and ``--admin-users``).
    """

    clock: Any
    ids: IdSource
    admin_users: frozenset = attrs.field(default=DEFAULT_ADMIN_USERS, converter=frozenset)
    #: The command line Mimic was started with (read-only), for APIs whose
    #: rules it changes (Nova's ``--strict-refs``).
    options: Any = attrs.field(factory=dict)
    stable: StableIds = attrs.field(init=False)
    roles: RoleBook = attrs.field(init=False)
    tokens: TokenBook = attrs.field(factory=TokenBook)
    services: ServiceBook = attrs.field(factory=ServiceBook)
    credentials: CredentialBook = attrs.field(factory=CredentialBook)
    limits: LimitBook = attrs.field(factory=LimitBook)
    federation: FederationBook = attrs.field(factory=FederationBook)
    #: Users by domain id, then name: names are unique within a domain, as
    #: in Keystone, and repeat across domains. (Nested rather than keyed by
    #: pairs: a pair per user is a tenth of what a user costs.)
    _users: dict = attrs.field(factory=dict)
    _users_by_id: dict = attrs.field(factory=dict)
    _tenants: dict = attrs.field(factory=dict)
    #: Tenants by name, so that authentication by project name scans no
    #: list of every tenant: the one tenant of that name, or a list of them
    #: when the name repeats (across domains). A tenant whose name is its id
    #: and that no other tenant shares it with (every user who only
    #: authenticates has one) is found through ``_tenants`` and has no
    #: entry: its entry and list were a seventh of what such a user cost.
    _tenant_names: dict = attrs.field(factory=dict)
    _groups: dict = attrs.field(factory=dict)
    _global_data: dict = attrs.field(factory=dict)
    _domains: dict = attrs.field(
        factory=lambda: {DEFAULT_DOMAIN_ID: Domain(DEFAULT_DOMAIN_ID, DEFAULT_DOMAIN_NAME)}
    )
    #: Within :meth:`first_mentions`, the tenants first mentioned, not yet
    #: kept: one request sees one of each. None otherwise.
    _unkept: Optional[dict] = None
    #: What :meth:`first_mentions` holds lasts one request: a snapshot
    #: (taken during one) leaves it out, and a restored store starts without.
    __snapshot_derived__ = ("_unkept",)

    def __snapshot_restore__(self) -> None:
        self._unkept = None
        # Users by domain and name follow from users by id. Rebuilt here
        # because a state file written before names were made unique per
        # domain keyed them by name alone ({name: user}).
        self._users = {}
        for user in self._users_by_id.values():
            self._users.setdefault(user.domain_id, {})[user.username] = user

    def __attrs_post_init__(self) -> None:
        self.stable = StableIds(self.ids.seed)
        self.roles = RoleBook(self.stable)

    def now(self) -> float:
        return self.clock.seconds()

    # domains

    def domain(self, domain_id: str, name: Optional[str] = None) -> Domain:
        """The domain with this id, made on first mention."""
        domain = self._domains.get(domain_id)
        if domain is None:
            domain = self._domains[domain_id] = Domain(domain_id, name or domain_id)
        return domain

    def domain_by_name(self, name: str) -> Domain:
        """The domain with this name, made on first mention with an id derived from it."""
        found = self.domain_named(name)
        if found is not None:
            return found
        domain_id = self.stable.unique("domain", name, lambda c: c in self._domains)
        return self.domain(domain_id, name)

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

    def delete_domain(self, domain: Domain) -> None:
        del self._domains[domain.id]
        self.roles.forget_target("domain", domain.id)

    # tenants

    def tenant(self, tenant_id: str, name: Optional[str] = None,
               domain_id: str = DEFAULT_DOMAIN_ID) -> Tenant:
        """The tenant with this id, made on first mention (in ``domain_id``)."""
        tenant = self._tenants.get(tenant_id)
        if tenant is None and self._unkept is not None:
            tenant = self._unkept.get(tenant_id)
            if tenant is None:
                tenant = self._unkept[tenant_id] = Tenant(
                    tenant_id, name or tenant_id, domain_id=domain_id)
        elif tenant is None:
            tenant = self._tenants[tenant_id] = Tenant(
                tenant_id, name or tenant_id, domain_id=domain_id
            )
            self._name(tenant)
        return tenant

    @contextmanager
    def first_mentions(self) -> Iterator[dict]:
        """
        Within this (one request), a tenant Mimic has never seen is made,
        with whatever API state the request gives it, but not kept: it is
        in the yielded ``{id: tenant}`` for the caller to :meth:`keep` (a
        change that succeeded) or drop (a read, a refusal). Otherwise a
        client could grow Mimic without bound by inventing tenant ids in
        URLs. A tenant that gets a user is kept at once.
        """
        before = self._unkept
        mentioned = self._unkept = {} if before is None else before
        try:
            yield mentioned
        finally:
            self._unkept = before
            if before is None:
                for tenant in mentioned.values():
                    if self._tenants.get(tenant.id) is not tenant:
                        tenant.forgotten()

    def keep(self, tenants: dict) -> None:
        """Remember tenants :meth:`first_mentions` made."""
        for tenant in tenants.values():
            self._keep_tenant(tenant)

    def _keep_tenant(self, tenant: Tenant) -> Tenant:
        if self._tenants.setdefault(tenant.id, tenant) is tenant:
            self._name(tenant)
        return tenant

    def _kept(self, tenant: Tenant) -> Tenant:
        if self._unkept is not None and self._unkept.pop(tenant.id, None) is not None:
            self._keep_tenant(tenant)
        return tenant

    def tenants(self) -> list[Tenant]:
        return list(self._tenants.values())

    def find_tenant_named(self, name: str, domain_id: Optional[str] = None) -> Optional[Tenant]:
        """The known tenant with this name (in ``domain_id`` if given); makes nothing."""
        for tenant in self._named(name):
            if domain_id is None or tenant.domain_id == domain_id:
                return tenant
        return None

    def parents_of(self, tenant: Tenant) -> list[Tenant]:
        """The project's parent projects, nearest first (bounded, cycle-proof)."""
        found: list = []
        current = tenant
        while current.parent_id is not None and len(found) < MAX_HIERARCHY_DEPTH:
            parent = self._tenants.get(current.parent_id)
            if parent is None or parent in found or parent is tenant:
                break
            found.append(parent)
            current = parent
        return found

    def children_by_parent(self) -> dict:
        """Every project with children, by id: its child projects."""
        children: dict = {}
        for candidate in self._tenants.values():
            if candidate.parent_id is not None:
                children.setdefault(candidate.parent_id, []).append(candidate)
        return children

    def descendants_of(self, tenant: Tenant) -> list[Tenant]:
        """The project's subtree, nearest first (bounded, cycle-proof)."""
        children = self.children_by_parent()
        found: list = []
        frontier = [tenant]
        for _ in range(MAX_HIERARCHY_DEPTH):
            frontier = [c for t in frontier for c in children.get(t.id, ())
                        if c not in found and c is not tenant]
            if not frontier:
                break
            found += frontier
        return found

    def rename_tenant(self, tenant: Tenant, name: str) -> None:
        self._unname(tenant)
        tenant.name = name
        self._name(tenant)

    def _named(self, name: str) -> list:
        """The tenants named ``name``, first named first."""
        found = self._tenant_names.get(name)
        if found is None:
            alone = self._tenants.get(name)
            return [alone] if alone is not None and alone.name == name else []
        return found if isinstance(found, list) else [found]

    def _name(self, tenant: Tenant) -> None:
        """Index ``tenant`` under its name, after the others of that name."""
        named = self._named(tenant.name)
        if tenant not in named:
            self._index_named(tenant.name, [*named, tenant])

    def _unname(self, tenant: Tenant) -> None:
        self._index_named(tenant.name,
                          [other for other in self._named(tenant.name) if other is not tenant])

    def _index_named(self, name: str, named: list) -> None:
        if not named or (len(named) == 1 and named[0].id == name):
            self._tenant_names.pop(name, None)
        else:
            self._tenant_names[name] = named[0] if len(named) == 1 else named

    def tenant_named(self, name: str) -> Tenant:
        """The tenant with this name; Rackspace tenants' ids are their names."""
        return self.find_tenant_named(name) or self.tenant(name, name)

    def known_tenant(self, tenant_id: str) -> Optional[Tenant]:
        return self._tenants.get(tenant_id)

    def delete_tenant(self, tenant: Tenant) -> None:
        del self._tenants[tenant.id]
        self._unname(tenant)
        self.roles.forget_target("project", tenant.id)
        self.services.forget_project(tenant.id)
        for token in self.tokens.all():
            if token.tenant is tenant and token.scope == PROJECT:
                token.revoked = True

    # users

    def user(self, username: str, tenant_id: Optional[str] = None,
             tenant_name: Optional[str] = None,
             domain_id: str = DEFAULT_DOMAIN_ID) -> User:
        """
        The user with this name, made on first mention (in ``domain_id``)
        in the tenant asked for, or else in a tenant of their own whose id
        is derived from theirs. A known user is returned as they are: see
        :meth:`scope_for` for the tenant a request asks for.
        """
        user = self.user_by_name(username, domain_id)
        if user is not None:
            return user
        user_id = self._new_user_id(username, domain_id)
        if tenant_id is not None:
            tenant = self.tenant(tenant_id, tenant_name)
        elif tenant_name is not None:
            tenant = self.tenant_named(tenant_name)
        else:
            own = tenant_id_of_user(user_id)
            tenant = self.tenant(own, own, domain_id=domain_id)
        return self._remember(User(id=user_id, username=username, tenant=tenant,
                                   domain_id=domain_id))

    def create_user(self, username: str, tenant: Tenant, domain_id: str,
                    password: Optional[str], **fields: Any) -> User:
        """A managed user (Keystone v3 ``POST /v3/users``), whose password counts."""
        user_id = self._new_user_id(username, domain_id)
        return self._remember(User(id=user_id, username=username, tenant=tenant,
                                   domain_id=domain_id, password=password,
                                   managed=True, **fields))

    def _new_user_id(self, username: str, domain_id: str) -> str:
        """
        An id derived from the name, and the domain beyond the default
        one, so that the same user has the same id whatever came first.
        """
        name = username if domain_id == DEFAULT_DOMAIN_ID else f"{domain_id}\x00{username}"
        return self.stable.unique("user", name, lambda c: c in self._users_by_id)

    def _remember(self, user: User) -> User:
        self._kept(user.tenant)
        self._users.setdefault(user.domain_id, {})[user.username] = user
        self._users_by_id[user.id] = user
        return user

    def delete_user(self, user: User) -> None:
        self._unname_user(user)
        del self._users_by_id[user.id]
        self.roles.forget_actor("user", user.id)
        self.credentials.forget_user(user)
        for group in self._groups.values():
            group.members.discard(user.id)
        self.revoke_tokens_of(user)

    def rename_user(self, user: User, username: str) -> None:
        self._unname_user(user)
        user.username = username
        self._users.setdefault(user.domain_id, {})[username] = user

    def _unname_user(self, user: User) -> None:
        named = self._users[user.domain_id]
        del named[user.username]
        if not named:
            del self._users[user.domain_id]

    def user_by_id(self, user_id: str) -> Optional[User]:
        return self._users_by_id.get(user_id)

    def user_by_name(self, username: str,
                     domain_id: str = DEFAULT_DOMAIN_ID) -> Optional[User]:
        """The known user with this name in ``domain_id``; makes nothing."""
        return self._users.get(domain_id, {}).get(username)

    def users(self) -> list[User]:
        return list(self._users_by_id.values())

    def users_of_tenant(self, tenant: Tenant) -> list[User]:
        """The users whose default tenant this is or who hold a role on it."""
        holders = {a.actor_id for a in self.roles.assignments()
                   if a.actor == "user" and a.target == "project"
                   and a.target_id == tenant.id}
        return [u for u in self._users_by_id.values() if u.tenant is tenant or u.id in holders]

    # groups

    def create_group(self, name: str, domain_id: str, description: str = "") -> Group:
        group_id = self.stable.unique("group", f"{domain_id}\x00{name}",
                                      lambda c: c in self._groups)
        group = self._groups[group_id] = Group(group_id, name, domain_id, description)
        return group

    def group(self, group_id: str) -> Optional[Group]:
        return self._groups.get(group_id)

    def groups(self) -> list[Group]:
        return list(self._groups.values())

    def groups_of(self, user: User) -> list[Group]:
        return [g for g in self._groups.values() if user.id in g.members]

    def delete_group(self, group: Group) -> None:
        del self._groups[group.id]
        self.roles.forget_actor("group", group.id)

    # who may do what

    def is_admin_user(self, user: User) -> bool:
        """Whether the user is an admin everywhere by name (``admin``, ``--admin-users``)."""
        return user.username in self.admin_users

    def _actors(self, user: User) -> list:
        return [("user", user.id), *(("group", g.id) for g in self.groups_of(user))]

    def roles_for(self, user: User, tenant: Optional[Tenant] = None) -> tuple:
        """
        The names of the roles ``user`` holds on ``tenant`` (on the system
        when ``None``), implied roles included: what their tokens carry and
        what every API's policy reads (``token.is_admin``).
        """
        role_ids = set()
        if tenant is None:
            role_ids |= self.roles.direct_role_ids(self._actors(user), "system", SYSTEM_ALL)
        else:
            role_ids |= self.roles.direct_role_ids(
                self._actors(user), "project", tenant.id, tenant.domain_id,
                [parent.id for parent in self.parents_of(tenant)])
            if tenant is user.tenant and user.member_by_rule:
                role_ids.add(self.roles.role_named(MEMBER).id)
        if self.is_admin_user(user):
            role_ids.add(self.roles.role_named(ADMIN).id)
        return self.roles.names(role_ids)

    def domain_roles_for(self, user: User, domain: Domain) -> tuple:
        """The roles ``user`` holds on ``domain`` (``admin`` for admins by name)."""
        role_ids = self.roles.direct_role_ids(self._actors(user), "domain", domain.id)
        if self.is_admin_user(user):
            role_ids.add(self.roles.role_named(ADMIN).id)
        return self.roles.names(role_ids)

    def projects_of(self, user: User) -> list[Tenant]:
        """The tenants ``user`` may scope to (every one for an admin by name)."""
        if self.is_admin_user(user):
            return self.tenants()
        found = {user.tenant.id: user.tenant} if user.member_by_rule else {}
        actors = set(self._actors(user))
        for assignment in self.roles.assignments():
            if (assignment.actor, assignment.actor_id) not in actors:
                continue
            if assignment.target == "project":
                tenant = self._tenants.get(assignment.target_id)
                if tenant is None:
                    continue
                for reached in (self.descendants_of(tenant) if assignment.inherited
                                else [tenant]):
                    found[reached.id] = reached
            elif assignment.target == "domain" and assignment.inherited:
                for tenant in self._tenants.values():
                    if tenant.domain_id == assignment.target_id:
                        found[tenant.id] = tenant
        return list(found.values())

    def may_scope(self, user: User, tenant: Tenant) -> bool:
        """Whether ``user`` may have a token on ``tenant`` (implicit users always)."""
        return not user.managed or bool(self.roles_for(user, tenant))

    def join(self, user: User, tenant: Tenant) -> None:
        """An implicit user naming ``tenant`` becomes a member of it."""
        if tenant is user.tenant or user.managed:
            return
        member = Assignment(self.roles.role_named(MEMBER).id, "user", user.id,
                            "project", tenant.id)
        if not self.roles.has(member):
            self.roles.grant(member)

    def scope_for(self, user: User, tenant_id: Optional[str] = None,
                  tenant_name: Optional[str] = None) -> Tenant:
        """
        The tenant a v2.0 request names for ``user`` (their default when
        it names none), made if new and joined by an implicit user. A
        managed user naming a tenant they hold no role on raises
        :class:`TenantMismatch`; nothing is made then.
        """
        if tenant_id is None and tenant_name is None:
            if not self.may_scope(user, user.tenant):
                raise TenantMismatch(user.tenant.id)
            return user.tenant
        if tenant_id is not None:
            tenant = self.known_tenant(tenant_id)
            if tenant is not None and tenant_name is not None and tenant.name != tenant_name:
                raise TenantMismatch(tenant_name)
        else:
            tenant = self.find_tenant_named(tenant_name)
        if tenant is None:
            if user.managed:
                raise TenantMismatch(tenant_id or tenant_name)
            tenant = self.tenant(tenant_id, tenant_name) if tenant_id else self.tenant_named(
                tenant_name)
        if not self.may_scope(user, tenant):
            raise TenantMismatch(tenant_id or tenant_name)
        self.join(user, tenant)
        return tenant

    # global state

    def data_for_api(self, key: Any, factory: Callable[[], T]) -> T:
        """State of one API shared by all tenants, made on first use."""
        try:
            return self._global_data[key]
        except KeyError:
            data = self._global_data[key] = factory()
            return data

    def forget_global_data(self, which: Callable[[Any], bool]) -> None:
        """Forget the global API data whose key ``which`` accepts."""
        for key in [k for k in self._global_data if which(k)]:
            del self._global_data[key]

    def global_data(self) -> dict:
        """Every API's global state, by key (for snapshots)."""
        return self._global_data

    def known_data_for_api(self, key: Any) -> Optional[Any]:
        """Global state of one API if it was ever made (makes nothing)."""
        return self._global_data.get(key)

    def forget_api_data(self, key: Any) -> None:
        """Drop one API's global state (a cache that no longer holds)."""
        self._global_data.pop(key, None)

    def behavior_registry(self, scope: str, event: Event) -> BehaviorRegistry:
        """The global registry of ``event`` behaviors of one API."""
        return self.data_for_api(
            ("behaviors", scope, event.name), lambda: BehaviorRegistry(event, self.ids)
        )
