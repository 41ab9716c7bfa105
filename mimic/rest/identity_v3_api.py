"""
Identity v3 (Keystone) under ``/identity/v3``: the version document, tokens
(password and token methods, project-scoped or unscoped) with a v3 service
catalog, token validation and revocation, and the read-only project, user,
domain and region listings today's clients (keystoneauth1, openstacksdk,
the ``openstack`` CLI) call.

It shares users, projects and tokens with Identity v2.0 through the one
session store. Errors use Keystone v3's shape
(``{"error": {"code", "title", "message"}}``), rendered in one place.
"""

from __future__ import annotations

import base64
import hashlib
from http import HTTPStatus
from typing import Any, Optional
from urllib.parse import parse_qs

from klein import Klein

from mimic.model.identity import Domain, Tenant, Token, User
from mimic.model.identity_v3 import (
    UNSCOPED,
    AuthenticationFailed,
    AuthRequest,
    DomainRef,
    PasswordIdentity,
    ProjectScope,
    auth_target,
    authenticate,
)
from mimic.rest.http import (
    RequestError,
    caller_token,
    empty_response,
    install_error_handlers,
    json_response,
    query_text,
    read_json,
)
from mimic.rest.identity_api import (
    IDENTITY_SERVICE,
    all_regions,
    apply_auth_behavior,
    rendered_catalog,
    root_url,
    version_v3,
)
from mimic.util import iso_time

#: The authentication methods Mimic's v3 understands.
SUPPORTED_METHODS = ("password", "token")

#: The roles every project-scoped token carries: Mimic users may do anything.
ROLE_NAMES = ("admin", "member", "reader")

#: The interfaces each plugin endpoint is offered on (the same URL, as in the
#: v2.0 catalog's publicURL and internalURL); Identity adds ``admin``.
SERVICE_INTERFACES = ("public", "internal")
IDENTITY_INTERFACES = ("public", "internal", "admin")


def keystone_error_body(error: RequestError) -> dict:
    """``{"error": {"code": 401, "title": "Unauthorized", "message": ...}}``."""
    try:
        title = HTTPStatus(error.code).phrase
    except ValueError:
        title = "Error"
    return {"error": {"code": error.code, "title": title, "message": error.message}}


class IdentityV3Api:
    """The ``/identity/v3`` tree, bound to one :class:`mimic.core.MimicCore`."""

    app = Klein()

    def __init__(self, core: Any) -> None:
        self.core = core

    @property
    def store(self) -> Any:
        return self.core.store

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
            raise _unauthorized(request, str(failed)) from None
        with_catalog = not _has_flag(request, "nocatalog")
        return json_response(
            request, {"token": self._token_json(request, token, with_catalog)},
            code=201, headers={b"x-subject-token": token.id.encode("utf-8")},
        )

    @app.route("/auth/tokens", methods=["GET", "HEAD"])
    def validate_token(self, request: Any) -> bytes:
        self._caller(request)
        token = self._subject_token(request)
        headers = {b"x-subject-token": token.id.encode("utf-8")}
        if request.method == b"HEAD":
            request.setResponseCode(200)
            request.setHeader(b"x-subject-token", headers[b"x-subject-token"])
            return b""
        with_catalog = not _has_flag(request, "nocatalog")
        return json_response(
            request, {"token": self._token_json(request, token, with_catalog)},
            headers=headers,
        )

    @app.route("/auth/tokens", methods=["DELETE"])
    def revoke_token(self, request: Any) -> bytes:
        self._caller(request)
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

    def _caller(self, request: Any) -> Token:
        """The valid token in X-Auth-Token, which every call but auth needs."""
        token = caller_token(request, self.store)
        if token is None:
            raise _unauthorized(request, "The request you have made requires "
                                "authentication: a valid X-Auth-Token is needed.")
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
        tenant = token.tenant
        body["project"] = {
            "id": tenant.id,
            "name": tenant.name,
            "domain": self._domain_ref(tenant.domain_id),
        }
        body["is_domain"] = False
        body["roles"] = self._roles()
        if with_catalog:
            body["catalog"] = self._catalog(request, tenant.id)
        return body

    def _domain_ref(self, domain_id: str) -> dict:
        domain = self.store.known_domain(domain_id)
        return {"id": domain_id, "name": domain.name if domain else domain_id}

    def _roles(self) -> list:
        return [{"id": self._stable_id(("role", name)), "name": name}
                for name in ROLE_NAMES]

    def _stable_id(self, key: tuple) -> str:
        """
        An id that stays the same for the same thing until reset (a
        service's, an endpoint's, a role's), drawn once from the store's ids.
        """
        ids = self.store.data_for_api("identity-v3-ids", dict)
        found = ids.get(key)
        if found is None:
            found = ids[key] = self.store.ids.hex(32)
        return found

    # the catalog

    def _catalog(self, request: Any, tenant_id: str) -> Any:
        return rendered_catalog(self.store, "identity-v3-catalog", tenant_id,
                                root_url(request), self._render_catalog)

    def _render_catalog(self, root: str, tenant_id: str) -> list:
        identity_url = f"{root}/identity/v3"
        services = [self._service(
            "identity", IDENTITY_SERVICE["type"], IDENTITY_SERVICE["name"],
            [(region, identity_url) for region in all_regions(self.core)],
            IDENTITY_INTERFACES,
        )]
        for service_id, entry in self.core.catalog(tenant_id):
            services.append(self._service(
                service_id, entry.type, entry.name,
                [(e.region, e.url(root, service_id)) for e in entry.endpoints],
                SERVICE_INTERFACES,
            ))
        return services

    def _service(self, service_id: str, service_type: str, name: str,
                 endpoints: list, interfaces: tuple) -> dict:
        key = ("service", service_id, service_type, name)
        return {
            "id": self._stable_id(key),
            "type": service_type,
            "name": name,
            "endpoints": [
                {
                    "id": self._stable_id((*key, region, interface)),
                    "interface": interface,
                    "region": region,
                    "region_id": region,
                    "url": url,
                }
                for region, url in endpoints
                for interface in interfaces
            ],
        }

    @app.route("/auth/catalog", methods=["GET"])
    def auth_catalog(self, request: Any) -> bytes:
        token = self._caller(request)
        if token.unscoped:
            raise RequestError(403, "A project-scoped token is required to produce "
                               "a service catalog.")
        return json_response(request, {
            "catalog": self._catalog(request, token.tenant.id),
            "links": _links(request),
        })

    # projects, users, domains, regions

    @app.route("/auth/projects", methods=["GET"])
    def auth_projects(self, request: Any) -> bytes:
        user = self._caller(request).user
        return self._projects(request, [user.tenant])

    @app.route("/auth/domains", methods=["GET"])
    def auth_domains(self, request: Any) -> bytes:
        self._caller(request)
        # Mimic grants roles on projects, never on domains, as Keystone does
        # for a user with only project assignments.
        return json_response(request, {"domains": [], "links": _links(request)})

    @app.route("/projects", methods=["GET"])
    def projects(self, request: Any) -> bytes:
        self._caller(request)
        tenants = self.store.tenants()
        name = _query(request, "name")
        if name is not None:
            tenants = [t for t in tenants if t.name == name]
        domain_id = _query(request, "domain_id")
        if domain_id is not None:
            tenants = [t for t in tenants if t.domain_id == domain_id]
        return self._projects(request, tenants)

    def _projects(self, request: Any, tenants: list) -> bytes:
        return json_response(request, {
            "projects": [_project_json(request, t) for t in tenants],
            "links": _links(request),
        })

    @app.route("/projects/<project_id>", methods=["GET"])
    def project(self, request: Any, project_id: str) -> bytes:
        self._caller(request)
        tenant = self.store.known_tenant(project_id)
        if tenant is None:
            raise RequestError(404, f"Could not find project: {project_id}.")
        return json_response(request, {"project": _project_json(request, tenant)})

    @app.route("/users", methods=["GET"])
    def users(self, request: Any) -> bytes:
        self._caller(request)
        users = self.store.users()
        name = _query(request, "name")
        if name is not None:
            users = [u for u in users if u.username == name]
        domain_id = _query(request, "domain_id")
        if domain_id is not None:
            users = [u for u in users if u.domain_id == domain_id]
        return json_response(request, {
            "users": [_user_json(request, u) for u in users],
            "links": _links(request),
        })

    @app.route("/users/<user_id>", methods=["GET"])
    def user(self, request: Any, user_id: str) -> bytes:
        self._caller(request)
        return json_response(request, {"user": _user_json(request, self._user(user_id))})

    @app.route("/users/<user_id>/projects", methods=["GET"])
    def user_projects(self, request: Any, user_id: str) -> bytes:
        self._caller(request)
        return self._projects(request, [self._user(user_id).tenant])

    def _user(self, user_id: str) -> User:
        user = self.store.user_by_id(user_id)
        if user is None:
            raise RequestError(404, f"Could not find user: {user_id}.")
        return user

    @app.route("/domains", methods=["GET"])
    def domains(self, request: Any) -> bytes:
        self._caller(request)
        domains = self.store.domains()
        name = _query(request, "name")
        if name is not None:
            domains = [d for d in domains if d.name == name]
        return json_response(request, {
            "domains": [_domain_json(request, d) for d in domains],
            "links": _links(request),
        })

    @app.route("/domains/<domain_id>", methods=["GET"])
    def domain(self, request: Any, domain_id: str) -> bytes:
        self._caller(request)
        domain = self.store.known_domain(domain_id)
        if domain is None:
            raise RequestError(404, f"Could not find domain: {domain_id}.")
        return json_response(request, {"domain": _domain_json(request, domain)})

    @app.route("/regions", methods=["GET"])
    def regions(self, request: Any) -> bytes:
        self._caller(request)
        return json_response(request, {
            "regions": [_region_json(request, r) for r in all_regions(self.core)],
            "links": _links(request),
        })

    @app.route("/regions/<region_id>", methods=["GET"])
    def region(self, request: Any, region_id: str) -> bytes:
        self._caller(request)
        if region_id not in all_regions(self.core):
            raise RequestError(404, f"Could not find region: {region_id}.")
        return json_response(request, {"region": _region_json(request, region_id)})


install_error_handlers(IdentityV3Api.app, keystone_error_body)


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
    if "password" in methods:
        password = _password_identity(_object(identity, "password", "identity"))
    if "token" in methods:
        token_id = _string(_object(identity, "token", "identity"), "id", "identity.token")
    return AuthRequest(
        methods=tuple(dict.fromkeys(methods)),
        password=password,
        token_id=token_id,
        scope=_scope(auth.get("scope")),
    )


def _password_identity(section: dict) -> PasswordIdentity:
    user = _object(section, "user", "identity.password")
    secret = user.get("password")
    if not isinstance(secret, str):
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
    if set(scope) - {"project"}:
        raise RequestError(400, "Mimic supports project-scoped and unscoped tokens "
                           "only; domain, system and trust scopes are not emulated.")
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
    if not isinstance(value, str) or not value:
        raise RequestError(400, f"Invalid input for field '{where}.{key}': a "
                           "non-empty string is required.")
    return value


def _string(body: dict, key: str, where: str) -> str:
    value = _optional_string(body, key, where)
    if value is None:
        raise RequestError(400, f"Invalid input for field '{where}.{key}': a "
                           "non-empty string is required.")
    return value


# rendering


def _unauthorized(request: Any, message: str) -> RequestError:
    """A 401 that tells the client where to authenticate, as Keystone does."""
    challenge = f'Keystone uri="{root_url(request)}/identity/v3"'
    return RequestError(401, message, headers={b"www-authenticate": challenge.encode()})


def _audit_id(token: Token) -> str:
    """Keystone's audit id shape (22 url-safe characters), fixed per token."""
    digest = hashlib.sha256(token.id.encode("utf-8")).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def _has_flag(request: Any, name: str) -> bool:
    """
    Whether the query string holds ``name``, valued or bare (``?nocatalog``):
    Twisted's ``request.args`` drops bare names.
    """
    query = request.uri.partition(b"?")[2].decode("utf-8", "replace")
    return name in parse_qs(query, keep_blank_values=True)


def _query(request: Any, name: str) -> Optional[str]:
    return query_text(request, name, first=True)


def _v3_url(request: Any, path: str) -> str:
    return f"{root_url(request)}/identity/v3/{path}"


def _links(request: Any) -> dict:
    self_url = root_url(request) + request.uri.decode("utf-8", "replace")
    return {"self": self_url, "previous": None, "next": None}


def _project_json(request: Any, tenant: Tenant) -> dict:
    return {
        "id": tenant.id,
        "name": tenant.name,
        "domain_id": tenant.domain_id,
        "parent_id": tenant.domain_id,
        "description": "",
        "enabled": True,
        "is_domain": False,
        "tags": [],
        "options": {},
        "links": {"self": _v3_url(request, f"projects/{tenant.id}")},
    }


def _user_json(request: Any, user: User) -> dict:
    return {
        "id": user.id,
        "name": user.username,
        "domain_id": user.domain_id,
        "default_project_id": user.tenant.id,
        "enabled": True,
        "password_expires_at": None,
        "options": {},
        "links": {"self": _v3_url(request, f"users/{user.id}")},
    }


def _domain_json(request: Any, domain: Domain) -> dict:
    return {
        "id": domain.id,
        "name": domain.name,
        "description": "",
        "enabled": True,
        "tags": [],
        "options": {},
        "links": {"self": _v3_url(request, f"domains/{domain.id}")},
    }


def _region_json(request: Any, region: str) -> dict:
    return {
        "id": region,
        "description": "",
        "parent_region_id": None,
        "links": {"self": _v3_url(request, f"regions/{region}")},
    }
