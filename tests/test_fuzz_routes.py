"""
Fuzzing every JSON route of every API with hypothesis, over HTTP against a
real server (issue 9): whatever the body, no 5xx, every error in the API's
own shape, and a refused request leaves the API's state as it was.

Two passes per API: a sweep that puts each hostile value of SWEEP in every
member of every example body, one at a time; and hypothesis drawing bodies
three ways: a valid example with one value replaced, a key dropped or
added; any JSON value at all; and raw bodies no JSON encoder writes (deep
nesting, NaN, lone surrogates, bytes that are not UTF-8). The run is
bounded and repeatable: derandomized, a fixed number of examples per API,
no example database.

Every POST, PUT and PATCH route of every Klein app is either in ROUTES or in
SKIPPED with the reason, so a new route cannot go unfuzzed
(``test_every_json_route_is_fuzzed``).
"""

from __future__ import annotations

import copy
import importlib
import json
import pkgutil
import re
from typing import Any, Callable

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from klein import Klein

from tests.robustness_support import ERROR_SHAPES, Endpoints, endpoints

UBUNTU = "a1b2c3d4-0001-4e6f-8a9b-0c1d2e3f4a01"
PUBLIC_NETWORK = "00000000-0000-0000-0000-000000000000"
#: Projects (by id) the fuzzed tenant's network is shared with by RBAC entries.
RBAC_TARGETS = ("9b7e1c4e-0000-4000-8000-000000000001", "9b7e1c4e-0000-4000-8000-000000000002")
FASTLY_KINDS = ("domain", "backend", "condition", "cache_settings", "response_object",
                "header")

#: Where each Klein app is mounted, and the name its errors are checked by.
MOUNTS = {
    "MimicRoot": ("", "control"),
    "IdentityApi": ("/identity", "identity"),
    "IdentityControlApi": ("/mimic/v1.1/IdentityControlAPI", "control"),
    "IdentityV3Api": ("/identity/v3", "identity-v3"),
    "MeshControlApi": ("/mimic/v1.1/mesh", "mesh"),
    "NovaApi": ("/mimicking/nova/ORD", "nova"),
    "NovaControlApi": ("/mimicking/nova-control/ORD", "nova"),
    "ClbApi": ("/mimicking/clb/ORD", "clb"),
    "ClbControlApi": ("/mimicking/clb-control/ORD", "clb"),
    "FastlyApi": ("/fastly", "fastly"),
    "GlanceApi": ("/mimicking/glance/ORD", "glance"),
    "NeutronApi": ("/mimicking/neutron/ORD", "neutron"),
    "CinderApi": ("/mimicking/cinder/ORD", "cinder"),
    "CinderControlApi": ("/mimicking/cinder-control/ORD", "cinder"),
    "IdentityV3CatalogApi": ("/identity/v3", "identity-v3"),
    "IdentityV3ProjectsApi": ("/identity/v3", "identity-v3"),
    "IdentityV3RolesApi": ("/identity/v3", "identity-v3"),
    "IdentityV3UsersApi": ("/identity/v3", "identity-v3"),
    "IdentityV3AppCredentialsApi": ("/identity/v3", "identity-v3"),
    "IdentityV3EndpointGroupsApi": ("/identity/v3", "identity-v3"),
    "IdentityV3FederationApi": ("/identity/v3", "identity-v3"),
}

#: Routes that take no JSON body, and why they are not fuzzed here.
SKIPPED = {
    ("MimicRoot", "POST", "/mimic/v1.1/reset"): "takes no body; forgets everything",
    ("GlanceApi", "PUT", "/v2/images/<image_id>/file"): "image data, not JSON",
    ("GlanceApi", "PUT", "/v2/images/<image_id>/tags/<tag>"): "takes no body",
    ("NovaApi", "PUT", "/v2/<tenant_id>/servers/<server_id>/tags/<tag>"): "takes no body",
    ("FastlyApi", "POST", "/purge/<path:url>"): "takes no body",
    ("FastlyApi", "POST", "/service/<service_id>/purge"): "takes no body",
    ("FastlyApi", "POST", "/service/<service_id>/purge/<surrogate_key>"): "takes no body",
    ("FastlyApi", "POST", "/service/<service_id>/purge_all"): "takes no body",
    ("GlanceApi", "PUT", "/v2/images/<image_id>/stage"): "image data, not JSON",
    ("NeutronApi", "PUT", "/v2.0/<any('networks','subnets','ports','security-groups','floatingips','routers','subnetpools','trunks'):collection>/<resource_id>/tags/<tag>"): "takes no body",
    ("NovaApi", "PUT", "/v2.1/<tenant_id>/servers/<server_id>/tags/<tag>"): "takes no body",
}

NODE = {"address": "10.1.1.1", "port": 80, "condition": "ENABLED"}
LB = {"loadBalancer": {"name": "lb", "protocol": "HTTP", "virtualIps": [{"type": "PUBLIC"}],
                       "nodes": [NODE]}}
SERVER = {"server": {"name": "web", "imageRef": UBUNTU, "flavorRef": "2",
                     "metadata": {"env": "test"}, "max_count": 2, "min_count": 1,
                     "networks": [{"uuid": PUBLIC_NETWORK}]}}
BEHAVIOR = {"name": "fail", "parameters": {"code": 418, "message": "no"},
            "criteria": [{"server_name": "web-.*"}, {"metadata": {"env": "t.*"}}]}
FASTLY_OBJECTS = {
    "domain": {"name": "fuzz.example.com", "comment": "x"},
    "backend": {"name": "fuzz", "address": "127.0.0.1", "port": 80, "weight": 100},
    "condition": {"name": "fuzz", "statement": "req.url ~ \"^/\"", "type": "REQUEST"},
    "cache_settings": {"name": "fuzz", "action": "pass", "ttl": 10},
    "response_object": {"name": "fuzz", "status": 200, "content": "ok"},
    "header": {"name": "fuzz", "action": "set", "type": "request", "dst": "http.X",
               "src": "\"y\""},
}
V3_PASSWORD = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
    "name": "fuzzer", "password": "x", "domain": {"id": "default"}}}},
    "scope": {"project": {"id": "fuzz-project"}}}}
MESH = {"apiVersion": "mimik.veicot.io/v1alpha1", "kind": "Mimik",
        "metadata": {"name": "fuzz-v1", "namespace": "fuzz"},
        "spec": {"service": "fuzz", "version": "v1",
                 "endpoints": [{"path": "/", "method": "GET", "connections": []}]}}

#: (Klein app, method, rule) -> valid example bodies the fuzzer mutates.
#: Nova's operator routes (admins only): fuzzed by the ``nova-operator``
#: group, whose world sends an admin's token, so their bodies are read.
OPERATOR_ROUTES: dict[tuple[str, str, str], list] = {
    ("NovaApi", method, f"/{version}/<tenant_id>/{rule}"): examples
    for version in ("v2", "v2.1")
    for method, rule, examples in [
        ("POST", "flavors", [{"flavor": {"name": "fz", "ram": 512, "vcpus": 1, "disk": 1,
                                         "os-flavor-access:is_public": False}}]),
        ("PUT", "flavors/<flavor_id>", [{"flavor": {"description": "d"}}]),
        ("POST", "flavors/<flavor_id>/action", [{"addTenantAccess": {"tenant": "p1"}},
                                                 {"removeTenantAccess": {"tenant": "p1"}}]),
        ("POST", "flavors/<flavor_id>/os-extra_specs", [{"extra_specs": {"a": "b"}}]),
        ("PUT", "flavors/<flavor_id>/os-extra_specs/<key>", [{"k": "v"}]),
        ("POST", "os-aggregates", [{"aggregate": {"name": "fz",
                                                  "availability_zone": "z"}}]),
        ("PUT", "os-aggregates/<aggregate_id>", [{"aggregate": {"name": "fz2"}}]),
        ("POST", "os-aggregates/<aggregate_id>/action", [
            {"add_host": {"host": "{host}"}}, {"remove_host": {"host": "{host}"}},
            {"set_metadata": {"metadata": {"a": "b", "c": None}}}]),
        ("PUT", "os-quota-sets/<project_id>", [{"quota_set": {"instances": 20,
                                                              "force": True}}]),
        ("PUT", "os-services/<service_id>", [
            {"host": "{host}", "binary": "nova-compute", "disabled_reason": "r"}]),
        ("PUT", "servers/<server_id>/os-volume_attachments/<volume_id>", [
            {"volumeAttachment": {"volumeId": "{volume_id}"}}]),
    ]
}

ROUTES: dict[tuple[str, str, str], list] = {
    ("MimicRoot", "POST", "/mimic/v1.1/tick"): [{"amount": 1.5}],
    ("IdentityApi", "POST", "/v2.0/tokens"): [
        {"auth": {"passwordCredentials": {"username": "fuzzer", "password": "x"},
                  "tenantId": "fuzz-tenant"}},
        {"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": "fuzzer", "apiKey": "k"}}},
        {"auth": {"token": {"id": "{token}"}, "tenantId": "{tenant_id}"}}],
    ("IdentityApi", "POST", "/v2.0/RAX-AUTH/impersonation-tokens"): [
        {"RAX-AUTH:impersonation": {"user": {"username": "fuzzer"},
                                    "expire-in-seconds": 60}}],
    ("IdentityControlApi", "POST", "/behaviors/<event>"): [
        {"name": "fail", "parameters": {"code": 401, "message": "no"},
         "criteria": [{"username": "f.*"}]}],
    ("IdentityV3Api", "POST", "/auth/tokens"): [
        V3_PASSWORD,
        {"auth": {"identity": {"methods": ["token"], "token": {"id": "{token}"}}}}],
    ("MeshControlApi", "POST", "/"): [MESH, [MESH]],
    ("MeshControlApi", "PATCH", "/"): [MESH],
    ("MeshControlApi", "PUT", "/probes/<service>"): [{"health": 503, "ready": 200}],
    ("NovaApi", "POST", "/v2/<tenant_id>/servers"): [SERVER],
    ("NovaApi", "POST", "/v2.1/<tenant_id>/servers"): [SERVER],
    ("NovaApi", "PUT", "/v2/<tenant_id>/servers/<server_id>"): [
        {"server": {"name": "renamed", "accessIPv4": "192.0.2.1"}}],
    ("NovaApi", "PUT", "/v2.1/<tenant_id>/servers/<server_id>"): [
        {"server": {"name": "renamed"}}],
    ("NovaApi", "POST", "/v2/<tenant_id>/servers/<server_id>/os-interface"): [
        {"interfaceAttachment": {"net_id": PUBLIC_NETWORK}}],
    ("NovaApi", "POST", "/v2.1/<tenant_id>/servers/<server_id>/os-interface"): [
        {"interfaceAttachment": {"net_id": PUBLIC_NETWORK}}],
    ("NovaApi", "POST", "/v2/<tenant_id>/servers/<server_id>/metadata"): [
        {"metadata": {"a": "1", "b": "2"}}],
    ("NovaApi", "PUT", "/v2/<tenant_id>/servers/<server_id>/metadata"): [
        {"metadata": {"a": "1"}}],
    ("NovaApi", "POST", "/v2.1/<tenant_id>/servers/<server_id>/metadata"): [
        {"metadata": {"a": "1"}}],
    ("NovaApi", "PUT", "/v2.1/<tenant_id>/servers/<server_id>/metadata"): [
        {"metadata": {"a": "1"}}],
    ("NovaApi", "PUT", "/v2/<tenant_id>/servers/<server_id>/metadata/<key>"): [
        {"meta": {"k": "v"}}],
    ("NovaApi", "PUT", "/v2.1/<tenant_id>/servers/<server_id>/metadata/<key>"): [
        {"meta": {"k": "v"}}],
    ("NovaApi", "POST", "/v2/<tenant_id>/servers/<server_id>/action"): [
        {"reboot": {"type": "SOFT"}}, {"resize": {"flavorRef": "3"}}, {"lock": None},
        {"createImage": {"name": "snap", "metadata": {}}}, {"changePassword": {
            "adminPass": "x"}}, {"rebuild": {"imageRef": UBUNTU, "name": "again"}},
        {"addFixedIp": {"networkId": PUBLIC_NETWORK}}, {"os-stop": None}],
    ("NovaApi", "POST", "/v2.1/<tenant_id>/servers/<server_id>/action"): [
        {"pause": None}, {"confirmResize": None}, {"unlock": None}],
    ("NovaApi", "POST", "/v2/<tenant_id>/os-keypairs"): [{"keypair": {"name": "k1"}}],
    ("NovaApi", "PUT", "/v2/<tenant_id>/servers/<server_id>/tags"): [{"tags": ["a", "b"]}],
    ("NovaApi", "PUT", "/v2.1/<tenant_id>/servers/<server_id>/tags"): [{"tags": ["c"]}],
    ("NovaApi", "POST", "/v2/<tenant_id>/os-security-groups"): [
        {"security_group": {"name": "g", "description": "d"}}],
    ("NovaApi", "POST", "/v2.1/<tenant_id>/os-security-groups"): [
        {"security_group": {"name": "h", "description": "d"}}],
    ("NovaApi", "PUT", "/v2/<tenant_id>/os-security-groups/<group_id>"): [
        {"security_group": {"name": "renamed", "description": "d"}}],
    ("NovaApi", "PUT", "/v2.1/<tenant_id>/os-security-groups/<group_id>"): [
        {"security_group": {"name": "renamed", "description": "d"}}],
    ("NovaApi", "POST", "/v2/<tenant_id>/os-security-group-rules"): [
        {"security_group_rule": {"parent_group_id": "{group_id}", "ip_protocol": "tcp",
                                 "from_port": 22, "to_port": 22, "cidr": "0.0.0.0/0"}}],
    ("NovaApi", "POST", "/v2.1/<tenant_id>/os-security-group-rules"): [
        {"security_group_rule": {"parent_group_id": "{group_id}", "ip_protocol": "udp",
                                 "from_port": 53, "to_port": 53, "cidr": "10.0.0.0/8"}}],
    ("NovaApi", "POST", "/v2/<tenant_id>/os-floating-ips"): [{"pool": "public"}],
    ("NovaApi", "POST", "/v2.1/<tenant_id>/os-floating-ips"): [{"pool": "public"}],
    ("NovaApi", "POST", "/v2.1/<tenant_id>/os-keypairs"): [{"keypair": {"name": "k2"}}],
    ("NovaControlApi", "POST", "/v2/<tenant_id>/behaviors/<event>"): [
        BEHAVIOR, {"name": "sequence", "parameters": {"behaviors": [
            {"name": "build", "parameters": {"duration": 3}}, {"name": "default"}]}}],
    ("NovaControlApi", "POST", "/v2/<tenant_id>/attributes"): [
        {"status": {"{server_id}": "ERROR"}}],
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
    ("FastlyApi", "POST", "/service"): [{"name": "site", "comment": "c", "type": "vcl"}],
    ("FastlyApi", "PUT", "/service/<service_id>"): [{"name": "renamed", "comment": "c"}],
    ("FastlyApi", "POST", "/service/<service_id>/version"): [{}],
    ("FastlyApi", "PUT", "/service/<service_id>/version/<int:number>"): [{"comment": "v"}],
    ("FastlyApi", "PUT", "/service/<service_id>/version/<int:number>/clone"): [{}],
    ("FastlyApi", "PUT", "/service/<service_id>/version/<int:number>/activate"): [{}],
    ("FastlyApi", "PUT", "/service/<service_id>/version/<int:number>/deactivate"): [{}],
    ("FastlyApi", "PUT", "/service/<service_id>/version/<int:number>/lock"): [{}],
    ("FastlyApi", "PUT", "/service/<service_id>/version/<int:number>/settings"): [
        {"general.default_ttl": 60, "general.default_host": "x"}],
    ("FastlyApi", "POST", "/service/<service_id>/version/<int:number>/"
     "<any(domain,backend,condition,cache_settings,response_object,header):kind>"): [
        {**body, "name": "second"} for body in FASTLY_OBJECTS.values()],
    ("FastlyApi", "PUT", "/service/<service_id>/version/<int:number>/"
     "<any(domain,backend,condition,cache_settings,response_object,header):kind>/<name>"): [
        {"comment": "changed"}],
    ("GlanceApi", "POST", "/v2/images"): [
        {"name": "img", "disk_format": "qcow2", "container_format": "bare",
         "visibility": "private", "tags": ["a"], "min_ram": 0, "owner_note": "x"}],
    ("GlanceApi", "POST", "/v2/images/<image_id>/import"): [
        {"method": {"name": "web-download", "uri": "http://127.0.0.1:1/x"}}],
    ("GlanceApi", "POST", "/v2/images/<image_id>/members"): [{"member": "other-tenant"}],
    ("GlanceApi", "PUT", "/v2/images/<image_id>/members/<member_id>"): [
        {"status": "accepted"}],
    ("GlanceApi", "POST", "/v2/tasks"): [
        {"type": "import", "input": {"import_from": "http://127.0.0.1:1/x",
                                     "import_from_format": "qcow2"}}],
    ("GlanceApi", "PATCH", "/v2/images/<image_id>"): [
        [{"op": "replace", "path": "/name", "value": "renamed"},
         {"op": "add", "path": "/extra", "value": "v"}]],
    ("NeutronApi", "POST", "/v2.0/<any('networks','subnets','ports','security-groups','floatingips','routers','subnetpools','trunks'):collection>/<resource_id>/tags"): [{"tags": ["a", "b"]}],
    ("NeutronApi", "PUT", "/v2.0/<any('networks','subnets','ports','security-groups','floatingips','routers','subnetpools','trunks'):collection>/<resource_id>/tags"): [{"tags": ["c"]}],
    ("NeutronApi", "POST", "/v2.0/routers"): [{"router": {"name": "r", "admin_state_up": True}}],
    ("NeutronApi", "PUT", "/v2.0/routers/<router_id>"): [{"router": {"name": "renamed"}}],
    ("NeutronApi", "PUT", "/v2.0/routers/<router_id>/add_router_interface"): [
        {"subnet_id": "{subnet_id}"}],
    ("NeutronApi", "PUT", "/v2.0/routers/<router_id>/remove_router_interface"): [
        {"subnet_id": "{subnet_id}"}],
    ("NeutronApi", "PUT", "/v2.0/routers/<router_id>/add_extraroutes"): [
        {"router": {"routes": [{"destination": "10.40.0.0/24", "nexthop": "192.168.9.7"}]}}],
    ("NeutronApi", "PUT", "/v2.0/routers/<router_id>/remove_extraroutes"): [
        {"router": {"routes": [{"destination": "10.40.0.0/24", "nexthop": "192.168.9.7"}]}}],
    ("NeutronApi", "POST", "/v2.0/subnetpools"): [
        {"subnetpool": {"name": "sp", "prefixes": ["10.20.0.0/16"], "default_prefixlen": 24}}],
    ("NeutronApi", "PUT", "/v2.0/subnetpools/<subnetpool_id>"): [
        {"subnetpool": {"name": "renamed"}}],
    ("NeutronApi", "POST", "/v2.0/trunks"): [{"trunk": {"port_id": "{port_id}", "name": "t"}}],
    ("NeutronApi", "PUT", "/v2.0/trunks/<trunk_id>"): [{"trunk": {"name": "renamed"}}],
    ("NeutronApi", "PUT", "/v2.0/trunks/<trunk_id>/add_subports"): [
        {"sub_ports": [{"port_id": "{port_id}", "segmentation_type": "vlan",
                        "segmentation_id": 10}]}],
    ("NeutronApi", "PUT", "/v2.0/trunks/<trunk_id>/remove_subports"): [
        {"sub_ports": [{"port_id": "{port_id}"}]}],
    ("NeutronApi", "PUT", "/v2.0/quotas/<project_id>"): [{"quota": {"network": 20}}],
    ("NeutronApi", "POST", "/v2.0/networks"): [{"network": {"name": "n", "admin_state_up": True}}],
    ("NeutronApi", "PUT", "/v2.0/networks/<network_id>"): [{"network": {"name": "renamed"}}],
    ("NeutronApi", "POST", "/v2.0/subnets"): [
        {"subnet": {"network_id": "{network_id}", "cidr": "192.168.7.0/24",
                    "ip_version": 4, "allocation_pools": [
                        {"start": "192.168.7.10", "end": "192.168.7.20"}]}}],
    ("NeutronApi", "PUT", "/v2.0/subnets/<subnet_id>"): [{"subnet": {"name": "renamed"}}],
    ("NeutronApi", "POST", "/v2.0/ports"): [
        {"port": {"network_id": "{network_id}", "name": "p",
                  "fixed_ips": [{"subnet_id": "{subnet_id}", "ip_address": "192.168.9.5"}]}}],
    ("NeutronApi", "PUT", "/v2.0/ports/<port_id>"): [
        {"port": {"name": "renamed", "security_groups": ["{group_id}"]}}],
    ("NeutronApi", "POST", "/v2.0/security-groups"): [{"security_group": {"name": "sg"}}],
    ("NeutronApi", "PUT", "/v2.0/security-groups/<group_id>"): [
        {"security_group": {"name": "renamed"}}],
    ("NeutronApi", "POST", "/v2.0/security-group-rules"): [
        {"security_group_rule": {"security_group_id": "{group_id}", "direction": "ingress",
                                 "protocol": "tcp", "port_range_min": 22,
                                 "port_range_max": 22, "ethertype": "IPv4",
                                 "remote_ip_prefix": "0.0.0.0/0"}}],
    ("NeutronApi", "POST", "/v2.0/floatingips"): [
        {"floatingip": {"floating_network_id": PUBLIC_NETWORK}}],
    ("NeutronApi", "PUT", "/v2.0/floatingips/<floating_ip_id>"): [
        {"floatingip": {"port_id": None}}],
    ("MimicRoot", "PUT", "/mimic/v1.1/state"): ["{state}"],
    # Nova's image metadata, server groups, volume attachments and consoles.
    **{("NovaApi", method, f"/{version}/<tenant_id>/{rule}"): examples
       for version in ("v2", "v2.1")
       for method, rule, examples in [
           ("POST", "images/<image_id>/metadata", [{"metadata": {"a": "1", "b": "2"}}]),
           ("PUT", "images/<image_id>/metadata", [{"metadata": {"a": "1"}}]),
           ("PUT", "images/<image_id>/metadata/<key>", [{"meta": {"k": "v"}}]),
           ("POST", "os-server-groups", [
               {"server_group": {"name": "g", "policies": ["anti-affinity"]}}]),
           ("POST", "servers/<server_id>/os-volume_attachments", [
               {"volumeAttachment": {"volumeId": "{volume_id}", "device": "/dev/vdb"}}]),
           ("POST", "servers/<server_id>/remote-consoles", [
               {"remote_console": {"protocol": "vnc", "type": "novnc"}}]),
       ]},
    # Block Storage (Cinder v3) and its control API.
    ("CinderApi", "POST", "/v3/<tenant_id>/volumes"): [
        {"volume": {"size": 1, "name": "v", "description": "d", "metadata": {"k": "v"},
                    "availability_zone": "nova"}}],
    ("CinderApi", "PUT", "/v3/<tenant_id>/volumes/<volume_id>"): [
        {"volume": {"name": "renamed", "description": "d", "metadata": {"a": "1"}}}],
    ("CinderApi", "POST", "/v3/<tenant_id>/volumes/<volume_id>/action"): [
        {"os-extend": {"new_size": 2}}, {"os-set_bootable": {"bootable": True}},
        {"os-reset_status": {"status": "available"}},
        {"os-set_image_metadata": {"metadata": {"k": "v"}}},
        {"os-unset_image_metadata": {"key": "k"}},
        {"os-update_readonly_flag": {"readonly": False}},
        {"os-attach": {"instance_uuid": "{server_id}", "mountpoint": "/dev/vdb"}},
        {"os-reserve": None}],
    ("CinderApi", "POST", "/v3/<tenant_id>/volumes/<volume_id>/metadata"): [
        {"metadata": {"a": "1", "b": "2"}}],
    ("CinderApi", "PUT", "/v3/<tenant_id>/volumes/<volume_id>/metadata"): [
        {"metadata": {"a": "1"}}],
    ("CinderApi", "POST", "/v3/<tenant_id>/snapshots"): [
        {"snapshot": {"volume_id": "{volume_id}", "name": "s", "description": "d",
                      "metadata": {"k": "v"}, "force": True}}],
    ("CinderApi", "PUT", "/v3/<tenant_id>/snapshots/<snapshot_id>"): [
        {"snapshot": {"name": "renamed", "description": "d"}}],
    ("CinderApi", "POST", "/v3/<tenant_id>/snapshots/<snapshot_id>/metadata"): [
        {"metadata": {"a": "1"}}],
    ("CinderApi", "PUT", "/v3/<tenant_id>/snapshots/<snapshot_id>/metadata"): [
        {"metadata": {"b": "2"}}],
    ("CinderApi", "POST", "/v3/<tenant_id>/attachments"): [
        {"attachment": {"volume_uuid": "{volume_id}", "instance_uuid": "{server_id}",
                        "connector": {"host": "h", "initiator": "i"}, "mode": "rw"}}],
    ("CinderApi", "PUT", "/v3/<tenant_id>/attachments/<attachment_id>"): [
        {"attachment": {"connector": {"host": "h", "initiator": "i"}}}],
    ("CinderApi", "POST", "/v3/<tenant_id>/attachments/<attachment_id>/action"): [
        {"os-complete": None}],
    ("CinderControlApi", "POST", "/v3/<tenant_id>/behaviors/<event>"): [
        {"name": "creating", "parameters": {"duration": 3},
         "criteria": [{"volume_name": "v.*"}, {"metadata": {"k": "v.*"}}]},
        {"name": "fail", "parameters": {"code": 413, "message": "no"}}],
    # Writable Keystone v3, as an admin. Each body carries a property of
    # its own ("note"), which Keystone keeps: a refusal must not keep it.
    ("IdentityV3CatalogApi", "POST", "/services"): [
        {"service": {"type": "fuzz-type", "name": "fuzz", "description": "d",
                     "enabled": True, "note": "x"}}],
    ("IdentityV3CatalogApi", "PATCH", "/services/<service_id>"): [
        {"service": {"name": "renamed", "description": "d", "enabled": True, "note": "y"}}],
    ("IdentityV3CatalogApi", "POST", "/endpoints"): [
        {"endpoint": {"service_id": "{service_id}", "interface": "public",
                      "url": "http://127.0.0.1:1/x", "region_id": "ORD", "note": "x"}}],
    ("IdentityV3CatalogApi", "PATCH", "/endpoints/<endpoint_id>"): [
        {"endpoint": {"url": "http://127.0.0.1:2/", "interface": "internal",
                      "enabled": True, "region_id": "ORD", "note": "y"}}],
    ("IdentityV3CatalogApi", "POST", "/regions"): [
        {"region": {"id": "fuzz-region-2", "description": "d", "note": "x"}},
        {"region": {"parent_region_id": "{region_id}"}}],
    ("IdentityV3CatalogApi", "PATCH", "/regions/<region_id>"): [
        {"region": {"description": "d2", "note": "y"}}],
    ("IdentityV3CatalogApi", "POST", "/registered_limits"): [
        {"registered_limits": [{"service_id": "{service_id}", "resource_name": "disks",
                                "default_limit": 10, "region_id": "ORD",
                                "description": "d"}]}],
    ("IdentityV3CatalogApi", "PATCH", "/registered_limits/<limit_id>"): [
        {"registered_limit": {"default_limit": 5, "description": "d"}},
        {"registered_limit": {"service_id": "{service_id}", "region_id": "ORD",
                              "resource_name": "ram-renamed"}}],
    ("IdentityV3CatalogApi", "POST", "/limits"): [
        {"limits": [{"service_id": "{service_id}", "resource_name": "cores",
                     "resource_limit": 5, "project_id": "{project_id}",
                     "description": "d"}]}],
    ("IdentityV3CatalogApi", "PATCH", "/limits/<limit_id>"): [
        {"limit": {"resource_limit": 7, "description": "d"}}],
    ("IdentityV3ProjectsApi", "POST", "/domains"): [
        {"domain": {"name": "fuzz-domain-2", "description": "d", "enabled": True,
                    "note": "x"}}],
    ("IdentityV3ProjectsApi", "PATCH", "/domains/<domain_id>"): [
        {"domain": {"name": "fuzz-domain-renamed", "description": "d", "enabled": True,
                    "note": "y"}}],
    ("IdentityV3ProjectsApi", "POST", "/projects"): [
        {"project": {"name": "fuzz-project-2", "domain_id": "default", "description": "d",
                     "enabled": True, "tags": ["a"], "note": "x"}},
        {"project": {"name": "fuzz-child", "parent_id": "{project_id}"}}],
    ("IdentityV3ProjectsApi", "PATCH", "/projects/<project_id>"): [
        {"project": {"name": "fuzz-project-renamed", "description": "d", "enabled": True,
                     "tags": ["b"], "note": "y"}}],
    ("IdentityV3ProjectsApi", "PUT", "/projects/<project_id>/tags"): [{"tags": ["a", "b"]}],
    # The grant-like PUTs take no body: one that comes anyway is ignored.
    ("IdentityV3ProjectsApi", "PUT", "/projects/<project_id>/tags/<tag>"): [{}],
    ("IdentityV3RolesApi", "POST", "/roles"): [
        {"role": {"name": "fuzz-role-2", "description": "d", "note": "x"}},
        {"role": {"name": "fuzz-domain-role", "domain_id": "{domain_id}"}}],
    ("IdentityV3RolesApi", "PATCH", "/roles/<role_id>"): [
        {"role": {"name": "fuzz-role-renamed", "description": "d", "note": "y"}}],
    ("IdentityV3RolesApi", "PUT", "/<any(projects,domains):kind>/<target_id>/"
     "<any(users,groups):actor_kind>/<actor_id>/roles/<role_id>"): [{}],
    ("IdentityV3RolesApi", "PUT", "/OS-INHERIT/<any(domains,projects):kind>/<target_id>/"
     "<any(users,groups):actor_kind>/<actor_id>/roles/<role_id>/inherited_to_projects"): [{}],
    ("IdentityV3RolesApi", "PUT", "/roles/<prior_id>/implies/<implied_id>"): [{}],
    ("IdentityV3RolesApi", "PUT", "/system/<any(users,groups):actor_kind>/<actor_id>/"
     "roles/<role_id>"): [{}],
    ("IdentityV3UsersApi", "POST", "/users"): [
        {"user": {"name": "fuzz-user-2", "password": "p", "domain_id": "default",
                  "email": "e@example.com", "description": "d", "enabled": True,
                  "default_project_id": "{project_id}", "note": "x"}}],
    ("IdentityV3UsersApi", "PATCH", "/users/<user_id>"): [
        {"user": {"name": "fuzz-user-renamed", "email": "f@example.com", "description": "d",
                  "enabled": True, "default_project_id": "{project_id}", "note": "y"}}],
    ("IdentityV3UsersApi", "POST", "/users/<user_id>/password"): [
        # Never the right original password: a change would revoke the
        # caller's own token for the rest of the run.
        {"user": {"password": "new-password", "original_password": "not-the-password"}}],
    ("IdentityV3AppCredentialsApi", "POST", "/users/<user_id>/application_credentials"): [
        {"application_credential": {"name": "ac", "description": "d", "secret": "s",
                                    "expires_at": "2099-01-01T00:00:00Z",
                                    "roles": [{"name": "admin"}], "unrestricted": False}}],
    ("IdentityV3UsersApi", "POST", "/groups"): [
        {"group": {"name": "fuzz-group-2", "description": "d", "domain_id": "default",
                   "note": "x"}}],
    ("IdentityV3UsersApi", "PATCH", "/groups/<group_id>"): [
        {"group": {"name": "renamed", "description": "d", "note": "y"}}],
    ("IdentityV3UsersApi", "PUT", "/groups/<group_id>/users/<user_id>"): [{}],
    ("IdentityV3UsersApi", "POST", "/credentials"): [
        {"credential": {"blob": "{\"access\": \"a\", \"secret\": \"s\"}", "type": "ec2",
                        "user_id": "{user_id}", "project_id": "{project_id}", "note": "x"}},
        {"credential": {"blob": "b", "type": "totp", "user_id": "{user_id}"}}],
    ("IdentityV3UsersApi", "PATCH", "/credentials/<credential_id>"): [
        {"credential": {"blob": "c", "note": "y"}}],
    # Keystone's operator extensions (OS-EP-FILTER, policies, OS-FEDERATION,
    # domain configuration), as the api-ref's examples write them.
    ("IdentityV3EndpointGroupsApi", "POST", "/OS-EP-FILTER/endpoint_groups"): [
        {"endpoint_group": {"name": "eg", "description": "d",
                            "filters": {"interface": "public", "service_id": "{service_id}"}}}],
    ("IdentityV3EndpointGroupsApi", "PATCH", "/OS-EP-FILTER/endpoint_groups/<group_id>"): [
        {"endpoint_group": {"name": "eg2", "filters": {"interface": "admin"}}}],
    ("IdentityV3EndpointGroupsApi", "PUT",
     "/OS-EP-FILTER/endpoint_groups/<group_id>/projects/<project_id>"): [{}],
    ("IdentityV3EndpointGroupsApi", "PUT",
     "/OS-EP-FILTER/projects/<project_id>/endpoints/<endpoint_id>"): [{}],
    ("IdentityV3EndpointGroupsApi", "POST", "/policies"): [
        {"policy": {"blob": "{\"a\": \"b\"}", "type": "application/json"}}],
    ("IdentityV3EndpointGroupsApi", "PATCH", "/policies/<policy_id>"): [
        {"policy": {"blob": "{}", "type": "application/json"}}],
    ("IdentityV3FederationApi", "PUT", "/OS-FEDERATION/identity_providers/<idp_id>"): [
        {"identity_provider": {"description": "d", "enabled": True,
                               "remote_ids": ["https://idp.example/x"]}}],
    ("IdentityV3FederationApi", "PATCH", "/OS-FEDERATION/identity_providers/<idp_id>"): [
        {"identity_provider": {"description": "d2", "enabled": False}}],
    ("IdentityV3FederationApi", "PUT", "/OS-FEDERATION/mappings/<mapping_id>"): [
        {"mapping": {"rules": [{"local": [{"user": {"name": "{0}"}}],
                                "remote": [{"type": "REMOTE_USER"}]}]}}],
    ("IdentityV3FederationApi", "PATCH", "/OS-FEDERATION/mappings/<mapping_id>"): [
        {"mapping": {"rules": [{"local": [{"user": {"name": "{0}"}}],
                                "remote": [{"type": "UserName"}]}]}}],
    ("IdentityV3FederationApi", "PUT", "/OS-FEDERATION/service_providers/<sp_id>"): [
        {"service_provider": {"auth_url": "https://sp.example/v3/auth",
                              "sp_url": "https://sp.example/Shibboleth.sso/SAML2/ECP",
                              "enabled": True}}],
    ("IdentityV3FederationApi", "PATCH", "/OS-FEDERATION/service_providers/<sp_id>"): [
        {"service_provider": {"description": "d", "enabled": False}}],
    ("IdentityV3ProjectsApi", "PUT", "/domains/<domain_id>/config"): [
        {"config": {"identity": {"driver": "ldap"}, "ldap": {"url": "ldap://127.0.0.1"}}}],
    ("IdentityV3ProjectsApi", "PATCH", "/domains/<domain_id>/config"): [
        {"config": {"ldap": {"user_tree_dn": "ou=Users,dc=example"}}}],
    ("IdentityV3ProjectsApi", "PATCH", "/domains/<domain_id>/config/<group>"): [
        {"config": {"ldap": {"url": "ldap://127.0.0.2"}}}],
    ("NeutronApi", "POST", "/v2.0/address-scopes"): [
        {"address_scope": {"name": "as", "ip_version": 4, "shared": False}}],
    ("NeutronApi", "PUT", "/v2.0/address-scopes/<scope_id>"): [
        {"address_scope": {"name": "renamed"}}],
    ("NeutronApi", "POST", "/v2.0/flavors"): [
        {"flavor": {"name": "f", "service_type": "L3_ROUTER_NAT", "description": "d",
                    "enabled": True}}],
    ("NeutronApi", "PUT", "/v2.0/flavors/<flavor_id>"): [
        {"flavor": {"name": "renamed", "enabled": False}}],
    ("NeutronApi", "POST", "/v2.0/flavors/<flavor_id>/service_profiles"): [
        {"service_profile": {"id": "{neutron_profile_id}"}}],
    ("NeutronApi", "POST", "/v2.0/service_profiles"): [
        {"service_profile": {"description": "d", "metainfo": "m", "enabled": True}}],
    ("NeutronApi", "PUT", "/v2.0/service_profiles/<profile_id>"): [
        {"service_profile": {"description": "changed", "enabled": False}}],
    ("NeutronApi", "POST", "/v2.0/rbac-policies"): [
        {"rbac_policy": {"object_type": "network", "object_id": "{network_id}",
                         "action": "access_as_shared", "target_tenant": RBAC_TARGETS[1]}}],
    ("NeutronApi", "PUT", "/v2.0/rbac-policies/<policy_id>"): [
        {"rbac_policy": {"target_tenant": RBAC_TARGETS[1]}}],
}

#: The API groups fuzzed one test each, and how many bodies each gets.
ROUTES.update(OPERATOR_ROUTES)

GROUPS = {
    "control": (("MimicRoot", "IdentityControlApi"), 30),
    "identity": (("IdentityApi", "IdentityV3Api"), 50),
    "mesh": (("MeshControlApi",), 20),
    # The control APIs alone: a behavior they register may answer 5xx on
    # purpose (a "fail" with code 500), which is no failure of Mimic's.
    "nova": (("NovaApi",), 100),
    "nova-operator": (("NovaApi",), 60),
    "nova-control": (("NovaControlApi",), 30),
    "clb": (("ClbApi",), 80),
    "clb-control": (("ClbControlApi",), 30),
    "fastly": (("FastlyApi",), 60),
    "glance": (("GlanceApi",), 30),
    "neutron": (("NeutronApi",), 80),
    "cinder": (("CinderApi",), 60),
    "cinder-control": (("CinderControlApi",), 20),
    "identity-v3": (("IdentityV3CatalogApi", "IdentityV3ProjectsApi", "IdentityV3RolesApi",
                     "IdentityV3UsersApi", "IdentityV3AppCredentialsApi",
                     "IdentityV3EndpointGroupsApi", "IdentityV3FederationApi"), 100),
}

#: Headers each app's requests carry besides the token: the microversions
#: that have the routes (Cinder's attachments from 3.27, Nova's
#: remote-consoles from 2.6).
APP_HEADERS = {
    "CinderApi": {"OpenStack-API-Version": "volume 3.44"},
    "NovaApi": {"OpenStack-API-Version": "compute 2.8"},
}

#: Keystone routes a user may call only on themselves, and who that is
#: (an id in the World's ids, and the token to call with).
SELF_ROUTES = {
    ("IdentityV3UsersApi", "POST", "/users/<user_id>/password"): ("v3_self_id", "v3_self_token"),
    ("IdentityV3AppCredentialsApi", "POST", "/users/<user_id>/application_credentials"): (
        "admin_id", "admin_token"),
}


#: Cinder's operator and sharing routes (volume types, QoS specs, group
#: types, groups, transfers, default types, quotas, services, snapshot
#: actions); without a microversion header they answer at 3.0, and the
#: fuzzer is no admin, so each refusal's shape is what is checked.
CINDER_ROUTES: dict[tuple[str, str, str], list] = {
    ("CinderApi", method, f"/v3/<tenant_id>/{rule}"): bodies for method, rule, bodies in [
        ("POST", "types", [{"volume_type": {"name": "fz", "extra_specs": {"a": "b"}}}]),
        ("PUT", "types/<type_id>", [{"volume_type": {"name": "fz2", "description": "d"}}]),
        ("POST", "types/<type_id>/extra_specs", [{"extra_specs": {"a": "b"}}]),
        ("PUT", "types/<type_id>/extra_specs/<key>", [{"k": "v"}]),
        ("POST", "types/<type_id>/action", [{"addProjectAccess": {"project": "p"}}]),
        ("POST", "types/<type_id>/encryption", [
            {"encryption": {"provider": "luks", "key_size": 256}}]),
        ("PUT", "types/<type_id>/encryption/<encryption_id>", [
            {"encryption": {"cipher": "aes-xts-plain64"}}]),
        ("POST", "qos-specs", [{"qos_specs": {"name": "q", "consumer": "back-end",
                                              "iops": "1"}}]),
        ("PUT", "qos-specs/<qos_id>", [{"qos_specs": {"iops": "2"}}]),
        ("PUT", "qos-specs/<qos_id>/delete_keys", [{"keys": ["iops"]}]),
        ("POST", "group_types", [{"group_type": {"name": "g"}}]),
        ("PUT", "group_types/<type_id>", [{"group_type": {"name": "g2"}}]),
        ("POST", "group_types/<type_id>/group_specs", [{"group_specs": {"a": "b"}}]),
        ("PUT", "group_types/<type_id>/group_specs/<key>", [{"k": "v"}]),
        ("POST", "groups", [{"group": {"name": "g", "group_type": "x",
                                       "volume_types": ["x"]}}]),
        ("PUT", "groups/<group_id>", [{"group": {"name": "n"}}]),
        ("POST", "groups/<group_id>/action", [{"delete": {"delete-volumes": True}}]),
        ("POST", "group_snapshots", [{"group_snapshot": {"group_id": "{group_id}"}}]),
        ("POST", "os-volume-transfer", [{"transfer": {"volume_id": "{volume_id}",
                                                      "name": "t"}}]),
        ("POST", "volume-transfers", [{"transfer": {"volume_id": "{volume_id}"}}]),
        ("POST", "os-volume-transfer/<transfer_id>/accept", [
            {"accept": {"auth_key": "wrong"}}]),
        ("POST", "volume-transfers/<transfer_id>/accept", [
            {"accept": {"auth_key": "wrong"}}]),
        ("PUT", "default-types/<project_id>", [{"default_type": {"volume_type": "x"}}]),
        ("PUT", "os-quota-sets/<project_id>", [{"quota_set": {"volumes": 5}}]),
        ("PUT", "os-services/<action>", [{"host": "devstack@lvmdriver-1",
                                          "binary": "cinder-volume"}]),
        ("POST", "snapshots/<snapshot_id>/action", [{"os-reset_status": {"status": "error"}}]),
    ]
}
ROUTES.update(CINDER_ROUTES)


def klein_apps() -> dict:
    """
    Every Klein app of every REST module, by the name of the class serving
    it (the one in MOUNTS when several classes share one app, as Nova's
    route groups do).
    """
    import mimic.rest

    modules = [importlib.import_module(f"mimic.rest.{m.name}")
               for m in pkgutil.iter_modules(mimic.rest.__path__)]
    names: dict = {}
    for module in modules:
        for value in vars(module).values():
            app = getattr(value, "app", None)
            if isinstance(value, type) and isinstance(app, Klein):
                if value.__name__ in MOUNTS or id(app) not in names:
                    names[id(app)] = (value.__name__, app)
    return {name: app for name, app in names.values()}


def klein_routes() -> set:
    """Every (app class, method, rule) that takes a body, in every Klein app."""
    return {(name, method, rule.rule)
            for name, app in klein_apps().items() for rule in app.url_map.iter_rules()
            for method in sorted(set(rule.methods or ()) & {"POST", "PUT", "PATCH"})}


def test_every_json_route_is_fuzzed():
    unfuzzed = klein_routes() - set(ROUTES) - set(SKIPPED)
    assert not unfuzzed, f"add these routes to ROUTES (or SKIPPED): {sorted(unfuzzed)}"
    assert set(ROUTES) <= klein_routes(), sorted(set(ROUTES) - klein_routes())
    assert {app for app, _, _ in ROUTES} == set(MOUNTS)


# The world the routes act on.


@attrs.define
class World:
    """One tenant with one of everything, and the ids the routes name."""

    api: Endpoints
    ids: dict
    #: Ids that differ by app (Keystone's group_id is not Neutron's).
    app_ids: dict = attrs.Factory(dict)

    def ids_for(self, app: str, rule: str = "") -> dict:
        ids = {**self.ids, **self.app_ids.get(app, {}), **self.app_ids.get(rule, {})}
        own = SELF_ROUTES.get((app, "POST", rule))
        if own is not None:
            ids["user_id"] = ids[own[0]]
        return ids

    def token(self, route: tuple) -> str:
        own = SELF_ROUTES.get(route)
        if own is not None:
            return self.ids[own[1]]
        if route[0].startswith("IdentityV3") or route in NEUTRON_ADMIN_ROUTES:
            return self.ids["admin_token"]
        return self.api.token

    def url(self, app: str, rule: str, kind: str) -> str:
        # Converters (<int:number>, <any(...):kind>, <path:url>) go first.
        path = re.sub(r"<(?:[^<>]*:)?(\w+)>", r"<\1>", rule)
        values = {"kind": kind, "name": self.ids["names"][kind], **self.ids_for(app, rule)}
        for name, value in values.items():
            path = path.replace(f"<{name}>", str(value))
        return MOUNTS[app][0] + path


#: Where the fuzzed tenant's Block Storage is (not in Endpoints: only the
#: fuzz uses it this way).
CINDER = "/mimicking/cinder/ORD/v3/fuzz-tenant"
V3 = "/identity/v3"


def build_world(mimic) -> World:
    # What PUT /mimic/v1.1/state restores: a fresh Mimic's own snapshot.
    state = mimic.get("/mimic/v1.1/state").json()
    api = endpoints(mimic, username="fuzzer", tenant="fuzz-tenant")
    auth = api.headers()
    fastly = {"Fastly-Key": "fuzz"}
    ids: dict = {"tenant_id": api.tenant, "token": api.token, "number": 1, "key": "k",
                 "tag": "t"}

    def made(response, code=(200, 201, 202)):
        assert response.status_code in code, response.text
        return response.json() if response.content else None

    server = made(mimic.post(f"{api.compute}/servers", headers=auth, json={"server": {
        "name": "fuzz", "imageRef": UBUNTU, "flavorRef": "2", "metadata": {"k": "v"}}}))
    ids["server_id"] = server["server"]["id"]
    lb = made(mimic.post(f"{api.clb}/loadbalancers", json=LB))["loadBalancer"]
    ids["lb_id"], ids["node_id"] = lb["id"], lb["nodes"][0]["id"]
    mimic.tick(60)
    metadata = made(mimic.post(f"{api.clb}/loadbalancers/{lb['id']}/metadata",
                               json={"metadata": [{"key": "k", "value": "v"}]}))
    ids["meta_id"] = metadata["metadata"][0]["id"]
    mimic.tick(60)
    service = made(mimic.post("/fastly/service", headers=fastly, json={"name": "fuzz"}))
    ids["service_id"] = service["id"]
    ids["names"] = {}
    for kind, body in FASTLY_OBJECTS.items():
        made(mimic.post(f"/fastly/service/{service['id']}/version/1/{kind}",
                        headers=fastly, json=body))
        ids["names"][kind] = body["name"]
    image = made(mimic.post(f"{api.image}/v2/images", headers=auth, json={"name": "fuzz"}))
    ids["image_id"] = image["id"]
    network = made(mimic.post(f"{api.network}/networks", headers=auth,
                              json={"network": {"name": "fuzz"}}))["network"]
    ids["network_id"] = network["id"]
    subnet = made(mimic.post(f"{api.network}/subnets", headers=auth, json={"subnet": {
        "network_id": network["id"], "cidr": "192.168.9.0/24", "ip_version": 4}}))
    ids["subnet_id"] = subnet["subnet"]["id"]
    port = made(mimic.post(f"{api.network}/ports", headers=auth,
                           json={"port": {"network_id": network["id"]}}))
    ids["port_id"] = port["port"]["id"]
    group = made(mimic.post(f"{api.network}/security-groups", headers=auth,
                            json={"security_group": {"name": "fuzz"}}))
    ids["group_id"] = group["security_group"]["id"]
    floating = made(mimic.post(f"{api.network}/floatingips", headers=auth, json={
        "floatingip": {"floating_network_id": PUBLIC_NETWORK}}))
    ids["floating_ip_id"] = floating["floatingip"]["id"]
    ids["event"] = "creation"
    ids["service"] = "fuzz"
    ids.update({"collection": "networks", "resource_id": network["id"], "member_id": "x",
                "project_id": api.tenant, "surrogate_key": "k", "url": "x"})
    for kind, body in (("router", {"name": "fuzz"}),
                       ("subnetpool", {"name": "fuzz", "prefixes": ["10.30.0.0/16"]}),
                       ("trunk", {"port_id": ids["port_id"]})):
        response = mimic.post(f"{api.network}/{kind}s", headers=auth, json={kind: body})
        ids[f"{kind}_id"] = response.json()[kind]["id"] if response.status_code == 201 else "x"
    scope = mimic.post(f"{api.network}/address-scopes", headers=auth,
                       json={"address_scope": {"name": "fuzz", "ip_version": 4}})
    ids["scope_id"] = scope.json()["address_scope"]["id"] if scope.status_code == 201 else "x"
    ids["policy_id"] = made(mimic.post(f"{api.network}/rbac-policies", headers=auth, json={
        "rbac_policy": {"object_type": "network", "object_id": network["id"],
                        "action": "access_as_shared", "target_tenant": RBAC_TARGETS[0]}}))[
        "rbac_policy"]["id"]
    made(mimic.post("/mimic/v1.1/mesh", json=MESH))
    ids["state"] = state
    _block_storage(mimic, ids, made)
    world = World(api, ids)
    _keystone(mimic, world, made)
    _neutron_flavors(mimic, world, made)
    return world


#: Neutron's admin-only routes: sent with an admin's token, so that their
#: bodies are read rather than refused by policy.
NEUTRON_ADMIN_ROUTES = {
    ("NeutronApi", "POST", "/v2.0/flavors"), ("NeutronApi", "PUT", "/v2.0/flavors/<flavor_id>"),
    ("NeutronApi", "POST", "/v2.0/flavors/<flavor_id>/service_profiles"),
    ("NeutronApi", "POST", "/v2.0/service_profiles"),
    ("NeutronApi", "PUT", "/v2.0/service_profiles/<profile_id>"),
}


def _neutron_flavors(mimic, world: World, made: Callable) -> None:
    """A Neutron flavor and a service profile, an admin's to change."""
    admin = {"X-Auth-Token": world.ids["admin_token"]}
    network = world.api.network
    profile = made(mimic.post(f"{network}/service_profiles", headers=admin, json={
        "service_profile": {"metainfo": "fuzz"}}))["service_profile"]["id"]
    # Nova's routes have a flavor_id of their own; bodies name the profile.
    world.app_ids["NeutronApi"] = {
        "flavor_id": made(mimic.post(f"{network}/flavors", headers=admin, json={
            "flavor": {"name": "fuzz", "service_type": "L3_ROUTER_NAT"}}))["flavor"]["id"],
        "profile_id": profile}
    world.ids["neutron_profile_id"] = profile


def _block_storage(mimic, ids: dict, made: Callable) -> None:
    """Two volumes (one to act on, one attached) and a snapshot."""
    headers = {"X-Auth-Token": ids["token"], **APP_HEADERS["CinderApi"]}
    volumes = [made(mimic.post(f"{CINDER}/volumes", headers=headers, json={
        "volume": {"size": 1, "name": f"fuzz-{n}"}}))["volume"]["id"] for n in range(2)]
    mimic.tick(60)
    ids["volume_id"] = volumes[0]
    ids["snapshot_id"] = made(mimic.post(f"{CINDER}/snapshots", headers=headers, json={
        "snapshot": {"volume_id": volumes[0], "name": "fuzz"}}))["snapshot"]["id"]
    ids["attachment_id"] = made(mimic.post(f"{CINDER}/attachments", headers=headers, json={
        "attachment": {"volume_uuid": volumes[1], "instance_uuid": ids["server_id"]}}))[
        "attachment"]["id"]
    offered = made(mimic.post(f"{CINDER}/volumes", headers=headers,
                              json={"volume": {"size": 1, "name": "fuzz-offered"}}))["volume"]
    mimic.tick(60)
    ids["transfer_id"] = made(mimic.post(f"{CINDER}/os-volume-transfer", headers=headers, json={
        "transfer": {"volume_id": offered["id"]}}))["transfer"]["id"]
    ids.update({"type_id": "x", "qos_id": "x", "encryption_id": "x", "action": "enable"})


def _v3_token(mimic, name: str, password: str, project: str) -> tuple:
    response = mimic.post(f"{V3}/auth/tokens", json={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": name, "password": password, "domain": {"id": "default"}}}},
        "scope": {"project": {"id": project}}}})
    assert response.status_code == 201, response.text
    return response.headers["x-subject-token"], response.json()["token"]["user"]["id"]


def _keystone(mimic, world: World, made: Callable) -> None:
    """One of each Keystone noun an admin makes, for the v3 routes to act on."""
    ids = world.ids
    ids["admin_token"], ids["admin_id"] = _v3_token(mimic, "admin", "x", "admin")
    auth = {"X-Auth-Token": ids["admin_token"]}

    def create(path: str, key: str, body: dict) -> str:
        return made(mimic.post(f"{V3}/{path}", headers=auth, json={key: body}))[key]["id"]

    service = create("services", "service", {"type": "fuzz", "name": "fuzz"})
    domain = create("domains", "domain", {"name": "fuzz-domain"})
    project = create("projects", "project", {"name": "fuzz-project"})
    role, implied = (create("roles", "role", {"name": name})
                     for name in ("fuzz-role", "fuzz-implied"))
    user = create("users", "user", {"name": "fuzz-target", "password": "p",
                                    "default_project_id": project})
    own = create("users", "user", {"name": "fuzz-self", "password": "fuzz-self-password",
                                   "default_project_id": project})
    made(mimic.put(f"{V3}/projects/{project}/users/{own}/roles/{role}", headers=auth),
         code=(204,))
    ids["v3_self_token"], ids["v3_self_id"] = _v3_token(
        mimic, "fuzz-self", "fuzz-self-password", project)
    keystone = {
        "service_id": service, "domain_id": domain, "project_id": project,
        "role_id": role, "prior_id": role, "implied_id": implied, "user_id": user,
        "group_id": create("groups", "group", {"name": "fuzz-group"}),
        "credential_id": create("credentials", "credential", {
            "blob": "b", "type": "totp", "user_id": user}),
        "endpoint_id": create("endpoints", "endpoint", {
            "service_id": service, "interface": "public", "url": "http://127.0.0.1:1/"}),
        "region_id": create("regions", "region", {"id": "fuzz-region"}),
        "kind": "projects", "target_id": project, "actor_kind": "users", "actor_id": user,
    }
    made(mimic.post(f"{V3}/registered_limits", headers=auth, json={
        "registered_limits": [{"service_id": service, "resource_name": "cores",
                               "default_limit": 10}]}))
    limit = made(mimic.post(f"{V3}/limits", headers=auth, json={"limits": [{
        "service_id": service, "resource_name": "cores", "resource_limit": 5,
        "project_id": project}]}))["limits"][0]["id"]
    # One no project limit overrides: Keystone refuses any update of one
    # that is overridden, so the PATCH route is fuzzed on this one.
    unused = made(mimic.post(f"{V3}/registered_limits", headers=auth, json={
        "registered_limits": [{"service_id": service, "resource_name": "ram",
                               "default_limit": 10}]}))["registered_limits"][0]["id"]
    made(mimic.put(f"{V3}/domains/{domain}/config", headers=auth, json={
        "config": {"identity": {"driver": "ldap"}}}), code=(200, 201))
    endpoint_group = made(mimic.post(f"{V3}/OS-EP-FILTER/endpoint_groups", headers=auth, json={
        "endpoint_group": {"name": "fuzz-eg", "filters": {"interface": "public"}}}))[
        "endpoint_group"]["id"]
    policy = create("policies", "policy", {"blob": "{}", "type": "application/json"})
    for kind, key, body in (
            ("identity_providers", "identity_provider", {"enabled": True}),
            ("mappings", "mapping", {"rules": [{"local": [{"user": {"name": "{0}"}}],
                                                 "remote": [{"type": "REMOTE_USER"}]}]}),
            ("service_providers", "service_provider", {
                "auth_url": "https://sp.example/v3/auth",
                "sp_url": "https://sp.example/Shibboleth.sso/SAML2/ECP"})):
        made(mimic.put(f"{V3}/OS-FEDERATION/{kind}/fuzz-{key}", headers=auth,
                       json={key: body}), code=(201,))
    keystone.update({"policy_id": policy, "idp_id": "fuzz-identity_provider",
                     "mapping_id": "fuzz-mapping", "sp_id": "fuzz-service_provider",
                     "group": "identity"})
    for app in GROUPS["identity-v3"][0]:
        world.app_ids[app] = keystone
    # An endpoint group's id has the name a user group's has elsewhere.
    world.app_ids["IdentityV3EndpointGroupsApi"] = {**keystone, "group_id": endpoint_group}
    world.app_ids["/registered_limits/<limit_id>"] = {"limit_id": unused}
    world.app_ids["/limits/<limit_id>"] = {"limit_id": limit}


def _filled(value: Any, ids: dict) -> Any:
    """An example body with ``{server_id}``-style placeholders filled in."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        found = ids.get(value[1:-1], value)
        return copy.deepcopy(found) if isinstance(found, (dict, list)) else str(found)
    if isinstance(value, dict):
        return {_filled(k, ids): _filled(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_filled(v, ids) for v in value]
    return value


def state_of(mimic, world: World, group: str, route: tuple, kind: str) -> Any:
    """
    What the group's API shows of its state, compared around each request
    to ``route`` (for Fastly's objects, of ``kind``): the listings a refusal
    there could have changed.
    """
    api, ids = world.api, world.ids
    auth = {"X-Auth-Token": api.token}

    def get(url, headers=None):
        response = mimic.get(url, headers=headers)
        assert response.status_code < 500, (url, response.text)
        return response.status_code, response.json() if response.content else None

    if group == "control":
        if route[2] == "/mimic/v1.1/state":
            # A restore replaces everything, the clock and the behaviors
            # included: the whole snapshot is compared.
            return get("/mimic/v1.1/state")
        return (mimic.tick(0)["now"], get("/mimic/v1.1/IdentityControlAPI/behaviors/auth"))
    if group == "identity":
        # Every user and project Mimic knows (an admin's v3 listings).
        admin = mimic.post("/identity/v3/auth/tokens", json={"auth": {"identity": {
            "methods": ["password"], "password": {"user": {
                "name": "admin", "password": "x", "domain": {"id": "default"}}}}}})
        token = {"X-Auth-Token": admin.headers["X-Subject-Token"]}
        return (get("/identity/v3/users", token), get("/identity/v3/projects", token))
    if group == "mesh":
        return get("/mimic/v1.1/mesh"), get("/mimic/v1.1/mesh/probes/fuzz")
    if group == "nova":
        # What the tenant holds (counts), and the server the routes act on
        # (its volumes too), and for an image's routes the image.
        image = (get(f"{api.compute}/images/{ids['image_id']}/metadata", auth)
                 if "/images/" in route[2] else None)
        return (get(f"{api.compute}/limits", auth),
                get(f"{api.compute}/servers/{ids['server_id']}", auth),
                get(f"{api.compute}/os-keypairs", auth),
                get(f"{api.compute}/os-server-groups", auth), image)
    if group in ("cinder", "cinder-control"):
        headers = {**auth, **APP_HEADERS["CinderApi"]}
        found = tuple(get(f"{CINDER}/{kind}/detail", headers)
                      for kind in ("volumes", "snapshots", "attachments"))
        if group == "cinder-control":
            found += (get(f"/mimicking/cinder-control/ORD/v3/{api.tenant}/behaviors/"
                          "creation"),)
        return found
    if group == "identity-v3":
        # The route's own noun, listed by an admin, and who holds what.
        admin = {"X-Auth-Token": ids["admin_token"]}
        noun = route[2].split("/")[1]
        if noun.startswith("<") or noun in ("system", "OS-INHERIT"):
            noun = "role_assignments"
        elif noun.startswith("OS-"):
            noun = "/".join(route[2].split("/")[1:3])
        elif route[2].startswith("/domains/<domain_id>/config"):
            noun = f"domains/{world.app_ids[route[0]]['domain_id']}/config"
        found = [get(f"{V3}/{noun}", admin), get(f"{V3}/role_assignments", admin)]
        if route[2].startswith("/projects/<project_id>"):
            found.append(get(f"{V3}/projects/{world.app_ids[route[0]]['project_id']}",
                             admin))
        if route in SELF_ROUTES:
            user_id, token = SELF_ROUTES[route]
            found.append(get(f"{V3}/users/{ids[user_id]}/application_credentials",
                             {"X-Auth-Token": ids[token]}))
        return tuple(found)
    if group == "nova-operator":
        flavor = f"{api.compute}/flavors/{ids['flavor_id']}"
        return (get(f"{api.compute}/flavors/detail?is_public=none", auth),
                get(f"{flavor}/os-extra_specs", auth), get(f"{flavor}/os-flavor-access", auth),
                get(f"{api.compute}/os-aggregates", auth),
                get(f"{api.compute}/os-quota-sets/{api.tenant}", auth),
                get(f"{api.compute}/os-services", auth))
    if group == "nova-control":
        return (get(f"{api.compute}/servers/{ids['server_id']}", auth),
                get(f"{api.compute_control}/behaviors/creation"))
    if group == "clb":
        lb = f"{api.clb}/loadbalancers/{ids['lb_id']}"
        # The load balancer in detail holds its nodes, settings and metadata.
        return (get(f"{api.clb}/loadbalancers"), get(lb), get(f"{lb}/accesslist"),
                get(f"{lb}/nodes/{ids['node_id']}/metadata"))
    if group == "clb-control":
        return (get(f"{api.clb}/loadbalancers/{ids['lb_id']}"),
                get(f"{api.clb_control}/behaviors/creation"))
    if group == "fastly":
        key = {"Fastly-Key": "fuzz"}
        service = f"/fastly/service/{ids['service_id']}"
        objects = [get(f"{service}/version/1/{kind}", key)] if ":kind>" in route[2] else []
        return (get("/fastly/service", key), get(f"{service}/details", key), objects)
    if group == "glance":
        return get(f"{api.image}/v2/images", auth)
    if group == "neutron":
        # The route's own resource, and the ports every address lives on.
        resource = route[2].split("/")[2]
        if resource.startswith("<"):
            resource = "networks"
        return tuple(get(f"{api.network}/{kind}", auth)
                     for kind in dict.fromkeys((resource, "ports")))
    raise AssertionError(group)


# What the fuzzer sends.

_KEYS = st.sampled_from(["name", "id", "server", "metadata", "code", "duration",
                         "amount", "status", "type", "nodes", "port", "address"])
#: Numbers and texts that broke Mimic, or nearly: sizes past a float, past
#: 64 bits, a clock's range; digits Python's int() refuses; patterns.
HOSTILE_NUMBERS = st.sampled_from([
    0, -1, 1, 2 ** 31, 2 ** 62, 2 ** 63, 2 ** 64, 10 ** 18, 10 ** 30, 10 ** 307,
    253402300800, 1e30, 1e308, -1e308, -0.0, 0.5, 1.5e-300, 10 ** 400])
HOSTILE_TEXTS = st.sampled_from([
    "", " ", "\u00b2", "9" * 400, "9" * 4301, "1e999", "-1", "0x10", "(a+)+$", "(", "\u0000",
    "\U0001F4A5", "NaN", "Infinity", "../..", "%ff", "a" * 300, "true", "null",
    "00000000-0000-0000-0000-000000000000", "192.0.2.1", "::1", "10.0.0.0/8",
    "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(), HOSTILE_NUMBERS, HOSTILE_TEXTS,
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
)
JSON_VALUES = st.recursive(
    _LEAVES,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.one_of(_KEYS, st.text(max_size=6)), children, max_size=4),
    max_leaves=12,
)
RAW_BODIES = st.sampled_from([
    b"", b"   ", b"{", b"null", b"[]", b"{}", b"\"text\"", b"1e999", b"NaN",
    b'{"a": Infinity}', b"[" * 3000 + b"]" * 3000, b'{"a":' * 150 + b"1" + b"}" * 150,
    b'{"name": "\\ud800"}', b'{"\\udfff": 1}', b"\xff\xfe\x00", b'{"name": "\xff"}',
    b'{"amount": ' + b"9" * 400 + b"}", b'{"a": 1, "a": 2}',
])


@st.composite
def mutated(draw, example: Any) -> Any:
    """``example`` with one value replaced, or one key dropped or added."""
    body = copy.deepcopy(example)
    if not isinstance(body, (dict, list)) or not body:
        return draw(JSON_VALUES)
    # Walk down to a random container, then change one of its members.
    parent = body
    while True:
        keys = list(parent) if isinstance(parent, dict) else list(range(len(parent)))
        if not keys:
            break
        key = draw(st.sampled_from(keys))
        child = parent[key]
        if isinstance(child, (dict, list)) and child and draw(st.integers(0, 3)):
            parent = child
            continue
        change = draw(st.sampled_from(["hostile", "hostile", "replace", "drop", "add"]))
        if change == "hostile":
            # Most validation is of one field's type and range.
            parent[key] = draw(HOSTILE_NUMBERS | HOSTILE_TEXTS)
        elif change == "replace":
            parent[key] = draw(JSON_VALUES)
        elif change == "drop":
            del parent[key]
        elif isinstance(parent, dict):
            parent[draw(st.one_of(_KEYS, st.text(max_size=6)))] = draw(JSON_VALUES)
        else:
            parent.append(draw(JSON_VALUES))
        break
    return body


@st.composite
def requests_for(draw, routes: list, ids: dict) -> tuple:
    """(route, kind of Fastly object, body bytes)."""
    route = draw(st.sampled_from(routes))
    examples = [_filled(example, ids) for example in ROUTES[route]]
    kind = draw(st.sampled_from(FASTLY_KINDS))
    how = draw(st.sampled_from(["mutated", "mutated", "mutated", "any", "raw"]))
    if how == "raw":
        return route, kind, draw(RAW_BODIES)
    value = draw(JSON_VALUES) if how == "any" else draw(mutated(draw(st.sampled_from(
        examples))))
    return route, kind, json.dumps(value).encode("utf-8")


def _content_type(app: str, method: str) -> str:
    if app == "GlanceApi" and method == "PATCH":
        return "application/openstack-images-v2.1-json-patch"
    return "application/json"


@attrs.define
class Sender:
    """Sends one body to one route of a group and checks the answer."""

    mimic: Any
    world: World
    group: str
    route: Any = None
    state: Any = None
    count: int = 0


    def send(self, route: tuple, kind: str, body: bytes) -> None:
        app, method, rule = route
        if (route, kind) != self.route:
            self.route = (route, kind)
            self.state = state_of(self.mimic, self.world, self.group, route, kind)
        url = self.world.url(app, rule, kind)
        response = self.mimic.request(method, url, data=body, headers={
            "X-Auth-Token": self.world.token(route), "Fastly-Key": "fuzz",
            "content-type": _content_type(app, method), **APP_HEADERS.get(app, {})})
        self.count += 1
        where = (method, url, body[:300])
        assert response.status_code < 500, (where, response.text[:500])
        if response.status_code >= 400:
            shape: Callable = ERROR_SHAPES[MOUNTS[app][1]]
            assert response.headers.get("content-type", "").startswith(
                "application/json"), (where, response.text[:300])
            assert shape(response.json(), response.status_code), (where, response.text)
            assert state_of(self.mimic, self.world, self.group, route, kind) == self.state, (
                where, response.text)
        else:
            # Accepted: let anything building settle, then take the new state.
            if self.group not in ("control", "identity", "identity-v3"):
                self.mimic.tick(60)
            self.state = state_of(self.mimic, self.world, self.group, route, kind)


def _world(mimic, group: str) -> World:
    world = build_world(mimic)
    world.ids["event"] = "auth" if group == "control" else "creation"
    if group == "nova-operator":
        operator_world(mimic, world)
    return world


def operator_world(mimic, world: World) -> None:
    """The same tenant as its admin sees it, and a flavor and an aggregate to act on."""
    admin = mimic.authenticate(username="admin", tenant_id=world.api.tenant)
    world.api = attrs.evolve(world.api, token=admin["token"]["id"])
    auth = world.api.headers()
    compute = world.api.compute
    flavor = mimic.post(f"{compute}/flavors", headers=auth, json={"flavor": {
        "name": "fuzz", "ram": 512, "vcpus": 1, "disk": 1,
        "os-flavor-access:is_public": False}}).json()["flavor"]
    aggregate = mimic.post(f"{compute}/os-aggregates", headers=auth, json={
        "aggregate": {"name": "fuzz"}}).json()["aggregate"]
    host = mimic.get(f"{compute}/os-hypervisors", headers=auth).json()[
        "hypervisors"][0]["hypervisor_hostname"]
    world.ids.update({"flavor_id": flavor["id"], "aggregate_id": aggregate["id"],
                      "host": host, "service_id": "disable-log-reason",
                      "volume_id": "no-such-volume"})


def _routes(group: str) -> list:
    """A group's routes; Nova's operator routes are the ``nova-operator`` group's alone."""
    return sorted(route for route in ROUTES if route[0] in GROUPS[group][0]
                  and (route in OPERATOR_ROUTES) == (group == "nova-operator"))


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_no_body_makes_an_api_fail_answer_out_of_shape_or_change_on_refusal(mimic, group):
    examples = GROUPS[group][1]
    world = _world(mimic, group)
    sender = Sender(mimic, world, group)

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(requests_for(_routes(group), world.ids))
    def send(request: tuple) -> None:
        sender.send(*request)

    send()
    assert sender.count >= examples // 2


#: What every member of every example is replaced by, one at a time.
SWEEP = ["\u00b2", "9" * 4301, 10 ** 300, None]
#: How deep the sweep goes in a state document: its meaning is in the
#: first levels (format, clock, the store's fields and their objects);
#: below, the codec's same tags repeat.
STATE_DEPTH = 5


#: How many items of an array the sweep tries: they are read alike, and a
#: state document's random generator alone holds 624.
SWEPT_ITEMS = 3


def _members(value: Any, path: tuple = ()) -> list:
    """
    The path of every member of ``value`` (keys of objects, the first
    :data:`SWEPT_ITEMS` items of arrays).
    """
    found = []
    members = value.items() if isinstance(value, dict) else (
        enumerate(value[:SWEPT_ITEMS]) if isinstance(value, list) else ())
    for key, member in members:
        found.append(path + (key,))
        found.extend(_members(member, path + (key,)))
    return found


def _replaced(value: Any, path: tuple, new: Any) -> Any:
    value = copy.deepcopy(value)
    parent = value
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = new
    return value


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_every_member_of_every_example_replaced_by_a_hostile_value(mimic, group):
    # The random search above finds what one field cannot take only by
    # chance; this sweep tries each value of SWEEP in every member of
    # every example body.
    sender = Sender(mimic, _world(mimic, group), group)
    for route in _routes(group):
        for example in ROUTES[route]:
            filled = _filled(example, sender.world.ids)
            paths = _members(filled)
            if route == ("MimicRoot", "PUT", "/mimic/v1.1/state"):
                paths = [path for path in paths if len(path) <= STATE_DEPTH]
            for path in paths:
                for value in SWEEP:
                    body = json.dumps(_replaced(filled, path, value)).encode("utf-8")
                    sender.send(route, "header", body)


# Query strings of every GET route.

QUERY_NAMES = st.sampled_from([
    "limit", "marker", "name", "status", "page", "per_page", "size_min", "size_max",
    "minRam", "minDisk", "changes-since", "image", "flavor", "id", "sort_key", "sort_dir",
    "sort", "belongsTo", "traceId", "is_public", "nodeaddress", "visibility", "tag",
    "fields", "domain_id", "nocatalog", "type", "network_id", "device_id", "tenant_id",
    "enabled", "user_id", "version", "detail", "member_status", "ip_version"])
QUERY_VALUES = st.sampled_from([
    "%ff", "%C0%AF", "%C2%B2", "9" * 4301, "-1", "", "(a+)+$", "(", "%00", "1e999",
    "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00", "true", "a" * 2000, "%25"])


def klein_get_routes() -> list:
    """Every (app class, rule) answering GET, in every Klein app."""
    return sorted({(name, rule.rule) for name, app in klein_apps().items()
                   for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())})


def test_no_query_string_makes_a_get_route_fail_or_answer_out_of_shape(mimic):
    world = build_world(mimic)
    world.ids.update({"alias": "x", "domain_id": "default", "flavor_id": "2",
                      "network": PUBLIC_NETWORK, "project_id": world.api.tenant,
                      "region_id": "ORD", "rule_id": "x", "token_id": world.api.token,
                      "trace_id": "x", "user_id": "x", "event": "creation"})
    headers = {"X-Auth-Token": world.api.token, "Fastly-Key": "fuzz"}
    routes = [route for route in klein_get_routes() if route[0] in MOUNTS]

    @settings(max_examples=150, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(routes), st.lists(st.tuples(QUERY_NAMES, QUERY_VALUES),
                                             min_size=1, max_size=3))
    def get(route: tuple, query: list) -> None:
        app, rule = route
        url = world.url(app, rule, "header") + "?" + "&".join(f"{k}={v}" for k, v in query)
        response = mimic.get(url, headers=headers)
        assert response.status_code < 500, (url[:300], response.text[:300])
        if response.status_code >= 400:
            assert response.headers.get("content-type", "").startswith("application/json")
            assert ERROR_SHAPES[MOUNTS[app][1]](response.json(), response.status_code), (
                url[:300], response.text[:300])

    get()
