"""
Neutron's networking state for one tenant in one region: networks, subnets,
ports with their fixed IPs, security groups and their rules, floating IPs.

Every tenant has, in every region, the two networks every server gets: an
external ``public`` network (an IPv4 and an IPv6 subnet; floating IPs come
from it) and a ``private`` one (an IPv4 subnet, reachable from ``public`` by
an implicit router, so its ports can hold floating IPs), plus a ``default``
security group. A server's addresses are nothing but its ports: Nova calls
:meth:`NetworkState.attach_server` when it builds a server,
:meth:`NetworkState.addresses_for` to render ``addresses``, and the other
``*_server``/interface methods for ``server add/remove fixed ip|port|network|
security group``. Addresses are handed out by :class:`AddressPool` in O(1)
per allocation, so a tenant with tens of thousands of servers costs no
scans. Errors are :class:`NeutronFault` subclasses carrying Neutron's error
type name; this package knows nothing about HTTP.

One module per noun of Neutron's API: :mod:`.networks` (networks and
subnets), :mod:`.ports` and :mod:`.addresses` (ports and the addresses
they hold), :mod:`.security_groups`, :mod:`.routers` (routers and floating
IPs), :mod:`.rbac` (RBAC policies: who besides an owner reaches a network
or address scope), :mod:`.tags`, :mod:`.servers` (what Nova asks for);
:mod:`.state` puts them together in :class:`NetworkState`, and
:mod:`.flavors` holds the region's service flavors and profiles, which
belong to no project. The names below are the package's
public surface, importable from ``mimic.model.neutron`` itself.
"""

from mimic.model.neutron.addresses import MAC_PREFIX, AddressPool, FixedIp
from mimic.model.neutron.faults import (
    BadRequest,
    Conflict,
    Forbidden,
    NeutronFault,
    NotFound,
    PoolExhausted,
)
from mimic.model.neutron.networks import (
    PRIVATE_IPV4_CIDR,
    PRIVATE_NETWORK_ID,
    PUBLIC_IPV4_CIDR,
    PUBLIC_IPV6_CIDR,
    PUBLIC_NETWORK_ID,
    Network,
    Subnet,
)
from mimic.model.neutron.ports import (
    COMPACT_MAC_TAGS,
    COMPACT_PORT_ID_MASKS,
    COMPUTE_OWNER,
    Port,
    PortTable,
)
from mimic.model.neutron.rbac import RbacPolicy
from mimic.model.neutron.routers import FloatingIp, Route, Router
from mimic.model.neutron.security_groups import (
    PROTOCOL_NAMES,
    SecurityGroup,
    SecurityGroupRule,
)
from mimic.model.neutron.servers import NetworkRequest
from mimic.model.neutron.standard import Stamped
from mimic.model.neutron.state import NetworkState, network_state
from mimic.model.neutron.subnetpools import SubnetPool
from mimic.model.neutron.trunks import Trunk

__all__ = [
    "AddressPool", "BadRequest", "COMPACT_MAC_TAGS", "COMPACT_PORT_ID_MASKS",
    "COMPUTE_OWNER", "Conflict", "FixedIp", "FloatingIp", "Forbidden", "MAC_PREFIX",
    "Network", "NetworkRequest", "NetworkState", "NeutronFault", "NotFound",
    "PRIVATE_IPV4_CIDR", "PRIVATE_NETWORK_ID", "PROTOCOL_NAMES", "PUBLIC_IPV4_CIDR",
    "PUBLIC_IPV6_CIDR", "PUBLIC_NETWORK_ID", "PoolExhausted", "Port", "PortTable",
    "RbacPolicy", "Route",
    "Router",
    "SecurityGroup", "SecurityGroupRule", "Stamped", "Subnet", "SubnetPool",
    "Trunk", "network_state",
]
