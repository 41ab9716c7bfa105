"""
The settings of a load balancer that are one object each below its URL:
the access list (``accesslist``), the health monitor (``healthmonitor``),
the connection throttle (``connectionthrottle``), session persistence
(``sessionpersistence``), connection logging and content caching (``{"enabled":
...}``) and the error page (``errorpage``). Each has its class, where it
has more than one field, and its parser; changing any of them is a
configuration change, which the store makes.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Callable, Optional

import attrs

from mimic.model.clb.errors import ValidationFailed
from mimic.model.clb.validation import (
    boolean,
    choice,
    each_object,
    integer,
    refuse_any,
)

ACCESS_TYPES = ("ALLOW", "DENY")
MONITOR_TYPES = ("CONNECT", "HTTP", "HTTPS")
PERSISTENCE_TYPES = ("HTTP_COOKIE", "SOURCE_IP")
ERROR_PAGE_MAX = 65536

#: Refused in a request, and when a request repeats an address the list has.
DUPLICATE_ADDRESSES = "Duplicate addresses in the access list are not allowed."


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


def _access_rule(item: dict, what: str, errors: list) -> Optional[tuple[str, str]]:
    address = item.get("address")
    try:
        network = str(ipaddress.ip_network(address, strict=False))
    except (ValueError, TypeError):
        errors.append(f"{what}address must be an IP address or CIDR network.")
        network = None
    rule_type = choice(item, "type", ACCESS_TYPES, errors, what)
    if network is None or rule_type is None:
        return None
    return str(address), rule_type


def parse_access_list(raw: Any) -> list[tuple[str, str]]:
    """``[{address, type}]`` access rules."""
    rules, errors = each_object(raw, "accessList", _access_rule, non_empty=True,
                                refusal="accessList must be a non-empty list of rules.")
    addresses = [address for address, _ in rules]
    if len(set(addresses)) != len(addresses):
        errors.append(DUPLICATE_ADDRESSES)
    refuse_any(errors)
    return rules


def parse_health_monitor(raw: Any) -> HealthMonitor:
    """A health monitor: CONNECT, or HTTP/HTTPS with path and regexes."""
    if not isinstance(raw, dict):
        raise ValidationFailed("healthMonitor must be an object.")
    errors: list = []
    monitor_type = choice(raw, "type", MONITOR_TYPES, errors)
    delay = integer(raw, "delay", 1, 3600, errors)
    timeout = integer(raw, "timeout", 1, 300, errors)
    attempts = integer(raw, "attemptsBeforeDeactivation", 1, 10, errors)
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
    refuse_any(errors)
    return HealthMonitor(monitor_type, delay, timeout, attempts, **extra)


def parse_connection_throttle(raw: Any) -> ConnectionThrottle:
    """Connection throttle limits, each within the documented range."""
    if not isinstance(raw, dict):
        raise ValidationFailed("connectionThrottle must be an object.")
    errors: list = []
    values = {}
    for key, low, high in (("minConnections", 0, 1000), ("maxConnections", 0, 100000),
                           ("maxConnectionRate", 0, 100000), ("rateInterval", 1, 3600)):
        values[key] = integer(raw, key, low, high, errors)
    refuse_any(errors)
    return ConnectionThrottle(values["minConnections"], values["maxConnections"],
                              values["maxConnectionRate"], values["rateInterval"])


def _one_field(raw: Any, refusal: str, read: Callable[[dict, list], Any]) -> Any:
    """A setting that is an object of one field: ``read`` checks the field."""
    if not isinstance(raw, dict):
        raise ValidationFailed(refusal)
    errors: list = []
    value = read(raw, errors)
    refuse_any(errors)
    return value


def parse_session_persistence(raw: Any) -> str:
    return _one_field(raw, "sessionPersistence must be an object.",
                      lambda body, errors: choice(body, "persistenceType",
                                                  PERSISTENCE_TYPES, errors))


def parse_enabled(raw: Any, what: str) -> bool:
    """``{"enabled": true|false}``: connection logging, content caching."""
    return _one_field(raw, f"{what} must be an object with 'enabled'.",
                      lambda body, errors: boolean(body, "enabled", errors))


def parse_error_page(raw: Any) -> str:
    if not isinstance(raw, dict) or not isinstance(raw.get("content"), str) \
            or not raw["content"].strip():
        raise ValidationFailed("errorpage must be an object with non-empty 'content'.")
    if len(raw["content"]) > ERROR_PAGE_MAX:
        raise ValidationFailed(
            f"errorpage content must be at most {ERROR_PAGE_MAX} characters.")
    return raw["content"]
