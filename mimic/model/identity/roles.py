"""
Roles and role assignments: who holds which role where, and so who is an
admin.

One definition of an admin serves every API. A user holds a role on a
project (or a domain, or the system) when an assignment gives it to them
or to a group they are in; roles imply others (Keystone's defaults:
``admin`` implies ``member``, which implies ``reader``). On top of the
assignments, the user named ``admin`` (and every name in
``--admin-users``) holds ``admin`` on every project and on the system, as
devstack's admin does, and every user holds ``member`` on the tenants they
joined by naming them (Mimic's implicit users) and on their default one.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

import attrs

from mimic.model.identity.ids import StableIds

ADMIN = "admin"
MEMBER = "member"
READER = "reader"

#: What ``keystone-manage bootstrap`` makes: three roles, each implying the next.
BUILTIN_ROLES = (ADMIN, MEMBER, READER)
BUILTIN_IMPLICATIONS = ((ADMIN, MEMBER), (MEMBER, READER))

#: The user names that are admins everywhere unless ``--admin-users`` adds more.
DEFAULT_ADMIN_USERS = frozenset({ADMIN})

#: The one system target Keystone knows.
SYSTEM_ALL = "all"

#: How many roles may be implied in one chain (Keystone refuses cycles; a
#: bound keeps the closure cheap whatever an operator builds).
MAX_IMPLICATION_DEPTH = 16


def admin_users(options: Any) -> frozenset:
    """``admin`` and the names ``--admin-users a,b`` adds (a mapping of options)."""
    extra = options.get("admin-users") or ""
    return DEFAULT_ADMIN_USERS | {n.strip() for n in extra.split(",") if n.strip()}


class RoleConflict(Exception):
    """A role, an implication or an assignment that cannot be made as asked."""


@attrs.define(eq=False)
class Role:
    """A role; ``domain_id`` is set for Keystone's domain-specific roles."""

    id: str
    name: str
    domain_id: Optional[str] = None
    description: str = ""
    extra: Optional[dict] = None


@attrs.frozen
class Assignment:
    """
    One role assignment: ``role_id`` held by an actor (``"user"`` or
    ``"group"`` with its id) on a target (``"project"``, ``"domain"`` or
    ``"system"`` with its id). An ``inherited`` assignment applies instead
    to every project of the domain, or of the project's subtree (the
    project itself excluded): Keystone's OS-INHERIT.
    """

    role_id: str
    actor: str
    actor_id: str
    target: str
    target_id: str
    inherited: bool = False


@attrs.define
class RoleBook:
    """Every role, implied role and assignment, with the lookups tokens need."""

    ids: StableIds
    roles: dict = attrs.field(factory=dict)
    implications: dict = attrs.field(factory=dict)
    _assignments: dict = attrs.field(factory=dict)
    _by_actor: dict = attrs.field(factory=dict)
    #: The name tuples already made, shared by every token that carries
    #: the same roles (most tokens carry one of two sets).
    _names: dict = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        for name in BUILTIN_ROLES:
            self.create_role(name)
        for prior, implied in BUILTIN_IMPLICATIONS:
            self.imply(self.role_named(prior).id, self.role_named(implied).id)

    # roles

    def create_role(self, name: str, domain_id: Optional[str] = None,
                    description: str = "") -> Role:
        if self.role_named(name, domain_id) is not None:
            raise RoleConflict(f"Duplicate entry: a role named {name!r} exists.")
        role_id = self.ids.unique("role", f"{domain_id or ''}\x00{name}",
                                  lambda candidate: candidate in self.roles)
        role = self.roles[role_id] = Role(role_id, name, domain_id, description)
        self._names.clear()
        return role

    def role_named(self, name: str, domain_id: Optional[str] = None) -> Optional[Role]:
        for role in self.roles.values():
            if role.name == name and role.domain_id == domain_id:
                return role
        return None

    def delete_role(self, role_id: str) -> list:
        """Forget a role, its implications and its assignments (returned)."""
        del self.roles[role_id]
        self._names.clear()
        self.implications.pop(role_id, None)
        for implied in self.implications.values():
            implied.discard(role_id)
        gone = [a for a in self._assignments if a.role_id == role_id]
        for assignment in gone:
            self.revoke(assignment)
        return gone

    def imply(self, prior_id: str, implied_id: str) -> None:
        if prior_id == implied_id or prior_id in self._closure({implied_id}):
            raise RoleConflict("That implication would make a cycle of roles.")
        self.implications.setdefault(prior_id, set()).add(implied_id)
        self._names.clear()

    def implications_changed(self) -> None:
        """Forget the shared name tuples (a role was renamed)."""
        self._names.clear()

    def unimply(self, prior_id: str, implied_id: str) -> bool:
        implied = self.implications.get(prior_id, set())
        if implied_id not in implied:
            return False
        implied.discard(implied_id)
        self._names.clear()
        return True

    def _closure(self, role_ids: Iterable[str]) -> set:
        """The roles given and every role they imply, transitively."""
        found = set(role_ids)
        frontier = set(found)
        for _ in range(MAX_IMPLICATION_DEPTH):
            frontier = {i for r in frontier for i in self.implications.get(r, ())} - found
            if not frontier:
                break
            found |= frontier
        return found

    def names(self, role_ids: Iterable[str]) -> tuple:
        """Role names, implied ones included, in a stable order."""
        key = frozenset(role_ids)
        found = self._names.get(key)
        if found is None:
            closure = self._closure(key)
            found = self._names[key] = tuple(
                sorted(self.roles[r].name for r in closure if r in self.roles))
        return found

    # assignments

    def grant(self, assignment: Assignment) -> None:
        if assignment.role_id not in self.roles:
            raise RoleConflict(f"Could not find role: {assignment.role_id}.")
        self._assignments[assignment] = None
        self._by_actor.setdefault((assignment.actor, assignment.actor_id),
                                  {})[assignment] = None

    def revoke(self, assignment: Assignment) -> bool:
        if assignment not in self._assignments:
            return False
        del self._assignments[assignment]
        mine = self._by_actor[(assignment.actor, assignment.actor_id)]
        del mine[assignment]
        if not mine:
            del self._by_actor[(assignment.actor, assignment.actor_id)]
        return True

    def has(self, assignment: Assignment) -> bool:
        return assignment in self._assignments

    def assignments(self) -> list:
        return list(self._assignments)

    def of_actor(self, actor: str, actor_id: str) -> list:
        return list(self._by_actor.get((actor, actor_id), ()))

    def forget_actor(self, actor: str, actor_id: str) -> None:
        for assignment in self.of_actor(actor, actor_id):
            self.revoke(assignment)

    def forget_target(self, target: str, target_id: str) -> None:
        for assignment in [a for a in self._assignments
                           if a.target == target and a.target_id == target_id]:
            self.revoke(assignment)

    def direct_role_ids(self, actors: Iterable[tuple], target: str, target_id: str,
                        domain_id: Optional[str] = None,
                        parent_ids: Iterable[str] = ()) -> set:
        """
        The role ids ``actors`` hold on a target: direct assignments, and
        for a project the inherited assignments on its domain and on its
        parent projects (``parent_ids``).
        """
        found = set()
        parents = frozenset(parent_ids)
        for actor in actors:
            for a in self._by_actor.get(actor, ()):
                if a.target == target and a.target_id == target_id and not a.inherited:
                    found.add(a.role_id)
                elif target == "project" and a.inherited and (
                        (a.target == "domain" and a.target_id == domain_id)
                        or (a.target == "project" and a.target_id in parents)):
                    found.add(a.role_id)
        return found
