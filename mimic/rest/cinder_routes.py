"""
What every Cinder route shares: the one Klein app the route classes of
:mod:`mimic.rest.cinder_api`, :mod:`mimic.rest.cinder_types_api` and
:mod:`mimic.rest.cinder_admin_api` register on (as Nova's do on
:class:`mimic.rest.nova_routes.NovaRoutes`), microversion negotiation,
who the caller is (its user, whether its token holds ``admin``), and the
one translation of the model's refusals into Cinder's fault body
(``{"itemNotFound": {"code": 404, "message": ...}}``,
``cinder/api/openstack/wsgi.py``, ``Fault``).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Optional


from mimic.bounds import decimal
from mimic.klein_rendering import MimicKlein
from mimic.model.cinder import BlockStorageRegion, block_storage_for, catalog_for, volume_owner
from mimic.model.cinder_errors import (
    BadRequest,
    BlockStorageError,
    Conflict,
    InjectedFailure,
    NotFound,
    QuotaExceeded,
)
from mimic.model.cinder_types import BlockStorageCatalog
from mimic.rest.cinder_json import Version
from mimic.rest.http import (
    RequestError,
    install_error_handlers,
    json_response,
    openstack_error_body,
)
from mimic.rest.nova_json import query_argument

#: Cinder's microversions (``cinder/api/openstack/api_version_request.py``).
MIN_VERSION = (3, 0)
MAX_VERSION = (3, 71)
VERSION_UPDATED = "2023-08-31T00:00:00Z"

#: Cinder's ``osapi_max_limit``: the largest page a listing answers.
MAX_PAGE = 1000

_ERRORS: dict[type, int] = {BadRequest: 400, NotFound: 404, Conflict: 409, QuotaExceeded: 413}


def cinder_error(error: BlockStorageError) -> RequestError:
    """The one translation of a model error into Cinder's HTTP answer."""
    if isinstance(error, InjectedFailure):
        return RequestError(error.code, error.message, kind=error.kind)
    code = _ERRORS[type(error)]
    # Quota errors carry Retry-After: 0 (cinder/exception.py, QuotaError).
    headers = {b"retry-after": b"0"} if code == 413 else None
    return RequestError(code, error.message, headers=headers)


def install_cinder_error_handlers(app: MimicKlein) -> None:
    """Answer the model's refusals and every other failure in Cinder's shape."""

    @app.handle_errors(BlockStorageError)
    def refused_by_model(*args: Any) -> bytes:
        request, failure = args[-2:]
        error = cinder_error(failure.value)
        return json_response(request, openstack_error_body(error), code=error.code,
                             headers=error.headers)

    install_error_handlers(app, openstack_error_body)


def _text(version: Version) -> str:
    return f"{version[0]}.{version[1]}"


def version_document(prefix: str) -> dict:
    """Cinder's one version, ``v3.0``, as ``cinder/api/versions.py`` builds it."""
    return {
        "id": "v3.0",
        "status": "CURRENT",
        "version": _text(MAX_VERSION),
        "min_version": _text(MIN_VERSION),
        "updated": VERSION_UPDATED,
        "links": [
            {"rel": "describedby", "type": "text/html",
             "href": "https://docs.openstack.org/"},
            {"rel": "self", "href": f"{prefix}/v3/"},
        ],
        "media-types": [{"base": "application/json",
                         "type": "application/vnd.openstack.volume+json;version=3"}],
    }


def _header(request: Any, name: bytes) -> Optional[str]:
    value = request.getHeader(name)
    return value.decode("latin-1") if isinstance(value, bytes) else value


_VERSION = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")


def negotiate_version(request: Any) -> Version:
    """
    The microversion from ``OpenStack-API-Version: volume X`` (3.0 when not
    sent; ``latest`` is 3.71), echoed in the answer's headers as Cinder does.
    """
    requested = None
    header = _header(request, b"openstack-api-version")
    if header:
        for item in header.split(","):
            parts = item.strip().split()
            if len(parts) == 2 and parts[0].lower() == "volume":
                requested = parts[1]
    if requested is None:
        version = MIN_VERSION
    elif requested.lower() == "latest":
        version = MAX_VERSION
    else:
        match = _VERSION.match(requested)
        if match is None:
            raise RequestError(400, f"API Version String {requested} is of invalid "
                               "format. Must be of format MajorNum.MinorNum.")
        version = (int(match.group(1)), int(match.group(2)))
        if not MIN_VERSION <= version <= MAX_VERSION:
            # Cinder's Fault has no name for 406, so it falls back to computeFault.
            raise RequestError(406, f"Version {_text(version)} is not supported by the "
                               f"API. Minimum is {_text(MIN_VERSION)} and maximum is "
                               f"{_text(MAX_VERSION)}.", kind="computeFault")
    request.setHeader(b"openstack-api-version", f"volume {_text(version)}".encode())
    request.setHeader(b"vary", b"OpenStack-API-Version")
    return version


def require(version: Version, minimum: Version) -> None:
    """A route that does not exist before ``minimum`` is a bare 404, as in Cinder."""
    if version < minimum:
        raise RequestError(404, "The resource could not be found.")


def read_limit(request: Any) -> int:
    raw = query_argument(request, "limit")
    if raw is None:
        return MAX_PAGE
    limit = decimal(raw)
    if limit is None:
        raise BadRequest("Invalid input received: limit must be a non-negative integer")
    return min(limit, MAX_PAGE)


def tenant_route(app: MimicKlein, path: str, methods: list) -> Callable:
    return app.route(f"/v3/<tenant_id>{path}", methods=methods)



def policy_refusal(rule: str) -> RequestError:
    """Cinder's 403 for a rule its default policy keeps for admins."""
    return RequestError(403, f"Policy doesn't allow {rule} to be performed.")


class CinderRoutes:
    """Cinder in one region, bound to the session store of this request."""

    app = MimicKlein()

    def __init__(self, region: str, uri_prefix: str, session_store: Any) -> None:
        self.region = region
        self.prefix = uri_prefix
        self.store = session_store

    def _begin(self, request: Any, tenant_id: str) -> tuple[BlockStorageRegion, Version]:
        version = negotiate_version(request)
        return block_storage_for(self.store, tenant_id, self.region), version

    def _catalog(self) -> BlockStorageCatalog:
        return catalog_for(self.store, self.region)

    def _token(self, request: Any, tenant_id: str) -> Any:
        header = _header(request, b"x-auth-token")
        token = self.store.valid_token(header) if header else None
        if token is not None and token.tenant.id == tenant_id:
            return token
        return None

    def _user_id(self, request: Any, tenant_id: str) -> str:
        token = self._token(request, tenant_id)
        return token.user.id if token is not None else f"{tenant_id}-user"

    def _is_admin(self, request: Any, tenant_id: str) -> bool:
        """Whether the caller's token holds ``admin`` on the tenant in the URL."""
        token = self._token(request, tenant_id)
        return token is not None and bool(token.is_admin)

    def _admin(self, request: Any, tenant_id: str, rule: str) -> Version:
        """Negotiate, and refuse a non-admin with Cinder's policy 403."""
        version = negotiate_version(request)
        if not self._is_admin(request, tenant_id):
            raise policy_refusal(rule)
        return version

    def _begin_for_volume(self, request: Any, tenant_id: str,
                          volume_id: str) -> tuple[BlockStorageRegion, Version]:
        """
        The state holding ``volume_id``: the caller's own, or for an admin
        whichever project's holds it (an admin context reaches every
        project's volumes, ``cinder/db/sqlalchemy/api.py``'s ``project_only``).
        """
        storage, version = self._begin(request, tenant_id)
        if not storage.holds_volume(volume_id) and self._is_admin(request, tenant_id):
            owner = volume_owner(self.store, self.region, volume_id)
            if owner is not None:
                return owner, version
        return storage, version
