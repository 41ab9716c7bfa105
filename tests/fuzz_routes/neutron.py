"""
Neutron's routes that take a body, as the route fuzz sends them; the
admin-only ones are sent with an admin's token.
"""

from __future__ import annotations

PUBLIC_NETWORK = "00000000-0000-0000-0000-000000000000"
#: Projects (by id) the fuzzed tenant's network is shared with by RBAC entries.
RBAC_TARGETS = ("9b7e1c4e-0000-4000-8000-000000000001", "9b7e1c4e-0000-4000-8000-000000000002")

#: (Klein app, method, rule) -> valid example bodies the fuzzer mutates.
ROUTES: dict[tuple[str, str, str], list] = {
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

#: Neutron's admin-only routes: sent with an admin's token, so that their
#: bodies are read rather than refused by policy.
NEUTRON_ADMIN_ROUTES = {
    ("NeutronApi", "POST", "/v2.0/flavors"), ("NeutronApi", "PUT", "/v2.0/flavors/<flavor_id>"),
    ("NeutronApi", "POST", "/v2.0/flavors/<flavor_id>/service_profiles"),
    ("NeutronApi", "POST", "/v2.0/service_profiles"),
    ("NeutronApi", "PUT", "/v2.0/service_profiles/<profile_id>"),
}

#: Routes that take no JSON body, and why they are not fuzzed here.
SKIPPED = {
    ("NeutronApi", "PUT", "/v2.0/<any('networks','subnets','ports','security-groups','floatingips','routers','subnetpools','trunks'):collection>/<resource_id>/tags/<tag>"): "takes no body",
}
