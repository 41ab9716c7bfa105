"""
Identity v3 (Keystone) under ``/identity/v3``: the version document, tokens
(password, token and application credential methods; project, system or no
scope) with a v3 service catalog, validation and revocation, and the
``/auth/...`` listings. The rest of Keystone's nouns are served by sibling
modules, chosen by :class:`IdentityV3Resource`:
:mod:`~mimic.rest.identity_v3_projects_api` (domains, projects),
:mod:`~mimic.rest.identity_v3_users_api` (users, groups, credentials),
:mod:`~mimic.rest.identity_v3_roles_api` (roles, grants, assignments) and
:mod:`~mimic.rest.identity_v3_catalog_api` (services, endpoints, regions,
limits).

It shares users, projects and tokens with Identity v2.0 through the one
session store. Errors use Keystone v3's shape
(``{"error": {"code", "title", "message"}}``), rendered in one place.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any, Optional

from mimic.klein_rendering import MimicKlein
from twisted.web.resource import Resource

from mimic.model.identity import Token
from mimic.model.identity.v3_auth import (
    SYSTEM_SCOPE,
    UNSCOPED,
    ApplicationCredentialIdentity,
    AuthenticationFailed,
    AuthRequest,
    DomainRef,
    DomainScope,
    PasswordIdentity,
    ProjectScope,
    auth_target,
    authenticate,
)
from mimic.rest.http import (
    RequestError,
    empty_response,
    install_error_handlers,
    json_response,
    query_text,
    read_json,
)
from mimic.rest.identity_common import (
    apply_auth_behavior,
    builtin_v3_catalog,
    encodable,
    keystone_error_body,
    operator_v3_catalog,
    rendered_catalog,
    root_url,
    version_v3,
)
from mimic.rest.identity_v3_app_credentials_api import IdentityV3AppCredentialsApi
from mimic.rest.identity_v3_catalog_api import IdentityV3CatalogApi
from mimic.rest.identity_v3_endpoint_groups_api import IdentityV3EndpointGroupsApi
from mimic.rest.identity_v3_federation_api import IdentityV3FederationApi
from mimic.rest.identity_v3_common import (
    KeystoneRoutes,
    domain_json,
    has_flag,
    links,
    listing,
    project_json,
    unauthorized,
)
from mimic.rest.identity_v3_projects_api import IdentityV3ProjectsApi
from mimic.rest.identity_v3_roles_api import IdentityV3RolesApi
from mimic.rest.identity_v3_users_api import IdentityV3UsersApi
from mimic.util import iso_time

#: The authentication methods Mimic's v3 understands.
SUPPORTED_METHODS = ("password", "token", "application_credential")


class IdentityV3Api(KeystoneRoutes):
    """``/identity/v3`` itself and ``/identity/v3/auth/...``."""

    app = MimicKlein()

    @app.route("/", methods=["GET"])
    def version(self, request: Any) -> bytes:
        return json_response(request, {"version": version_v3(root_url(request))})

    # tokens

    @app.route("/auth/tokens", methods=["POST"])
    def issue_token(self, request: Any) -> bytes:
        auth = parse_auth_request(read_json(request))
        target = auth_target(self.store, auth)
        apply_auth_behavior(self.store, target.username, target.tenant)
        try:
            token = authenticate(self.store, auth)
        except AuthenticationFailed as failed:
            raise unauthorized(request, str(failed)) from None
        with_catalog = not has_flag(request, "nocatalog")
        return json_response(
            request, {"token": self._token_json(request, token, with_catalog)},
            code=201, headers={b"x-subject-token": token.id.encode("utf-8")},
        )

    @app.route("/auth/tokens", methods=["GET", "HEAD"])
    def validate_token(self, request: Any) -> bytes:
        self.caller(request)
        token = self._subject_token(request)
        headers = {b"x-subject-token": token.id.encode("utf-8")}
        if request.method == b"HEAD":
            request.setResponseCode(200)
            request.setHeader(b"x-subject-token", headers[b"x-subject-token"])
            return b""
        with_catalog = not has_flag(request, "nocatalog")
        return json_response(
            request, {"token": self._token_json(request, token, with_catalog)},
            headers=headers,
        )

    @app.route("/auth/tokens", methods=["DELETE"])
    def revoke_token(self, request: Any) -> bytes:
        self.caller(request)
        token = self._subject_token(request)
        self.store.revoke(token.id)
        return empty_response(request)

    def _subject_token(self, request: Any) -> Token:
        header = request.getHeader(b"x-subject-token")
        if not header:
            raise RequestError(400, "The X-Subject-Token header is required: it names "
                               "the token to validate or revoke.")
        token_id = header.decode("utf-8", "replace")
        token = self.store.valid_token(token_id)
        if token is None:
            raise RequestError(404, f"Could not find token: {token_id}.")
        return token

    def _token_json(self, request: Any, token: Token, with_catalog: bool) -> dict:
        body: dict = {
            "methods": list(token.methods),
            "user": {
                "id": token.user.id,
                "name": token.user.username,
                "domain": self._domain_ref(token.user.domain_id),
                "password_expires_at": None,
            },
            "audit_ids": [_audit_id(token)],
            "expires_at": iso_time(token.expires),
            "issued_at": iso_time(token.issued),
        }
        if token.unscoped:
            return body
        body["roles"] = self._roles(token)
        if token.system:
            body["system"] = {"all": True}
        elif token.scope == "domain":
            body["domain"] = {"id": token.domain.id, "name": token.domain.name}
        else:
            tenant = token.tenant
            body["project"] = {
                "id": tenant.id,
                "name": tenant.name,
                "domain": self._domain_ref(tenant.domain_id),
            }
            body["is_domain"] = False
        if token.application_credential is not None:
            credential = token.application_credential
            body["application_credential"] = {
                "id": credential.id, "name": credential.name,
                "restricted": not credential.unrestricted,
            }
            if credential.access_rules:
                # keystone/common/render_token.py: the rules go in the token,
                # for keystonemiddleware to enforce.
                body["application_credential"]["access_rules"] = [
                    {"id": r.id, "service": r.service, "path": r.path, "method": r.method}
                    for r in credential.access_rules]
        if with_catalog:
            body["catalog"] = self._catalog(request, token.tenant.id)
        return body

    def _domain_ref(self, domain_id: str) -> dict:
        domain = self.store.known_domain(domain_id)
        return {"id": domain_id, "name": domain.name if domain else domain_id}

    def _roles(self, token: Token) -> list:
        """The roles the token carries, as ``{"id", "name"}``."""
        roles = []
        for name in token.roles:
            role = self.store.roles.role_named(name)
            roles.append({"id": role.id if role else name, "name": name})
        return roles

    # the catalog

    def _catalog(self, request: Any, tenant_id: str) -> Any:
        return rendered_catalog(self.store, "v3", tenant_id, root_url(request),
                                self._render_catalog)

    def _render_catalog(self, root: str, tenant_id: str) -> list:
        return (builtin_v3_catalog(self.core, self.store, root, tenant_id)
                + operator_v3_catalog(self.store, tenant_id))

    @app.route("/auth/catalog", methods=["GET"])
    def auth_catalog(self, request: Any) -> bytes:
        token = self.caller(request)
        if token.unscoped:
            raise RequestError(403, "A project-scoped token is required to produce "
                               "a service catalog.")
        return json_response(request, {
            "catalog": self._catalog(request, token.tenant.id),
            "links": links(request),
        })

    # what the caller may scope to

    @app.route("/auth/projects", methods=["GET"])
    def auth_projects(self, request: Any) -> bytes:
        user = self.caller(request).user
        return listing(request, "projects", self.store.projects_of(user), project_json)

    @app.route("/auth/system", methods=["GET"])
    def auth_system(self, request: Any) -> bytes:
        user = self.caller(request).user
        # Keystone lists the system when the user holds a role on it.
        system = [{"all": True}] if self.store.roles_for(user, None) else []
        return json_response(request, {"system": system, "links": links(request)})

    @app.route("/auth/domains", methods=["GET"])
    def auth_domains(self, request: Any) -> bytes:
        user = self.caller(request).user
        domains = [d for d in self.store.domains() if self.store.domain_roles_for(user, d)]
        return listing(request, "domains", domains, domain_json)


install_error_handlers(IdentityV3Api.app, keystone_error_body)


class IdentityV3Resource(Resource):
    """
    ``/identity/v3/...``: each group of Keystone's nouns is served by its
    own module, chosen here by the path in one step.
    """

    def __init__(self, core: Any) -> None:
        super().__init__()
        self.tokens = IdentityV3Api(core).app.resource()
        self.projects = IdentityV3ProjectsApi(core).app.resource()
        self.users = IdentityV3UsersApi(core).app.resource()
        self.app_credentials = IdentityV3AppCredentialsApi(core).app.resource()
        self.roles = IdentityV3RolesApi(core).app.resource()
        self.catalog = IdentityV3CatalogApi(core).app.resource()
        self.endpoint_groups = IdentityV3EndpointGroupsApi(core).app.resource()
        self.federation = IdentityV3FederationApi(core).app.resource()

    def _module_for(self, segments: list) -> Any:
        first = segments[0] if segments else b""
        if first in (b"roles", b"role_assignments", b"role_inferences", b"system",
                     b"OS-INHERIT"):
            return self.roles
        if first in (b"projects", b"domains"):
            # Grants: /projects/<p>/users/<u>/roles/<r> and the like.
            if len(segments) >= 3 and segments[2] in (b"users", b"groups"):
                return self.roles
            return self.projects
        if first == b"users" and len(segments) >= 3 and segments[2] in (
                b"application_credentials", b"access_rules"):
            return self.app_credentials
        if first in (b"users", b"groups", b"credentials"):
            return self.users
        if first in (b"services", b"endpoints", b"regions", b"limits",
                     b"registered_limits"):
            return self.catalog
        if first in (b"OS-EP-FILTER", b"policies"):
            return self.endpoint_groups
        if first == b"OS-FEDERATION":
            return self.federation
        return self.tokens

    def getChildWithDefault(self, name: bytes, request: Any) -> Any:
        # Hand the whole path to the Klein app, which routes on postpath.
        request.postpath.insert(0, request.prepath.pop())
        return self._module_for(request.postpath)

    def render(self, request: Any) -> Any:
        return self.tokens.render(request)


# parsing the authentication request


def parse_auth_request(body: dict) -> AuthRequest:
    """
    The :class:`AuthRequest` in a ``POST /v3/auth/tokens`` body; a
    malformed body is a 400, an unsupported method a 401, as in Keystone.
    """
    auth = _object(body, "auth", "the request body")
    identity = _object(auth, "identity", "auth")
    methods = identity.get("methods")
    if (not isinstance(methods, list) or not methods
            or not all(isinstance(m, str) for m in methods)):
        raise RequestError(400, "Invalid input for field 'identity.methods': a "
                           "non-empty list of method names is required.")
    for method in methods:
        if method not in SUPPORTED_METHODS:
            raise RequestError(401, f"Unsupported authentication method: {method}. "
                               f"Mimic supports {', '.join(SUPPORTED_METHODS)}.")
    password = None
    token_id = None
    credential = None
    if "password" in methods:
        password = _password_identity(_object(identity, "password", "identity"))
    if "token" in methods:
        token_id = _string(_object(identity, "token", "identity"), "id", "identity.token")
    if "application_credential" in methods:
        credential = _application_credential_identity(
            _object(identity, "application_credential", "identity"))
    return AuthRequest(
        methods=tuple(dict.fromkeys(methods)),
        password=password,
        token_id=token_id,
        application_credential=credential,
        scope=_scope(auth.get("scope")),
    )


def _application_credential_identity(section: dict) -> ApplicationCredentialIdentity:
    where = "identity.application_credential"
    secret = _string(section, "secret", where)
    credential_id = _optional_string(section, "id", where)
    name = _optional_string(section, "name", where)
    if credential_id is None and name is None:
        raise RequestError(400, f"Invalid input for field '{where}': an 'id', or a "
                           "'name' with a 'user', is required.")
    user_id = user_name = user_domain = None
    if credential_id is None:
        user = _object(section, "user", where)
        user_id = _optional_string(user, "id", f"{where}.user")
        user_name = _optional_string(user, "name", f"{where}.user")
        if user_id is None and user_name is None:
            raise RequestError(400, f"Invalid input for field '{where}.user': an 'id' "
                               "or a 'name' with a 'domain' is required.")
        if user_id is None:
            user_domain = _domain_ref(user.get("domain"), f"{where}.user.domain")
    return ApplicationCredentialIdentity(secret=secret, id=credential_id, name=name,
                                         user_id=user_id, user_name=user_name,
                                         user_domain=user_domain)


def _password_identity(section: dict) -> PasswordIdentity:
    user = _object(section, "user", "identity.password")
    secret = user.get("password")
    if not isinstance(secret, str) or not encodable(secret):
        raise RequestError(400, "Invalid input for field 'identity.password.user."
                           "password': a string is required.")
    user_id = _optional_string(user, "id", "identity.password.user")
    name = _optional_string(user, "name", "identity.password.user")
    if user_id is None and name is None:
        raise RequestError(400, "Invalid input for field 'identity.password.user': "
                           "an 'id', or a 'name' with a 'domain', is required.")
    domain = None
    if user_id is None:
        if "domain" not in user:
            raise RequestError(400, "Expecting to find domain in user: a user "
                               "named by name needs a 'domain' (id or name).")
        domain = _domain_ref(user["domain"], "identity.password.user.domain")
    return PasswordIdentity(password=secret, user_id=user_id, name=name, domain=domain)


def _scope(scope: Any) -> Any:
    if scope is None:
        return None
    if scope == "unscoped":
        return UNSCOPED
    if not isinstance(scope, dict):
        raise RequestError(400, "Invalid input for field 'auth.scope': an object "
                           "or \"unscoped\" is required.")
    if "system" in scope and set(scope) == {"system"}:
        if scope["system"] != {"all": True}:
            raise RequestError(400, "Invalid input for field 'auth.scope.system': "
                               "{\"all\": true} is the only system scope.")
        return SYSTEM_SCOPE
    if "domain" in scope and set(scope) == {"domain"}:
        return DomainScope(_domain_ref(scope["domain"], "auth.scope.domain"))
    if set(scope) - {"project"}:
        raise RequestError(400, "Mimic supports project, domain, system and unscoped "
                           "tokens; trust scopes are not emulated.")
    project = _object(scope, "project", "auth.scope")
    project_id = _optional_string(project, "id", "auth.scope.project")
    name = _optional_string(project, "name", "auth.scope.project")
    if project_id is None and name is None:
        raise RequestError(400, "Invalid input for field 'auth.scope.project': an "
                           "'id', or a 'name' with a 'domain', is required.")
    domain = None
    if project_id is None:
        if "domain" not in project:
            raise RequestError(400, "Expecting to find domain in project: a project "
                               "named by name needs a 'domain' (id or name).")
        domain = _domain_ref(project["domain"], "auth.scope.project.domain")
    return ProjectScope(id=project_id, name=name, domain=domain)


def _domain_ref(value: Any, where: str) -> DomainRef:
    if not isinstance(value, dict):
        raise RequestError(400, f"Invalid input for field '{where}': an object is required.")
    domain_id = _optional_string(value, "id", where)
    name = _optional_string(value, "name", where)
    if domain_id is None and name is None:
        raise RequestError(400, f"Invalid input for field '{where}': an 'id' or a "
                           "'name' is required.")
    return DomainRef(id=domain_id, name=None if domain_id else name)


def _object(body: dict, key: str, where: str) -> dict:
    value = body.get(key)
    if not isinstance(value, dict):
        raise RequestError(400, f"Invalid input for field '{key}' in {where}: "
                           "an object is required.")
    return value


def _optional_string(body: dict, key: str, where: str) -> Optional[str]:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value or not encodable(value):
        raise RequestError(400, f"Invalid input for field '{where}.{key}': a "
                           "non-empty string (valid Unicode) is required.")
    return value


def _string(body: dict, key: str, where: str) -> str:
    value = _optional_string(body, key, where)
    if value is None:
        raise RequestError(400, f"Invalid input for field '{where}.{key}': a "
                           "non-empty string is required.")
    return value


# rendering


def _audit_id(token: Token) -> str:
    """Keystone's audit id shape (22 url-safe characters), fixed per token."""
    digest = hashlib.sha256(token.id.encode("utf-8")).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


