"""
Rackspace Cloud Load Balancers (v1.0): load balancers, their nodes and
settings, and the status each one is in on Mimic's clock. This package
knows nothing about HTTP: it raises :class:`ClbError` subclasses that the
REST layer renders in the API's fault shape.

One module per noun of the API:

- :mod:`~mimic.model.clb.load_balancers`: the load balancer, its statuses
  on the clock, and the create and update requests;
- :mod:`~mimic.model.clb.nodes`: nodes and node requests;
- :mod:`~mimic.model.clb.virtual_ips`: virtual IPs, new or shared;
- :mod:`~mimic.model.clb.metadata`: metadata items of load balancers and nodes;
- :mod:`~mimic.model.clb.settings`: the access list, health monitor,
  connection throttle, session persistence, logging, caching, error page;
- :mod:`~mimic.model.clb.presets`: metadata presets and behavior events;
- :mod:`~mimic.model.clb.limits` and :mod:`~mimic.model.clb.ids`: the
  absolute limits, and ids that are never reused;
- :mod:`~mimic.model.clb.errors`: the refusals;
- :mod:`~mimic.model.clb.validation`: the field checks all of them share;
- :mod:`~mimic.model.clb.store`: :class:`LoadBalancerStore`, one tenant's
  load balancers in one region, and :func:`store_for`.

The names below are the package's public surface, importable from
``mimic.model.clb`` itself (``from mimic.model import clb``, then
``clb.parse_create``...). They are also the names a state snapshot taken
before the package was split gives its classes, so such a snapshot still
restores.
"""

from mimic.model.clb.errors import (
    BadRequest,
    ClbError,
    Gone,
    Immutable,
    InjectedFailure,
    NotFound,
    OverLimit,
    ValidationFailed,
)
from mimic.model.clb.ids import ClbIds, IdCounter
from mimic.model.clb.limits import LIMITS
from mimic.model.clb.load_balancers import (
    ALGORITHMS,
    DEFAULT_ALGORITHM,
    DELETED_VISIBLE_SECONDS,
    LB_STATUSES,
    NAME_MAX,
    PROTOCOLS,
    UPDATABLE,
    LoadBalancer,
    LoadBalancerSpec,
    parse_create,
    parse_update,
)
from mimic.model.clb.metadata import (
    METADATA_TEXT_MAX,
    MetadataItem,
    metadata_text,
    parse_metadata,
)
from mimic.model.clb.nodes import (
    NODE_CONDITIONS,
    NODE_STATUSES,
    NODE_TYPES,
    Node,
    NodeSpec,
    parse_node_update,
    parse_nodes,
    valid_node_address,
)
from mimic.model.clb.presets import (
    CREATION_EVENT,
    DELETION_EVENT,
    EVENTS,
    PRESETS,
    Presets,
    parse_presets,
)
from mimic.model.clb.settings import (
    ACCESS_TYPES,
    MONITOR_TYPES,
    PERSISTENCE_TYPES,
    AccessRule,
    ConnectionThrottle,
    HealthMonitor,
    parse_access_list,
    parse_connection_throttle,
    parse_enabled,
    parse_error_page,
    parse_health_monitor,
    parse_session_persistence,
)
from mimic.model.clb.store import LoadBalancerStore, store_for
from mimic.model.clb.virtual_ips import (
    IP_VERSIONS,
    VIP_TYPES,
    VipSpec,
    VirtualIp,
    parse_virtual_ips,
)

__all__ = [
    "ACCESS_TYPES",
    "ALGORITHMS",
    "AccessRule",
    "BadRequest",
    "ClbError",
    "ClbIds",
    "ConnectionThrottle",
    "CREATION_EVENT",
    "DEFAULT_ALGORITHM",
    "DELETED_VISIBLE_SECONDS",
    "DELETION_EVENT",
    "EVENTS",
    "Gone",
    "HealthMonitor",
    "IdCounter",
    "Immutable",
    "InjectedFailure",
    "IP_VERSIONS",
    "LB_STATUSES",
    "LIMITS",
    "LoadBalancer",
    "LoadBalancerSpec",
    "LoadBalancerStore",
    "METADATA_TEXT_MAX",
    "MetadataItem",
    "metadata_text",
    "MONITOR_TYPES",
    "NAME_MAX",
    "Node",
    "NODE_CONDITIONS",
    "NODE_STATUSES",
    "NODE_TYPES",
    "NodeSpec",
    "NotFound",
    "OverLimit",
    "parse_access_list",
    "parse_connection_throttle",
    "parse_create",
    "parse_enabled",
    "parse_error_page",
    "parse_health_monitor",
    "parse_metadata",
    "parse_node_update",
    "parse_nodes",
    "parse_presets",
    "parse_session_persistence",
    "parse_update",
    "parse_virtual_ips",
    "PERSISTENCE_TYPES",
    "PRESETS",
    "Presets",
    "PROTOCOLS",
    "store_for",
    "UPDATABLE",
    "valid_node_address",
    "ValidationFailed",
    "VIP_TYPES",
    "VipSpec",
    "VirtualIp",
]
