"""
Rackspace Cloud Load Balancers (v1.0): load balancers, their nodes and
settings, and the status each one is in on Mimic's clock.

A load balancer's status is computed lazily from timestamps: a change puts it
in a pending status "until" a moment on the clock, and any read at or after
that moment sees the status that follows (BUILD -> ACTIVE, PENDING_UPDATE ->
ACTIVE, PENDING_DELETE -> DELETED). Nothing is scheduled, so ticking the clock
by any amount gives exactly the answer the real service would after that
long. This module knows nothing about HTTP: it raises :class:`ClbError`
subclasses that the REST layer renders in the API's fault shape.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Iterable, Mapping, Optional

import attrs

from mimic.model.behaviors import (
    BehaviorKind,
    BehaviorRegistry,
    CriterionKind,
    Event,
    InvalidBehavior,
    coerce_number,
    duration_kind,
    failure_kind,
)
from mimic.util import IdSource

#: Protocols and their default ports, as ``GET /loadbalancers/protocols``
#: lists them; a default port of 0 means the port must be given.
PROTOCOLS = {
    "DNS_TCP": 53, "DNS_UDP": 53, "FTP": 21, "HTTP": 80, "HTTPS": 443,
    "IMAPS": 993, "IMAPv2": 143, "IMAPv3": 220, "IMAPv4": 143, "LDAP": 389,
    "LDAPS": 636, "MYSQL": 3306, "POP3": 110, "POP3S": 995, "SFTP": 22,
    "SMTP": 25, "TCP": 0, "TCP_CLIENT_FIRST": 0, "UDP": 0, "UDP_STREAM": 0,
}
ALGORITHMS = (
    "LEAST_CONNECTIONS", "RANDOM", "ROUND_ROBIN",
    "WEIGHTED_LEAST_CONNECTIONS", "WEIGHTED_ROUND_ROBIN",
)
DEFAULT_ALGORITHM = "RANDOM"
VIP_TYPES = ("PUBLIC", "SERVICENET")
IP_VERSIONS = ("IPV4", "IPV6")
NODE_CONDITIONS = ("ENABLED", "DISABLED", "DRAINING")
NODE_TYPES = ("PRIMARY", "SECONDARY")
NODE_STATUSES = ("ONLINE", "OFFLINE")
LB_STATUSES = (
    "ACTIVE", "BUILD", "ERROR", "PENDING_UPDATE", "PENDING_DELETE",
    "SUSPENDED", "DELETED",
)
PERSISTENCE_TYPES = ("HTTP_COOKIE", "SOURCE_IP")
MONITOR_TYPES = ("CONNECT", "HTTP", "HTTPS")
ACCESS_TYPES = ("ALLOW", "DENY")

#: The account's absolute limits (``GET /loadbalancers/absolutelimits``).
LIMITS = {
    "NODE_LIMIT": 25,
    "BATCH_DELETE_LIMIT": 10,
    "LOADBALANCER_META_LIMIT": 25,
    "NODE_META_LIMIT": 25,
    "ACCESS_LIST_LIMIT": 100,
    "IPV6_LIMIT": 25,
}
NAME_MAX = 128
METADATA_TEXT_MAX = 256
#: Deleted load balancers stay visible (status DELETED) this long.
DELETED_VISIBLE_SECONDS = 90 * 60

#: Metadata keys that change how a load balancer behaves (see presets()).
PRESETS = {
    "lb_building": "seconds the load balancer stays in BUILD after creation",
    "lb_pending_update": "seconds it stays in PENDING_UPDATE after each change",
    "lb_pending_delete": "seconds it stays in PENDING_DELETE before DELETED",
    "lb_error_state": "any value: the load balancer is in ERROR from creation",
}

_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)


# Errors -------------------------------------------------------------------


class ClbError(Exception):
    """A request the service refuses; subclasses say which fault it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationFailed(ClbError):
    """The request object is invalid (``badRequest``); lists every reason."""

    def __init__(self, *messages: str) -> None:
        super().__init__("Validation Failure")
        self.messages = list(messages)


class BadRequest(ClbError):
    """A well-formed request the service cannot do (``badRequest``)."""


class NotFound(ClbError):
    """No such load balancer, node, rule or item (``itemNotFound``)."""


class Immutable(ClbError):
    """The load balancer is not in a status that allows changes (422)."""

    def __init__(self, lb_id: int, status: str) -> None:
        super().__init__(
            f"Load Balancer '{lb_id}' has a status of '{status}' and is "
            "considered immutable."
        )


class Gone(ClbError):
    """The load balancer is deleted (410)."""


class OverLimit(ClbError):
    """An absolute limit would be exceeded (``overLimit``, 413)."""


class InjectedFailure(ClbError):
    """A ``fail`` behavior applies: answer with its code and message."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


# Behaviors -----------------------------------------------------------------


_CRITERIA = (
    CriterionKind("loadbalancer_name"),
    CriterionKind("metadata", shape="mapping"),
)

#: What may happen when a load balancer is created (control API).
CREATION_EVENT = Event(
    name="creation",
    behaviors=(
        failure_kind("loadBalancerFault", "Load balancer creation failed.",
                     "answer {code, message} instead of creating"),
        BehaviorKind("error", "create the load balancer in ERROR status"),
        duration_kind("building", "stay in BUILD for {duration} seconds"),
        BehaviorKind("default", "create normally"),
    ),
    criteria=_CRITERIA,
)

#: What may happen when a load balancer is deleted (control API).
DELETION_EVENT = Event(
    name="deletion",
    behaviors=(
        failure_kind("loadBalancerFault", "Load balancer deletion failed.",
                     "answer {code, message} instead of deleting"),
        duration_kind("pending", "stay in PENDING_DELETE for {duration} seconds"),
        BehaviorKind("default", "delete normally"),
    ),
    criteria=_CRITERIA + (CriterionKind("loadbalancer_id"),),
)

EVENTS = {event.name: event for event in (CREATION_EVENT, DELETION_EVENT)}


# Parts of a load balancer ---------------------------------------------------


@attrs.define
class Node:
    """A back-end address and port the load balancer sends traffic to."""

    id: int
    address: str
    port: int
    condition: str
    type: str = "PRIMARY"
    weight: int = 1
    status: str = "ONLINE"
    metadata: list = attrs.field(factory=list)


@attrs.frozen
class VirtualIp:
    """An address the load balancer listens on; shared by id between LBs."""

    id: int
    address: str
    type: str
    ip_version: str


@attrs.define
class MetadataItem:
    """One ``{key, value}`` of a load balancer's or node's metadata."""

    id: int
    key: str
    value: str


@attrs.frozen
class AccessRule:
    """An ALLOW or DENY rule for an address or network."""

    id: int
    address: str
    type: str


@attrs.frozen
class HealthMonitor:
    """
    How the service checks nodes: ``CONNECT`` probes, or ``HTTP``/``HTTPS``
    requests whose status and body must match regexes.
    """

    type: str
    delay: int
    timeout: int
    attempts_before_deactivation: int
    path: Optional[str] = None
    status_regex: Optional[str] = None
    body_regex: Optional[str] = None
    host_header: Optional[str] = None


@attrs.frozen
class ConnectionThrottle:
    """Per-client-address connection limits."""

    min_connections: int
    max_connections: int
    max_connection_rate: int
    rate_interval: int


@attrs.frozen
class Presets:
    """The metadata presets given at creation, parsed once."""

    building: float = 0
    pending_update: float = 0
    pending_delete: float = 0
    error: bool = False


@attrs.define(eq=False)
class LoadBalancer:
    """
    One load balancer. ``status_at(now)`` is the only way to read its
    status: it settles a pending status whose time is up.
    """

    id: int
    name: str
    protocol: str
    port: int
    algorithm: str
    virtual_ips: list
    created: float
    presets: Presets
    timeout: int = 30
    half_closed: bool = False
    https_redirect: bool = False
    nodes: dict = attrs.field(factory=dict)
    metadata: list = attrs.field(factory=list)
    access_list: list = attrs.field(factory=list)
    health_monitor: Optional[HealthMonitor] = None
    session_persistence: Optional[str] = None
    connection_logging: bool = False
    connection_throttle: Optional[ConnectionThrottle] = None
    content_caching: bool = False
    error_page: Optional[str] = None
    updated: float = 0
    deleted_at: Optional[float] = None
    _status: str = "BUILD"
    _until: Optional[float] = None
    _then: Optional[str] = None

    def status_at(self, now: float) -> str:
        if self._until is not None and now >= self._until:
            settled_at = self._until
            self._status, self._until, self._then = self._then, None, None
            self.updated = settled_at
            if self._status == "DELETED":
                self.deleted_at = settled_at
        return self._status

    def enter(self, status: str, now: float, duration: float = 0,
              then: Optional[str] = None) -> None:
        """Be ``status`` from ``now``, and ``then`` once ``duration`` s pass."""
        self._status = status
        self.updated = now
        if then is not None:
            self._until, self._then = now + duration, then
        else:
            self._until = self._then = None
        self.deleted_at = now if status == "DELETED" else None
        self.status_at(now)

    def expired(self, now: float) -> bool:
        """Deleted long enough ago that the service no longer shows it."""
        return (
            self.status_at(now) == "DELETED"
            and self.deleted_at is not None
            and now >= self.deleted_at + DELETED_VISIBLE_SECONDS
        )

    def node_by_address(self, address: str, port: int) -> Optional[Node]:
        for node in self.nodes.values():
            if node.address == address and node.port == port:
                return node
        return None


# Parsing request objects ------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _integer(body: Mapping, key: str, low: int, high: int, errors: list,
             what: str = "") -> Optional[int]:
    value = body.get(key)
    if not _is_int(value) or not low <= value <= high:
        errors.append(f"{what}{key} must be an integer from {low} to {high}.")
        return None
    return value


def _choice(body: Mapping, key: str, options: Iterable[str], errors: list,
            what: str = "") -> Optional[str]:
    value = body.get(key)
    options = tuple(options)
    if value not in options:
        errors.append(f"{what}{key} must be one of {', '.join(options)}; got {value!r}.")
        return None
    return value


def _boolean(body: Mapping, key: str, errors: list) -> Optional[bool]:
    value = body.get(key)
    if not isinstance(value, bool):
        errors.append(f"{key} must be true or false.")
        return None
    return value


def valid_node_address(address: Any) -> bool:
    """An IPv4/IPv6 address or a host name, as nodes accept."""
    if not isinstance(address, str) or not address:
        return False
    try:
        ipaddress.ip_address(address)
        return True
    except ValueError:
        return bool(_HOSTNAME.match(address)) and not address.replace(".", "").isdigit()


@attrs.frozen
class NodeSpec:
    """A node as requested, validated, before it has an id."""

    address: str
    port: int
    condition: str
    type: str = "PRIMARY"
    weight: int = 1


def parse_nodes(raw: Any) -> list[NodeSpec]:
    """The ``nodes`` list of a create or add-nodes request."""
    if not isinstance(raw, list):
        raise ValidationFailed("nodes must be a list of node objects.")
    errors: list = []
    specs = []
    for index, item in enumerate(raw):
        what = f"nodes[{index}]."
        if not isinstance(item, dict):
            errors.append(f"nodes[{index}] must be an object.")
            continue
        address = item.get("address")
        if not valid_node_address(address):
            errors.append(f"{what}address is invalid. Please specify a valid ip.")
        port = _integer(item, "port", 1, 65535, errors, what)
        condition = _choice(item, "condition", NODE_CONDITIONS, errors, what)
        node_type = item.get("type", "PRIMARY")
        if node_type not in NODE_TYPES:
            errors.append(f"{what}type must be one of {', '.join(NODE_TYPES)}.")
        weight = item.get("weight", 1)
        if not _is_int(weight) or not 1 <= weight <= 100:
            errors.append(f"{what}weight must be an integer from 1 to 100.")
        unknown = set(item) - {"address", "port", "condition", "type", "weight"}
        if unknown:
            errors.append(f"{what} has unsupported attributes: {', '.join(sorted(unknown))}.")
        if not errors:
            specs.append(NodeSpec(address, port, condition, node_type, weight))
    if errors:
        raise ValidationFailed(*errors)
    seen = set()
    for spec in specs:
        if (spec.address, spec.port) in seen:
            raise ValidationFailed(
                "Duplicate nodes detected. One or more nodes already "
                "configured on load balancer."
            )
        seen.add((spec.address, spec.port))
    return specs


def parse_node_update(raw: Any) -> dict:
    """The attributes of a node update: condition, type and weight only."""
    if not isinstance(raw, dict) or not raw:
        raise ValidationFailed("At least one of condition, type or weight is required.")
    errors: list = []
    for immutable in ("address", "port"):
        if immutable in raw:
            errors.append(f"Node {immutable} is immutable and cannot be updated.")
    unknown = set(raw) - {"condition", "type", "weight", "address", "port", "id"}
    if unknown:
        errors.append(f"Unsupported node attributes: {', '.join(sorted(unknown))}.")
    changes: dict = {}
    if "condition" in raw:
        changes["condition"] = _choice(raw, "condition", NODE_CONDITIONS, errors)
    if "type" in raw:
        changes["type"] = _choice(raw, "type", NODE_TYPES, errors)
    if "weight" in raw:
        changes["weight"] = _integer(raw, "weight", 1, 100, errors)
    if not changes and not errors:
        errors.append("At least one of condition, type or weight is required.")
    if errors:
        raise ValidationFailed(*errors)
    return changes


def metadata_text(value: Any, what: str, errors: list) -> Optional[str]:
    """Metadata keys and values: strings (numbers accepted, as presets are)."""
    if _is_int(value) or isinstance(value, float):
        value = str(value)
    if not isinstance(value, str) or not 1 <= len(value) <= METADATA_TEXT_MAX:
        errors.append(f"{what} must be a string of 1 to {METADATA_TEXT_MAX} characters.")
        return None
    return value


def parse_metadata(raw: Any) -> list[tuple[str, str]]:
    """A ``[{key, value}]`` list, keys unique."""
    if not isinstance(raw, list):
        raise ValidationFailed("metadata must be a list of {key, value} objects.")
    errors: list = []
    pairs = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or set(item) - {"key", "value"}:
            errors.append(f"metadata[{index}] must be an object with key and value.")
            continue
        key = metadata_text(item.get("key"), f"metadata[{index}].key", errors)
        value = metadata_text(item.get("value"), f"metadata[{index}].value", errors)
        if key is not None and value is not None:
            pairs.append((key, value))
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        errors.append("Duplicate metadata keys are not allowed.")
    if errors:
        raise ValidationFailed(*errors)
    return pairs


def parse_presets(pairs: list[tuple[str, str]], raw: Any) -> Presets:
    """
    The presets among a new load balancer's metadata. Durations may be given
    as numbers or numeric strings.
    """
    values = {}
    if isinstance(raw, list):
        values = {
            item["key"]: item["value"] for item in raw
            if isinstance(item, dict) and item.get("key") in PRESETS
        }
    errors = []
    durations = {}
    for key in ("lb_building", "lb_pending_update", "lb_pending_delete"):
        if key in values:
            try:
                number = coerce_number(values[key], key)
            except InvalidBehavior as invalid:
                errors.append(f"metadata {invalid}.")
                continue
            if number < 0:
                errors.append(f"metadata {key!r} must not be negative.")
                continue
            durations[key] = number
    if errors:
        raise ValidationFailed(*errors)
    return Presets(
        building=durations.get("lb_building", 0),
        pending_update=durations.get("lb_pending_update", 0),
        pending_delete=durations.get("lb_pending_delete", 0),
        error="lb_error_state" in values,
    )


def parse_access_list(raw: Any) -> list[tuple[str, str]]:
    """``[{address, type}]`` access rules."""
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed("accessList must be a non-empty list of rules.")
    errors: list = []
    rules = []
    for index, item in enumerate(raw):
        what = f"accessList[{index}]."
        if not isinstance(item, dict):
            errors.append(f"accessList[{index}] must be an object.")
            continue
        address = item.get("address")
        try:
            network = str(ipaddress.ip_network(address, strict=False))
        except (ValueError, TypeError):
            errors.append(f"{what}address must be an IP address or CIDR network.")
            network = None
        rule_type = _choice(item, "type", ACCESS_TYPES, errors, what)
        if network is not None and rule_type is not None:
            rules.append((str(address), rule_type))
    addresses = [address for address, _ in rules]
    if len(set(addresses)) != len(addresses):
        errors.append("Duplicate addresses in the access list are not allowed.")
    if errors:
        raise ValidationFailed(*errors)
    return rules


def parse_health_monitor(raw: Any) -> HealthMonitor:
    """A health monitor: CONNECT, or HTTP/HTTPS with path and regexes."""
    if not isinstance(raw, dict):
        raise ValidationFailed("healthMonitor must be an object.")
    errors: list = []
    monitor_type = _choice(raw, "type", MONITOR_TYPES, errors)
    delay = _integer(raw, "delay", 1, 3600, errors)
    timeout = _integer(raw, "timeout", 1, 300, errors)
    attempts = _integer(raw, "attemptsBeforeDeactivation", 1, 10, errors)
    extra = {}
    if monitor_type in ("HTTP", "HTTPS"):
        for key, field in (("path", "path"), ("statusRegex", "status_regex"),
                           ("bodyRegex", "body_regex"), ("hostHeader", "host_header")):
            value = raw.get(key)
            if value is None:
                if key in ("path", "statusRegex"):
                    errors.append(f"{key} is required for {monitor_type} monitors.")
                continue
            if not isinstance(value, str):
                errors.append(f"{key} must be a string.")
                continue
            if key.endswith("Regex"):
                try:
                    re.compile(value)
                except re.error:
                    errors.append(f"{key} is not a valid regular expression.")
                    continue
            if key == "path" and not value.startswith("/"):
                errors.append("path must start with '/'.")
                continue
            extra[field] = value
    if errors:
        raise ValidationFailed(*errors)
    return HealthMonitor(monitor_type, delay, timeout, attempts, **extra)


def parse_connection_throttle(raw: Any) -> ConnectionThrottle:
    """Connection throttle limits, each within the documented range."""
    if not isinstance(raw, dict):
        raise ValidationFailed("connectionThrottle must be an object.")
    errors: list = []
    values = {}
    for key, low, high in (("minConnections", 0, 1000), ("maxConnections", 0, 100000),
                           ("maxConnectionRate", 0, 100000), ("rateInterval", 1, 3600)):
        values[key] = _integer(raw, key, low, high, errors)
    if errors:
        raise ValidationFailed(*errors)
    return ConnectionThrottle(values["minConnections"], values["maxConnections"],
                              values["maxConnectionRate"], values["rateInterval"])


def parse_session_persistence(raw: Any) -> str:
    if not isinstance(raw, dict):
        raise ValidationFailed("sessionPersistence must be an object.")
    errors: list = []
    kind = _choice(raw, "persistenceType", PERSISTENCE_TYPES, errors)
    if errors:
        raise ValidationFailed(*errors)
    return kind


def parse_enabled(raw: Any, what: str) -> bool:
    if not isinstance(raw, dict):
        raise ValidationFailed(f"{what} must be an object with 'enabled'.")
    errors: list = []
    enabled = _boolean(raw, "enabled", errors)
    if errors:
        raise ValidationFailed(*errors)
    return enabled


def parse_error_page(raw: Any) -> str:
    if not isinstance(raw, dict) or not isinstance(raw.get("content"), str) \
            or not raw["content"].strip():
        raise ValidationFailed("errorpage must be an object with non-empty 'content'.")
    if len(raw["content"]) > 65536:
        raise ValidationFailed("errorpage content must be at most 65536 characters.")
    return raw["content"]


@attrs.frozen
class VipSpec:
    """A requested virtual IP: a new one of a type and version, or a shared id."""

    type: Optional[str] = None
    ip_version: Optional[str] = None
    shared_id: Optional[int] = None


def parse_virtual_ips(raw: Any) -> list[VipSpec]:
    """
    ``virtualIps``: each either ``{"id": N}`` (share another load balancer's)
    or ``{"type": PUBLIC|SERVICENET, "ipVersion": IPV4|IPV6}``.
    """
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed("virtualIps must be a non-empty list.")
    errors: list = []
    specs = []
    for index, item in enumerate(raw):
        what = f"virtualIps[{index}]."
        if not isinstance(item, dict):
            errors.append(f"virtualIps[{index}] must be an object.")
            continue
        if "id" in item:
            if not _is_int(item["id"]) or set(item) != {"id"}:
                errors.append(f"{what}id must be an integer and stand alone.")
            else:
                specs.append(VipSpec(shared_id=item["id"]))
            continue
        vip_type = _choice(item, "type", VIP_TYPES, errors, what)
        version = item.get("ipVersion")
        if version is not None and version not in IP_VERSIONS:
            errors.append(f"{what}ipVersion must be one of {', '.join(IP_VERSIONS)}.")
            continue
        if vip_type == "SERVICENET" and version == "IPV6":
            errors.append("IPV6 is not supported for SERVICENET virtual IPs.")
            continue
        if vip_type is not None:
            specs.append(VipSpec(type=vip_type, ip_version=version))
    if errors:
        raise ValidationFailed(*errors)
    return specs


@attrs.frozen
class LoadBalancerSpec:
    """A validated create request."""

    name: str
    protocol: str
    port: int
    algorithm: str
    timeout: int
    half_closed: bool
    https_redirect: bool
    virtual_ips: list
    nodes: list
    metadata: list
    presets: Presets
    access_list: list = attrs.field(factory=list)
    health_monitor: Optional[HealthMonitor] = None
    session_persistence: Optional[str] = None
    connection_logging: bool = False
    connection_throttle: Optional[ConnectionThrottle] = None
    content_caching: bool = False


def _name(body: Mapping, errors: list) -> Optional[str]:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX:
        errors.append(f"name must be a string of 1 to {NAME_MAX} characters.")
        return None
    return name


def _protocol_and_port(body: Mapping, errors: list,
                       protocol: Optional[str] = None) -> tuple:
    if "protocol" in body or protocol is None:
        protocol = _choice(body, "protocol", PROTOCOLS, errors)
    port = None
    if "port" in body:
        port = _integer(body, "port", 1, 65535, errors)
    elif protocol is not None:
        port = PROTOCOLS[protocol] or None
        if port is None:
            errors.append(f"port is required for protocol {protocol}.")
    return protocol, port


def parse_create(body: Any) -> LoadBalancerSpec:
    """The ``loadBalancer`` object of a create request, fully validated."""
    if not isinstance(body, dict):
        raise ValidationFailed("loadBalancer must be an object.")
    errors: list = []
    name = _name(body, errors)
    protocol, port = _protocol_and_port(body, errors)
    algorithm = body.get("algorithm", DEFAULT_ALGORITHM)
    if algorithm not in ALGORITHMS:
        errors.append(f"algorithm must be one of {', '.join(ALGORITHMS)}.")
    timeout = body.get("timeout", 30)
    if not _is_int(timeout) or not 1 <= timeout <= 120:
        errors.append("timeout must be an integer from 1 to 120.")
    flags = {}
    for key in ("halfClosed", "httpsRedirect"):
        flags[key] = _boolean(body, key, errors) if key in body else False
    parts: dict = {}
    for key, parse in (
        ("virtualIps", parse_virtual_ips),
        ("nodes", parse_nodes),
        ("metadata", parse_metadata),
        ("accessList", parse_access_list),
        ("healthMonitor", parse_health_monitor),
        ("sessionPersistence", parse_session_persistence),
        ("connectionThrottle", parse_connection_throttle),
    ):
        if key not in body and key != "virtualIps":
            continue
        try:
            parts[key] = parse(body.get(key))
        except ValidationFailed as invalid:
            errors.extend(invalid.messages)
    for key in ("connectionLogging", "contentCaching"):
        if key in body:
            try:
                parts[key] = parse_enabled(body[key], key)
            except ValidationFailed as invalid:
                errors.extend(invalid.messages)
    presets = Presets()
    if "metadata" in parts:
        try:
            presets = parse_presets(parts["metadata"], body.get("metadata"))
        except ValidationFailed as invalid:
            errors.extend(invalid.messages)
    if len(parts.get("nodes", [])) > LIMITS["NODE_LIMIT"]:
        errors.append(f"Nodes must not exceed {LIMITS['NODE_LIMIT']} per load balancer.")
    if len(parts.get("metadata", [])) > LIMITS["LOADBALANCER_META_LIMIT"]:
        errors.append("Metadata must not exceed "
                      f"{LIMITS['LOADBALANCER_META_LIMIT']} items per load balancer.")
    if errors:
        raise ValidationFailed(*errors)
    return LoadBalancerSpec(
        name=name, protocol=protocol, port=port, algorithm=algorithm,
        timeout=timeout, half_closed=flags["halfClosed"],
        https_redirect=flags["httpsRedirect"], virtual_ips=parts["virtualIps"],
        nodes=parts.get("nodes", []), metadata=parts.get("metadata", []),
        presets=presets, access_list=parts.get("accessList", []),
        health_monitor=parts.get("healthMonitor"),
        session_persistence=parts.get("sessionPersistence"),
        connection_logging=parts.get("connectionLogging", False),
        connection_throttle=parts.get("connectionThrottle"),
        content_caching=parts.get("contentCaching", False),
    )


UPDATABLE = ("name", "algorithm", "protocol", "port", "timeout", "halfClosed",
             "httpsRedirect")


def parse_update(body: Any) -> dict:
    """The attributes of a load balancer update (PUT), validated."""
    if not isinstance(body, dict) or not body:
        raise ValidationFailed("At least one attribute to update is required.")
    errors: list = []
    unknown = sorted(set(body) - set(UPDATABLE))
    if unknown:
        errors.append(f"Attributes cannot be updated here: {', '.join(unknown)}.")
    changes: dict = {}
    if "name" in body:
        changes["name"] = _name(body, errors)
    if "algorithm" in body:
        changes["algorithm"] = _choice(body, "algorithm", ALGORITHMS, errors)
    if "protocol" in body:
        changes["protocol"] = _choice(body, "protocol", PROTOCOLS, errors)
    if "port" in body:
        changes["port"] = _integer(body, "port", 1, 65535, errors)
    if "timeout" in body:
        changes["timeout"] = _integer(body, "timeout", 1, 120, errors)
    for key, field in (("halfClosed", "half_closed"), ("httpsRedirect", "https_redirect")):
        if key in body:
            changes[field] = _boolean(body, key, errors)
    if errors:
        raise ValidationFailed(*errors)
    return changes


# The store of one tenant in one region -----------------------------------


@attrs.define
class IdCounter:
    """Integer ids for one kind of thing, never reused (even after delete)."""

    next_id: int

    def take(self) -> int:
        value = self.next_id
        self.next_id += 1
        return value


@attrs.define
class ClbIds:
    """Every integer id the service hands out, global across tenants."""

    load_balancers: IdCounter = attrs.field(factory=lambda: IdCounter(1000))
    nodes: IdCounter = attrs.field(factory=lambda: IdCounter(10000))
    virtual_ips: IdCounter = attrs.field(factory=lambda: IdCounter(100))
    items: IdCounter = attrs.field(factory=lambda: IdCounter(1))


def _address(base: str, offset: int) -> str:
    return str(ipaddress.ip_address(base) + offset)


@attrs.define
class LoadBalancerStore:
    """
    One tenant's load balancers in one region, and the behaviors registered
    for them through the control API.
    """

    region: str
    clock: Any
    ids: ClbIds
    random_ids: IdSource
    load_balancers: dict = attrs.field(factory=dict)
    creation_behaviors: BehaviorRegistry = attrs.field(default=None)
    deletion_behaviors: BehaviorRegistry = attrs.field(default=None)

    def __attrs_post_init__(self) -> None:
        self.creation_behaviors = BehaviorRegistry(CREATION_EVENT, self.random_ids)
        self.deletion_behaviors = BehaviorRegistry(DELETION_EVENT, self.random_ids)

    def registry(self, event: str) -> BehaviorRegistry:
        return {"creation": self.creation_behaviors,
                "deletion": self.deletion_behaviors}[event]

    def now(self) -> float:
        return self.clock.seconds()

    # reading

    def visible(self) -> list[LoadBalancer]:
        """Every load balancer the service still shows, oldest first."""
        now = self.now()
        for lb_id in [i for i, lb in self.load_balancers.items() if lb.expired(now)]:
            del self.load_balancers[lb_id]
        return list(self.load_balancers.values())

    def get(self, lb_id: Any) -> LoadBalancer:
        lb = self.load_balancers.get(_int_id(lb_id))
        if lb is None or lb.expired(self.now()):
            raise NotFound("Load balancer not found.")
        return lb

    def status(self, lb: LoadBalancer) -> str:
        return lb.status_at(self.now())

    def node(self, lb: LoadBalancer, node_id: Any) -> Node:
        node = lb.nodes.get(_int_id(node_id))
        if node is None:
            raise NotFound("Node not found.")
        return node

    # guards

    def mutable(self, lb: LoadBalancer) -> None:
        """Changes are accepted only while ACTIVE."""
        status = self.status(lb)
        if status != "ACTIVE":
            raise Immutable(lb.id, status)

    def nodes_mutable(self, lb: LoadBalancer) -> None:
        if self.status(lb) == "DELETED":
            raise Gone("The load balancer is deleted and considered immutable.")
        self.mutable(lb)

    def _changed(self, lb: LoadBalancer) -> None:
        """A configuration change: PENDING_UPDATE for the preset time."""
        lb.enter("PENDING_UPDATE", self.now(), lb.presets.pending_update, then="ACTIVE")

    # load balancers

    def create(self, spec: LoadBalancerSpec) -> LoadBalancer:
        """
        A new load balancer in BUILD (or ERROR), once creation behaviors and
        shared virtual IPs allow it. Nothing changes if it is refused.
        """
        shared = self._shared_vips(spec)
        chosen = self.creation_behaviors.choose({
            "loadbalancer_name": spec.name,
            "metadata": dict(spec.metadata),
        })
        if chosen.name == "fail":
            raise InjectedFailure(chosen.parameters["code"], chosen.parameters["message"])
        now = self.now()
        lb = LoadBalancer(
            id=self.ids.load_balancers.take(),
            name=spec.name, protocol=spec.protocol, port=spec.port,
            algorithm=spec.algorithm, timeout=spec.timeout,
            half_closed=spec.half_closed, https_redirect=spec.https_redirect,
            virtual_ips=[], created=now, updated=now, presets=spec.presets,
            access_list=[], health_monitor=spec.health_monitor,
            session_persistence=spec.session_persistence,
            connection_logging=spec.connection_logging,
            connection_throttle=spec.connection_throttle,
            content_caching=spec.content_caching,
        )
        for vip_spec in spec.virtual_ips:
            if vip_spec.shared_id is not None:
                lb.virtual_ips.append(shared[vip_spec.shared_id])
            else:
                lb.virtual_ips.extend(self._new_vips(vip_spec))
        for node_spec in spec.nodes:
            self._add_node(lb, node_spec)
        lb.metadata = [MetadataItem(self.ids.items.take(), k, v) for k, v in spec.metadata]
        lb.access_list = [AccessRule(self.ids.items.take(), a, t) for a, t in spec.access_list]
        building = spec.presets.building
        if chosen.name == "building":
            building = chosen.parameters["duration"]
        if spec.presets.error or chosen.name == "error":
            lb.enter("ERROR", now)
        else:
            lb.enter("BUILD", now, building, then="ACTIVE")
        self.load_balancers[lb.id] = lb
        return lb

    def _shared_vips(self, spec: LoadBalancerSpec) -> dict:
        shared = {}
        for vip_spec in spec.virtual_ips:
            if vip_spec.shared_id is None:
                continue
            owners = [
                lb for lb in self.visible()
                if self.status(lb) != "DELETED"
                and any(v.id == vip_spec.shared_id for v in lb.virtual_ips)
            ]
            if not owners:
                raise ValidationFailed(
                    f"Virtual IP {vip_spec.shared_id} was not found on any of "
                    "your load balancers."
                )
            if any(lb.port == spec.port for lb in owners):
                raise BadRequest(
                    f"Port {spec.port} is already used by a load balancer sharing "
                    f"virtual IP {vip_spec.shared_id}; shared virtual IPs need "
                    "unique ports."
                )
            shared[vip_spec.shared_id] = next(
                v for v in owners[0].virtual_ips if v.id == vip_spec.shared_id
            )
        return shared

    def _new_vips(self, spec: VipSpec) -> list[VirtualIp]:
        versions = [spec.ip_version] if spec.ip_version else (
            ["IPV4", "IPV6"] if spec.type == "PUBLIC" else ["IPV4"]
        )
        vips = []
        for version in versions:
            vip_id = self.ids.virtual_ips.take()
            if version == "IPV6":
                address = _address("2001:db8:ffff::", vip_id)
            elif spec.type == "SERVICENET":
                address = _address("10.128.0.0", vip_id)
            else:
                address = _address("198.18.0.0", vip_id)
            vips.append(VirtualIp(vip_id, address, spec.type, version))
        return vips

    def update(self, lb: LoadBalancer, changes: dict) -> None:
        self.mutable(lb)
        for field, value in changes.items():
            setattr(lb, field, value)
        self._changed(lb)

    def delete(self, lb_ids: list) -> None:
        """
        Delete one or (bulk) several load balancers: all must exist and be
        ACTIVE or ERROR, or none is deleted.
        """
        if len(lb_ids) > LIMITS["BATCH_DELETE_LIMIT"]:
            raise BadRequest(
                f"Cannot delete more than {LIMITS['BATCH_DELETE_LIMIT']} load "
                "balancers at once."
            )
        lbs = [self.get(lb_id) for lb_id in lb_ids]
        for lb in lbs:
            status = self.status(lb)
            if status not in ("ACTIVE", "ERROR"):
                raise Immutable(lb.id, status)
        plans = []
        for lb in lbs:
            chosen = self.deletion_behaviors.choose({
                "loadbalancer_name": lb.name,
                "loadbalancer_id": str(lb.id),
                "metadata": {m.key: m.value for m in lb.metadata},
            })
            if chosen.name == "fail":
                raise InjectedFailure(chosen.parameters["code"], chosen.parameters["message"])
            pending = lb.presets.pending_delete
            if chosen.name == "pending":
                pending = chosen.parameters["duration"]
            plans.append((lb, pending))
        now = self.now()
        for lb, pending in plans:
            lb.enter("PENDING_DELETE", now, pending, then="DELETED")

    # nodes

    def _add_node(self, lb: LoadBalancer, spec: NodeSpec) -> Node:
        node = Node(self.ids.nodes.take(), spec.address, spec.port, spec.condition,
                    spec.type, spec.weight)
        lb.nodes[node.id] = node
        return node

    def add_nodes(self, lb: LoadBalancer, specs: list[NodeSpec]) -> list[Node]:
        self.nodes_mutable(lb)
        if not specs:
            raise ValidationFailed("At least one node is required.")
        if any(lb.node_by_address(s.address, s.port) for s in specs):
            raise OverLimit(
                "Duplicate nodes detected. One or more nodes already configured "
                "on load balancer."
            )
        if len(lb.nodes) + len(specs) > LIMITS["NODE_LIMIT"]:
            raise OverLimit(f"Nodes must not exceed {LIMITS['NODE_LIMIT']} per load balancer.")
        added = [self._add_node(lb, spec) for spec in specs]
        self._changed(lb)
        return added

    def update_node(self, lb: LoadBalancer, node_id: Any, changes: dict) -> None:
        if self.status(lb) == "DELETED":
            raise Gone("The load balancer is deleted and considered immutable.")
        node = self.node(lb, node_id)
        self.mutable(lb)
        for field, value in changes.items():
            setattr(node, field, value)
        self._changed(lb)

    def delete_nodes(self, lb: LoadBalancer, node_ids: list) -> None:
        if self.status(lb) == "DELETED":
            raise Gone("The load balancer is deleted and considered immutable.")
        if not node_ids:
            raise BadRequest("Must supply one or more id's to process this request.")
        if len(node_ids) > LIMITS["BATCH_DELETE_LIMIT"]:
            raise BadRequest(
                f"Request to delete more than {LIMITS['BATCH_DELETE_LIMIT']} "
                "nodes is not allowed."
            )
        nodes = [lb.nodes.get(_int_id(node_id)) for node_id in node_ids]
        missing = [str(i) for i, n in zip(node_ids, nodes) if n is None]
        if missing and len(node_ids) == 1:
            raise NotFound("Node not found.")
        if missing:
            raise BadRequest(
                f"Nodes with ids {', '.join(missing)} are not a part of your "
                "load balancer."
            )
        self.mutable(lb)
        for node in nodes:
            del lb.nodes[node.id]
        self._changed(lb)

    def set_node_status(self, lb: LoadBalancer, node_id: Any, status: str) -> Node:
        """Control API: the health monitor's verdict on a node."""
        if status not in NODE_STATUSES:
            raise ValidationFailed(f"status must be one of {', '.join(NODE_STATUSES)}.")
        node = self.node(lb, node_id)
        node.status = status
        return node

    def set_status(self, lb: LoadBalancer, status: str) -> None:
        """Control API: force a status, with no pending transition."""
        if status not in LB_STATUSES:
            raise ValidationFailed(f"status must be one of {', '.join(LB_STATUSES)}.")
        lb.enter(status, self.now())

    # settings

    def configure(self, lb: LoadBalancer, **settings: Any) -> None:
        """Change settings (health monitor, throttle, ...): a config change."""
        self.mutable(lb)
        for field, value in settings.items():
            setattr(lb, field, value)
        self._changed(lb)

    def add_access_rules(self, lb: LoadBalancer, rules: list[tuple[str, str]]) -> None:
        self.mutable(lb)
        existing = {rule.address for rule in lb.access_list}
        if any(address in existing for address, _ in rules):
            raise BadRequest("Duplicate addresses in the access list are not allowed.")
        if len(lb.access_list) + len(rules) > LIMITS["ACCESS_LIST_LIMIT"]:
            raise OverLimit(
                f"Access list must not exceed {LIMITS['ACCESS_LIST_LIMIT']} items."
            )
        lb.access_list.extend(AccessRule(self.ids.items.take(), a, t) for a, t in rules)
        self._changed(lb)

    def delete_access_rules(self, lb: LoadBalancer, rule_ids: Optional[list]) -> None:
        """Delete rules by id, or the whole list when ``rule_ids`` is None."""
        if rule_ids is None:
            if not lb.access_list:
                raise NotFound("No access list found.")
            self.mutable(lb)
            lb.access_list = []
            self._changed(lb)
            return
        if len(rule_ids) > LIMITS["BATCH_DELETE_LIMIT"]:
            raise BadRequest(
                f"Cannot delete more than {LIMITS['BATCH_DELETE_LIMIT']} rules at once."
            )
        wanted = {_int_id(rule_id) for rule_id in rule_ids}
        known = {rule.id for rule in lb.access_list}
        if not wanted <= known:
            raise NotFound("Access list item not found.")
        self.mutable(lb)
        lb.access_list = [rule for rule in lb.access_list if rule.id not in wanted]
        self._changed(lb)

    # metadata (not a configuration change: allowed in any live status)

    def _metadata_of(self, lb: LoadBalancer, node_id: Any = None) -> list:
        if node_id is None:
            return lb.metadata
        return self.node(lb, node_id).metadata

    def add_metadata(self, lb: LoadBalancer, pairs: list, node_id: Any = None) -> list:
        if self.status(lb) == "DELETED":
            raise Immutable(lb.id, "DELETED")
        items = self._metadata_of(lb, node_id)
        if not pairs:
            raise ValidationFailed("At least one metadata item is required.")
        known = {item.key for item in items}
        duplicates = sorted(key for key, _ in pairs if key in known)
        if duplicates:
            raise BadRequest(f"Duplicate metadata keys: {', '.join(duplicates)}.")
        limit = LIMITS["NODE_META_LIMIT" if node_id is not None else "LOADBALANCER_META_LIMIT"]
        if len(items) + len(pairs) > limit:
            raise OverLimit(f"Metadata must not exceed {limit} items.")
        added = [MetadataItem(self.ids.items.take(), k, v) for k, v in pairs]
        items.extend(added)
        return added

    def metadata_item(self, lb: LoadBalancer, meta_id: Any, node_id: Any = None) -> MetadataItem:
        wanted = _int_id(meta_id)
        for item in self._metadata_of(lb, node_id):
            if item.id == wanted:
                return item
        raise NotFound("Metadata item not found.")

    def update_metadata(self, lb: LoadBalancer, meta_id: Any, value: str,
                        node_id: Any = None) -> None:
        if self.status(lb) == "DELETED":
            raise Immutable(lb.id, "DELETED")
        self.metadata_item(lb, meta_id, node_id).value = value

    def delete_metadata(self, lb: LoadBalancer, meta_ids: list, node_id: Any = None) -> None:
        if self.status(lb) == "DELETED":
            raise Immutable(lb.id, "DELETED")
        if not meta_ids:
            raise BadRequest("Must supply one or more id's to process this request.")
        items = self._metadata_of(lb, node_id)
        wanted = {_int_id(meta_id) for meta_id in meta_ids}
        if not wanted <= {item.id for item in items}:
            raise NotFound("Metadata item not found.")
        items[:] = [item for item in items if item.id not in wanted]


def _int_id(value: Any) -> Optional[int]:
    """Ids in URLs and queries are integers; anything else names nothing."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        return None
    return int(text)


def store_for(session_store: Any, tenant_id: str, region: str) -> LoadBalancerStore:
    """The tenant's load balancers in ``region`` (shared by API and control API)."""
    ids = session_store.data_for_api("clb-ids", ClbIds)
    return session_store.tenant(tenant_id).data_for_api(
        ("clb", region),
        lambda: LoadBalancerStore(region, session_store.clock, ids, session_store.ids),
    )
