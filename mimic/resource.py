"""
The root of Mimic's URL space.

``/`` greets (answered here, without Klein), ``/identity`` authenticates,
a plugin's mount (``/fastly``, ``/mesh``, ...) goes to that plugin, and the
rest -- ``/mimicking/<service>/<region>`` and Mimic's own ``/mimic/v1.x/``
-- to Mimic's routes (:mod:`mimic.rest.root_api`), a Klein app made when
a request first needs it, so that start-up imports neither Klein nor
werkzeug nor any API's routes (docs/performance.rst, start-up).
"""

from __future__ import annotations

from typing import Any

from twisted.web.resource import Resource

from mimic.imimic import IRootMounts
from mimic.lazy_resource import LazyResource, resolved
from mimic.paths import PathClassifier
from mimic.rest.http import root_url

WELCOME = (
    "To get started with Mimic, POST an authentication request to:\n"
    "\n"
    "/identity/v2.0/tokens\n"
)


def identity_api() -> Any:
    """Identity's routes (:mod:`mimic.rest.identity_api`), imported on first use."""
    from mimic.rest import identity_api

    return identity_api


def root_routes() -> Any:
    """Mimic's root routes (:mod:`mimic.rest.root_api`), imported on first use."""
    from mimic.rest import root_api

    return root_api


def welcome(request: Any) -> bytes:
    """The greeting at ``/``: where to authenticate first, as plain text."""
    request.setHeader(b"content-type", b"text/plain; charset=utf-8")
    return WELCOME.encode("utf-8")


class Welcome(Resource):
    """
    ``GET /`` and ``HEAD /``, answered as Mimic's root route answers them
    (:meth:`mimic.rest.root_api.MimicRoot.welcome`, which keeps ``/``'s
    other methods and its place in the OpenAPI document), without making
    the Klein app: the first request of a fresh Mimic, and of every
    readiness probe.
    """

    isLeaf = True

    def render_GET(self, request: Any) -> bytes:
        return welcome(request)

    def render_HEAD(self, request: Any) -> bytes:
        # The length without the body, as a route's HEAD answers (and
        # without twisted.web's warning of a HEAD that returned a body).
        request.setHeader(b"content-length", b"%d" % len(welcome(request)))
        return b""


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
    rest to :class:`mimic.rest.root_api.MimicRoot` (made on first use), but
    ``GET /`` and ``HEAD /`` to :class:`Welcome`.
    """

    def __init__(self, core: Any) -> None:
        super().__init__()
        self.root = LazyResource(lambda: root_routes().MimicRoot(core).app.resource())
        self.welcome = Welcome()
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
        #: Whether ``GET /`` is the greeting (:class:`Welcome`): unless a
        #: takeover serves every path.
        self.greets = self.takeover is None
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
        if name == b"" and len(request.postpath) == 1 and request.method in (b"GET", b"HEAD"):
            return self.welcome
        return self.root.resource()

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
        return self.root.resource().render(request)
