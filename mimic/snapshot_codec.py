"""
The one codec of Mimic's state: model objects (attrs classes and the plain
classes of ``mimic.*`` modules) to a JSON document and back, exactly.

Model state is a graph, not a tree: a Nova server and Neutron's port list
hold the same port, every tenant's networking shares its region's address
pools, one :class:`mimic.util.IdSource` feeds every API. The codec keeps
that sharing: an object or container met twice is written once with an
``"$id"`` and referred to as ``{"$ref": n}`` after, and comes back as one
object. What is not plain JSON is tagged (``$tuple``, ``$set``, ``$obj``,
``$random``...). The store's clock is written as ``{"$clock": true}`` and
comes back as the restoring store's clock.

It is generic on purpose: the models change every day, and a codec that
reads their fields needs no change when a field is added. Decoding builds
only classes defined in ``mimic.*`` modules (a document is client input:
it must not name arbitrary classes) and refuses anything else with
:class:`SnapshotError`.
"""

from __future__ import annotations

import base64
import collections
import collections.abc
import enum
import functools
import importlib
import ipaddress
import math
import random
import re
import sys
import types
import typing
from typing import Any, Callable, Optional

import attrs

#: Modules whose classes and functions a document may name.
ALLOWED_MODULES = ("mimic.",)

_IP_TYPES = {cls.__name__: cls for cls in (
    ipaddress.IPv4Address, ipaddress.IPv6Address, ipaddress.IPv4Network,
    ipaddress.IPv6Network, ipaddress.IPv4Interface, ipaddress.IPv6Interface)}

_ATOMS = (str, int, bool, type(None))


class SnapshotError(ValueError):
    """A value cannot be captured, or a document cannot be restored."""


class _Clock:
    """Stands for the store's clock in an encoding."""


def qualified_name(thing: Any) -> str:
    return f"{thing.__module__}:{thing.__qualname__}"


def _named(name: Any) -> Any:
    """The class or function ``module:qualname``, if it is Mimic's own."""
    if not isinstance(name, str) or ":" not in name:
        raise SnapshotError(f"not a qualified name: {name!r}")
    module_name, _, qualname = name.partition(":")
    if not module_name.startswith(ALLOWED_MODULES):
        raise SnapshotError(f"{name!r} is not one of Mimic's own")
    try:
        found: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError):
        raise SnapshotError(f"no such class or function: {name!r}") from None
    return found


def module_constants() -> dict:
    """
    ``id -> (name, object)`` of the module-level objects of Mimic's loaded
    modules (sentinels, canned flavors, behavior events...): state that
    refers to one is written as its name, so it comes back as the very
    same object rather than a copy.
    """
    found: dict = {}
    for module_name in sorted(sys.modules):
        module = sys.modules[module_name]
        if module is None or not module_name.startswith(ALLOWED_MODULES):
            continue
        for attribute, value in list(vars(module).items()):
            if isinstance(value, (*_ATOMS, float, bytes, types.ModuleType, type)) \
                    or callable(value) or id(value) in found:
                continue
            found[id(value)] = (f"{module_name}:{attribute}", value)
    return found


def _fields_of(value: Any) -> dict:
    """The state of an object: its attrs fields, or its __dict__ and slots."""
    cls = type(value)
    derived = getattr(cls, "__snapshot_derived__", ())
    if attrs.has(cls):
        return {field.name: getattr(value, field.name)
                for field in attrs.fields(cls)
                if hasattr(value, field.name) and field.name not in derived}
    state = dict(getattr(value, "__dict__", {}))
    for klass in cls.__mro__:
        for slot in getattr(klass, "__slots__", ()):
            if slot not in ("__dict__", "__weakref__") and hasattr(value, slot):
                state[slot] = getattr(value, slot)
    return state


@attrs.define
class Encoder:
    """Encodes one graph; ``clock`` is the object written as ``$clock``."""

    clock: Any = None
    #: ``id(object) -> stand-in`` written in the object's place (the
    #: captured part of a mapping of which only some keys are state).
    substitutes: dict = attrs.field(factory=dict)
    _constants: dict = attrs.field(factory=module_constants)
    _counts: dict = attrs.field(factory=dict)
    _keep: list = attrs.field(factory=list)
    _ids: dict = attrs.field(factory=dict)

    def encode(self, value: Any) -> Any:
        self._count(value)
        return self._encode(value)

    def _shareable(self, value: Any) -> bool:
        return not isinstance(value, (*_ATOMS, float, bytes, enum.Enum, type)) \
            and value is not self.clock and not callable(value) \
            and not isinstance(value, (re.Pattern, *_IP_TYPES.values()))

    def _count(self, value: Any) -> None:
        """First pass: how often each object is met, to find the shared ones."""
        stack = [value]
        while stack:
            item = stack.pop()
            item = self.substitutes.get(id(item), item)
            if not self._shareable(item) or id(item) in self._constants:
                continue
            key = id(item)
            seen = self._counts.get(key, 0)
            self._counts[key] = seen + 1
            if seen:
                continue
            self._keep.append(item)
            if isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            elif isinstance(item, (list, tuple, set, frozenset, collections.deque)):
                stack.extend(item)
            elif isinstance(item, random.Random):
                continue
            else:
                stack.extend(_fields_of(item).values())

    def _encode(self, value: Any) -> Any:
        value = self.substitutes.get(id(value), value)
        if isinstance(value, _ATOMS):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else {"$float": repr(value)}
        if value is self.clock and value is not None:
            return {"$clock": True}
        constant = self._constants.get(id(value))
        if constant is not None and constant[1] is value:
            return {"$named": constant[0]}
        if isinstance(value, bytes):
            return {"$bytes": base64.b64encode(value).decode("ascii")}
        if isinstance(value, enum.Enum):
            return {"$enum": qualified_name(type(value)), "name": value.name}
        if isinstance(value, re.Pattern):
            return {"$regex": value.pattern, "flags": int(value.flags)}
        if type(value) in _IP_TYPES.values():
            return {"$ip": type(value).__name__, "value": str(value)}
        if isinstance(value, type) or callable(value) and not attrs.has(type(value)) \
                and hasattr(value, "__qualname__"):
            return {"$named": qualified_name(value)}
        shared = self._counts.get(id(value), 0) > 1
        if shared and id(value) in self._ids:
            return {"$ref": self._ids[id(value)]}
        tag: dict = {}
        if shared:
            tag["$id"] = self._ids[id(value)] = len(self._ids) + 1
        tag.update(self._body(value))
        return tag

    def _body(self, value: Any) -> dict:
        if isinstance(value, collections.OrderedDict):
            # Bounded caches (least recently used first) keep their order
            # and their move_to_end.
            return {"$odict": [[self._encode(k), self._encode(v)] for k, v in value.items()]}
        if isinstance(value, dict):
            return {"$dict": [[self._encode(k), self._encode(v)] for k, v in value.items()]}
        if isinstance(value, list):
            return {"$list": [self._encode(item) for item in value]}
        if isinstance(value, tuple):
            return {"$tuple": [self._encode(item) for item in value]}
        if isinstance(value, (set, frozenset)):
            items = [self._encode(item) for item in value]
            if all(isinstance(item, (*_ATOMS, float)) for item in value):
                # Sets of strings iterate in a per-process order: write them
                # sorted, so one state always makes one document.
                items.sort(key=lambda item: (type(item).__name__, item))
            return {"$frozenset" if isinstance(value, frozenset) else "$set": items}
        if isinstance(value, collections.deque):
            return {"$deque": [self._encode(item) for item in value],
                    "maxlen": value.maxlen}
        if isinstance(value, random.Random):
            version, internal, gauss = value.getstate()
            return {"$random": [version, list(internal), gauss]}
        cls = type(value)
        if not cls.__module__.startswith(ALLOWED_MODULES):
            raise SnapshotError(f"cannot capture a {qualified_name(cls)}")
        return {"$obj": qualified_name(cls),
                "fields": {name: self._encode(item)
                           for name, item in _fields_of(value).items()}}


@attrs.define
class Decoder:
    """Decodes one document; ``clock`` replaces every ``$clock``."""

    clock: Any = None
    _made: dict = attrs.field(factory=dict)

    def decode(self, value: Any) -> Any:
        try:
            return self._decode(value)
        except SnapshotError:
            raise
        except (TypeError, ValueError, KeyError, IndexError, AttributeError,
                RecursionError, OverflowError, re.error) as error:
            # A document is client input: a random state past 32 bits
            # (OverflowError) or a pattern that does not compile is refused.
            raise SnapshotError(f"malformed state: {error}") from None

    def _decode(self, value: Any) -> Any:
        if isinstance(value, (*_ATOMS, float)):
            return value
        if isinstance(value, list):
            raise SnapshotError("a bare JSON array is not a state value")
        if not isinstance(value, dict):
            raise SnapshotError(f"not a state value: {value!r}")
        if "$ref" in value:
            ref = value["$ref"]
            if ref not in self._made:
                raise SnapshotError(f"reference to unknown object {ref!r}")
            return self._made[ref]
        tag = next((k for k in value if k.startswith("$") and k != "$id"), None)
        simple: dict[str, Callable[[Any], Any]] = {
            "$float": lambda v: float(v) if v in ("inf", "-inf", "nan") else _bad(v),
            "$clock": lambda v: self.clock,
            "$bytes": lambda v: base64.b64decode(v, validate=True),
            "$regex": lambda v: re.compile(v, value.get("flags", 0)),
            "$ip": lambda v: _IP_TYPES[v](value["value"]),
            "$enum": lambda v: _named(v)[value["name"]],
            "$named": _named,
        }
        if tag in simple:
            return simple[tag](value[tag])
        ident = value.get("$id")
        if tag == "$list":
            made: Any = self._register(ident, [])
            made.extend(self._decode(item) for item in value[tag])
        elif tag in ("$dict", "$odict"):
            made = self._register(ident, {} if tag == "$dict" else collections.OrderedDict())
            for key, item in value[tag]:
                made[self._decode(key)] = self._decode(item)
        elif tag in ("$tuple", "$frozenset"):
            kind = tuple if tag == "$tuple" else frozenset
            made = self._register(ident, kind(self._decode(item) for item in value[tag]))
        elif tag == "$set":
            made = self._register(ident, set())
            made.update(self._decode(item) for item in value[tag])
        elif tag == "$deque":
            made = self._register(ident, collections.deque(maxlen=value.get("maxlen")))
            made.extend(self._decode(item) for item in value[tag])
        elif tag == "$random":
            made = self._register(ident, random.Random())
            version, internal, gauss = value[tag]
            made.setstate((version, tuple(internal), gauss))
        elif tag == "$obj":
            cls = _named(value[tag])
            if not isinstance(cls, type):
                raise SnapshotError(f"{value[tag]!r} is not a class")
            made = self._register(ident, cls.__new__(cls))
            hints = field_types(cls)
            for name, item in value["fields"].items():
                decoded = self._decode(item)
                if name in hints and not conforms(decoded, hints[name]):
                    # A document is client input: a field of the wrong type
                    # would break every later request that reads it.
                    raise SnapshotError(f"{value[tag]}.{name} cannot hold "
                                        f"{type(decoded).__name__} {decoded!r:.60}")
                object.__setattr__(made, name, decoded)
            # What a class derives from its fields (a compiled pattern) it
            # names in __snapshot_derived__ and rebuilds here.
            restore = getattr(made, "__snapshot_restore__", None)
            if restore is not None:
                restore()
        else:
            raise SnapshotError(f"unknown state tag {tag!r}")
        return made

    def _register(self, ident: Any, made: Any) -> Any:
        if ident is not None:
            if ident in self._made:
                raise SnapshotError(f"object id {ident!r} used twice")
            self._made[ident] = made
        return made


@functools.lru_cache(maxsize=None)
def field_types(cls: type) -> dict:
    """
    The declared types of an attrs class's fields, by name, for checking a
    restored document against (empty when they cannot be resolved).
    """
    if not attrs.has(cls):
        return {}
    try:
        return typing.get_type_hints(cls)
    except Exception:  # noqa: BLE001 - names only imported for type checkers
        return {}


def conforms(value: Any, hint: Any) -> bool:
    """
    Whether ``value`` is of the declared type ``hint``: classes, unions and
    the items of dicts, lists, sets and tuples. Where one of Mimic's classes
    is declared, any object of Mimic's passes (models put stand-ins there: a
    pool's share for the pool), but never a string, number or container.
    What cannot be checked (``Any``, protocols, ``Literal``) passes.
    """
    if hint is Any or isinstance(hint, (str, typing.TypeVar)):
        return True
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, arg) for arg in args)
    if origin is None:
        if not isinstance(hint, type) or isinstance(value, hint):
            return True
        return (hint.__module__.startswith(ALLOWED_MODULES)
                and type(value).__module__.startswith(ALLOWED_MODULES))
    if not isinstance(origin, type):
        return True
    if not isinstance(value, origin):
        return False
    if isinstance(value, collections.abc.Mapping) and len(args) == 2:
        return all(conforms(k, args[0]) and conforms(v, args[1]) for k, v in value.items())
    if isinstance(value, tuple) and args:
        if len(args) == 2 and args[1] is Ellipsis:
            return all(conforms(item, args[0]) for item in value)
        return len(args) == len(value) and all(map(conforms, value, args))
    if isinstance(value, (list, set, frozenset, collections.deque)) and len(args) == 1:
        return all(conforms(item, args[0]) for item in value)
    return True


def _bad(value: Any) -> Any:
    raise SnapshotError(f"not a special float: {value!r}")


def encode_state(value: Any, clock: Any = None, substitutes: Optional[dict] = None) -> Any:
    """
    ``value`` as JSON-serialisable data (see the module docstring);
    ``substitutes`` maps ``id()`` of objects inside it to what to write in
    their place.
    """
    return Encoder(clock, substitutes or {}).encode(value)


def decode_state(document: Any, clock: Any = None) -> Any:
    """The value :func:`encode_state` wrote as ``document``."""
    return Decoder(clock).decode(document)


