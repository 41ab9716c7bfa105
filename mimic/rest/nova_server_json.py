"""
A server's requests on the wire: the ``POST servers`` body (with its block
devices, networks, tags, hostname and scheduler hints), the fields that
update and rebuild share with it, and the filters of a server listing, read
as Nova's schemas read them at each microversion. The fields every route
reads alike are in :mod:`mimic.rest.nova_json`.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import re
from typing import Any, Optional

from mimic.bounds import decimal
from mimic.model.neutron import NetworkRequest
from mimic.model.nova_block_devices import (
    DESTINATION_TYPES,
    MAX_BLOCK_DEVICES,
    SOURCE_TYPES,
    BlockDevice,
    check_block_devices,
)
from mimic.model.nova import (
    MAX_TAGS,
    ComputeError,
    ServerQuery,
    STATES,
    ServerSpec,
    check_tag,
    servers_to_create,
)
from mimic.model.patterns import MatchBudget, PatternRefused, compile_pattern
from mimic.rest.http import RequestError, query_arguments, query_values
from mimic.rest.nova_json import (
    MAX_PAGE,
    UUID_PATTERN,
    flavor_reference,
    image_reference,
    invalid_input,
    name_field,
    query_argument,
    read_boolean,
    read_limit,
    read_metadata,
    read_time,
    ref_id,
    refuse_unexpected,
    string_field,
)
from mimic.rest.nova_microversions import MIN_VERSION, APIVersion


def ip_field(body: dict, key: str, version: int) -> Optional[str]:
    """
    ``accessIPv4``/``accessIPv6``: an address of that version (or ``""``),
    kept in its canonical form, as Nova's instance fields (netaddr
    addresses) store it: ``2001:DB8:0::1`` reads back as ``2001:db8::1``.
    """
    value = string_field(body, key)
    if value:
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            address = None
        if address is None or address.version != version:
            raise invalid_input(key, value, f"'{value}' is not a 'ipv{version}'")
        return str(address)
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


def read_server_spec(body: dict,
                     version: APIVersion = MIN_VERSION) -> tuple[ServerSpec, int]:
    """
    A ``POST servers`` body as a :class:`ServerSpec` and how many to make,
    read as Nova's schema for ``version`` reads it.
    """
    server = body.get("server")
    if not isinstance(server, dict):
        raise invalid_input("server", server, "'server' is a required property of type 'object'")
    refuse_unexpected(server, create_keys(version))
    if version >= "2.37" and "networks" not in server:
        raise invalid_input("server", server, "'networks' is a required property")
    if version < "2.37" and isinstance(server.get("networks"), str):
        raise invalid_input("networks", server["networks"],
                            f"{server['networks']!r} is not of type 'array'")
    name = name_field(server, required=True)
    devices = read_block_devices(server, version)
    if "imageRef" not in server and not devices:
        raise RequestError(400, "Invalid imageRef provided.")
    image_id = (None if server.get("imageRef") in (None, "") and devices
                else image_reference(server, "imageRef", empty_allowed=True))
    boot = check_block_devices(devices, image_id) if devices else None
    if image_id is None:
        # An image copied to the local disk at boot index 0 stands in for
        # imageRef; otherwise a volume boots the server and it names no
        # image ("", as Nova shows it; Block Storage checks the volume).
        image_id = boot.uuid if boot is not None and boot.boots_from_image else ""
    if "flavorRef" not in server:
        raise invalid_input("flavorRef", None, "'flavorRef' is a required property")
    flavor_id = flavor_reference(server)
    metadata = read_metadata(server.get("metadata", {}))
    key_name = string_field(server, "key_name", minimum=1)
    groups = server.get("security_groups", [{"name": "default"}])
    if not isinstance(groups, list) or not all(
        isinstance(g, dict) and isinstance(g.get("name"), str) and g["name"] for g in groups
    ):
        raise invalid_input("security_groups", groups, "each must be an object with a 'name'")
    networks = read_networks(server.get("networks", "auto"), version)
    user_data = string_field(server, "user_data", maximum=65535)
    if user_data:
        try:
            base64.b64decode(user_data, validate=True)
        except (binascii.Error, ValueError):
            raise invalid_input("user_data", user_data, "is not base64") from None
    config_drive = server.get("config_drive", False)
    if not isinstance(config_drive, (bool, str)):
        raise invalid_input("config_drive", config_drive, "must be a boolean")
    counts: list[int] = []
    for key in ("min_count", "max_count"):
        # Nova defaults max_count to min_count (servers.py create).
        value = server.get(key, counts[0] if counts else 1)
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
        raise RequestError(400, "Failed to launch instances: Unable to launch multiple "
                           "instances with a single configured port ID. Please launch "
                           "your instance one by one with different ports.")
    if counts[1] > 1 and any(n.fixed_ip for n in networks or ()):
        raise RequestError(400, "Failed to launch instances: max_count cannot be greater "
                           "than 1 if an fixed_ip is specified.")
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
        description=description_field(server),
        tags=tags_field(server),
        user_data=user_data,
        hostname=hostname_field(server),
        scheduler_hints=scheduler_hints_field(body),
        block_devices=devices,
        min_count=min(counts),
    )
    if spec.hostname is not None and counts[1] > 1:
        raise RequestError(400, "Unable to allow requesting a specific hostname for "
                           "multiple instances.")
    return spec, counts[1]


def description_field(body: dict) -> Optional[str]:
    """``description`` (2.19): up to 255 characters, or ``null``."""
    if body.get("description") is None:
        return None
    return string_field(body, "description", maximum=255)


#: What a ``block_device_mapping_v2`` entry may hold besides the typed
#: fields below (Nova's schema allows them; Mimic has no use for them).
_IGNORED_DEVICE_KEYS = frozenset({"no_device", "connection_info", "image_id",
                                  "snapshot_id", "volume_id"})


_DEVICE_STRINGS = ("uuid", "device_name", "guest_format", "disk_bus", "device_type")


def read_block_devices(server: dict, version: APIVersion) -> tuple:
    """``block_device_mapping_v2`` as Nova's schema reads it at ``version``."""
    raw = server.get("block_device_mapping_v2", [])
    if not isinstance(raw, list):
        raise invalid_input("block_device_mapping_v2", raw,
                            f"{json.dumps(raw)} is not of type 'array'")
    if len(raw) > MAX_BLOCK_DEVICES:
        raise invalid_input("block_device_mapping_v2", "[...]",
                            f"is too long (at most {MAX_BLOCK_DEVICES} items)")
    allowed = set(_DEVICE_STRINGS) | {"source_type", "destination_type", "boot_index",
                                      "volume_size", "delete_on_termination"}
    allowed |= _IGNORED_DEVICE_KEYS
    if version >= "2.67":
        allowed.add("volume_type")
    if version == "2.32" or version >= "2.42":
        allowed.add("tag")
    return tuple(_block_device(entry, frozenset(allowed)) for entry in raw)


def _block_device(entry: Any, allowed: frozenset) -> BlockDevice:
    field = "block_device_mapping_v2"
    if not isinstance(entry, dict):
        raise invalid_input(field, entry, f"{json.dumps(entry)} is not of type 'object'")
    refuse_unexpected(entry, allowed, field=field)
    source = entry.get("source_type")
    if source not in SOURCE_TYPES:
        raise invalid_input("source_type", source,
                            f"{json.dumps(source)} is not one of {list(SOURCE_TYPES)}")
    destination = entry.get("destination_type")
    if destination is None:
        destination = "local" if source in ("image", "blank") else "volume"
    if destination not in DESTINATION_TYPES:
        raise invalid_input("destination_type", destination, f"{json.dumps(destination)} "
                            f"is not one of {list(DESTINATION_TYPES)}")
    strings = {key: string_field(entry, key, maximum=255) for key in _DEVICE_STRINGS}
    for key in ("volume_type", "tag"):
        if key in allowed:
            strings[key] = string_field(entry, key, maximum=255 if key != "tag" else 60)
    return BlockDevice(
        source_type=source, destination_type=destination,
        boot_index=_device_integer(entry, "boot_index", minimum=None),
        volume_size=_device_integer(entry, "volume_size", minimum=1),
        delete_on_termination=_device_boolean(entry, "delete_on_termination"),
        **strings)


def _device_integer(entry: dict, key: str, minimum: Optional[int]) -> Optional[int]:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, str) and decimal(value, signed=True) is not None:
        value = decimal(value, signed=True)
    if isinstance(value, bool) or not isinstance(value, int) or (
            minimum is not None and value < minimum):
        raise invalid_input(key, value, f"{json.dumps(value)} is not a valid {key}")
    return value


def _device_boolean(entry: dict, key: str) -> bool:
    value = entry.get(key, False)
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.lower() in ("true", "1", "yes")
    if not isinstance(value, bool):
        raise invalid_input(key, value, f"{json.dumps(value)} is not of type 'boolean'")
    return value


def tags_field(body: dict) -> tuple[str, ...]:
    """``tags`` at create (2.52): at most 50 valid tags."""
    tags = body.get("tags", [])
    if not isinstance(tags, list) or len(tags) > MAX_TAGS:
        raise invalid_input("tags", tags, f"must be a list of at most {MAX_TAGS} tags")
    try:
        return tuple(check_tag(tag) for tag in tags)
    except ComputeError as refused:
        raise RequestError(400, refused.message) from None


_HOSTNAME = re.compile(r"^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,61}[a-zA-Z0-9])?$")


def hostname_field(body: dict) -> Optional[str]:
    """``hostname`` (2.90): an RFC 1123 host name (2.94 allows FQDNs: dots)."""
    hostname = string_field(body, "hostname", minimum=1)
    if hostname is not None and not _HOSTNAME.match(hostname):
        raise invalid_input("hostname", hostname, f"{hostname!r} does not match "
                            "'^[a-zA-Z0-9-._]*$'")
    return hostname


def scheduler_hints_field(body: dict) -> dict:
    """``os:scheduler_hints`` (beside ``server``), kept to be shown from 2.100."""
    hints = body.get("os:scheduler_hints", body.get("OS-SCH-HNT:scheduler_hints", {}))
    if not isinstance(hints, dict):
        raise invalid_input("os:scheduler_hints", hints,
                            f"{json.dumps(hints)} is not of type 'object'")
    return hints


def create_keys(version: APIVersion) -> frozenset:
    """What a create body may hold at ``version``."""
    keys = set(SERVER_CREATE_KEYS)
    for since, key in (("2.19", "description"), ("2.52", "tags"),
                       ("2.63", "trusted_image_certificates"), ("2.90", "hostname")):
        if version >= since:
            keys.add(key)
    if version >= "2.57":
        keys.discard("personality")
    return frozenset(keys)




NETWORK_KEYS = frozenset({"uuid", "port", "fixed_ip"})


def read_networks(value: Any,
                  version: APIVersion = MIN_VERSION) -> Optional[tuple[NetworkRequest, ...]]:
    """
    A create request's ``networks``: ``"auto"`` (or absent, or ``[]``) is
    every network (``None``), ``"none"`` no network (``()``), a list names
    networks (``uuid``, optionally with a ``fixed_ip``) or ports (``port``).
    A device ``tag`` is accepted from 2.32 to 2.36 and again from 2.42
    (Nova lost it at 2.37), and otherwise is an unexpected property.
    """
    tagged = (version >= "2.32" and version <= "2.36") or version >= "2.42"
    keys = NETWORK_KEYS | ({"tag"} if tagged else set())
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
        refuse_unexpected(entry, frozenset(keys), field="networks")
        if "tag" in entry:
            string_field(entry, "tag", minimum=1, maximum=60, field="tag")
        port = entry.get("port")
        if port is not None:
            if not isinstance(port, str) or not UUID_PATTERN.match(port):
                raise invalid_input("port", port, f"{json.dumps(port)} is not a 'uuid'")
            requests.append(NetworkRequest(port_id=port))
            continue
        network = entry.get("uuid")
        if network is None:
            raise RequestError(400, "Bad network format: missing 'uuid'")
        if not isinstance(network, str) or not UUID_PATTERN.match(network):
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


#: The query of a listing without query parameters (the common poll).
_UNFILTERED = ServerQuery(name=None, statuses=(), changes_since=None, image=None, flavor=None,
                          limit=MAX_PAGE, marker=None, reservation_id=None)


def read_server_query(request: Any, version: APIVersion = MIN_VERSION) -> ServerQuery:
    """A listing's filters, as Nova reads them at ``version``."""
    if not request.args:
        return _UNFILTERED
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
        reservation_id=query_argument(request, "reservation_id"),
        **versioned_query_filters(request, version, statuses, since),
    )


#: The query parameters a server listing takes from 2.75, when Nova starts
#: refusing others (nova/api/openstack/compute/schemas/servers.py
#: ``index_query_v275``); many are admin filters Mimic accepts and ignores.
SERVER_QUERY_KEYS_V275 = frozenset("""
    user_id project_id tenant_id launch_index image_ref image kernel_id ramdisk_id
    hostname key_name power_state vm_state task_state host node flavor reservation_id
    launched_at terminated_at availability_zone name display_name description
    display_description locked_by uuid root_device_name config_drive access_ip_v4
    access_ip_v6 auto_disk_config progress sort_key sort_dir all_tenants soft_deleted
    deleted status changes-since ip ip6 created_at tags tags-any not-tags not-tags-any
    changes-before locked limit marker
""".split())


def versioned_query_filters(request: Any, version: APIVersion, statuses: tuple,
                            since: Optional[str]) -> dict:
    """
    The filters later microversions add: an unknown query parameter is a
    400 from 2.75, an unknown ``status`` from 2.38, tags from 2.26,
    ``changes-before`` from 2.66, ``locked`` from 2.73 (before that each
    is ignored, as Nova ignores unknown ones).
    """
    filters: dict = {}
    if version >= "2.75":
        unexpected = sorted(k for k in query_arguments(request)
                            if k not in SERVER_QUERY_KEYS_V275)
        if unexpected:
            names = ", ".join(repr(k[:100]) for k in unexpected[:10])
            raise RequestError(400, f"Invalid input for query parameters {unexpected[0][:100]}."
                               f" Additional properties are not allowed ({names} "
                               f"{'were' if len(unexpected) > 1 else 'was'} unexpected)")
    if version >= "2.38":
        for status in statuses:
            if status not in STATES and status not in ("DELETED", "SOFT_DELETED",
                                                       "SHELVED", "SHELVED_OFFLOADED",
                                                       "MIGRATING", "UNKNOWN",
                                                       "PASSWORD"):
                raise RequestError(400, "Invalid status value")
    if version >= "2.26":
        for key, field in (("tags", "tags_all"), ("tags-any", "tags_any"),
                           ("not-tags", "not_tags_all"), ("not-tags-any", "not_tags_any")):
            value = query_argument(request, key)
            if value is not None:
                filters[field] = tuple(t for t in value.split(",") if t)
    if version >= "2.66":
        before = query_argument(request, "changes-before")
        if before is not None:
            filters["changes_before"] = read_time(before, "changes-before")
            if since is not None and read_time(since, "changes-since") > \
                    filters["changes_before"]:
                raise RequestError(400, "The value of changes-since must be less than "
                                   "or equal to changes-before.")
    if version >= "2.73":
        locked = query_argument(request, "locked")
        if locked is not None:
            filters["locked"] = read_boolean({"locked": locked}, "locked")
    return filters
