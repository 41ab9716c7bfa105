"""
What the projects of one region share in Neutron: the networks an admin
made ``shared`` or ``router:external`` (every project sees them, makes
ports on the shared ones and floating IPs and router gateways on the
external ones), with their subnets, and the networking state of every
project, which an admin's requests reach across projects.

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

    def register(self, state: Any) -> None:
        """A project's state, new: it sees every published network."""
        self.states[state.tenant_id] = state
        for network in self.networks.values():
            self._show_in(state, network)

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

    def publish(self, network: Any, owner: Any) -> None:
        """``network`` (of ``owner``'s state) becomes visible to every project."""
        if network.id in self.networks:
            return
        self.networks[network.id] = network
        for subnet_id in network.subnet_ids:
            self.subnets[subnet_id] = owner.subnets[subnet_id]
        for state in self.states.values():
            self._show_in(state, network)

    def withdraw(self, network: Any, owner: Any) -> None:
        """``network`` is its owner's alone again (or gone)."""
        if self.networks.pop(network.id, None) is None:
            return
        for subnet_id in network.subnet_ids:
            self.subnets.pop(subnet_id, None)
        for state in self.states.values():
            if state is owner:
                continue
            state.networks.pop(network.id, None)
            for subnet_id in network.subnet_ids:
                state.subnets.pop(subnet_id, None)
            if not state._ports_by_network.get(network.id):
                state._ports_by_network.pop(network.id, None)

    def users_besides(self, network_id: str, owner: Any) -> list[str]:
        """The other projects holding ports on a network."""
        return [s.tenant_id for s in self.states.values()
                if s is not owner and s._ports_by_network.get(network_id)]

    def subnet_added(self, subnet: Any) -> None:
        if subnet.network_id not in self.networks:
            return
        self.subnets[subnet.id] = subnet
        for state in self.states.values():
            state.subnets[subnet.id] = subnet

    def subnet_removed(self, subnet: Any) -> None:
        if self.subnets.pop(subnet.id, None) is None:
            return
        for state in self.states.values():
            state.subnets.pop(subnet.id, None)

    def _show_in(self, state: Any, network: Any) -> None:
        state.networks[network.id] = network
        for subnet_id in network.subnet_ids:
            state.subnets[subnet_id] = self.subnets[subnet_id]
        state._ports_by_network.setdefault(network.id, {})
