"""
RBAC policies (Neutron's ``rbac-policies``): an entry that lets a project
(``target_tenant``, or ``*`` for every project) reach an object another
project owns. ``access_as_shared`` on a network lets the target see it and
make ports on it, ``access_as_external`` lets it see it as an external
network (router gateways, floating IPs); ``access_as_shared`` on an
address scope lets the target see it and make subnet pools in it.

A network's ``shared`` and ``router:external`` are entries too, as in
Neutron: making a network ``shared`` creates the ``*`` ``access_as_shared``
entry (unsharing deletes it), making it external the ``*``
``access_as_external`` one; an ``access_as_external`` entry makes its
network external, and deleting the last one makes it internal again.
An entry whose target still depends on it (ports, router gateways or
floating IPs on the network, that no other entry covers) stays: 409
``RbacPolicyInUse``. Deleting a network deletes its entries.

From github:openstack/neutron neutron/db/rbac_db_mixin.py (create, update,
delete, the ``RbacPolicyNotFound`` of an unknown id),
neutron/db/db_base_plugin_v2.py ``_validate_network_rbac_policy_change``
and ``ensure_no_project_ports_on_network``, neutron/db/external_net_db.py
(the ``access_as_external`` callbacks), neutron/objects/rbac_db.py (the
other object types), neutron/db/rbac_db_models.py (the actions of each
type, ``InvalidActionForType``), neutron/extensions/rbac.py (the messages,
``target_tenant`` a UUID or ``*``). The entries of a region are held by
:class:`~mimic.model.neutron.region.RegionNetworks`; this module is the
rules, as a part of :class:`~mimic.model.neutron.state.NetworkState`.
"""

from __future__ import annotations

import uuid
from typing import Any, Callable, Iterable, Optional

import attrs

from mimic.model.neutron.faults import BadRequest, Conflict, Forbidden, NotFound

ACCESS_SHARED = "access_as_shared"
ACCESS_EXTERNAL = "access_as_external"

#: The object types Mimic's RBAC takes and the actions of each (Neutron's
#: ``get_valid_actions`` of each RBAC table, in its order).
VALID_ACTIONS = {
    "network": (ACCESS_SHARED, ACCESS_EXTERNAL),
    "address_scope": (ACCESS_SHARED,),
}


@attrs.define(eq=False)
class RbacPolicy:
    """One entry: ``target_tenant`` may reach ``object_id`` as ``action`` says."""

    id: str
    tenant_id: str
    object_type: str
    object_id: str
    action: str
    target_tenant: str


def valid_target(target: Any, known_project: Callable[[str], bool]) -> str:
    """
    ``*`` or a project id written as a UUID (with or without dashes), as
    neutron's ``_validate_valid_target_project`` takes it, or the id of a
    project Mimic knows (``known_project``): the projects Mimic makes on
    first authentication have their names for ids.
    """
    if target == "*":
        return target
    try:
        if not isinstance(target, str) or len(target) > 255:
            raise ValueError(target)
        if not known_project(target):
            uuid.UUID(target)
    except ValueError:
        raise BadRequest(f"Invalid input for operation: '{target}' is not a valid target "
                         f"project ID; expected a UUID or '*'.", "InvalidInput") from None
    return target


def object_type_of(value: Any) -> str:
    """Neutron's ``convert_valid_object_type``: trimmed, lower case, a known type."""
    normalized = value.strip().lower() if isinstance(value, str) else value
    if normalized not in VALID_ACTIONS:
        raise BadRequest(f"Invalid input for operation: '{value}' is not a valid RBAC object "
                         f"type.", "InvalidInput")
    return normalized


class RbacPolicies:
    """The RBAC entries of :class:`~mimic.model.neutron.state.NetworkState`."""

    __slots__ = ()

    # what a project may read

    def rbac_policies(self, admin: bool) -> list[RbacPolicy]:
        """An admin sees every entry of the region; a project the ones it owns."""
        entries = self.region_networks.rbac_policies.values()
        return [e for e in entries if admin or e.tenant_id == self.tenant_id]

    def rbac_policy(self, policy_id: str, admin: bool) -> RbacPolicy:
        entry = self.region_networks.rbac_policies.get(policy_id)
        if entry is None:
            raise NotFound(f"RBAC policy of type unknown with ID {policy_id} not found",
                           "RbacPolicyNotFound")
        if not admin and entry.tenant_id != self.tenant_id:
            # Neutron's API layer hides what policy does not let one see.
            raise NotFound("The resource could not be found.", "HTTPNotFound")
        return entry

    def owns_rbac_quota(self) -> int:
        """How many entries the project owns (its ``rbac_policy`` quota usage)."""
        return sum(1 for e in self.region_networks.rbac_policies.values()
                   if e.tenant_id == self.tenant_id)

    # changes

    def create_rbac_policy(self, object_type: Any, object_id: Any, action: Any,
                           target_tenant: Any, admin: bool,
                           known_project: Callable[[str], bool] = lambda _: False
                           ) -> RbacPolicy:
        """
        An entry owned by this project, on an object it owns (or any
        object, for an admin). Only an admin may target ``*`` (Neutron's
        ``create_rbac_policy:target_tenant``).
        """
        object_type = object_type_of(object_type)
        if not isinstance(action, str) or action not in VALID_ACTIONS[object_type]:
            raise BadRequest(f"Invalid input for operation: Invalid action '{action}' for "
                             f"object type '{object_type}'. Valid actions: "
                             f"{VALID_ACTIONS[object_type]}", "InvalidActionForType")
        target = valid_target(target_tenant, known_project)
        if target == "*" and not admin:
            raise Forbidden("(rule:create_rbac_policy and rule:create_rbac_policy:"
                            "target_tenant) is disallowed by policy", "PolicyNotAuthorized")
        owner, thing = self._rbac_object(object_type, object_id, admin)
        if any(e.object_id == thing.id and e.action == action and e.target_tenant == target
               for e in self.region_networks.rbac_policies.values()):
            raise Conflict("An RBAC policy already exists with those values.",
                           "DuplicateRbacPolicy")
        self.check_quota("rbac_policy")
        entry = RbacPolicy(self.ids.uuid(), self.tenant_id, object_type, thing.id, action,
                           target)
        owner._add_rbac_entry(thing, entry)
        return entry

    def update_rbac_policy(self, policy_id: str, target_tenant: Any, admin: bool,
                           known_project: Callable[[str], bool] = lambda _: False
                           ) -> RbacPolicy:
        """A new target: the old one must not depend on the entry."""
        entry = self.rbac_policy(policy_id, admin)
        target = valid_target(target_tenant, known_project)
        if target == "*" and not admin:
            raise Forbidden("(rule:update_rbac_policy and rule:update_rbac_policy:"
                            "target_tenant) is disallowed by policy", "PolicyNotAuthorized")
        if target == entry.target_tenant:
            return entry
        if any(e.object_id == entry.object_id and e.action == entry.action
               and e.target_tenant == target
               for e in self.region_networks.rbac_policies.values()):
            raise Conflict("An RBAC policy already exists with those values.",
                           "DuplicateRbacPolicy")
        owner, thing = self._rbac_object(entry.object_type, entry.object_id, True)
        owner._check_rbac_losers(thing, [e for e in self._entries_of(thing.id)
                                         if e is not entry]
                                 + [attrs.evolve(entry, target_tenant=target)], entry)
        entry.target_tenant = target
        owner._rbac_changed(thing)
        return entry

    def delete_rbac_policy(self, policy_id: str, admin: bool) -> None:
        entry = self.rbac_policy(policy_id, admin)
        owner, thing = self._rbac_object(entry.object_type, entry.object_id, True)
        owner._check_rbac_losers(thing, [e for e in self._entries_of(thing.id)
                                         if e is not entry], entry)
        del self.region_networks.rbac_policies[entry.id]
        if entry.object_type == "network" and entry.action == ACCESS_EXTERNAL and not any(
                e.action == ACCESS_EXTERNAL for e in self._entries_of(thing.id)):
            thing.external = False
        owner._rbac_changed(thing)

    # what the other nouns call

    def share_with_everyone(self, thing: Any, object_type: str, action: str,
                            wanted: bool) -> None:
        """
        Add (``wanted``) or drop the ``*`` entry of ``action`` on ``thing``,
        as making a network shared or external does; dropping it is refused
        (409 ``InvalidSharedSetting``) while a project depends on it.
        """
        held = [e for e in self._entries_of(thing.id)
                if e.action == action and e.target_tenant == "*"]
        if wanted and not held:
            self._add_rbac_entry(thing, RbacPolicy(self.ids.uuid(), thing.tenant_id,
                                                   object_type, thing.id, action, "*"))
        elif not wanted:
            dropped = self._unsharing(thing, [action])
            self.check_unsharing(thing, [action])
            for e in dropped:
                del self.region_networks.rbac_policies[e.id]
            if action == ACCESS_EXTERNAL:
                thing.external = False
            self._rbac_changed(thing)

    def check_unsharing(self, thing: Any, actions: Iterable[str]) -> None:
        """Whether ``share_with_everyone(thing, ..., action, False)`` of every action may be."""
        dropped = self._unsharing(thing, actions)
        if dropped:
            self._check_rbac_losers(thing, [e for e in self._entries_of(thing.id)
                                            if e not in dropped], None)

    def _unsharing(self, thing: Any, actions: Iterable[str]) -> list[RbacPolicy]:
        """
        The entries unsharing drops: the ``*`` one of ``access_as_shared``
        (Neutron's ``shared: false``), every ``access_as_external`` one
        (``router:external: false``).
        """
        actions = set(actions)
        return [e for e in self._entries_of(thing.id) if e.action in actions and (
            e.target_tenant == "*" or e.action == ACCESS_EXTERNAL)]

    def forget_rbac_entries(self, object_id: str) -> None:
        """The object is gone: so are its entries (Neutron's ``ondelete=CASCADE``)."""
        entries = self.region_networks.rbac_policies
        for entry in [e for e in entries.values() if e.object_id == object_id]:
            del entries[entry.id]

    def shared_with_me(self, object_id: str) -> bool:
        """
        Neutron's ``shared`` as this project sees an object: an
        ``access_as_shared`` entry targets ``*`` or this project.
        """
        return any(e.action == ACCESS_SHARED and e.target_tenant in ("*", self.tenant_id)
                   for e in self._entries_of(object_id))

    def rbac_targets(self, object_id: str) -> set[str]:
        """The projects (``*``: all) some entry lets reach the object."""
        return {e.target_tenant for e in self._entries_of(object_id)}

    # the parts

    def _entries_of(self, object_id: str) -> list[RbacPolicy]:
        return [e for e in self.region_networks.rbac_policies.values()
                if e.object_id == object_id]

    def _rbac_object(self, object_type: str, object_id: Any, admin: bool) -> tuple:
        """The owner's state and the object, if the caller may put entries on it."""
        if not isinstance(object_id, str) or not object_id:
            raise BadRequest(f"Invalid input for object_id. Reason: '{object_id}' is not a "
                             f"valid UUID.")
        table = {"network": "networks", "address_scope": "address_scopes"}[object_type]
        owner = self.region_networks.holder(table, object_id) if admin else None
        if owner is None:
            owner = self
        if object_type == "network":
            thing = owner.network(object_id)
        else:
            thing = owner.address_scope(object_id)
        if getattr(thing, "builtin", False):
            raise Forbidden(f"Mimic's profile network {object_id} is shared by the profile; "
                            f"its RBAC entries are not emulated.", "PolicyNotAuthorized")
        if thing.tenant_id != self.tenant_id and not admin:
            noun = "networks" if object_type == "network" else "objects"
            raise BadRequest(f"Invalid input for operation: Only admins can manipulate "
                             f"policies on {noun} they do not own.", "InvalidInput")
        if thing.tenant_id != owner.tenant_id:
            owner = self.region_networks.states.get(thing.tenant_id, owner)
        return owner, thing

    def _add_rbac_entry(self, thing: Any, entry: RbacPolicy) -> None:
        self.region_networks.rbac_policies[entry.id] = entry
        if entry.object_type == "network" and entry.action == ACCESS_EXTERNAL:
            # Neutron makes the network external when an entry asks for it.
            thing.external = True
        self._rbac_changed(thing)

    def _rbac_changed(self, thing: Any) -> None:
        """Show the object to exactly the projects its entries name."""
        if hasattr(thing, "subnet_ids"):
            thing.shared = any(e.action == ACCESS_SHARED and e.target_tenant == "*"
                               for e in self._entries_of(thing.id))
            self.region_networks.reach(thing, self, self.rbac_targets(thing.id))
        else:
            thing.shared = any(e.target_tenant == "*" for e in self._entries_of(thing.id))

    def _check_rbac_losers(self, thing: Any, remaining: Iterable[RbacPolicy],
                           entry: Optional[RbacPolicy]) -> None:
        """
        Refuse a change after which a project that depends on ``thing`` (a
        network: ports, router gateways or floating IPs on it) would no
        longer reach it. ``entry`` is the entry going (None: a ``shared``
        or ``router:external`` update).
        """
        targets = {e.target_tenant for e in remaining}
        for user in self._dependants(thing):
            if "*" in targets or user in targets:
                continue
            if entry is None and hasattr(thing, "subnet_ids"):
                raise Conflict(f"Unable to reconfigure sharing settings for network "
                               f"{thing.id}. Multiple tenants are using it.",
                               "InvalidSharedSetting")
            target = "*" if entry is None else entry.target_tenant
            raise Conflict(f"RBAC policy on object {thing.id} cannot be removed because other "
                           f"objects depend on it.\nDetails: project_id={target}",
                           "RbacPolicyInUse")

    def _dependants(self, thing: Any) -> list[str]:
        """
        The other projects that need to reach ``thing``: for a network, the
        ones with ports, router gateways or floating IPs on it; for an
        address scope, the ones with subnet pools in it (Neutron's
        ``get_bound_project_ids``).
        """
        if hasattr(thing, "subnet_ids"):
            return self.region_networks.users_of(thing.id, self)
        return [s.tenant_id for s in self.region_networks.all_states()
                if s.tenant_id != thing.tenant_id and any(
                    p.address_scope_id == thing.id for p in s.subnetpools.values())]
