"""
The world the route fuzz acts in: one tenant holding one of everything
(a server, a load balancer with a node, a Fastly service with one object
of each kind, an image, a network with a subnet, a port, a security group,
a floating IP, a router, a subnet pool, a trunk, an address scope, an RBAC
entry, a mesh, volumes, a snapshot, an attachment, a transfer, and
Keystone's nouns made by an admin), the ids its routes name, and
:func:`state_of`: what a group's API shows of its state, compared around
each request.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Callable

import attrs

from tests.fuzz_routes import APP_HEADERS, GROUPS, MOUNTS, NEUTRON_ADMIN_ROUTES, SELF_ROUTES
from tests.fuzz_routes.clb import LB
from tests.fuzz_routes.fastly import FASTLY_OBJECTS
from tests.fuzz_routes.mesh import MESH
from tests.fuzz_routes.neutron import PUBLIC_NETWORK, RBAC_TARGETS
from tests.fuzz_routes.nova import UBUNTU
from tests.robustness_support import Endpoints, endpoints


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


def filled_in(value: Any, ids: dict) -> Any:
    """An example body with ``{server_id}``-style placeholders filled in."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        found = ids.get(value[1:-1], value)
        return copy.deepcopy(found) if isinstance(found, (dict, list)) else str(found)
    if isinstance(value, dict):
        return {filled_in(k, ids): filled_in(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [filled_in(v, ids) for v in value]
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


def world_for(mimic, group: str) -> World:
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
