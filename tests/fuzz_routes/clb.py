"""
Cloud Load Balancers' routes that take a body, and its control API's, as
the route fuzz sends them.
"""

from __future__ import annotations

NODE = {"address": "10.1.1.1", "port": 80, "condition": "ENABLED"}
LB = {"loadBalancer": {"name": "lb", "protocol": "HTTP", "virtualIps": [{"type": "PUBLIC"}],
                       "nodes": [NODE]}}

#: (Klein app, method, rule) -> valid example bodies the fuzzer mutates.
ROUTES: dict[tuple[str, str, str], list] = {
    ("ClbApi", "POST", "/v1.0/<tenant_id>/loadbalancers"): [LB],
    ("ClbApi", "PUT", "/v1.0/<tenant_id>/loadbalancers/<lb_id>"): [
        {"loadBalancer": {"name": "renamed", "algorithm": "ROUND_ROBIN", "port": 8080}}],
    ("ClbApi", "POST", "/v1.0/<tenant_id>/loadbalancers/<lb_id>/nodes"): [
        {"nodes": [{"address": "10.2.2.2", "port": 80, "condition": "ENABLED",
                    "weight": 2}]}],
    ("ClbApi", "PUT", "/v1.0/<tenant_id>/loadbalancers/<lb_id>/nodes/<node_id>"): [
        {"node": {"condition": "DRAINING", "weight": 3}}],
    ("ClbApi", "PUT", "/v1.0/<tenant_id>/loadbalancers/<lb_id>/healthmonitor"): [
        {"healthMonitor": {"type": "HTTP", "delay": 10, "timeout": 5,
                           "attemptsBeforeDeactivation": 2, "path": "/",
                           "statusRegex": "^[234][0-9][0-9]$", "bodyRegex": ".*"}}],
    ("ClbApi", "PUT", "/v1.0/<tenant_id>/loadbalancers/<lb_id>/sessionpersistence"): [
        {"sessionPersistence": {"persistenceType": "SOURCE_IP"}}],
    ("ClbApi", "PUT", "/v1.0/<tenant_id>/loadbalancers/<lb_id>/connectionlogging"): [
        {"connectionLogging": {"enabled": True}}],
    ("ClbApi", "PUT", "/v1.0/<tenant_id>/loadbalancers/<lb_id>/contentcaching"): [
        {"contentCaching": {"enabled": True}}],
    ("ClbApi", "PUT", "/v1.0/<tenant_id>/loadbalancers/<lb_id>/connectionthrottle"): [
        {"connectionThrottle": {"minConnections": 10, "maxConnections": 100,
                                "maxConnectionRate": 50, "rateInterval": 60}}],
    ("ClbApi", "PUT", "/v1.0/<tenant_id>/loadbalancers/<lb_id>/errorpage"): [
        {"errorpage": {"content": "<html>down</html>"}}],
    ("ClbApi", "POST", "/v1.0/<tenant_id>/loadbalancers/<lb_id>/accesslist"): [
        {"accessList": [{"address": "192.0.2.0/24", "type": "DENY"}]}],
    ("ClbApi", "POST", "/v1.0/<tenant_id>/loadbalancers/<lb_id>/nodes/<node_id>/metadata"): [
        {"metadata": [{"key": "role", "value": "web"}]}],
    ("ClbApi", "POST", "/v1.0/<tenant_id>/loadbalancers/<lb_id>/metadata"): [
        {"metadata": [{"key": "team", "value": "a"}]}],
    ("ClbApi", "PUT",
     "/v1.0/<tenant_id>/loadbalancers/<lb_id>/nodes/<node_id>/metadata/<meta_id>"): [
        {"meta": {"value": "db"}}],
    ("ClbApi", "PUT", "/v1.0/<tenant_id>/loadbalancers/<lb_id>/metadata/<meta_id>"): [
        {"meta": {"value": "b"}}],
    ("ClbControlApi", "PUT", "/v1.0/<tenant_id>/loadbalancers/<lb_id>/status"): [
        {"status": "ERROR"}],
    ("ClbControlApi", "PUT",
     "/v1.0/<tenant_id>/loadbalancers/<lb_id>/nodes/<node_id>/status"): [
        {"status": "OFFLINE"}],
    ("ClbControlApi", "POST", "/v1.0/<tenant_id>/behaviors/<event>"): [
        {"name": "building", "parameters": {"duration": 30},
         "criteria": [{"loadbalancer_name": "lb.*"}]}],
}
