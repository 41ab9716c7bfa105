"""
Helpers for the snapshot and state-file tests: a scenario that leaves state
in every API, and a walk of every GET route of every plugin (read from the
plugins' own Klein route maps, so a route added tomorrow is walked too).
"""

from __future__ import annotations

import itertools
import re
from typing import Any, Iterator

import attrs

from mimic.core import MimicCore
from mimic.rest.identity_api import IdentityApi
from mimic.rest.identity_v3_api import IdentityV3Api
from tests.harness import MimicClient
from tests.nova_support import UBUNTU

TENANT = "810001"
OTHER_TENANT = "810002"
REGION = "ORD"

MESH_DOCUMENT = {
    "apiVersion": "mimik.veicot.io/v1alpha1", "kind": "Mimik",
    "metadata": {"name": "front-v1", "namespace": "shop"},
    "spec": {"service": "front", "version": "v1", "endpoints": [
        {"path": "/", "method": "GET", "connections": []}]},
}

_VARIABLE = re.compile(r"<([^>]*)>")


@attrs.define
class Scenario:
    """What :func:`make_state` made: ids by the route variable naming them."""

    token: str
    values: dict = attrs.field(factory=dict)

    def add(self, name: str, *values: Any) -> None:
        self.values.setdefault(name, [])
        self.values[name].extend(str(v) for v in values if v not in (None, ""))


def _ok(response: Any, *codes: int) -> Any:
    assert response.status_code in (codes or (200, 201, 202, 204)), response.text
    return response.json() if response.content else None


def make_state(mimic: MimicClient) -> Scenario:
    """Leave state in Identity, Nova, Neutron, Glance, CLB, Fastly and the mesh."""
    access = mimic.authenticate("snap-user", "secret", TENANT)
    mimic.authenticate("snap-other", "secret", OTHER_TENANT)
    token = access["token"]["id"]
    auth = {"X-Auth-Token": token}
    scenario = Scenario(token)
    scenario.add("tenant_id", TENANT)
    scenario.add("project_id", TENANT)
    scenario.add("token_id", token)
    scenario.add("user_id", access["user"]["id"])
    scenario.add("region_id", REGION)
    scenario.add("domain_id", "default")
    v3 = mimic.post("/identity/v3/auth/tokens", json={"auth": {"identity": {
        "methods": ["password"], "password": {"user": {
            "name": "snap-v3", "domain": {"id": "default"}, "password": "pw"}}}}})
    _ok(v3, 201)
    _ok(mimic.post("/mimic/v1.1/IdentityControlAPI/behaviors/auth", json={
        "name": "fail", "parameters": {"code": 401}, "criteria": [{"username": "nobody"}]}), 201)
    mimic.tick(10)

    nova = f"/mimicking/nova/{REGION}/v2/{TENANT}"
    keypair = _ok(mimic.post(f"{nova}/os-keypairs", headers=auth,
                             json={"keypair": {"name": "snap-key"}}))
    scenario.add("name", keypair["keypair"]["name"])
    servers = []
    for name, metadata in (("web-1", {"role": "web"}), ("slow", {"server_building": 300})):
        made = _ok(mimic.post(f"{nova}/servers", headers=auth, json={"server": {
            "name": name, "imageRef": UBUNTU, "flavorRef": "2", "metadata": metadata,
            "key_name": "snap-key"}}), 202)
        servers.append(made["server"]["id"])
    scenario.add("server_id", *servers)
    scenario.add("key", "role")
    scenario.add("flavor_id", "2")
    scenario.add("image_id", UBUNTU)
    scenario.add("network", "public", "private")
    _ok(mimic.post(f"/mimicking/nova-control/{REGION}/v2/{TENANT}/behaviors/creation",
                   json={"name": "fail", "parameters": {"code": 500},
                         "criteria": [{"server_name": "doomed"}]}), 201)
    scenario.add("event", "creation")
    mimic.tick(60)

    neutron = f"/mimicking/neutron/{REGION}/v2.0"
    if not _ok(mimic.get(neutron, headers=auth), 200, 300).get("resources"):
        neutron = f"{neutron}/v2.0"  # an unversioned endpoint
    network = _ok(mimic.post(f"{neutron}/networks", headers=auth,
                             json={"network": {"name": "snap-net"}}), 201)["network"]
    subnet = _ok(mimic.post(f"{neutron}/subnets", headers=auth, json={"subnet": {
        "network_id": network["id"], "cidr": "10.42.0.0/24", "ip_version": 4}}), 201)
    port = _ok(mimic.post(f"{neutron}/ports", headers=auth,
                          json={"port": {"network_id": network["id"]}}), 201)["port"]
    group = _ok(mimic.post(f"{neutron}/security-groups", headers=auth,
                           json={"security_group": {"name": "snap-sg"}}), 201)
    group = group["security_group"]
    rule = _ok(mimic.post(f"{neutron}/security-group-rules", headers=auth, json={
        "security_group_rule": {"security_group_id": group["id"], "direction": "ingress",
                                "protocol": "tcp", "port_range_min": 22,
                                "port_range_max": 22}}), 201)["security_group_rule"]
    public = [n for n in _ok(mimic.get(f"{neutron}/networks", headers=auth))["networks"]
              if n["name"] == "public"][0]
    floating = _ok(mimic.post(f"{neutron}/floatingips", headers=auth, json={
        "floatingip": {"floating_network_id": public["id"]}}), 201)["floatingip"]
    scenario.add("network_id", network["id"], public["id"])
    scenario.add("subnet_id", subnet["subnet"]["id"])
    scenario.add("port_id", port["id"])
    scenario.add("group_id", group["id"])
    scenario.add("rule_id", rule["id"])
    scenario.add("floating_ip_id", floating["id"])
    scenario.add("alias", "security-group")
    router = mimic.post(f"{neutron}/routers", headers=auth,
                        json={"router": {"name": "snap-router"}})
    if router.status_code == 201:
        scenario.add("router_id", router.json()["router"]["id"])
    tagged = mimic.put(f"{neutron}/networks/{network['id']}/tags/blue", headers=auth)
    if tagged.status_code in (200, 201, 204):
        scenario.add("resource_id", network["id"])
        scenario.add("tag", "blue")

    glance = f"/mimicking/glance/{REGION}"
    image = _ok(mimic.post(f"{glance}/v2/images", headers=auth, json={
        "name": "snap-image", "disk_format": "qcow2", "container_format": "bare",
        "visibility": "shared"}), 201)
    scenario.add("image_id", image["id"])
    member = mimic.post(f"{glance}/v2/images/{image['id']}/members", headers=auth,
                        json={"member": OTHER_TENANT})
    if member.status_code == 200:
        scenario.add("member_id", OTHER_TENANT)

    clb = f"/mimicking/clb/{REGION}/v1.0/{TENANT}"
    lb = _ok(mimic.post(f"{clb}/loadbalancers", headers=auth, json={"loadBalancer": {
        "name": "snap-lb", "protocol": "HTTP", "virtualIps": [{"type": "PUBLIC"}],
        "nodes": [{"address": "10.1.1.1", "port": 80, "condition": "ENABLED"}],
        "metadata": [{"key": "color", "value": "blue"}]}}), 202)["loadBalancer"]
    scenario.add("lb_id", lb["id"])
    scenario.add("node_id", *(node["id"] for node in lb["nodes"]))
    scenario.add("meta_id", *(meta["id"] for meta in lb.get("metadata", [])))
    mimic.tick(30)

    fastly_key = {"Fastly-Key": token}
    service = _ok(mimic.post("/fastly/service", headers=fastly_key, data={"name": "snap-cdn"}))
    number = service["versions"][0]["number"] if service.get("versions") else 1
    for kind, fields in (("domain", {"name": "www.example.com"}),
                         ("backend", {"name": "origin", "address": "10.0.0.1"})):
        _ok(mimic.post(f"/fastly/service/{service['id']}/version/{number}/{kind}",
                       headers=fastly_key, data=fields))
    scenario.add("service_id", service["id"])
    scenario.add("number", number)
    scenario.add("name", "www.example.com", "origin")

    _ok(mimic.post("/mimic/v1.1/mesh", json=[MESH_DOCUMENT]))
    mimic.tick(5)
    return scenario


def _expansions(rule: str, values: dict) -> Iterator[str]:
    """Every URL of a route rule with each variable filled from ``values``."""
    choices = []
    for variable in _VARIABLE.findall(rule):
        kind, _, name = variable.rpartition(":")
        if kind.startswith("any("):
            choices.append([option.strip(" '\"") for option in kind[4:-1].split(",")])
        else:
            choices.append(values.get(name) or ["no-such-thing"])
    for combination in itertools.islice(itertools.product(*choices), 40):
        parts = iter(combination)
        yield _VARIABLE.sub(lambda match: next(parts), rule)


def get_routes() -> Iterator[tuple[str, str]]:
    """``(prefix, rule)`` for every GET route of every plugin and of Identity."""
    core = MimicCore.from_plugins()
    for name, api in core.apis.items():
        prefix = f"/mimicking/{name}/{REGION}"
        resource = api.resource_for_region(REGION, "http://x" + prefix, core.store)
        # A Klein resource, or one wrapping one (Fastly's answers PURGE first).
        app = getattr(resource, "_app", None) or getattr(
            getattr(resource, "routes", None), "_app", None)
        if app is None:
            continue
        for rule in app.url_map.iter_rules():
            if "GET" in (rule.methods or ()):
                yield prefix, rule.rule
    for prefix, app in (("/identity", IdentityApi.app), ("/identity/v3", IdentityV3Api.app)):
        for rule in app.url_map.iter_rules():
            if "GET" in (rule.methods or ()):
                yield prefix, rule.rule


#: What Mimic itself shows of its state, beside the APIs.
CONTROL_VIEWS = (
    "/mimic/v1.0/presets", "/mimic/v1.1/IdentityControlAPI/behaviors/auth",
    "/mimic/v1.1/mesh", "/fastly/current_customer", "/fastly/service",
)


def walk(mimic: MimicClient, scenario: Scenario, host: str) -> dict:
    """
    Every GET route's answer (status, content type, body bytes), asked
    with the same token and ``Host`` header so that links compare equal.
    """
    headers = {"X-Auth-Token": scenario.token, "Fastly-Key": scenario.token,
               "Host": host}
    answers = {}
    urls = [prefix + url for prefix, rule in get_routes()
            for url in _expansions(rule, scenario.values)]
    for url in [*urls, *CONTROL_VIEWS]:
        response = mimic.get(url, headers=headers, allow_redirects=False)
        answers[url] = (response.status_code, response.headers.get("content-type"),
                        response.content)
    return answers
