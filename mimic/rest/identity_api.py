"""
Identity v2.0 (Rackspace / Keystone) under ``/identity``: version discovery
(listing v2.0 and v3), tokens with a service catalog, validation, tenants,
users, credentials and impersonation, plus the Identity control API's
behaviors. Identity v3 lives in :mod:`mimic.rest.identity_v3_api`, mounted
here at ``/identity/v3``.

Errors use Identity's body shape (``{"badRequest": {"code", "message"}}``)
with Keystone's ``"error"`` object beside it, which today's clients read.
"""

from __future__ import annotations

from typing import Any, Optional

from mimic.klein_rendering import MimicKlein
from twisted.web.resource import Resource

from mimic.model.identity import AUTH_EVENT, TenantMismatch, Token, User
from mimic.model.identity.tokens import MAX_TOKEN_LIFETIME, lifetime_fits
from mimic.rest.behavior_routes import list_behaviors, register_behavior, remove_behavior
from mimic.rest.http import (
    RawJSON,
    RequestError,
    caller_token,
    empty_response,
    install_error_handlers,
    json_response,
    openstack_error_body,
    query_text,
    query_values,
    read_json,
)
from mimic.rest.identity_common import (
    IDENTITY_SERVICE,
    all_regions,
    apply_auth_behavior,
    encodable,
    identity_v2_error_body,
    operator_v2_catalog,
    rendered_catalog,
    root_url,
    version_v2,
    version_v3,
)
from mimic.rest.identity_v3_api import IdentityV3Resource
from mimic.util import iso_time

__all__ = ["IdentityApi", "IdentityControlApi", "IdentityResource", "root_url"]

CREDENTIAL_KINDS = {
    "passwordCredentials": ("password", "PASSWORD"),
    "RAX-KSKEY:apiKeyCredentials": ("apiKey", "APIKEY"),
}


class IdentityApi:
    """The ``/identity`` tree, bound to one :class:`mimic.core.MimicCore`."""

    app = MimicKlein()

    def __init__(self, core: Any) -> None:
        self.core = core

    @property
    def store(self) -> Any:
        return self.core.store

    # discovery

    @app.route("/", methods=["GET"])
    def versions(self, request: Any) -> bytes:
        root = root_url(request)
        versions = [version_v3(root), version_v2(root)]
        return json_response(request, {"versions": {"values": versions}}, code=300)

    @app.route("/v3", methods=["GET"])
    def version_3(self, request: Any) -> bytes:
        # Answered here: handing an empty path to the v3 resource would
        # redirect /identity/v3 (the URL in v3 catalogs) to /identity/v3/.
        return json_response(request, {"version": version_v3(root_url(request))})

    @app.route("/v2.0", methods=["GET"])
    @app.route("/v2.0/", methods=["GET"])
    def version(self, request: Any) -> bytes:
        # "version" is Keystone's v2.0 document. "versions" beside it also
        # names v3: keystoneauth1 reads "versions" first, and its generic
        # plugins then choose v3 when a domain is configured (the
        # ``openstack`` command configures one by default), so the CLI's v3
        # commands get the v3 catalog they parse. Without a domain (and
        # with --os-identity-api-version 2) v2.0 is still chosen.
        root = root_url(request)
        return json_response(request, {
            "version": version_v2(root),
            "versions": {"values": [version_v2(root), version_v3(root)]},
        })

    # tokens

    @app.route("/v2.0/tokens", methods=["POST"])
    def authenticate(self, request: Any) -> bytes:
        body = read_json(request)
        auth = body.get("auth")
        if not isinstance(auth, dict):
            raise RequestError(400, "Invalid request: an 'auth' object is required.")
        tenant_id = _optional_string(auth, "tenantId")
        tenant_name = _optional_string(auth, "tenantName")
        kinds = [k for k in (*CREDENTIAL_KINDS, "token") if k in auth]
        if len(kinds) != 1:
            raise RequestError(
                400,
                "Invalid request: exactly one of passwordCredentials, "
                "RAX-KSKEY:apiKeyCredentials or token is required.",
            )
        (kind,) = kinds
        credentials = auth[kind]
        if not isinstance(credentials, dict):
            raise RequestError(400, f"Invalid request: '{kind}' must be an object.")
        if kind == "token":
            token_id = _required_string(credentials, "id", "token")
            known = self.store.valid_token(token_id)
            username = known.user.username if known else ""
            method = "TOKEN"
        else:
            secret_key, method = CREDENTIAL_KINDS[kind]
            username = _required_string(credentials, "username", kind)
            _required_string(credentials, secret_key, kind)
        apply_auth_behavior(self.store, username, tenant_id or tenant_name)
        try:
            if kind == "token":
                token = self.store.adopt_token(token_id, tenant_id, tenant_name)
            else:
                token = self._password_token(kind, username, credentials[secret_key],
                                             tenant_id, tenant_name)
        except TenantMismatch as mismatch:
            raise RequestError(
                401, f"Tenant with Name/Id: '{mismatch}' is not valid for User "
                f"'{username}' (or token)."
            ) from None
        return json_response(request, {"access": self._access(request, token, method)})

    def _password_token(self, kind: str, username: str, secret: str,
                        tenant_id: Optional[str], tenant_name: Optional[str]) -> Token:
        """
        The user's token on the tenant asked for. An implicit user naming a
        tenant they have not used joins it (as in the original Mimic); a
        managed user (made through v3) must give their password and hold a
        role on it.
        """
        known = self.store.user_by_name(username)
        if known is not None and known.managed:
            if kind != "passwordCredentials" or not known.password_matches(secret):
                raise RequestError(401, "Unable to authenticate user with "
                                   "credentials provided.")
            if not known.enabled:
                raise RequestError(403, f"User '{username}' is disabled.",
                                   kind="userDisabled")
        user = self.store.user(username, tenant_id, tenant_name)
        tenant = self.store.scope_for(user, tenant_id, tenant_name)
        if kind == "passwordCredentials" and user.password is None:
            user.password = secret
        return self.store.token_for(user, tenant)

    def _access(self, request: Any, token: Token, method: str) -> dict:
        return {
            "token": self._token_json(token, method),
            "user": _user_json(self.store, token),
            "serviceCatalog": self._service_catalog(request, token.tenant.id),
        }

    def _token_json(self, token: Token, method: Optional[str] = None) -> dict:
        body = {
            "id": token.id,
            "expires": iso_time(token.expires),
            "issued_at": iso_time(token.issued),
            "tenant": {"id": token.tenant.id, "name": token.tenant.name},
        }
        if method is not None:
            body["RAX-AUTH:authenticatedBy"] = [method]
        return body

    def _service_catalog(self, request: Any, tenant_id: str) -> RawJSON:
        return rendered_catalog(self.store, "v2.0", tenant_id, root_url(request),
                                self._render_catalog)

    def _render_catalog(self, root: str, tenant_id: str) -> list:
        services = [
            {
                **IDENTITY_SERVICE,
                "endpoints": [
                    {"region": region, "tenantId": tenant_id,
                     "publicURL": f"{root}/identity/v2.0",
                     "internalURL": f"{root}/identity/v2.0"}
                    for region in all_regions(self.core)
                ],
            }
        ]
        for service_id, entry in self.core.catalog(tenant_id):
            services.append({
                "name": entry.name,
                "type": entry.type,
                "endpoints": [
                    _v2_endpoint(endpoint.url(root, service_id), endpoint.region,
                                 entry.tenant_id)
                    for endpoint in entry.endpoints
                ],
            })
        return services + operator_v2_catalog(self.store, tenant_id)

    @app.route("/v2.0/tokens/<token_id>", methods=["GET"])
    def validate_token(self, request: Any, token_id: str) -> bytes:
        token = self._known_token(token_id)
        belongs_to = query_text(request, "belongsTo", first=True)
        if belongs_to and belongs_to not in (token.tenant.id, token.tenant.name):
            raise RequestError(404, f"Token {token_id} does not belong to that tenant.")
        access = {"token": self._token_json(token), "user": _user_json(self.store, token)}
        if token.impersonator is not None:
            access["RAX-AUTH:impersonator"] = _impersonator_json(token.impersonator)
        return json_response(request, {"access": access})

    @app.route("/v2.0/tokens/<token_id>", methods=["DELETE"])
    def revoke_token(self, request: Any, token_id: str) -> bytes:
        if not self.store.revoke(token_id):
            raise RequestError(404, f"Token {token_id} not found.")
        return empty_response(request)

    @app.route("/v2.0/tokens/<token_id>/endpoints", methods=["GET"])
    def token_endpoints(self, request: Any, token_id: str) -> bytes:
        token = self._known_token(token_id)
        endpoints = []
        for service in self._render_catalog(root_url(request), token.tenant.id):
            for endpoint in service["endpoints"]:
                endpoints.append({
                    "id": len(endpoints) + 1,
                    "name": service["name"],
                    "type": service["type"],
                    **endpoint,
                })
        return json_response(request, {"endpoints": endpoints, "endpoints_links": []})

    def _known_token(self, token_id: str) -> Token:
        token = self.store.valid_token(token_id)
        if token is None:
            raise RequestError(404, f"Token {token_id} not found.")
        return token

    def _caller(self, request: Any) -> Token:
        """The token in X-Auth-Token, which these admin calls require."""
        token = caller_token(request, self.store)
        if token is None:
            raise RequestError(401, "No valid token provided. Please use the "
                               "'X-Auth-Token' header with a valid token.")
        return token

    @app.route("/v2.0/tenants", methods=["GET"])
    def tenants(self, request: Any) -> bytes:
        user = self._caller(request).user
        # Every tenant the user may use, their default one first; an admin's
        # token lists every tenant (Keystone v2.0's admin listing).
        tenants = [user.tenant] + [t for t in self.store.projects_of(user)
                                   if t is not user.tenant]
        return json_response(request, {
            "tenants": [{"id": t.id, "name": t.name, "enabled": t.enabled}
                        for t in tenants],
            "tenants_links": [],
        })

    # users and credentials

    @app.route("/v2.0/users", methods=["GET"])
    def users(self, request: Any) -> bytes:
        names = query_values(request, "name")
        if names:
            user = self.store.user_by_name(names[0])
            if user is None:
                raise RequestError(404, "User not found.")
            return json_response(request, {"user": _user_details(user)})
        caller = self._caller(request)
        users = self.store.users_of_tenant(caller.tenant)
        return json_response(request, {"users": [_user_details(u) for u in users]})

    @app.route("/v2.0/users/<user_id>/OS-KSADM/credentials", methods=["GET"])
    def credentials(self, request: Any, user_id: str) -> bytes:
        user = self._user(user_id)
        return json_response(request, {
            "credentials": [{"RAX-KSKEY:apiKeyCredentials": _api_key(user)}],
            "credentials_links": [],
        })

    @app.route(
        "/v2.0/users/<user_id>/OS-KSADM/credentials/RAX-KSKEY:apiKeyCredentials",
        methods=["GET"],
    )
    def api_key_credentials(self, request: Any, user_id: str) -> bytes:
        user = self._user(user_id)
        return json_response(request, {"RAX-KSKEY:apiKeyCredentials": _api_key(user)})

    def _user(self, user_id: str) -> User:
        user = self.store.user_by_id(user_id)
        if user is None:
            raise RequestError(404, f"User {user_id} not found.")
        return user

    @app.route("/v2.0/RAX-AUTH/impersonation-tokens", methods=["POST"])
    def impersonate(self, request: Any) -> bytes:
        caller = self._caller(request)
        body = read_json(request)
        spec = body.get("RAX-AUTH:impersonation")
        if not isinstance(spec, dict) or not isinstance(spec.get("user"), dict):
            raise RequestError(400, "Invalid request: 'RAX-AUTH:impersonation' with "
                               "a 'user' object is required.")
        username = _required_string(spec["user"], "username", "user")
        lifetime = spec.get("expire-in-seconds", 10800)
        # Checked before anything is made: a lifetime that is not a whole
        # number of seconds, or whose expiry the API's timestamps cannot
        # show, is refused and the user is not created.
        if (isinstance(lifetime, bool) or not isinstance(lifetime, int)
                or not 0 < lifetime <= MAX_TOKEN_LIFETIME
                or not lifetime_fits(self.store.now(), lifetime)):
            raise RequestError(400, "'expire-in-seconds' must be a whole number of "
                               f"seconds from 1 to {MAX_TOKEN_LIFETIME}.")
        token = self.store.impersonate(caller.user, username, lifetime)
        return json_response(request, {"access": {"token": {
            "id": token.id, "expires": iso_time(token.expires),
        }}})


def _v2_endpoint(url: str, region: str, tenant_id: str) -> dict:
    return {"region": region, "tenantId": tenant_id, "publicURL": url, "internalURL": url}


#: The Rackspace role every Mimic user holds (the account's own admin), and
#: Keystone's names of the roles a token carries, listed beside it.
RACKSPACE_ROLE = {"id": "3", "name": "identity:user-admin",
                  "description": "User Admin Role."}


def _user_json(store: Any, token: Token) -> dict:
    """The token's user, with the roles the token carries on its tenant."""
    roles = [RACKSPACE_ROLE]
    for name in token.roles:
        role = store.roles.role_named(name)
        roles.append({"id": role.id if role else name, "name": name})
    return {
        "id": token.user.id,
        "name": token.user.username,
        "roles": roles,
        "RAX-AUTH:defaultRegion": "",
    }


def _impersonator_json(user: User) -> dict:
    return {"id": user.id, "name": user.username, "roles": [RACKSPACE_ROLE],
            "RAX-AUTH:defaultRegion": ""}


def _user_details(user: User) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "email": f"{user.username}@example.com",
        "enabled": True,
        "RAX-AUTH:defaultRegion": "",
        "RAX-AUTH:domainId": user.tenant.id,
    }


def _api_key(user: User) -> dict:
    return {"username": user.username, "apiKey": user.api_key}


def _optional_string(body: dict, key: str) -> Optional[str]:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value or not encodable(value):
        raise RequestError(400, f"Invalid request: '{key}' must be a non-empty string.")
    return value


def _required_string(body: dict, key: str, where: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value or not encodable(value):
        raise RequestError(400, f"Invalid request: '{where}.{key}' is required "
                           "and must be a non-empty string (valid Unicode).")
    return value


install_error_handlers(IdentityApi.app, identity_v2_error_body)


class IdentityResource(Resource):
    """
    ``/identity``: ``/identity/v3/...`` goes straight to the v3 resource
    (one routing step per request, not two: tokens are Mimic's hottest
    path), everything else (versions, ``/identity/v3`` itself, v2.0) to
    :class:`IdentityApi`.
    """

    def __init__(self, core: Any) -> None:
        super().__init__()
        self.v2 = IdentityApi(core).app.resource()
        self.v3 = IdentityV3Resource(core)

    def getChildWithDefault(self, name: bytes, request: Any) -> Any:
        if name == b"v3" and request.postpath:
            return self.v3
        # Hand the whole path to Klein, which routes on prepath/postpath.
        request.postpath.insert(0, request.prepath.pop())
        return self.v2

    def render(self, request: Any) -> Any:
        return self.v2.render(request)


class IdentityControlApi:
    """
    ``/mimic/v1.1/IdentityControlAPI``: behaviors for the ``auth`` event.
    """

    app = MimicKlein()

    def __init__(self, core: Any) -> None:
        self.core = core

    def _registry(self, event: str) -> Any:
        if event != AUTH_EVENT.name:
            raise RequestError(404, f"Identity has no behavior event {event!r}; "
                               f"the only one is {AUTH_EVENT.name!r}.")
        return self.core.store.behavior_registry("identity", AUTH_EVENT)

    @app.route("/behaviors/<event>", methods=["POST"])
    def register(self, request: Any, event: str) -> bytes:
        return register_behavior(request, self._registry(event))

    @app.route("/behaviors/<event>", methods=["GET"])
    def listing(self, request: Any, event: str) -> bytes:
        return list_behaviors(request, self._registry(event))

    @app.route("/behaviors/<event>/<behavior_id>", methods=["DELETE"])
    def remove(self, request: Any, event: str, behavior_id: str) -> bytes:
        return remove_behavior(request, self._registry(event), behavior_id)


install_error_handlers(IdentityControlApi.app, openstack_error_body)
