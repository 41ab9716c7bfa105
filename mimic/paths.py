"""
Which API a request path belongs to, decided once per request before any
route runs.

The site layer answers some requests itself (a body over the limit, a path
that is not UTF-8, a token refused by ``--strict-auth``) and records every
request in the journal; both need to know whose path it is: its error
shape, whether it carries OpenStack request ids, which credential it
takes, and which tenant its URL names. Plugins say what they look like
through :class:`mimic.imimic.IWireConventions`; Identity and the control
plane are Mimic's own and are described here.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence
from urllib.parse import unquote

import attrs

from mimic.access_log import api_label
from mimic.imimic import IWireConventions
from mimic.metrics import api_of_path
from mimic.rest.http import openstack_error_body

#: The header oslo.middleware's RequestId middleware answers every request of
#: every OpenStack service with.
OPENSTACK_REQUEST_ID = "x-openstack-request-id"

#: The credential header of OpenStack and Rackspace APIs.
AUTH_TOKEN_HEADER = b"x-auth-token"

#: Stands for the tenant id in a plugin's catalog endpoint, to find where
#: its URLs carry the tenant.
_TENANT_MARK = "\x00tenant\x00"

#: How many paths a :class:`PathClassifier` remembers the API of, and the
#: longest it remembers (paths are client input: about a megabyte at most).
PATHS_KEPT = 2048
KEPT_PATH_BYTES = 512


@attrs.frozen
class ApiAtPath:
    """
    What the site layer knows about the API a path belongs to.

    ``name`` is the plugin's name (``"nova"``), ``"identity"``, or
    ``"control"`` for Mimic's own control plane (``/mimic/...`` and ``/``).
    ``credential_header`` is the header ``--strict-auth`` checks (``None``:
    this path takes no credential). ``tenant`` is the tenant id the URL
    names, if it names one.
    """

    name: str
    error_body: Callable[[Any], Any] = openstack_error_body
    request_id_headers: tuple = ()
    credential_header: Optional[bytes] = None
    tenant: Optional[str] = None
    wrong_tenant_status: int = 403
    #: The ``api`` label the path's requests are counted under in
    #: ``mimic_http_requests_total`` (None: not counted), and the API the
    #: access log names (see :func:`mimic.access_log.api_label`); both
    #: decided with the rest, once per path.
    counted_as: Optional[str] = None
    logged_as: str = "-"
    #: :attr:`request_id_headers` as the bytes the response carries.
    request_id_header_bytes: tuple = attrs.field(
        init=False, default=attrs.Factory(lambda self: tuple(name.encode("ascii") for name in
                                                 self.request_id_headers), takes_self=True))

    @property
    def control(self) -> bool:
        return self.name == "control"


CONTROL = ApiAtPath("control")


def _identity(segments: Sequence[str], method: bytes) -> ApiAtPath:
    # Imported here: the Identity modules import the site's helpers.
    from mimic.rest.identity_v3_api import keystone_error_body

    v3 = len(segments) > 2 and segments[1] == "v3"
    # Authenticating and reading the version documents take no token.
    open_route = len(segments) <= 2 or (
        method == b"POST" and segments[-1] == "tokens"
        and tuple(segments[1:]) in (("v2.0", "tokens"), ("v3", "auth", "tokens"))
    )
    return ApiAtPath(
        "identity",
        error_body=keystone_error_body if v3 else openstack_error_body,
        request_id_headers=(OPENSTACK_REQUEST_ID,),
        credential_header=None if open_route else AUTH_TOKEN_HEADER,
    )


@attrs.define
class PathClassifier:
    """
    Decides :class:`ApiAtPath` for request paths of one Mimic. ``mounts``
    are the plugins' root mounts as ``(segments, plugin name)``.
    """

    core: Any
    mounts: Sequence[tuple[tuple[str, ...], str]] = ()
    takeover: Optional[str] = None
    _tenant_positions: dict = attrs.field(factory=dict)
    #: ``(path, method) -> ApiAtPath`` of recent paths: a client repeats
    #: its paths, and deciding one afresh (every segment unquoted, the
    #: plugin's conventions read) was a tenth of a small request's work.
    _seen: dict = attrs.field(factory=dict)

    def classify(self, path: bytes, method: bytes = b"GET") -> ApiAtPath:
        """The API whose URL space ``path`` (the raw request path) is in."""
        key = (path, method)
        found = self._seen.get(key)
        if found is None:
            api = self._classify(path, method)
            found = attrs.evolve(api, counted_as=api_of_path(path, self.core.apis),
                                 logged_as=api_label(path, self.core.apis))
            if len(path) <= KEPT_PATH_BYTES:
                if len(self._seen) >= PATHS_KEPT:
                    self._seen.clear()
                self._seen[key] = found
        return found

    def _classify(self, path: bytes, method: bytes) -> ApiAtPath:
        segments = [unquote(s, errors="replace")
                    for s in path.decode("latin-1").lstrip("/").split("/")]
        if segments[0] == "mimicking" and len(segments) >= 3:
            # The API's root and its version documents are read before a
            # client has chosen a version: real services serve them to anyone.
            rest = segments[3:]
            return self._plugin(segments[1], rest, segments[2],
                                discovery=len([s for s in rest if s]) <= 1)
        for prefix, name in self.mounts:
            if tuple(segments[: len(prefix)]) == prefix:
                if prefix[0] == "mimic":
                    # A plugin's control-plane mount keeps its own shape.
                    return attrs.evolve(self._plugin(name, ()), name="control",
                                        request_id_headers=(), credential_header=None)
                return self._plugin(name, (), discovery=not any(segments[len(prefix):]))
        if segments[0] == "mimic":
            return CONTROL
        if self.takeover is not None:
            return self._plugin(self.takeover, (), discovery=True)
        if segments == [""]:
            return CONTROL
        if segments[0] == "identity":
            return _identity(segments, method)
        return CONTROL

    def _plugin(self, name: str, rest: Sequence[str], region: Optional[str] = None,
                discovery: bool = False) -> ApiAtPath:
        api = self.core.apis.get(name)
        if api is None or not IWireConventions.providedBy(api):
            return ApiAtPath(name)
        position = self._tenant_position(name, api, region)
        tenant = rest[position] if position is not None and position < len(rest) else None
        return ApiAtPath(
            name,
            error_body=api.error_body,
            request_id_headers=tuple(api.request_id_headers),
            credential_header=None if discovery else api.credential_header,
            tenant=tenant or None,
            wrong_tenant_status=api.wrong_tenant_status,
        )

    def _tenant_position(self, name: str, api: Any, region: Optional[str]) -> Optional[int]:
        """Where, after the region, this plugin's catalog URLs put the tenant."""
        if name not in self._tenant_positions:
            position = None
            regions = self.core.regions.get(name) or ()
            for entry in api.catalog_entries(_TENANT_MARK, tuple(regions[:1])):
                for endpoint in entry.endpoints:
                    parts = endpoint.path.split("/")
                    if _TENANT_MARK in parts:
                        position = parts.index(_TENANT_MARK)
            self._tenant_positions[name] = position
        return self._tenant_positions[name]
