"""
Nova's network proxy routes, served up to microversion 2.35 and a 404 from
2.36 on, as Nova answers a route no version of which matches
(``VersionNotFoundForAPIMethod``):

- ``GET|POST os-security-groups``, ``GET|PUT|DELETE os-security-groups/<id>``
- ``POST os-security-group-rules``, ``DELETE os-security-group-rules/<id>``
- ``GET|POST os-floating-ips``, ``GET|DELETE os-floating-ips/<id>``
- ``GET os-floating-ip-pools``
- ``GET os-networks``, ``GET os-networks/<id>``

All are views of the tenant's Neutron state
(:class:`mimic.model.nova_network_proxy.NetworkProxy`), so a group made
here is the group Neutron lists and servers can join.
"""

from __future__ import annotations

from typing import Any, Optional

from mimic.model.neutron import FloatingIp, Network, SecurityGroup
from mimic.model.nova_network_proxy import NetworkProxy, NovaRule
from mimic.rest.http import empty_response, json_response, read_json
from mimic.rest.nova_json import invalid_input, string_field
from mimic.rest.nova_routes import NovaRoutes, tenant_route

app = NovaRoutes.app

#: The fields of ``os-networks`` a non-admin sees; Neutron has only ``id``
#: and ``label`` (the name) of them, the rest are ``null``
#: (nova/api/openstack/compute/networks.py ``network_dict``).
NETWORK_FIELDS = ("id", "cidr", "netmask", "gateway", "broadcast", "dns1", "dns2",
                  "cidr_v6", "gateway_v6", "label", "netmask_v6")


class NetworkProxyRoutes(NovaRoutes):
    """The proxy APIs Nova removed at 2.36."""

    def _proxy(self, request: Any, tenant_id: str) -> NetworkProxy:
        compute, _ = self._begin_proxy(request, tenant_id)
        return NetworkProxy(compute.network)

    # security groups

    @tenant_route(app, "/os-security-groups", methods=["GET"])
    def list_security_groups(self, request: Any, tenant_id: str) -> bytes:
        proxy = self._proxy(request, tenant_id)
        return json_response(request, {"security_groups": [
            security_group_view(proxy, g) for g in proxy.security_groups()]})

    @tenant_route(app, "/os-security-groups", methods=["POST"])
    def create_security_group(self, request: Any, tenant_id: str) -> bytes:
        proxy = self._proxy(request, tenant_id)
        name, description = _read_group(read_json(request))
        group = proxy.create_security_group(name, description)
        return json_response(request, {"security_group": security_group_view(proxy, group)})

    @tenant_route(app, "/os-security-groups/<group_id>", methods=["GET"])
    def show_security_group(self, request: Any, tenant_id: str, group_id: str) -> bytes:
        proxy = self._proxy(request, tenant_id)
        group = proxy.security_group(group_id)
        return json_response(request, {"security_group": security_group_view(proxy, group)})

    @tenant_route(app, "/os-security-groups/<group_id>", methods=["PUT"])
    def update_security_group(self, request: Any, tenant_id: str, group_id: str) -> bytes:
        proxy = self._proxy(request, tenant_id)
        proxy.security_group(group_id)
        name, description = _read_group(read_json(request))
        group = proxy.update_security_group(group_id, name, description)
        return json_response(request, {"security_group": security_group_view(proxy, group)})

    @tenant_route(app, "/os-security-groups/<group_id>", methods=["DELETE"])
    def delete_security_group(self, request: Any, tenant_id: str, group_id: str) -> bytes:
        self._proxy(request, tenant_id).delete_security_group(group_id)
        return empty_response(request, 202)

    # security group rules

    @tenant_route(app, "/os-security-group-rules", methods=["POST"])
    def create_security_group_rule(self, request: Any, tenant_id: str) -> bytes:
        proxy = self._proxy(request, tenant_id)
        body = read_json(request).get("security_group_rule")
        if not isinstance(body, dict):
            raise invalid_input("security_group_rule", body,
                                "'security_group_rule' is a required property")
        if "parent_group_id" not in body:
            raise invalid_input("parent_group_id", None,
                                "'parent_group_id' is a required property")
        group_id = body.get("group_id")
        for key, value in (("parent_group_id", body["parent_group_id"]),
                           ("group_id", group_id)):
            if value is not None and not isinstance(value, str):
                raise invalid_input(key, value, f"{value!r} is not of type 'string'")
        rule = proxy.create_rule(body["parent_group_id"], ip_protocol=body.get("ip_protocol"),
                                 from_port=body.get("from_port"), to_port=body.get("to_port"),
                                 cidr=body.get("cidr"), group_id=group_id)
        return json_response(request, {"security_group_rule": rule_view(proxy, rule)})

    @tenant_route(app, "/os-security-group-rules/<rule_id>", methods=["DELETE"])
    def delete_security_group_rule(self, request: Any, tenant_id: str, rule_id: str) -> bytes:
        self._proxy(request, tenant_id).delete_rule(rule_id)
        return empty_response(request, 202)

    # floating IPs and their pools

    @tenant_route(app, "/os-floating-ips", methods=["GET"])
    def list_floating_ips(self, request: Any, tenant_id: str) -> bytes:
        proxy = self._proxy(request, tenant_id)
        return json_response(request, {"floating_ips": [
            floating_ip_view(proxy, f) for f in proxy.floating_ips()]})

    @tenant_route(app, "/os-floating-ips", methods=["POST"])
    def allocate_floating_ip(self, request: Any, tenant_id: str) -> bytes:
        proxy = self._proxy(request, tenant_id)
        raw = request.content.read() if request.content is not None else b""
        request.content.seek(0)
        pool: Optional[str] = None
        if raw.strip():
            body = read_json(request, expect=None)
            if isinstance(body, dict) and body.get("pool") is not None:
                pool = string_field(body, "pool", minimum=1)
        fip = proxy.allocate_floating_ip(pool)
        return json_response(request, {"floating_ip": floating_ip_view(proxy, fip)})

    @tenant_route(app, "/os-floating-ips/<floating_ip_id>", methods=["GET"])
    def show_floating_ip(self, request: Any, tenant_id: str, floating_ip_id: str) -> bytes:
        proxy = self._proxy(request, tenant_id)
        fip = proxy.floating_ip(floating_ip_id)
        return json_response(request, {"floating_ip": floating_ip_view(proxy, fip)})

    @tenant_route(app, "/os-floating-ips/<floating_ip_id>", methods=["DELETE"])
    def release_floating_ip(self, request: Any, tenant_id: str, floating_ip_id: str) -> bytes:
        self._proxy(request, tenant_id).release_floating_ip(floating_ip_id)
        return empty_response(request, 202)

    @tenant_route(app, "/os-floating-ip-pools", methods=["GET"])
    def list_floating_ip_pools(self, request: Any, tenant_id: str) -> bytes:
        proxy = self._proxy(request, tenant_id)
        return json_response(request, {"floating_ip_pools": [
            {"name": n.name or n.id} for n in proxy.pools()]})

    # networks

    @tenant_route(app, "/os-networks", methods=["GET"])
    def list_networks(self, request: Any, tenant_id: str) -> bytes:
        proxy = self._proxy(request, tenant_id)
        return json_response(request, {"networks": [network_view(n)
                                                    for n in proxy.networks()]})

    @tenant_route(app, "/os-networks/<network_id>", methods=["GET"])
    def show_network(self, request: Any, tenant_id: str, network_id: str) -> bytes:
        proxy = self._proxy(request, tenant_id)
        return json_response(request, {"network": network_view(
            proxy.network_named(network_id))})


def _read_group(body: dict) -> tuple[str, str]:
    """``{"security_group": {"name", "description"}}``, both required (0-255)."""
    group = body.get("security_group")
    if not isinstance(group, dict):
        raise invalid_input("security_group", group,
                            "'security_group' is a required property")
    name = string_field(group, "name", required=True)
    description = string_field(group, "description", required=True)
    return name or "", description or ""


def security_group_view(proxy: NetworkProxy, group: SecurityGroup) -> dict:
    return {
        "id": group.id,
        "name": group.name,
        "description": group.description,
        "tenant_id": group.tenant_id,
        "rules": [rule_view(proxy, r) for r in proxy.rules_of(group)],
    }


def rule_view(proxy: NetworkProxy, rule: NovaRule) -> dict:
    """A rule as Nova's ``_format_security_group_rule`` shows it."""
    view = {
        "id": rule.id,
        "parent_group_id": rule.parent_group_id,
        "ip_protocol": rule.protocol,
        "from_port": rule.from_port,
        "to_port": rule.to_port,
        "group": {},
        "ip_range": {},
    }
    if rule.group_id:
        source = proxy.network.security_groups.get(rule.group_id)
        if source is not None:
            view["group"] = {"name": source.name, "tenant_id": source.tenant_id}
    else:
        view["ip_range"] = {"cidr": rule.cidr}
    return view


def floating_ip_view(proxy: NetworkProxy, fip: FloatingIp) -> dict:
    return {
        "id": fip.id,
        "ip": fip.floating_ip_address,
        "fixed_ip": fip.fixed_ip_address,
        "instance_id": proxy.instance_of(fip),
        "pool": proxy.pool_of(fip),
    }


def network_view(network: Network) -> dict:
    view: dict = dict.fromkeys(NETWORK_FIELDS)
    view["id"] = network.id
    view["label"] = network.name
    return view
