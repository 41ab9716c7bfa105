"""
Nova's microversions: which are served, how a request picks one
(``OpenStack-API-Version: compute X.Y`` or the older
``X-OpenStack-Nova-API-Version``), how the answer says which it got, and
the version documents that advertise them. Routes ask the negotiated
:class:`APIVersion` whether a change applies (``version >= "2.47"``);
every shape that depends on the version asks here, nowhere else.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Optional, Union

import attrs

from mimic.rest.http import RequestError


@attrs.frozen
class APIVersion:
    """A microversion, ``major.minor``; compares with another or with ``"2.47"``."""

    major: int
    minor: int

    @classmethod
    def parse(cls, text: str) -> "APIVersion":
        major, minor = text.split(".")
        return cls(int(major), int(minor))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"

    def _other(self, other: Union["APIVersion", str]) -> "APIVersion":
        if isinstance(other, str):
            # Routes compare with the same few literals ("2.47") on every
            # request: each is parsed once.
            return _parsed_literal(other)
        return other

    def __ge__(self, other: Union["APIVersion", str]) -> bool:
        other = self._other(other)
        return (self.major, self.minor) >= (other.major, other.minor)

    def __lt__(self, other: Union["APIVersion", str]) -> bool:
        return not self >= other

    def __le__(self, other: Union["APIVersion", str]) -> bool:
        other = self._other(other)
        return (self.major, self.minor) <= (other.major, other.minor)

    def __gt__(self, other: Union["APIVersion", str]) -> bool:
        return not self <= other


@functools.lru_cache(maxsize=256)
def _parsed_literal(text: str) -> APIVersion:
    return APIVersion.parse(text)


#: The last microversion that serves the APIs proxying to other services
#: (images, and the network ones; Nova's ``MAX_PROXY_API_SUPPORT_VERSION``).
MAX_PROXY_VERSION = APIVersion(2, 35)

#: The microversions served: up to the highest today's clients ask for
#: (openstacksdk's resources go to 2.100, python-openstackclient asks through
#: openstacksdk, python-novaclient to 2.96).
MIN_VERSION = APIVersion(2, 1)
MAX_VERSION = APIVersion(2, 100)
VERSION_UPDATED = "2013-07-23T11:33:21Z"

_VERSION = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")


def request_header(request: Any, name: bytes) -> Optional[str]:
    value = request.getHeader(name)
    return value.decode("latin-1") if isinstance(value, bytes) else value


def negotiate_version(request: Any) -> APIVersion:
    """
    The microversion to serve, from ``OpenStack-API-Version: compute X``
    or ``X-OpenStack-Nova-API-Version: X`` (the lowest when neither is
    sent), echoed in the response headers as Nova does.
    """
    requested = None
    header = request_header(request, b"openstack-api-version")
    if header:
        for item in header.split(","):
            parts = item.strip().split()
            if len(parts) == 2 and parts[0].lower() == "compute":
                requested = parts[1]
    if requested is None:
        requested = request_header(request, b"x-openstack-nova-api-version")
    if requested is None:
        version = MIN_VERSION
    elif requested.strip().lower() == "latest":
        version = MAX_VERSION
    else:
        match = _VERSION.match(requested.strip())
        if match is None:
            raise RequestError(400, f"API Version String {requested} is of invalid "
                               "format. Must be of format MajorNum.MinorNum.")
        version = APIVersion(int(match.group(1)), int(match.group(2)))
        if not MIN_VERSION <= version <= MAX_VERSION:
            raise RequestError(
                406, f"Version {requested} is not supported by the API. Minimum is "
                f"{MIN_VERSION} and maximum is {MAX_VERSION}.", kind="computeFault")
    # Encoded once per microversion (every answer carries them).
    for name, value in _VERSION_HEADERS[version]:
        request.setHeader(name, value)
    return version


def version_headers(version: APIVersion) -> tuple:
    """The headers that tell the caller which microversion answered, as Nova's."""
    return ((b"openstack-api-version", f"compute {version}".encode()),
            (b"x-openstack-nova-api-version", str(version).encode()),
            (b"vary", b"OpenStack-API-Version, X-OpenStack-Nova-API-Version"))


#: Every served microversion's answer headers, encoded once.
_VERSION_HEADERS = {APIVersion(2, minor): version_headers(APIVersion(2, minor))
                    for minor in range(MIN_VERSION.minor, MAX_VERSION.minor + 1)}


def version_document(prefix: str, segment: str, self_segment: Optional[str] = None) -> dict:
    """
    Nova's description of one API version (``v2.0`` or ``v2.1``), its
    ``self`` link under ``self_segment`` (by default its own).
    """
    microversions = segment == "v2.1"
    self_segment = self_segment or segment.replace("v2.0", "v2")
    return {
        "id": segment,
        "status": "CURRENT" if microversions else "SUPPORTED",
        "version": str(MAX_VERSION) if microversions else "",
        "min_version": str(MIN_VERSION) if microversions else "",
        "updated": VERSION_UPDATED if microversions else "2011-01-21T11:33:21Z",
        "links": [
            {"rel": "self", "href": f"{prefix}/{self_segment}/"},
            {"rel": "describedby", "type": "text/html",
             "href": "https://docs.openstack.org/"},
        ],
        "media-types": [{
            "base": "application/json",
            "type": f"application/vnd.openstack.compute+json;version={segment[1:]}",
        }],
    }


# What each microversion changes in a server's representation, as Nova's
# view builder (nova/api/openstack/compute/views/servers.py ``show``) and its
# callers (servers.py ``show``, ``update``, ``_action_rebuild``) decide it.

#: The routes that render a whole server.
SHOW, LISTING, UPDATE, REBUILD = "show", "listing", "update", "rebuild"


#: Every microversion at which a server's answer changes (the literals of
#: :class:`ServerView`, :func:`versioned_server_fields`,
#: :func:`extended_attributes` and ``volumes_attached``).
SERVER_MILESTONES = ("2.3", "2.9", "2.16", "2.19", "2.26", "2.47", "2.54", "2.57", "2.63",
                     "2.71", "2.73", "2.75", "2.90", "2.96", "2.98", "2.100")


@attrs.frozen
class ServerView:
    """
    Which parts of a server one answer shows, at one microversion. What
    depends only on the version, the route and the admin flag is decided
    here, once per view (:func:`server_view` keeps one of each), rather
    than by a dozen version comparisons per rendered server.
    """

    version: APIVersion
    route: str = SHOW
    #: Whether the caller holds the admin role: Nova's default policy shows
    #: admins the extended server attributes and (2.16) the host status.
    admin: bool = False
    #: The :data:`SERVER_MILESTONES` that ``version`` has reached.
    reached: frozenset = attrs.field(init=False, eq=False, repr=False)
    #: Every extended attribute: GET always; update and rebuild from 2.75
    #: ("consistent responses"), before which they leave them out.
    full: bool = attrs.field(init=False, eq=False, repr=False)
    extended_attributes: bool = attrs.field(init=False, eq=False, repr=False)
    key_name: bool = attrs.field(init=False, eq=False, repr=False)
    #: From 2.71, except in the detail listing.
    server_groups: bool = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        reached = frozenset(since for since in SERVER_MILESTONES if self.version >= since)
        full = self.route in (SHOW, LISTING) or "2.75" in reached
        decided = {
            "reached": reached,
            "full": full,
            "extended_attributes": self.admin and full,
            "key_name": full or (self.route == REBUILD and "2.54" in reached),
            "server_groups": self.route != LISTING and "2.71" in reached,
        }
        for name, value in decided.items():
            object.__setattr__(self, name, value)


@functools.lru_cache(maxsize=1024)
def server_view(version: APIVersion, route: str = SHOW, admin: bool = False) -> ServerView:
    """
    The one :class:`ServerView` of these values: a detail listing compares
    each cached server's view with the request's, and the same object
    compares by identity instead of field by field, a thousand times.
    Bounded by the microversions, routes and the admin flag.
    """
    return ServerView(version, route, admin)


def versioned_server_fields(server: Any, view: ServerView, image_properties: dict) -> dict:
    """The fields of ``server`` that ``view``'s microversion adds or reshapes."""
    reached = view.reached
    fields: dict = {}
    if "2.9" in reached:
        fields["locked"] = server.locked
    if "2.19" in reached:
        fields["description"] = server.description
    if "2.26" in reached:
        fields["tags"] = list(server.tags)
    if "2.47" in reached:
        flavor = server.flavor
        fields["flavor"] = {
            "vcpus": flavor.vcpus, "ram": flavor.ram, "disk": flavor.disk,
            "ephemeral": flavor.ephemeral, "swap": flavor.swap,
            "original_name": flavor.name, "extra_specs": dict(flavor.extra_specs),
        }
    if "2.63" in reached:
        fields["trusted_image_certificates"] = None
    if view.server_groups:
        fields["server_groups"] = [server.server_group] if server.server_group else []
    if "2.73" in reached:
        fields["locked_reason"] = server.locked_reason
    if view.extended_attributes:
        fields.update(extended_attributes(server, "2.3" in reached, view.route != REBUILD))
        if "2.16" in reached:
            fields["host_status"] = "UP"
    if "2.90" in reached:
        fields["OS-EXT-SRV-ATTR:hostname"] = server.hostname
    if view.full and "2.96" in reached:
        fields["pinned_availability_zone"] = server.pinned_availability_zone
    if "2.98" in reached:
        fields["image_properties"] = dict(image_properties or {})
    if "2.100" in reached:
        fields["scheduler_hints"] = dict(server.scheduler_hints or {})
    if view.route == REBUILD and "2.57" in reached:
        fields["user_data"] = server.user_data
    return fields


#: The absolute limits a microversion stops showing (Nova's limits API:
#: the network proxies' at 2.36, image metadata at 2.39, personality at 2.57).
LIMITS_DROPPED = (
    ("2.36", ("maxTotalFloatingIps", "maxSecurityGroups", "maxSecurityGroupRules",
              "totalFloatingIpsUsed", "totalSecurityGroupsUsed")),
    ("2.39", ("maxImageMeta",)),
    ("2.57", ("maxPersonality", "maxPersonalitySize")),
)


def absolute_limits_at(version: APIVersion, absolute: dict) -> dict:
    """``absolute`` without what ``version`` no longer shows."""
    dropped = {name for since, names in LIMITS_DROPPED if version >= since
               for name in names}
    return {k: v for k, v in absolute.items() if k not in dropped}


def extended_attributes(server: Any, from_2_3: bool, user_data: bool) -> dict:
    """
    ``OS-EXT-SRV-ATTR:*`` as Nova shows them to admins: host, instance name
    and hypervisor from 2.1, the rest when ``from_2_3`` (the answer's
    microversion is 2.3 or later; ``user_data`` not in rebuild answers,
    which carry their own from 2.57).
    """
    host = server.compute_host
    fields = {
        "OS-EXT-SRV-ATTR:host": host,
        "OS-EXT-SRV-ATTR:instance_name": f"instance-{server.id[:8]}",
        "OS-EXT-SRV-ATTR:hypervisor_hostname": host,
    }
    if from_2_3:
        fields.update({
            "OS-EXT-SRV-ATTR:hostname": server.hostname,
            "OS-EXT-SRV-ATTR:kernel_id": "",
            "OS-EXT-SRV-ATTR:launch_index": server.launch_index,
            "OS-EXT-SRV-ATTR:ramdisk_id": "",
            "OS-EXT-SRV-ATTR:reservation_id": server.reservation_id,
            "OS-EXT-SRV-ATTR:root_device_name": server.root_device_name,
        })
        if user_data:
            fields["OS-EXT-SRV-ATTR:user_data"] = server.user_data
    return fields
