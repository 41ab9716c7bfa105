"""
Mimic's own routes at its root: ``/`` greets, ``/mimicking/<service>/<region>``
hands the request to the plugin serving that API, and ``/mimic/v1.x/``
steers Mimic itself (tick, presets, reset, requests, health, state,
tenants, the OpenAPI document, the dashboard). Every unknown path is a
JSON 404, never an HTML page.

A Klein app, made when a request first needs it: :class:`mimic.resource.MountedRoot`
answers ``GET /`` without it, so that start-up imports neither Klein nor
werkzeug (docs/performance.rst, start-up).
"""

from __future__ import annotations

import math
import os
from typing import Any

from twisted.web.resource import Resource

from mimic import __version__
from mimic.imimic import IControlPlaneDescriber, IStatefulAPI, IWireConventions
from mimic.klein_rendering import MimicKlein
from mimic.lazy_resource import LazyResource
from mimic.model.journal import InvalidFilter, JournalQuery
from mimic.overview import overview
from mimic.rest.http import (
    RequestError,
    install_error_handlers,
    json_response,
    openstack_error_body,
    read_json,
)
from mimic.resource import identity_api, welcome
from mimic.rest.identity_common import root_url
from mimic.snapshot_codec import SnapshotError
from mimic.state import restore, snapshot
from mimic.util import MAX_CLOCK_SECONDS, iso_time

# Identity's routes and the OpenAPI document (which names every API's
# presets and events) are imported when first asked for.

#: The dashboard's static files, shipped in the package (no build step).
DASHBOARD_FILES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "dashboard")


class DashboardFiles(Resource):
    """
    The dashboard's few static files, read from the package when asked
    (so an edited file shows on reload); any other name is a JSON 404.
    """

    #: Each file served and its content type.
    FILES = {
        b"": ("index.html", b"text/html; charset=utf-8"),
        b"index.html": ("index.html", b"text/html; charset=utf-8"),
        b"dashboard.js": ("dashboard.js", b"text/javascript; charset=utf-8"),
        b"dashboard.css": ("dashboard.css", b"text/css; charset=utf-8"),
    }

    isLeaf = True

    def render_GET(self, request: Any) -> bytes:
        name = request.postpath[0] if len(request.postpath) == 1 else None
        found = self.FILES.get(name) if name is not None else None
        if found is None:
            return json_response(request, openstack_error_body(
                RequestError(404, "No such file of the dashboard.")), 404)
        filename, content_type = found
        with open(os.path.join(DASHBOARD_FILES, filename), "rb") as stream:
            body = stream.read()
        request.setHeader(b"content-type", content_type)
        # A page a person reloads while changing Mimic: never a stale copy.
        request.setHeader(b"cache-control", b"no-cache")
        return body


class MimicRoot:
    """The root resource, bound to one :class:`mimic.core.MimicCore`."""

    app = MimicKlein()

    def __init__(self, core: Any) -> None:
        self.core = core
        self._identity_control = LazyResource(lambda: identity_api().IdentityControlApi(
            core).app.resource())

    @app.route("/", methods=["GET"])
    def welcome(self, request: Any) -> bytes:
        # The root resource answers GET / itself (mimic.resource.Welcome);
        # the route keeps "/" in the URL map: its 405 for other methods,
        # its place in the OpenAPI document.
        return welcome(request)

    @app.route("/mimicking/<service_id>/<region>/")
    @app.route("/mimicking/<service_id>/<region>", branch=True)
    def mimicking(self, request: Any, service_id: str, region: str) -> Any:
        prefix = f"{root_url(request)}/mimicking/{service_id}/{region}"
        resource = self.core.resource_for(service_id, region, prefix)
        if resource is None:
            error = RequestError(
                404, f"No API {service_id!r} is served in region {region!r}."
            )
            api = self.core.apis.get(service_id)
            if not IWireConventions.providedBy(api):
                raise error
            # A known API in a region it is not offered in: its own 404.
            return json_response(request, api.error_body(error), error.code)
        if not request.postpath:
            # ".../<region>" and ".../<region>/" both mean the API's root "/".
            request.postpath = [b""]
        return resource

    @app.route("/mimic/v1.1/tick", methods=["POST"])
    def tick(self, request: Any) -> bytes:
        if self.core.realtime:
            raise RequestError(400, "Mimic runs in realtime mode (--realtime): "
                               "time passes by itself and tick is off.")
        amount = read_json(request).get("amount")
        if (
            isinstance(amount, bool)
            or not isinstance(amount, (int, float))
            or not math.isfinite(amount)
            or amount < 0
        ):
            raise RequestError(400, "'amount' is required: a non-negative number "
                               "of seconds to advance the clock by.")
        if self.core.clock.seconds() + amount > MAX_CLOCK_SECONDS:
            raise RequestError(400, f"The clock cannot go past {iso_time(MAX_CLOCK_SECONDS)}; "
                               f"it is {iso_time(self.core.clock.seconds())}.")
        now = self.core.tick(amount)
        return json_response(request, {"advanced": amount, "now": iso_time(now)})

    @app.route("/mimic/v1.0/presets", methods=["GET"])
    def presets(self, request: Any) -> bytes:
        return json_response(request, self.core.presets())

    @app.route("/mimic/v1.1/reset", methods=["POST"])
    def reset(self, request: Any) -> bytes:
        raw = request.content.read() if request.content is not None else b""
        request.content.seek(0)
        scope = read_json(request) if raw.strip() else {}
        if len(scope) > 1 or not set(scope) <= {"tenant", "api"}:
            raise RequestError(400, "A reset scope is {} (everything), "
                               "{\"tenant\": ID} or {\"api\": NAME}.")
        if "tenant" in scope:
            tenant = scope["tenant"]
            if not isinstance(tenant, str) or not self.core.forget_tenant(tenant):
                raise RequestError(404, f"No tenant {tenant!r} is known.")
        elif "api" in scope:
            api = scope["api"]
            if not isinstance(api, str) or not IStatefulAPI.providedBy(
                    self.core.apis.get(api)):
                raise RequestError(400, f"No API named {api!r} keeps state; "
                                   f"known: {', '.join(sorted(self.core.apis))}.")
            self.core.forget_api(api)
        else:
            self.core.reset()
        return json_response(request, {
            "reset": scope or True, "now": iso_time(self.core.clock.seconds()),
        })

    @app.route("/mimic/v1.1/requests", methods=["GET"])
    def requests(self, request: Any) -> bytes:
        args = {key.decode("utf-8", "replace"): values[-1].decode("utf-8", "replace")
                for key, values in request.args.items()}
        try:
            query = JournalQuery.parse(args)
            entries = self.core.journal.query(query)
        except InvalidFilter as error:
            raise RequestError(400, str(error)) from None
        return json_response(request, {
            "requests": [entry.to_json() for entry in entries],
            "size": len(self.core.journal), "capacity": self.core.journal.capacity,
        })

    @app.route("/mimic/v1.1/requests", methods=["DELETE"])
    def forget_requests(self, request: Any) -> bytes:
        return json_response(request, {"deleted": self.core.journal.clear()})

    @app.route("/mimic/v1.1/health", methods=["GET"])
    def health(self, request: Any) -> bytes:
        core = self.core
        return json_response(request, {
            "status": "ok",
            "version": __version__,
            "plugins": sorted(core.apis),
            "regions": {name: list(regions) for name, regions in core.regions.items()},
            "clock": {"now": iso_time(core.clock.seconds()), "realtime": core.realtime},
            "state_file": core.options.get("state-file"),
            "journal": {"size": len(core.journal), "capacity": core.journal.capacity},
        })

    @app.route("/mimic/v1.1/state", methods=["GET"])
    def state(self, request: Any) -> bytes:
        try:
            return json_response(request, snapshot(self.core))
        except SnapshotError as error:
            # A plugin claims state the codec cannot write: a bug, named.
            raise RequestError(500, f"Mimic cannot capture its state: {error}") from None

    @app.route("/mimic/v1.1/state", methods=["PUT"])
    def replace_state(self, request: Any) -> bytes:
        try:
            restore(self.core, read_json(request))
        except SnapshotError as error:
            raise RequestError(400, f"Not a state document: {error}") from None
        return json_response(request, {
            "restored": True, "now": iso_time(self.core.clock.seconds()),
        })

    @app.route("/mimic/v1.1/IdentityControlAPI", branch=True)
    def identity_control(self, request: Any) -> Any:
        return self._identity_control.resource()

    @app.route("/mimic/v1.1/tenants", methods=["GET"])
    def tenants(self, request: Any) -> bytes:
        return json_response(request, overview(self.core))

    @app.route("/mimic/v1.1/openapi.json", methods=["GET"])
    def openapi(self, request: Any) -> bytes:
        served = {rule.rule for rule in self.app.url_map.iter_rules()}
        described = {}
        for api in self.core.apis.values():
            if IControlPlaneDescriber.providedBy(api):
                described.update(api.openapi_paths())
        from mimic.rest.openapi import control_plane_document

        return json_response(request, control_plane_document(
            root_url(request), self.core.regions, served, described))

    @app.route("/mimic/dashboard", methods=["GET"])
    def dashboard_without_slash(self, request: Any) -> bytes:
        # Relative links in the page need the slash.
        request.redirect(b"/mimic/dashboard/")
        return b""

    @app.route("/mimic/dashboard/", methods=["GET"], branch=True)
    def dashboard(self, request: Any) -> Any:
        return DashboardFiles()


install_error_handlers(MimicRoot.app, openstack_error_body)



install_error_handlers(MimicRoot.app, openstack_error_body)
