"""
The account's absolute limits, as ``GET /loadbalancers/absolutelimits``
lists them: how many nodes, metadata items, access rules and IPv6 virtual
IPs a load balancer may have, and how many ids one bulk delete may name.
Parsing checks what one request asks for; the store checks what it would
add up to.
"""

from __future__ import annotations

#: The limits by the names the API gives them.
LIMITS = {
    "NODE_LIMIT": 25,
    "BATCH_DELETE_LIMIT": 10,
    "LOADBALANCER_META_LIMIT": 25,
    "NODE_META_LIMIT": 25,
    "ACCESS_LIST_LIMIT": 100,
    "IPV6_LIMIT": 25,
}
