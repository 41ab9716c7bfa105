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
six kinds follow one table (:mod:`mimic.model.fastly_fields`). Nothing here
knows about HTTP: refusals are the exceptions of
:mod:`mimic.model.fastly_errors`, which the REST layer turns into Fastly's
error bodies. This module re-exports both, so ``mimic.model.fastly`` is the
one place to import from.
"""

from __future__ import annotations

import string
from collections import deque
from typing import Any, Mapping, Optional

import attrs

from mimic.model.fastly_errors import Duplicate, FastlyError, Invalid, NotFound
from mimic.model.fastly_fields import (
    BACKEND,
    CACHE_SETTINGS,
    CONDITION,
    CONFIG_KINDS,
    DOMAIN,
    HEADER,
    RESPONSE_OBJECT,
    SERVICE,
    SERVICE_CHANGE,
    SERVICE_TYPES,
    SETTINGS,
    UNSET,
    VERSION,
    ConfigKind,
    Field,
    NumericText,
)
from mimic.util import IdSource, iso_time

__all__ = [
    "BACKEND", "CACHE_SETTINGS", "CONDITION", "CONFIG_KINDS", "DOMAIN", "HEADER",
    "RESPONSE_OBJECT", "SERVICE", "SERVICE_CHANGE", "SERVICE_TYPES", "SETTINGS", "UNSET",
    "VERSION", "ConfigKind", "ConfigObject", "Customer", "Duplicate", "FastlyError",
    "FastlyStore", "Field", "Invalid", "NotFound", "NumericText", "Purge", "Service",
    "Version", "fastly_id", "timestamp",
]

#: Characters of Fastly's 22-character alphanumeric identifiers.
_ID_ALPHABET = string.ascii_letters + string.digits


def fastly_id(ids: IdSource) -> str:
    """An identifier in Fastly's format, drawn from Mimic's seeded source."""
    return "".join(ids.choice(_ID_ALPHABET) for _ in range(22))


def timestamp(seconds: float) -> str:
    """Fastly's timestamps: ISO 8601 in UTC, whole seconds."""
    return iso_time(seconds, microseconds=False)


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
    purges: deque = attrs.field(factory=lambda: deque(maxlen=PURGE_LOG_LIMIT))


#: The fields by which objects name a condition of their version.
CONDITION_REFERENCES = ("request_condition", "cache_condition", "response_condition")

#: How many purges Mimic remembers per customer (the oldest are forgotten),
#: and how many surrogate keys one bulk purge may name (Fastly's limit).
PURGE_LOG_LIMIT = 1000
SURROGATE_KEYS_LIMIT = 256


@attrs.frozen
class Purge:
    """One purge Fastly accepted: what it purged, for which service, when."""

    id: str
    at: float
    kind: str
    target: str
    service_id: Optional[str] = None


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
        fields = SERVICE.build(values)
        now = self._now()
        service = Service(
            id=fastly_id(self.ids), customer_id=customer.id, name=fields["name"],
            comment=fields["comment"] or "", type=fields["type"], created_at=now,
            updated_at=now, publish_key=self.ids.hex(40),
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
        changes = SERVICE_CHANGE.parse(values)
        if "name" in changes:
            service.name = changes["name"]
        if changes.get("comment") is not None:
            service.comment = changes["comment"]
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
        comment = VERSION.parse(values).get("comment")
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
        _check_condition_references(version, kind, attributes)
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
        _check_condition_references(version, kind, {**thing.attributes, **changes})
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

    # purges: Mimic caches nothing, so a purge is accepted and remembered

    def purge_all(self, customer: Customer, service_id: str) -> Purge:
        """Purge everything a service of the customer's caches."""
        service = self.service(customer, service_id)
        return self._purged(customer, "all", service.id, service.id)

    def purge_url(self, customer: Customer, url: str) -> Purge:
        """Purge one URL (``host/path``), whichever service serves it."""
        if not url.strip("/"):
            raise Invalid("A URL to purge is required.")
        owner = self._domain_owners.get(url.split("/", 1)[0].split(":", 1)[0])
        return self._purged(customer, "url", url, owner.id if owner is not None else None)

    def purge_keys(self, customer: Customer, service_id: str,
                   keys: list[str]) -> dict[str, str]:
        """Purge a service's objects by surrogate key: key to purge id."""
        service = self.service(customer, service_id)
        if not keys or not all(isinstance(key, str) and key for key in keys):
            raise Invalid("Surrogate keys must be a non-empty list of non-empty strings.")
        if len(keys) > SURROGATE_KEYS_LIMIT:
            raise Invalid(f"At most {SURROGATE_KEYS_LIMIT} surrogate keys may be purged "
                          f"at once.")
        return {key: self._purged(customer, "key", key, service.id).id for key in keys}

    def purges(self, customer: Customer) -> list[Purge]:
        """The customer's purges, oldest first (the last ``PURGE_LOG_LIMIT``)."""
        return list(customer.purges)

    def _purged(self, customer: Customer, kind: str, target: str,
                service_id: Optional[str]) -> Purge:
        purge = Purge(f"{self.ids.hex(8)}-{self.ids.hex(8)}", self._now(), kind, target,
                      service_id)
        customer.purges.append(purge)
        return purge

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


def _check_condition_references(version: Version, kind: ConfigKind,
                                attributes: Mapping[str, Any]) -> None:
    """
    A condition an object names (``request_condition``,
    ``cache_condition``, ``response_condition``) must exist in its version
    when the object is made or changed. (Deleting the condition later
    leaves a dangling name, which ``validate`` reports.)
    """
    conditions = version.objects_of(CONDITION)
    for field in CONDITION_REFERENCES:
        name = attributes.get(field) if field in kind.fields else None
        if name and name not in conditions:
            raise Invalid(f"Condition '{name}' named by {field} does not exist in version "
                          f"{version.number}.")
