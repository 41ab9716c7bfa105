"""
The root of Mimic's URL space.

``/`` greets, ``/identity`` authenticates, ``/mimicking/<service>/<region>``
hands the request to the plugin serving that API, and ``/mimic/v1.x/`` steers
Mimic itself (tick, presets, reset, control APIs). Every unknown path is a
JSON 404, never an HTML page.
"""

from __future__ import annotations

import math
from typing import Any

from klein import Klein
from twisted.web.resource import Resource

from mimic.bounds import LATEST_CLOCK
from mimic.imimic import IRootMounts

from mimic.rest.http import (
    RequestError,
    install_error_handlers,
    json_response,
    openstack_error_body,
    read_json,
)
from mimic.rest.identity_api import IdentityControlApi, IdentityResource, root_url
from mimic.util import iso_time

WELCOME = (
    "To get started with Mimic, POST an authentication request to:\n"
    "\n"
    "/identity/v2.0/tokens\n"
)


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
        latest = LATEST_CLOCK - self.core.clock.seconds()
        if amount > latest:
            # Past this, a timestamp Mimic computes from the clock (a
            # token's expiry) could not be written as a date.
            raise RequestError(400, f"'amount' would move the clock past "
                               f"{iso_time(LATEST_CLOCK)}: at most {latest} seconds "
                               f"are left.")
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


install_error_handlers(MimicRoot.app, openstack_error_body)


#: Paths Mimic serves itself, which no plugin may take over.
RESERVED_PREFIXES = (
    ("identity",), ("mimicking",), ("mimic", "v1.0"), ("mimic", "v1.1", "tick"),
    ("mimic", "v1.1", "reset"), ("mimic", "v1.1", "IdentityControlAPI"),
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
