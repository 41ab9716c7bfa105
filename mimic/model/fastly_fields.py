"""
Fastly's typed fields: one table per route that takes a body (a service,
a version, its settings, and each kind of configuration object), saying
each field's type, whether it may be null, its default and allowed values,
and which a create must give. Form-encoded and JSON bodies are read
through them, so a wrongly typed field is refused the same way everywhere.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional

import attrs

from mimic.model.fastly_errors import Invalid

#: Marks a field with no default: it appears only once it is set.
UNSET = object()


# Field types and value coercion


#: How form bodies spell null for a nullable number or boolean (the official
#: Python client sends ``None`` as the text "None").
_NULLS = ("", "None", "null")

_TRUE = {"1", "true", "True", "TRUE", "t", "yes"}
_FALSE = {"0", "false", "False", "FALSE", "f", "no", ""}


def _as_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value in _TRUE | _FALSE:
        return value in _TRUE
    raise Invalid(f"Invalid value for '{name}': expected a boolean, got {value!r}.")


def _as_int(name: str, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise Invalid(f"Invalid value for '{name}': expected an integer, got {value!r}.")


def _as_str(name: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    raise Invalid(f"Invalid value for '{name}': expected a string, got {value!r}.")


class NumericText:
    """
    The type of the fields Fastly keeps as text of digits (a condition's
    ``priority``, a cache setting's ``ttl``, a response object's
    ``status``): given as a number or as its digits, rendered as a string.
    """


def _as_numeric_text(name: str, value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip().isdigit():
        return value.strip()
    raise Invalid(f"Invalid value for '{name}': expected a number, got {value!r}.")


_COERCE: dict[type, Callable[[str, Any], Any]] = {
    bool: _as_bool, int: _as_int, str: _as_str, NumericText: _as_numeric_text,
}


@attrs.frozen
class Field:
    """
    One field of a configuration object as Fastly types it: ``type`` (str,
    int or bool), whether it may be null, its ``default`` (``UNSET`` for
    none), and the values it may take when it is an enumeration.
    """

    name: str
    type: type = str
    nullable: bool = False
    default: Any = UNSET
    choices: Optional[tuple] = None

    def coerce(self, value: Any) -> Any:
        """The value as Fastly stores it, or :class:`Invalid`."""
        if value is None or (self.nullable and self.type is not str and value in _NULLS):
            if self.nullable:
                return None
            raise Invalid(f"'{self.name}' cannot be null.")
        value = _COERCE[self.type](self.name, value)
        if self.choices is not None and value not in self.choices:
            options = ", ".join(repr(c) for c in self.choices if c is not None)
            raise Invalid(f"Invalid value for '{self.name}': {value!r} is not one of {options}.")
        return value


def _fields(*fields: Field) -> Mapping[str, Field]:
    return {field.name: field for field in fields}


@attrs.frozen
class ConfigKind:
    """
    The field table of one kind of thing a route creates or changes: a
    per-version configuration object (``backend``, ``header``...), and
    likewise a service, a version and a version's settings. It names its
    URL segment, its fields, the ones a create must name, and whether
    Fastly renders the owning version as a string (it does for conditions,
    cache settings, headers and response objects, an old quirk the
    official clients' types keep).
    """

    path: str
    label: str
    fields: Mapping[str, Field]
    required: tuple[str, ...] = ("name",)
    version_as_string: bool = False
    shows_locked: bool = False

    def build(self, values: Mapping[str, Any]) -> dict:
        """The attributes of a new object from request ``values``."""
        missing = [name for name in self.required if values.get(name) in (None, "")]
        if missing:
            raise Invalid(f"Required field{'s' if len(missing) > 1 else ''} "
                          f"missing: {', '.join(missing)}.")
        attributes = {
            name: field.default for name, field in self.fields.items()
            if field.default is not UNSET
        }
        attributes.update(self.parse(values))
        return attributes

    def parse(self, values: Mapping[str, Any]) -> dict:
        """The known fields among ``values``, coerced; unknown keys are ignored."""
        parsed = {}
        for name, value in values.items():
            field = self.fields.get(name)
            if field is not None:
                parsed[name] = field.coerce(value)
        if "name" in parsed and not parsed["name"]:
            raise Invalid("'name' cannot be empty.")
        return parsed


DOMAIN = ConfigKind("domain", "Domain", _fields(
    Field("name"),
    Field("comment", nullable=True, default=""),
))

BACKEND = ConfigKind("backend", "Backend", _fields(
    Field("name"),
    Field("address"),
    Field("auto_loadbalance", bool, default=False),
    Field("between_bytes_timeout", int, default=10000),
    Field("client_cert", nullable=True, default=None),
    Field("comment", nullable=True, default=""),
    Field("connect_timeout", int, default=1000),
    Field("first_byte_timeout", int, default=15000),
    Field("fetch_timeout", int),
    Field("healthcheck", nullable=True, default=None),
    Field("hostname", nullable=True, default=None),
    Field("ipv4", nullable=True, default=None),
    Field("ipv6", nullable=True, default=None),
    Field("keepalive_time", int, nullable=True, default=None),
    Field("max_conn", int, default=200),
    Field("max_lifetime", int, nullable=True, default=None),
    Field("max_tls_version", nullable=True, default=None),
    Field("min_tls_version", nullable=True, default=None),
    Field("max_use", int, nullable=True, default=None),
    Field("override_host", nullable=True, default=None),
    Field("port", int, default=80),
    Field("prefer_ipv6", bool, default=False),
    Field("request_condition", default=""),
    Field("share_key", nullable=True, default=None),
    Field("shield", nullable=True, default=None),
    Field("ssl_ca_cert", nullable=True, default=None),
    Field("ssl_cert_hostname", nullable=True, default=None),
    Field("ssl_check_cert", bool, nullable=True, default=True),
    Field("ssl_ciphers", nullable=True, default=None),
    Field("ssl_client_cert", nullable=True, default=None),
    Field("ssl_client_key", nullable=True, default=None),
    Field("ssl_hostname", nullable=True, default=None),
    Field("ssl_sni_hostname", nullable=True, default=None),
    Field("tcp_keepalive_enable", bool, nullable=True, default=None),
    Field("tcp_keepalive_interval", int, nullable=True, default=None),
    Field("tcp_keepalive_probes", int, nullable=True, default=None),
    Field("tcp_keepalive_time", int, nullable=True, default=None),
    Field("use_ssl", bool, default=False),
    Field("weight", int, default=100),
), required=("name", "address"), shows_locked=True)

CONDITION = ConfigKind("condition", "Condition", _fields(
    Field("name"),
    Field("comment", nullable=True, default=""),
    Field("priority", NumericText, default="100"),
    Field("statement"),
    Field("type", choices=("REQUEST", "CACHE", "RESPONSE", "PREFETCH")),
), required=("name", "statement", "type"), version_as_string=True)

CACHE_SETTINGS = ConfigKind("cache_settings", "Cache settings", _fields(
    Field("name"),
    Field("action", nullable=True, default=None, choices=(None, "pass", "cache", "restart")),
    Field("cache_condition", nullable=True, default=""),
    Field("stale_ttl", NumericText, default="0"),
    Field("ttl", NumericText, default="0"),
), version_as_string=True)

RESPONSE_OBJECT = ConfigKind("response_object", "Response object", _fields(
    Field("name"),
    Field("cache_condition", nullable=True, default=""),
    Field("content", default=""),
    Field("content_type", nullable=True, default=""),
    Field("status", NumericText, default="200"),
    Field("response", default="Ok"),
    Field("request_condition", nullable=True, default=""),
), version_as_string=True)

HEADER = ConfigKind("header", "Header", _fields(
    Field("name"),
    Field("action", default="set", choices=("set", "append", "delete", "regex", "regex_repeat")),
    Field("cache_condition", nullable=True, default=None),
    Field("dst"),
    Field("ignore_if_set", NumericText, default="0"),
    Field("priority", NumericText, default="100"),
    Field("regex", nullable=True, default=""),
    Field("request_condition", nullable=True, default=None),
    Field("response_condition", nullable=True, default=None),
    Field("src", nullable=True, default=""),
    Field("substitution", nullable=True, default=""),
    Field("type", choices=("request", "cache", "response")),
), required=("name", "dst", "type"), version_as_string=True)

#: Every kind, by the URL segment that names it.
CONFIG_KINDS: Mapping[str, ConfigKind] = {
    kind.path: kind
    for kind in (DOMAIN, BACKEND, CONDITION, CACHE_SETTINGS, RESPONSE_OBJECT, HEADER)
}

SERVICE_TYPES = ("vcl", "wasm")

#: A service's fields as ``POST /service`` takes them, and as ``PUT
#: /service/<id>`` changes them (``type`` is fixed at creation).
SERVICE = ConfigKind("service", "Service", _fields(
    Field("name"),
    Field("comment", nullable=True, default=""),
    Field("type", default="vcl", choices=SERVICE_TYPES),
))
SERVICE_CHANGE = ConfigKind("service", "Service", _fields(
    Field("name"),
    Field("comment", nullable=True),
), required=())

#: What ``PUT /service/<id>/version/<n>`` may change.
VERSION = ConfigKind("version", "Version", _fields(
    Field("comment", nullable=True),
), required=())

#: A version's general settings (``PUT .../settings``) and their defaults.
SETTINGS = ConfigKind("settings", "Settings", _fields(
    Field("general.default_host", default=""),
    Field("general.default_ttl", int, default=3600),
    Field("general.stale_if_error", bool, default=False),
    Field("general.stale_if_error_ttl", int, default=43200),
), required=())
