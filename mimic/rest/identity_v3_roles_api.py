"""
Keystone v3 roles, implied roles, grants and role assignments
(``/identity/v3/roles``, ``/role_inferences``,
``/projects|domains|system/.../users|groups/.../roles/<role>``,
``/OS-INHERIT/...``, ``/role_assignments``), writable by admins.

A grant adds its role (and the roles it implies) to the tokens its user
gets from then on; revoking one revokes the user's tokens on that target,
as Keystone does. ``GET /v3/role_assignments`` lists what is stored and
what Mimic's own rules give (each implicit user's ``member`` role on their
default tenant, ``admin`` on the system for admins by name); ``effective``
expands groups, inherited domain grants and implied roles.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from mimic.klein_rendering import MimicKlein

from mimic.model.identity.roles import (
    ADMIN,
    MEMBER,
    SYSTEM_ALL,
    Assignment,
    RoleConflict,
)
from mimic.rest.http import (
    RequestError,
    empty_response,
    install_error_handlers,
    json_response,
)
from mimic.rest.identity_common import keystone_error_body
from mimic.rest.identity_v3_common import (
    MAX_DESCRIPTION,
    KeystoneRoutes,
    entity,
    extras,
    filtered,
    has_flag,
    links,
    listing,
    query,
    role_json,
    single,
    text,
    v3_url,
)

ROLE_FIELDS = ("name", "domain_id", "description", "options")


#: Where grants live: a project's or domain's roles of a user or group, and
#: the system's (each with ``/<role_id>`` for one grant).
GRANTS = ("/<any(projects,domains):kind>/<target_id>/<any(users,groups):actor_kind>/"
          "<actor_id>/roles")
SYSTEM_GRANTS = "/system/<any(users,groups):actor_kind>/<actor_id>/roles"


class IdentityV3RolesApi(KeystoneRoutes):
    """Roles and who holds them."""

    app = MimicKlein()

    # roles

    @app.route("/roles", methods=["GET"])
    def roles(self, request: Any) -> bytes:
        self.caller(request)
        roles = list(self.store.roles.roles.values())
        domain_id = query(request, "domain_id")
        roles = [r for r in roles if r.domain_id == domain_id]
        roles = filtered(request, roles, {"name": lambda r: r.name})
        return listing(request, "roles", roles, role_json)

    @app.route("/roles", methods=["POST"])
    def create_role(self, request: Any) -> bytes:
        self.admin(request, "create_role")
        body = entity(request, "role")
        extra = extras(body, ROLE_FIELDS, "role")
        name = text(body, "name", "role", required=True)
        domain_id = text(body, "domain_id", "role")
        if domain_id is not None:
            self.domain(domain_id)
        description = text(body, "description", "role", limit=MAX_DESCRIPTION,
                           empty=True) or ""
        try:
            role = self.store.roles.create_role(name, domain_id, description)
        except RoleConflict as conflict:
            raise RequestError(409, f"Conflict occurred attempting to store role - "
                               f"{conflict}") from None
        role.extra = extra
        return single(request, "role", role, role_json, code=201)

    @app.route("/roles/<role_id>", methods=["GET"])
    def show_role(self, request: Any, role_id: str) -> bytes:
        self.caller(request)
        return single(request, "role", self.role(role_id), role_json)

    @app.route("/roles/<role_id>", methods=["PATCH"])
    def update_role(self, request: Any, role_id: str) -> bytes:
        self.admin(request, "update_role")
        role = self.role(role_id)
        body = entity(request, "role", update=True)
        extra = extras(body, ROLE_FIELDS, "role", role.extra)
        name = text(body, "name", "role")
        description = text(body, "description", "role", limit=MAX_DESCRIPTION, empty=True)
        if name is not None and name != role.name:
            if role.name in (ADMIN, MEMBER) and role.domain_id is None:
                raise RequestError(403, f"The {role.name!r} role is Mimic's definition "
                                   "of who may do what; it cannot be renamed.")
            if self.store.roles.role_named(name, role.domain_id) is not None:
                raise RequestError(409, "Conflict occurred attempting to store role - "
                                   f"Duplicate entry: a role named {name!r} exists.")
            role.name = name
            self.store.roles.implications_changed()
        if description is not None:
            role.description = description
        role.extra = extra
        return single(request, "role", role, role_json)

    @app.route("/roles/<role_id>", methods=["DELETE"])
    def delete_role(self, request: Any, role_id: str) -> bytes:
        self.admin(request, "delete_role")
        role = self.role(role_id)
        if role.name in (ADMIN, MEMBER) and role.domain_id is None:
            raise RequestError(403, f"The {role.name!r} role is Mimic's definition of "
                               "who may do what; it cannot be deleted.")
        for assignment in self.store.roles.delete_role(role.id):
            self._revoke_tokens_for(assignment)
        return empty_response(request)

    # implied roles

    def _inference(self, request: Any, prior: Any, implied: Iterable) -> dict:
        def ref(role: Any) -> dict:
            return {"id": role.id, "name": role.name,
                    "links": {"self": v3_url(request, f"roles/{role.id}")}}

        return {"prior_role": ref(prior), "implies": [ref(r) for r in implied]}

    def _implied_of(self, prior_id: str) -> list:
        roles = self.store.roles
        return [roles.roles[i] for i in sorted(roles.implications.get(prior_id, ()))
                if i in roles.roles]

    @app.route("/roles/<prior_id>/implies/<implied_id>", methods=["PUT"])
    def imply(self, request: Any, prior_id: str, implied_id: str) -> bytes:
        self.admin(request, "create_implied_role")
        prior, implied = self.role(prior_id), self.role(implied_id)
        try:
            self.store.roles.imply(prior.id, implied.id)
        except RoleConflict as conflict:
            raise RequestError(403, str(conflict)) from None
        body = self._inference(request, prior, [implied])
        body["implies"] = body["implies"][0]
        return json_response(request, {"role_inference": body}, code=201)

    @app.route("/roles/<prior_id>/implies/<implied_id>", methods=["GET", "HEAD"])
    def implied(self, request: Any, prior_id: str, implied_id: str) -> bytes:
        self.caller(request)
        prior, implied = self.role(prior_id), self.role(implied_id)
        if implied.id not in self.store.roles.implications.get(prior.id, ()):
            raise RequestError(404, f"{prior.name} does not imply {implied.name}.")
        if request.method == b"HEAD":
            return empty_response(request)
        body = self._inference(request, prior, [implied])
        body["implies"] = body["implies"][0]
        return json_response(request, {"role_inference": body})

    @app.route("/roles/<prior_id>/implies/<implied_id>", methods=["DELETE"])
    def unimply(self, request: Any, prior_id: str, implied_id: str) -> bytes:
        self.admin(request, "delete_implied_role")
        prior, implied = self.role(prior_id), self.role(implied_id)
        if not self.store.roles.unimply(prior.id, implied.id):
            raise RequestError(404, f"{prior.name} does not imply {implied.name}.")
        return empty_response(request)

    @app.route("/roles/<prior_id>/implies", methods=["GET"])
    def implies(self, request: Any, prior_id: str) -> bytes:
        self.caller(request)
        prior = self.role(prior_id)
        return json_response(request, {
            "role_inference": self._inference(request, prior, self._implied_of(prior.id)),
            "links": links(request)})

    @app.route("/role_inferences", methods=["GET"])
    def inferences(self, request: Any) -> bytes:
        self.caller(request)
        roles = self.store.roles
        return json_response(request, {
            "role_inferences": [
                self._inference(request, roles.roles[prior], self._implied_of(prior))
                for prior, implied in roles.implications.items()
                if implied and prior in roles.roles],
            "links": links(request)})

    # grants

    def _target(self, kind: str, target_id: str) -> str:
        if kind == "projects":
            return self.project(target_id).id
        if kind == "domains":
            return self.domain(target_id).id
        if target_id != SYSTEM_ALL:
            raise RequestError(404, f"Could not find system: {target_id}.")
        return SYSTEM_ALL

    def _actor(self, kind: str, actor_id: str) -> str:
        return (self.user(actor_id) if kind == "users" else self.group(actor_id)).id

    def _grant(self, kind: str, target_id: str, actor_kind: str, actor_id: str,
               role_id: str, inherited: bool = False) -> Assignment:
        return Assignment(
            role_id=self.role(role_id).id,
            actor="user" if actor_kind == "users" else "group",
            actor_id=self._actor(actor_kind, actor_id),
            target={"projects": "project", "domains": "domain"}.get(kind, "system"),
            target_id=self._target(kind, target_id),
            inherited=inherited,
        )

    def _affected_users(self, assignment: Assignment) -> list:
        if assignment.actor == "user":
            user = self.store.user_by_id(assignment.actor_id)
            return [user] if user else []
        group = self.store.group(assignment.actor_id)
        return [u for u in self.store.users() if group and u.id in group.members]

    def _revoke_tokens_for(self, assignment: Assignment) -> None:
        tenant = (self.store.known_tenant(assignment.target_id)
                  if assignment.target == "project" else None)
        for user in self._affected_users(assignment):
            self.store.revoke_tokens_of(user, tenant)

    def _forget_reuse(self, assignment: Assignment) -> None:
        """New roles: the next v2.0 token of each user affected is a new one."""
        for user in self._affected_users(assignment):
            self.store.tokens.forget_reuse(user.id)
            self.store.tokens.forget_reuse((user.id, assignment.target_id))

    def _put(self, request: Any, assignment: Assignment) -> bytes:
        self.admin(request, "create_grant")
        self.store.roles.grant(assignment)
        self._forget_reuse(assignment)
        return empty_response(request)

    def _check(self, request: Any, assignment: Assignment) -> bytes:
        self.caller(request)
        if not self.store.roles.has(assignment):
            raise RequestError(404, "Could not find role assignment.")
        return empty_response(request)

    def _delete(self, request: Any, assignment: Assignment) -> bytes:
        self.admin(request, "revoke_grant")
        if not self.store.roles.revoke(assignment):
            raise RequestError(404, "Could not find role assignment.")
        self._revoke_tokens_for(assignment)
        return empty_response(request)

    def _held(self, request: Any, kind: str, target_id: str, actor_kind: str,
              actor_id: str) -> bytes:
        self.caller(request)
        target = self._target(kind, target_id)
        actor = ("user" if actor_kind == "users" else "group",
                 self._actor(actor_kind, actor_id))
        target_kind = {"projects": "project", "domains": "domain"}.get(kind, "system")
        role_ids = {a.role_id for a in self.store.roles.of_actor(*actor)
                    if a.target == target_kind and a.target_id == target and not a.inherited}
        roles = [self.store.roles.roles[r] for r in sorted(role_ids)]
        return listing(request, "roles", roles, role_json)

    @app.route(f"{GRANTS}/<role_id>", methods=["PUT"])
    def grant(self, request: Any, kind: str, target_id: str, actor_kind: str,
              actor_id: str, role_id: str) -> bytes:
        return self._put(request, self._grant(kind, target_id, actor_kind, actor_id,
                                              role_id))

    @app.route(f"{GRANTS}/<role_id>", methods=["GET", "HEAD"])
    def check_grant(self, request: Any, kind: str, target_id: str, actor_kind: str,
                    actor_id: str, role_id: str) -> bytes:
        return self._check(request, self._grant(kind, target_id, actor_kind, actor_id,
                                                role_id))

    @app.route(f"{GRANTS}/<role_id>", methods=["DELETE"])
    def revoke_grant(self, request: Any, kind: str, target_id: str, actor_kind: str,
                     actor_id: str, role_id: str) -> bytes:
        return self._delete(request, self._grant(kind, target_id, actor_kind, actor_id,
                                                 role_id))

    @app.route(GRANTS, methods=["GET"])
    def grants(self, request: Any, kind: str, target_id: str, actor_kind: str,
               actor_id: str) -> bytes:
        return self._held(request, kind, target_id, actor_kind, actor_id)

    @app.route(f"{SYSTEM_GRANTS}/<role_id>", methods=["PUT"])
    def system_grant(self, request: Any, actor_kind: str, actor_id: str,
                     role_id: str) -> bytes:
        return self._put(request, self._grant("system", SYSTEM_ALL, actor_kind, actor_id,
                                              role_id))

    @app.route(f"{SYSTEM_GRANTS}/<role_id>", methods=["GET", "HEAD"])
    def check_system_grant(self, request: Any, actor_kind: str, actor_id: str,
                           role_id: str) -> bytes:
        return self._check(request, self._grant("system", SYSTEM_ALL, actor_kind,
                                                actor_id, role_id))

    @app.route(f"{SYSTEM_GRANTS}/<role_id>", methods=["DELETE"])
    def revoke_system_grant(self, request: Any, actor_kind: str, actor_id: str,
                            role_id: str) -> bytes:
        return self._delete(request, self._grant("system", SYSTEM_ALL, actor_kind,
                                                 actor_id, role_id))

    @app.route(SYSTEM_GRANTS, methods=["GET"])
    def system_grants(self, request: Any, actor_kind: str, actor_id: str) -> bytes:
        return self._held(request, "system", SYSTEM_ALL, actor_kind, actor_id)

    @app.route("/OS-INHERIT/<any(domains,projects):kind>/<target_id>/"
               "<any(users,groups):actor_kind>/<actor_id>/roles/<role_id>/"
               "inherited_to_projects",
               methods=["PUT", "GET", "HEAD", "DELETE"])
    def inherited_grant(self, request: Any, kind: str, target_id: str, actor_kind: str,
                        actor_id: str, role_id: str) -> bytes:
        # A domain's grant reaches each of its projects; a project's, each
        # project of its subtree, not the project itself (keystone's
        # api-ref/source/v3/inherit.inc).
        assignment = self._grant(kind, target_id, actor_kind, actor_id, role_id,
                                 inherited=True)
        if request.method == b"PUT":
            return self._put(request, assignment)
        if request.method == b"DELETE":
            return self._delete(request, assignment)
        return self._check(request, assignment)

    # role assignments

    @app.route("/role_assignments", methods=["GET"])
    def role_assignments(self, request: Any) -> bytes:
        self.caller(request)
        effective = has_flag(request, "effective")
        with_names = has_flag(request, "include_names")
        assignments = self._all_assignments()
        if effective:
            assignments = self._effective(assignments)
        wanted = {
            "user.id": lambda a: a.actor_id if a.actor == "user" else None,
            "group.id": lambda a: a.actor_id if a.actor == "group" else None,
            "role.id": lambda a: a.role_id,
            "scope.project.id": lambda a: a.target_id if a.target == "project" else None,
            "scope.domain.id": lambda a: a.target_id if a.target == "domain" else None,
            "scope.system": lambda a: a.target_id if a.target == "system" else None,
        }
        assignments = filtered(request, assignments, wanted)
        if query(request, "scope.OS-INHERIT:inherited_to") is not None:
            assignments = [a for a in assignments if a.inherited]
        return json_response(request, {
            "role_assignments": [self._assignment_json(request, a, with_names)
                                 for a in dict.fromkeys(assignments)],
            "links": links(request)})

    def _all_assignments(self) -> list:
        """What is stored, and what Mimic's own rules give."""
        roles = self.store.roles
        found = roles.assignments()
        member = roles.role_named(MEMBER).id
        admin = roles.role_named(ADMIN).id
        for user in self.store.users():
            if user.member_by_rule and self.store.known_tenant(user.tenant.id) is user.tenant:
                found.append(Assignment(member, "user", user.id, "project", user.tenant.id))
            if self.store.is_admin_user(user):
                found.append(Assignment(admin, "user", user.id, "system", SYSTEM_ALL))
        return found

    def _effective(self, assignments: list) -> list:
        """Groups expanded to users, inherited grants to projects, implied roles added."""
        roles = self.store.roles
        expanded = []
        for a in assignments:
            users = ([a.actor_id] if a.actor == "user" else
                     sorted((self.store.group(a.actor_id) or _NoGroup).members))
            targets = [(a.target, a.target_id)]
            if a.inherited and a.target == "domain":
                targets = [("project", t.id) for t in self.store.tenants()
                           if t.domain_id == a.target_id]
            elif a.inherited:
                tenant = self.store.known_tenant(a.target_id)
                targets = [("project", t.id)
                           for t in (self.store.descendants_of(tenant) if tenant else ())]
            for user_id in users:
                for target, target_id in targets:
                    for role_id in sorted(roles._closure({a.role_id})):
                        expanded.append(Assignment(role_id, "user", user_id, target,
                                                   target_id))
        return expanded

    def _assignment_json(self, request: Any, a: Assignment, with_names: bool) -> dict:
        role = self.store.roles.roles.get(a.role_id)
        body: dict = {"role": {"id": a.role_id}}
        actor: dict = {"id": a.actor_id}
        scope_ref: dict = {"id": a.target_id}
        if with_names:
            if role is not None:
                body["role"]["name"] = role.name
            named = (self.store.user_by_id(a.actor_id) if a.actor == "user"
                     else self.store.group(a.actor_id))
            if named is not None:
                actor["name"] = getattr(named, "username", None) or named.name
                actor["domain"] = self._domain_ref(named.domain_id)
            if a.target == "project":
                tenant = self.store.known_tenant(a.target_id)
                if tenant is not None:
                    scope_ref["name"] = tenant.name
                    scope_ref["domain"] = self._domain_ref(tenant.domain_id)
            elif a.target == "domain":
                domain = self.store.known_domain(a.target_id)
                if domain is not None:
                    scope_ref["name"] = domain.name
        body[a.actor] = actor
        if a.target == "system":
            body["scope"] = {"system": {"all": True}}
        else:
            body["scope"] = {a.target: scope_ref}
            if a.inherited:
                body["scope"]["OS-INHERIT:inherited_to"] = "projects"
        path = {"project": "projects", "domain": "domains"}.get(a.target, "system")
        target = "" if a.target == "system" else f"/{a.target_id}"
        body["links"] = {"assignment": v3_url(
            request, f"{path}{target}/{a.actor}s/{a.actor_id}/roles/{a.role_id}")}
        return body

    def _domain_ref(self, domain_id: Optional[str]) -> dict:
        domain = self.store.known_domain(domain_id) if domain_id else None
        return {"id": domain_id, "name": domain.name if domain else domain_id}


install_error_handlers(IdentityV3RolesApi.app, keystone_error_body)


class _NoGroup:
    members: frozenset = frozenset()
