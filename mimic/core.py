"""
MimicCore: the clock, the loaded API plugins and the store of all state.

One core serves one Mimic process. Routes ask it for the current clock and
store on every request, which is what lets ``POST /mimic/v1.1/reset`` forget
everything (and set time back to 0) by replacing both.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional

import attrs
from twisted.internet.task import Clock
from twisted.plugin import getPlugins

from mimic.catalog import DEFAULT_REGIONS, Entry
from mimic.imimic import IAPIMock, IPresetProvider
from mimic.model.journal import DEFAULT_BODY_BYTES, DEFAULT_CAPACITY, RequestJournal
from mimic.profiles import profile_of
from mimic.util import MAX_CLOCK_SECONDS, IdSource

if TYPE_CHECKING:
    from mimic.model.identity import SessionStore

_API_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class PluginError(Exception):
    """The API plugins cannot be loaded as they are; Mimic must not start."""


def load_api_plugins(package: Any = None) -> list:
    """
    Every :class:`IAPIMock` provider in the ``mimic.plugins`` package (and
    the third-party folders merged into it).

    Each module is imported first, so that a plugin module that fails to
    import stops start-up with its traceback instead of silently leaving an
    API out of the catalog (``getPlugins`` alone would only log it).
    """
    if package is None:
        import mimic.plugins as package
    for module in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        importlib.import_module(module.name)
    apis = sorted(getPlugins(IAPIMock, package), key=lambda api: api.name)
    seen: dict[str, Any] = {}
    for api in apis:
        if not isinstance(api.name, str) or not _API_NAME.match(api.name):
            raise PluginError(f"plugin {api!r} has an invalid name {api.name!r}")
        if api.name in seen:
            raise PluginError(
                f"two plugins are named {api.name!r}: {seen[api.name]!r} and {api!r}"
            )
        seen[api.name] = api
    return apis


@attrs.define
class MimicCore:
    """
    The state of one Mimic process. ``realtime`` cores use the reactor as
    their clock; the others a :class:`twisted.internet.task.Clock` that
    starts at 0 and moves only when told to.
    """

    apis: Mapping[str, Any]
    regions: Mapping[str, tuple[str, ...]]
    realtime: bool = False
    seed: int = 0
    reactor: Any = None
    #: The parsed command line, for plugins that take options of their own
    #: (the mesh's ``--mesh`` files); empty when built without one.
    options: Mapping[str, Any] = attrs.field(factory=dict)
    #: ``--strict-auth``: every emulated API requires a token Mimic issued.
    strict_auth: bool = False
    #: What clients asked and got (``GET /mimic/v1.1/requests``); reset
    #: keeps it: it records traffic, not emulated state.
    journal: RequestJournal = attrs.field(factory=RequestJournal)
    clock: Any = attrs.field(init=False)
    #: The store behind :attr:`store`, None until a request first needs it.
    _store: Optional["SessionStore"] = attrs.field(init=False, default=None)

    def __attrs_post_init__(self) -> None:
        self.reset()

    @classmethod
    def from_plugins(
        cls,
        apis: Optional[Iterable[Any]] = None,
        realtime: bool = False,
        reactor: Any = None,
        seed: int = 0,
        regions: Iterable[str] = DEFAULT_REGIONS,
        plugin_regions: Optional[Mapping[str, Iterable[str]]] = None,
        options: Optional[Mapping[str, Any]] = None,
        strict_auth: bool = False,
        journal_size: int = DEFAULT_CAPACITY,
        journal_body_bytes: int = DEFAULT_BODY_BYTES,
    ) -> "MimicCore":
        """
        A core serving ``apis`` (by default every plugin found), each in
        ``regions`` unless ``plugin_regions`` names other regions for it.
        """
        if apis is None:
            apis = load_api_plugins()
        by_name = {api.name: api for api in apis}
        plugin_regions = dict(plugin_regions or {})
        unknown = sorted(set(plugin_regions) - set(by_name))
        if unknown:
            raise PluginError(
                f"--plugin-regions names no loaded plugin: {', '.join(unknown)} "
                f"(the plugins are: {', '.join(sorted(by_name))})"
            )
        default = tuple(regions)
        return cls(
            apis=by_name,
            regions={
                name: tuple(plugin_regions.get(name, default)) for name in by_name
            },
            realtime=realtime,
            seed=seed,
            reactor=reactor,
            options=dict(options or {}),
            strict_auth=strict_auth,
            journal=RequestJournal(journal_size, journal_body_bytes),
        )

    def reset(self) -> None:
        """Forget all state; a deterministic clock goes back to 0."""
        if self.realtime:
            if self.reactor is None:
                from twisted.internet import reactor

                self.reactor = reactor
            self.clock = self.reactor
        else:
            self.clock = Clock()
        self._store = None

    @property
    def store(self) -> "SessionStore":
        """
        All emulated state: a fresh store holds the profile's accounts.
        Made when first asked for, as reset would have made it (seeding
        reads no time, and :meth:`tick` asks for the store before it moves
        the clock), so that a start that serves nothing but ``GET /``
        imports no model (docs/performance.rst, start-up).
        """
        if self._store is None:
            from mimic.model.identity import SessionStore
            from mimic.model.identity.accounts import seed_accounts
            from mimic.model.identity.roles import admin_users

            store = SessionStore(clock=self.clock, ids=IdSource(self.seed),
                                 admin_users=admin_users(self.options),
                                 options=self.options)
            seed_accounts(store, profile_of(self.options).accounts)
            self._store = store
        return self._store

    @store.setter
    def store(self, store: "SessionStore") -> None:
        self._store = store

    def forget_tenant(self, tenant_id: str) -> bool:
        """
        Forget one tenant's data in every API (its servers, load balancers,
        networks...); its users and tokens stay. False if no such tenant.
        """
        tenant = self.store.known_tenant(tenant_id)
        if tenant is None:
            return False
        tenant.forget_api_data()
        return True

    def forget_api(self, name: str) -> None:
        """
        Forget one API's data in every tenant and its global data
        (behaviors included), through the keys the plugin says it owns
        (:class:`mimic.imimic.IStatefulAPI`).
        """
        owns = self.apis[name].owns_state
        for tenant in self.store.tenants():
            tenant.forget_api_data(owns)
        self.store.forget_global_data(owns)

    def tick(self, amount: float) -> float:
        """Advance the deterministic clock; returns the new time."""
        if self.realtime:
            raise RuntimeError("tick is off in realtime mode")
        # A store not made yet is made before the clock moves: at the time
        # the reset it stands for made it.
        self.store  # noqa: B018
        if not 0 <= amount <= MAX_CLOCK_SECONDS - self.clock.seconds():
            raise ValueError(f"the clock cannot move by {amount} seconds")
        self.clock.advance(amount)
        return self.clock.seconds()

    def catalog(self, tenant_id: str) -> list[tuple[str, Entry]]:
        """
        ``(service id, entry)`` pairs of every plugin's catalog entries for a
        tenant. Not cached here: Identity keeps the rendered catalogs (a
        bounded cache), and one entry list per tenant ever seen would cost
        several KB a user.
        """
        return [
            (name, entry)
            for name, api in self.apis.items()
            for entry in api.catalog_entries(tenant_id, self.regions[name])
        ]

    def resource_for(self, service_id: str, region: str, uri_prefix: str) -> Any:
        """The resource serving one API in one region, or None if not offered."""
        api = self.apis.get(service_id)
        if api is None or region not in self.regions[service_id]:
            return None
        return api.resource_for_region(region, uri_prefix, self.store)

    def presets(self) -> dict:
        """Every preset of every plugin that has them, keyed by plugin name."""
        return {
            name: api.presets()
            for name, api in self.apis.items()
            if IPresetProvider.providedBy(api)
        }
