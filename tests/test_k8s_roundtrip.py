"""
Render, then run what was rendered: the ConfigMap's mesh file loads in
Mimic and serves the same services, and the rendered Deployments, started
as local processes from their own command lines (each reading the file its
ConfigMap volume would put at /etc/mimic/mesh.yaml, its upstreams pointed
at the other processes with ``--mesh-resolve``), form the same mesh.
"""

from __future__ import annotations

import os
import re
import sys

import pytest

from mimic.model.mesh.documents import read_mesh_files
from tests.harness import start_mimic
from tests.k8s_support import EXAMPLES, by_kind, rendered_objects
from tests.mesh_support import closed_port, shape

STOREFRONT = str(EXAMPLES / "storefront.yaml")

@pytest.fixture(scope="module")
def objects():
    return rendered_objects(STOREFRONT)


def mimic_script() -> str:
    """The ``mimic`` a pod runs: this environment's console script."""
    script = os.path.join(os.path.dirname(sys.executable), "mimic")
    assert os.path.exists(script), "the mimic console script is not installed"
    return script


def mounted_mesh_file(deployment: dict, configmaps: dict, directory) -> str:
    """
    The file the pod sees at its ``--mesh`` path, written under ``directory``:
    the ConfigMap key its volume maps there.
    """
    spec = deployment["spec"]["template"]["spec"]
    [container] = spec["containers"]
    args = container["args"]
    mesh_path = args[args.index("--mesh") + 1]
    [mount] = container["volumeMounts"]
    [volume] = [v for v in spec["volumes"] if v["name"] == mount["name"]]
    [item] = [i for i in volume["configMap"]["items"]
              if f"{mount['mountPath']}/{i['path']}" == mesh_path]
    text = configmaps[volume["configMap"]["name"]]["data"][item["key"]]
    path = directory / f"{deployment['metadata']['name']}.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def expand(arg: str, variables: dict) -> str:
    """Kubernetes' ``$(VAR)`` substitution in a container's args (``$$`` is a ``$``)."""
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
                  lambda m: "$" if m.group(0) == "$$" else variables.get(m.group(1), m.group(0)),
                  arg)


def pod_variables(container: dict, pod_name: str) -> dict:
    """The container's environment as Kubernetes would set it for ``pod_name``."""
    variables = {}
    for variable in container.get("env", ()):
        if "value" in variable:
            variables[variable["name"]] = variable["value"]
        else:
            assert variable["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}
            variables[variable["name"]] = pod_name
    return variables


def local_command(deployment: dict, mesh_file: str, port: int, resolve: dict,
                  replica: int = 0) -> list:
    """
    The pod's command line, run here: the same arguments (as Kubernetes
    expands them for a pod named like replica ``replica``'s), but the mesh
    file where this test wrote it, a loopback ``port`` for ``tcp:8080``,
    and where each upstream service listens.
    """
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["mimic"]
    variables = pod_variables(container, f"{deployment['metadata']['name']}-pod-{replica}")
    args = [expand(arg, variables) for arg in container["args"]]
    args[args.index("--mesh") + 1] = mesh_file
    listen = args.index("--listen") + 1
    assert args[listen] == "tcp:8080"
    args[listen] = f"tcp:{port}:interface=127.0.0.1"
    for service, address in sorted(resolve.items()):
        args += ["--mesh-resolve", f"{service}={address}"]
    return [mimic_script(), *args]


def start_all(commands: dict) -> dict:
    """Start every command at once (they only meet on a request); name -> process."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(commands)) as pool:
        futures = {name: pool.submit(start_mimic, command=command)
                   for name, command in commands.items()}
    failed = [f.exception() for f in futures.values() if f.exception() is not None]
    started = {name: f.result() for name, f in futures.items() if f.exception() is None}
    if failed:
        for server in started.values():
            server.stop()
        raise failed[0]
    return started


@pytest.fixture(scope="module")
def pods(objects, tmp_path_factory):
    """
    Each rendered Deployment as one local process, and (as ``embedded``)
    one Mimic serving the ConfigMap's whole mesh file.
    """
    directory = tmp_path_factory.mktemp("pods")
    deployments = by_kind(objects, "Deployment")
    configmap = by_kind(objects, "ConfigMap")
    ports = {name: closed_port() for name in deployments}
    # The Service in front of a service's pods: here, its first version's.
    addresses: dict = {}
    for name, deployment in deployments.items():
        addresses.setdefault(deployment["metadata"]["labels"]["app"], f"127.0.0.1:{ports[name]}")
    commands = {
        name: local_command(deployment, mounted_mesh_file(deployment, configmap, directory),
                            ports[name], addresses)
        for name, deployment in deployments.items()
    }
    # A second replica of catalog v2: the same Deployment, another pod name.
    catalog = deployments["catalog-v2"]
    commands["catalog-v2 replica 1"] = local_command(
        catalog, mounted_mesh_file(catalog, configmap, directory), closed_port(), addresses,
        replica=1)
    whole = directory / "mesh.yaml"
    whole.write_text(configmap["mimic-mesh"]["data"]["mesh.yaml"], encoding="utf-8")
    commands["embedded"] = [mimic_script(), "--mesh", str(whole),
                            "--listen", "tcp:0:interface=127.0.0.1"]
    started = start_all(commands)
    yield started
    for server in started.values():
        server.stop()


def test_the_configmaps_mesh_file_loads_in_mimic_and_serves_the_same_services(pods):
    served = pods["embedded"].client().get("/mimic/v1.1/mesh").json()
    assert served["services"] == read_mesh_files([STOREFRONT]).to_json()["services"]
    assert served["documents"] == read_mesh_files([STOREFRONT]).to_json()["documents"]


def test_the_rendered_pods_form_the_mesh_the_file_declares(pods):
    tree = pods["storefront-v1"].client().get("/").json()
    assert shape(tree) == ("storefront", "/", 200, [
        ("catalog", "/products", 200, [("inventory", "/stock", 200, [])])])
    assert tree["version"] == "v1"
    assert tree["upstream_calls"][0]["url"] == "http://catalog:8080/products"
    assert tree["upstream_calls"][0]["upstream_calls"][0]["url"] == "http://inventory:9090/stock"
    # The same request to the whole mesh in one process has the same shape.
    assert shape(pods["embedded"].client().get("/mesh/storefront/").json()) == shape(tree)
    # One trace across the processes.
    catalog = tree["upstream_calls"][0]
    assert tree["trace_id"] == catalog["trace_id"] == catalog["upstream_calls"][0]["trace_id"]


def test_a_pod_of_one_version_answers_as_that_version_only(pods):
    client = pods["catalog-v2"].client()
    for _ in range(3):
        node = client.get("/products").json()
        assert (node["service"], node["version"], node["code"]) == ("catalog", "v2", 200)
        assert node["body"] == {"products": 12, "version": "v2"}
        assert shape(node)[3] == [("inventory", "/stock", 200, [])]
    node = pods["catalog-v1"].client().get("/products").json()
    assert (node["version"], node.get("body")) == ("v1", None)


def test_every_pod_answers_its_probes(pods, objects):
    for name, deployment in by_kind(objects, "Deployment").items():
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        client = pods[name].client()
        for probe in ("readinessProbe", "livenessProbe"):
            response = client.get(container[probe]["httpGet"]["path"])
            assert response.status_code == 200, (name, probe)


def test_replicas_of_one_deployment_draw_different_span_ids_repeatably(pods):
    first, second = pods["catalog-v2"].client(), pods["catalog-v2 replica 1"].client()

    def first_span(client) -> str:
        assert client.post("/mimic/v1.1/reset").status_code == 200
        return client.get("/products").json()["span_id"]

    one, other = first_span(first), first_span(second)
    assert one != other
    assert first_span(first) == one
