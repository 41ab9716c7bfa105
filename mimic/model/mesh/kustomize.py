"""
A rendered mesh as a Kustomize layout: ``base/`` holds the objects and
``overlays/{dev,staging,prod}/`` patch them per environment (namespace,
replica counts, an environment variable, image tag and resource limits,
as the MiniServiceMeshSimulator seed's overlays do). Pure: it answers the
files to write, by relative path; :mod:`mimic.mesh_render` writes them.
"""

from __future__ import annotations

from typing import Callable, Optional

import attrs

from mimic import __version__
from mimic.model.mesh.documents import MeshError
from mimic.model.mesh.kubernetes import (
    MANAGED_BY,
    Rendering,
    check_namespace,
    dump_documents,
)

KUSTOMIZE_API = "kustomize.config.k8s.io/v1beta1"

#: Overlays' patches that apply to every rendered Deployment select them so.
_MIMIC_DEPLOYMENTS = {
    "kind": "Deployment",
    "labelSelector": ",".join(f"{k}={v}" for k, v in MANAGED_BY.items()),
}

HEADER = ("# Rendered by `mimic mesh render` from {sources}.\n"
          "# Edit the mesh file and render again rather than this file.\n")


@attrs.frozen
class Environment:
    """
    One overlay: how many replicas a version gets (from the file's count),
    its pods' resources, whether Mimic logs every request, and which image
    tag it runs (None: the release, ``mimic.__version__``).
    """

    name: str
    replicas: Callable[[int], int]
    resources: dict
    verbose: bool = False
    tag: Optional[str] = None


ENVIRONMENTS = (
    # dev: one pod per version, small, chatty, whatever was built last.
    Environment(
        name="dev", replicas=lambda n: 1, verbose=True, tag="latest",
        resources={"requests": {"cpu": "25m", "memory": "80Mi"},
                   "limits": {"cpu": "250m", "memory": "192Mi"}}),
    # staging: the file's replica counts, the base's resources, a release.
    Environment(
        name="staging", replicas=lambda n: n,
        resources={"requests": {"cpu": "50m", "memory": "96Mi"},
                   "limits": {"cpu": "500m", "memory": "256Mi"}}),
    # prod: at least two pods per version, so a node can drain.
    Environment(
        name="prod", replicas=lambda n: max(2, n),
        resources={"requests": {"cpu": "100m", "memory": "128Mi"},
                   "limits": {"cpu": "1", "memory": "384Mi"}}),
)


def split_image(image: str) -> tuple:
    """``registry:5000/mimic:1.2`` -> (``registry:5000/mimic``, ``1.2``); no tag: None."""
    if "@" in image:
        return image.split("@", 1)[0], None
    name, colon, tag = image.rpartition(":")
    if not colon or "/" in tag:
        return image, None
    return name, tag


def _kustomization(**fields) -> str:
    return dump_documents([{"apiVersion": KUSTOMIZE_API, "kind": "Kustomization", **fields}])


def _base(rendering: Rendering, header: str) -> dict:
    files: dict = {}
    by_file: dict = {}
    for body in rendering.rendered:
        kind = body["kind"]
        if kind == "Namespace":
            name = "namespace.yaml"
        elif kind == "ConfigMap":
            name = "mesh-configmap.yaml"
        else:
            name = f"services/{body['metadata']['labels']['app']}.yaml"
        by_file.setdefault(name, []).append(body)
    if rendering.passed:
        by_file["passed-through.yaml"] = list(rendering.passed)
    for name, bodies in by_file.items():
        files[f"base/{name}"] = header + dump_documents(bodies)
    files["base/kustomization.yaml"] = header + _kustomization(resources=list(by_file))
    return files


def _overlay(rendering: Rendering, environment: Environment, image: str,
             header: str) -> dict:
    namespace = f"{rendering.namespace}-{environment.name}"
    try:
        check_namespace(namespace)
    except MeshError:
        raise MeshError(f"the {environment.name} overlay's namespace {namespace!r} would be "
                        "longer than Kubernetes allows (63): pass a shorter --namespace") from None
    name, tag = split_image(image)
    release = tag if tag not in (None, "latest") else __version__
    patches = [{"path": "replicas.yaml"}] if rendering.workloads else []
    patches += [
        {"path": "resources.yaml", "target": dict(_MIMIC_DEPLOYMENTS)},
        {"path": "environment.yaml", "target": dict(_MIMIC_DEPLOYMENTS)},
    ]
    if environment.verbose:
        patches.append({"path": "verbose.yaml", "target": dict(_MIMIC_DEPLOYMENTS)})
    fields: dict = {
        "namespace": namespace,
        "resources": ["../../base"],
        "labels": [{"pairs": {"environment": environment.name}, "includeTemplates": True}],
        "patches": patches,
    }
    if "@" not in image:
        fields["images"] = [{"name": name, "newTag": environment.tag or release}]
    prefix = f"overlays/{environment.name}"
    replicas = [
        {"apiVersion": "apps/v1", "kind": "Deployment",
         # Patches find their object by the base's namespace, not the overlay's.
         "metadata": {"name": workload.name, "namespace": rendering.namespace},
         "spec": {"replicas": environment.replicas(workload.version.replicas)}}
        for workload in rendering.workloads
    ]
    # A patch with a target applies to every Deployment it selects; the
    # name it carries is a placeholder.
    def containers(**fields) -> str:
        return header + dump_documents([{
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "every-mimic-deployment"},
            "spec": {"template": {"spec": {"containers": [{"name": "mimic", **fields}]}}},
        }])

    files = {
        f"{prefix}/kustomization.yaml": header + _kustomization(**fields),
        f"{prefix}/resources.yaml": containers(resources=environment.resources),
        f"{prefix}/environment.yaml": containers(
            env=[{"name": "MIMIC_ENVIRONMENT", "value": environment.name}]),
    }
    if replicas:
        files[f"{prefix}/replicas.yaml"] = header + dump_documents(replicas)
    if environment.verbose:
        files[f"{prefix}/verbose.yaml"] = header + dump_documents([[
            {"op": "add", "path": "/spec/template/spec/containers/0/args/-",
             "value": "--verbose"}]])
    return files


def layout(rendering: Rendering, image: str, sources: str) -> dict:
    """
    The files of the layout, by path relative to ``--out``: ``base/`` and
    one overlay per :data:`ENVIRONMENTS`.
    """
    header = HEADER.format(sources=sources)
    files = _base(rendering, header)
    for environment in ENVIRONMENTS:
        files.update(_overlay(rendering, environment, image, header))
    return files
