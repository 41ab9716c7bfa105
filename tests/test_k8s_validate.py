"""
Everything Mimic hands to a cluster builds with ``kubectl kustomize`` and
validates strictly: Kubernetes objects against Kubernetes 1.30's schemas
(an unknown field fails), Istio documents against Istio's CRD schemas for
the fields Mimic reads. No cluster and no network: the schemas ship with
``kubernetes-validate`` and with Mimic.
"""

from __future__ import annotations

import json
import subprocess

import pytest
import yaml
from jsonschema import Draft202012Validator

from mimic.model.mesh.documents import MeshError, validate_document
from mimic.model.mesh.istio_schema import IstioSchemas
from tests.k8s_support import (
    DEPLOY,
    EXAMPLES,
    ROOT,
    by_kind,
    kubectl,
    kustomize,
    render,
    validate_strictly,
)

MESHES = sorted(p.name for p in EXAMPLES.glob("*.yaml"))
ENVIRONMENTS = ("dev", "staging", "prod")


def test_the_examples_include_mimiks_hello_world_and_a_servicemock_mesh():
    assert {"mimik-hello-world.yaml", "servicemock.yaml", "storefront.yaml"} <= set(MESHES)


@pytest.mark.parametrize("mesh", MESHES)
def test_a_rendered_mesh_builds_with_kustomize_and_validates(mesh, tmp_path):
    status, out, err = render(str(EXAMPLES / mesh))
    assert status == 0, err
    (tmp_path / "mesh.yaml").write_text(out)
    (tmp_path / "kustomization.yaml").write_text("resources: [mesh.yaml]\n")
    objects = kustomize(tmp_path)
    validate_strictly(objects)
    assert by_kind(objects, "Deployment")


@pytest.fixture(scope="module")
def layouts(tmp_path_factory):
    """Each example rendered with --out, once for the module."""
    kubectl()
    out = {}
    for mesh in MESHES:
        directory = tmp_path_factory.mktemp(mesh.replace(".", "-"))
        status, _, err = render(str(EXAMPLES / mesh), "--out", str(directory))
        assert status == 0, err
        out[mesh] = directory
    return out


@pytest.mark.parametrize("mesh", MESHES)
@pytest.mark.parametrize("part", ("base", *(f"overlays/{e}" for e in ENVIRONMENTS)))
def test_each_part_of_a_rendered_layout_builds_and_validates(layouts, mesh, part):
    validate_strictly(kustomize(layouts[mesh] / part))


def deployments_of(directory) -> dict:
    return by_kind(kustomize(directory), "Deployment")


def test_overlays_set_namespace_replicas_environment_image_and_resources(layouts):
    base = deployments_of(layouts["storefront.yaml"] / "base")
    assert base["catalog-v2"]["spec"]["replicas"] == 2
    built = {e: kustomize(layouts["storefront.yaml"] / "overlays" / e) for e in ENVIRONMENTS}
    for environment, objects in built.items():
        assert {o["metadata"].get("namespace") for o in objects if o["kind"] != "Namespace"} \
            == {f"shop-{environment}"}
        assert set(by_kind(objects, "Namespace")) == {f"shop-{environment}"}
        for deployment in by_kind(objects, "Deployment").values():
            [container] = deployment["spec"]["template"]["spec"]["containers"]
            assert {"name": "MIMIC_ENVIRONMENT", "value": environment} in container["env"]
            assert ("--verbose" in container["args"]) == (environment == "dev")
    replicas = {e: {n: d["spec"]["replicas"] for n, d in by_kind(o, "Deployment").items()}
                for e, o in built.items()}
    assert replicas["dev"] == {"storefront-v1": 1, "catalog-v1": 1, "catalog-v2": 1,
                               "inventory-v1": 1}
    assert replicas["staging"] == {"storefront-v1": 1, "catalog-v1": 1, "catalog-v2": 2,
                                   "inventory-v1": 1}
    assert min(replicas["prod"].values()) == 2

    def container(environment):
        deployment = by_kind(built[environment], "Deployment")["catalog-v1"]
        return deployment["spec"]["template"]["spec"]["containers"][0]

    assert container("dev")["image"] == "mimic:latest"
    assert container("prod")["image"] == "mimic:0.1.0"
    assert container("dev")["resources"]["limits"]["memory"] == "192Mi"
    assert container("prod")["resources"]["limits"]["memory"] == "384Mi"
    # The pods' command line is the base's in every environment, but for dev's --verbose.
    assert container("prod")["args"] == container("dev")["args"][:-1]


@pytest.mark.parametrize("part", ("base", *(f"overlays/{e}" for e in ENVIRONMENTS)))
def test_mimics_own_manifests_build_and_validate(part):
    objects = kustomize(DEPLOY / part)
    validate_strictly(objects)
    deployment = by_kind(objects, "Deployment")["mimic"]
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert container["args"][:2] == ["--listen", "tcp:8900:interface=0.0.0.0"]
    assert container["readinessProbe"]["httpGet"] == {"path": "/", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/", "port": "http"}
    # State lives in one process: never two pods at once.
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    assert by_kind(objects, "Service")["mimic"]["spec"]["ports"][0]["port"] == 8900


def test_make_k8s_build_renders_the_chosen_overlay():
    kubectl()
    result = subprocess.run(["make", "-s", "k8s-build", "ENV=staging", f"KUBECTL={kubectl()}"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    objects = [o for o in yaml.safe_load_all(result.stdout) if o]
    assert objects == kustomize(DEPLOY / "overlays" / "staging")
    result = subprocess.run(["make", "-s", "k8s-build", "ENV=qa"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "ENV must be dev, staging or prod" in result.stderr


def test_the_istio_excerpt_is_a_valid_schema_of_the_kinds_mimic_reads():
    excerpt = json.loads((ROOT / "mimic/model/mesh/istio-crds.json").read_text())
    for kind in excerpt["kinds"].values():
        Draft202012Validator.check_schema({"$defs": excerpt["$defs"], **kind["spec"]})
    assert set(IstioSchemas.load().kinds()) == {
        "networking.istio.io/Gateway", "networking.istio.io/VirtualService",
        "networking.istio.io/DestinationRule"}


def check(body: dict) -> None:
    IstioSchemas.load().check(validate_document(body, "test"))


def test_istio_policies_as_istios_docs_write_them_pass():
    # The shapes of Istio's traffic-management reference and tasks (fault
    # injection, request timeouts, circuit breaking, mirroring).
    check({"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
           "metadata": {"name": "ratings"}, "spec": {
               "hosts": ["ratings"],
               "http": [{
                   "match": [{"headers": {"end-user": {"exact": "jason"}},
                              "uri": {"prefix": "/v1"}}],
                   "fault": {"abort": {"percentage": {"value": 100.0}, "httpStatus": 500},
                             "delay": {"percentage": {"value": 10}, "fixedDelay": "7s"}},
                   "route": [{"destination": {"host": "ratings", "subset": "v1"}}],
               }, {
                   "timeout": "0.5s",
                   "retries": {"attempts": 3, "perTryTimeout": "2s",
                               "retryOn": "gateway-error,connect-failure,refused-stream"},
                   "route": [{"destination": {"host": "ratings", "subset": "v2",
                                              "port": {"number": 9080}}, "weight": 75},
                             {"destination": {"host": "ratings", "subset": "v3"}, "weight": 25}],
                   "mirror": {"host": "ratings", "subset": "v3"},
                   "mirrorPercentage": {"value": 50.0},
               }]}})
    check({"apiVersion": "networking.istio.io/v1beta1", "kind": "DestinationRule",
           "metadata": {"name": "httpbin"}, "spec": {
               "host": "httpbin",
               "trafficPolicy": {
                   "connectionPool": {"tcp": {"maxConnections": 1},
                                      "http": {"http1MaxPendingRequests": 1,
                                               "maxRequestsPerConnection": 1}},
                   "outlierDetection": {"consecutive5xxErrors": 1, "interval": "1s",
                                        "baseEjectionTime": "3m", "maxEjectionPercent": 100}},
               "subsets": [{"name": "v1", "labels": {"version": "v1"},
                            "trafficPolicy": {"loadBalancer": {"simple": "LEAST_REQUEST"}}}]}})


@pytest.mark.parametrize("spec, where", [
    ({"host": "a", "trafficPolicy": {"loadBalancer": {"simple": "FASTEST"}}},
     "spec.trafficPolicy.loadBalancer.simple"),
    ({"host": "a", "trafficPolicy": {"outlierDetection": {"consecutive5xxErrors": -1}}},
     "spec.trafficPolicy.outlierDetection.consecutive5xxErrors"),
    ({"host": "a", "trafficPolicy": {"outlierDetection": {"intervall": "1s"}}},
     "spec.trafficPolicy.outlierDetection"),
    ({"subsets": [{"name": "v1"}]}, "spec"),
])
def test_a_destination_rule_istio_would_refuse_is_refused_at_its_field(spec, where):
    with pytest.raises(MeshError) as caught:
        check({"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
               "metadata": {"name": "a"}, "spec": spec})
    assert caught.value.path == where


@pytest.mark.parametrize("route, where", [
    ({"timeout": 5}, "spec.http[0].timeout"),
    ({"timeout": "5 seconds"}, "spec.http[0].timeout"),
    ({"retries": {"attempts": "three"}}, "spec.http[0].retries.attempts"),
    ({"fault": {"abort": {"httpStatus": 503, "grpcStatus": "UNAVAILABLE"}}},
     "spec.http[0].fault.abort"),
    ({"route": [{"destination": {"subset": "v1"}}]}, "spec.http[0].route[0].destination"),
    ({"match": [{"uri": {"exact": "/a", "prefix": "/b"}}]}, "spec.http[0].match[0].uri"),
])
def test_a_virtual_service_istio_would_refuse_is_refused_at_its_field(route, where):
    with pytest.raises(MeshError) as caught:
        check({"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
               "metadata": {"name": "a"}, "spec": {"hosts": ["a"], "http": [route]}})
    assert caught.value.path == where


def test_istio_kinds_mimic_does_not_read_are_left_to_istio():
    check({"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
           "metadata": {"name": "default"}, "spec": {"mtls": {"mode": "STRICT"}}})


@pytest.mark.parametrize("mesh", MESHES)
def test_the_layouts_base_holds_exactly_what_standard_output_gets(layouts, mesh):
    status, out, err = render(str(EXAMPLES / mesh))
    assert status == 0, err

    def keyed(objects):
        return {(o["kind"], o["metadata"]["name"]): o for o in objects}

    assert keyed(kustomize(layouts[mesh] / "base")) == \
        keyed(o for o in yaml.safe_load_all(out) if o)
