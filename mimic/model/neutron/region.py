"""
What the projects of one region share in Neutron: the networks RBAC
entries open to other projects (an admin's ``shared`` or
``router:external`` networks open to every project; see
:mod:`.rbac`), with their subnets, the RBAC entries themselves, and the
networking state of every project, which an admin's requests reach across
projects.

A published network is one :class:`~mimic.model.neutron.networks.Network`
object (and its :class:`~mimic.model.neutron.networks.Subnet` objects, with
their address pools) held in every project's tables at once, so what its
owner changes every project sees, and the addresses any project takes
come from the one pool. Each project keeps its own ports on it.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

import attrs


@attrs.define(eq=False)
class RegionNetworks:
    """The published networks and the project states of one region."""

    #: Project id to its :class:`~mimic.model.neutron.state.NetworkState`.
    states: dict = attrs.field(factory=dict)
    #: Published network id to the network; subnet id to its subnet.
    networks: dict = attrs.field(factory=dict)
    subnets: dict = attrs.field(factory=dict)
    #: Published network id to the projects that see it (``*``: all).
    audiences: dict = attrs.field(factory=dict)
    #: RBAC entry id to the :class:`~mimic.model.neutron.rbac.RbacPolicy`.
    rbac_policies: dict = attrs.field(factory=dict)

    def register(self, state: Any) -> None:
        """A project's state, new: it sees the published networks opened to it."""
        self.states[state.tenant_id] = state
        for network in self.networks.values():
            if self._reaches(network.id, state.tenant_id):
                self._show_in(state, network)

    def _reaches(self, network_id: str, tenant_id: str) -> bool:
        audience = self.audiences.get(network_id, ())
        return "*" in audience or tenant_id in audience

    def unregister(self, state: Any) -> None:
        """A project's state, dropped with its tenant (made for one read)."""
        if self.states.get(state.tenant_id) is state:
            del self.states[state.tenant_id]

    def all_states(self) -> Iterator[Any]:
        return iter(list(self.states.values()))

    def holder(self, table: str, key: str) -> Optional[Any]:
        """The project state whose ``table`` (``routers``...) holds ``key`` as its own."""
        for state in self.states.values():
            thing = getattr(state, table).get(key) if table != "ports" else (
                state.ports[key] if key in state.ports else None)
            if thing is not None and getattr(thing, "tenant_id", state.tenant_id) \
                    == state.tenant_id:
                return state
        return None

    def reach(self, network: Any, owner: Any, audience: set) -> None:
        """
        ``network`` (of ``owner``'s state) becomes visible to exactly the
        projects of ``audience`` (``*``: every project) besides its owner.
        """
        audience = set(audience) - {owner.tenant_id}
        if not audience:
            self.withdraw(network, owner)
            return
        self.audiences[network.id] = audience
        if network.id not in self.networks:
            self.networks[network.id] = network
            for subnet_id in network.subnet_ids:
                self.subnets[subnet_id] = owner.subnets[subnet_id]
        for state in self.states.values():
            if state is owner:
                continue
            if self._reaches(network.id, state.tenant_id):
                self._show_in(state, network)
            else:
                self._hide_from(state, network)

    def withdraw(self, network: Any, owner: Any) -> None:
        """``network`` is its owner's alone again (or gone)."""
        self.audiences.pop(network.id, None)
        if self.networks.pop(network.id, None) is None:
            return
        for subnet_id in network.subnet_ids:
            self.subnets.pop(subnet_id, None)
        for state in self.states.values():
            if state is not owner:
                self._hide_from(state, network)

    def users_besides(self, network_id: str, owner: Any) -> list[str]:
        """The other projects holding ports on a network."""
        return [s.tenant_id for s in self.states.values()
                if s is not owner and s._ports_by_network.get(network_id)]

    def users_of(self, network_id: str, owner: Any) -> list[str]:
        """
        The other projects that depend on reaching a network: ports,
        router gateways or floating IPs on it.
        """
        return [s.tenant_id for s in self.states.values() if s is not owner and (
            s._ports_by_network.get(network_id)
            or any(r.gateway_network_id == network_id for r in s.routers.values())
            or any(f.floating_network_id == network_id for f in s.floating_ips.values()))]

    def subnet_added(self, subnet: Any) -> None:
        if subnet.network_id not in self.networks:
            return
        self.subnets[subnet.id] = subnet
        network = self.networks[subnet.network_id]
        for state in self.states.values():
            if state.networks.get(network.id) is network:
                state.subnets[subnet.id] = subnet

    def subnet_removed(self, subnet: Any) -> None:
        if self.subnets.pop(subnet.id, None) is None:
            return
        for state in self.states.values():
            state.subnets.pop(subnet.id, None)

    def _hide_from(self, state: Any, network: Any) -> None:
        if state.networks.get(network.id) is not network:
            return
        state.networks.pop(network.id, None)
        for subnet_id in network.subnet_ids:
            state.subnets.pop(subnet_id, None)
        if not state._ports_by_network.get(network.id):
            state._ports_by_network.pop(network.id, None)

    def _show_in(self, state: Any, network: Any) -> None:
        state.networks[network.id] = network
        for subnet_id in network.subnet_ids:
            state.subnets[subnet_id] = self.subnets[subnet_id]
        state._ports_by_network.setdefault(network.id, {})
