"""
The root of Mimic's URL space.

``/`` greets, ``/identity`` authenticates, ``/mimicking/<service>/<region>``
hands the request to the plugin serving that API, and ``/mimic/v1.x/`` steers
Mimic itself (tick, presets, reset, control APIs). Every unknown path is a
JSON 404, never an HTML page.
"""

from __future__ import annotations

import math
import os
from typing import Any

from klein import Klein
from twisted.web.resource import Resource

from mimic.imimic import IControlPlaneDescriber, IRootMounts
from mimic.overview import overview

from mimic.rest.http import (
    RequestError,
    install_error_handlers,
    json_response,
    openstack_error_body,
    read_json,
)
from mimic.rest.identity_api import IdentityControlApi, IdentityResource, root_url
from mimic.rest.openapi import control_plane_document
from mimic.util import MAX_CLOCK_SECONDS, iso_time

#: The dashboard's static files, shipped in the package (no build step).
DASHBOARD_FILES = os.path.join(os.path.dirname(__file__), "dashboard")

WELCOME = (
    "To get started with Mimic, POST an authentication request to:\n"
    "\n"
    "/identity/v2.0/tokens\n"
)


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

    app = Klein()

    def __init__(self, core: Any) -> None:
        self.core = core
        self.identity_control = IdentityControlApi(core).app.resource()

    @app.route("/", methods=["GET"])
    def welcome(self, request: Any) -> bytes:
        request.setHeader(b"content-type", b"text/plain; charset=utf-8")
        return WELCOME.encode("utf-8")

    @app.route("/mimicking/<service_id>/<region>/")
    @app.route("/mimicking/<service_id>/<region>", branch=True)
    def mimicking(self, request: Any, service_id: str, region: str) -> Any:
        prefix = f"{root_url(request)}/mimicking/{service_id}/{region}"
        resource = self.core.resource_for(service_id, region, prefix)
        if resource is None:
            raise RequestError(
                404, f"No API {service_id!r} is served in region {region!r}."
            )
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
        self.core.reset()
        return json_response(request, {
            "reset": True, "now": iso_time(self.core.clock.seconds()),
        })

    @app.route("/mimic/v1.1/IdentityControlAPI", branch=True)
    def identity_control(self, request: Any) -> Any:
        return self.identity_control

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


#: Paths Mimic serves itself, which no plugin may take over.
RESERVED_PREFIXES = (
    ("identity",), ("mimicking",), ("mimic", "v1.0"), ("mimic", "v1.1", "tick"),
    ("mimic", "v1.1", "reset"), ("mimic", "v1.1", "IdentityControlAPI"),
    ("mimic", "v1.1", "tenants"), ("mimic", "v1.1", "openapi.json"), ("mimic", "dashboard"),
)


class MountedRoot(Resource):
    """
    Mimic's root: paths under a plugin's mount (see
    :class:`mimic.imimic.IRootMounts`) go to that plugin's resource, the
    rest to :class:`MimicRoot`.
    """

    def __init__(self, core: Any) -> None:
        super().__init__()
        self.root = MimicRoot(core).app.resource()
        mounts: dict[tuple, Any] = {(b"identity",): IdentityResource(core)}
        for api in core.apis.values():
            if not IRootMounts.providedBy(api):
                continue
            for prefix, resource in api.root_resources(core).items():
                segments = tuple(prefix.strip("/").split("/"))
                if any(
                    segments[: len(r)] == r or r[: len(segments)] == segments
                    for r in RESERVED_PREFIXES
                ):
                    raise ValueError(f"plugin {api.name!r} cannot mount /{prefix}")
                segments = tuple(s.encode("utf-8") for s in segments)
                if segments in mounts:
                    raise ValueError(f"plugin {api.name!r} cannot mount /{prefix}")
                mounts[segments] = resource
        # The empty prefix takes over what no mount and no /mimic/ path
        # serves: a standalone mesh pod answers every path as its service,
        # /identity included.
        self.takeover = mounts.pop((b"",), None)
        if self.takeover is not None:
            del mounts[(b"identity",)]
        # Longest prefix first, so /mimic/v1.1/mesh/x wins over /mimic.
        self.mounts = sorted(mounts.items(), key=lambda item: -len(item[0]))

    def getChildWithDefault(self, name: bytes, request: Any) -> Any:
        path = (name, *request.postpath)
        for prefix, resource in self.mounts:
            if path[: len(prefix)] == prefix:
                for _ in prefix[1:]:
                    request.prepath.append(request.postpath.pop(0))
                return resource
        # Hand the whole path to Klein, which routes on prepath/postpath.
        request.postpath.insert(0, request.prepath.pop())
        if self.takeover is not None and name != b"mimic":
            return self.takeover
        return self.root

    def render(self, request: Any) -> Any:
        return self.root.render(request)
