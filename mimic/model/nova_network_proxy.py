"""
Nova's network proxy APIs (``os-security-groups``,
``os-security-group-rules``, ``os-floating-ips``, ``os-floating-ip-pools``,
``os-networks``), which microversions 2.1 to 2.35 still serve: each is a
view of the tenant's Neutron state (:mod:`mimic.model.neutron`, through its
public methods only), translated as Nova's code translates it
(nova/network/security_group_api.py, nova/network/neutron.py,
nova/api/openstack/compute/security_groups.py, floating_ips.py,
networks.py) -- including which of Neutron's refusals become which of
Nova's.

:class:`NovaRule` is a Neutron rule as Nova shows it (ingress only, ports
``-1`` for "any", a CIDR of ``0.0.0.0/0`` when Neutron has none).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Optional

import attrs

from mimic.model import neutron
from mimic.model.nova_errors import BadRequest, NotFound, QuotaExceeded
from mimic.model.nova_networking import refused_by_neutron

_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                   r"[0-9a-fA-F]{12}$")


@attrs.frozen
class NovaRule:
    """A Neutron ingress rule in Nova's terms."""

    id: str
    parent_group_id: str
    protocol: Optional[str]
    from_port: Optional[int]
    to_port: Optional[int]
    group_id: Optional[str]
    cidr: str

    @classmethod
    def of(cls, rule: neutron.SecurityGroupRule) -> "NovaRule":
        """As ``_convert_to_nova_security_group_rule_format`` converts it."""
        from_port, to_port = rule.port_range_min, rule.port_range_max
        if rule.protocol and from_port is None and to_port is None:
            from_port, to_port = ((1, 65535) if rule.protocol.upper() in ("TCP", "UDP")
                                  else (-1, -1))
        return cls(rule.id, rule.security_group_id, rule.protocol, from_port, to_port,
                   rule.remote_group_id, rule.remote_ip_prefix or "0.0.0.0/0")


@attrs.frozen
class NetworkProxy:
    """The proxy APIs over one tenant's Neutron state in one region."""

    network: neutron.NetworkState

    # security groups

    def security_groups(self) -> list[neutron.SecurityGroup]:
        """The tenant's groups, ordered by tenant and name as Nova orders them."""
        return sorted(self.network.security_groups.values(),
                      key=lambda g: (g.tenant_id, g.name))

    def security_group(self, group_id: str) -> neutron.SecurityGroup:
        _check_group_id(group_id)
        with refused_by_neutron():
            return self.network.security_group(group_id)

    def rules_of(self, group: neutron.SecurityGroup) -> list[NovaRule]:
        """Only ingress rules: Nova's format has no direction."""
        return [NovaRule.of(self.network.rule(r)) for r in group.rule_ids
                if self.network.rule(r).direction == "ingress"]

    def create_security_group(self, name: str, description: str) -> neutron.SecurityGroup:
        # Neutron's 409 (a second "default") is Nova's SecurityGroupLimitExceeded.
        with refused_by_neutron(conflict=QuotaExceeded):
            return self.network.create_security_group(name, description)

    def update_security_group(self, group_id: str, name: str,
                              description: str) -> neutron.SecurityGroup:
        self.security_group(group_id)
        with refused_by_neutron(conflict=BadRequest):
            return self.network.update_security_group(group_id, name, description)

    def delete_security_group(self, group_id: str) -> None:
        self.security_group(group_id)
        # A group in use (Neutron's 409) is Nova's Invalid: a 400.
        with refused_by_neutron(conflict=BadRequest):
            self.network.delete_security_group(group_id)

    # rules

    def create_rule(self, parent_group_id: str, ip_protocol: Any = None,
                    from_port: Any = None, to_port: Any = None, cidr: Any = None,
                    group_id: Optional[str] = None) -> NovaRule:
        """
        An ingress rule, built and checked as Nova's ``_new_ingress_rule``
        does, then made by Neutron.
        """
        group = self.security_group(parent_group_id)
        source = self.security_group(group_id) if group_id is not None else None
        if source is None:
            cidr = _parse_cidr(cidr)
        elif ip_protocol and from_port is None and to_port is None:
            # A source group with no ports opens everything.
            from_port, to_port = ((-1, -1) if str(ip_protocol).upper() == "ICMP"
                                  else (1, 65535) if str(ip_protocol).upper() in ("TCP", "UDP")
                                  else (None, None))
            cidr = None
        else:
            cidr = None
        if not (ip_protocol and from_port is not None and to_port is not None):
            if source is None:
                raise BadRequest("Not enough parameters to build a valid rule.")
            protocol, low, high = None, None, None
        else:
            protocol, low, high = _checked_ports(str(ip_protocol), from_port, to_port)
        if cidr is not None:
            network = ipaddress.ip_network(cidr, strict=False)
            if str(network.network_address) not in ("0.0.0.0", "::") and \
                    network.prefixlen == 0:
                raise BadRequest(f"Bad prefix for network in cidr {cidr}")
        wanted = (group_id, cidr, low, high, protocol)
        # Nova's _rule_exists; a rule from a group never matches there (its
        # CIDR reads 0.0.0.0/0), so Neutron's own duplicate check refuses it.
        for existing in self.rules_of(group):
            if (existing.group_id, existing.cidr, existing.from_port,
                    existing.to_port, existing.protocol) == wanted:
                raise BadRequest(f"This rule already exists in group {parent_group_id}")
        ethertype = "IPv6" if cidr is not None and ":" in cidr else "IPv4"
        with refused_by_neutron(conflict=QuotaExceeded):
            rule = self.network.create_security_group_rule(
                group.id, "ingress", ethertype, protocol=protocol,
                port_range_min=None if low == -1 else low,
                port_range_max=None if high == -1 else high,
                remote_ip_prefix=cidr, remote_group_id=group_id)
        return NovaRule.of(rule)

    def delete_rule(self, rule_id: str) -> None:
        _check_group_id(rule_id)
        with refused_by_neutron():
            self.network.rule(rule_id)
            self.network.delete_security_group_rule(rule_id)

    # floating IPs, their pools, networks

    def floating_ips(self) -> list[neutron.FloatingIp]:
        return list(self.network.floating_ips.values())

    def floating_ip(self, floating_ip_id: str) -> neutron.FloatingIp:
        fip = self.network.floating_ips.get(floating_ip_id)
        if fip is None:
            raise NotFound(f"Floating IP not found for ID {floating_ip_id}")
        return fip

    def instance_of(self, fip: neutron.FloatingIp) -> Optional[str]:
        """The server the floating IP's port is bound to, if any."""
        if fip.port_id is None:
            return None
        return self.network.ports[fip.port_id].device_id or None

    def pool_of(self, fip: neutron.FloatingIp) -> str:
        network = self.network.networks[fip.floating_network_id]
        return network.name or network.id

    def pools(self) -> list[neutron.Network]:
        """The external networks: Nova's floating IP pools."""
        return [n for n in self.network.networks.values() if n.external]

    def allocate_floating_ip(self, pool: Optional[str] = None) -> neutron.FloatingIp:
        """A floating IP from ``pool`` (a name or id), by default the first pool."""
        pools = self.pools()
        if pool is not None:
            key = "id" if _UUID.match(pool) else "name"
            pools = [n for n in pools if getattr(n, key) == pool]
        if not pools:
            raise NotFound("Floating IP pool not found.")
        if len(pools) > 1 and pool is not None:
            raise BadRequest(f"Multiple floating IP pools matches found for name '{pool}'")
        try:
            return self.network.create_floating_ip(pools[0].id)
        except neutron.PoolExhausted:
            raise NotFound(f"No more floating IPs in pool {pool}." if pool
                           else "No more floating IPs available.") from None

    def release_floating_ip(self, floating_ip_id: str) -> None:
        self.floating_ip(floating_ip_id)
        with refused_by_neutron():
            self.network.delete_floating_ip(floating_ip_id)

    def networks(self) -> list[neutron.Network]:
        """Every network the tenant sees (its own and the shared ones)."""
        return list(self.network.networks.values())

    def network_named(self, network_id: str) -> neutron.Network:
        network = self.network.networks.get(network_id)
        if network is None:
            raise NotFound("Network not found")
        return network


def _check_group_id(group_id: Any) -> None:
    if not isinstance(group_id, str) or not _UUID.match(group_id):
        raise BadRequest("Security group id should be uuid")


def _parse_cidr(cidr: Any) -> str:
    if not cidr:
        return "0.0.0.0/0"
    try:
        return str(ipaddress.ip_network(str(cidr), strict=False))
    except ValueError:
        raise BadRequest(f"{cidr} is not a valid IP network.") from None


def _checked_ports(protocol: str, from_port: Any, to_port: Any) -> tuple[str, int, int]:
    """Nova's checks of a rule's protocol and ports (``_new_ingress_rule``)."""
    try:
        low, high = int(from_port), int(to_port)
    except (TypeError, ValueError):
        if protocol.upper() == "ICMP":
            raise BadRequest("Invalid input received: Type and Code must be integers "
                             "for ICMP protocol type") from None
        raise BadRequest("Invalid input received: To and From ports must be "
                         "integers") from None
    kind = protocol.upper()
    if kind not in ("TCP", "UDP", "ICMP"):
        raise BadRequest(f"Invalid IP protocol {protocol}.")
    if kind in ("TCP", "UDP") and low > high:
        raise BadRequest(f"Invalid port range {low}:{high}. Former value cannot be "
                         "greater than the later")
    if kind in ("TCP", "UDP") and (low < 1 or high > 65535):
        raise BadRequest(f"Invalid port range {low}:{high}. Valid {kind} ports should be "
                         "between 1-65535")
    if kind == "ICMP" and not (-1 <= low <= 255 and -1 <= high <= 255):
        raise BadRequest(f"Invalid port range {low}:{high}. For ICMP, the type:code must "
                         "be valid")
    return protocol.lower(), low, high
