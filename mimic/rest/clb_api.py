"""
Rackspace Cloud Load Balancers v1.0 over HTTP: ``/v1.0/<tenant_id>/
loadbalancers`` and everything below it, for one region.

Routes parse the request, call :mod:`mimic.model.clb` and serialise the
answer in the service's JSON. Every failure, from any route, is rendered by
:func:`clb_error_body` in the service's fault shape ``{"message", "code",
"details"}`` (plus ``validationErrors`` for validation faults).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from mimic.klein_rendering import MimicKlein

from mimic.model import clb
from mimic.rest.http import (
    RequestError,
    empty_response,
    install_error_handlers,
    json_response,
    query_text,
    query_values,
    read_json,
)
from mimic.util import iso_time

#: The ``details`` of each fault when nothing more specific is known.
FAULT_DETAILS = {
    400: "The object is not valid",
    404: "Object not Found",
    405: "Method not allowed",
    410: "The object at the specified URI is gone.",
    413: "The request exceeds an absolute limit.",
    422: "The object at the specified URI is immutable and cannot be overwritten.",
}

DEFAULT_ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>Service Unavailable</title></head>"
    "<body><h1>Service Unavailable</h1><p>The service is temporarily "
    "unavailable. Please try again later.</p></body></html>"
)


def clb_error_body(error: RequestError) -> dict:
    """The one place CLB faults are shaped."""
    body: dict = {"message": error.message, "code": error.code}
    if isinstance(error.details, dict):
        body.update(error.details)
    else:
        body["details"] = error.details or FAULT_DETAILS.get(error.code, "")
    return body


def as_request_error(error: clb.ClbError) -> RequestError:
    """Which HTTP status and fault each model refusal is."""
    if isinstance(error, clb.ValidationFailed):
        return RequestError(400, error.message, details={
            "details": FAULT_DETAILS[400],
            "validationErrors": {"messages": error.messages},
        })
    if isinstance(error, clb.InjectedFailure):
        return RequestError(error.code, error.message)
    code = {
        clb.BadRequest: 400, clb.NotFound: 404, clb.Immutable: 422,
        clb.Gone: 410, clb.OverLimit: 413,
    }[type(error)]
    return RequestError(code, error.message)


def install_clb_error_handlers(app: MimicKlein) -> None:
    """Model refusals become RequestErrors, all rendered as CLB faults."""

    @app.handle_errors(clb.ClbError)
    def refused(*args: Any) -> None:
        raise as_request_error(args[-1].value)

    install_error_handlers(app, clb_error_body)


# Serialisation -----------------------------------------------------------------


def _time(seconds: float) -> dict:
    return {"time": iso_time(seconds, microseconds=False)}


def node_json(node: clb.Node) -> dict:
    return {
        "id": node.id, "address": node.address, "port": node.port,
        "condition": node.condition, "type": node.type, "weight": node.weight,
        "status": node.status,
    }


def vip_json(vip: clb.VirtualIp) -> dict:
    return {"id": vip.id, "address": vip.address, "type": vip.type,
            "ipVersion": vip.ip_version}


def meta_json(item: clb.MetadataItem) -> dict:
    return {"id": item.id, "key": item.key, "value": item.value}


def rule_json(rule: clb.AccessRule) -> dict:
    return {"id": rule.id, "address": rule.address, "type": rule.type}


def monitor_json(monitor: Optional[clb.HealthMonitor]) -> dict:
    if monitor is None:
        return {}
    body = {"type": monitor.type, "delay": monitor.delay, "timeout": monitor.timeout,
            "attemptsBeforeDeactivation": monitor.attempts_before_deactivation}
    for key, value in (("path", monitor.path), ("statusRegex", monitor.status_regex),
                       ("bodyRegex", monitor.body_regex),
                       ("hostHeader", monitor.host_header)):
        if value is not None:
            body[key] = value
    return body


def throttle_json(throttle: Optional[clb.ConnectionThrottle]) -> dict:
    if throttle is None:
        return {}
    return {"minConnections": throttle.min_connections,
            "maxConnections": throttle.max_connections,
            "maxConnectionRate": throttle.max_connection_rate,
            "rateInterval": throttle.rate_interval}


def persistence_json(persistence: Optional[str]) -> dict:
    return {"persistenceType": persistence} if persistence else {}


def lb_summary_json(lb: clb.LoadBalancer, status: str) -> dict:
    """A load balancer as ``GET /loadbalancers`` lists it."""
    return {
        "id": lb.id, "name": lb.name, "protocol": lb.protocol, "port": lb.port,
        "algorithm": lb.algorithm, "status": status, "timeout": lb.timeout,
        "nodeCount": len(lb.nodes),
        "virtualIps": [vip_json(vip) for vip in lb.virtual_ips],
        "created": _time(lb.created), "updated": _time(lb.updated),
    }


def lb_json(lb: clb.LoadBalancer, status: str, region: str) -> dict:
    """A load balancer's full details."""
    body = lb_summary_json(lb, status)
    body.update({
        "halfClosed": lb.half_closed,
        "httpsRedirect": lb.https_redirect,
        "nodes": [node_json(node) for node in lb.nodes.values()],
        "metadata": [meta_json(item) for item in lb.metadata],
        "connectionLogging": {"enabled": lb.connection_logging},
        "contentCaching": {"enabled": lb.content_caching},
        "cluster": {"name": f"ztm-n01.{region.lower()}1.lbaas.rackspace.net"},
        "sourceAddresses": {
            "ipv4Public": "198.19.255.1",
            "ipv4Servicenet": "10.191.255.1",
            "ipv6Public": "2001:db8:fffe::1/64",
        },
    })
    if lb.health_monitor is not None:
        body["healthMonitor"] = monitor_json(lb.health_monitor)
    if lb.session_persistence is not None:
        body["sessionPersistence"] = persistence_json(lb.session_persistence)
    if lb.connection_throttle is not None:
        body["connectionThrottle"] = throttle_json(lb.connection_throttle)
    if lb.access_list:
        body["accessList"] = [rule_json(rule) for rule in lb.access_list]
    return body


# Request helpers ----------------------------------------------------------------


def _unwrap(body: Any, key: str) -> Any:
    """
    The object inside ``{key: {...}}``; some clients (libcloud) send it bare,
    so a body that is not wrapped is taken as the object itself.
    """
    if isinstance(body, dict) and set(body) == {key}:
        return body[key]
    return body


def _wrapped(request: Any, key: str) -> Any:
    body = read_json(request)
    if key not in body:
        raise clb.ValidationFailed(f"The request body must hold a '{key}' object.")
    return body[key]


def _query_ids(request: Any) -> list:
    return query_values(request, "id")


def _query(request: Any, name: bytes) -> Optional[str]:
    return query_text(request, name.decode("ascii"), first=True)


class ClbEndpoint:
    """
    One endpoint of one region, the API or its control API: both serve the
    same tenant's load balancers (:func:`mimic.model.clb.store_for`).
    """

    def __init__(self, region: str, session_store: Any) -> None:
        self.region = region
        self.session_store = session_store

    def _store(self, tenant_id: str) -> clb.LoadBalancerStore:
        return clb.store_for(self.session_store, tenant_id, self.region)


class ClbApi(ClbEndpoint):
    """The CLB v1.0 API of one region, over the session store."""

    app = MimicKlein()

    def _lb(self, tenant_id: str, lb_id: str) -> tuple:
        store = self._store(tenant_id)
        return store, store.get(lb_id)

    def _configure(self, request: Any, tenant_id: str, lb_id: str, field: str,
                   read: Callable[[], Any] = lambda: None) -> bytes:
        """
        Set one setting to what ``read()`` makes of the request (None, the
        default, removes it): the load balancer is found before the body
        is read, so an unknown one is a 404 whatever the body says.
        """
        store, lb = self._lb(tenant_id, lb_id)
        store.configure(lb, **{field: read()})
        return empty_response(request, 202)

    # catalogue of choices

    @app.route("/v1.0/<tenant_id>/loadbalancers/protocols", methods=["GET"])
    def protocols(self, request: Any, tenant_id: str) -> bytes:
        return json_response(request, {"protocols": [
            {"name": name, "port": port} for name, port in clb.PROTOCOLS.items()
        ]})

    @app.route("/v1.0/<tenant_id>/loadbalancers/algorithms", methods=["GET"])
    def algorithms(self, request: Any, tenant_id: str) -> bytes:
        return json_response(request, {"algorithms": [
            {"name": name} for name in clb.ALGORITHMS
        ]})

    @app.route("/v1.0/<tenant_id>/loadbalancers/absolutelimits", methods=["GET"])
    def absolute_limits(self, request: Any, tenant_id: str) -> bytes:
        return json_response(request, {"absolute": [
            {"name": name, "value": value} for name, value in clb.LIMITS.items()
        ]})

    # load balancers

    @app.route("/v1.0/<tenant_id>/loadbalancers", methods=["GET"])
    def list_load_balancers(self, request: Any, tenant_id: str) -> bytes:
        store = self._store(tenant_id)
        wanted_status = _query(request, b"status")
        node_address = _query(request, b"nodeaddress")
        listed = []
        for lb in store.visible():
            status = store.status(lb)
            if wanted_status is not None and status != wanted_status:
                continue
            if node_address is not None and not any(
                node.address == node_address for node in lb.nodes.values()
            ):
                continue
            listed.append(lb_summary_json(lb, status))
        return json_response(request, {"loadBalancers": listed})

    @app.route("/v1.0/<tenant_id>/loadbalancers", methods=["POST"])
    def create_load_balancer(self, request: Any, tenant_id: str) -> bytes:
        spec = clb.parse_create(_wrapped(request, "loadBalancer"))
        store = self._store(tenant_id)
        lb = store.create(spec)
        # The create answer is the request as accepted: BUILD (or ERROR),
        # even when the build takes no time on Mimic's clock.
        status = "ERROR" if store.status(lb) == "ERROR" else "BUILD"
        return json_response(request, {"loadBalancer": lb_json(lb, status, self.region)},
                             code=202)

    @app.route("/v1.0/<tenant_id>/loadbalancers", methods=["DELETE"])
    def delete_load_balancers(self, request: Any, tenant_id: str) -> bytes:
        self._store(tenant_id).delete(_query_ids(request))
        return empty_response(request, 202)

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>", methods=["GET"])
    def get_load_balancer(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        store, lb = self._lb(tenant_id, lb_id)
        return json_response(request, {
            "loadBalancer": lb_json(lb, store.status(lb), self.region)
        })

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>", methods=["PUT"])
    def update_load_balancer(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        store, lb = self._lb(tenant_id, lb_id)
        changes = clb.parse_update(_unwrap(read_json(request), "loadBalancer"))
        store.configure(lb, **changes)
        return empty_response(request, 202)

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>", methods=["DELETE"])
    def delete_load_balancer(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        self._store(tenant_id).delete([lb_id])
        return empty_response(request, 202)

    # nodes

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/nodes", methods=["GET"])
    def list_nodes(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        _, lb = self._lb(tenant_id, lb_id)
        return json_response(request, {"nodes": [node_json(n) for n in lb.nodes.values()]})

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/nodes", methods=["POST"])
    def add_nodes(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        store, lb = self._lb(tenant_id, lb_id)
        specs = clb.parse_nodes(_wrapped(request, "nodes"))
        added = store.add_nodes(lb, specs)
        return json_response(request, {"nodes": [node_json(n) for n in added]}, code=202)

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/nodes", methods=["DELETE"])
    def delete_nodes(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        store, lb = self._lb(tenant_id, lb_id)
        store.delete_nodes(lb, _query_ids(request))
        return empty_response(request, 202)

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/nodes/<node_id>", methods=["GET"])
    def get_node(self, request: Any, tenant_id: str, lb_id: str, node_id: str) -> bytes:
        store, lb = self._lb(tenant_id, lb_id)
        return json_response(request, {"node": node_json(store.node(lb, node_id))})

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/nodes/<node_id>", methods=["PUT"])
    def update_node(self, request: Any, tenant_id: str, lb_id: str, node_id: str) -> bytes:
        store, lb = self._lb(tenant_id, lb_id)
        changes = clb.parse_node_update(_unwrap(read_json(request), "node"))
        store.update_node(lb, node_id, changes)
        return empty_response(request, 202)

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/nodes/<node_id>",
               methods=["DELETE"])
    def delete_node(self, request: Any, tenant_id: str, lb_id: str, node_id: str) -> bytes:
        store, lb = self._lb(tenant_id, lb_id)
        store.delete_nodes(lb, [node_id])
        return empty_response(request, 202)

    # settings that are one object each

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/healthmonitor", methods=["GET"])
    def get_health_monitor(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        _, lb = self._lb(tenant_id, lb_id)
        return json_response(request, {"healthMonitor": monitor_json(lb.health_monitor)})

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/healthmonitor", methods=["PUT"])
    def set_health_monitor(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        return self._configure(
            request, tenant_id, lb_id, "health_monitor",
            lambda: clb.parse_health_monitor(_unwrap(read_json(request), "healthMonitor")))

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/healthmonitor", methods=["DELETE"])
    def delete_health_monitor(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        return self._configure(request, tenant_id, lb_id, "health_monitor")

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/sessionpersistence",
               methods=["GET"])
    def get_session_persistence(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        _, lb = self._lb(tenant_id, lb_id)
        return json_response(request, {
            "sessionPersistence": persistence_json(lb.session_persistence)
        })

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/sessionpersistence",
               methods=["PUT"])
    def set_session_persistence(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        return self._configure(
            request, tenant_id, lb_id, "session_persistence",
            lambda: clb.parse_session_persistence(_wrapped(request, "sessionPersistence")))

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/sessionpersistence",
               methods=["DELETE"])
    def delete_session_persistence(self, request: Any, tenant_id: str,
                                   lb_id: str) -> bytes:
        return self._configure(request, tenant_id, lb_id, "session_persistence")

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/connectionlogging",
               methods=["GET"])
    def get_connection_logging(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        _, lb = self._lb(tenant_id, lb_id)
        return json_response(request, {"connectionLogging": {"enabled": lb.connection_logging}})

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/connectionlogging",
               methods=["PUT"])
    def set_connection_logging(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        return self._configure(
            request, tenant_id, lb_id, "connection_logging",
            lambda: clb.parse_enabled(_wrapped(request, "connectionLogging"),
                                      "connectionLogging"))

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/contentcaching", methods=["GET"])
    def get_content_caching(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        _, lb = self._lb(tenant_id, lb_id)
        return json_response(request, {"contentCaching": {"enabled": lb.content_caching}})

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/contentcaching", methods=["PUT"])
    def set_content_caching(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        return self._configure(
            request, tenant_id, lb_id, "content_caching",
            lambda: clb.parse_enabled(_wrapped(request, "contentCaching"), "contentCaching"))

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/connectionthrottle",
               methods=["GET"])
    def get_connection_throttle(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        _, lb = self._lb(tenant_id, lb_id)
        return json_response(request, {
            "connectionThrottle": throttle_json(lb.connection_throttle)
        })

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/connectionthrottle",
               methods=["PUT"])
    def set_connection_throttle(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        return self._configure(
            request, tenant_id, lb_id, "connection_throttle",
            lambda: clb.parse_connection_throttle(
                _unwrap(read_json(request), "connectionThrottle")))

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/connectionthrottle",
               methods=["DELETE"])
    def delete_connection_throttle(self, request: Any, tenant_id: str,
                                   lb_id: str) -> bytes:
        return self._configure(request, tenant_id, lb_id, "connection_throttle")

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/errorpage", methods=["GET"])
    def get_error_page(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        _, lb = self._lb(tenant_id, lb_id)
        return json_response(request, {
            "errorpage": {"content": lb.error_page or DEFAULT_ERROR_PAGE}
        })

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/errorpage", methods=["PUT"])
    def set_error_page(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        return self._configure(
            request, tenant_id, lb_id, "error_page",
            lambda: clb.parse_error_page(_wrapped(request, "errorpage")))

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/errorpage", methods=["DELETE"])
    def delete_error_page(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        return self._configure(request, tenant_id, lb_id, "error_page")

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/virtualips", methods=["GET"])
    def list_virtual_ips(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        _, lb = self._lb(tenant_id, lb_id)
        return json_response(request, {
            "virtualIps": [vip_json(vip) for vip in lb.virtual_ips]
        })

    # access list

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/accesslist", methods=["GET"])
    def get_access_list(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        _, lb = self._lb(tenant_id, lb_id)
        return json_response(request, {"accessList": [rule_json(r) for r in lb.access_list]})

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/accesslist", methods=["POST"])
    def add_access_rules(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        store, lb = self._lb(tenant_id, lb_id)
        body = read_json(request)
        if "networkItem" in body and "accessList" not in body:
            raw = [body["networkItem"]]
        elif "accessList" in body:
            raw = body["accessList"]
        else:
            raise clb.ValidationFailed("The request body must hold an 'accessList'.")
        store.add_access_rules(lb, clb.parse_access_list(raw))
        return empty_response(request, 202)

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/accesslist", methods=["DELETE"])
    def delete_access_list(self, request: Any, tenant_id: str, lb_id: str) -> bytes:
        store, lb = self._lb(tenant_id, lb_id)
        ids = _query_ids(request)
        store.delete_access_rules(lb, ids or None)
        return empty_response(request, 202)

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/accesslist/<rule_id>",
               methods=["DELETE"])
    def delete_access_rule(self, request: Any, tenant_id: str, lb_id: str,
                           rule_id: str) -> bytes:
        store, lb = self._lb(tenant_id, lb_id)
        store.delete_access_rules(lb, [rule_id])
        return empty_response(request, 202)

    # metadata, of the load balancer or of one node

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/metadata", methods=["GET"])
    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/nodes/<node_id>/metadata",
               methods=["GET"])
    def list_metadata(self, request: Any, tenant_id: str, lb_id: str,
                      node_id: Optional[str] = None) -> bytes:
        store, lb = self._lb(tenant_id, lb_id)
        items = lb.metadata if node_id is None else store.node(lb, node_id).metadata
        return json_response(request, {"metadata": [meta_json(m) for m in items]})

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/metadata", methods=["POST"])
    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/nodes/<node_id>/metadata",
               methods=["POST"])
    def add_metadata(self, request: Any, tenant_id: str, lb_id: str,
                     node_id: Optional[str] = None) -> bytes:
        store, lb = self._lb(tenant_id, lb_id)
        pairs = clb.parse_metadata(_wrapped(request, "metadata"))
        added = store.add_metadata(lb, pairs, node_id)
        return json_response(request, {"metadata": [meta_json(m) for m in added]})

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/metadata", methods=["DELETE"])
    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/nodes/<node_id>/metadata",
               methods=["DELETE"])
    def delete_metadata_items(self, request: Any, tenant_id: str, lb_id: str,
                              node_id: Optional[str] = None) -> bytes:
        store, lb = self._lb(tenant_id, lb_id)
        store.delete_metadata(lb, _query_ids(request), node_id)
        return empty_response(request, 200)

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/metadata/<meta_id>",
               methods=["GET"])
    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/nodes/<node_id>/metadata/<meta_id>",
               methods=["GET"])
    def get_metadata_item(self, request: Any, tenant_id: str, lb_id: str, meta_id: str,
                          node_id: Optional[str] = None) -> bytes:
        store, lb = self._lb(tenant_id, lb_id)
        item = store.metadata_item(lb, meta_id, node_id)
        return json_response(request, {"meta": meta_json(item)})

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/metadata/<meta_id>",
               methods=["PUT"])
    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/nodes/<node_id>/metadata/<meta_id>",
               methods=["PUT"])
    def update_metadata_item(self, request: Any, tenant_id: str, lb_id: str,
                             meta_id: str, node_id: Optional[str] = None) -> bytes:
        store, lb = self._lb(tenant_id, lb_id)
        meta = _wrapped(request, "meta")
        errors: list = []
        value = clb.metadata_text(meta.get("value") if isinstance(meta, dict) else None,
                                  "meta.value", errors)
        if errors:
            raise clb.ValidationFailed(*errors)
        store.update_metadata(lb, meta_id, value, node_id)
        return empty_response(request, 200)

    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/metadata/<meta_id>",
               methods=["DELETE"])
    @app.route("/v1.0/<tenant_id>/loadbalancers/<lb_id>/nodes/<node_id>/metadata/<meta_id>",
               methods=["DELETE"])
    def delete_metadata_item(self, request: Any, tenant_id: str, lb_id: str,
                             meta_id: str, node_id: Optional[str] = None) -> bytes:
        store, lb = self._lb(tenant_id, lb_id)
        store.delete_metadata(lb, [meta_id], node_id)
        return empty_response(request, 200)


install_clb_error_handlers(ClbApi.app)
