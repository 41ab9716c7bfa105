"""
The load balancer itself: what it is (:class:`LoadBalancer`, with its
status on Mimic's clock), the protocols and algorithms it may use, and the
two requests that say what one should be, a create (:func:`parse_create`,
which gathers every part's parser into one answer) and an update
(:func:`parse_update`).

A status is computed lazily from timestamps: a change puts the load
balancer in a pending status "until" a moment on the clock, and any read
at or after that moment sees the status that follows (BUILD -> ACTIVE,
PENDING_UPDATE -> ACTIVE, PENDING_DELETE -> DELETED). Nothing is
scheduled, so ticking the clock by any amount gives exactly the answer
the real service would after that long.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

import attrs

from mimic.model.clb.errors import ValidationFailed
from mimic.model.clb.limits import LIMITS
from mimic.model.clb.metadata import parse_metadata
from mimic.model.clb.nodes import Node, parse_nodes
from mimic.model.clb.presets import Presets, parse_presets
from mimic.model.clb.settings import (
    ConnectionThrottle,
    HealthMonitor,
    parse_access_list,
    parse_connection_throttle,
    parse_enabled,
    parse_health_monitor,
    parse_session_persistence,
)
from mimic.model.clb.validation import (
    boolean,
    changes_in,
    choice,
    gather,
    integer,
    is_integer,
    one_of,
    refuse_any,
    within,
)
from mimic.model.clb.virtual_ips import parse_virtual_ips

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
LB_STATUSES = (
    "ACTIVE", "BUILD", "ERROR", "PENDING_UPDATE", "PENDING_DELETE",
    "SUSPENDED", "DELETED",
)
NAME_MAX = 128
#: Deleted load balancers stay visible (status DELETED) this long.
DELETED_VISIBLE_SECONDS = 90 * 60


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


def _name(body: Mapping, key: str, errors: list) -> Optional[str]:
    name = body.get(key)
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX:
        errors.append(f"name must be a string of 1 to {NAME_MAX} characters.")
        return None
    return name


def _protocol_and_port(body: Mapping, errors: list,
                       protocol: Optional[str] = None) -> tuple:
    if "protocol" in body or protocol is None:
        protocol = choice(body, "protocol", PROTOCOLS, errors)
    port = None
    if "port" in body:
        port = integer(body, "port", 1, 65535, errors)
    elif protocol is not None:
        port = PROTOCOLS[protocol] or None
        if port is None:
            errors.append(f"port is required for protocol {protocol}.")
    return protocol, port


#: The parts of a create request that have a parser of their own, by key;
#: all but ``virtualIps`` may be left out.
_PARTS = (
    ("virtualIps", parse_virtual_ips),
    ("nodes", parse_nodes),
    ("metadata", parse_metadata),
    ("accessList", parse_access_list),
    ("healthMonitor", parse_health_monitor),
    ("sessionPersistence", parse_session_persistence),
    ("connectionThrottle", parse_connection_throttle),
)


def parse_create(body: Any) -> LoadBalancerSpec:
    """The ``loadBalancer`` object of a create request, fully validated."""
    if not isinstance(body, dict):
        raise ValidationFailed("loadBalancer must be an object.")
    errors: list = []
    name = _name(body, "name", errors)
    protocol, port = _protocol_and_port(body, errors)
    algorithm = body.get("algorithm", DEFAULT_ALGORITHM)
    if algorithm not in ALGORITHMS:
        errors.append(f"algorithm must be one of {', '.join(ALGORITHMS)}.")
    timeout = body.get("timeout", 30)
    if not is_integer(timeout) or not 1 <= timeout <= 120:
        errors.append("timeout must be an integer from 1 to 120.")
    flags = {}
    for key in ("halfClosed", "httpsRedirect"):
        flags[key] = boolean(body, key, errors) if key in body else False
    parts: dict = {}
    for key, parse in _PARTS:
        if key in body or key == "virtualIps":
            parsed = gather(errors, parse, body.get(key))
            if parsed is not None:
                parts[key] = parsed
    for key in ("connectionLogging", "contentCaching"):
        if key in body:
            enabled = gather(errors, parse_enabled, body[key], key)
            if enabled is not None:
                parts[key] = enabled
    presets = Presets()
    if "metadata" in parts:
        presets = gather(errors, parse_presets, parts["metadata"],
                         body.get("metadata")) or presets
    if len(parts.get("nodes", [])) > LIMITS["NODE_LIMIT"]:
        errors.append(f"Nodes must not exceed {LIMITS['NODE_LIMIT']} per load balancer.")
    if len(parts.get("metadata", [])) > LIMITS["LOADBALANCER_META_LIMIT"]:
        errors.append("Metadata must not exceed "
                      f"{LIMITS['LOADBALANCER_META_LIMIT']} items per load balancer.")
    refuse_any(errors)
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


#: What an update (PUT) may change, by key and field, and how each is checked.
_UPDATES = (
    ("name", "name", _name),
    ("algorithm", "algorithm", one_of(ALGORITHMS)),
    ("protocol", "protocol", one_of(PROTOCOLS)),
    ("port", "port", within(1, 65535)),
    ("timeout", "timeout", within(1, 120)),
    ("halfClosed", "half_closed", boolean),
    ("httpsRedirect", "https_redirect", boolean),
)
UPDATABLE = tuple(key for key, _, _ in _UPDATES)


def parse_update(body: Any) -> dict:
    """The attributes of a load balancer update (PUT), validated."""
    if not isinstance(body, dict) or not body:
        raise ValidationFailed("At least one attribute to update is required.")
    errors: list = []
    unknown = sorted(set(body) - set(UPDATABLE))
    if unknown:
        errors.append(f"Attributes cannot be updated here: {', '.join(unknown)}.")
    changes = changes_in(body, _UPDATES, errors)
    refuse_any(errors)
    return changes
