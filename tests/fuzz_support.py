"""
What the route fuzz sends and how it checks the answer: the Klein routes
it must cover (:func:`klein_routes`), hypothesis's strategies for bodies
(a valid example mutated, any JSON value, raw bodies no encoder writes)
and query strings, the hostile values the sweep puts in every member of
every example (:data:`SWEEP`), and :class:`Sender`, which sends one body
and asserts: no 5xx, every error in the API's own shape, and a refusal
leaves the state as it was.
"""

from __future__ import annotations

import copy
import importlib
import json
import pkgutil
from typing import Any, Callable

import attrs
from hypothesis import strategies as st
from klein import Klein

from tests.fuzz_routes import APP_HEADERS, GROUPS, MOUNTS, OPERATOR_ROUTES, ROUTES
from tests.fuzz_routes.fastly import FASTLY_KINDS
from tests.fuzz_world import World, filled_in, state_of
from tests.robustness_support import ERROR_SHAPES


def klein_apps() -> dict:
    """
    Every Klein app of every REST module, by the name of the class serving
    it (the one in MOUNTS when several classes share one app, as Nova's
    route groups do).
    """
    import mimic.rest

    modules = [importlib.import_module(f"mimic.rest.{m.name}")
               for m in pkgutil.iter_modules(mimic.rest.__path__)]
    names: dict = {}
    for module in modules:
        for value in vars(module).values():
            app = getattr(value, "app", None)
            if isinstance(value, type) and isinstance(app, Klein):
                if value.__name__ in MOUNTS or id(app) not in names:
                    names[id(app)] = (value.__name__, app)
    return {name: app for name, app in names.values()}


def klein_routes() -> set:
    """Every (app class, method, rule) that takes a body, in every Klein app."""
    return {(name, method, rule.rule)
            for name, app in klein_apps().items() for rule in app.url_map.iter_rules()
            for method in sorted(set(rule.methods or ()) & {"POST", "PUT", "PATCH"})}


def klein_get_routes() -> list:
    """Every (app class, rule) answering GET, in every Klein app."""
    return sorted({(name, rule.rule) for name, app in klein_apps().items()
                   for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())})


# What the fuzzer sends.

_KEYS = st.sampled_from(["name", "id", "server", "metadata", "code", "duration",
                         "amount", "status", "type", "nodes", "port", "address"])
#: Numbers and texts that broke Mimic, or nearly: sizes past a float, past
#: 64 bits, a clock's range; digits Python's int() refuses; patterns.
HOSTILE_NUMBERS = st.sampled_from([
    0, -1, 1, 2 ** 31, 2 ** 62, 2 ** 63, 2 ** 64, 10 ** 18, 10 ** 30, 10 ** 307,
    253402300800, 1e30, 1e308, -1e308, -0.0, 0.5, 1.5e-300, 10 ** 400])
HOSTILE_TEXTS = st.sampled_from([
    "", " ", "\u00b2", "9" * 400, "9" * 4301, "1e999", "-1", "0x10", "(a+)+$", "(", "\u0000",
    "\U0001F4A5", "NaN", "Infinity", "../..", "%ff", "a" * 300, "true", "null",
    "00000000-0000-0000-0000-000000000000", "192.0.2.1", "::1", "10.0.0.0/8",
    "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(), HOSTILE_NUMBERS, HOSTILE_TEXTS,
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
)
JSON_VALUES = st.recursive(
    _LEAVES,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.one_of(_KEYS, st.text(max_size=6)), children, max_size=4),
    max_leaves=12,
)
RAW_BODIES = st.sampled_from([
    b"", b"   ", b"{", b"null", b"[]", b"{}", b"\"text\"", b"1e999", b"NaN",
    b'{"a": Infinity}', b"[" * 3000 + b"]" * 3000, b'{"a":' * 150 + b"1" + b"}" * 150,
    b'{"name": "\\ud800"}', b'{"\\udfff": 1}', b"\xff\xfe\x00", b'{"name": "\xff"}',
    b'{"amount": ' + b"9" * 400 + b"}", b'{"a": 1, "a": 2}',
])


@st.composite
def mutated(draw, example: Any) -> Any:
    """``example`` with one value replaced, or one key dropped or added."""
    body = copy.deepcopy(example)
    if not isinstance(body, (dict, list)) or not body:
        return draw(JSON_VALUES)
    # Walk down to a random container, then change one of its members.
    parent = body
    while True:
        keys = list(parent) if isinstance(parent, dict) else list(range(len(parent)))
        if not keys:
            break
        key = draw(st.sampled_from(keys))
        child = parent[key]
        if isinstance(child, (dict, list)) and child and draw(st.integers(0, 3)):
            parent = child
            continue
        change = draw(st.sampled_from(["hostile", "hostile", "replace", "drop", "add"]))
        if change == "hostile":
            # Most validation is of one field's type and range.
            parent[key] = draw(HOSTILE_NUMBERS | HOSTILE_TEXTS)
        elif change == "replace":
            parent[key] = draw(JSON_VALUES)
        elif change == "drop":
            del parent[key]
        elif isinstance(parent, dict):
            parent[draw(st.one_of(_KEYS, st.text(max_size=6)))] = draw(JSON_VALUES)
        else:
            parent.append(draw(JSON_VALUES))
        break
    return body


@st.composite
def requests_for(draw, routes: list, ids: dict) -> tuple:
    """(route, kind of Fastly object, body bytes)."""
    route = draw(st.sampled_from(routes))
    examples = [filled_in(example, ids) for example in ROUTES[route]]
    kind = draw(st.sampled_from(FASTLY_KINDS))
    how = draw(st.sampled_from(["mutated", "mutated", "mutated", "any", "raw"]))
    if how == "raw":
        return route, kind, draw(RAW_BODIES)
    value = draw(JSON_VALUES) if how == "any" else draw(mutated(draw(st.sampled_from(
        examples))))
    return route, kind, json.dumps(value).encode("utf-8")


def _content_type(app: str, method: str) -> str:
    if app == "GlanceApi" and method == "PATCH":
        return "application/openstack-images-v2.1-json-patch"
    return "application/json"


@attrs.define
class Sender:
    """Sends one body to one route of a group and checks the answer."""

    mimic: Any
    world: World
    group: str
    route: Any = None
    state: Any = None
    count: int = 0


    def send(self, route: tuple, kind: str, body: bytes) -> None:
        app, method, rule = route
        if (route, kind) != self.route:
            self.route = (route, kind)
            self.state = state_of(self.mimic, self.world, self.group, route, kind)
        url = self.world.url(app, rule, kind)
        response = self.mimic.request(method, url, data=body, headers={
            "X-Auth-Token": self.world.token(route), "Fastly-Key": "fuzz",
            "content-type": _content_type(app, method), **APP_HEADERS.get(app, {})})
        self.count += 1
        where = (method, url, body[:300])
        assert response.status_code < 500, (where, response.text[:500])
        if response.status_code >= 400:
            shape: Callable = ERROR_SHAPES[MOUNTS[app][1]]
            assert response.headers.get("content-type", "").startswith(
                "application/json"), (where, response.text[:300])
            assert shape(response.json(), response.status_code), (where, response.text)
            assert state_of(self.mimic, self.world, self.group, route, kind) == self.state, (
                where, response.text)
        else:
            # Accepted: let anything building settle, then take the new state.
            if self.group not in ("control", "identity", "identity-v3"):
                self.mimic.tick(60)
            self.state = state_of(self.mimic, self.world, self.group, route, kind)


def routes_of(group: str) -> list:
    """A group's routes; Nova's operator routes are the ``nova-operator`` group's alone."""
    return sorted(route for route in ROUTES if route[0] in GROUPS[group][0]
                  and (route in OPERATOR_ROUTES) == (group == "nova-operator"))


#: What every member of every example is replaced by, one at a time.
SWEEP = ["\u00b2", "9" * 4301, 10 ** 300, None]
#: How deep the sweep goes in a state document: its meaning is in the
#: first levels (format, clock, the store's fields and their objects);
#: below, the codec's same tags repeat.
STATE_DEPTH = 5


#: How many items of an array the sweep tries: they are read alike, and a
#: state document's random generator alone holds 624.
SWEPT_ITEMS = 3


def member_paths(value: Any, path: tuple = ()) -> list:
    """
    The path of every member of ``value`` (keys of objects, the first
    :data:`SWEPT_ITEMS` items of arrays).
    """
    found = []
    members = value.items() if isinstance(value, dict) else (
        enumerate(value[:SWEPT_ITEMS]) if isinstance(value, list) else ())
    for key, member in members:
        found.append(path + (key,))
        found.extend(member_paths(member, path + (key,)))
    return found


def replaced(value: Any, path: tuple, new: Any) -> Any:
    """A copy of ``value`` with the member at ``path`` replaced by ``new``."""
    value = copy.deepcopy(value)
    parent = value
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = new
    return value


QUERY_NAMES = st.sampled_from([
    "limit", "marker", "name", "status", "page", "per_page", "size_min", "size_max",
    "minRam", "minDisk", "changes-since", "image", "flavor", "id", "sort_key", "sort_dir",
    "sort", "belongsTo", "traceId", "is_public", "nodeaddress", "visibility", "tag",
    "fields", "domain_id", "nocatalog", "type", "network_id", "device_id", "tenant_id",
    "enabled", "user_id", "version", "detail", "member_status", "ip_version"])
QUERY_VALUES = st.sampled_from([
    "%ff", "%C0%AF", "%C2%B2", "9" * 4301, "-1", "", "(a+)+$", "(", "%00", "1e999",
    "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00", "true", "a" * 2000, "%25"])
