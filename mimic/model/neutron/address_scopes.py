"""
Address scopes (Neutron's ``address-scope``): a named space of addresses
of one IP version that subnet pools join (``address_scope_id``), so that
the pools of one scope never overlap. A scope in use by a pool stays; a
``shared`` one (an admin's to make: the ``*`` RBAC entry, see :mod:`.rbac`)
is seen by every project, and one an RBAC entry shares with a project by
that project.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Optional

import attrs

from mimic.model.neutron.faults import BadRequest, Conflict, NotFound
from mimic.model.neutron.rbac import ACCESS_SHARED
from mimic.model.neutron.standard import Stamped


@attrs.define(eq=False)
class AddressScope(Stamped):
    id: str = ""
    name: str = ""
    tenant_id: str = ""
    ip_version: int = 4
    shared: bool = False


class AddressScopes:
    """The address scopes of :class:`~mimic.model.neutron.state.NetworkState`."""

    __slots__ = ()

    def visible_address_scopes(self) -> list[AddressScope]:
        """The project's scopes and the ones shared with it (or with every project)."""
        seen = dict(self.address_scopes)
        for other in self.region_networks.all_states():
            for scope in other.address_scopes.values():
                if scope.shared or self.shared_with_me(scope.id):
                    seen.setdefault(scope.id, scope)
        return list(seen.values())

    def address_scope(self, scope_id: str) -> AddressScope:
        """A scope the project sees (its own or a shared one)."""
        for scope in ([self.address_scopes[scope_id]] if scope_id in self.address_scopes
                      else self.visible_address_scopes()):
            if scope.id == scope_id:
                return scope
        raise NotFound(f"Address scope {scope_id} could not be found.",
                       "AddressScopeNotFound")

    def _own_address_scope(self, scope_id: str) -> AddressScope:
        scope = self.address_scope(scope_id)
        if scope.id not in self.address_scopes:
            raise NotFound(f"Address scope {scope_id} could not be found.",
                           "AddressScopeNotFound")
        return scope

    def create_address_scope(self, ip_version: Any, name: str = "",
                             shared: bool = False) -> AddressScope:
        if isinstance(ip_version, bool) or ip_version not in (4, 6):
            raise BadRequest(f"Invalid input for ip_version. Reason: {ip_version!r} is not in "
                             f"[4, 6].")
        now = self.now()
        scope = AddressScope(now, now, 0, id=self.ids.uuid(), name=name,
                             tenant_id=self.tenant_id, ip_version=ip_version)
        self.address_scopes[scope.id] = scope
        if shared:
            self.share_with_everyone(scope, "address_scope", ACCESS_SHARED, True)
        return scope

    def update_address_scope(self, scope_id: str, name: Optional[str] = None,
                             shared: Optional[bool] = None) -> AddressScope:
        scope = self._own_address_scope(scope_id)
        if shared is False and scope.shared:
            # Neutron: a shared scope cannot be made private again.
            raise BadRequest(f"Unable to update address scope {scope_id} : Shared address "
                             f"scope can't be unshared.", "AddressScopeUpdateError")
        if name is not None:
            scope.name = name
        if shared:
            self.share_with_everyone(scope, "address_scope", ACCESS_SHARED, True)
        scope.touch(self.now())
        return scope

    def delete_address_scope(self, scope_id: str) -> None:
        scope = self._own_address_scope(scope_id)
        for other in self.region_networks.all_states():
            if any(p.address_scope_id == scope.id for p in other.subnetpools.values()):
                raise Conflict(f"Unable to complete operation on address scope {scope_id}. "
                               f"There are one or more subnet pools in use on the address "
                               f"scope.", "AddressScopeInUse")
        del self.address_scopes[scope_id]
        self.forget_rbac_entries(scope_id)

    def check_pool_scope(self, pool: Any, scope_id: Optional[str], prefixes: list) -> None:
        """
        Whether a pool of ``prefixes`` may join ``scope_id``: the same IP
        version, and no overlap with the other pools of the scope.
        """
        if scope_id is None:
            return
        scope = self.address_scope(scope_id)
        version = ipaddress.ip_network(prefixes[0]).version
        if version != scope.ip_version:
            raise BadRequest(f"Illegal subnetpool association: subnetpool "
                             f"{pool.id if pool else ''} cannot be associated with address "
                             f"scope {scope_id} because subnetpool ip_version is not "
                             f"{scope.ip_version}.", "IllegalSubnetPoolIpVersionAssociation")
        mine = [ipaddress.ip_network(p) for p in prefixes]
        for other in self.region_networks.all_states():
            for other_pool in other.subnetpools.values():
                if other_pool is pool or other_pool.address_scope_id != scope_id:
                    continue
                if any(a.overlaps(ipaddress.ip_network(b)) for a in mine
                       for b in other_pool.prefixes):
                    raise BadRequest(f"Illegal subnetpool association: subnetpool "
                                     f"{pool.id if pool else ''} cannot associate with address "
                                     f"scope {scope_id} because its prefixes overlap those of "
                                     f"subnet pool {other_pool.id}.",
                                     "IllegalSubnetPoolAssociationToAddressScope")
