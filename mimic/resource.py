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

from mimic.klein_rendering import MimicKlein
from twisted.web.resource import Resource

from mimic import __version__
from mimic.lazy_resource import LazyResource, resolved
from mimic.imimic import IControlPlaneDescriber, IRootMounts, IStatefulAPI, IWireConventions
from mimic.model.journal import InvalidFilter, JournalQuery
from mimic.overview import overview
from mimic.paths import PathClassifier

from mimic.rest.http import (
    RequestError,
    install_error_handlers,
    json_response,
    openstack_error_body,
    read_json,
)
from mimic.rest.identity_common import root_url
from mimic.snapshot_codec import SnapshotError
from mimic.state import restore, snapshot

# Identity's routes and the OpenAPI document (which names every API's
# presets and events) are imported when first asked for: serving ``/``
# needs neither (docs/performance.rst, start-up).
from mimic.util import MAX_CLOCK_SECONDS, iso_time

#: The dashboard's static files, shipped in the package (no build step).
DASHBOARD_FILES = os.path.join(os.path.dirname(__file__), "dashboard")

WELCOME = (
    "To get started with Mimic, POST an authentication request to:\n"
    "\n"
    "/identity/v2.0/tokens\n"
)


def identity_api() -> Any:
    """Identity's routes (:mod:`mimic.rest.identity_api`), imported on first use."""
    from mimic.rest import identity_api

    return identity_api


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
        request.setHeader(b"content-type", b"text/plain; charset=utf-8")
        return WELCOME.encode("utf-8")

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


#: Paths Mimic serves itself, which no plugin may take over.
RESERVED_PREFIXES = (
    ("identity",), ("mimicking",), ("mimic", "v1.0"), ("mimic", "v1.1", "tick"),
    ("mimic", "v1.1", "reset"), ("mimic", "v1.1", "IdentityControlAPI"),
    ("mimic", "v1.1", "requests"), ("mimic", "v1.1", "health"),
    ("mimic", "v1.1", "state"),
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
        mounts: dict[tuple, Any] = {
            (b"identity",): LazyResource(lambda: identity_api().IdentityResource(core))}
        owners: list = []
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
                owners.append((tuple(s.decode("utf-8") for s in segments), api.name))
        # The empty prefix takes over what no mount and no /mimic/ path
        # serves: a standalone mesh pod answers every path as its service,
        # /identity included.
        self.takeover = mounts.pop((b"",), None)
        if self.takeover is not None:
            del mounts[(b"identity",)]
        # Which API each path belongs to, for the site layer (mimic.site).
        self.paths = PathClassifier(
            core,
            mounts=sorted((o for o in owners if o[0] != ("",)), key=lambda o: -len(o[0])),
            takeover=next((name for prefix, name in owners if prefix == ("",)), None),
        )
        # Longest prefix first, so /mimic/v1.1/mesh/x wins over /mimic.
        self.mounts = sorted(mounts.items(), key=lambda item: -len(item[0]))
        # The same, by first segment: a path is compared with its own.
        self.mounts_by_first: dict[bytes, list] = {}
        for prefix, resource in self.mounts:
            self.mounts_by_first.setdefault(prefix[0], []).append((prefix, resource))
        self.core = core

    def getChildWithDefault(self, name: bytes, request: Any) -> Any:
        for prefix, resource in self.mounts_by_first.get(name, ()):
            if tuple(request.postpath[: len(prefix) - 1]) == prefix[1:]:
                for _ in prefix[1:]:
                    request.prepath.append(request.postpath.pop(0))
                return resolved(resource)
        # Hand the whole path to Klein, which routes on prepath/postpath.
        request.postpath.insert(0, request.prepath.pop())
        if self.takeover is not None and name != b"mimic":
            return resolved(self.takeover)
        if name == b"mimicking" and len(request.postpath) >= 3:
            served = self._api_resource(request)
            if served is not None:
                return served
        return self.root

    def _api_resource(self, request: Any) -> Any:
        """
        The resource of ``/mimicking/<service>/<region>/...``, found here
        rather than through :meth:`MimicRoot.mimicking`, so that the API's
        Klein app is the only one that renders the request. None when no
        such API is served there: the root's route answers the 404.
        """
        service, region = request.postpath[1], request.postpath[2]
        try:
            service_id, region_name = service.decode("utf-8"), region.decode("utf-8")
        except UnicodeDecodeError:
            return None
        resource = self.core.resource_for(
            service_id, region_name,
            f"{root_url(request)}/mimicking/{service_id}/{region_name}")
        if resource is None:
            return None
        request.prepath.extend(request.postpath[:3])
        del request.postpath[:3]
        if not request.postpath:
            # ".../<region>" and ".../<region>/" both mean the API's root "/".
            request.postpath = [b""]
        return resource

    def render(self, request: Any) -> Any:
        return self.root.render(request)
