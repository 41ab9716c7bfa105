"""
Routers and floating IPs: floating IPs drawn from an external network
and associated with ports that a router connects to it (the implicit
router from ``private`` to ``public``).
"""

from __future__ import annotations

from typing import Optional

import attrs

from mimic.model.neutron.addresses import valid_ip
from mimic.model.neutron.faults import BadRequest, Conflict, NotFound, PoolExhausted, found
from mimic.model.neutron.networks import PUBLIC_NETWORK_ID
from mimic.model.neutron.ports import Port
from mimic.model.neutron.standard import Stamped


@attrs.define(eq=False)
class FloatingIp(Stamped):
    id: str = ""
    tenant_id: str = ""
    floating_network_id: str = ""
    floating_ip_address: str = ""
    port_id: Optional[str] = None
    fixed_ip_address: Optional[str] = None
    description: str = ""

    @property
    def status(self) -> str:
        return "ACTIVE" if self.port_id else "DOWN"


class RoutersAndFloatingIps:
    """
    The floating IPs of :class:`~mimic.model.neutron.state.NetworkState`.
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

    # floating IPs

    def create_floating_ip(self, floating_network_id: str,
                           floating_ip_address: Optional[str] = None,
                           port_id: Optional[str] = None,
                           fixed_ip_address: Optional[str] = None,
                           description: str = "",
                           subnet_id: Optional[str] = None) -> FloatingIp:
        """A floating IP from an external network, associated if ``port_id``."""
        network = self.network(floating_network_id)
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
            target = self._association_target(port_id, fixed_ip_address, None)
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
                            fip: Optional[FloatingIp]) -> tuple[Port, str]:
        port = self.port(port_id)
        network = self.networks[port.network_id]
        ipv4 = [f for f in port.fixed_ips if self.subnets[f.subnet_id].ip_version == 4]
        if network.external or not network.builtin:
            # Only ``private`` has a router to ``public`` (an implicit one).
            subnet_id = (ipv4[0].subnet_id if ipv4
                         else next(iter(network.subnet_ids), ""))
            raise NotFound(
                f"External network {PUBLIC_NETWORK_ID} is not reachable from subnet "
                f"{subnet_id}.  Therefore, cannot associate Port {port_id} with a "
                f"Floating IP.", "ExternalGatewayForFloatingIPNotFound")
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
        for other in self.floating_ips_of_port(port_id):
            if other is not fip and other.fixed_ip_address == fixed_ip_address:
                label = fip.floating_ip_address if fip else "new floating IP"
                raise Conflict(
                    f"Cannot associate floating IP {label} ({fip.id if fip else ''}) with "
                    f"port {port_id} using fixed IP {fixed_ip_address}, as that fixed IP "
                    f"already has a floating IP on external network "
                    f"{other.floating_network_id}.", "FloatingIPPortAlreadyAssociated")
        return port, fixed_ip_address

    def _associate(self, fip: FloatingIp, port: Port, fixed_ip_address: str) -> None:
        if fip.port_id is not None:
            self._disassociate(fip)
        fip.port_id = port.id
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
                self._associate(fip, *self._association_target(port_id, fixed_ip_address, fip))
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
