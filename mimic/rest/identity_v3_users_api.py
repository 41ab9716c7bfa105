"""
Keystone v3 users, groups and credentials (``/identity/v3/users``,
``/groups``, ``/credentials``; application credentials are in
:mod:`mimic.rest.identity_v3_app_credentials_api`).

Users an admin creates here are *managed*: their password is checked and
they reach only the projects a role assignment gives them. Users Mimic made
because someone authenticated keep accepting any password until a password
is set for them (``PATCH /v3/users/<id>`` or ``POST
/v3/users/<id>/password``); they then become managed, keeping a ``member``
assignment on each tenant they had used. Disabling a user or changing their
password revokes their tokens, as Keystone does.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Optional

from mimic.klein_rendering import MimicKlein

from mimic.model.identity import DEFAULT_DOMAIN_ID, Tenant, User
from mimic.model.identity.credentials import Credential
from mimic.model.identity.ids import tenant_id_of_user
from mimic.model.identity.roles import MEMBER, Assignment
from mimic.rest.http import (
    RequestError,
    empty_response,
    install_error_handlers,
)
from mimic.rest.identity_common import keystone_error_body
from mimic.rest.identity_v3_common import (
    MAX_DESCRIPTION,
    KeystoneRoutes,
    entity,
    extras,
    filtered,
    flag,
    group_json,
    listing,
    project_json,
    single,
    text,
    user_json,
    v3_url,
    with_extra,
)

USER_FIELDS = ("name", "domain_id", "default_project_id", "password", "enabled",
               "email", "description", "options", "federated")
#: Keystone's passwords are bounded by its schema; Mimic keeps them as given.
MAX_PASSWORD = 4096
#: How much a stored credential's blob may hold.
MAX_BLOB = 65536


class IdentityV3UsersApi(KeystoneRoutes):
    """``/identity/v3/users/...``, ``/groups/...`` and ``/credentials/...``."""

    app = MimicKlein()

    # users

    def _user_json(self, request: Any, user: User) -> dict:
        body = user_json(request, user)
        if self.store.known_tenant(user.tenant.id) is not user.tenant:
            # A managed user created without a default project has none.
            del body["default_project_id"]
        return body

    @app.route("/users", methods=["GET"])
    def users(self, request: Any) -> bytes:
        self.caller(request)
        users = filtered(request, self.store.users(), {
            "name": lambda u: u.username, "domain_id": lambda u: u.domain_id,
            "enabled": lambda u: u.enabled})
        return listing(request, "users", users, self._user_json)

    @app.route("/users", methods=["POST"])
    def create_user(self, request: Any) -> bytes:
        self.admin(request, "create_user")
        body = entity(request, "user")
        extra = extras(body, USER_FIELDS, "user")
        name = text(body, "name", "user", required=True)
        domain_id = text(body, "domain_id", "user") or DEFAULT_DOMAIN_ID
        domain = self.domain(domain_id)
        password = text(body, "password", "user", limit=MAX_PASSWORD, empty=True)
        enabled = flag(body, "enabled", "user")
        email = text(body, "email", "user")
        description = text(body, "description", "user", limit=MAX_DESCRIPTION, empty=True)
        project_id = text(body, "default_project_id", "user")
        tenant = self.project(project_id) if project_id is not None else None
        if self.store.user_by_name(name, domain.id) is not None:
            raise RequestError(409, "Conflict occurred attempting to store user - "
                               f"Duplicate entry found with name {name} at domain ID "
                               f"{domain.id}.")
        user = self.store.create_user(
            name, tenant or _no_project(self.store, name), domain.id, password,
            enabled=True if enabled is None else enabled, email=email,
            description=description or "", extra=extra)
        return single(request, "user", user, self._user_json, code=201)

    @app.route("/users/<user_id>", methods=["GET"])
    def show_user(self, request: Any, user_id: str) -> bytes:
        self.caller(request)
        return single(request, "user", self.user(user_id), self._user_json)

    @app.route("/users/<user_id>", methods=["PATCH"])
    def update_user(self, request: Any, user_id: str) -> bytes:
        self.admin(request, "update_user")
        user = self.user(user_id)
        body = entity(request, "user", update=True)
        extra = extras(body, USER_FIELDS, "user", user.extra)
        name = text(body, "name", "user")
        password = text(body, "password", "user", limit=MAX_PASSWORD, empty=True)
        enabled = flag(body, "enabled", "user")
        email = text(body, "email", "user")
        description = text(body, "description", "user", limit=MAX_DESCRIPTION, empty=True)
        project_id = text(body, "default_project_id", "user")
        tenant = self.project(project_id) if project_id is not None else None
        if name is not None and name != user.username and self.store.user_by_name(
                name, user.domain_id):
            raise RequestError(409, "Conflict occurred attempting to store user - "
                               f"Duplicate entry found with name {name}.")
        user.extra = extra
        if name is not None:
            self.store.rename_user(user, name)
        if tenant is not None:
            user.tenant = tenant
        if email is not None:
            user.email = email
        if description is not None:
            user.description = description
        if password is not None:
            self._set_password(user, password)
        if enabled is not None:
            user.enabled = enabled
            if not enabled:
                self.store.revoke_tokens_of(user)
        return single(request, "user", user, self._user_json)

    def _set_password(self, user: User, password: str) -> None:
        """A password counts from now on; the user's tokens are revoked."""
        if user.member_by_rule:
            # What Mimic's rule gave them becomes a stored grant (a seeded
            # user's roles are stored already).
            member = self.store.roles.role_named(MEMBER).id
            tenant = user.tenant
            if self.store.known_tenant(tenant.id) is tenant:
                self.store.roles.grant(
                    Assignment(member, "user", user.id, "project", tenant.id))
        user.managed = True
        user.password = password
        self.store.revoke_tokens_of(user)

    @app.route("/users/<user_id>", methods=["DELETE"])
    def delete_user(self, request: Any, user_id: str) -> bytes:
        self.admin(request, "delete_user")
        self.store.delete_user(self.user(user_id))
        return empty_response(request)

    @app.route("/users/<user_id>/password", methods=["POST"])
    def change_password(self, request: Any, user_id: str) -> bytes:
        caller = self.themself(request, user_id, "change_password")
        user = caller.user
        body = entity(request, "user")
        new = text(body, "password", "user", required=True, limit=MAX_PASSWORD)
        original = text(body, "original_password", "user", required=True,
                        limit=MAX_PASSWORD)
        if not user.password_matches(original):
            raise RequestError(401, "The original password is not the user's password.")
        self._set_password(user, new)
        return empty_response(request)

    @app.route("/users/<user_id>/projects", methods=["GET"])
    def user_projects(self, request: Any, user_id: str) -> bytes:
        self.caller(request)
        return listing(request, "projects", self.store.projects_of(self.user(user_id)),
                       project_json)

    @app.route("/users/<user_id>/groups", methods=["GET"])
    def user_groups(self, request: Any, user_id: str) -> bytes:
        self.caller(request)
        return listing(request, "groups", self.store.groups_of(self.user(user_id)),
                       group_json)

    # groups

    @app.route("/groups", methods=["GET"])
    def groups(self, request: Any) -> bytes:
        self.caller(request)
        groups = filtered(request, self.store.groups(), {
            "name": lambda g: g.name, "domain_id": lambda g: g.domain_id})
        return listing(request, "groups", groups, group_json)

    @app.route("/groups", methods=["POST"])
    def create_group(self, request: Any) -> bytes:
        self.admin(request, "create_group")
        body = entity(request, "group")
        extra = extras(body, ("name", "domain_id", "description"), "group")
        name = text(body, "name", "group", required=True)
        domain_id = self.domain(text(body, "domain_id", "group") or DEFAULT_DOMAIN_ID).id
        description = text(body, "description", "group", limit=MAX_DESCRIPTION,
                           empty=True) or ""
        if any(g.name == name and g.domain_id == domain_id for g in self.store.groups()):
            raise RequestError(409, "Conflict occurred attempting to store group - "
                               f"Duplicate entry found with name {name}.")
        group = self.store.create_group(name, domain_id, description)
        group.extra = extra
        return single(request, "group", group, group_json, code=201)

    @app.route("/groups/<group_id>", methods=["GET"])
    def show_group(self, request: Any, group_id: str) -> bytes:
        self.caller(request)
        return single(request, "group", self.group(group_id), group_json)

    @app.route("/groups/<group_id>", methods=["PATCH"])
    def update_group(self, request: Any, group_id: str) -> bytes:
        self.admin(request, "update_group")
        group = self.group(group_id)
        body = entity(request, "group", update=True)
        extra = extras(body, ("name", "domain_id", "description"), "group", group.extra)
        name = text(body, "name", "group")
        description = text(body, "description", "group", limit=MAX_DESCRIPTION, empty=True)
        group.extra = extra
        if name is not None:
            group.name = name
        if description is not None:
            group.description = description
        return single(request, "group", group, group_json)

    @app.route("/groups/<group_id>", methods=["DELETE"])
    def delete_group(self, request: Any, group_id: str) -> bytes:
        self.admin(request, "delete_group")
        self.store.delete_group(self.group(group_id))
        return empty_response(request)

    @app.route("/groups/<group_id>/users", methods=["GET"])
    def group_users(self, request: Any, group_id: str) -> bytes:
        self.caller(request)
        group = self.group(group_id)
        users = [u for u in self.store.users() if u.id in group.members]
        return listing(request, "users", users, self._user_json)

    @app.route("/groups/<group_id>/users/<user_id>", methods=["PUT"])
    def add_member(self, request: Any, group_id: str, user_id: str) -> bytes:
        self.admin(request, "add_user_to_group")
        group, user = self.group(group_id), self.user(user_id)
        group.members.add(user.id)
        return empty_response(request)

    @app.route("/groups/<group_id>/users/<user_id>", methods=["HEAD", "GET"])
    def is_member(self, request: Any, group_id: str, user_id: str) -> bytes:
        self.caller(request)
        group, user = self.group(group_id), self.user(user_id)
        if user.id not in group.members:
            raise RequestError(404, f"User {user_id} is not in group {group_id}.")
        return empty_response(request)

    @app.route("/groups/<group_id>/users/<user_id>", methods=["DELETE"])
    def remove_member(self, request: Any, group_id: str, user_id: str) -> bytes:
        self.admin(request, "remove_user_from_group")
        group, user = self.group(group_id), self.user(user_id)
        if user.id not in group.members:
            raise RequestError(404, f"User {user_id} is not in group {group_id}.")
        group.members.discard(user.id)
        self.store.revoke_tokens_of(user)
        return empty_response(request)

    # stored credentials

    def _credential_json(self, request: Any, credential: Credential) -> dict:
        return with_extra({
            "id": credential.id, "user_id": credential.user_id,
            "project_id": credential.project_id, "type": credential.type,
            "blob": credential.blob,
            "links": {"self": v3_url(request, f"credentials/{credential.id}")}},
            credential.extra)

    def _own_credential(self, request: Any, credential_id: str) -> Credential:
        caller = self.caller(request)
        credential = self.known("credential",
                                self.store.credentials.credentials.get(credential_id),
                                credential_id)
        if credential.user_id != caller.user.id and not caller.is_admin:
            raise RequestError(404, f"Could not find credential: {credential_id}.")
        return credential

    @app.route("/credentials", methods=["GET"])
    def credentials(self, request: Any) -> bytes:
        caller = self.caller(request)
        found = [c for c in self.store.credentials.credentials.values()
                 if caller.is_admin or c.user_id == caller.user.id]
        found = filtered(request, found, {"user_id": lambda c: c.user_id,
                                          "type": lambda c: c.type})
        return listing(request, "credentials", found, self._credential_json)

    @app.route("/credentials", methods=["POST"])
    def create_credential(self, request: Any) -> bytes:
        caller = self.caller(request)
        body = entity(request, "credential")
        extra = extras(body, ("blob", "type", "user_id", "project_id"), "credential")
        blob = text(body, "blob", "credential", required=True, limit=MAX_BLOB)
        kind = text(body, "type", "credential", required=True)
        user = self.user(text(body, "user_id", "credential", required=True))
        if user is not caller.user and not caller.is_admin:
            raise RequestError(403, "You are not authorized to perform the requested "
                               "action: identity:create_credential (for another user).")
        project_id = text(body, "project_id", "credential")
        if project_id is not None:
            self.project(project_id)
        if kind == "ec2":
            credential_id = _ec2_id(blob, project_id)
        else:
            credential_id = self.store.ids.hex(64)
        if credential_id in self.store.credentials.credentials:
            raise RequestError(409, "Conflict occurred attempting to store credential - "
                               "Duplicate entry.")
        credential = Credential(credential_id, user.id, kind, blob, project_id, extra)
        self.store.credentials.credentials[credential_id] = credential
        return single(request, "credential", credential, self._credential_json, code=201)

    @app.route("/credentials/<credential_id>", methods=["GET"])
    def show_credential(self, request: Any, credential_id: str) -> bytes:
        return single(request, "credential", self._own_credential(request, credential_id),
                      self._credential_json)

    @app.route("/credentials/<credential_id>", methods=["PATCH"])
    def update_credential(self, request: Any, credential_id: str) -> bytes:
        credential = self._own_credential(request, credential_id)
        body = entity(request, "credential", update=True)
        extra = extras(body, ("blob", "type", "user_id", "project_id"), "credential",
                       credential.extra)
        blob = text(body, "blob", "credential", limit=MAX_BLOB)
        credential.extra = extra
        if blob is not None:
            credential.blob = blob
        return single(request, "credential", credential, self._credential_json)

    @app.route("/credentials/<credential_id>", methods=["DELETE"])
    def delete_credential(self, request: Any, credential_id: str) -> bytes:
        credential = self._own_credential(request, credential_id)
        del self.store.credentials.credentials[credential.id]
        return empty_response(request)


install_error_handlers(IdentityV3UsersApi.app, keystone_error_body)


def _no_project(store: Any, name: str) -> Tenant:
    """
    The placeholder default tenant of a managed user created without one:
    not in the store, so it lists nowhere and grants nothing.
    """
    own = tenant_id_of_user(store.stable.hex("user", name))
    return Tenant(own, own)


def _ec2_id(blob: str, project_id: Optional[str]) -> str:
    """Keystone's id of an EC2 credential: the SHA-256 of its access key."""
    try:
        parsed = json.loads(blob)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("access"), str):
        raise RequestError(400, "Invalid blob in credential: an EC2 credential's blob "
                           "is a JSON object with an 'access' key.")
    if project_id is None:
        raise RequestError(400, "An EC2 credential needs a project_id.")
    return hashlib.sha256(parsed["access"].encode("utf-8")).hexdigest()
