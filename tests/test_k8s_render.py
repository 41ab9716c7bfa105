"""
``mimic mesh render``: what a mesh file becomes on Kubernetes, and what it
refuses. The objects are checked here field by field; test_k8s_validate.py
builds them with kubectl and validates them against Kubernetes' schemas.
"""

from __future__ import annotations

import subprocess
import sys

import yaml

from tests.k8s_support import EXAMPLES, by_kind, render, rendered_objects

STOREFRONT = str(EXAMPLES / "storefront.yaml")
HELLO = str(EXAMPLES / "mimik-hello-world.yaml")
SERVICEMOCK = str(EXAMPLES / "servicemock.yaml")


def write(tmp_path, text: str, name: str = "mesh.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def mimik(service: str, version: str = "v1") -> str:
    """A Mimik document of ``service`` ``version``, named ``<service>-<version>``."""
    return ("apiVersion: mimik.veicot.io/v1alpha1\nkind: Mimik\n"
            f"metadata: {{name: {service}-{version}}}\n"
            f"spec: {{service: {service}, version: {version}}}\n")


def test_each_service_version_is_a_deployment_of_standalone_mimic_pods():
    objects = rendered_objects(STOREFRONT)
    deployments = by_kind(objects, "Deployment")
    assert sorted(deployments) == ["catalog-v1", "catalog-v2", "inventory-v1", "storefront-v1"]
    catalog = deployments["catalog-v2"]
    assert catalog["metadata"]["namespace"] == "shop"
    assert catalog["spec"]["replicas"] == 2
    assert catalog["spec"]["selector"]["matchLabels"] == {"app": "catalog", "version": "v2"}
    pod = catalog["spec"]["template"]
    assert pod["metadata"]["labels"] == {"app": "catalog", "version": "v2",
                                         "sidecar.istio.io/inject": "true"}
    spec = pod["spec"]
    assert spec["serviceAccountName"] == "catalog"
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] == 10001
    [container] = spec["containers"]
    assert container["command"] == ["mimic"]
    assert container["args"] == ["--mesh", "/etc/mimic/mesh.yaml", "--mesh-service", "catalog",
                                 "--listen", "tcp:8080", "--seed", "0",
                                 "--mesh-instance", "$(POD_NAME)"]
    # Kubernetes puts the pod's own name there (the Downward API), so the
    # replicas, alike in everything else, draw different span ids.
    assert container["env"] == [{"name": "POD_NAME", "valueFrom": {
        "fieldRef": {"fieldPath": "metadata.name"}}}]
    assert container["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    assert container["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    assert set(container["resources"]) == {"requests", "limits"}
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    # The pod sees only its own version's document, as /etc/mimic/mesh.yaml.
    assert container["volumeMounts"] == [{"name": "mesh", "mountPath": "/etc/mimic",
                                          "readOnly": True}]
    assert spec["volumes"] == [{"name": "mesh", "configMap": {
        "name": "mimic-mesh", "items": [{"key": "catalog-v2.pod.yaml", "path": "mesh.yaml"}]}}]


def test_each_service_gets_one_service_on_port_8080_named_http_and_a_service_account():
    objects = rendered_objects(STOREFRONT)
    services = by_kind(objects, "Service")
    assert sorted(services) == ["catalog", "inventory", "storefront"]
    catalog = services["catalog"]["spec"]
    assert catalog["selector"] == {"app": "catalog"}
    assert catalog["ports"] == [{"name": "http", "port": 8080, "targetPort": "http",
                                 "protocol": "TCP", "appProtocol": "http"}]
    accounts = by_kind(objects, "ServiceAccount")
    assert sorted(accounts) == ["catalog", "inventory", "storefront"]
    assert accounts["catalog"]["metadata"]["namespace"] == "shop"


def test_the_configmap_holds_the_mesh_file_and_each_pods_document():
    objects = rendered_objects(STOREFRONT)
    data = by_kind(objects, "ConfigMap")["mimic-mesh"]["data"]
    assert sorted(data) == ["catalog-v1.pod.yaml", "catalog-v2.pod.yaml",
                            "inventory-v1.pod.yaml", "mesh.yaml", "storefront-v1.pod.yaml"]
    whole = list(yaml.safe_load_all(data["mesh.yaml"]))
    source = [d for d in yaml.safe_load_all(open(STOREFRONT)) if d]
    assert whole == source
    [pod] = list(yaml.safe_load_all(data["catalog-v2.pod.yaml"]))
    assert pod["spec"]["service"] == "catalog" and pod["spec"]["version"] == "v2"
    # Kubernetes runs the replicas; each pod is one.
    assert "replicas" not in pod["spec"]
    assert pod["spec"]["endpoints"] == source[2]["spec"]["endpoints"]


def test_changing_a_pods_document_changes_its_pod_template_and_no_other(tmp_path):
    def digests(path):
        return {name: d["spec"]["template"]["metadata"]["annotations"]["mimic/mesh-sha256"]
                for name, d in by_kind(rendered_objects(path), "Deployment").items()}

    before = digests(STOREFRONT)
    text = open(STOREFRONT).read().replace("body: {products: 12, version: v2}",
                                           "body: {products: 13, version: v2}")
    after = digests(write(tmp_path, text))
    assert after["catalog-v2"] != before["catalog-v2"]
    assert {k: v for k, v in after.items() if k != "catalog-v2"} == \
        {k: v for k, v in before.items() if k != "catalog-v2"}


def test_istio_and_kubernetes_documents_are_written_through_unchanged(tmp_path):
    extra = ("---\napiVersion: policy/v1\nkind: PodDisruptionBudget\n"
             "metadata: {name: catalog, namespace: shop}\n"
             "spec: {minAvailable: 1, selector: {matchLabels: {app: catalog}}}\n")
    path = write(tmp_path, open(STOREFRONT).read() + extra)
    objects = rendered_objects(path)
    source = [d for d in yaml.safe_load_all(open(path)) if d and d["kind"] != "Mimik"]
    passed = [o for o in objects if o["kind"] in
              ("Gateway", "VirtualService", "DestinationRule", "PodDisruptionBudget")]
    assert passed == source
    # Mimik documents are consumed, not applied.
    assert not [o for o in objects if o["kind"] == "Mimik"]


def test_namespace_override_moves_every_namespaced_object(tmp_path):
    objects = rendered_objects(HELLO, "--namespace", "elsewhere")
    namespaced = [o for o in objects if o["kind"] != "Namespace"]
    assert {o["metadata"]["namespace"] for o in namespaced} == {"elsewhere"}
    assert by_kind(objects, "Namespace").keys() == {"elsewhere"}


def test_a_mesh_without_namespaces_goes_to_mimic_mesh(tmp_path):
    path = write(tmp_path, mimik("a"))
    objects = rendered_objects(path)
    assert {o["metadata"].get("namespace") for o in objects if o["kind"] != "Namespace"} \
        == {"mimic-mesh"}


def test_a_namespace_document_in_the_file_is_not_rendered_twice(tmp_path):
    path = write(tmp_path, "apiVersion: v1\nkind: Namespace\nmetadata: {name: hello-world, "
                 "labels: {istio-injection: enabled}}\n---\n" + open(HELLO).read())
    namespaces = [o for o in rendered_objects(path) if o["kind"] == "Namespace"]
    assert namespaces == [{"apiVersion": "v1", "kind": "Namespace", "metadata": {
        "name": "hello-world", "labels": {"istio-injection": "enabled"}}}]


def test_servicemock_services_are_one_container_differing_in_name_only():
    deployments = by_kind(rendered_objects(SERVICEMOCK), "Deployment")
    assert sorted(deployments) == ["service1", "service2", "service3", "service4"]

    def renamed(deployment, name):
        text = yaml.safe_dump(deployment["spec"]["template"]["spec"])
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        return text.replace(name, "NAME"), tuple(sorted(annotations))

    shapes = {renamed(d, name) for name, d in deployments.items()}
    assert len(shapes) == 1
    # No version in the document: no version label to select on.
    assert deployments["service1"]["spec"]["selector"]["matchLabels"] == {"app": "service1"}


def test_seed_image_and_zipkin_reach_every_pod():
    deployments = by_kind(rendered_objects(HELLO, "--seed", "42", "--image",
                                           "registry.example:5000/mimic:1.2"), "Deployment")
    for deployment in deployments.values():
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        assert container["image"] == "registry.example:5000/mimic:1.2"
        seed = container["args"].index("--seed")
        assert container["args"][seed:seed + 2] == ["--seed", "42"]
        assert "--zipkin" not in container["args"]
    deployments = by_kind(rendered_objects(HELLO, "--zipkin", "http://zipkin.istio-system:9411"),
                          "Deployment")
    for deployment in deployments.values():
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        assert container["args"][-2:] == ["--zipkin", "http://zipkin.istio-system:9411"]


def test_out_writes_a_kustomize_base_and_three_overlays(tmp_path):
    status, out, err = render(STOREFRONT, "--out", str(tmp_path / "k8s"))
    assert status == 0, err
    assert out == ""
    files = sorted(str(p.relative_to(tmp_path / "k8s")) for p in (tmp_path / "k8s").rglob("*")
                   if p.is_file())
    assert "base/kustomization.yaml" in files
    assert "base/services/catalog.yaml" in files
    for environment in ("dev", "staging", "prod"):
        for name in ("kustomization", "replicas", "resources", "environment"):
            assert f"overlays/{environment}/{name}.yaml" in files
    prod = yaml.safe_load((tmp_path / "k8s/overlays/prod/kustomization.yaml").read_text())
    assert prod["namespace"] == "shop-prod"
    assert prod["resources"] == ["../../base"]
    assert prod["images"] == [{"name": "mimic", "newTag": "0.1.0"}]
    replicas = {d["metadata"]["name"]: d["spec"]["replicas"] for d in yaml.safe_load_all(
        (tmp_path / "k8s/overlays/prod/replicas.yaml").read_text())}
    assert replicas == {"storefront-v1": 2, "catalog-v1": 2, "catalog-v2": 2, "inventory-v1": 2}


def test_check_validates_and_writes_nothing(tmp_path):
    status, out, err = render("--check", "--out", str(tmp_path / "k8s"), STOREFRONT)
    assert status == 0, err
    assert "OK (3 services, 4 Deployments, 4 documents passed through, namespace shop)" in out
    assert not (tmp_path / "k8s").exists()


def refusal(tmp_path, text: str, *args: str) -> str:
    status, out, err = render(write(tmp_path, text), *args)
    assert status == 1, out
    assert out == ""
    assert err.startswith("mimic mesh render: ") and err.count("\n") == 1
    return err


def test_a_service_name_kubernetes_refuses_is_refused_with_where(tmp_path):
    err = refusal(tmp_path, "apiVersion: mimik.veicot.io/v1alpha1\nkind: Mimik\n"
                            "spec: {service: Front_End, version: v1}\n")
    assert "document 0, spec.service: 'Front_End' cannot be the name of a Kubernetes Service" in err


def test_documents_in_several_namespaces_need_an_override(tmp_path):
    text = mimik("a").replace("name: a-v1", "name: a-v1, namespace: one") + "---\n" + \
        mimik("b").replace("name: b-v1", "name: b-v1, namespace: two")
    err = refusal(tmp_path, text)
    assert "several namespaces (one, two)" in err and "--namespace" in err
    status, _, err = render(str(tmp_path / "mesh.yaml"), "--namespace", "both")
    assert status == 0, err


def test_a_versionless_document_beside_another_version_is_refused(tmp_path):
    text = mimik("a") + "---\napiVersion: mimik.veicot.io/v1alpha1\nkind: Mimik\n" \
        "spec: {service: a}\n"
    err = refusal(tmp_path, text)
    assert "document 1, spec.version" in err


def test_a_passed_document_colliding_with_a_rendered_object_is_refused(tmp_path):
    text = mimik("a") + "---\napiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {}\n"
    err = refusal(tmp_path, text)
    assert "document 1, metadata.name: Service 'a' is already rendered from the mesh" in err


def test_a_kustomization_in_the_mesh_file_is_refused(tmp_path):
    text = mimik("a") + "---\napiVersion: kustomize.config.k8s.io/v1beta1\n" \
        "kind: Kustomization\nmetadata: {name: k}\n"
    assert "document 1, kind: a Kustomization is not an object" in refusal(tmp_path, text)


def test_an_istio_document_istio_would_refuse_is_refused_with_the_field(tmp_path):
    text = open(HELLO).read().replace("      hosts:\n        - \"*\"\n---", "      hostz: [x]\n---")
    err = refusal(tmp_path, text)
    assert "document 2, spec.servers[0]" in err and "'hostz' was unexpected" in err
    text = mimik("a") + ("---\napiVersion: networking.istio.io/v1\nkind: VirtualService\n"
                         "metadata: {name: a}\nspec:\n  hosts: [a]\n  http:\n"
                         "  - retries: {attempts: 2, perTryTimeout: soon}\n")
    err = refusal(tmp_path, text)
    assert "document 1, spec.http[0].retries.perTryTimeout" in err
    text = mimik("a") + ("---\napiVersion: networking.istio.io/v2\nkind: DestinationRule\n"
                         "metadata: {name: a}\nspec: {host: a}\n")
    assert "document 1, apiVersion: Istio serves DestinationRule as" in refusal(tmp_path, text)


def test_an_unreadable_or_invalid_mesh_file_is_one_line_and_status_1(tmp_path):
    status, out, err = render(str(tmp_path / "missing.yaml"))
    assert status == 1 and "cannot read the mesh file" in err
    err = refusal(tmp_path, "apiVersion: mimik.veicot.io/v1alpha1\nkind: Mimik\n"
                            "spec: {service: a, endpoints: [{path: /, method: GIT}]}\n")
    assert "spec.endpoints[0].method" in err


def test_the_mimic_console_script_has_a_mesh_render_subcommand_and_still_serves():
    result = subprocess.run([sys.executable, "-m", "mimic", "mesh", "render", "--check", HELLO],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "OK (2 services" in result.stdout
    result = subprocess.run([sys.executable, "-m", "mimic", "mesh", "render"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "FILE" in result.stderr
    result = subprocess.run([sys.executable, "-m", "mimic", "mesh", "frobnicate"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "usage: mimic mesh render" in result.stderr


def test_mimic_with_options_still_starts_the_server(mimic_factory):
    server = mimic_factory("--mesh", HELLO)
    assert server.client().get("/mesh/hello-world-frontend/").status_code == 200


def test_mimiks_hello_world_example_is_the_seed_as_written():
    from tests.mesh_support import HELLO_WORLD

    assert [d for d in yaml.safe_load_all(open(HELLO)) if d] == \
        [d for d in yaml.safe_load_all(open(HELLO_WORLD)) if d]


def test_a_route_to_a_service_nobody_declares_is_a_warning_not_a_refusal():
    # Mimik's hello world routes its gateway to hello-world-ui, which it
    # never declares: rendered anyway, as Istio would accept it.
    status, out, err = render(HELLO)
    assert status == 0
    assert err == ("mimic mesh render: warning: " + HELLO + ", document 3, "
                   "spec.http[0].route[0].destination.host: routes to 'hello-world-ui', "
                   "which the mesh does not declare: Istio will answer 503 there\n")
    assert by_kind([d for d in yaml.safe_load_all(out) if d], "VirtualService")
    status, out, err = render(STOREFRONT)
    assert (status, err) == (0, "")


def test_a_kind_mimic_does_not_know_is_written_through_with_a_warning(tmp_path):
    path = write(tmp_path, mimik("a") + "---\napiVersion: example.com/v1\nkind: Frobnicator\n"
                 "metadata: {name: f}\nspec: {level: 3}\n")
    status, out, err = render(path)
    assert status == 0
    assert "warning: " in err and "unknown kind 'Frobnicator'" in err
    [frob] = [d for d in yaml.safe_load_all(out) if d and d["kind"] == "Frobnicator"]
    assert frob == {"apiVersion": "example.com/v1", "kind": "Frobnicator",
                    "metadata": {"name": "f", "namespace": "mimic-mesh"}, "spec": {"level": 3}}


def test_a_service_called_on_another_port_accepts_it_too(tmp_path):
    # A connection's port is where the caller dials; the pod listens on
    # 8080 alone, so the Service maps every called port to it.
    text = ("apiVersion: mimik.veicot.io/v1alpha1\nkind: Mimik\nmetadata: {name: a}\n"
            "spec:\n  service: a\n  endpoints:\n  - path: /\n    method: GET\n"
            "    connections:\n    - {service: b, port: 9090}\n    - {service: b, port: '8080'}\n"
            "---\n" + mimik("b"))
    services = by_kind(rendered_objects(write(tmp_path, text)), "Service")
    assert services["b"]["spec"]["ports"] == [
        {"name": "http", "port": 8080, "targetPort": "http", "protocol": "TCP",
         "appProtocol": "http"},
        {"name": "http-9090", "port": 9090, "targetPort": "http", "protocol": "TCP",
         "appProtocol": "http"}]
    assert len(services["a"]["spec"]["ports"]) == 1


def test_names_kubernetes_refuses_elsewhere_are_refused_too(tmp_path):
    long_version = "v" + "1" * 63
    err = refusal(tmp_path, mimik("a").replace("version: v1}", f"version: {long_version}}}")
                  .replace("name: a-v1", "name: a"))
    assert "document 0, spec.version:" in err and "a Kubernetes label value" in err
    err = refusal(tmp_path, mimik("a"), "--namespace", "Shop")
    assert "namespace: 'Shop' cannot be the name of a Kubernetes namespace" in err
    err = refusal(tmp_path, mimik("a"), "--namespace", "n" * 57, "--out", str(tmp_path / "o"))
    assert "the staging overlay's namespace" in err and "--namespace" in err
    assert not (tmp_path / "o").exists()


def test_two_documents_that_would_be_one_deployment_are_refused(tmp_path):
    text = mimik("a").replace("name: a-v1", "name: same") + "---\n" + \
        mimik("b").replace("name: b-v1", "name: same")
    err = refusal(tmp_path, text)
    assert "document 1, metadata.name: two documents would both be Deployment 'same'" in err


def test_a_service_named_mesh_keeps_the_whole_mesh_in_its_own_key(tmp_path):
    text = ("apiVersion: mimik.veicot.io/v1alpha1\nkind: Mimik\nmetadata: {name: mesh}\n"
            "spec: {service: mesh}\n---\n" + mimik("b"))
    objects = rendered_objects(write(tmp_path, text))
    data = by_kind(objects, "ConfigMap")["mimic-mesh"]["data"]
    assert len([d for d in yaml.safe_load_all(data["mesh.yaml"]) if d]) == 2
    assert [d["spec"] for d in yaml.safe_load_all(data["mesh.pod.yaml"])] == [{"service": "mesh"}]
