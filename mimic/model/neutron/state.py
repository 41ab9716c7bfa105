"""
One tenant's networking in one region, :class:`NetworkState`: the tables
of every resource, and the methods of each of Neutron's nouns, which live
with their noun's module (networks, ports, security groups, routers and
floating IPs, and what Nova asks for).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import attrs

from mimic.model.neutron.address_scopes import AddressScopes
from mimic.model.neutron.faults import NeutronFault
from mimic.model.neutron.networks import (
    DEVSTACK_NETWORKS,
    PRIVATE_NETWORK_ID,
    PUBLIC_NETWORK_ID,
    RACKSPACE_NETWORKS,
    Network,
    NetworksAndSubnets,
    Subnet,
)
from mimic.model.neutron.ports import Port, Ports, PortTable
from mimic.model.neutron.quotas import Quotas
from mimic.model.neutron.rbac import RbacPolicies
from mimic.model.neutron.region import RegionNetworks
from mimic.model.neutron.routers import RoutersAndFloatingIps
from mimic.model.neutron.security_groups import SecurityGroups
from mimic.model.neutron.servers import Servers
from mimic.model.neutron.subnetpools import SubnetPools
from mimic.model.neutron.tags import Tags
from mimic.model.neutron.trunks import Trunks
from mimic.util import iso_time


@attrs.define(eq=False)
class NetworkState(NetworksAndSubnets, Ports, SecurityGroups, RoutersAndFloatingIps,
                   SubnetPools, AddressScopes, RbacPolicies, Trunks, Tags, Quotas, Servers):
    """
    One tenant's networking in one region. Get it with :func:`network_state`.

    The API Nova uses (all take a server id; all raise :class:`NeutronFault`
    subclasses and change nothing when they do):

    - :meth:`attach_server` when a server is created: ports on ``public``
      (an IPv4 and an IPv6 address) and ``private`` (an IPv4 address), or on
      the networks/ports the request names; :meth:`detach_server` when it is
      deleted.
    - :meth:`addresses_for`: the server's ``addresses`` in Nova's shape.
    - :meth:`ports_of`, :meth:`attach_interface`, :meth:`detach_interface`:
      ``os-interface`` (``server add/remove port|network``, ``add fixed ip``
      with microversion 2.49+).
    - :meth:`add_fixed_ip`, :meth:`remove_fixed_ip`: the ``addFixedIp`` and
      ``removeFixedIp`` actions.
    - :meth:`add_security_group`, :meth:`remove_security_group`,
      :meth:`security_groups_of`: ``server add/remove security group`` and
      the server's ``security_groups``.
    """

    tenant_id: str
    region: str
    clock: Any
    ids: Any
    networks: dict = attrs.field(factory=dict)
    subnets: dict = attrs.field(factory=dict)
    ports: PortTable = attrs.field(init=False)
    security_groups: dict = attrs.field(factory=dict)
    rules: dict = attrs.field(factory=dict)
    floating_ips: dict = attrs.field(factory=dict)
    routers: dict = attrs.field(factory=dict)
    subnetpools: dict = attrs.field(factory=dict)
    address_scopes: dict = attrs.field(factory=dict)
    trunks: dict = attrs.field(factory=dict)
    #: Subnet id to the router interface port holding its gateway address.
    _gateway_ports: dict = attrs.field(factory=dict)
    _ports_by_device: dict = attrs.field(factory=dict)
    _ports_by_network: dict = attrs.field(factory=dict)
    _macs: set = attrs.field(factory=set)
    _group_port_counts: dict = attrs.field(factory=dict)
    _floating_by_port: dict = attrs.field(factory=dict)
    _device_revisions: dict = attrs.field(factory=dict)
    _now: tuple = attrs.field(default=(None, ""), repr=False)
    #: Servers whose ports are still compact: server id to ``[serial,
    #: created, public, private]`` (public: IPv4 offset | IPv6 offset << 20
    #: in their pools; private: IPv4 offset). See :meth:`place_server`.
    _compact: dict = attrs.field(factory=dict, repr=False)
    _serial: int = 0
    _out_of_order: bool = False
    #: Counts every change to what a server shows of its networking (its
    #: ports, their addresses and groups, floating IPs on them).
    changes: int = 0
    #: What the region's projects share (see :mod:`.region`).
    region_networks: RegionNetworks = attrs.field(factory=RegionNetworks, repr=False)
    #: Quotas an admin set for this project (resource to limit).
    quota_overrides: dict = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        self.ports = PortTable(self)

    @classmethod
    def create(cls, tenant_id: str, region: str, clock: Any, ids: Any,
               shared_pools: Optional[dict] = None, profile: str = "rackspace",
               owners: Optional[dict] = None,
               region_networks: Optional[RegionNetworks] = None) -> "NetworkState":
        """
        The state a project starts with: its profile's networks and the
        ``default`` group (and, for devstack's ``demo``, its ``router1``).
        ``shared_pools`` (CIDR to :class:`AddressPool`, filled on first use)
        lets every project of a region draw from the same pools, so that no
        two are handed the same address; ``owners`` maps the profile's
        project names to their ids; ``region_networks`` is what the
        region's projects share.
        """
        state = cls(tenant_id, region, clock, ids)
        if region_networks is not None:
            state.region_networks = region_networks
        pools = {} if shared_pools is None else shared_pools
        owners = owners or {}
        layout = DEVSTACK_NETWORKS if profile == "devstack" else RACKSPACE_NETWORKS
        for builtin in layout:
            owner = tenant_id if builtin.owner is None else owners.get(builtin.owner,
                                                                       builtin.owner)
            state._add_network(builtin, owner, pools)
        state.create_security_group("default", "Default security group", _default=True)
        if profile == "devstack" and tenant_id == owners.get("demo", "demo"):
            state._devstack_router()
        state.region_networks.register(state)
        return state

    def forgotten(self) -> None:
        """Its tenant was made for one request and dropped: leave the region."""
        self.region_networks.unregister(self)

    def _devstack_router(self) -> None:
        """
        devstack's ``router1`` (``Q_ROUTER_NAME``): its gateway on
        ``public``, its interfaces on ``private``'s subnets.
        """
        router = self.create_router("router1", gateway={"network_id": PUBLIC_NETWORK_ID})
        for subnet_id in self.networks[PRIVATE_NETWORK_ID].subnet_ids:
            self.add_router_interface(router.id, subnet_id=subnet_id)

    def now(self) -> str:
        # One string per clock second, shared by every record stamped then
        # (the clock stands still while tests make thousands of ports).
        seconds = self.clock.seconds()
        if self._now[0] != seconds:
            self._now = (seconds, iso_time(seconds, microseconds=False))
        return self._now[1]

    # bulk creates: all or nothing, as Neutron's are

    def create_networks(self, requests: Sequence[dict]) -> list[Network]:
        """Every network ``requests`` asks for (``create_network`` arguments), or none."""
        return self._all_or_none(self.create_network, self.delete_network, requests)

    def create_subnets(self, requests: Sequence[dict]) -> list[Subnet]:
        """Every subnet ``requests`` asks for (``create_subnet`` arguments), or none."""
        return self._all_or_none(self.create_subnet, self.delete_subnet, requests)

    def create_ports(self, requests: Sequence[dict]) -> list[Port]:
        """Every port ``requests`` asks for (``create_port`` arguments), or none."""
        return self._all_or_none(self.create_port, self.delete_port, requests)

    def _all_or_none(self, create: Any, delete: Any, requests: Sequence[dict]) -> list:
        """
        Make each of ``requests`` in order; if one is refused, delete what
        was made (releasing its addresses and MACs) and put back the stamps
        of the networks it touched, then raise the refusal.
        """
        touched = {r.get("network_id") for r in requests} & self.networks.keys()
        stamps = [(self.networks[n], self.networks[n].updated_at,
                   self.networks[n].revision_number) for n in touched]
        made: list = []
        try:
            for request in requests:
                made.append(create(**request))
        except NeutronFault:
            for thing in reversed(made):
                delete(thing.id)
            for network, updated_at, revision_number in stamps:
                network.updated_at, network.revision_number = updated_at, revision_number
            raise
        return made


def network_state(store: Any, tenant_id: str, region: str) -> NetworkState:
    """
    The networking of ``tenant_id`` in ``region``, made on first use; the
    projects of a region share the address pools of the profile's
    networks, as the projects of a cloud share its addresses, and see the
    networks an admin published (:class:`RegionNetworks`).
    """
    pools = store.data_for_api(("neutron-shared-pools", region), dict)
    shared = store.data_for_api(("neutron-region", region), RegionNetworks)
    profile = (getattr(store, "options", None) or {}).get("profile") or "rackspace"

    def made() -> NetworkState:
        owners = {}
        if profile == "devstack":
            for name in ("admin", "demo"):
                found = store.find_tenant_named(name)
                owners[name] = found.id if found is not None else name
        return NetworkState.create(tenant_id, region, store.clock, store.ids, pools,
                                   profile=profile, owners=owners, region_networks=shared)

    return store.tenant(tenant_id).data_for_api(("neutron", region), made)
