"""
Security groups and their rules, validated as Neutron validates them
(protocols, port ranges, remote prefixes, duplicates), with the
``default`` group every tenant has.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Optional, Union

import attrs

from mimic.model.neutron.faults import BadRequest, Conflict, NotFound, found
from mimic.model.neutron.standard import Stamped


#: Protocol names a security group rule accepts, besides numbers 0-255.
PROTOCOL_NAMES = (
    "ah", "dccp", "egp", "esp", "gre", "hopopt", "icmp", "igmp", "ipip",
    "ipv6-encap", "ipv6-frag", "ipv6-icmp", "icmpv6", "ipv6-nonxt",
    "ipv6-opts", "ipv6-route", "ospf", "pgm", "rsvp", "sctp", "tcp", "udp",
    "udplite", "vrrp", "any",
)


#: IANA numbers of the protocol names (neutron-lib's ``IP_PROTOCOL_MAP``;
#: ``icmpv6`` is its legacy alias of ``ipv6-icmp``).
PROTOCOL_NUMBERS = {
    "ah": 51, "dccp": 33, "egp": 8, "esp": 50, "gre": 47, "hopopt": 0, "icmp": 1,
    "igmp": 2, "ipip": 4, "ipv6-encap": 41, "ipv6-frag": 44, "ipv6-icmp": 58,
    "icmpv6": 58, "ipv6-nonxt": 59, "ipv6-opts": 60, "ipv6-route": 43, "ospf": 89,
    "pgm": 113, "rsvp": 46, "sctp": 132, "tcp": 6, "udp": 17, "udplite": 136, "vrrp": 112,
}


#: The protocols whose rules may name ports (Neutron's ``SG_PORT_PROTO_NUMS``),
#: and those whose ``port_range_min``/``max`` are an ICMP type and code.
PORT_PROTOCOL_NUMBERS = (33, 132, 6, 17, 136)


ICMP_PROTOCOL_NUMBERS = (1, 58)


@attrs.define(eq=False)
class SecurityGroupRule(Stamped):
    id: str = ""
    tenant_id: str = ""
    security_group_id: str = ""
    direction: str = "ingress"
    ethertype: str = "IPv4"
    protocol: Optional[str] = None
    port_range_min: Optional[int] = None
    port_range_max: Optional[int] = None
    remote_ip_prefix: Optional[str] = None
    remote_group_id: Optional[str] = None
    description: str = ""
    belongs_to_default_sg: bool = False

    def signature(self) -> tuple:
        """What makes two rules the same rule (Neutron refuses duplicates)."""
        return (self.direction, self.ethertype, self.protocol, self.port_range_min,
                self.port_range_max, self.remote_ip_prefix, self.remote_group_id)


@attrs.define(eq=False)
class SecurityGroup(Stamped):
    id: str = ""
    name: str = ""
    tenant_id: str = ""
    description: str = ""
    rule_ids: dict = attrs.field(factory=dict)  # ordered set of rule ids
    stateful: bool = True

    @property
    def is_default(self) -> bool:
        return self.name == "default"


def _protocol(protocol: Any) -> Optional[str]:
    if protocol is None:
        return None
    if isinstance(protocol, bool):
        protocol = str(protocol)
    if isinstance(protocol, int) or (isinstance(protocol, str) and protocol.isdigit()):
        number = int(protocol)
        if 0 <= number <= 255:
            return str(number)
    elif isinstance(protocol, str) and protocol.lower() in PROTOCOL_NAMES:
        return protocol.lower()
    raise BadRequest(
        f"Security group rule protocol {protocol} not supported. Only protocol values "
        f"{list(PROTOCOL_NAMES)} and integer representations [0 to 255] are supported.",
        "SecurityGroupRuleInvalidProtocol")


def _check_port_range(protocol: Optional[str], low: Optional[int],
                      high: Optional[int]) -> None:
    """
    Neutron's rules for a rule's port range (``_validate_port_range`` of
    its security group database mixin): ports need a protocol; on a port
    protocol both ends are given, non-zero and in order; on ICMP they are a
    type (min) and code (max) of 0-255, and no code without a type; any
    other protocol takes no ports.
    """
    if low is None and high is None:
        return
    if protocol is None:
        raise BadRequest("Must also specify protocol if port range is given.",
                         "SecurityGroupProtocolRequiredWithPorts")
    number = None if protocol == "any" else PROTOCOL_NUMBERS.get(protocol, None)
    if number is None and protocol.isdigit():
        number = int(protocol)
    if number in PORT_PROTOCOL_NUMBERS:
        if low == 0 or high == 0:
            raise BadRequest("Invalid value for port 0", "SecurityGroupInvalidPortValue")
        if low is None or high is None or low > high:
            raise BadRequest("For TCP/UDP protocols, port_range_min must be <= "
                             "port_range_max", "SecurityGroupInvalidPortRange")
    elif number in ICMP_PROTOCOL_NUMBERS:
        for value, attr, field in ((low, "port_range_min", "type"),
                                   (high, "port_range_max", "code")):
            if value is not None and not 0 <= value <= 255:
                raise BadRequest(f"Invalid value for ICMP {field} ({attr}) {value}. It must "
                                 f"be 0 to 255.", "SecurityGroupInvalidIcmpValue")
        if low is None:
            raise BadRequest(f"ICMP code (port-range-max) {high} is provided but ICMP type "
                             f"(port-range-min) is missing.", "SecurityGroupMissingIcmpType")
    else:
        raise BadRequest(f"Ports cannot be specified for protocol {number}. Ports are only "
                         f"supported for DCCP, SCTP, TCP, UDP, UDPLITE.",
                         "SecurityGroupInvalidProtocolForPort")


def check_groups_for_port(groups: list[SecurityGroup]) -> None:
    """A port's groups are all stateful or all stateless (``_validate_sgs_for_port``)."""
    if len({group.stateful for group in groups}) > 1:
        raise Conflict("Error Cannot apply both stateful and stateless security groups on the "
                       "same port at the same time while attempting the operation.",
                       "SecurityGroupConflict")


class SecurityGroups:
    """
    The security groups and rules of :class:`~mimic.model.neutron.state.NetworkState`.
    """

    __slots__ = ()

    # lookups

    def security_group(self, group_id: str) -> SecurityGroup:
        return found(self.security_groups, group_id,
                      f"Security group {group_id} does not exist", "SecurityGroupNotFound")

    def find_security_group(self, name_or_id: str) -> SecurityGroup:
        """A group by id, or by name if exactly one group has that name."""
        group = self.security_groups.get(name_or_id)
        if group is not None:
            return group
        named = [g for g in self.security_groups.values() if g.name == name_or_id]
        if len(named) == 1:
            return named[0]
        if named:
            raise Conflict(f"Multiple security_group matches found for name "
                           f"'{name_or_id}', use an ID to be more specific.",
                           "NeutronClientNoUniqueMatch")
        raise NotFound(f"Security group {name_or_id} does not exist", "SecurityGroupNotFound")

    def rule(self, rule_id: str) -> SecurityGroupRule:
        return found(self.rules, rule_id, f"Security group rule {rule_id} does not exist",
                      "SecurityGroupRuleNotFound")

    def default_security_group(self) -> SecurityGroup:
        return next(g for g in self.security_groups.values() if g.is_default)

    # groups and rules

    def create_security_group(self, name: str = "", description: str = "",
                              stateful: bool = True, _default: bool = False) -> SecurityGroup:
        """A group with Neutron's starting rules: all egress, IPv4 and IPv6."""
        if name == "default" and not _default:
            raise Conflict("Default security group already exists.",
                           "SecurityGroupDefaultAlreadyExists")
        if not _default:
            self.check_quota("security_group")
            self.check_quota("security_group_rule", 2)
        now = self.now()
        group = SecurityGroup(now, now, 1, id=self.ids.uuid(), name=name,
                              tenant_id=self.tenant_id, description=description,
                              stateful=stateful)
        self.security_groups[group.id] = group
        self._group_port_counts[group.id] = 0
        for ethertype in ("IPv4", "IPv6"):
            self._add_rule(group, "egress", ethertype)
        if _default:
            for ethertype in ("IPv4", "IPv6"):
                self._add_rule(group, "ingress", ethertype, remote_group_id=group.id)
        return group

    def update_security_group(self, group_id: str, name: Optional[str] = None,
                              description: Optional[str] = None,
                              stateful: Optional[bool] = None) -> SecurityGroup:
        group = self.security_group(group_id)
        if stateful is not None and stateful != group.stateful:
            # Neutron refuses to flip a group its ports use.
            if self._group_port_counts.get(group.id):
                raise Conflict(f"Security Group {group.id} in use.", "SecurityGroupInUse")
            group.stateful = stateful
        if name is not None and name != group.name:
            if group.is_default:
                raise Conflict("Updating default security group not allowed.",
                               "SecurityGroupCannotUpdateDefault")
            if name == "default":
                raise Conflict("Default security group already exists.",
                               "SecurityGroupDefaultAlreadyExists")
            group.name = name
            if self._group_port_counts.get(group.id):
                # Servers show their groups by name; renames are rare
                # enough for a look at every port.
                # Compact ports only ever have the default group.
                for port in self.ports.materialized.values():
                    if group.id in port.security_group_ids:
                        self._device_changed(port.device_id)
        if description is not None:
            group.description = description
        group.touch(self.now())
        return group

    def delete_security_group(self, group_id: str) -> None:
        group = self.security_group(group_id)
        if group.is_default:
            raise Conflict("Insufficient rights for removing default security group.",
                           "SecurityGroupCannotRemoveDefault")
        if self._group_port_counts.get(group_id):
            raise Conflict(f"Security Group {group_id} in use.", "SecurityGroupInUse")
        for rule_id in group.rule_ids:
            del self.rules[rule_id]
        del self.security_groups[group_id]
        del self._group_port_counts[group_id]

    def _add_rule(self, group: SecurityGroup, direction: str, ethertype: str,
                  **fields: Any) -> SecurityGroupRule:
        now = self.now()
        rule = SecurityGroupRule(now, now, 0, id=self.ids.uuid(), tenant_id=self.tenant_id,
                                 security_group_id=group.id, direction=direction,
                                 ethertype=ethertype, belongs_to_default_sg=group.is_default,
                                 **fields)
        self.rules[rule.id] = rule
        group.rule_ids[rule.id] = None
        return rule

    def create_security_group_rule(
        self, security_group_id: str, direction: str, ethertype: str = "IPv4",
        protocol: Optional[Union[str, int]] = None, port_range_min: Optional[int] = None,
        port_range_max: Optional[int] = None, remote_ip_prefix: Optional[str] = None,
        remote_group_id: Optional[str] = None, description: str = "",
    ) -> SecurityGroupRule:
        """A rule, validated as Neutron validates it; duplicates are refused."""
        if direction not in ("ingress", "egress"):
            raise BadRequest(f"Invalid input for direction. Reason: {direction!r} is not in "
                             f"['ingress', 'egress'].")
        if ethertype not in ("IPv4", "IPv6"):
            raise BadRequest(f"Invalid input for ethertype. Reason: {ethertype!r} is not in "
                             f"['IPv4', 'IPv6'].")
        protocol = _protocol(protocol)
        for value in (port_range_min, port_range_max):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or not 0 <= value <= 65535):
                raise BadRequest(f"Invalid value for port {value}",
                                 "SecurityGroupInvalidPortValue")
        if (port_range_min, port_range_max) == (1, 65535):
            # Neutron stores the whole range as no range at all.
            port_range_min = port_range_max = None
        _check_port_range(protocol, port_range_min, port_range_max)
        if remote_ip_prefix is not None and remote_group_id is not None:
            raise BadRequest("Only remote_ip_prefix or remote_group_id may be provided.",
                             "SecurityGroupRemoteGroupAndRemoteIpPrefix")
        if remote_ip_prefix is not None:
            try:
                prefix = ipaddress.ip_network(remote_ip_prefix, strict=False)
            except (ValueError, TypeError):
                raise BadRequest(f"Invalid input for remote_ip_prefix. Reason: "
                                 f"'{remote_ip_prefix}' is not a valid IP subnet.") from None
            if (prefix.version == 4) != (ethertype == "IPv4"):
                raise BadRequest(f"Conflicting value ethertype {ethertype} for CIDR "
                                 f"{remote_ip_prefix}", "SecurityGroupRuleParameterConflict")
            remote_ip_prefix = str(prefix)
        group = self.security_group(security_group_id)
        if remote_group_id is not None:
            remote_group_id = self.security_group(remote_group_id).id
        candidate = SecurityGroupRule("", "", 0, direction=direction, ethertype=ethertype,
                                      protocol=protocol, port_range_min=port_range_min,
                                      port_range_max=port_range_max,
                                      remote_ip_prefix=remote_ip_prefix,
                                      remote_group_id=remote_group_id)
        for rule_id in group.rule_ids:
            if self.rules[rule_id].signature() == candidate.signature():
                raise Conflict(f"Security group rule already exists. Rule id is {rule_id}.",
                               "SecurityGroupRuleExists")
        self.check_quota("security_group_rule")
        rule = self._add_rule(group, direction, ethertype, protocol=protocol,
                              port_range_min=port_range_min, port_range_max=port_range_max,
                              remote_ip_prefix=remote_ip_prefix,
                              remote_group_id=remote_group_id, description=description)
        group.touch(self.now())
        return rule

    def delete_security_group_rule(self, rule_id: str) -> None:
        rule = self.rule(rule_id)
        group = self.security_groups[rule.security_group_id]
        del group.rule_ids[rule_id]
        del self.rules[rule_id]
        group.touch(self.now())
