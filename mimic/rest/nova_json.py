"""
Nova's JSON on the wire: reading request bodies and query strings as Nova
2.1's schemas do (with its error messages), and rendering servers, flavors
and images as Nova 2.1 shows them, including the caches that keep big
listings fast. :mod:`mimic.rest.nova_api` routes requests through these.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import re
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Optional
from urllib.parse import urlencode

from mimic.bounds import decimal
from mimic.model.flavors import Flavor
from mimic.model.images import Image
from mimic.model.neutron import NetworkRequest, NetworkState
from mimic.model.nova import (
    AVAILABILITY_ZONE,
    STATES,
    Server,
    ServerQuery,
    ServerSpec,
    servers_to_create,
)
from mimic.model.patterns import MatchBudget, PatternRefused, compile_pattern
from mimic.rest.http import RequestError, query_integer, query_text, query_values
from mimic.util import iso_time

#: Nova's ``osapi_max_limit``: the most items one page holds.
MAX_PAGE = 1000

#: How many rendered servers each tenant's region keeps, to answer big
#: detail listings fast without holding a copy of every server.
RENDER_CACHE_SIZE = 2048

#: How many whole listings each tenant's region remembers (see
#: :meth:`RenderCache.page`).
PAGE_CACHE_SIZE = 2

# Reading requests.

def invalid_input(field: str, value: Any, reason: str) -> RequestError:
    return RequestError(400, f"Invalid input for field/attribute {field}. "
                        f"Value: {value}. {reason}")


def string_field(body: dict, key: str, required: bool = False, minimum: int = 0,
            maximum: int = 255, field: Optional[str] = None) -> Optional[str]:
    field = field or key
    if key not in body:
        if required:
            raise invalid_input(field, None, f"'{key}' is a required property")
        return None
    value = body[key]
    if not isinstance(value, str):
        raise invalid_input(field, value, f"{json.dumps(value)} is not of type 'string'")
    if not minimum <= len(value) <= maximum:
        raise invalid_input(field, value, f"length must be between {minimum} and {maximum}")
    return value


def name_field(body: dict, required: bool) -> Optional[str]:
    name = string_field(body, "name", required=required, minimum=1)
    if name is not None and name.strip() != name:
        raise invalid_input("name", name, "leading or trailing whitespace is not allowed")
    return name


def reference_field(body: dict, key: str) -> str:
    """
    The id an ``imageRef``/``flavorRef``-like field names: an id, or a URL
    whose last segment is the id (numbers are accepted for flavors).
    """
    value = body.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip() or not ref_id(value.strip()):
        kind = "flavorRef" if key == "flavorRef" else "imageRef"
        raise RequestError(400, f"Invalid {kind} provided.")
    return ref_id(value.strip())


def read_metadata(value: Any, field: str = "metadata") -> dict:
    """
    A metadata object: keys of 1-255 characters, string values of at most
    255 (numbers are accepted and kept as strings, and objects kept as JSON
    text, so presets such as ``{"server_building": 120}`` read naturally).
    """
    if not isinstance(value, dict):
        raise invalid_input(field, value, f"{json.dumps(value)} is not of type 'object'")
    metadata = {}
    for key, item in value.items():
        if not 1 <= len(key) <= 255:
            raise invalid_input(field, value, f"metadata key {key!r} must be 1 to 255 characters")
        if isinstance(item, bool) or item is None or isinstance(item, list):
            raise invalid_input(field, value, f"{json.dumps(item)} is not of type 'string'")
        if isinstance(item, (int, float)):
            item = json.dumps(item)
        elif isinstance(item, dict):
            item = json.dumps(item, separators=(",", ":"))
        if len(item) > 255:
            raise invalid_input(field, value, f"metadata value of {key!r} is over 255 characters")
        metadata[key] = item
    return metadata


def ip_field(body: dict, key: str, version: int) -> Optional[str]:
    value = string_field(body, key)
    if value:
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            address = None
        if address is None or address.version != version:
            raise invalid_input(key, value, f"'{value}' is not a 'ipv{version}'")
    return value


def disk_config_field(body: dict) -> Optional[str]:
    value = body.get("OS-DCF:diskConfig")
    if value is not None and value not in ("AUTO", "MANUAL"):
        raise invalid_input("OS-DCF:diskConfig", value, f"{json.dumps(value)} is not one of "
                       "['AUTO', 'MANUAL']")
    return value


SERVER_CREATE_KEYS = frozenset({
    "name", "imageRef", "flavorRef", "metadata", "networks", "key_name",
    "security_groups", "accessIPv4", "accessIPv6", "OS-DCF:diskConfig",
    "adminPass", "availability_zone", "config_drive", "user_data", "personality",
    "min_count", "max_count", "return_reservation_id", "block_device_mapping",
    "block_device_mapping_v2",
})


def refuse_unexpected(body: dict, allowed: frozenset, field: str = "server") -> None:
    """Nova 2.1's schemas allow no properties they do not name."""
    extra = sorted(set(body) - allowed)
    if extra:
        names = ", ".join(repr(k) for k in extra)
        verb = "were" if len(extra) > 1 else "was"
        raise RequestError(400, f"Invalid input for field/attribute {field}. "
                           f"Additional properties are not allowed ({names} {verb} unexpected)")


def read_server_spec(body: dict) -> tuple[ServerSpec, int]:
    """A ``POST servers`` body as a :class:`ServerSpec` and how many to make."""
    server = body.get("server")
    if not isinstance(server, dict):
        raise invalid_input("server", server, "'server' is a required property of type 'object'")
    refuse_unexpected(server, SERVER_CREATE_KEYS)
    name = name_field(server, required=True)
    if "imageRef" not in server and not server.get("block_device_mapping_v2"):
        raise RequestError(400, "Invalid imageRef provided.")
    image_id = reference_field(server, "imageRef")
    if "flavorRef" not in server:
        raise invalid_input("flavorRef", None, "'flavorRef' is a required property")
    flavor_id = reference_field(server, "flavorRef")
    metadata = read_metadata(server.get("metadata", {}))
    key_name = string_field(server, "key_name", minimum=1)
    groups = server.get("security_groups", [{"name": "default"}])
    if not isinstance(groups, list) or not all(
        isinstance(g, dict) and isinstance(g.get("name"), str) and g["name"] for g in groups
    ):
        raise invalid_input("security_groups", groups, "each must be an object with a 'name'")
    networks = read_networks(server.get("networks", "auto"))
    user_data = string_field(server, "user_data", maximum=65535)
    if user_data:
        try:
            base64.b64decode(user_data, validate=True)
        except (binascii.Error, ValueError):
            raise invalid_input("user_data", user_data, "is not base64") from None
    config_drive = server.get("config_drive", False)
    if not isinstance(config_drive, (bool, str)):
        raise invalid_input("config_drive", config_drive, "must be a boolean")
    counts = []
    for key in ("min_count", "max_count"):
        value = server.get(key, 1)
        if isinstance(value, str) and decimal(value) is not None:
            value = decimal(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise invalid_input(key, str(value)[:100],
                                f"{json.dumps(value)[:100]} is less than the minimum of 1")
        counts.append(value)
    if counts[0] > counts[1]:
        raise RequestError(400, "min_count must be <= max_count")
    counts[1] = servers_to_create(*counts)
    if counts[1] > 1 and any(n.port_id for n in networks or ()):
        raise RequestError(400, "Unable to launch multiple instances with a single "
                           "configured port ID. Please launch your instance one by one "
                           "with different ports.")
    spec = ServerSpec(
        name=name,
        image_id=image_id,
        flavor_id=flavor_id,
        metadata=metadata,
        key_name=key_name,
        security_groups=tuple(dict.fromkeys(g["name"] for g in groups)) or ("default",),
        access_ipv4=ip_field(server, "accessIPv4", 4) or "",
        access_ipv6=ip_field(server, "accessIPv6", 6) or "",
        disk_config=disk_config_field(server) or "AUTO",
        config_drive=config_drive in (True, "true", "True", "1"),
        admin_pass=string_field(server, "adminPass"),
        availability_zone=string_field(server, "availability_zone", minimum=1),
        networks=networks,
    )
    return spec, counts[1]


_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                   r"[0-9a-fA-F]{12}$")
NETWORK_KEYS = frozenset({"uuid", "port", "fixed_ip"})


def read_networks(value: Any) -> Optional[tuple[NetworkRequest, ...]]:
    """
    A create request's ``networks``: ``"auto"`` (or absent, or ``[]``) is
    every network (``None``), ``"none"`` no network (``()``), a list names
    networks (``uuid``, optionally with a ``fixed_ip``) or ports (``port``).
    """
    if value == "none":
        return ()
    if value == "auto":
        return None
    if not isinstance(value, list):
        raise invalid_input("networks", value, "must be 'auto', 'none' or a list")
    requests = []
    for entry in value:
        if not isinstance(entry, dict):
            raise invalid_input("networks", entry, f"{json.dumps(entry)} is not of type 'object'")
        refuse_unexpected(entry, NETWORK_KEYS, field="networks")
        port = entry.get("port")
        if port is not None:
            if not isinstance(port, str) or not _UUID.match(port):
                raise invalid_input("port", port, f"{json.dumps(port)} is not a 'uuid'")
            requests.append(NetworkRequest(port_id=port))
            continue
        network = entry.get("uuid")
        if network is None:
            raise RequestError(400, "Bad network format: missing 'uuid'")
        if not isinstance(network, str) or not _UUID.match(network):
            raise RequestError(400, f"Bad networks format: network uuid is not in proper "
                               f"format ({network})")
        fixed_ip = entry.get("fixed_ip")
        if fixed_ip is not None:
            try:
                fixed_ip = str(ipaddress.ip_address(fixed_ip))
            except (ValueError, TypeError):
                raise invalid_input("fixed_ip", fixed_ip,
                                    f"{json.dumps(fixed_ip)} is not a 'ipv4'") from None
        requests.append(NetworkRequest(network_id=network, fixed_ip=fixed_ip))
    return tuple(requests) or None


def read_interface_fixed_ip(value: Any) -> Optional[str]:
    """``fixed_ips`` of an interface attachment: at most one ``{"ip_address"}``."""
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > 1 or not all(
            isinstance(e, dict) and set(e) == {"ip_address"} for e in value):
        raise invalid_input("fixed_ips", value,
                            "must be a list of at most one {'ip_address': ...}")
    if not value:
        return None
    address = value[0]["ip_address"]
    try:
        return str(ipaddress.ip_address(address))
    except (ValueError, TypeError):
        raise invalid_input("ip_address", address,
                            f"{json.dumps(address)} is not a 'ipv4'") from None

def query_argument(request: Any, name: str) -> Optional[str]:
    return query_text(request, name)


def read_limit(request: Any) -> int:
    raw = query_argument(request, "limit")
    if raw is not None and raw.startswith("-") and raw[1:].isdigit():
        raise RequestError(400, "limit param must be positive")
    limit = query_integer(raw, "limit", MAX_PAGE, message="limit param must be an integer")
    return min(limit, MAX_PAGE)


def read_time(value: str, field: str) -> float:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise invalid_input(field, value, f"'{value}' is not a 'date-time'") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def read_server_query(request: Any) -> ServerQuery:
    name = query_argument(request, "name")
    pattern = None
    if name is not None:
        try:
            # One budget for the whole listing, however many servers.
            pattern = compile_pattern(name).within(MatchBudget())
        except PatternRefused as refused:
            raise invalid_input("name", name[:100],
                                f"is not a valid regular expression: {refused}") from None
    statuses = tuple(v.upper() for v in query_values(request, "status"))
    since = query_argument(request, "changes-since")
    return ServerQuery(
        name=pattern,
        statuses=statuses,
        changes_since=None if since is None else read_time(since, "changes-since"),
        image=ref_id(query_argument(request, "image")),
        flavor=ref_id(query_argument(request, "flavor")),
        limit=read_limit(request),
        marker=query_argument(request, "marker"),
    )


def ref_id(ref: Optional[str]) -> Optional[str]:
    """An image or flavor reference may be a URL; its id is the last segment."""
    return None if ref is None else ref.rstrip("/").rsplit("/", 1)[-1]


def paged(items: Iterable[Any], limit: int, marker: Optional[str],
          key: Callable[[Any], str] = lambda item: item.id) -> list:
    """One page of ``items`` after ``marker`` (which must be among them)."""
    items = list(items)
    start = 0
    if marker is not None:
        for index, item in enumerate(items):
            if key(item) == marker:
                start = index + 1
                break
        else:
            raise RequestError(400, f"marker [{marker}] not found")
    return items[start:start + limit]


# Writing answers.

class Links:
    """Nova's links for one tenant: ``self`` (versioned) and ``bookmark``."""

    def __init__(self, prefix: str, tenant_id: str) -> None:
        self.prefix = prefix
        self.versioned = f"{prefix}/v2/{tenant_id}"
        self.bookmark = f"{prefix}/{tenant_id}"
        # The same, escaped for use inside JSON strings.
        self.versioned_json = _json_text(self.versioned)
        self.bookmark_json = _json_text(self.bookmark)

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


def server_detail(server: Server, now: float, links: Links, network: NetworkState) -> dict:
    """A server as ``GET servers/<id>`` shows it at microversion 2.1."""
    status = server.status_at(now)
    vm_state, task_state, power_state = STATES[status]
    body = {
        "id": server.id,
        "name": server.name,
        "status": status,
        "tenant_id": server.tenant_id,
        "user_id": server.user_id,
        "metadata": server.metadata,
        "hostId": server.host_id,
        "image": {"id": server.image.id,
                  "links": links.bookmark_only("images", server.image.id)},
        "flavor": {"id": server.flavor.id,
                   "links": links.bookmark_only("flavors", server.flavor.id)},
        "created": iso_time(server.created, microseconds=False),
        "updated": iso_time(server.updated_at(now), microseconds=False),
        "addresses": server_addresses(server, network),
        "accessIPv4": server.access_ipv4,
        "accessIPv6": server.access_ipv6,
        "links": links("servers", server.id),
        "OS-DCF:diskConfig": server.disk_config,
        "progress": 0 if status in ("BUILD", "REBUILD", "RESIZE") else 100,
        "OS-EXT-AZ:availability_zone": AVAILABILITY_ZONE,
        "config_drive": server.config_drive,
        "key_name": server.key_name,
        "OS-SRV-USG:launched_at": (None if status == "BUILD" else
                                   iso_time(server.created, microseconds=True)[:-1]),
        "OS-SRV-USG:terminated_at": None,
        "OS-EXT-STS:task_state": task_state,
        "OS-EXT-STS:vm_state": vm_state,
        "OS-EXT-STS:power_state": power_state,
        "os-extended-volumes:volumes_attached": [],
    }
    groups = network.security_groups_of(server.id)
    if groups:
        # Nova leaves the key out for a server without groups.
        body["security_groups"] = [{"name": g.name} for g in groups]
    if status == "ERROR":
        body["fault"] = {"code": 500, "created": iso_time(server.updated_at(now),
                                                           microseconds=False),
                         "message": "Mimic put this server in ERROR."}
    return body


def flavor_detail(flavor: Flavor, links: Links) -> dict:
    return {
        "id": flavor.id,
        "name": flavor.name,
        "ram": flavor.ram,
        "disk": flavor.disk,
        "vcpus": flavor.vcpus,
        "swap": flavor.swap or "",
        "rxtx_factor": flavor.rxtx_factor,
        "OS-FLV-EXT-DATA:ephemeral": flavor.ephemeral,
        "OS-FLV-DISABLED:disabled": False,
        "os-flavor-access:is_public": flavor.is_public,
        "links": links("flavors", flavor.id),
    }


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
               network: NetworkState) -> bytes:
        server.settle(now)
        entry = self.entries.get(server.id)
        revision = (server.revision, network.device_revision(server.id))
        if entry is not None and entry[0] == revision and entry[1] == links.prefix:
            return entry[2]
        rendered = dumps(server_detail(server, now, links, network))
        if entry is None and len(self.entries) >= self.size:
            del self.entries[next(iter(self.entries))]
        self.entries[server.id] = (revision, links.prefix, rendered)
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
