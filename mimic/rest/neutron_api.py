"""
Neutron (OpenStack Networking) v2.0 over HTTP: version documents, networks,
subnets, ports, security groups and their rules, floating IPs.

Routes parse the request, call :mod:`mimic.model.neutron` and render
Neutron's JSON. The caller's tenant comes from ``X-Auth-Token`` (Neutron's
URLs carry no tenant). Lists take Neutron's filters (any attribute,
repeated for "any of", ``fixed_ips=ip_address=...``), ``fields``,
``sort_key``/``sort_dir`` and ``limit``/``marker``. Every error is Neutron's
``{"NeutronError": {"type", "message", "detail"}}``, except a missing or
invalid token, which gets the 401 body of the token middleware that guards
real Neutron.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Optional
from urllib.parse import urlencode

from klein import Klein

from mimic.bounds import decimal
from mimic.model.neutron import (
    AddressPool,
    BadRequest,
    Conflict,
    FloatingIp,
    Forbidden,
    Network,
    NeutronFault,
    NotFound,
    Port,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
    network_state,
)
from mimic.rest.http import (
    RequestError,
    caller_token,
    empty_response,
    install_error_handlers,
    json_response,
    query_arguments,
    query_integer,
    read_json,
)
from mimic.rest.identity_api import root_url

#: Neutron's status code for each family of model faults.
FAULT_CODES = {NotFound: 404, Conflict: 409, BadRequest: 400, Forbidden: 403}

#: ``NeutronError`` types for errors raised outside the model.
HTTP_KINDS = {400: "HTTPBadRequest", 404: "HTTPNotFound", 405: "HTTPMethodNotAllowed",
              409: "HTTPConflict", 500: "HTTPInternalServerError"}

#: Query parameters of lists that are not attribute filters.
LIST_CONTROLS = {"fields", "limit", "marker", "sort_key", "sort_dir", "page_reverse",
                 "tags", "tags-any", "not-tags", "not-tags-any"}

#: What ``GET /v2.0/extensions`` lists: the extensions this emulation serves.
EXTENSIONS = (
    ("external-net", "Neutron external network", "Adds external network attribute to "
     "network resource."),
    ("router", "Neutron L3 Router", "Router abstraction for basic L3 forwarding between "
     "L2 Neutron networks and access to external networks via a NAT gateway."),
    ("security-group", "security-group", "The security groups extension."),
    ("port-security", "Port Security", "Provides port security"),
    ("net-mtu", "Network MTU", "Provides MTU attribute for a network resource."),
    ("standard-attr-description", "standard-attr-description",
     "Extension to add descriptions to standard attributes"),
    ("standard-attr-revisions", "Resource revision numbers",
     "This extension will display the revision number of neutron resources."),
    ("standard-attr-timestamp", "Resource timestamps",
     "Adds created_at and updated_at fields to all Neutron resources that have Neutron "
     "standard attributes."),
    ("fip-port-details", "Floating IP Port Details Extension",
     "Add port_details attribute to Floating IP resource"),
)


def neutron_error_body(error: RequestError) -> dict:
    """Neutron's error body; the token middleware's for 401."""
    if error.code == 401:
        return {"error": {"code": 401, "title": "Unauthorized",
                          "message": "The request you have made requires authentication."}}
    kind = error.kind if error.kind and error.kind[0].isupper() else HTTP_KINDS.get(
        error.code, "HTTPBadRequest")
    return {"NeutronError": {"type": kind, "message": error.message, "detail": ""}}


def _fault(error: NeutronFault) -> RequestError:
    code = next(c for cls, c in FAULT_CODES.items() if isinstance(error, cls))
    return RequestError(code, error.message, kind=error.kind)


def _bad(message: str) -> RequestError:
    return RequestError(400, message, kind="HTTPBadRequest")


# Rendering.


def _stamps(thing: Any) -> dict:
    return {"created_at": thing.created_at, "updated_at": thing.updated_at,
            "revision_number": thing.revision_number}


def network_json(network: Network) -> dict:
    return {
        "id": network.id, "name": network.name, "tenant_id": network.tenant_id,
        "project_id": network.tenant_id, "status": "ACTIVE",
        "admin_state_up": network.admin_state_up,
        "subnets": list(network.subnet_ids), "shared": network.shared,
        "router:external": network.external, "is_default": network.external,
        "mtu": network.mtu, "port_security_enabled": True, "availability_zone_hints": [],
        "availability_zones": ["nova"], "ipv4_address_scope": None,
        "ipv6_address_scope": None, "l2_adjacency": True, "description": network.description,
        "tags": [], **_stamps(network),
    }


def subnet_json(subnet: Subnet) -> dict:
    return {
        "id": subnet.id, "name": subnet.name, "tenant_id": subnet.tenant_id,
        "project_id": subnet.tenant_id, "network_id": subnet.network_id,
        "ip_version": subnet.ip_version, "cidr": subnet.cidr,
        "gateway_ip": subnet.gateway_ip,
        "allocation_pools": [{"start": subnet.pool.start, "end": subnet.pool.end}],
        "dns_nameservers": list(subnet.dns_nameservers), "host_routes": [],
        "enable_dhcp": subnet.enable_dhcp, "ipv6_ra_mode": subnet.ipv6_ra_mode,
        "ipv6_address_mode": subnet.ipv6_address_mode,
        "subnetpool_id": None, "service_types": [], "segment_id": None,
        "description": subnet.description, "tags": [], **_stamps(subnet),
    }


def port_json(port: Port) -> dict:
    return {
        "id": port.id, "name": port.name, "tenant_id": port.tenant_id,
        "project_id": port.tenant_id, "network_id": port.network_id,
        "mac_address": port.mac_address, "admin_state_up": port.admin_state_up,
        "status": port.status, "device_id": port.device_id,
        "device_owner": port.device_owner,
        "fixed_ips": [{"subnet_id": f.subnet_id, "ip_address": f.ip_address}
                      for f in port.fixed_ips],
        "security_groups": list(port.security_group_ids),
        "port_security_enabled": port.port_security_enabled,
        "allowed_address_pairs": [], "extra_dhcp_opts": [], "binding:vnic_type": "normal",
        "description": port.description, "tags": [], **_stamps(port),
    }


def rule_json(rule: SecurityGroupRule) -> dict:
    return {
        "id": rule.id, "tenant_id": rule.tenant_id, "project_id": rule.tenant_id,
        "security_group_id": rule.security_group_id, "direction": rule.direction,
        "ethertype": rule.ethertype, "protocol": rule.protocol,
        "port_range_min": rule.port_range_min, "port_range_max": rule.port_range_max,
        "remote_ip_prefix": rule.remote_ip_prefix, "remote_group_id": rule.remote_group_id,
        "remote_address_group_id": None, "normalized_cidr": rule.remote_ip_prefix,
        "belongs_to_default_sg": rule.belongs_to_default_sg,
        "description": rule.description, **_stamps(rule),
    }


def group_json(state: Any, group: SecurityGroup) -> dict:
    return {
        "id": group.id, "name": group.name, "tenant_id": group.tenant_id,
        "project_id": group.tenant_id, "description": group.description,
        "security_group_rules": [rule_json(state.rules[r]) for r in group.rule_ids],
        "stateful": True, "shared": False, "tags": [], **_stamps(group),
    }


def floating_ip_json(state: Any, fip: FloatingIp) -> dict:
    details = None
    if fip.port_id is not None:
        port = state.ports[fip.port_id]
        details = {"name": port.name, "network_id": port.network_id,
                   "mac_address": port.mac_address, "admin_state_up": port.admin_state_up,
                   "status": port.status, "device_id": port.device_id,
                   "device_owner": port.device_owner}
    return {
        "id": fip.id, "tenant_id": fip.tenant_id, "project_id": fip.tenant_id,
        "floating_network_id": fip.floating_network_id,
        "floating_ip_address": fip.floating_ip_address, "router_id": None,
        "port_id": fip.port_id, "fixed_ip_address": fip.fixed_ip_address,
        "status": fip.status, "port_details": details, "description": fip.description,
        "dns_domain": "", "dns_name": "", "qos_policy_id": None, "tags": [],
        **_stamps(fip),
    }


#: The attributes of each collection's items: what lists may filter and
#: sort on (read off an empty item of each kind, so they cannot drift).
ATTRIBUTES = {
    "networks": frozenset(network_json(Network("", ""))),
    "subnets": frozenset(subnet_json(Subnet("", "", pool=AddressPool.for_cidr("10.0.0.0/30")))),
    "ports": frozenset(port_json(Port("", ""))),
    "security_groups": frozenset(group_json(None, SecurityGroup("", ""))),
    "security_group_rules": frozenset(rule_json(SecurityGroupRule("", ""))),
    "floatingips": frozenset(floating_ip_json(None, FloatingIp("", ""))),
}


# Query handling.


def _query(request: Any) -> dict[str, list[str]]:
    return query_arguments(request)


def _matches(value: Any, wanted: list[str]) -> bool:
    if isinstance(value, bool):
        return any(w.lower() in (("true", "1") if value else ("false", "0")) for w in wanted)
    if value is None:
        return any(w in ("", "None", "null") for w in wanted)
    if isinstance(value, list):
        return any(str(v) in wanted for v in value)
    return str(value) in wanted


def _fixed_ip_matches(fixed_ips: list, wanted: list[str]) -> bool:
    for condition in wanted:
        key, _, value = condition.partition("=")
        if key == "ip_address_substr":
            if not any(value in f["ip_address"] for f in fixed_ips):
                return False
        elif key in ("ip_address", "subnet_id"):
            if not any(f[key] == value for f in fixed_ips):
                return False
        else:
            raise _bad(f"Invalid input for fixed_ips. Reason: '{condition}' is not a valid "
                       f"fixed_ips filter.")
    return True


def render_list(request: Any, collection: str, items: Iterable[dict]) -> bytes:
    """Filter, sort, page and trim rendered items as Neutron's lists do."""
    query = _query(request)
    items = list(items)
    known = ATTRIBUTES[collection]
    filters = {k: v for k, v in query.items() if k not in LIST_CONTROLS}
    invalid = sorted(k for k in filters if k not in known)
    if invalid:
        raise _bad(f"{invalid} is invalid attribute for filtering")
    for key, wanted in filters.items():
        if key == "fixed_ips":
            items = [i for i in items if _fixed_ip_matches(i["fixed_ips"], wanted)]
        else:
            items = [i for i in items if _matches(i.get(key), wanted)]
    for key in ("tags", "tags-any"):
        if query.get(key):
            items = []
    sort_keys = query.get("sort_key", [])
    sort_dirs = query.get("sort_dir", [])
    if any(d not in ("asc", "desc") for d in sort_dirs):
        raise _bad(f"Invalid input for sort_dir. Reason: {sort_dirs} is not in "
                   f"['asc', 'desc'].")
    for index in reversed(range(len(sort_keys))):
        key = sort_keys[index]
        if key not in known:
            raise _bad(f"{key} is an invalid attribute for sort_key")
        items.sort(key=lambda i: _sort_value(i.get(key)),
                   reverse=(sort_dirs[index] if index < len(sort_dirs) else "asc") == "desc")
    links = []
    limit = _limit(query)
    marker = query.get("marker", [None])[-1]
    if marker is not None:
        position = next((n for n, i in enumerate(items) if i.get("id") == marker), None)
        if position is None:
            raise RequestError(404, f"Marker {marker} could not be found.", kind="NotFound")
        items = items[position + 1:]
    if limit is not None and len(items) > limit:
        items = items[:limit]
        params = [(k, v) for k, vs in query.items() if k != "marker" for v in vs]
        params.append(("marker", items[-1]["id"]))
        base = request.uri.decode("utf-8", "replace").split("?")[0]
        links.append({"rel": "next", "href": _absolute(request, base) + "?" + urlencode(params)})
    fields = [f for fs in query.get("fields", []) for f in fs.split(",") if f]
    if fields:
        items = [{k: v for k, v in i.items() if k in fields} for i in items]
    body: dict = {collection: items}
    if links:
        body[f"{collection}_links"] = links
    return json_response(request, body)


def _sort_value(value: Any) -> tuple:
    """Numbers in numeric order, then text, then nulls last."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value, "")
    if value is None:
        return (2, 0, "")
    return (1, 0, str(value))


def _limit(query: dict) -> Optional[int]:
    raw = query.get("limit", [None])[-1]
    if raw is None:
        return None
    limit = query_integer(raw, "limit", message=f"Bad limit request: Limit must be an "
                          f"integer 0 or greater and not '{raw[:100]}'.")
    return limit or None


def _absolute(request: Any, path: str) -> str:
    return root_url(request) + path


def render_one(request: Any, member: str, item: dict, code: int = 200) -> bytes:
    fields = [f for fs in _query(request).get("fields", []) for f in fs.split(",") if f]
    if fields:
        item = {k: v for k, v in item.items() if k in fields}
    return json_response(request, {member: item}, code)


# Request bodies.


def _body(request: Any, member: str, allowed: Iterable[str], tenant_id: str) -> dict:
    """The ``{member: {...}}`` body, with only ``allowed`` attributes."""
    raw = request.content.read() if request.content is not None else b""
    request.content.seek(0)
    if not raw.strip():
        raise _bad("Resource body required")
    try:
        body = read_json(request)
    except RequestError:
        raise _bad("Malformed request body") from None
    resource = body.get(member)
    if not isinstance(resource, dict):
        raise _bad(f"Unable to find '{member}' in request body")
    unknown = sorted(set(resource) - set(allowed) - {"tenant_id", "project_id"})
    if unknown:
        raise _bad(f"Unrecognized attribute(s) '{', '.join(unknown)}'")
    for owner in ("tenant_id", "project_id"):
        if owner in resource and resource[owner] != tenant_id:
            raise RequestError(403, "Specifying 'project_id' or 'tenant_id' other than the "
                               "authenticated project in request requires admin privileges",
                               kind="HTTPForbidden")
    return resource


def _string(resource: dict, key: str, default: Optional[str] = None) -> Optional[str]:
    value = resource.get(key, default)
    if value is not None and not isinstance(value, str):
        raise _bad(f"Invalid input for {key}. Reason: '{value}' is not a valid string.")
    if value is not None and len(value) > 255:
        raise _bad(f"Invalid input for {key}. Reason: '{value}' exceeds maximum length of 255.")
    return value


def _boolean(resource: dict, key: str) -> Optional[bool]:
    value = resource.get(key)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _bad(f"Invalid input for {key}. Reason: '{value}' cannot be converted to boolean.")


def _string_list(resource: dict, key: str) -> Optional[list]:
    value = resource.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad(f"Invalid input for {key}. Reason: '{value}' is not a list.")
    return value


def _fixed_ips(resource: dict) -> Optional[list]:
    fixed_ips = resource.get("fixed_ips")
    if fixed_ips is not None and not isinstance(fixed_ips, list):
        raise _bad(f"Invalid input for fixed_ips. Reason: Invalid data format for fixed "
                   f"IP: '{fixed_ips}'.")
    return fixed_ips


def _allocation_pool(resource: dict) -> Optional[tuple]:
    pools = resource.get("allocation_pools")
    if pools is None or pools == []:
        return None
    if (not isinstance(pools, list) or len(pools) != 1 or not isinstance(pools[0], dict)
            or set(pools[0]) != {"start", "end"}):
        raise _bad(f"Invalid input for allocation_pools. Reason: Mimic takes one pool "
                   f"{{'start', 'end'}}, not '{pools}'.")
    return (pools[0]["start"], pools[0]["end"])


def _ipv6_mode(resource: dict, key: str) -> Optional[str]:
    value = resource.get(key)
    if value is not None and value not in ("slaac", "dhcpv6-stateful", "dhcpv6-stateless"):
        raise _bad(f"Invalid input for {key}. Reason: '{value}' is not in ['dhcpv6-stateful', "
                   f"'dhcpv6-stateless', 'slaac'].")
    return value


def _port_number(resource: dict, key: str) -> Optional[int]:
    value = resource.get(key)
    if value is None:
        return None
    if isinstance(value, str) and decimal(value) is not None:
        value = decimal(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(f"Invalid input for {key}. Reason: '{str(value)[:100]}' is not an integer.")
    return value


class NeutronApi:
    """Neutron v2.0 for one region, serving whoever's token comes in."""

    app = Klein()

    def __init__(self, store: Any, region: str, uri_prefix: str) -> None:
        self.store = store
        self.region = region
        self.uri_prefix = uri_prefix

    def _state(self, request: Any) -> Any:
        token = caller_token(request, self.store)
        if token is None:
            raise RequestError(401, "The request you have made requires authentication.")
        return network_state(self.store, token.tenant.id, self.region)

    def _run(self, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except NeutronFault as error:
            raise _fault(error) from None

    # discovery

    @app.route("/", methods=["GET"], strict_slashes=False)
    def versions(self, request: Any) -> bytes:
        return json_response(request, {"versions": [{
            "id": "v2.0", "status": "CURRENT",
            "links": [{"href": f"{self.uri_prefix}/v2.0/", "rel": "self"}],
        }]})

    @app.route("/v2.0", methods=["GET"], strict_slashes=False)
    def resources(self, request: Any) -> bytes:
        names = (("network", "networks"), ("subnet", "subnets"), ("port", "ports"),
                 ("security_group", "security-groups"),
                 ("security_group_rule", "security-group-rules"),
                 ("floatingip", "floatingips"))
        return json_response(request, {"resources": [
            {"name": name, "collection": collection.replace("-", "_"),
             "links": [{"href": f"{self.uri_prefix}/v2.0/{collection}", "rel": "self"}]}
            for name, collection in names
        ]})

    @app.route("/v2.0/extensions", methods=["GET"])
    def extensions(self, request: Any) -> bytes:
        self._state(request)
        return json_response(request, {"extensions": [_extension(e) for e in EXTENSIONS]})

    @app.route("/v2.0/extensions/<alias>", methods=["GET"])
    def extension(self, request: Any, alias: str) -> bytes:
        self._state(request)
        for extension in EXTENSIONS:
            if extension[0] == alias:
                return json_response(request, {"extension": _extension(extension)})
        raise RequestError(404, f"Extension with alias {alias} does not exist",
                           kind="HTTPNotFound")

    # networks and subnets

    @app.route("/v2.0/networks", methods=["GET"])
    def list_networks(self, request: Any) -> bytes:
        state = self._state(request)
        return render_list(request, "networks", map(network_json, state.networks.values()))

    @app.route("/v2.0/networks/<network_id>", methods=["GET"])
    def show_network(self, request: Any, network_id: str) -> bytes:
        state = self._state(request)
        return render_one(request, "network", network_json(self._run(
            lambda: state.network(network_id))))

    @app.route("/v2.0/networks", methods=["POST"])
    def create_network(self, request: Any) -> bytes:
        state = self._state(request)
        body = _body(request, "network", ("name", "description", "admin_state_up", "shared",
                                          "router:external", "mtu",
                                          "port_security_enabled"), state.tenant_id)
        for admin_only in ("shared", "router:external"):
            if _boolean(body, admin_only):
                raise RequestError(403, f"(rule:create_network:{admin_only}) is disallowed "
                                   f"by policy", kind="PolicyNotAuthorized")
        name, description = _string(body, "name", ""), _string(body, "description", "")
        admin_state_up = _boolean(body, "admin_state_up") is not False
        network = state.create_network(name, description, admin_state_up)
        return render_one(request, "network", network_json(network), 201)

    @app.route("/v2.0/networks/<network_id>", methods=["PUT"])
    def update_network(self, request: Any, network_id: str) -> bytes:
        state = self._state(request)
        body = _body(request, "network", ("name", "description", "admin_state_up"),
                     state.tenant_id)
        kwargs = dict(name=_string(body, "name"), description=_string(body, "description"),
                      admin_state_up=_boolean(body, "admin_state_up"))
        network = self._run(lambda: state.update_network(network_id, **kwargs))
        return render_one(request, "network", network_json(network))

    @app.route("/v2.0/networks/<network_id>", methods=["DELETE"])
    def delete_network(self, request: Any, network_id: str) -> bytes:
        state = self._state(request)
        self._run(lambda: state.delete_network(network_id))
        return empty_response(request)

    @app.route("/v2.0/subnets", methods=["POST"])
    def create_subnet(self, request: Any) -> bytes:
        state = self._state(request)
        body = _body(request, "subnet", (
            "network_id", "cidr", "ip_version", "name", "description", "gateway_ip",
            "allocation_pools", "enable_dhcp", "dns_nameservers", "ipv6_ra_mode",
            "ipv6_address_mode", "host_routes", "subnetpool_id", "prefixlen",
            "service_types", "segment_id",
        ), state.tenant_id)
        for key in ("network_id", "cidr"):
            if _string(body, key) is None:
                raise _bad(f"Failed to parse request. Required attribute '{key}' not "
                           f"specified")
        for unsupported in ("subnetpool_id", "prefixlen", "segment_id"):
            if body.get(unsupported) is not None:
                raise _bad(f"Mimic does not emulate {unsupported}; give a cidr.")
        if body.get("host_routes") or body.get("service_types"):
            raise _bad("Mimic does not emulate host_routes or service_types.")
        ip_version = body.get("ip_version", 4)
        if isinstance(ip_version, str) and decimal(ip_version) is not None:
            ip_version = decimal(ip_version)
        kwargs = dict(
            name=_string(body, "name", ""), description=_string(body, "description", ""),
            gateway_ip=body["gateway_ip"] if "gateway_ip" in body else "",
            allocation_pool=_allocation_pool(body),
            enable_dhcp=_boolean(body, "enable_dhcp") is not False,
            dns_nameservers=_string_list(body, "dns_nameservers") or (),
            ipv6_ra_mode=_ipv6_mode(body, "ipv6_ra_mode"),
            ipv6_address_mode=_ipv6_mode(body, "ipv6_address_mode"),
        )
        subnet = self._run(lambda: state.create_subnet(
            body["network_id"], body["cidr"], ip_version, **kwargs))
        return render_one(request, "subnet", subnet_json(subnet), 201)

    @app.route("/v2.0/subnets/<subnet_id>", methods=["PUT"])
    def update_subnet(self, request: Any, subnet_id: str) -> bytes:
        state = self._state(request)
        body = _body(request, "subnet", ("name", "description", "enable_dhcp",
                                         "dns_nameservers"), state.tenant_id)
        kwargs = dict(name=_string(body, "name"), description=_string(body, "description"),
                      enable_dhcp=_boolean(body, "enable_dhcp"),
                      dns_nameservers=_string_list(body, "dns_nameservers"))
        subnet = self._run(lambda: state.update_subnet(subnet_id, **kwargs))
        return render_one(request, "subnet", subnet_json(subnet))

    @app.route("/v2.0/subnets/<subnet_id>", methods=["DELETE"])
    def delete_subnet(self, request: Any, subnet_id: str) -> bytes:
        state = self._state(request)
        self._run(lambda: state.delete_subnet(subnet_id))
        return empty_response(request)

    @app.route("/v2.0/subnets", methods=["GET"])
    def list_subnets(self, request: Any) -> bytes:
        state = self._state(request)
        return render_list(request, "subnets", map(subnet_json, state.subnets.values()))

    @app.route("/v2.0/subnets/<subnet_id>", methods=["GET"])
    def show_subnet(self, request: Any, subnet_id: str) -> bytes:
        state = self._state(request)
        return render_one(request, "subnet", subnet_json(self._run(
            lambda: state.subnet(subnet_id))))

    # ports

    @app.route("/v2.0/ports", methods=["GET"])
    def list_ports(self, request: Any) -> bytes:
        state = self._state(request)
        query = _query(request)
        # The indexes answer the filters clients use most without a scan.
        if len(query.get("device_id", ())) == 1 and query["device_id"][0]:
            ports = state.ports_on_device(query["device_id"][0])
        elif len(query.get("network_id", ())) == 1 and query["network_id"][0]:
            ports = state.ports_on_network(query["network_id"][0])
        else:
            ports = state.ports.values()
        items = list(map(port_json, ports))
        return render_list(request, "ports", items)

    @app.route("/v2.0/ports/<port_id>", methods=["GET"])
    def show_port(self, request: Any, port_id: str) -> bytes:
        state = self._state(request)
        return render_one(request, "port", port_json(self._run(lambda: state.port(port_id))))

    @app.route("/v2.0/ports", methods=["POST"])
    def create_port(self, request: Any) -> bytes:
        state = self._state(request)
        body = _body(request, "port", (
            "network_id", "name", "description", "admin_state_up", "fixed_ips", "device_id",
            "device_owner", "security_groups", "mac_address", "port_security_enabled",
        ), state.tenant_id)
        network_id = _string(body, "network_id")
        if network_id is None:
            raise _bad("Failed to parse request. Required attribute 'network_id' not "
                       "specified")
        fixed_ips = _fixed_ips(body)
        security = _boolean(body, "port_security_enabled")
        kwargs = dict(
            name=_string(body, "name", ""), description=_string(body, "description", ""),
            device_id=_string(body, "device_id", ""),
            device_owner=_string(body, "device_owner", ""),
            security_group_ids=_string_list(body, "security_groups"),
            mac_address=body.get("mac_address"),
            admin_state_up=_boolean(body, "admin_state_up") is not False,
            port_security_enabled=security is not False,
        )
        port = self._run(lambda: state.create_port(network_id, fixed_ips=fixed_ips, **kwargs))
        return render_one(request, "port", port_json(port), 201)

    @app.route("/v2.0/ports/<port_id>", methods=["PUT"])
    def update_port(self, request: Any, port_id: str) -> bytes:
        state = self._state(request)
        body = _body(request, "port", ("name", "description", "admin_state_up",
                                       "security_groups", "device_id", "device_owner",
                                       "fixed_ips"), state.tenant_id)
        fixed_ips = _fixed_ips(body)
        kwargs = dict(
            name=_string(body, "name"), description=_string(body, "description"),
            admin_state_up=_boolean(body, "admin_state_up"),
            security_group_ids=_string_list(body, "security_groups"),
            device_id=_string(body, "device_id"), device_owner=_string(body, "device_owner"),
            fixed_ips=fixed_ips,
        )
        port = self._run(lambda: state.update_port(port_id, **kwargs))
        return render_one(request, "port", port_json(port))

    @app.route("/v2.0/ports/<port_id>", methods=["DELETE"])
    def delete_port(self, request: Any, port_id: str) -> bytes:
        state = self._state(request)
        self._run(lambda: state.delete_port(port_id))
        return empty_response(request)

    # security groups

    @app.route("/v2.0/security-groups", methods=["GET"])
    def list_groups(self, request: Any) -> bytes:
        state = self._state(request)
        return render_list(request, "security_groups",
                           (group_json(state, g) for g in state.security_groups.values()))

    @app.route("/v2.0/security-groups/<group_id>", methods=["GET"])
    def show_group(self, request: Any, group_id: str) -> bytes:
        state = self._state(request)
        group = self._run(lambda: state.security_group(group_id))
        return render_one(request, "security_group", group_json(state, group))

    @app.route("/v2.0/security-groups", methods=["POST"])
    def create_group(self, request: Any) -> bytes:
        state = self._state(request)
        body = _body(request, "security_group", ("name", "description", "stateful"),
                     state.tenant_id)
        name = _string(body, "name", "")
        description = _string(body, "description", "")
        group = self._run(lambda: state.create_security_group(name, description))
        return render_one(request, "security_group", group_json(state, group), 201)

    @app.route("/v2.0/security-groups/<group_id>", methods=["PUT"])
    def update_group(self, request: Any, group_id: str) -> bytes:
        state = self._state(request)
        body = _body(request, "security_group", ("name", "description"), state.tenant_id)
        name, description = _string(body, "name"), _string(body, "description")
        group = self._run(lambda: state.update_security_group(group_id, name, description))
        return render_one(request, "security_group", group_json(state, group))

    @app.route("/v2.0/security-groups/<group_id>", methods=["DELETE"])
    def delete_group(self, request: Any, group_id: str) -> bytes:
        state = self._state(request)
        self._run(lambda: state.delete_security_group(group_id))
        return empty_response(request)

    @app.route("/v2.0/security-group-rules", methods=["GET"])
    def list_rules(self, request: Any) -> bytes:
        state = self._state(request)
        return render_list(request, "security_group_rules", map(rule_json, state.rules.values()))

    @app.route("/v2.0/security-group-rules/<rule_id>", methods=["GET"])
    def show_rule(self, request: Any, rule_id: str) -> bytes:
        state = self._state(request)
        return render_one(request, "security_group_rule", rule_json(self._run(
            lambda: state.rule(rule_id))))

    @app.route("/v2.0/security-group-rules", methods=["POST"])
    def create_rule(self, request: Any) -> bytes:
        state = self._state(request)
        body = _body(request, "security_group_rule", (
            "security_group_id", "direction", "ethertype", "protocol", "port_range_min",
            "port_range_max", "remote_ip_prefix", "remote_group_id", "description",
        ), state.tenant_id)
        group_id = _string(body, "security_group_id")
        if group_id is None:
            raise _bad("Failed to parse request. Required attribute 'security_group_id' not "
                       "specified")
        if "direction" not in body:
            raise _bad("Failed to parse request. Required attribute 'direction' not specified")
        kwargs = dict(
            direction=body["direction"], ethertype=body.get("ethertype") or "IPv4",
            protocol=body.get("protocol"),
            port_range_min=_port_number(body, "port_range_min"),
            port_range_max=_port_number(body, "port_range_max"),
            remote_ip_prefix=_string(body, "remote_ip_prefix"),
            remote_group_id=_string(body, "remote_group_id"),
            description=_string(body, "description", ""),
        )
        rule = self._run(lambda: state.create_security_group_rule(group_id, **kwargs))
        return render_one(request, "security_group_rule", rule_json(rule), 201)

    @app.route("/v2.0/security-group-rules/<rule_id>", methods=["DELETE"])
    def delete_rule(self, request: Any, rule_id: str) -> bytes:
        state = self._state(request)
        self._run(lambda: state.delete_security_group_rule(rule_id))
        return empty_response(request)

    # floating IPs

    @app.route("/v2.0/floatingips", methods=["GET"])
    def list_floating_ips(self, request: Any) -> bytes:
        state = self._state(request)
        return render_list(request, "floatingips",
                           (floating_ip_json(state, f) for f in state.floating_ips.values()))

    @app.route("/v2.0/floatingips/<floating_ip_id>", methods=["GET"])
    def show_floating_ip(self, request: Any, floating_ip_id: str) -> bytes:
        state = self._state(request)
        fip = self._run(lambda: state.floating_ip(floating_ip_id))
        return render_one(request, "floatingip", floating_ip_json(state, fip))

    @app.route("/v2.0/floatingips", methods=["POST"])
    def create_floating_ip(self, request: Any) -> bytes:
        state = self._state(request)
        body = _body(request, "floatingip", (
            "floating_network_id", "floating_ip_address", "port_id", "fixed_ip_address",
            "description", "subnet_id",
        ), state.tenant_id)
        network_id = _string(body, "floating_network_id")
        if network_id is None:
            raise _bad("Failed to parse request. Required attribute 'floating_network_id' "
                       "not specified")
        kwargs = dict(
            floating_ip_address=_string(body, "floating_ip_address"),
            port_id=_string(body, "port_id"),
            fixed_ip_address=_string(body, "fixed_ip_address"),
            description=_string(body, "description", ""),
            subnet_id=_string(body, "subnet_id"),
        )
        fip = self._run(lambda: state.create_floating_ip(network_id, **kwargs))
        return render_one(request, "floatingip", floating_ip_json(state, fip), 201)

    @app.route("/v2.0/floatingips/<floating_ip_id>", methods=["PUT"])
    def update_floating_ip(self, request: Any, floating_ip_id: str) -> bytes:
        state = self._state(request)
        body = _body(request, "floatingip", ("port_id", "fixed_ip_address", "description"),
                     state.tenant_id)
        port_id = _string(body, "port_id")
        fixed = _string(body, "fixed_ip_address")
        description = _string(body, "description")
        fip = self._run(lambda: state.update_floating_ip(
            floating_ip_id, port_id, fixed, description, change_port="port_id" in body))
        return render_one(request, "floatingip", floating_ip_json(state, fip))

    @app.route("/v2.0/floatingips/<floating_ip_id>", methods=["DELETE"])
    def delete_floating_ip(self, request: Any, floating_ip_id: str) -> bytes:
        state = self._state(request)
        self._run(lambda: state.delete_floating_ip(floating_ip_id))
        return empty_response(request)


def _extension(extension: tuple) -> dict:
    alias, name, description = extension
    return {"alias": alias, "name": name, "description": description,
            "updated": "2013-01-20T00:00:00-00:00", "links": []}


install_error_handlers(NeutronApi.app, neutron_error_body)
