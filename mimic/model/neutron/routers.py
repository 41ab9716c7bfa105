"""
Routers and floating IPs. A router has an external gateway (an address on
an external network) and interfaces (ports on the tenant's subnets, at
their gateway addresses by default), and static ``routes`` through those
subnets. A floating IP drawn from an external network can be associated
with a port only if a router connects the port's subnet to that network,
as in Neutron; the ``private`` network every tenant has is connected to
``public`` by an implicit router (Rackspace's ServiceNet), which shows no
``router_id``.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Optional, Sequence

import attrs

from mimic.model.neutron.addresses import FixedIp, valid_ip
from mimic.model.neutron.faults import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PoolExhausted,
    found,
)
from mimic.model.neutron.ports import ROUTER_INTERFACE_OWNER, Port
from mimic.model.neutron.standard import Stamped

#: How many static routes a router takes (Neutron's ``max_routes``).
MAX_ROUTES = 30


@attrs.define(eq=False)
class FloatingIp(Stamped):
    id: str = ""
    tenant_id: str = ""
    floating_network_id: str = ""
    floating_ip_address: str = ""
    port_id: Optional[str] = None
    fixed_ip_address: Optional[str] = None
    description: str = ""
    #: The router the association goes through (None: the implicit one).
    router_id: Optional[str] = None

    @property
    def status(self) -> str:
        return "ACTIVE" if self.port_id else "DOWN"


@attrs.frozen
class Route:
    """A static route of a router: ``destination`` CIDR through ``nexthop``."""

    destination: str
    nexthop: str


@attrs.define(eq=False)
class Router(Stamped):
    """
    A router. ``gateway_network_id`` and ``gateway_ips`` are its external
    gateway (None and empty without one); ``interface_ids`` its interface
    ports, in the order they were added.
    """

    id: str = ""
    name: str = ""
    tenant_id: str = ""
    description: str = ""
    admin_state_up: bool = True
    gateway_network_id: Optional[str] = None
    gateway_ips: list = attrs.field(factory=list)
    enable_snat: bool = True
    interface_ids: dict = attrs.field(factory=dict)
    routes: list = attrs.field(factory=list)

class RoutersAndFloatingIps:
    """
    The routers and floating IPs of :class:`~mimic.model.neutron.state.NetworkState`.
    """

    __slots__ = ()

    # lookups

    def floating_ip(self, floating_ip_id: str) -> FloatingIp:
        return found(self.floating_ips, floating_ip_id,
                      f"Floating IP {floating_ip_id} could not be found", "FloatingIPNotFound")

    def floating_ips_of_port(self, port_id: str) -> list[FloatingIp]:
        return [self.floating_ips[f] for f in self._floating_by_port.get(port_id, ())]

    def floating_ip_by_address(self, address: str) -> FloatingIp:
        """The tenant's floating IP at ``address`` (a tenant holds few of them)."""
        for fip in self.floating_ips.values():
            if fip.floating_ip_address == address:
                return fip
        raise NotFound(f"Floating IP not found for address {address}.",
                       "FloatingIpNotFoundForAddress")

    def router(self, router_id: str) -> Router:
        return found(self.routers, router_id, f"Router {router_id} could not be found",
                     "RouterNotFound")

    def router_subnet_ids(self, router: Router) -> list[str]:
        """The subnets the router's interfaces are on, in the order added."""
        return [fixed.subnet_id for port_id in router.interface_ids
                for fixed in self.ports[port_id].fixed_ips]

    # routers

    def create_router(self, name: str = "", description: str = "",
                      admin_state_up: bool = True,
                      gateway: Optional[dict] = None) -> Router:
        """A router, with an external gateway if ``gateway`` names a network."""
        self.check_quota("router")
        now = self.now()
        router = Router(now, now, 0, id=self.ids.uuid(), name=name, tenant_id=self.tenant_id,
                        description=description, admin_state_up=admin_state_up)
        if gateway:
            self._set_gateway(router, gateway)
        self.routers[router.id] = router
        return router

    def update_router(self, router_id: str, name: Optional[str] = None,
                      description: Optional[str] = None,
                      admin_state_up: Optional[bool] = None,
                      gateway: Optional[dict] = None, change_gateway: bool = False,
                      routes: Optional[Sequence[dict]] = None) -> Router:
        """
        Change a router; ``change_gateway`` with ``gateway`` None or ``{}``
        clears the external gateway. Everything is checked before anything
        changes.
        """
        router = self.router(router_id)
        checked_routes = None if routes is None else self._checked_routes(router, routes)
        if change_gateway:
            wanted = (gateway or {}).get("network_id")
            if wanted != router.gateway_network_id:
                self._ensure_gateway_unused(router)
                if router.gateway_network_id is not None:
                    self._clear_gateway(router)
                if wanted is not None:
                    self._set_gateway(router, gateway or {})
        if name is not None:
            router.name = name
        if description is not None:
            router.description = description
        if admin_state_up is not None:
            router.admin_state_up = admin_state_up
        if checked_routes is not None:
            router.routes = checked_routes
        router.touch(self.now())
        return router

    def delete_router(self, router_id: str) -> None:
        router = self.router(router_id)
        if router.interface_ids:
            raise Conflict(f"Router {router_id} still has ports", "RouterInUse")
        self._ensure_gateway_unused(router)
        self._clear_gateway(router)
        del self.routers[router_id]

    def _set_gateway(self, router: Router, gateway: dict) -> None:
        network = self.network(gateway.get("network_id") or "")
        if not network.external:
            raise BadRequest(f"Bad router request: Network {network.id} is not an external "
                             f"network.", "BadRequest")
        router.gateway_ips = self._allocate_fixed_ips(network, None)
        router.gateway_network_id = network.id

    def _clear_gateway(self, router: Router) -> None:
        for fixed in router.gateway_ips:
            self.subnets[fixed.subnet_id].pool.release(fixed.ip_address)
        router.gateway_ips = []
        router.gateway_network_id = None

    def _ensure_gateway_unused(self, router: Router) -> None:
        if any(f.router_id == router.id for f in self.floating_ips.values()):
            raise Conflict(f"Gateway cannot be updated for router {router.id}, since a "
                           f"gateway to external network {router.gateway_network_id} is "
                           f"required by one or more floating IPs.",
                           "RouterExternalGatewayInUseByFloatingIp")

    def _checked_routes(self, router: Router, routes: Sequence[Any]) -> list[Route]:
        """Static routes as Neutron's extraroute checks them: each via a router subnet."""
        _check_route_count(router, routes)
        connected = [ipaddress.ip_network(self.subnets[s].cidr)
                     for s in self.router_subnet_ids(router)]
        checked: list[Route] = []
        for route in routes:
            entry = _parsed_route(route)
            if not any(ipaddress.ip_address(entry.nexthop) in net for net in connected):
                raise BadRequest(f"Invalid format for routes: {[route]}, the nexthop is not "
                                 f"connected with router", "InvalidRoutes")
            if entry not in checked:
                checked.append(entry)
        return checked

    def add_extra_routes(self, router_id: str, routes: Sequence[Any]) -> Router:
        """
        ``add_extraroutes`` (extraroute-atomic): ``routes`` join the
        router's; one it has already is accepted and kept once, the whole
        set checked as an update of ``routes`` checks it.
        """
        router = self.router(router_id)
        added = self._checked_routes(router, routes)
        merged = list(dict.fromkeys(router.routes + added))
        _check_route_count(router, merged)
        router.routes = merged
        router.touch(self.now())
        return router

    def remove_extra_routes(self, router_id: str, routes: Sequence[Any]) -> Router:
        """
        ``remove_extraroutes`` (extraroute-atomic): the routes matching one
        of ``routes`` exactly (destination and nexthop) go; one the router
        does not have is accepted.
        """
        router = self.router(router_id)
        _check_route_count(router, routes)
        gone = {_parsed_route(route) for route in routes}
        router.routes = [r for r in router.routes if r not in gone]
        router.touch(self.now())
        return router

    def add_router_interface(self, router_id: str, subnet_id: Optional[str] = None,
                             port_id: Optional[str] = None) -> tuple[Router, Port]:
        """
        Connect a subnet to the router: a new port at the subnet's gateway
        address (``subnet_id``), or an existing unbound port (``port_id``).
        """
        router = self.router(router_id)
        if (subnet_id is None) == (port_id is None):
            raise BadRequest("Bad router request: Either subnet_id or port_id must be "
                             "specified." if subnet_id is None else
                             "Bad router request: Cannot specify both subnet-id and port-id.",
                             "BadRequest")
        if port_id is not None:
            port = self.port(port_id)
            if port.device_id:
                raise Conflict(f"Unable to complete operation on port {port.id} for network "
                               f"{port.network_id}. Port already has an attached device "
                               f"{port.device_id}.", "PortInUse")
            if not port.fixed_ips:
                raise BadRequest(f"Bad router request: Router port {port.id} has no fixed "
                                 f"IPs.", "BadRequest")
            for fixed in port.fixed_ips:
                self._check_connectable(router, self.subnets[fixed.subnet_id])
            self._bind(port, router.id, ROUTER_INTERFACE_OWNER)
            port.touch(self.now())
        else:
            subnet = self.subnet(subnet_id or "")
            network = self.networks[subnet.network_id]
            if network.tenant_id != self.tenant_id or (
                    network.builtin and not network.owner_may_route):
                raise Forbidden("(rule:add_router_interface) is disallowed by policy",
                                "PolicyNotAuthorized")
            if subnet.gateway_ip is None:
                raise BadRequest("Bad router request: Subnet for router interface must have a "
                                 "gateway IP.", "BadRequest")
            if ipaddress.ip_address(subnet.gateway_ip) not in ipaddress.ip_network(subnet.cidr):
                # The interface port takes the gateway address, which IPAM
                # refuses outside the subnet.
                raise BadRequest(f"IP address {subnet.gateway_ip} is not a valid IP for the "
                                 f"specified subnet.", "InvalidIpForSubnet")
            self._check_connectable(router, subnet)
            if subnet.id in self._gateway_ports:
                raise Conflict(f"IP address {subnet.gateway_ip} already allocated in subnet "
                               f"{subnet.id}", "IpAddressAlreadyAllocated")
            port = self.create_port(subnet.network_id, fixed_ips=[], device_id=router.id,
                                    device_owner=ROUTER_INTERFACE_OWNER,
                                    security_group_ids=[])
            port.fixed_ips = [FixedIp(subnet.id, subnet.gateway_ip)]
            self._gateway_ports[subnet.id] = port.id
        router.interface_ids[port.id] = None
        router.touch(self.now())
        return router, port

    def _check_connectable(self, router: Router, subnet: Any) -> None:
        cidr = ipaddress.ip_network(subnet.cidr)
        for other_id in self.router_subnet_ids(router):
            if other_id == subnet.id:
                raise BadRequest(f"Bad router request: Router already has a port on subnet "
                                 f"{subnet.id}.", "BadRequest")
            other = ipaddress.ip_network(self.subnets[other_id].cidr)
            if other.version == cidr.version and other.overlaps(cidr):
                raise BadRequest(f"Bad router request: Cidr {cidr} of subnet {subnet.id} "
                                 f"overlaps with cidr {other} of subnet {other_id}.",
                                 "BadRequest")

    def remove_router_interface(self, router_id: str, subnet_id: Optional[str] = None,
                                port_id: Optional[str] = None) -> tuple[Router, Port, list]:
        """
        Disconnect an interface by its subnet or its port; its port goes
        (as in Neutron, also one plugged in by ``port_id``). Also answers
        the subnets the interface was on.
        """
        router = self.router(router_id)
        if subnet_id is None and port_id is None:
            raise BadRequest("Bad router request: Either subnet_id or port_id must be "
                             "specified.", "BadRequest")
        if port_id is not None:
            if port_id not in router.interface_ids:
                raise NotFound(f"Router {router_id} does not have an interface with id "
                               f"{port_id}", "RouterInterfaceNotFound")
            port = self.ports[port_id]
        else:
            self.subnet(subnet_id or "")
            port = next((self.ports[p] for p in router.interface_ids
                         if any(f.subnet_id == subnet_id for f in self.ports[p].fixed_ips)),
                        None)
            if port is None:
                raise NotFound(f"Router {router_id} has no interface on subnet {subnet_id}",
                               "RouterInterfaceNotFoundForSubnet")
        for fixed in port.fixed_ips:
            if any(f.router_id == router.id and f.port_id is not None
                   and any(x.subnet_id == fixed.subnet_id for x in self.ports[f.port_id].fixed_ips)
                   for f in self.floating_ips.values()):
                raise Conflict(f"Router interface for subnet {fixed.subnet_id} on router "
                               f"{router.id} cannot be deleted, as it is required by one or "
                               f"more floating IPs.", "RouterInterfaceInUseByFloatingIP")
            net = ipaddress.ip_network(self.subnets[fixed.subnet_id].cidr)
            if any(ipaddress.ip_address(r.nexthop) in net for r in router.routes):
                raise Conflict(f"Router interface for subnet {fixed.subnet_id} on router "
                               f"{router.id} cannot be deleted, as it is required by one or "
                               f"more routes.", "RouterInterfaceInUseByRoute")
        del router.interface_ids[port.id]
        subnet_ids = [f.subnet_id for f in port.fixed_ips]
        made_here = [f for f in port.fixed_ips if self._gateway_ports.get(f.subnet_id) == port.id]
        if made_here:
            # The gateway address is not the pool's to take back.
            for fixed in made_here:
                del self._gateway_ports[fixed.subnet_id]
            port.fixed_ips = [f for f in port.fixed_ips if f not in made_here]
        # Neutron deletes the interface's port, even one the user made and
        # plugged in by ``port_id`` (neutron/db/l3_db.py
        # ``_remove_interface_by_port``).
        self._delete_port(port)
        router.touch(self.now())
        return router, port, subnet_ids

    # floating IPs

    def create_floating_ip(self, floating_network_id: str,
                           floating_ip_address: Optional[str] = None,
                           port_id: Optional[str] = None,
                           fixed_ip_address: Optional[str] = None,
                           description: str = "",
                           subnet_id: Optional[str] = None) -> FloatingIp:
        """A floating IP from an external network, associated if ``port_id``."""
        network = self.network(floating_network_id)
        self.check_quota("floatingip")
        if not network.external:
            raise BadRequest(f"Bad floatingip request: Network {network.id} is not a valid "
                             f"external network.", "BadRequest")
        if subnet_id is not None:
            subnet = self.subnet(subnet_id)
            if subnet.network_id != network.id or subnet.ip_version != 4:
                raise BadRequest(f"Bad floatingip request: Subnet {subnet_id} is not an IPv4 "
                                 f"subnet of network {network.id}.", "BadRequest")
        else:
            subnet = next(self.subnets[s] for s in network.subnet_ids
                          if self.subnets[s].ip_version == 4)
        target = None
        if port_id is not None:
            target = self._association_target(port_id, fixed_ip_address, None, network.id)
        if floating_ip_address is not None:
            fixed = self._allocate_requested(
                network, {"subnet_id": subnet.id,
                          "ip_address": valid_ip(floating_ip_address, "floating_ip_address")})
        else:
            try:
                fixed = self._allocate_on(subnet)
            except PoolExhausted:
                raise PoolExhausted(f"No more IP addresses available on network {network.id}.",
                                    "IpAddressGenerationFailure") from None
        now = self.now()
        fip = FloatingIp(now, now, 0, id=self.ids.uuid(), tenant_id=self.tenant_id,
                         floating_network_id=network.id,
                         floating_ip_address=fixed.ip_address, description=description)
        self.floating_ips[fip.id] = fip
        if target is not None:
            self._associate(fip, *target)
        return fip

    def _association_target(self, port_id: str, fixed_ip_address: Optional[str],
                            fip: Optional[FloatingIp], floating_network_id: str
                            ) -> tuple[Port, str, Optional[str]]:
        """The port, fixed IP and router (None: implicit) a floating IP would use."""
        port = self.port(port_id)
        network = self.networks[port.network_id]
        ipv4 = [f for f in port.fixed_ips if self.subnets[f.subnet_id].ip_version == 4]
        if network.external:
            raise self._unreachable(floating_network_id, port_id,
                                    ipv4[0].subnet_id if ipv4
                                    else next(iter(network.subnet_ids), ""))
        if fixed_ip_address is not None:
            fixed_ip_address = valid_ip(fixed_ip_address, "fixed_ip_address")
            if not any(f.ip_address == fixed_ip_address for f in ipv4):
                raise BadRequest(f"Bad floatingip request: Port {port_id} does not have fixed "
                                 f"ip {fixed_ip_address}.", "BadRequest")
        elif not ipv4:
            raise BadRequest(f"Bad floatingip request: Port {port_id} does not have any "
                             f"IPv4 fixed IPs.", "BadRequest")
        elif len(ipv4) > 1:
            raise BadRequest(f"Bad floatingip request: Port {port_id} has multiple fixed "
                             f"IPv4 addresses.  Must provide a specific IPv4 address when "
                             f"assigning a floating IP.", "BadRequest")
        else:
            fixed_ip_address = ipv4[0].ip_address
        subnet_id = next(f.subnet_id for f in ipv4 if f.ip_address == fixed_ip_address)
        router_id = None
        if not network.builtin:
            # Neutron's rule: a router from the floating IP's network to the
            # port's subnet.
            router_id = next((r.id for r in self.routers.values()
                              if r.gateway_network_id == floating_network_id
                              and subnet_id in self.router_subnet_ids(r)), None)
            if router_id is None:
                raise self._unreachable(floating_network_id, port_id, subnet_id)
        for other in self.floating_ips_of_port(port_id):
            if other is not fip and other.fixed_ip_address == fixed_ip_address:
                label = fip.floating_ip_address if fip else "new floating IP"
                raise Conflict(
                    f"Cannot associate floating IP {label} ({fip.id if fip else ''}) with "
                    f"port {port_id} using fixed IP {fixed_ip_address}, as that fixed IP "
                    f"already has a floating IP on external network "
                    f"{other.floating_network_id}.", "FloatingIPPortAlreadyAssociated")
        return port, fixed_ip_address, router_id

    @staticmethod
    def _unreachable(network_id: str, port_id: str, subnet_id: str) -> NotFound:
        return NotFound(f"External network {network_id} is not reachable from subnet "
                        f"{subnet_id}.  Therefore, cannot associate Port {port_id} with a "
                        f"Floating IP.", "ExternalGatewayForFloatingIPNotFound")

    def _associate(self, fip: FloatingIp, port: Port, fixed_ip_address: str,
                   router_id: Optional[str] = None) -> None:
        if fip.port_id is not None:
            self._disassociate(fip)
        fip.port_id = port.id
        fip.router_id = router_id
        self._device_changed(port.device_id)
        fip.fixed_ip_address = fixed_ip_address
        self._floating_by_port.setdefault(port.id, {})[fip.id] = None

    def _disassociate(self, fip: FloatingIp) -> None:
        if fip.port_id is None:
            return
        self._device_changed(self.ports[fip.port_id].device_id)
        held = self._floating_by_port.get(fip.port_id, {})
        held.pop(fip.id, None)
        if not held:
            self._floating_by_port.pop(fip.port_id, None)
        fip.port_id = None
        fip.fixed_ip_address = None
        fip.router_id = None
        fip.touch(self.now())

    def update_floating_ip(self, floating_ip_id: str, port_id: Optional[str],
                           fixed_ip_address: Optional[str] = None,
                           description: Optional[str] = None,
                           change_port: bool = True) -> FloatingIp:
        """
        Associate (``port_id``) or disassociate (``port_id=None``) a floating
        IP; ``change_port=False`` changes only the description.
        """
        fip = self.floating_ip(floating_ip_id)
        if change_port:
            if port_id is None:
                self._disassociate(fip)
            else:
                self._associate(fip, *self._association_target(
                    port_id, fixed_ip_address, fip, fip.floating_network_id))
        if description is not None:
            fip.description = description
        fip.touch(self.now())
        return fip

    def delete_floating_ip(self, floating_ip_id: str) -> None:
        fip = self.floating_ip(floating_ip_id)
        self._disassociate(fip)
        network = self.networks[fip.floating_network_id]
        for subnet_id in network.subnet_ids:
            subnet = self.subnets[subnet_id]
            if subnet.pool.contains(fip.floating_ip_address):
                subnet.pool.release(fip.floating_ip_address)
        del self.floating_ips[floating_ip_id]


def _check_route_count(router: Router, routes: Sequence[Any]) -> None:
    if len(routes) > MAX_ROUTES:
        raise BadRequest(f"Unable to complete operation for {router.id}. The number of "
                         f"routes exceeds the maximum {MAX_ROUTES}.", "RoutesExhausted")


def _parsed_route(route: Any) -> Route:
    """One ``{"destination", "nexthop"}`` entry as a :class:`Route`, or Neutron's 400."""
    if not isinstance(route, dict) or set(route) != {"destination", "nexthop"}:
        given = set(route) if isinstance(route, dict) else route
        raise BadRequest(f"Invalid input for routes. Reason: Validation of dictionary's "
                         f"keys failed. Expected keys: {{'destination', 'nexthop'}} "
                         f"Provided keys: {given}.")
    try:
        if not isinstance(route["destination"], str):
            raise ValueError(route["destination"])
        destination = ipaddress.ip_network(route["destination"])
    except (TypeError, ValueError):
        raise BadRequest(f"Invalid input for routes. Reason: '{route['destination']}' "
                         f"is not a valid IP subnet.") from None
    nexthop = ipaddress.ip_address(valid_ip(route["nexthop"], "routes"))
    return Route(str(destination), str(nexthop))
