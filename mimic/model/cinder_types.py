"""
What a Cinder operator manages for the whole region rather than for one
project: volume types (their extra specs, private access and encryption),
QoS specs, group types, each project's default type and the services that
``os-services`` lists. One :class:`BlockStorageCatalog` per region, shared by
every tenant's :class:`mimic.model.cinder.BlockStorageRegion`, made from the
profile's canned types (:func:`canned_volume_types`).

Messages are Cinder's (``cinder/exception.py``: ``VolumeTypeNotFound``,
``VolumeTypeExists`` 409, ``VolumeTypeInUse``, ``QoSSpecsNotFound``,
``GroupTypeNotFound`` ...).
"""

from __future__ import annotations

import re
from typing import Iterable, Optional, Union

import attrs

from mimic.model.cinder_errors import BadRequest, Conflict, NotFound, invalid_input
from mimic.model.cinder_records import VolumeType
from mimic.util import IdSource

#: Mimic's bounds on what an operator can pile up in one region.
MAX_TYPES = 256
MAX_SPECS = 128
SPEC_LENGTH = 255

#: The host Cinder's volume service runs on in a devstack cloud, and its backend.
VOLUME_HOST = "devstack@lvmdriver-1"
BACKEND_NAME = "lvmdriver-1"

_UUID = re.compile(r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$")


def canned_volume_types(profile_name: str) -> tuple:
    """
    ``(types, default type id)`` a fresh region starts with: Cinder's own
    ``__DEFAULT__`` and, on devstack, ``lvmdriver-1`` (devstack's lib/cinder
    creates it and sets ``default_volume_type`` to it); the Rackspace-like
    profile keeps its ``SSD`` and ``SATA``.
    """
    default = VolumeType("9b7f1c2e-0000-4d6c-9a51-00000000d3fa", "__DEFAULT__",
                         "Default Volume Type")
    if profile_name == "devstack":
        lvm = VolumeType("9b7f1c2e-0003-4d6c-9a51-00000000114d", BACKEND_NAME, None,
                         extra_specs={"volume_backend_name": BACKEND_NAME})
        return (default, lvm), lvm.id
    return (default,
            VolumeType("9b7f1c2e-0001-4d6c-9a51-00000000055d", "SSD", "Solid-state volumes",
                       extra_specs={"volume_backend_name": "ssd"}),
            VolumeType("9b7f1c2e-0002-4d6c-9a51-000000005a7a", "SATA",
                       "Spinning-disk volumes",
                       extra_specs={"volume_backend_name": "sata"})), default.id


@attrs.define(eq=False)
class QosSpecs:
    """A named set of QoS specs, consumed ``front-end``, ``back-end`` or ``both``."""

    id: str
    name: str
    consumer: str = "back-end"
    specs: dict = attrs.field(factory=dict)


@attrs.define(eq=False)
class GroupType:
    """A group type (``group_types``, microversion 3.11)."""

    id: str
    name: str
    description: Optional[str] = None
    is_public: bool = True
    group_specs: dict = attrs.field(factory=dict)


@attrs.define(eq=False)
class Service:
    """One Cinder service as ``os-services`` lists it."""

    binary: str
    host: str
    zone: str = "nova"
    enabled: bool = True
    disabled_reason: Optional[str] = None

    @property
    def status(self) -> str:
        return "enabled" if self.enabled else "disabled"


def check_specs(specs: object, what: str = "extra_specs") -> dict:
    """
    Specs are string keys to string values, as Cinder's schema
    (``cinder/api/validation/parameter_types.py``, ``extra_specs``) says.
    """
    if not isinstance(specs, dict):
        raise invalid_input(f"{what} must be a dictionary")
    if len(specs) > MAX_SPECS:
        raise invalid_input(f"{what} may hold at most {MAX_SPECS} items (Mimic's bound)")
    checked = {}
    for key, value in specs.items():
        if not isinstance(key, str) or not isinstance(value, str) or not key \
                or len(key) > SPEC_LENGTH or len(value) > SPEC_LENGTH:
            raise invalid_input(f"Invalid {what} key or value: keys and values are "
                                f"strings of 1 to {SPEC_LENGTH} characters")
        checked[key] = value
    return checked


def _refuse_new_name(held: dict, name: str, kind: str, plural: str) -> None:
    """
    A new type's name is unique among its kind (Cinder's ``VolumeTypeExists``
    and its siblings, a 409), and a region holds a bounded number of them.
    """
    _refuse_taken_name(held, name, kind)
    if len(held) >= MAX_TYPES:
        raise BadRequest(f"A region holds at most {MAX_TYPES} {plural} (Mimic's bound)")


def _refuse_taken_name(held: dict, name: str, kind: str) -> None:
    if any(t.name == name for t in held.values()):
        raise Conflict(f"{kind} {name} already exists.")


def _update_named_type(held: dict, kind: str, found: Union[VolumeType, GroupType],
                       name: Optional[str], description: object,
                       is_public: Optional[bool]) -> None:
    """
    A volume or group type's update: what is given changes (a new name only
    if no other type of the kind has it); ``attrs.NOTHING`` and ``None`` mean
    "not given" (a description may be set to ``None``).
    """
    if name is not None and name != found.name:
        _refuse_taken_name(held, name, kind)
        found.name = name
    if description is not attrs.NOTHING:
        found.description = description  # type: ignore[assignment]
    if is_public is not None:
        found.is_public = is_public


def _merged_specs(held: dict, given: object, what: str) -> dict:
    """``held`` with ``given`` set over it, both checked as ``what`` (the field's name)."""
    return check_specs({**held, **check_specs(given, what)}, what)


def _spec(held: dict, key: str, missing: str) -> str:
    if key not in held:
        raise NotFound(missing)
    return held[key]


@attrs.define
class BlockStorageCatalog:
    """Volume types, QoS specs, group types, default types and services of a region."""

    ids: IdSource
    _types: dict
    default_type_id: str
    _qos: dict = attrs.field(factory=dict)
    _group_types: dict = attrs.field(factory=dict)
    #: project id -> volume type id (``default-types``, microversion 3.62).
    project_defaults: dict = attrs.field(factory=dict)
    services: list = attrs.field(factory=lambda: [
        Service("cinder-scheduler", "devstack"),
        Service("cinder-volume", VOLUME_HOST),
    ])

    @classmethod
    def canned(cls, ids: IdSource, profile_name: str) -> "BlockStorageCatalog":
        types, default_id = canned_volume_types(profile_name)
        return cls(ids, {t.id: t for t in types}, default_id)

    # volume types

    def types(self, project_id: Optional[str] = None, admin: bool = False,
              is_public: Optional[bool] = True) -> list:
        """
        The types a caller sees: public ones, and the private ones its
        project was given; an admin the public ones, the private ones
        (``is_public`` false) or all (``None``), as ``cinder/api/v3/types.py``
        filters.
        """
        found = list(self._types.values())
        if admin:
            return [t for t in found if is_public is None or t.is_public == is_public]
        return [t for t in found if t.is_public or project_id in t.projects]

    def volume_type(self, ref: str, by_name: bool = True) -> VolumeType:
        """
        A type by id, or (``by_name``, as volume create allows) by name.
        Cinder words the miss by what the reference looked like: a UUID is an id.
        """
        found = self._types.get(ref)
        if found is not None:
            return found
        if by_name:
            for volume_type in self._types.values():
                if volume_type.name == ref:
                    return volume_type
        if by_name and not _UUID.match(ref):
            raise NotFound(f"Volume type with name {ref} could not be found.")
        raise NotFound(f"Volume type {ref} could not be found.")

    def default_type(self, project_id: Optional[str] = None) -> VolumeType:
        """The project's default type if it has one, else the region's."""
        chosen = self.project_defaults.get(project_id)
        if chosen is not None and chosen in self._types:
            return self._types[chosen]
        return self._types[self.default_type_id]

    def create_type(self, name: str, description: Optional[str] = None,
                    is_public: bool = True, extra_specs: Optional[dict] = None) -> VolumeType:
        _refuse_new_name(self._types, name, "Volume Type", "volume types")
        volume_type = VolumeType(self.ids.uuid(), name, description, is_public,
                                 extra_specs=check_specs(extra_specs or {}))
        self._types[volume_type.id] = volume_type
        return volume_type

    def update_type(self, type_id: str, name: Optional[str] = None,
                    description: object = attrs.NOTHING,
                    is_public: Optional[bool] = None) -> VolumeType:
        volume_type = self.volume_type(type_id, by_name=False)
        _update_named_type(self._types, "Volume Type", volume_type, name, description,
                           is_public)
        return volume_type

    def delete_type(self, type_id: str, in_use: bool) -> None:
        """``in_use``: whether any volume still has the type (the caller knows)."""
        volume_type = self.volume_type(type_id, by_name=False)
        if volume_type.id == self.default_type_id:
            raise BadRequest("The volume type is the default volume type and cannot "
                             "be deleted.")
        if in_use:
            raise BadRequest("Target volume type is still in use.")
        del self._types[volume_type.id]
        for project, chosen in list(self.project_defaults.items()):
            if chosen == volume_type.id:
                del self.project_defaults[project]

    def set_extra_specs(self, type_id: str, specs: dict) -> dict:
        volume_type = self.volume_type(type_id, by_name=False)
        volume_type.extra_specs = _merged_specs(volume_type.extra_specs, specs, "extra_specs")
        return volume_type.extra_specs

    def extra_spec(self, type_id: str, key: str) -> str:
        return _spec(self.volume_type(type_id, by_name=False).extra_specs, key,
                     f"Volume Type {type_id} has no extra specs with key {key}.")

    def delete_extra_spec(self, type_id: str, key: str) -> None:
        self.extra_spec(type_id, key)
        del self.volume_type(type_id, by_name=False).extra_specs[key]

    def add_access(self, type_id: str, project_id: str) -> None:
        volume_type = self.volume_type(type_id, by_name=False)
        if volume_type.is_public:
            raise BadRequest("Invalid volume type: Type access modification is not "
                             "applicable to public volume type.")
        if project_id in volume_type.projects:
            raise Conflict(f"Volume type access for {type_id} / {project_id} "
                           "combination already exists.")
        volume_type.projects = (*volume_type.projects, project_id)

    def remove_access(self, type_id: str, project_id: str) -> None:
        volume_type = self.volume_type(type_id, by_name=False)
        if project_id not in volume_type.projects:
            raise NotFound(f"Volume type access not found for {type_id} / "
                           f"{project_id} combination.")
        volume_type.projects = tuple(p for p in volume_type.projects if p != project_id)

    # encryption (``types/<id>/encryption``)

    def set_encryption(self, type_id: str, spec: dict, create: bool) -> dict:
        volume_type = self.volume_type(type_id, by_name=False)
        if create and volume_type.encryption is not None:
            raise BadRequest(f"Volume type encryption for type {type_id} already exists.")
        if not create and volume_type.encryption is None:
            raise NotFound(f"Volume type encryption for type {type_id} does not exist.")
        current = dict(volume_type.encryption or {"encryption_id": self.ids.uuid(),
                                                  "volume_type_id": volume_type.id})
        current.update(spec)
        if create and not current.get("provider"):
            raise invalid_input("provider must be defined")
        volume_type.encryption = current
        return current

    def delete_encryption(self, type_id: str) -> None:
        volume_type = self.volume_type(type_id, by_name=False)
        if volume_type.encryption is None:
            raise NotFound(f"Volume type encryption for type {type_id} does not exist.")
        volume_type.encryption = None

    # QoS specs

    def qos_specs(self) -> list:
        return list(self._qos.values())

    def qos(self, qos_id: str) -> QosSpecs:
        found = self._qos.get(qos_id)
        if found is None:
            raise NotFound(f"No such QoS spec {qos_id}.")
        return found

    def create_qos(self, name: str, consumer: str, specs: dict) -> QosSpecs:
        _refuse_new_name(self._qos, name, "QoS Specs", "QoS specs")
        qos = QosSpecs(self.ids.uuid(), name, _consumer(consumer), check_specs(specs, "specs"))
        self._qos[qos.id] = qos
        return qos

    def update_qos(self, qos_id: str, specs: dict) -> dict:
        """Merge ``specs`` (``consumer`` among them moves the consumer); answer them."""
        qos = self.qos(qos_id)
        given = dict(specs)
        consumer = _consumer(given.pop("consumer")) if "consumer" in given else None
        merged = check_specs({**qos.specs, **check_specs(given, "specs")}, "specs")
        if consumer is not None:
            qos.consumer = consumer
        qos.specs = merged
        return dict(specs)

    def unset_qos_keys(self, qos_id: str, keys: Iterable) -> None:
        qos = self.qos(qos_id)
        for key in keys:
            if key not in qos.specs:
                raise NotFound(f"QoS spec {qos_id} has no key {key}.")
        for key in keys:
            del qos.specs[key]

    def delete_qos(self, qos_id: str, force: bool = False) -> None:
        qos = self.qos(qos_id)
        if self.qos_associations(qos_id) and not force:
            raise BadRequest(f"QoS Specs {qos_id} is still associated with entities.")
        for volume_type in self._types.values():
            if volume_type.qos_specs_id == qos.id:
                volume_type.qos_specs_id = None
        del self._qos[qos.id]

    def qos_associations(self, qos_id: str) -> list:
        self.qos(qos_id)
        return [t for t in self._types.values() if t.qos_specs_id == qos_id]

    def associate_qos(self, qos_id: str, type_id: str) -> None:
        self.qos(qos_id)
        volume_type = self.volume_type(type_id, by_name=False)
        if volume_type.qos_specs_id not in (None, qos_id):
            raise BadRequest(f"Type {type_id} is already associated with another qos "
                             f"specs: {volume_type.qos_specs_id}")
        volume_type.qos_specs_id = qos_id

    def disassociate_qos(self, qos_id: str, type_id: Optional[str] = None) -> None:
        """One type's association, or (no ``type_id``) every one."""
        self.qos(qos_id)
        if type_id is None:
            for volume_type in self.qos_associations(qos_id):
                volume_type.qos_specs_id = None
            return
        volume_type = self.volume_type(type_id, by_name=False)
        if volume_type.qos_specs_id == qos_id:
            volume_type.qos_specs_id = None

    # group types

    def group_types(self) -> list:
        return list(self._group_types.values())

    def group_type(self, ref: str, by_name: bool = False) -> GroupType:
        found = self._group_types.get(ref)
        if found is None and by_name:
            found = next((g for g in self._group_types.values() if g.name == ref), None)
        if found is None:
            raise NotFound(f"Group type {ref} could not be found.")
        return found

    def create_group_type(self, name: str, description: Optional[str] = None,
                          is_public: bool = True,
                          group_specs: Optional[dict] = None) -> GroupType:
        _refuse_new_name(self._group_types, name, "Group Type", "group types")
        group_type = GroupType(self.ids.uuid(), name, description, is_public,
                               check_specs(group_specs or {}, "group_specs"))
        self._group_types[group_type.id] = group_type
        return group_type

    def update_group_type(self, type_id: str, name: Optional[str] = None,
                          description: object = attrs.NOTHING,
                          is_public: Optional[bool] = None) -> GroupType:
        group_type = self.group_type(type_id)
        _update_named_type(self._group_types, "Group Type", group_type, name, description,
                           is_public)
        return group_type

    def delete_group_type(self, type_id: str, in_use: bool) -> None:
        group_type = self.group_type(type_id)
        if in_use:
            raise BadRequest(f"Group Type {type_id} deletion is not allowed with groups "
                             "present with the type.")
        del self._group_types[group_type.id]

    def set_group_specs(self, type_id: str, specs: dict) -> dict:
        group_type = self.group_type(type_id)
        group_type.group_specs = _merged_specs(group_type.group_specs, specs, "group_specs")
        return group_type.group_specs

    def group_spec(self, type_id: str, key: str) -> str:
        return _spec(self.group_type(type_id).group_specs, key,
                     f"Group Type {type_id} has no specs with key {key}.")

    def delete_group_spec(self, type_id: str, key: str) -> None:
        self.group_spec(type_id, key)
        del self.group_type(type_id).group_specs[key]

    # default types (``default-types``, 3.62)

    def set_project_default(self, project_id: str, type_ref: str) -> VolumeType:
        volume_type = self.volume_type(type_ref)
        self.project_defaults[project_id] = volume_type.id
        return volume_type

    def unset_project_default(self, project_id: str) -> None:
        self.project_defaults.pop(project_id, None)

    def project_default(self, project_id: str) -> str:
        chosen = self.project_defaults.get(project_id)
        if chosen is None:
            raise NotFound(f"Default type for project {project_id} could not be found.")
        return chosen

    # services

    def service(self, host: str, binary: str) -> Service:
        for service in self.services:
            if service.host == host and service.binary == binary:
                return service
        raise NotFound(f"Service {binary} on host {host} could not be found.")

    def hosts(self) -> list:
        return [s.host for s in self.services if s.binary == "cinder-volume"]


def _consumer(consumer: object) -> str:
    if consumer not in ("front-end", "back-end", "both"):
        raise invalid_input(f"Invalid QoS consumer {consumer!r}: must be front-end, "
                            "back-end or both")
    return consumer  # type: ignore[return-value]
