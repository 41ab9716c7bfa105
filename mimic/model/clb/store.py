"""
One tenant's load balancers in one region (:class:`LoadBalancerStore`):
every change a request makes, checked against the load balancer's status,
the account's limits and the behaviors registered through the control API,
all or nothing (a refused request changes no state and takes no id).
:func:`store_for` finds a tenant's store, for the API and the control API
alike. Parsing is the other modules' business: the store takes what they
return.
"""

from __future__ import annotations

from typing import Any, Optional

import attrs

from mimic.model.behaviors import BehaviorRegistry
from mimic.model.clb.errors import (
    NO_IDS, BadRequest, Gone, Immutable, InjectedFailure, NotFound, OverLimit, ValidationFailed,
)
from mimic.model.clb.ids import ClbIds, int_id
from mimic.model.clb.limits import LIMITS
from mimic.model.clb.load_balancers import LB_STATUSES, LoadBalancer, LoadBalancerSpec
from mimic.model.clb.metadata import MetadataItem
from mimic.model.clb.nodes import DUPLICATE_NODES, NODE_STATUSES, Node, NodeSpec
from mimic.model.clb.presets import CREATION_EVENT, DELETION_EVENT
from mimic.model.clb.settings import DUPLICATE_ADDRESSES, AccessRule
from mimic.model.clb.virtual_ips import new_virtual_ips
from mimic.util import IdSource


@attrs.define
class LoadBalancerStore:
    """
    One tenant's load balancers in one region, and the behaviors registered
    for them through the control API.
    """

    region: str
    clock: Any
    ids: ClbIds
    random_ids: IdSource
    load_balancers: dict = attrs.field(factory=dict)
    creation_behaviors: BehaviorRegistry = attrs.field(default=None)
    deletion_behaviors: BehaviorRegistry = attrs.field(default=None)

    def __attrs_post_init__(self) -> None:
        self.creation_behaviors = BehaviorRegistry(CREATION_EVENT, self.random_ids)
        self.deletion_behaviors = BehaviorRegistry(DELETION_EVENT, self.random_ids)

    def registry(self, event: str) -> BehaviorRegistry:
        return {"creation": self.creation_behaviors,
                "deletion": self.deletion_behaviors}[event]

    def now(self) -> float:
        return self.clock.seconds()

    # reading

    def visible(self) -> list[LoadBalancer]:
        """Every load balancer the service still shows, oldest first."""
        now = self.now()
        for lb_id in [i for i, lb in self.load_balancers.items() if lb.expired(now)]:
            del self.load_balancers[lb_id]
        return list(self.load_balancers.values())

    def get(self, lb_id: Any) -> LoadBalancer:
        lb = self.load_balancers.get(int_id(lb_id))
        if lb is None or lb.expired(self.now()):
            raise NotFound("Load balancer not found.")
        return lb

    def status(self, lb: LoadBalancer) -> str:
        return lb.status_at(self.now())

    def node(self, lb: LoadBalancer, node_id: Any) -> Node:
        node = lb.nodes.get(int_id(node_id))
        if node is None:
            raise NotFound("Node not found.")
        return node

    # guards

    def mutable(self, lb: LoadBalancer) -> None:
        """Changes are accepted only while ACTIVE."""
        status = self.status(lb)
        if status != "ACTIVE":
            raise Immutable(lb.id, status)

    def not_deleted(self, lb: LoadBalancer) -> None:
        """Node changes on a deleted load balancer are 410, not 422."""
        if self.status(lb) == "DELETED":
            raise Gone("The load balancer is deleted and considered immutable.")

    def nodes_mutable(self, lb: LoadBalancer) -> None:
        self.not_deleted(lb)
        self.mutable(lb)

    def _metadata_writable(self, lb: LoadBalancer) -> None:
        """Metadata is not configuration: any status will do but DELETED."""
        if self.status(lb) == "DELETED":
            raise Immutable(lb.id, "DELETED")

    def _new_items(self, pairs: list[tuple[str, str]]) -> list[MetadataItem]:
        return [MetadataItem(self.ids.items.take(), key, value) for key, value in pairs]

    def _new_rules(self, rules: list[tuple[str, str]]) -> list[AccessRule]:
        return [AccessRule(self.ids.items.take(), address, kind) for address, kind in rules]

    def _changed(self, lb: LoadBalancer) -> None:
        """A configuration change: PENDING_UPDATE for the preset time."""
        lb.enter("PENDING_UPDATE", self.now(), lb.presets.pending_update, then="ACTIVE")

    # load balancers

    def create(self, spec: LoadBalancerSpec) -> LoadBalancer:
        """
        A new load balancer in BUILD (or ERROR), once creation behaviors and
        shared virtual IPs allow it. Nothing changes if it is refused.
        """
        shared = self._shared_vips(spec)
        chosen = self.creation_behaviors.choose({
            "loadbalancer_name": spec.name,
            "metadata": dict(spec.metadata),
        })
        if chosen.name == "fail":
            raise InjectedFailure(chosen.parameters["code"], chosen.parameters["message"])
        now = self.now()
        lb = LoadBalancer(
            id=self.ids.load_balancers.take(),
            name=spec.name, protocol=spec.protocol, port=spec.port,
            algorithm=spec.algorithm, timeout=spec.timeout,
            half_closed=spec.half_closed, https_redirect=spec.https_redirect,
            virtual_ips=[], created=now, updated=now, presets=spec.presets,
            access_list=[], health_monitor=spec.health_monitor,
            session_persistence=spec.session_persistence,
            connection_logging=spec.connection_logging,
            connection_throttle=spec.connection_throttle,
            content_caching=spec.content_caching,
        )
        for vip_spec in spec.virtual_ips:
            if vip_spec.shared_id is not None:
                lb.virtual_ips.append(shared[vip_spec.shared_id])
            else:
                lb.virtual_ips.extend(new_virtual_ips(vip_spec, self.ids.virtual_ips.take))
        for node_spec in spec.nodes:
            self._add_node(lb, node_spec)
        lb.metadata = self._new_items(spec.metadata)
        lb.access_list = self._new_rules(spec.access_list)
        building = spec.presets.building
        if chosen.name == "building":
            building = chosen.parameters["duration"]
        if spec.presets.error or chosen.name == "error":
            lb.enter("ERROR", now)
        else:
            lb.enter("BUILD", now, building, then="ACTIVE")
        self.load_balancers[lb.id] = lb
        return lb

    def _shared_vips(self, spec: LoadBalancerSpec) -> dict:
        shared = {}
        for vip_spec in spec.virtual_ips:
            if vip_spec.shared_id is None:
                continue
            owners = [
                lb for lb in self.visible()
                if self.status(lb) != "DELETED"
                and any(v.id == vip_spec.shared_id for v in lb.virtual_ips)
            ]
            if not owners:
                raise ValidationFailed(
                    f"Virtual IP {vip_spec.shared_id} was not found on any of "
                    "your load balancers."
                )
            if any(lb.port == spec.port for lb in owners):
                raise BadRequest(
                    f"Port {spec.port} is already used by a load balancer sharing "
                    f"virtual IP {vip_spec.shared_id}; shared virtual IPs need "
                    "unique ports."
                )
            shared[vip_spec.shared_id] = next(
                v for v in owners[0].virtual_ips if v.id == vip_spec.shared_id
            )
        return shared

    def delete(self, lb_ids: list) -> None:
        """
        Delete one or (bulk) several load balancers: all must exist and be
        ACTIVE or ERROR, or none is deleted.
        """
        _ids_given(lb_ids)
        _within_batch(lb_ids, f"Cannot delete more than {LIMITS['BATCH_DELETE_LIMIT']} load "
                              "balancers at once.")
        lbs = [self.get(lb_id) for lb_id in lb_ids]
        for lb in lbs:
            status = self.status(lb)
            if status not in ("ACTIVE", "ERROR"):
                raise Immutable(lb.id, status)
        plans = []
        for lb in lbs:
            chosen = self.deletion_behaviors.choose({
                "loadbalancer_name": lb.name,
                "loadbalancer_id": str(lb.id),
                "metadata": {m.key: m.value for m in lb.metadata},
            })
            if chosen.name == "fail":
                raise InjectedFailure(chosen.parameters["code"], chosen.parameters["message"])
            pending = lb.presets.pending_delete
            if chosen.name == "pending":
                pending = chosen.parameters["duration"]
            plans.append((lb, pending))
        now = self.now()
        for lb, pending in plans:
            lb.enter("PENDING_DELETE", now, pending, then="DELETED")

    # nodes

    def _add_node(self, lb: LoadBalancer, spec: NodeSpec) -> Node:
        node = Node(self.ids.nodes.take(), spec.address, spec.port, spec.condition,
                    spec.type, spec.weight)
        lb.nodes[node.id] = node
        return node

    def add_nodes(self, lb: LoadBalancer, specs: list[NodeSpec]) -> list[Node]:
        self.nodes_mutable(lb)
        if not specs:
            raise ValidationFailed("At least one node is required.")
        if any(lb.node_by_address(s.address, s.port) for s in specs):
            raise OverLimit(DUPLICATE_NODES)
        if len(lb.nodes) + len(specs) > LIMITS["NODE_LIMIT"]:
            raise OverLimit(f"Nodes must not exceed {LIMITS['NODE_LIMIT']} per load balancer.")
        added = [self._add_node(lb, spec) for spec in specs]
        self._changed(lb)
        return added

    def update_node(self, lb: LoadBalancer, node_id: Any, changes: dict) -> None:
        self.not_deleted(lb)
        node = self.node(lb, node_id)
        self.mutable(lb)
        for field, value in changes.items():
            setattr(node, field, value)
        self._changed(lb)

    def delete_nodes(self, lb: LoadBalancer, node_ids: list) -> None:
        self.not_deleted(lb)
        _ids_given(node_ids)
        _within_batch(node_ids, f"Request to delete more than {LIMITS['BATCH_DELETE_LIMIT']} "
                                "nodes is not allowed.")
        nodes = [lb.nodes.get(int_id(node_id)) for node_id in node_ids]
        missing = [str(i) for i, n in zip(node_ids, nodes) if n is None]
        if missing and len(node_ids) == 1:
            raise NotFound("Node not found.")
        if missing:
            raise BadRequest(
                f"Nodes with ids {', '.join(missing)} are not a part of your "
                "load balancer."
            )
        self.mutable(lb)
        for node in nodes:
            del lb.nodes[node.id]
        self._changed(lb)

    def set_node_status(self, lb: LoadBalancer, node_id: Any, status: str) -> Node:
        """Control API: the health monitor's verdict on a node."""
        if status not in NODE_STATUSES:
            raise ValidationFailed(f"status must be one of {', '.join(NODE_STATUSES)}.")
        node = self.node(lb, node_id)
        node.status = status
        return node

    def set_status(self, lb: LoadBalancer, status: str) -> None:
        """Control API: force a status, with no pending transition."""
        if status not in LB_STATUSES:
            raise ValidationFailed(f"status must be one of {', '.join(LB_STATUSES)}.")
        lb.enter(status, self.now())

    # attributes and settings

    def configure(self, lb: LoadBalancer, **settings: Any) -> None:
        """
        Change attributes (name, port, ...) or settings (health monitor,
        throttle, ...): a configuration change.
        """
        self.mutable(lb)
        for field, value in settings.items():
            setattr(lb, field, value)
        self._changed(lb)

    def add_access_rules(self, lb: LoadBalancer, rules: list[tuple[str, str]]) -> None:
        self.mutable(lb)
        existing = {rule.address for rule in lb.access_list}
        if any(address in existing for address, _ in rules):
            raise BadRequest(DUPLICATE_ADDRESSES)
        if len(lb.access_list) + len(rules) > LIMITS["ACCESS_LIST_LIMIT"]:
            raise OverLimit(
                f"Access list must not exceed {LIMITS['ACCESS_LIST_LIMIT']} items."
            )
        lb.access_list.extend(self._new_rules(rules))
        self._changed(lb)

    def delete_access_rules(self, lb: LoadBalancer, rule_ids: Optional[list]) -> None:
        """Delete rules by id, or the whole list when ``rule_ids`` is None."""
        if rule_ids is None:
            if not lb.access_list:
                raise NotFound("No access list found.")
            self.mutable(lb)
            lb.access_list = []
            self._changed(lb)
            return
        _within_batch(rule_ids,
                      f"Cannot delete more than {LIMITS['BATCH_DELETE_LIMIT']} rules at once.")
        wanted = {int_id(rule_id) for rule_id in rule_ids}
        known = {rule.id for rule in lb.access_list}
        if not wanted <= known:
            raise NotFound("Access list item not found.")
        self.mutable(lb)
        lb.access_list = [rule for rule in lb.access_list if rule.id not in wanted]
        self._changed(lb)

    # metadata (not a configuration change: allowed in any live status)

    def _metadata_of(self, lb: LoadBalancer, node_id: Any = None) -> list:
        if node_id is None:
            return lb.metadata
        return self.node(lb, node_id).metadata

    def add_metadata(self, lb: LoadBalancer, pairs: list, node_id: Any = None) -> list:
        self._metadata_writable(lb)
        items = self._metadata_of(lb, node_id)
        if not pairs:
            raise ValidationFailed("At least one metadata item is required.")
        known = {item.key for item in items}
        duplicates = sorted(key for key, _ in pairs if key in known)
        if duplicates:
            raise BadRequest(f"Duplicate metadata keys: {', '.join(duplicates)}.")
        limit = LIMITS["NODE_META_LIMIT" if node_id is not None else "LOADBALANCER_META_LIMIT"]
        if len(items) + len(pairs) > limit:
            raise OverLimit(f"Metadata must not exceed {limit} items.")
        added = self._new_items(pairs)
        items.extend(added)
        return added

    def metadata_item(self, lb: LoadBalancer, meta_id: Any, node_id: Any = None) -> MetadataItem:
        wanted = int_id(meta_id)
        for item in self._metadata_of(lb, node_id):
            if item.id == wanted:
                return item
        raise NotFound("Metadata item not found.")

    def update_metadata(self, lb: LoadBalancer, meta_id: Any, value: str,
                        node_id: Any = None) -> None:
        self._metadata_writable(lb)
        self.metadata_item(lb, meta_id, node_id).value = value

    def delete_metadata(self, lb: LoadBalancer, meta_ids: list, node_id: Any = None) -> None:
        self._metadata_writable(lb)
        _ids_given(meta_ids)
        items = self._metadata_of(lb, node_id)
        wanted = {int_id(meta_id) for meta_id in meta_ids}
        if not wanted <= {item.id for item in items}:
            raise NotFound("Metadata item not found.")
        items[:] = [item for item in items if item.id not in wanted]


def store_for(session_store: Any, tenant_id: str, region: str) -> LoadBalancerStore:
    """The tenant's load balancers in ``region`` (shared by API and control API)."""
    ids = session_store.data_for_api("clb-ids", ClbIds)
    return session_store.tenant(tenant_id).data_for_api(
        ("clb", region),
        lambda: LoadBalancerStore(region, session_store.clock, ids, session_store.ids),
    )


def _ids_given(ids: list) -> None:
    if not ids:
        raise BadRequest(NO_IDS)


def _within_batch(ids: list, refusal: str) -> None:
    """A bulk delete names at most ``BATCH_DELETE_LIMIT`` ids."""
    if len(ids) > LIMITS["BATCH_DELETE_LIMIT"]:
        raise BadRequest(refusal)
