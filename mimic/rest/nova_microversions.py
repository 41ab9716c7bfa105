"""
Nova's microversions: which are served, how a request picks one
(``OpenStack-API-Version: compute X.Y`` or the older
``X-OpenStack-Nova-API-Version``), how the answer says which it got, and
the version documents that advertise them. Routes ask the negotiated
:class:`APIVersion` whether a change applies (``version >= "2.47"``);
every shape that depends on the version asks here, nowhere else.
"""

from __future__ import annotations

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
        return APIVersion.parse(other) if isinstance(other, str) else other

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
    request.setHeader(b"openstack-api-version", f"compute {version}".encode())
    request.setHeader(b"x-openstack-nova-api-version", str(version).encode())
    request.setHeader(b"vary", b"OpenStack-API-Version, X-OpenStack-Nova-API-Version")
    return version


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
