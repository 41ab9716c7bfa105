"""
Keystone v3 application credentials and their access rules
(``/identity/v3/users/<id>/application_credentials``,
``/identity/v3/users/<id>/access_rules``).

An application credential authenticates as its user on its project with
the roles it was made with (see :mod:`mimic.model.identity.v3_auth`). Its
access rules (``service``, ``path``, ``method``) are kept per user, as in
Keystone's ``access_rule`` table: a rule the user already has for the same
call is reused, a rule may be named by ``id``, and one still used by a
credential cannot be deleted (keystone/application_credential/backends/
sql.py). Mimic stores and shows them; its APIs do not enforce them
(keystonemiddleware does, in a real cloud).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from klein import Klein

from mimic.model.identity.credentials import (
    ACCESS_RULE_METHODS,
    AccessRule,
    ApplicationCredential,
    secret_digest,
)
from mimic.model.identity.tokens import LAST_SHOWABLE_SECOND
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
    filtered,
    flag,
    listing,
    query,
    single,
    text,
    unknown_fields,
    v3_url,
)
from mimic.util import iso_time

#: How many access rules one credential may carry (Mimic's bound).
MAX_ACCESS_RULES = 64
#: Keystone's access rule schema: a path of at most 225 characters, starting
#: with "/"; a service type of at most 64 of [a-zA-Z0-9-] (``id_string``).
MAX_RULE_PATH = 225
MAX_RULE_SERVICE = 64


class IdentityV3AppCredentialsApi(KeystoneRoutes):
    """A user's application credentials and access rules."""

    app = Klein()

    def _app_credential_json(self, request: Any, credential: ApplicationCredential,
                             secret: Optional[str] = None) -> dict:
        body = {
            "id": credential.id, "name": credential.name,
            "description": credential.description,
            "user_id": credential.user.id, "project_id": credential.project.id,
            "expires_at": (None if credential.expires_at is None
                           else iso_time(credential.expires_at)),
            "unrestricted": credential.unrestricted,
            "roles": [self._role_ref(name) for name in credential.roles],
            "access_rules": [self._rule_ref(r) for r in credential.access_rules],
            "links": {"self": v3_url(request, f"users/{credential.user.id}/"
                                     f"application_credentials/{credential.id}")},
        }
        if secret is not None:
            body["secret"] = secret
        return body

    def _role_ref(self, name: str) -> dict:
        role = self.store.roles.role_named(name)
        return {"id": role.id if role else name, "name": name,
                "domain_id": role.domain_id if role else None}

    @app.route("/users/<user_id>/application_credentials", methods=["POST"])
    def create_app_credential(self, request: Any, user_id: str) -> bytes:
        caller = self.themself(request, user_id, "create_application_credential")
        if caller.scope != "project" or caller.application_credential is not None:
            raise RequestError(403, "An application credential is made with a project-"
                               "scoped token obtained without one.")
        body = entity(request, "application_credential")
        unknown_fields(body, ("name", "description", "secret", "expires_at", "roles",
                              "unrestricted", "access_rules"), "application_credential")
        name = text(body, "name", "application_credential", required=True)
        description = text(body, "description", "application_credential",
                           limit=MAX_DESCRIPTION, empty=True) or ""
        secret = text(body, "secret", "application_credential") or self.store.ids.hex(43)
        unrestricted = bool(flag(body, "unrestricted", "application_credential"))
        expires_at = _timestamp(body.get("expires_at"))
        roles = self._requested_roles(body.get("roles"), caller.roles)
        user = caller.user
        rules = self._requested_rules(body.get("access_rules"), user)
        if any(c.name == name for c in self.store.credentials.of_user(user)):
            raise RequestError(409, "Conflict occurred attempting to store application "
                               f"credential - Duplicate entry found with name {name}.")
        book = self.store.credentials
        rules = tuple(book.access_rules.setdefault(r.id, r) for r in rules)
        credential = ApplicationCredential(
            id=self.store.ids.hex(32), name=name, user=user, project=caller.tenant,
            secret_digest=secret_digest(secret), roles=roles, description=description,
            expires_at=expires_at, unrestricted=unrestricted, access_rules=rules)
        book.application_credentials[credential.id] = credential
        return json_response(request, {"application_credential":
                                       self._app_credential_json(request, credential,
                                                                 secret)}, code=201)

    def _requested_roles(self, requested: Any, held: tuple) -> tuple:
        if requested is None:
            return held
        if not isinstance(requested, list) or not all(isinstance(r, dict) for r in requested):
            raise RequestError(400, "Invalid input for field 'application_credential."
                               "roles': a list of {\"id\"} or {\"name\"} is required.")
        names = []
        for ref in requested:
            role = None
            if isinstance(ref.get("id"), str):
                role = self.store.roles.roles.get(ref["id"])
            elif isinstance(ref.get("name"), str):
                role = self.store.roles.role_named(ref["name"])
            if role is None:
                raise RequestError(404, f"Could not find role: {ref}.")
            if role.name not in held:
                raise RequestError(403, f"You do not hold the role {role.name!r} on this "
                                   "project, so a credential cannot carry it.")
            names.append(role.name)
        return tuple(self.store.roles.names(
            [self.store.roles.role_named(n).id for n in names]))

    @app.route("/users/<user_id>/application_credentials", methods=["GET"])
    def app_credentials(self, request: Any, user_id: str) -> bytes:
        caller = self.themself(request, user_id, "list_application_credentials")
        found = self.store.credentials.of_user(caller.user)
        name = query(request, "name")
        if name is not None:
            found = [c for c in found if c.name == name]
        return json_response(request, {
            "application_credentials": [self._app_credential_json(request, c)
                                        for c in found],
            "links": {"self": v3_url(request, f"users/{user_id}/application_credentials"),
                      "previous": None, "next": None}})

    def _app_credential(self, request: Any, user_id: str, credential_id: str) -> Any:
        caller = self.themself(request, user_id, "get_application_credential")
        credential = self.store.credentials.application_credentials.get(credential_id)
        if credential is None or credential.user is not caller.user:
            raise RequestError(404, f"Could not find application credential: "
                               f"{credential_id}.")
        return credential

    @app.route("/users/<user_id>/application_credentials/<credential_id>",
               methods=["GET"])
    def show_app_credential(self, request: Any, user_id: str, credential_id: str) -> bytes:
        credential = self._app_credential(request, user_id, credential_id)
        return json_response(request, {"application_credential":
                                       self._app_credential_json(request, credential)})

    @app.route("/users/<user_id>/application_credentials/<credential_id>",
               methods=["DELETE"])
    def delete_app_credential(self, request: Any, user_id: str,
                              credential_id: str) -> bytes:
        credential = self._app_credential(request, user_id, credential_id)
        del self.store.credentials.application_credentials[credential.id]
        for token in self.store.tokens.of_user(credential.user):
            if token.application_credential is credential:
                token.revoked = True
        return empty_response(request)

    # access rules

    def _rule_ref(self, rule: AccessRule) -> dict:
        return {"id": rule.id, "service": rule.service, "path": rule.path,
                "method": rule.method}

    def _rule_json(self, request: Any, rule: AccessRule) -> dict:
        return {**self._rule_ref(rule), "links": {
            "self": v3_url(request, f"users/{rule.user_id}/access_rules/{rule.id}")}}

    def _requested_rules(self, requested: Any, user: Any) -> tuple:
        """
        The rules a create names, each the user's existing rule when it has
        the same id or the same call, else a new one (not yet kept).
        """
        if requested is None:
            return ()
        where = "application_credential.access_rules"
        if not isinstance(requested, list) or len(requested) > MAX_ACCESS_RULES:
            raise RequestError(400, f"Invalid input for field '{where}': a list of at "
                               f"most {MAX_ACCESS_RULES} rules is required.")
        book = self.store.credentials
        found = {}
        for ref in requested:
            if not isinstance(ref, dict):
                raise RequestError(400, f"Invalid input for field '{where}': each rule "
                                   "is an object.")
            unknown_fields(ref, ("id", "service", "path", "method"), where)
            rule_id = text(ref, "id", where, limit=64)
            if rule_id is not None and set(ref) == {"id"}:
                rule = book.access_rules.get(rule_id)
                if rule is None or rule.user_id != user.id:
                    raise RequestError(404, f"Could not find Access Rule: {rule_id}.")
            else:
                rule = self._new_rule(ref, rule_id, user, where)
            found[rule.id] = rule
        return tuple(found.values())

    def _new_rule(self, ref: dict, rule_id: Optional[str], user: Any, where: str) -> AccessRule:
        service = text(ref, "service", where, required=True, limit=MAX_RULE_SERVICE)
        path = text(ref, "path", where, required=True, limit=MAX_RULE_PATH)
        method = text(ref, "method", where, required=True)
        if not all(c.isascii() and (c.isalnum() or c == "-") for c in service):
            raise RequestError(400, f"Invalid input for field '{where}.service': letters, "
                               "digits and '-' only.")
        if not path.startswith("/"):
            raise RequestError(400, f"Invalid input for field '{where}.path': it starts "
                               "with '/'.")
        if method not in ACCESS_RULE_METHODS:
            raise RequestError(400, f"Invalid input for field '{where}.method': one of "
                               f"{', '.join(ACCESS_RULE_METHODS)}.")
        rule = AccessRule(rule_id or self.store.ids.hex(32), user.id, service, path, method)
        return self.store.credentials.same_rule(rule) or rule

    def _access_rule(self, request: Any, user_id: str, rule_id: str,
                     action: str) -> AccessRule:
        user = self._owner(request, user_id, action)
        rule = self.store.credentials.access_rules.get(rule_id)
        if rule is None or rule.user_id != user.id:
            raise RequestError(404, f"Could not find Access Rule: {rule_id}.")
        return rule

    def _owner(self, request: Any, user_id: str, action: str) -> Any:
        """The user whose rules these are: the caller themself, or any for an admin."""
        self.themself(request, user_id, action, admins_too=True)
        return self.user(user_id)

    @app.route("/users/<user_id>/access_rules", methods=["GET"])
    def access_rules(self, request: Any, user_id: str) -> bytes:
        user = self._owner(request, user_id, "list_access_rules")
        rules = filtered(request, self.store.credentials.rules_of(user), {
            "service": lambda r: r.service, "path": lambda r: r.path,
            "method": lambda r: r.method})
        return listing(request, "access_rules", rules, self._rule_json)

    @app.route("/users/<user_id>/access_rules/<rule_id>", methods=["GET"])
    def show_access_rule(self, request: Any, user_id: str, rule_id: str) -> bytes:
        rule = self._access_rule(request, user_id, rule_id, "get_access_rule")
        return single(request, "access_rule", rule, self._rule_json)

    @app.route("/users/<user_id>/access_rules/<rule_id>", methods=["DELETE"])
    def delete_access_rule(self, request: Any, user_id: str, rule_id: str) -> bytes:
        rule = self._access_rule(request, user_id, rule_id, "delete_access_rule")
        if self.store.credentials.rule_in_use(rule):
            # Keystone's words (ForbiddenNotSecurity).
            raise RequestError(403, "May not delete access rule in use")
        del self.store.credentials.access_rules[rule.id]
        return empty_response(request)


install_error_handlers(IdentityV3AppCredentialsApi.app, keystone_error_body)


def _timestamp(value: Any) -> Optional[float]:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        raise RequestError(400, "Invalid input for field 'expires_at': an ISO 8601 "
                           "time is required.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    seconds = moment.timestamp()
    if seconds > LAST_SHOWABLE_SECOND:
        raise RequestError(400, "Invalid input for field 'expires_at': too far ahead.")
    return seconds
