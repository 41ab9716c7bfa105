"""
What Nova asks of Neutron: a server's ports made when it is built and
let go when it is deleted, its interfaces, fixed IPs, security groups and
floating IPs through Nova's actions, its ``addresses`` as Nova renders
them, and the revision numbers Nova keys its cache on.
"""

from __future__ import annotations

from typing import Optional, Sequence

import attrs

from mimic.model.neutron.faults import BadRequest, Conflict, NeutronFault, NotFound, PoolExhausted
from mimic.model.neutron.networks import PRIVATE_NETWORK_ID, PUBLIC_NETWORK_ID
from mimic.model.neutron.ports import COMPUTE_OWNER, Port
from mimic.model.neutron.routers import FloatingIp
from mimic.model.neutron.security_groups import SecurityGroup


@attrs.frozen
class NetworkRequest:
    """
    One entry of a Nova server's ``networks``: a network (optionally with a
    fixed IP to take on it) or an existing port.
    """

    network_id: Optional[str] = None
    port_id: Optional[str] = None
    fixed_ip: Optional[str] = None


class Servers:
    """
    The Nova-facing methods of :class:`~mimic.model.neutron.state.NetworkState`.
    """

    __slots__ = ()

    def _device_changed(self, device_id: str) -> None:
        if device_id:
            self.changes += 1
            self._device_revisions[device_id] = self.changes

    def device_revision(self, device_id: str) -> int:
        """
        A number that changes whenever what ``device_id`` shows of its
        networking changes (its ports, addresses, floating IPs, groups), so
        Nova can cache a server's rendering without asking again.
        """
        return self._device_revisions.get(device_id, 0)

    def attach_server(self, server_id: str,
                      networks: Optional[Sequence[NetworkRequest]] = None,
                      security_groups: Sequence[str] = ("default",)) -> list[Port]:
        """:meth:`place_server`, returning the server's ports."""
        self.place_server(server_id, networks, security_groups)
        return self.ports_of(server_id)

    def place_server(self, server_id: str,
                     networks: Optional[Sequence[NetworkRequest]] = None,
                     security_groups: Sequence[str] = ("default",)) -> None:
        """
        Ports for a new server: by default one on ``public`` (IPv4 and IPv6)
        and one on ``private`` (IPv4); otherwise one per request (a network,
        with an optional fixed IP, or an existing unbound port). Security
        groups (names or ids) apply to the ports made here. All or nothing.

        The default pair in the default group (what almost every server
        has) is kept compact until something looks at the ports themselves.
        """
        group_ids = [self.find_security_group(g).id for g in security_groups]
        if (networks is None and list(dict.fromkeys(group_ids))
                == [self.default_security_group().id] and self._place_compactly(server_id)):
            return
        if networks is None:
            networks = (NetworkRequest(network_id=PUBLIC_NETWORK_ID),
                        NetworkRequest(network_id=PRIVATE_NETWORK_ID))
        for request in networks:
            if request.port_id is not None:
                self._check_attachable(self.port(request.port_id))
            else:
                self.network(request.network_id or "")
        made: list[Port] = []
        try:
            for request in networks:
                made.append(self.attach_interface(
                    server_id, network_id=request.network_id, port_id=request.port_id,
                    fixed_ip=request.fixed_ip, security_group_ids=group_ids))
        except NeutronFault:
            for port in made:
                self.detach_interface(server_id, port.id)
            raise

    def detach_server(self, server_id: str) -> None:
        """A deleted server: its own ports go, ports the user made are unbound."""
        record = self._compact.pop(server_id, None)
        if record is not None:
            for fixed_ips in self._compact_fixed_ips(record):
                for fixed in fixed_ips:
                    self.subnets[fixed.subnet_id].pool.release(fixed.ip_address)
            self._group_port_counts[self.default_security_group().id] -= 2
            self._device_changed(server_id)
        for port in self.ports_on_device(server_id):
            self.detach_interface(server_id, port.id)
        self._device_revisions.pop(server_id, None)

    def ports_of(self, server_id: str) -> list[Port]:
        """The server's ports (its interfaces), in the order they were bound."""
        return [p for p in self.ports_on_device(server_id)
                if p.device_owner.startswith("compute:")]

    def _check_attachable(self, port: Port) -> None:
        if port.device_id:
            raise Conflict(f"Unable to complete operation on port {port.id} for network "
                           f"{port.network_id}. Port already has an attached device "
                           f"{port.device_id}.", "PortInUse")

    def attach_interface(self, server_id: str, network_id: Optional[str] = None,
                         port_id: Optional[str] = None, fixed_ip: Optional[str] = None,
                         security_group_ids: Optional[Sequence[str]] = None) -> Port:
        """
        Bind an existing port (``port_id``) to the server, or make a new one
        on ``network_id`` (taking ``fixed_ip`` if given). Returns the port.
        """
        if port_id is not None:
            port = self.port(port_id)
            self._check_attachable(port)
            self._bind(port, server_id, COMPUTE_OWNER)
            port.touch(self.now())
            return port
        if network_id is None:
            raise BadRequest("A network or a port is required.", "InvalidInput")
        fixed_ips = None if fixed_ip is None else [{"ip_address": fixed_ip}]
        return self.create_port(network_id, fixed_ips=fixed_ips, device_id=server_id,
                                device_owner=COMPUTE_OWNER,
                                security_group_ids=security_group_ids,
                                made_for_server=True)

    def detach_interface(self, server_id: str, port_id: str) -> None:
        """Let go of a port: deleted if Nova made it, unbound otherwise."""
        port = self.port(port_id)
        if port.device_id != server_id:
            raise NotFound(f"Port {port_id} is not attached to server {server_id}.",
                           "PortNotFound")
        if port.made_for_server:
            self.delete_port(port_id)
        else:
            self._bind(port, "", "")
            port.touch(self.now())

    def add_fixed_ip(self, server_id: str, network_id: str) -> Port:
        """Another address on the server's (first) port on ``network_id``."""
        network = self.network(network_id)
        port = next((p for p in self.ports_of(server_id) if p.network_id == network_id), None)
        if port is None:
            raise BadRequest(f"Network {network_id} is not attached to server {server_id}.",
                             "NetworkNotFoundForInstance")
        last_error: Optional[NeutronFault] = None
        for subnet_id in network.subnet_ids:
            try:
                port.fixed_ips.append(self._allocate_on(self.subnets[subnet_id]))
                self._device_changed(server_id)
                port.touch(self.now())
                return port
            except PoolExhausted as error:
                last_error = error
        raise last_error or PoolExhausted(f"No more IP addresses available on network "
                                          f"{network_id}.", "IpAddressGenerationFailure")

    def remove_fixed_ip(self, server_id: str, address: str) -> Port:
        """Take ``address`` off the server's port that has it."""
        for port in self.ports_of(server_id):
            for fixed in port.fixed_ips:
                if fixed.ip_address == address:
                    for fip in self.floating_ips_of_port(port.id):
                        if fip.fixed_ip_address == address:
                            self._disassociate(fip)
                    port.fixed_ips.remove(fixed)
                    self.subnets[fixed.subnet_id].pool.release(address)
                    self._device_changed(server_id)
                    port.touch(self.now())
                    return port
        raise BadRequest(f"Fixed IP {address} not found on server {server_id}.",
                         "FixedIpNotFoundForInstance")

    def _bound_ports_of(self, server_id: str) -> list[Port]:
        """The server's ports that are :class:`Port` objects (not compact)."""
        return [p for p in (self.ports.materialized[i]
                            for i in self._ports_by_device.get(server_id, ()))
                if p.device_owner.startswith("compute:")]

    def security_groups_of(self, server_id: str) -> list[SecurityGroup]:
        """The groups of the server's ports, each once, in first-seen order."""
        seen: dict[str, None] = {}
        if server_id in self._compact:
            seen[self.default_security_group().id] = None
        for port in self._bound_ports_of(server_id):
            seen.update(dict.fromkeys(port.security_group_ids))
        return [self.security_groups[g] for g in seen]

    def add_security_group(self, server_id: str, name_or_id: str) -> SecurityGroup:
        """Put a group on every port of the server."""
        group = self.find_security_group(name_or_id)
        ports = self.ports_of(server_id)
        if ports and all(group.id in p.security_group_ids for p in ports):
            raise BadRequest(f"Security group {group.name} is already associated with the "
                             f"instance {server_id}", "SecurityGroupExistsForInstance")
        for port in ports:
            if group.id not in port.security_group_ids:
                self.check_port_groups(port.port_security_enabled,
                                       port.security_group_ids + [group.id], asked=True)
        for port in ports:
            if group.id not in port.security_group_ids:
                self._set_groups(port, port.security_group_ids + [group.id])
                port.touch(self.now())
        return group

    def remove_security_group(self, server_id: str, name_or_id: str) -> SecurityGroup:
        """Take a group off every port of the server."""
        group = self.find_security_group(name_or_id)
        ports = [p for p in self.ports_of(server_id) if group.id in p.security_group_ids]
        if not ports:
            raise BadRequest(f"Security group {group.name} not associated with the "
                             f"instance {server_id}", "SecurityGroupNotExistsForInstance")
        for port in ports:
            self._set_groups(port, [g for g in port.security_group_ids if g != group.id])
            port.touch(self.now())
        return group

    def associate_floating_ip_with_server(self, server_id: str, address: str,
                                          fixed_address: Optional[str] = None) -> FloatingIp:
        """
        Nova's ``addFloatingIp``: put the floating IP at ``address`` on the
        server's port holding ``fixed_address``, or else on the first of
        the server's IPv4 addresses whose port can reach the external
        network (a port on ``public`` itself cannot hold one).
        """
        fip = self.floating_ip_by_address(address)
        ports = self.ports_of(server_id)
        candidates = [(port, fixed.ip_address) for port in ports for fixed in port.fixed_ips
                      if self.subnets[fixed.subnet_id].ip_version == 4]
        if fixed_address is not None:
            candidates = [c for c in candidates if c[1] == fixed_address]
            if not candidates:
                raise BadRequest("Specified fixed address not assigned to instance",
                                 "FixedIpNotFoundForInstance")
        if not candidates:
            raise BadRequest("No fixed IPs associated to instance",
                             "FixedIpNotFoundForInstance")
        last_error: Optional[NeutronFault] = None
        for port, fixed_ip in candidates:
            try:
                target = self._association_target(port.id, fixed_ip, fip,
                                                  fip.floating_network_id)
            except NeutronFault as error:
                last_error = error
                continue
            self._associate(fip, *target)
            fip.touch(self.now())
            return fip
        raise BadRequest(f"Unable to associate floating IP {address} to any fixed IPs for "
                         f"instance {server_id}: {last_error.message if last_error else ''}",
                         "FloatingIpAssociateFailed")

    def disassociate_floating_ip_from_server(self, server_id: str, address: str) -> FloatingIp:
        """Nova's ``removeFloatingIp``: only from the server that holds it."""
        fip = self.floating_ip_by_address(address)
        if fip.port_id is None or self.ports[fip.port_id].device_id != server_id:
            raise Conflict(f"Floating IP {address} is not associated with instance "
                           f"{server_id}.", "FloatingIpNotAssociated")
        self._disassociate(fip)
        return fip

    def addresses_for(self, server_id: str) -> dict:
        """
        The server's ``addresses`` as Nova renders them: per network name,
        each fixed IP of the server's ports on it, then the floating IPs
        associated with that port.
        """
        addresses: dict[str, list] = {}
        record = self._compact.get(server_id)
        if record is not None:
            for network_id, fixed_ips, mac in zip(
                    (PUBLIC_NETWORK_ID, PRIVATE_NETWORK_ID), self._compact_fixed_ips(record),
                    self._compact_macs(record)):
                addresses.setdefault(self.networks[network_id].name, []).extend(
                    {"addr": fixed.ip_address,
                     "version": self.subnets[fixed.subnet_id].ip_version,
                     "OS-EXT-IPS:type": "fixed",
                     "OS-EXT-IPS-MAC:mac_addr": mac} for fixed in fixed_ips)
        for port in self._bound_ports_of(server_id):
            entries = addresses.setdefault(self.networks[port.network_id].name, [])
            for fixed in port.fixed_ips:
                entries.append({
                    "addr": fixed.ip_address,
                    "version": self.subnets[fixed.subnet_id].ip_version,
                    "OS-EXT-IPS:type": "fixed",
                    "OS-EXT-IPS-MAC:mac_addr": port.mac_address,
                })
            for fip in self.floating_ips_of_port(port.id):
                entries.append({
                    "addr": fip.floating_ip_address,
                    "version": 4,
                    "OS-EXT-IPS:type": "floating",
                    "OS-EXT-IPS-MAC:mac_addr": port.mac_address,
                })
        return addresses
