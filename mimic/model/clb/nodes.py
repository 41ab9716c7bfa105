"""
Nodes: the back-end addresses and ports a load balancer sends traffic
to. What a node is (:class:`Node`), what a client may ask for
(:func:`parse_nodes` for a create or an add, :func:`parse_node_update` for
a change) and which addresses count (:func:`valid_node_address`). The
store keeps them on their load balancer and enforces the limits.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Optional

import attrs

from mimic.model.clb.errors import ValidationFailed
from mimic.model.clb.validation import (
    changes_in,
    choice,
    each_object,
    integer,
    is_integer,
    one_of,
    refuse_any,
    within,
)

NODE_CONDITIONS = ("ENABLED", "DISABLED", "DRAINING")
NODE_TYPES = ("PRIMARY", "SECONDARY")
#: What the health monitor says of a node (set through the control API).
NODE_STATUSES = ("ONLINE", "OFFLINE")

_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)

#: Refused in a request, and when a request repeats a node a load balancer has.
DUPLICATE_NODES = ("Duplicate nodes detected. One or more nodes already "
                    "configured on load balancer.")


@attrs.define
class Node:
    """A back-end address and port the load balancer sends traffic to."""

    id: int
    address: str
    port: int
    condition: str
    type: str = "PRIMARY"
    weight: int = 1
    status: str = "ONLINE"
    metadata: list = attrs.field(factory=list)


@attrs.frozen
class NodeSpec:
    """A node as requested, validated, before it has an id."""

    address: str
    port: int
    condition: str
    type: str = "PRIMARY"
    weight: int = 1


def valid_node_address(address: Any) -> bool:
    """An IPv4/IPv6 address or a host name, as nodes accept."""
    if not isinstance(address, str) or not address:
        return False
    try:
        ipaddress.ip_address(address)
        return True
    except ValueError:
        return bool(_HOSTNAME.match(address)) and not address.replace(".", "").isdigit()


def _node_spec(item: dict, what: str, errors: list) -> Optional[NodeSpec]:
    before = len(errors)
    address = item.get("address")
    if not valid_node_address(address):
        errors.append(f"{what}address is invalid. Please specify a valid ip.")
    port = integer(item, "port", 1, 65535, errors, what)
    condition = choice(item, "condition", NODE_CONDITIONS, errors, what)
    node_type = item.get("type", "PRIMARY")
    if node_type not in NODE_TYPES:
        errors.append(f"{what}type must be one of {', '.join(NODE_TYPES)}.")
    weight = item.get("weight", 1)
    if not is_integer(weight) or not 1 <= weight <= 100:
        errors.append(f"{what}weight must be an integer from 1 to 100.")
    unknown = set(item) - {"address", "port", "condition", "type", "weight"}
    if unknown:
        errors.append(f"{what} has unsupported attributes: {', '.join(sorted(unknown))}.")
    if len(errors) > before:
        return None
    return NodeSpec(address, port, condition, node_type, weight)


def parse_nodes(raw: Any) -> list[NodeSpec]:
    """The ``nodes`` list of a create or add-nodes request."""
    specs, errors = each_object(raw, "nodes", _node_spec,
                                refusal="nodes must be a list of node objects.")
    refuse_any(errors)
    if len({(spec.address, spec.port) for spec in specs}) != len(specs):
        raise ValidationFailed(DUPLICATE_NODES)
    return specs


#: What a node update may change, and how each is checked.
_UPDATES = (
    ("condition", "condition", one_of(NODE_CONDITIONS)),
    ("type", "type", one_of(NODE_TYPES)),
    ("weight", "weight", within(1, 100)),
)


def parse_node_update(raw: Any) -> dict:
    """The attributes of a node update: condition, type and weight only."""
    if not isinstance(raw, dict) or not raw:
        raise ValidationFailed("At least one of condition, type or weight is required.")
    errors: list = []
    for immutable in ("address", "port"):
        if immutable in raw:
            errors.append(f"Node {immutable} is immutable and cannot be updated.")
    unknown = set(raw) - {"condition", "type", "weight", "address", "port", "id"}
    if unknown:
        errors.append(f"Unsupported node attributes: {', '.join(sorted(unknown))}.")
    changes = changes_in(raw, _UPDATES, errors)
    if not changes and not errors:
        errors.append("At least one of condition, type or weight is required.")
    refuse_any(errors)
    return changes
