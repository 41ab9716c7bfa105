"""
Domains and tenants (Keystone's projects): the namespaces users live in and
the units that own every API's resources.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, TypeVar

import attrs

T = TypeVar("T")

#: The domain every user and project belongs to unless told otherwise
#: (Keystone's own default domain; v2.0 has no domains and uses it).
DEFAULT_DOMAIN_ID = "default"
DEFAULT_DOMAIN_NAME = "Default"

#: How deep a project hierarchy is followed, to show it or to inherit
#: roles down it (Keystone's ``max_project_tree_depth`` defaults to 5;
#: Mimic follows up to 64).
MAX_HIERARCHY_DEPTH = 64


@attrs.define(eq=False)
class Domain:
    """An Identity v3 domain: the namespace of users and projects."""

    id: str
    name: str
    description: str = ""
    enabled: bool = True
    #: Properties an operator set beyond Keystone's own (Keystone keeps them).
    extra: Optional[dict] = None
    #: Its domain-specific configuration (a
    #: :class:`~mimic.model.identity.domain_config.DomainConfig`), once set.
    config: Any = None


@attrs.define(eq=False)
class Tenant:
    """
    A tenant (project): the unit that owns servers, load balancers, ...

    Its per-API state is made on first use: most tenants (one per user
    who only ever authenticates) never hold any, and then cost no dict.
    """

    id: str
    name: str
    _api_data: Optional[dict] = None
    domain_id: str = DEFAULT_DOMAIN_ID
    #: What Keystone v3 lets an operator set on a project; Mimic's own
    #: tenants keep the defaults (and share the empty ones).
    description: str = ""
    enabled: bool = True
    parent_id: Optional[str] = None
    is_domain: bool = False
    tags: tuple = ()
    extra: Optional[dict] = None

    def forgotten(self) -> None:
        """
        This tenant was made for one request and is dropped: API state that
        registered it somewhere shared (a region's list of projects) says
        so through its ``forgotten`` method, so nothing outlives the tenant.
        """
        for data in (self._api_data or {}).values():
            forget = getattr(data, "forgotten", None)
            if callable(forget):
                forget()

    def data_for_api(self, key: Any, factory: Callable[[], T]) -> T:
        """
        This tenant's state for one API (``key`` is the API's choice, often
        ``(api name, region)``), made by ``factory`` on first use.
        """
        if self._api_data is None:
            self._api_data = {}
        try:
            return self._api_data[key]
        except KeyError:
            data = self._api_data[key] = factory()
            return data

    def forget_api_data(self, which: Optional[Callable[[Any], bool]] = None) -> None:
        """Forget the API data whose key ``which`` accepts (all by default)."""
        if self._api_data is None:
            return
        for key in [k for k in self._api_data if which is None or which(k)]:
            del self._api_data[key]

    def api_data(self) -> dict:
        """Every API's state of this tenant, by key (for snapshots)."""
        return self._api_data if self._api_data is not None else {}

    def known_data_for_api(self, key: Any) -> Optional[Any]:
        """This tenant's state for one API if it was ever made (makes nothing)."""
        return self._api_data.get(key) if self._api_data is not None else None
