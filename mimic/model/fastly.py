"""
Fastly's configuration API as pure state: customers (one per API key),
services, their numbered versions, and each version's configuration objects
(domains, backends, conditions, cache settings, response objects, headers)
and settings.

The rules are Fastly's: a new service starts with version 1; activating a
version locks it and deactivates the one active before; a locked version is
immutable, so changes go into a clone; a service with an active version
cannot be deleted; a domain belongs to one service at a time. Each kind of
configuration object is described by a :class:`ConfigKind` (its fields,
their types and defaults), so that parsing, defaults and rendering of all
six kinds follow one table. Nothing here knows about HTTP: refusals are the
exceptions below, which the REST layer turns into Fastly's error bodies.
"""

from __future__ import annotations

import string
from typing import Any, Callable, Mapping, Optional

import attrs

from mimic.util import IdSource, iso_time

#: Characters of Fastly's 22-character alphanumeric identifiers.
_ID_ALPHABET = string.ascii_letters + string.digits

#: Marks a field with no default: it appears only once it is set.
UNSET = object()


class FastlyError(Exception):
    """A request Fastly refuses; ``detail`` says why, for the error body."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(FastlyError):
    """An unknown service, version or configuration object (404)."""


class Invalid(FastlyError):
    """A request the rules forbid or a malformed value (400)."""


class Duplicate(FastlyError):
    """A second object of a kind with a name already used in a version (409)."""


def fastly_id(ids: IdSource) -> str:
    """An identifier in Fastly's format, drawn from Mimic's seeded source."""
    return "".join(ids.choice(_ID_ALPHABET) for _ in range(22))


def timestamp(seconds: float) -> str:
    """Fastly's timestamps: ISO 8601 in UTC, whole seconds."""
    return iso_time(seconds, microseconds=False)


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
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise Invalid(f"Invalid value for '{name}': expected a string, got {value!r}.")


_COERCE: dict[type, Callable[[str, Any], Any]] = {
    bool: _as_bool, int: _as_int, str: _as_str,
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
    A kind of per-version configuration object (``backend``, ``header``...):
    its URL segment, its fields, the ones a create must name, and whether
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
    Field("priority", default="100"),
    Field("statement"),
    Field("type", choices=("REQUEST", "CACHE", "RESPONSE", "PREFETCH")),
), required=("name", "statement", "type"), version_as_string=True)

CACHE_SETTINGS = ConfigKind("cache_settings", "Cache settings", _fields(
    Field("name"),
    Field("action", nullable=True, default=None, choices=(None, "pass", "cache", "restart")),
    Field("cache_condition", nullable=True, default=""),
    Field("stale_ttl", default="0"),
    Field("ttl", default="0"),
), version_as_string=True)

RESPONSE_OBJECT = ConfigKind("response_object", "Response object", _fields(
    Field("name"),
    Field("cache_condition", nullable=True, default=""),
    Field("content", default=""),
    Field("content_type", nullable=True, default=""),
    Field("status", default="200"),
    Field("response", default="Ok"),
    Field("request_condition", nullable=True, default=""),
), version_as_string=True)

HEADER = ConfigKind("header", "Header", _fields(
    Field("name"),
    Field("action", default="set", choices=("set", "append", "delete", "regex", "regex_repeat")),
    Field("cache_condition", nullable=True, default=None),
    Field("dst"),
    Field("ignore_if_set", default="0"),
    Field("priority", default="100"),
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

#: A version's general settings (``PUT .../settings``) and their defaults.
SETTINGS = ConfigKind("settings", "Settings", _fields(
    Field("general.default_host", default=""),
    Field("general.default_ttl", int, default=3600),
    Field("general.stale_if_error", bool, default=False),
    Field("general.stale_if_error_ttl", int, default=43200),
), required=())


# The state


@attrs.define(eq=False)
class ConfigObject:
    """One domain, backend, condition... of one version, with its timestamps."""

    kind: ConfigKind
    attributes: dict
    created_at: float
    updated_at: float

    @property
    def name(self) -> str:
        return self.attributes["name"]

    def copy(self) -> "ConfigObject":
        return attrs.evolve(self, attributes=dict(self.attributes))


@attrs.define(eq=False)
class Version:
    """
    One numbered version of a service: its flags and its configuration,
    ``objects[kind path][name]``, plus general ``settings``.
    """

    number: int
    service_id: str
    created_at: float
    updated_at: float
    comment: str = ""
    active: bool = False
    locked: bool = False
    deployed: bool = False
    staging: bool = False
    testing: bool = False
    objects: dict = attrs.field(factory=lambda: {path: {} for path in CONFIG_KINDS})
    settings: dict = attrs.field(factory=lambda: SETTINGS.build({}))

    def ensure_editable(self) -> None:
        if self.locked:
            raise Invalid(f"Version {self.number} is locked and cannot be changed; "
                          "clone it to make changes.")

    def objects_of(self, kind: ConfigKind) -> dict:
        return self.objects[kind.path]

    def problems(self) -> list[str]:
        """What keeps this version from being valid to serve traffic."""
        found = []
        if not self.objects_of(DOMAIN):
            found.append("Version has no domains.")
        if not self.objects_of(BACKEND):
            found.append("Version has no backends.")
        conditions = set(self.objects_of(CONDITION))
        for kind in CONFIG_KINDS.values():
            for thing in self.objects_of(kind).values():
                for field in ("request_condition", "cache_condition", "response_condition"):
                    wanted = thing.attributes.get(field)
                    if wanted and wanted not in conditions:
                        found.append(f"{kind.label} '{thing.name}' refers to "
                                     f"condition '{wanted}', which does not exist.")
        return found


@attrs.define(eq=False)
class Service:
    """A Fastly service of one customer and its versions, numbered from 1."""

    id: str
    customer_id: str
    name: str
    created_at: float
    updated_at: float
    comment: str = ""
    type: str = "vcl"
    publish_key: str = ""
    paused: bool = False
    versions: list[Version] = attrs.field(factory=list)

    def version(self, number: int) -> Version:
        if 1 <= number <= len(self.versions):
            return self.versions[number - 1]
        raise NotFound(f"Cannot find version {number} of service '{self.id}'.")

    @property
    def active_version(self) -> Optional[Version]:
        for version in self.versions:
            if version.active:
                return version
        return None

    @property
    def current_number(self) -> int:
        """The active version's number, else the latest one's."""
        active = self.active_version
        return active.number if active else self.versions[-1].number

    def holds_domain(self, name: str) -> bool:
        return any(name in version.objects_of(DOMAIN) for version in self.versions)


@attrs.define(eq=False)
class Customer:
    """The account an API key stands for, and its services by id."""

    id: str
    api_key: str
    name: str
    owner_id: str
    created_at: float
    services: dict[str, Service] = attrs.field(factory=dict)


SERVICE_TYPES = ("vcl", "wasm")


@attrs.define(eq=False)
class FastlyStore:
    """
    Every Fastly customer Mimic has seen, keyed by API key. Lives in the
    session store (so reset forgets it) and takes the clock and id source
    from it.
    """

    clock: Any
    ids: IdSource
    _customers: dict[str, Customer] = attrs.field(factory=dict)
    #: Which service holds each domain, so that claiming one is a lookup,
    #: not a scan of every customer's services.
    _domain_owners: dict[str, Service] = attrs.field(factory=dict)

    def _now(self) -> float:
        return self.clock.seconds()

    # customers

    def customer(self, api_key: str) -> Customer:
        """The customer owning ``api_key``, made on first use: any key works."""
        customer = self._customers.get(api_key)
        if customer is None:
            customer = Customer(
                id=fastly_id(self.ids), api_key=api_key,
                name=f"Mimic customer {len(self._customers) + 1}",
                owner_id=fastly_id(self.ids), created_at=self._now(),
            )
            self._customers[api_key] = customer
        return customer

    def customers(self) -> list[Customer]:
        """Every customer seen so far, in the order they were first seen."""
        return list(self._customers.values())

    # services

    def create_service(self, customer: Customer, values: Mapping[str, Any]) -> Service:
        """A new service, with an empty, unlocked version 1 as Fastly makes."""
        name = _text(values, "name", required=True)
        comment = _text(values, "comment") or ""
        service_type = _text(values, "type") or "vcl"
        if service_type not in SERVICE_TYPES:
            raise Invalid(f"Invalid value for 'type': {service_type!r} is not 'vcl' or 'wasm'.")
        now = self._now()
        service = Service(
            id=fastly_id(self.ids), customer_id=customer.id, name=name,
            comment=comment, type=service_type, created_at=now, updated_at=now,
            publish_key=self.ids.hex(40),
        )
        service.versions.append(Version(1, service.id, now, now))
        customer.services[service.id] = service
        return service

    def service(self, customer: Customer, service_id: str) -> Service:
        service = customer.services.get(service_id)
        if service is None:
            raise NotFound(f"Cannot find service '{service_id}'.")
        return service

    def services(self, customer: Customer) -> list[Service]:
        return list(customer.services.values())

    def search_service(self, customer: Customer, name: str) -> Service:
        for service in customer.services.values():
            if service.name == name:
                return service
        raise NotFound(f"Cannot find service named '{name}'.")

    def update_service(self, customer: Customer, service_id: str,
                       values: Mapping[str, Any]) -> Service:
        service = self.service(customer, service_id)
        name = _text(values, "name")
        comment = _text(values, "comment")
        if name == "":
            raise Invalid("'name' cannot be empty.")
        if name is not None:
            service.name = name
        if comment is not None:
            service.comment = comment
        service.updated_at = self._now()
        return service

    def delete_service(self, customer: Customer, service_id: str) -> None:
        service = self.service(customer, service_id)
        if service.active_version is not None:
            raise Invalid(f"Service '{service_id}' has an active version "
                          f"({service.active_version.number}); deactivate it first.")
        del customer.services[service_id]
        for version in service.versions:
            for name in version.objects_of(DOMAIN):
                self._domain_owners.pop(name, None)

    # versions

    def create_version(self, customer: Customer, service_id: str) -> Version:
        service = self.service(customer, service_id)
        now = self._now()
        version = Version(len(service.versions) + 1, service.id, now, now)
        service.versions.append(version)
        return version

    def version(self, customer: Customer, service_id: str, number: int) -> Version:
        return self.service(customer, service_id).version(number)

    def update_version(self, customer: Customer, service_id: str, number: int,
                       values: Mapping[str, Any]) -> Version:
        """Only the comment of a version is the caller's to change."""
        version = self.version(customer, service_id, number)
        comment = _text(values, "comment")
        if comment is not None:
            version.comment = comment
            version.updated_at = self._now()
        return version

    def clone_version(self, customer: Customer, service_id: str, number: int) -> Version:
        """A new, unlocked, inactive version with a copy of ``number``'s configuration."""
        service = self.service(customer, service_id)
        source = service.version(number)
        now = self._now()
        clone = Version(
            len(service.versions) + 1, service.id, now, now, comment=source.comment,
            objects={
                path: {name: thing.copy() for name, thing in things.items()}
                for path, things in source.objects.items()
            },
            settings=dict(source.settings),
        )
        service.versions.append(clone)
        return clone

    def activate_version(self, customer: Customer, service_id: str, number: int) -> Version:
        """Make ``number`` the one active version; activation locks it."""
        service = self.service(customer, service_id)
        version = service.version(number)
        now = self._now()
        previous = service.active_version
        if previous is not None and previous is not version:
            previous.active = False
            previous.deployed = False
            previous.updated_at = now
        version.active = version.locked = version.deployed = True
        version.updated_at = service.updated_at = now
        return version

    def deactivate_version(self, customer: Customer, service_id: str, number: int) -> Version:
        version = self.version(customer, service_id, number)
        if not version.active:
            raise Invalid(f"Version {number} is not active.")
        version.active = version.deployed = False
        version.updated_at = self._now()
        return version

    def lock_version(self, customer: Customer, service_id: str, number: int) -> Version:
        version = self.version(customer, service_id, number)
        if not version.locked:
            version.locked = True
            version.updated_at = self._now()
        return version

    # configuration objects

    def create_object(self, customer: Customer, service_id: str, number: int,
                      kind: ConfigKind, values: Mapping[str, Any]) -> ConfigObject:
        service = self.service(customer, service_id)
        version = service.version(number)
        version.ensure_editable()
        attributes = kind.build(values)
        if kind is BACKEND and not attributes.get("hostname"):
            attributes["hostname"] = attributes["address"]
        things = version.objects_of(kind)
        if attributes["name"] in things:
            raise Duplicate(f"{kind.label} '{attributes['name']}' already exists "
                            f"in version {number}.")
        if kind is DOMAIN:
            self._ensure_domain_free(service, attributes["name"])
        now = self._now()
        thing = ConfigObject(kind, attributes, now, now)
        things[thing.name] = thing
        version.updated_at = now
        if kind is DOMAIN:
            self._domain_owners[thing.name] = service
        return thing

    def objects(self, customer: Customer, service_id: str, number: int,
                kind: ConfigKind) -> list[ConfigObject]:
        return list(self.version(customer, service_id, number).objects_of(kind).values())

    def object(self, customer: Customer, service_id: str, number: int,
               kind: ConfigKind, name: str) -> ConfigObject:
        thing = self.version(customer, service_id, number).objects_of(kind).get(name)
        if thing is None:
            raise NotFound(f"Cannot find {kind.label.lower()} '{name}' in version {number}.")
        return thing

    def update_object(self, customer: Customer, service_id: str, number: int,
                      kind: ConfigKind, name: str,
                      values: Mapping[str, Any]) -> ConfigObject:
        service = self.service(customer, service_id)
        version = service.version(number)
        thing = self.object(customer, service_id, number, kind, name)
        version.ensure_editable()
        changes = kind.parse(values)
        new_name = changes.get("name", name)
        things = version.objects_of(kind)
        if new_name != name:
            if new_name in things:
                raise Duplicate(f"{kind.label} '{new_name}' already exists "
                                f"in version {number}.")
            if kind is DOMAIN:
                self._ensure_domain_free(service, new_name)
        thing.attributes.update(changes)
        thing.updated_at = version.updated_at = self._now()
        if new_name != name:
            del things[name]
            things[new_name] = thing
            if kind is DOMAIN:
                self._domain_owners[new_name] = service
                self._release_domain(service, name)
        return thing

    def delete_object(self, customer: Customer, service_id: str, number: int,
                      kind: ConfigKind, name: str) -> None:
        service = self.service(customer, service_id)
        version = service.version(number)
        self.object(customer, service_id, number, kind, name)
        version.ensure_editable()
        del version.objects_of(kind)[name]
        version.updated_at = self._now()
        if kind is DOMAIN:
            self._release_domain(service, name)

    def update_settings(self, customer: Customer, service_id: str, number: int,
                        values: Mapping[str, Any]) -> Version:
        version = self.version(customer, service_id, number)
        version.ensure_editable()
        version.settings.update(SETTINGS.parse(values))
        version.updated_at = self._now()
        return version

    def _ensure_domain_free(self, service: Service, name: str) -> None:
        """A domain serves one service: no other service, of anyone, may hold it."""
        owner = self._domain_owners.get(name)
        if owner is not None and owner is not service:
            whose = ("another service" if owner.customer_id == service.customer_id
                     else "another customer")
            raise Invalid(f"Domain '{name}' is already taken by {whose}.")

    def _release_domain(self, service: Service, name: str) -> None:
        """Free ``name`` once no version of ``service`` holds it any more."""
        if self._domain_owners.get(name) is service and not service.holds_domain(name):
            del self._domain_owners[name]


def _text(values: Mapping[str, Any], name: str, required: bool = False) -> Optional[str]:
    """A string field of a service or version request."""
    value = values.get(name)
    if value is None:
        if required:
            raise Invalid(f"Required field missing: {name}.")
        return None
    value = _as_str(name, value)
    if required and not value:
        raise Invalid(f"'{name}' cannot be empty.")
    return value
