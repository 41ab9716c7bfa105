"""
Nova's JSON answers: servers (per microversion, with
:mod:`mimic.rest.nova_microversions`), flavors, images, interfaces and
links as Nova shows them, and the caches that keep big listings fast.
:mod:`mimic.rest.nova_json` and :mod:`mimic.rest.nova_server_json` read
requests; this module writes answers.
"""

from __future__ import annotations

import functools

import json
from typing import Any, Optional
from urllib.parse import urlencode

from mimic.model.flavors import Flavor
from mimic.model.images import Image
from mimic.model.neutron import NetworkState
from mimic.model.nova import STATES, Server
from mimic.rest.nova_microversions import (
    LISTING,
    MIN_VERSION,
    APIVersion,
    ServerView,
    versioned_server_fields,
)
from mimic.util import iso_time

#: How many rendered servers each tenant's region keeps, to answer big
#: detail listings fast without holding a copy of every server.
RENDER_CACHE_SIZE = 2048

#: How many whole listings each tenant's region remembers (see
#: :meth:`RenderCache.page`).
PAGE_CACHE_SIZE = 2


class Links:
    """Nova's links for one tenant: ``self`` (versioned) and ``bookmark``."""

    def __init__(self, prefix: str, tenant_id: str) -> None:
        self.prefix = prefix
        self.versioned = f"{prefix}/v2/{tenant_id}"
        self.bookmark = f"{prefix}/{tenant_id}"

    # The same, escaped for use inside JSON strings: made when a rendering
    # first asks (most answers render no server).

    @functools.cached_property
    def versioned_json(self) -> str:
        return _json_text(self.versioned)

    @functools.cached_property
    def bookmark_json(self) -> str:
        return _json_text(self.bookmark)

    def __call__(self, collection: str, item_id: str) -> list:
        return [
            {"rel": "self", "href": f"{self.versioned}/{collection}/{item_id}"},
            {"rel": "bookmark", "href": f"{self.bookmark}/{collection}/{item_id}"},
        ]

    def bookmark_only(self, collection: str, item_id: str) -> list:
        return [{"rel": "bookmark", "href": f"{self.bookmark}/{collection}/{item_id}"}]

    def next_page(self, collection: str, request: Any, last_id: str) -> list:
        """The ``next`` link: this request's query with the marker moved on."""
        args = [(k, v) for k, vs in request.args.items() for v in vs if k != b"marker"]
        query = urlencode([*args, (b"marker", last_id.encode())])
        return [{"rel": "next", "href": f"{self.versioned}/{collection}?{query}"}]


def server_addresses(server: Server, network: NetworkState, detail: bool = True) -> dict:
    """
    The server's addresses (its ports' fixed IPs and the floating IPs on
    them) per network name; ``servers/<id>/ips`` shows only
    ``version`` and ``addr``.
    """
    addresses = network.addresses_for(server.id)
    if detail:
        return addresses
    return {name: [{"version": a["version"], "addr": a["addr"]} for a in entries]
            for name, entries in addresses.items()}


def interface_attachment(port: Any) -> dict:
    """A port as Nova's ``os-interface`` shows it."""
    return {
        "port_id": port.id,
        "net_id": port.network_id,
        "mac_addr": port.mac_address,
        "port_state": port.status,
        "fixed_ips": [{"subnet_id": f.subnet_id, "ip_address": f.ip_address}
                      for f in port.fixed_ips],
    }


#: The statuses in which Nova's view shows a server's ``progress``.
PROGRESS_STATUSES = frozenset({"ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE",
                               "MIGRATING"})


def server_detail(server: Server, now: float, links: Links, network: NetworkState,
                  view: ServerView = ServerView(MIN_VERSION)) -> dict:
    """
    A server as ``view`` shows it: ``GET servers/<id>`` and the detail
    listing show every extended attribute; update and rebuild before 2.75
    leave out what Nova's view leaves out there (availability zone, config
    drive, key name, usage, extended status and volumes, security groups)
    and show addresses without their type and MAC. What later
    microversions add comes from
    :func:`mimic.rest.nova_microversions.versioned_server_fields`.
    """
    status = server.status_at(now)
    body = {
        "id": server.id,
        "name": server.name,
        "status": status,
        "tenant_id": server.tenant_id,
        "user_id": server.user_id,
        "metadata": server.metadata,
        "hostId": server.host_id,
        # A server booted from a volume shows "" (nova's views/servers.py _get_image).
        "image": {"id": server.image.id,
                  "links": links.bookmark_only("images", server.image.id)}
        if server.image.id else "",
        "flavor": {"id": server.flavor.id,
                   "links": links.bookmark_only("flavors", server.flavor.id)},
        "created": iso_time(server.created, microseconds=False),
        "updated": iso_time(server.updated_at(now), microseconds=False),
        "addresses": server_addresses(server, network, detail=view.full),
        "accessIPv4": server.access_ipv4,
        "accessIPv6": server.access_ipv6,
        "links": links("servers", server.id),
        "OS-DCF:diskConfig": server.disk_config,
    }
    if status in PROGRESS_STATUSES:
        body["progress"] = 0 if status in ("BUILD", "REBUILD", "RESIZE") else 100
    if view.full:
        vm_state, task_state, power_state = STATES[status]
        body.update({
            "OS-EXT-AZ:availability_zone": server.availability_zone,
            "config_drive": server.config_drive,
            "OS-SRV-USG:launched_at": (None if status == "BUILD" else
                                       iso_time(server.created, microseconds=True)[:-1]),
            "OS-SRV-USG:terminated_at": (None if server.deleted_at is None else
                                         iso_time(server.deleted_at)[:-1]),
            "OS-EXT-STS:task_state": task_state,
            "OS-EXT-STS:vm_state": vm_state,
            "OS-EXT-STS:power_state": power_state,
            "os-extended-volumes:volumes_attached": volumes_attached(server, view),
        })
        groups = network.security_groups_of(server.id) if status != "BUILD" else ()
        if groups:
            # Nova reads a server's groups from its ports' in Neutron and
            # leaves the key out where it finds none: a server without
            # groups, and one still building, whose ports its compute host
            # has not yet made (views/servers.py, _add_security_grps).
            body["security_groups"] = [{"name": g.name} for g in groups]
    if view.key_name:
        body["key_name"] = server.key_name
    if status == "ERROR":
        body["fault"] = {"code": 500, "created": iso_time(server.updated_at(now),
                                                           microseconds=False),
                         "message": "Mimic put this server in ERROR."}
    fields = versioned_server_fields(server, view, server.image_properties)
    properties = fields.pop("image_properties", None)
    if properties is not None and isinstance(body["image"], dict):
        # A server booted from a volume has no image to describe ("").
        body["image"]["properties"] = properties
    body.update(fields)
    return body


def flavor_detail(flavor: Flavor, links: Links, version: APIVersion = MIN_VERSION) -> dict:
    """
    A flavor in detail: ``description`` from 2.55, ``extra_specs`` from
    2.61, and ``swap`` 0 rather than ``""`` when there is none from 2.75.
    """
    body = {
        "id": flavor.id,
        "name": flavor.name,
        "ram": flavor.ram,
        "disk": flavor.disk,
        "vcpus": flavor.vcpus,
        "swap": flavor.swap or (0 if version >= "2.75" else ""),
        "rxtx_factor": flavor.rxtx_factor,
        "OS-FLV-EXT-DATA:ephemeral": flavor.ephemeral,
        "OS-FLV-DISABLED:disabled": False,
        "os-flavor-access:is_public": flavor.is_public,
        "links": links("flavors", flavor.id),
    }
    if version >= "2.55":
        body["description"] = flavor.description
    if version >= "2.61":
        body["extra_specs"] = dict(flavor.extra_specs)
    return body


def image_detail(image: Image, now: float, links: Links) -> dict:
    body = {
        "id": image.id,
        "name": image.name,
        "status": image.status_at(now),
        "progress": image.progress_at(now),
        "minDisk": image.min_disk,
        "minRam": image.min_ram,
        "created": iso_time(image.created, microseconds=False),
        "updated": iso_time(image.updated_at(now), microseconds=False),
        "metadata": image.metadata,
        "OS-EXT-IMG-SIZE:size": image.size,
        "links": [*links("images", image.id), {
            "rel": "alternate", "type": "application/vnd.openstack.image",
            "href": f"{links.prefix}/images/{image.id}"}],
    }
    if image.server_id is not None:
        body["server"] = {"id": image.server_id,
                          "links": links("servers", image.server_id)}
    return body


def raw_json(request: Any, body: bytes, code: int = 200) -> bytes:
    """An answer whose JSON is already serialised."""
    request.setResponseCode(code)
    request.setHeader(b"content-type", b"application/json")
    request.setHeader(b"content-length", b"%d" % len(body))
    return body


def dumps(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode("utf-8")


class RenderCache:
    """
    Rendered servers of one tenant's region, so that a detail listing of a
    thousand servers is a join of ready-made JSON. An entry is valid while
    the server's ``revision``, its networking's revision (Neutron's) and the
    URL prefix are unchanged (a server
    whose passing state has ended is settled first, which bumps its
    revision). Bounded: the oldest entries go first.
    """

    def __init__(self, size: int = RENDER_CACHE_SIZE) -> None:
        self.size = size
        self.entries: dict[str, tuple[tuple[int, int], str, bytes]] = {}
        self.pages: dict[tuple, bytes] = {}

    def page(self, key: tuple) -> Optional[bytes]:
        """
        A whole listing answered before under ``key`` (the region's change
        count, the clock, the URL): clients that poll a listing while
        nothing changes get the same bytes again.
        """
        return self.pages.get(key)

    def keep_page(self, key: tuple, body: bytes) -> None:
        if len(self.pages) >= PAGE_CACHE_SIZE:
            del self.pages[next(iter(self.pages))]
        self.pages[key] = body

    def render(self, server: Server, now: float, links: Links,
               network: NetworkState, view: ServerView = ServerView(MIN_VERSION)) -> bytes:
        server.settle(now)
        entry = self.entries.get(server.id)
        revision = (server.revision, network.device_revision(server.id))
        shape = (links.prefix, view)
        if entry is not None and entry[0] == revision and entry[1] == shape:
            return entry[2]
        rendered = dumps(server_detail(server, now, links, network, view))
        if entry is None and len(self.entries) >= self.size:
            del self.entries[next(iter(self.entries))]
        self.entries[server.id] = (revision, shape, rendered)
        return rendered

    def render_all(self, servers: list, now: float, links: Links,
                   network: NetworkState, view: ServerView) -> list:
        """
        :meth:`render` of each of ``servers``, in order: a detail listing's
        loop, with the per-server lookups bound once (a thousand servers
        per listing).
        """
        entries = self.entries
        shape = (links.prefix, view)
        device_revision = network.device_revision
        rendered = []
        for server in servers:
            if server.transient is not None:
                server.settle(now)
            entry = entries.get(server.id)
            if entry is not None and entry[0] == (server.revision,
                                                  device_revision(server.id)) \
                    and entry[1] == shape:
                rendered.append(entry[2])
            else:
                rendered.append(self.render(server, now, links, network, view))
        return rendered

    def forget(self, server_id: str) -> None:
        self.entries.pop(server_id, None)


def server_summary(server: Server, links: Links) -> bytes:
    """A server's ``{"id", "name", "links"}`` as JSON, formatted directly."""
    return (f'{{"id":"{server.id}","name":{_json_string(server.name)},"links":['
            f'{{"rel":"self","href":"{links.versioned_json}/servers/{server.id}"}},'
            f'{{"rel":"bookmark","href":"{links.bookmark_json}/servers/{server.id}"}}]}}'
            ).encode("utf-8")


def _json_string(text: str) -> str:
    """``text`` as a JSON string; plain names skip the encoder."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    return json.dumps(text)


def _json_text(text: str) -> str:
    """``text`` escaped for use inside a JSON string."""
    return json.dumps(text)[1:-1]


def volumes_attached(server: Server, view: ServerView) -> list:
    """The server's volumes (from 2.3 with ``delete_on_termination``)."""
    if "2.3" in view.reached:
        return [{"id": b.volume_id, "delete_on_termination": b.delete_on_termination}
                for b in server.volumes]
    return [{"id": b.volume_id} for b in server.volumes]
