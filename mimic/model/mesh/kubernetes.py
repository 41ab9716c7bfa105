"""
A mesh as Kubernetes objects: what ``mimic mesh render`` writes.

Each version of each service (one ``kind: Mimik`` document) becomes a
``Deployment`` of standalone Mimic pods (``--mesh-service``), each service a
``Service`` on port 8080 and a ``ServiceAccount`` (its Istio identity), and
the mesh file a ``ConfigMap``. Istio and Kubernetes documents of the file
are written through as they are, moved into the mesh's namespace. This
module is pure: documents in, plain dicts out; reading files and writing
YAML is :mod:`mimic.mesh_render`'s job.

Each pod mounts only its own version's document as ``mesh.yaml``: a
standalone pod spreads calls over every version of its service it knows,
and on Kubernetes that spreading is the Service's (and Istio's) job, so a
pod of ``v2`` must know only ``v2``.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Optional

import attrs
import yaml

from mimic.model.mesh.documents import Document, Mesh, MeshError, ServiceVersion

#: Where a pod finds its mesh file, the port it serves on, and the command
#: (the image's ``ENTRYPOINT``) that runs it.
MESH_DIRECTORY = "/etc/mimic"
MESH_PATH = f"{MESH_DIRECTORY}/mesh.yaml"
PORT = 8080
COMMAND = "mimic"

#: The ConfigMap that holds the mesh; its ``mesh.yaml`` key is the whole
#: mesh, each ``<workload>.pod.yaml`` key one pod's document (the suffix
#: keeps a workload named ``mesh`` from taking the whole mesh's key).
CONFIGMAP = "mimic-mesh"
MESH_KEY = "mesh.yaml"
POD_KEY_SUFFIX = ".pod.yaml"

#: The environment variable holding the pod's name (the Downward API), which
#: Kubernetes substitutes for ``$(POD_NAME)`` in the arguments.
POD_NAME = "POD_NAME"

DEFAULT_NAMESPACE = "mimic-mesh"
DEFAULT_IMAGE = "mimic:latest"

#: The uid and gid the image's ``mimic`` user has (see the Dockerfile):
#: numeric, so that the kubelet can check ``runAsNonRoot``.
USER_ID = 10001

#: What every rendered object carries, so overlays can select them.
MANAGED_BY = {"app.kubernetes.io/managed-by": "mimic"}

#: A pod of Mimic at rest holds about 60 MiB (docs/kubernetes.rst says how
#: that was measured); the limit leaves room for traces and metrics.
RESOURCES = {
    "requests": {"cpu": "50m", "memory": "96Mi"},
    "limits": {"cpu": "500m", "memory": "256Mi"},
}

#: The pod label that asks Istio for a sidecar (istio/api label/labels.yaml:
#: ``sidecar.istio.io/inject``; the annotation of that name is deprecated).
ISTIO_INJECT = "sidecar.istio.io/inject"

#: The pod annotation carrying a digest of the pod's mesh document, so that
#: changing the mesh rolls the pods that serve it.
MESH_DIGEST = "mimic/mesh-sha256"

#: Kubernetes limits a ConfigMap to 1 MiB of data.
CONFIGMAP_LIMIT = 1024 * 1024

#: Kinds that live outside namespaces: written through without one.
CLUSTER_SCOPED = frozenset({
    "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
    "PersistentVolume", "StorageClass", "PriorityClass", "IngressClass",
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
    "RuntimeClass", "APIService", "Node",
})

# Kubernetes' name rules (k8s.io/apimachinery validation): a Service name
# is an RFC 1035 label, other object names RFC 1123 subdomains, label
# values at most 63 characters of letters, digits, '-', '_' and '.'.
_DNS_1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_DNS_1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_1123_SUBDOMAIN = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


@attrs.frozen
class RenderSettings:
    """
    What the command line chooses: namespace, image, the pods' seed and the
    Zipkin collector they send their spans to (none by default).
    """

    namespace: Optional[str] = None
    image: str = DEFAULT_IMAGE
    seed: int = 0
    zipkin: Optional[str] = None


@attrs.frozen
class ServiceDeployment:
    """One Deployment to be: a service version and the document it serves."""

    version: ServiceVersion
    document: Document

    @property
    def name(self) -> str:
        return self.version.workload

    @property
    def key(self) -> str:
        """Its document's key in the ConfigMap."""
        return f"{self.name}{POD_KEY_SUFFIX}"

    def pod_document(self) -> dict:
        """
        What the pod loads: its own document, without ``spec.replicas``
        (Kubernetes runs that many pods; each is one replica).
        """
        body = dict(self.document.body)
        body["spec"] = {k: v for k, v in body["spec"].items() if k != "replicas"}
        return body


@attrs.frozen
class Rendering:
    """
    A mesh as Kubernetes objects: the mesh's own (``rendered``, in
    apply order) and the file's other documents (``passed``), both plain
    dicts ready to be dumped as YAML.
    """

    namespace: str
    services: tuple
    workloads: tuple
    rendered: tuple
    passed: tuple
    warnings: tuple = ()

    @property
    def objects(self) -> tuple:
        return self.rendered + self.passed


class _Dumper(yaml.SafeDumper):
    """Writes multi-line strings (the ConfigMap's files) as ``|`` blocks."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> Any:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)


def dump_documents(bodies: Any) -> str:
    """Documents as one multi-document YAML text, keys in the order written."""
    return yaml.dump_all(list(bodies), Dumper=_Dumper, sort_keys=False,
                         default_flow_style=False, allow_unicode=True)


def _check_name(value: str, pattern: re.Pattern, limit: int, what: str,
                document: Optional[Document], path: str) -> None:
    if len(value) > limit or not pattern.match(value):
        rule = {
            _DNS_1035_LABEL: "lower-case letters, digits and '-', starting with a letter",
            _DNS_1123_LABEL: "lower-case letters, digits and '-'",
            _DNS_1123_SUBDOMAIN: "lower-case letters, digits, '-' and '.'",
            _LABEL_VALUE: "letters, digits, '-', '_' and '.'",
        }[pattern]
        raise MeshError(
            f"{value!r} cannot be {what}: it must be "
            f"{rule}, at most {limit} characters",
            document.source if document else "", document.index if document else None, path)


def check_namespace(namespace: str) -> str:
    """``namespace`` if Kubernetes accepts it as a namespace name."""
    _check_name(namespace, _DNS_1123_LABEL, 63, "the name of a Kubernetes namespace",
                None, "namespace")
    return namespace


def mesh_namespace(mesh: Mesh, override: Optional[str] = None) -> str:
    """
    The namespace the mesh renders into: ``override`` (``--namespace``), else
    the one the documents name, else :data:`DEFAULT_NAMESPACE`. Services
    call each other by short name, which resolves only inside one
    namespace, so documents naming several are refused without an override.
    """
    if override:
        return check_namespace(override)
    named = sorted({
        doc.body["metadata"]["namespace"] for doc in mesh.documents
        if (doc.body.get("metadata") or {}).get("namespace")
        and doc.kind not in CLUSTER_SCOPED
    })
    if len(named) > 1:
        raise MeshError(f"the documents name several namespaces ({', '.join(named)}); "
                        "services reach each other by short name only inside one: "
                        "pass --namespace to put the whole mesh in one")
    return check_namespace(named[0]) if named else DEFAULT_NAMESPACE


def _workloads(mesh: Mesh) -> tuple:
    documents = {}
    for document in mesh.documents:
        if document.is_mimik:
            spec = document.body["spec"]
            documents[(spec["service"], spec.get("version"))] = document
    workloads = []
    for service, versions in mesh.services.items():
        for version in versions:
            document = documents[(service, version.version)]
            _check_name(service, _DNS_1035_LABEL, 63, "the name of a Kubernetes Service",
                        document, "spec.service")
            _check_name(version.workload, _DNS_1123_SUBDOMAIN, 253,
                        "the name of a Kubernetes Deployment", document, "metadata.name")
            if version.version is not None:
                _check_name(version.version, _LABEL_VALUE, 63, "a Kubernetes label value",
                            document, "spec.version")
            elif len(versions) > 1:
                raise MeshError(
                    f"service {service!r} has {len(versions)} documents and this one has "
                    "no spec.version: each Deployment of a service needs its own version "
                    "label", document.source, document.index, "spec.version")
            workloads.append(ServiceDeployment(version, document))
    names: dict = {}
    for workload in workloads:
        if workload.name in names:
            first = names[workload.name]
            raise MeshError(
                f"two documents would both be Deployment {workload.name!r} (the first is "
                f"{first.document.source or 'the request'} document {first.document.index}): "
                "give them different metadata.name", workload.document.source,
                workload.document.index, "metadata.name")
        names[workload.name] = workload
    return tuple(workloads)


def _labels(version: ServiceVersion) -> dict:
    labels = {"app": version.service}
    if version.version is not None:
        labels["version"] = version.version
    return labels


def _metadata(name: str, namespace: str, labels: Optional[dict] = None) -> dict:
    return {"name": name, "namespace": namespace, "labels": {**(labels or {}), **MANAGED_BY}}


def pod_args(service: str, settings: RenderSettings) -> list:
    """
    The arguments of ``mimic`` in a pod of ``service``. Every replica gets
    the same ``--seed``; ``--mesh-instance`` (the pod's name) keeps their
    span ids apart.
    """
    args = ["--mesh", MESH_PATH, "--mesh-service", service,
            "--listen", f"tcp:{PORT}", "--seed", str(settings.seed),
            "--mesh-instance", f"$({POD_NAME})"]
    if settings.zipkin:
        args += ["--zipkin", settings.zipkin]
    return args


def _deployment(workload: ServiceDeployment, namespace: str, settings: RenderSettings) -> dict:
    version = workload.version
    labels = _labels(version)
    digest = hashlib.sha256(dump_documents([workload.pod_document()]).encode("utf-8"))
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(workload.name, namespace, labels),
        "spec": {
            "replicas": version.replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {
                    "labels": {**labels, ISTIO_INJECT: "true"},
                    "annotations": {MESH_DIGEST: digest.hexdigest()},
                },
                "spec": {
                    "serviceAccountName": version.service,
                    "automountServiceAccountToken": False,
                    "securityContext": {
                        "runAsNonRoot": True, "runAsUser": USER_ID, "runAsGroup": USER_ID,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [{
                        "name": "mimic",
                        "image": settings.image,
                        "imagePullPolicy": "IfNotPresent",
                        "command": [COMMAND],
                        "args": pod_args(version.service, settings),
                        "env": [{"name": POD_NAME, "valueFrom": {
                            "fieldRef": {"fieldPath": "metadata.name"}}}],
                        "ports": [{"name": "http", "containerPort": PORT, "protocol": "TCP"}],
                        "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"},
                                           "periodSeconds": 5},
                        "livenessProbe": {"httpGet": {"path": "/health", "port": "http"},
                                          "periodSeconds": 10, "failureThreshold": 3},
                        "resources": {k: dict(v) for k, v in RESOURCES.items()},
                        "securityContext": {
                            "allowPrivilegeEscalation": False,
                            "readOnlyRootFilesystem": True,
                            "capabilities": {"drop": ["ALL"]},
                        },
                        "volumeMounts": [{"name": "mesh", "mountPath": MESH_DIRECTORY,
                                          "readOnly": True}],
                    }],
                    "volumes": [{"name": "mesh", "configMap": {
                        "name": CONFIGMAP,
                        "items": [{"key": workload.key, "path": MESH_KEY}],
                    }}],
                },
            },
        },
    }


def called_ports(mesh: Mesh) -> dict:
    """
    The ports each service is called on by the mesh's connections, besides
    :data:`PORT`: its Service must accept them too, though every pod
    listens on :data:`PORT` alone.
    """
    ports: dict = {}
    for versions in mesh.services.values():
        for version in versions:
            for endpoint in version.endpoints:
                for connection in endpoint.connections:
                    if connection.port != PORT:
                        ports.setdefault(connection.service, set()).add(connection.port)
    return ports


def _service(service: str, namespace: str, extra_ports: Any = ()) -> dict:
    # Istio picks the protocol from the port's name (http, http-*) or appProtocol.
    ports = [{"name": "http", "port": PORT, "targetPort": "http",
              "protocol": "TCP", "appProtocol": "http"}]
    ports += [{"name": f"http-{port}", "port": port, "targetPort": "http",
               "protocol": "TCP", "appProtocol": "http"} for port in sorted(extra_ports)]
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(service, namespace, {"app": service}),
        "spec": {"selector": {"app": service}, "ports": ports},
    }


def _service_account(service: str, namespace: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": _metadata(service, namespace, {"app": service}),
        # Mimic never calls the Kubernetes API; Istio's sidecar gets its own token.
        "automountServiceAccountToken": False,
    }


def _configmap(mesh: Mesh, workloads: tuple, namespace: str) -> dict:
    data = {MESH_KEY: dump_documents(doc.body for doc in mesh.documents)}
    for workload in workloads:
        data[workload.key] = dump_documents([workload.pod_document()])
    size = sum(len(k) + len(v.encode("utf-8")) for k, v in data.items())
    if size > CONFIGMAP_LIMIT:
        raise MeshError(f"the mesh is {size} bytes as a ConfigMap; Kubernetes allows "
                        f"{CONFIGMAP_LIMIT}: split it into smaller meshes")
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _metadata(CONFIGMAP, namespace),
        "data": data,
    }


def _namespace(namespace: str) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": namespace, "labels": dict(MANAGED_BY)}}


def _identity(body: dict) -> tuple:
    """API group, kind and name: what two objects of one namespace may not share."""
    group = body["apiVersion"].rpartition("/")[0]
    return (group, body["kind"], (body.get("metadata") or {}).get("name"))


def _passed_through(document: Document, namespace: str) -> dict:
    body = dict(document.body)
    if document.kind == "Kustomization":
        raise MeshError("a Kustomization is not an object Kubernetes can hold; "
                        "use --out DIR for a Kustomize layout", document.source,
                        document.index, "kind")
    if not (body.get("metadata") or {}).get("name"):
        raise MeshError(f"a {document.kind} needs metadata.name to be applied to a cluster",
                        document.source, document.index, "metadata.name")
    if document.kind not in CLUSTER_SCOPED:
        body["metadata"] = {**body["metadata"], "namespace": namespace}
    return body


def _routes_to_nothing(mesh: Mesh) -> list:
    """
    Warnings for VirtualService destinations, by short name, that neither
    the mesh nor a Service of the file declares (Mimik's hello world routes
    its gateway to ``hello-world-ui``, which it never declares): Istio
    accepts them and answers 503.
    """
    known = set(mesh.services) | {
        (doc.body.get("metadata") or {}).get("name") for doc in mesh.documents
        if doc.kind == "Service"}
    warnings = []
    for doc in mesh.documents:
        if doc.kind != "VirtualService" or not doc.body["apiVersion"].startswith(
                "networking.istio.io/"):
            continue
        for r, route in enumerate((doc.body.get("spec") or {}).get("http") or ()):
            for d, destination in enumerate(route.get("route") or ()):
                host = (destination.get("destination") or {}).get("host", "")
                if host and "." not in host and "*" not in host and host not in known:
                    warnings.append(MeshError(
                        f"routes to {host!r}, which the mesh does not declare: Istio "
                        "will answer 503 there", doc.source, doc.index,
                        f"spec.http[{r}].route[{d}].destination.host").describe())
    return warnings


def render(mesh: Mesh, settings: RenderSettings = RenderSettings()) -> Rendering:
    """
    The Kubernetes objects of ``mesh``: a Namespace (unless the file has
    one), the ConfigMap, then per service its ServiceAccount, Service and
    one Deployment per version; then the file's other documents.
    """
    namespace = mesh_namespace(mesh, settings.namespace)
    workloads = _workloads(mesh)
    passed = tuple(_passed_through(doc, namespace) for doc in mesh.documents
                   if not doc.is_mimik)
    rendered: list = []
    if ("", "Namespace", namespace) not in {_identity(body) for body in passed}:
        rendered.append(_namespace(namespace))
    rendered.append(_configmap(mesh, workloads, namespace))
    ports = called_ports(mesh)
    for service in mesh.services:
        rendered.append(_service_account(service, namespace))
        rendered.append(_service(service, namespace, ports.get(service, ())))
        rendered.extend(_deployment(w, namespace, settings) for w in workloads
                        if w.version.service == service)
    mine = {_identity(body) for body in rendered}
    seen: set = set()
    for document, body in zip((d for d in mesh.documents if not d.is_mimik), passed):
        identity = _identity(body)
        if identity in mine or identity in seen:
            raise MeshError(
                f"{identity[1]} {identity[2]!r} is already "
                f"{'rendered from the mesh' if identity in mine else 'in the file'}: "
                "rename this document", document.source, document.index, "metadata.name")
        seen.add(identity)
    return Rendering(namespace=namespace, services=tuple(mesh.services),
                     workloads=workloads, rendered=tuple(rendered), passed=passed,
                     warnings=tuple(mesh.unknown_kinds() + _routes_to_nothing(mesh)))
