"""
What every Nova route module shares: the one Klein app Nova's routes are
registered on (:attr:`NovaRoutes.app`), :func:`tenant_route` (every tenant
route answers under ``/v2/<tenant_id>``, the catalog URL, and
``/v2.1/<tenant_id>``), the start of every call (:meth:`NovaRoutes._begin`:
agree a microversion, find the tenant's state) and the one translation of
the model's refusals into Nova's HTTP answers (:func:`nova_error`).

The routes themselves live with their nouns: :mod:`mimic.rest.nova_servers_api`,
:mod:`mimic.rest.nova_actions_api`, :mod:`mimic.rest.nova_resources_api`,
:mod:`mimic.rest.nova_network_api`; :class:`mimic.rest.nova_api.NovaApi`
is all of them together.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from mimic.klein_rendering import MimicKlein

from mimic.model.nova import (
    BadRequest,
    ComputeError,
    ComputeRegion,
    Conflict,
    InjectedFailure,
    NotFound,
    QuotaExceeded,
)
from mimic.model.nova_instance_actions import InstanceAction
from mimic.rest.http import (
    RequestError,
    install_error_handlers,
    json_response,
    openstack_error_body,
    request_id,
)
from mimic.rest.nova_microversions import (
    MAX_PROXY_VERSION,
    MIN_VERSION,
    APIVersion,
    ServerView,
    negotiate_version,
    server_view,
    request_header,
)
from mimic.rest.nova_views import Links, RenderCache

_ERRORS: dict[type, int] = {
    BadRequest: 400, QuotaExceeded: 403, NotFound: 404, Conflict: 409,
}


def nova_error(error: ComputeError) -> RequestError:
    """The one translation of a model error into Nova's HTTP answer."""
    if isinstance(error, InjectedFailure):
        return RequestError(error.code, error.message, kind=error.kind)
    return RequestError(_ERRORS[type(error)], error.message)


def install_nova_error_handlers(app: MimicKlein) -> None:
    """
    Make ``app`` answer every failure in Nova's shape: the model's
    refusals (:class:`ComputeError`, raised from anywhere in a route) through
    :func:`nova_error`, everything else as :mod:`mimic.rest.http` does.
    """

    @app.handle_errors(ComputeError)
    def refused_by_model(*args: Any) -> bytes:
        request, failure = args[-2:]
        error = nova_error(failure.value)
        return json_response(request, openstack_error_body(error), code=error.code)

    # Registered after the handler above, so that one is tried first.
    install_error_handlers(app, openstack_error_body)


def tenant_route(app: MimicKlein, path: str, methods: list,
                 segments: tuple = ("v2", "v2.1")) -> Callable:
    """Serve a route under ``/v2/<tenant_id>`` and ``/v2.1/<tenant_id>``."""

    def decorate(function: Callable) -> Callable:
        for segment in segments:
            app.route(f"/{segment}/<tenant_id>{path}", methods=methods)(function)
        return function

    return decorate


class NovaRoutes:
    """
    Nova in one region, bound to the session store of one request (a new
    one answers each request, so :attr:`version` is this request's).
    """

    app = MimicKlein()

    def __init__(self, region: str, uri_prefix: str, session_store: Any) -> None:
        self.region = region
        self.prefix = uri_prefix
        self.store = session_store
        #: The microversion agreed by :meth:`_begin`.
        self.version: APIVersion = MIN_VERSION
        #: The project in the request's URL (the caller's), set by :meth:`_begin`.
        self.tenant_id: Optional[str] = None

    def _begin(self, request: Any, tenant_id: str) -> tuple[ComputeRegion, Links]:
        """Every tenant route starts here: agree a microversion, find the state."""
        self.version = negotiate_version(request)
        self.tenant_id = tenant_id
        compute = ComputeRegion.for_tenant(self.store, tenant_id, self.region)
        return compute, Links(self.prefix, tenant_id)

    def _begin_server(self, request: Any, tenant_id: str,
                      server_id: str) -> tuple[ComputeRegion, Links]:
        """
        :meth:`_begin` for a route about one server: the state holding it,
        the caller's own or, for an admin, any project's (Nova's policy lets
        admins act on every project's servers); Nova's 404 if none holds it.
        """
        compute, links = self._begin(request, tenant_id)
        if not compute.holds(server_id) and self._is_admin(request, tenant_id):
            for other in self._computes():
                if other.holds(server_id):
                    return other, links
        compute.server(server_id)
        return compute, links

    def _begin_proxy(self, request: Any, tenant_id: str) -> tuple[ComputeRegion, Links]:
        """
        :meth:`_begin` for the APIs that proxy to other services, which Nova
        serves up to 2.35 and answers with its 404 from 2.36 on (a route no
        version of which matches: ``VersionNotFoundForAPIMethod``).
        """
        compute, links = self._begin(request, tenant_id)
        if self.version > MAX_PROXY_VERSION:
            raise RequestError(404, "The resource could not be found.")
        return compute, links

    def _request_id(self, request: Any) -> str:
        """
        This request's id (``req-<uuid>``): what Nova's instance actions
        keep, the same the site answers in ``x-openstack-request-id`` and
        ``x-compute-request-id`` and the journal records.
        """
        return request_id(request)

    def _record_action(self, request: Any, tenant_id: str, compute: ComputeRegion,
                       action: str, server_id: str) -> None:
        """
        Keep what was done to a server, as Nova's instance actions do (its
        ``create`` it keeps itself: :meth:`ComputeRegion.create_servers`).
        """
        compute.instance_actions.record(InstanceAction.of(
            action, server_id, self._request_id(request),
            self._user_id(request, tenant_id), compute.tenant_id, compute.now(),
            compute.host_id))

    def _render_cache(self, tenant_id: str) -> RenderCache:
        return self.store.tenant(tenant_id).data_for_api(
            ("nova-rendered", self.region), RenderCache)

    def _is_admin(self, request: Any, tenant_id: str) -> bool:
        """
        Whether the caller's token holds the admin role on this tenant: the
        identity model's answer where it gives one, else (as DESIGN.md says
        of the start) whether the user is named ``admin``.
        """
        header = request_header(request, b"x-auth-token")
        token = self.store.valid_token(header) if header else None
        if token is None or token.tenant.id != tenant_id:
            return False
        is_admin = getattr(token, "is_admin", None)
        if is_admin is not None:
            return bool(is_admin)
        return token.user.username == "admin"

    def _authorize(self, request: Any, tenant_id: str, policy: str, rule: str = "admin",
                   project_id: Optional[str] = None) -> None:
        """
        Nova's default policy (nova/policies/*.py): ``rule`` ``"admin"``
        (``base.ADMIN``) lets admins only; ``"project"``
        (``PROJECT_READER_OR_ADMIN``/``PROJECT_MEMBER_OR_ADMIN``) also the
        project's own members when the target is their project. Anyone
        else gets Nova's 403 naming the policy.
        """
        if self._is_admin(request, tenant_id):
            return
        if rule == "project" and project_id in (None, tenant_id):
            return
        raise RequestError(403, f"Policy doesn't allow {policy} to be performed.")

    def _computes(self) -> list:
        """Every project's compute state in this region (for admins' cross-project views)."""
        found = []
        for tenant in self.store.tenants():
            compute = tenant.known_data_for_api(("nova", self.region))
            if compute is not None:
                found.append(compute)
        return found

    def _server_view(self, request: Any, tenant_id: str, route: str) -> ServerView:
        """What a server answer shows to this caller at this request's version."""
        return server_view(self.version, route, self._is_admin(request, tenant_id))

    def _user_id(self, request: Any, tenant_id: str) -> str:
        header = request_header(request, b"x-auth-token")
        token = self.store.valid_token(header) if header else None
        if token is not None and token.tenant.id == tenant_id:
            return token.user.id
        return f"{tenant_id}-user"
