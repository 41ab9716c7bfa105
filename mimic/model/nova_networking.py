"""
A server's networking as Nova's API shows it: security groups, fixed and
floating IPs, interfaces (``os-interface``). Neutron's model
(:mod:`mimic.model.neutron`) holds all of it, keyed by the server's id;
:class:`ServerNetworking` (part of
:class:`mimic.model.nova.ComputeRegion`) only translates Neutron's refusals
into Nova's.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Optional

from mimic.model import neutron
from mimic.model.nova_errors import BadRequest, Conflict, NotFound
from mimic.model.nova_server import Server


class ServerNetworking:
    """The networking operations of a :class:`mimic.model.nova.ComputeRegion`."""

    __slots__ = ()

    def security_groups_of(self, server: Server) -> list[str]:
        """The names of the groups on the server's ports."""
        return [g.name for g in self.network.security_groups_of(server.id)]

    def addresses_of(self, server: Server) -> dict:
        return self.network.addresses_for(server.id)

    def add_security_group(self, server_id: str, name: str) -> None:
        """
        Nova's ``addSecurityGroup``, as nova/network/security_group_api.py
        does it: append the group to every port's list and update the port.
        A port that already has it sends Neutron a list with a duplicate,
        which Neutron's ``type:uuid_list`` validator refuses (neutron-lib
        ``_validate_list_of_items``); Nova passes that 400 on. Here nothing
        changes when any port would be refused.
        """
        self.server(server_id)
        with refused_by_neutron(not_found_message=f"Security group {name} not found."):
            group = self.network.find_security_group(name)
            for port in self._ports_for_groups(server_id):
                if group.id in port.security_group_ids:
                    raise BadRequest(f"Invalid input for security_groups. Reason: "
                                     f"Duplicate items in the list: '{group.id}'.")
            self.network.add_security_group(server_id, name)

    def remove_security_group(self, server_id: str, name: str) -> None:
        """
        Nova's ``removeSecurityGroup``: off every port that has it; a group
        on none of them is Nova's 404 (``SecurityGroupNotFound``).
        """
        self.server(server_id)
        with refused_by_neutron(not_found_message=f"Security group {name} not found."):
            group = self.network.find_security_group(name)
            if not any(group.id in port.security_group_ids
                       for port in self._ports_for_groups(server_id)):
                raise NotFound(f"Security group {name} not associated with the "
                               f"instance {server_id}")
            self.network.remove_security_group(server_id, name)

    def _ports_for_groups(self, server_id: str) -> list[neutron.Port]:
        """The server's ports; none at all is Nova's 404 for group changes."""
        ports = self.network.ports_of(server_id)
        if not ports:
            raise NotFound(f"instance_id {server_id} could not be found as device id "
                           "on any ports")
        return ports

    def add_fixed_ip(self, server_id: str, network_id: str) -> None:
        """Another address on the server's port on ``network_id``."""
        self.server(server_id)
        with refused_by_neutron(not_found=BadRequest):
            self.network.add_fixed_ip(server_id, network_id)

    def remove_fixed_ip(self, server_id: str, address: str) -> None:
        self.server(server_id)
        with refused_by_neutron():
            self.network.remove_fixed_ip(server_id, address)

    def add_floating_ip(self, server_id: str, address: str,
                        fixed_address: Optional[str] = None) -> None:
        self.server(server_id)
        with refused_by_neutron():
            self.network.associate_floating_ip_with_server(server_id, address, fixed_address)

    def remove_floating_ip(self, server_id: str, address: str) -> None:
        self.server(server_id)
        with refused_by_neutron():
            self.network.disassociate_floating_ip_from_server(server_id, address)

    def interfaces(self, server_id: str) -> list[neutron.Port]:
        """The server's ports, as ``os-interface`` lists them."""
        self.server(server_id)
        return self.network.ports_of(server_id)

    def interface(self, server_id: str, port_id: str) -> neutron.Port:
        self.server(server_id)
        port = self.network.ports.get(port_id)
        if port is None or port.device_id != server_id:
            raise NotFound(f"Instance {server_id} does not have a port with id {port_id}")
        return port

    def attach_interface(self, server_id: str, network_id: Optional[str] = None,
                         port_id: Optional[str] = None,
                         fixed_ip: Optional[str] = None) -> neutron.Port:
        """
        Bind a port (``port_id``) or a new port on ``network_id`` to the
        server; with neither, Nova cannot choose between the two networks.
        """
        server = self.server(server_id)
        self._ready_for(server, "attach_interface", "ACTIVE", "PAUSED", "SHUTOFF",
                        "SUSPENDED")
        if network_id is None and port_id is None:
            raise Conflict("Multiple possible networks found, use a Network ID to be "
                           "more specific.")
        groups = None
        if port_id is None:
            groups = [g.id for g in self.network.security_groups_of(server_id)] or None
        with refused_by_neutron():
            return self.network.attach_interface(server_id, network_id=network_id,
                                                 port_id=port_id, fixed_ip=fixed_ip,
                                                 security_group_ids=groups)

    def detach_interface(self, server_id: str, port_id: str) -> None:
        server = self.server(server_id)
        self._ready_for(server, "detach_interface", "ACTIVE", "PAUSED", "SHUTOFF",
                        "SUSPENDED")
        self.interface(server_id, port_id)
        with refused_by_neutron():
            self.network.detach_interface(server_id, port_id)



@contextmanager
def refused_by_neutron(not_found: type = NotFound, conflict: type = Conflict,
                        not_found_message: Optional[str] = None) -> Iterator[None]:
    """
    Turn Neutron's refusals into Nova's: a missing thing is ``not_found``
    (Nova answers 400 for a missing network or port in a create request,
    404 elsewhere), a port bound elsewhere a :class:`Conflict`, another
    conflict ``conflict`` (a fixed IP in use is a 400 on create, a 409 on
    attach), the rest bad requests.
    """
    try:
        yield
    except neutron.NotFound as fault:
        raise not_found(not_found_message or fault.message) from None
    except neutron.Conflict as fault:
        if fault.kind == "PortInUse":
            raise Conflict(fault.message) from None
        raise conflict(fault.message) from None
    except neutron.NeutronFault as fault:
        raise BadRequest(fault.message) from None

