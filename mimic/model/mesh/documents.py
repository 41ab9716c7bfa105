"""
Mesh files: YAML documents in, a validated :class:`Mesh` of services out.

A mesh file holds Kubernetes-style documents. ``kind: Mimik`` documents
declare services exactly as Mimik writes them (``spec.service``,
``spec.version``, ``spec.endpoints[{path, method, connections}]``) plus
Mimic's optional additions (``spec.replicas``, an endpoint's ``response``);
every other document (Istio Gateway, VirtualService, Kubernetes objects) is
kept verbatim for later rendering. The JSON schema in ``schema.json`` is the
one statement of what is valid; every refusal names the file, the document
index and the field path, because a mesh file is written by hand.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Iterable, Mapping, Optional, Sequence

import attrs
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from mimic.model.mesh.behaviour import Behaviour, parse_behaviour
from mimic.model.mesh.metrics import UNKNOWN, Workload
from mimic.model.mesh.policy import Policies, read_policies
from mimic.model.mesh.quantities import PolicyError

MIMIK_API_VERSION = "mimik.veicot.io/v1alpha1"
MIMIK_KIND = "Mimik"

#: Ports and paths a connection gets when Mimik's document leaves them out
#: (8080 is the port Mimik and servicemock listen on).
DEFAULT_PORT = 8080

#: How deeply a document's mappings and lists may nest. Mesh documents are
#: written by hand and nest a dozen levels at most; the limit keeps a
#: hostile body from exhausting the parsers' recursion (a 500).
MAX_DEPTH = 64

#: How many YAML nodes a body may hold once its aliases are expanded. An
#: alias bomb (``&a [*b, *b, ...]`` nested a few times) is a few hundred
#: bytes that expand to billions of nodes; it is refused, while a file using
#: anchors to share a block stays well under this.
MAX_EXPANDED_NODES = 100_000

#: Kinds a mesh file commonly carries besides Mimik; others are logged as
#: unknown (and still kept), which catches a mistyped ``kind``.
KNOWN_KINDS = frozenset({
    "Gateway", "VirtualService", "DestinationRule", "ServiceEntry", "Sidecar",
    "WorkloadEntry", "WorkloadGroup", "PeerAuthentication",
    "RequestAuthentication", "AuthorizationPolicy", "EnvoyFilter", "Telemetry",
    "Namespace", "Deployment", "Service", "ConfigMap", "Secret",
    "ServiceAccount", "StatefulSet", "DaemonSet", "Pod", "Ingress",
    "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy", "Job",
    "CronJob", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding",
    "Kustomization",
})


def _load_schema() -> dict:
    text = resources.files("mimic.model.mesh").joinpath("schema.json").read_text("utf-8")
    return json.loads(text)


#: The validator of one mesh document (the schema is package data; it is
#: immutable, so one validator serves every core).
DOCUMENT_VALIDATOR = Draft202012Validator(_load_schema())


class MeshError(ValueError):
    """
    A mesh document that cannot be used: where it is (``source`` file or
    request, ``index`` of the document in it, ``path`` of the field) and why.
    """

    def __init__(self, message: str, source: str = "", index: Optional[int] = None,
                 path: str = "") -> None:
        self.message = message
        self.source = source
        self.index = index
        self.path = path
        super().__init__(self.describe())

    def describe(self) -> str:
        where = [self.source] if self.source else []
        if self.index is not None:
            where.append(f"document {self.index}")
        if self.path:
            where.append(self.path)
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def location(self) -> dict:
        """The error as JSON fields, for the control API's 400 answer."""
        return {"source": self.source, "document": self.index, "path": self.path}


def field_path(parts: Iterable[Any]) -> str:
    """``("spec", "endpoints", 0, "method")`` -> ``spec.endpoints[0].method``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@attrs.frozen
class Connection:
    """One upstream call an endpoint makes, in the order it is declared."""

    service: str
    port: int = DEFAULT_PORT
    path: str = "/"
    method: str = "GET"


@attrs.frozen
class Response:
    """What an endpoint answers when its upstream calls went well."""

    code: int = 200
    body: Any = None
    headers: tuple = ()


@attrs.frozen
class Endpoint:
    """A path and method a service answers, and the calls it makes for it."""

    path: str
    method: str
    connections: tuple = ()
    response: Response = Response()
    #: The endpoint's own latency/errors/fail, over its version's.
    behaviour: Behaviour = Behaviour()

    def matches(self, method: str, path: str) -> bool:
        return self.method == method and normal_path(self.path) == normal_path(path)


@attrs.frozen
class ServiceVersion:
    """
    One version of a service (one ``kind: Mimik`` document). ``workload`` is
    the name Istio's metrics give it: the document's ``metadata.name`` (the
    Deployment Mimik's operator makes), else ``<service>-<version>``.
    A version with no endpoints is a plain mock answering any path.
    """

    service: str
    version: Optional[str]
    workload: str
    replicas: int = 1
    endpoints: tuple = ()
    #: Labels a DestinationRule subset selects on: ``metadata.labels``,
    #: ``app`` (the service) and ``version`` (``spec.version``).
    labels: tuple = ()
    #: What every endpoint of this version does by itself (latency, errors).
    behaviour: Behaviour = Behaviour()
    #: Status codes of a standalone pod's ``/health`` and ``/ready``.
    health: tuple = (("health", 200), ("ready", 200))

    @property
    def is_plain_mock(self) -> bool:
        return not self.endpoints

    @property
    def label_map(self) -> dict:
        return dict(self.labels)

    def behaviour_for(self, endpoint: Optional["Endpoint"]) -> Behaviour:
        if endpoint is None:
            return self.behaviour
        return endpoint.behaviour

    def endpoint_for(self, method: str, path: str) -> Optional[Endpoint]:
        for endpoint in self.endpoints:
            if endpoint.matches(method, path):
                return endpoint
        return None


def plain_mock(service: str) -> ServiceVersion:
    """A service no document declares (a standalone servicemock pod)."""
    return ServiceVersion(service=service, version=None, workload=service)


@attrs.frozen
class Document:
    """One document of a mesh, as written, and where it came from."""

    body: Mapping[str, Any]
    source: str = ""
    index: int = 0

    @property
    def kind(self) -> str:
        return self.body["kind"]

    @property
    def is_mimik(self) -> bool:
        return self.kind == MIMIK_KIND

    def key(self) -> Optional[tuple]:
        """
        What makes two documents "the same" for ``PATCH``: kind, namespace
        and name; for a nameless Mimik document, its service and version.
        None when the document has neither (it is always added).
        """
        metadata = self.body.get("metadata") or {}
        name = metadata.get("name")
        if name:
            return (self.body["apiVersion"], self.kind, metadata.get("namespace"), name)
        if self.is_mimik:
            spec = self.body["spec"]
            return (self.kind, spec["service"], spec.get("version"))
        return None


def normal_path(path: str) -> str:
    """``hello``, ``/hello/`` and ``/hello?x=1`` all mean ``/hello``."""
    path = "/" + path.partition("?")[0].lstrip("/")
    return path.rstrip("/") or "/"


def parse_documents(text: str, source: str = "") -> list:
    """
    The documents of a YAML (or JSON) text, validated one by one. Empty
    documents (a stray ``---``) are skipped; indexes count from 0 over the
    documents as written.
    """
    check_yaml_bounds(text, source)
    documents = []
    index = 0  # the document being read, also when reading it fails
    try:
        for body in yaml.safe_load_all(text):
            if body is not None:
                documents.append(validate_document(body, source, index))
            index += 1
    except yaml.YAMLError as error:
        raise _yaml_error(error, source, index) from None
    return documents


def check_yaml_bounds(text: str, source: str = "") -> None:
    """
    Refuse, before anything is built, a YAML text that nests deeper than
    :data:`MAX_DEPTH` or whose aliases expand to more than
    :data:`MAX_EXPANDED_NODES` nodes. It reads the parser's event stream,
    which is flat: no recursion, and nothing is constructed.
    """
    index, depth = 0, 0
    sizes: dict = {}  # anchor -> expanded size of the node it names
    open_nodes: list = []  # [anchor, size] of each collection being read
    total = 0

    def add(size: int) -> None:
        nonlocal total
        if open_nodes:
            open_nodes[-1][1] += size
        else:
            total += size
        if total + sum(node[1] for node in open_nodes) > MAX_EXPANDED_NODES:
            raise MeshError(
                f"the YAML expands to more than {MAX_EXPANDED_NODES} nodes "
                "(aliases included); a mesh file is far smaller", source, index)

    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.DocumentEndEvent):
                index += 1
            elif isinstance(event, yaml.AliasEvent):
                add(sizes.get(event.anchor, 1))
            elif isinstance(event, yaml.ScalarEvent):
                if event.anchor is not None:
                    sizes[event.anchor] = 1
                add(1)
            elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise MeshError(f"the YAML nests deeper than {MAX_DEPTH} levels",
                                    source, index)
                open_nodes.append([event.anchor, 1])
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
                anchor, size = open_nodes.pop()
                if anchor is not None:
                    sizes[anchor] = size
                add(size)
    except yaml.YAMLError as error:
        raise _yaml_error(error, source, index) from None


def check_json_bounds(body: Any, source: str = "", index: int = 0) -> None:
    """
    Refuse a parsed document nesting deeper than :data:`MAX_DEPTH`, or
    holding a string that is not Unicode text (a lone surrogate such as
    ``"\\ud800"``, which JSON can spell but no header, URL or UTF-8 answer
    can carry). Walks with a stack, not recursion.
    """
    stack = [(body, 1, ())]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, str):
            _check_text(value, source, index, path)
        elif isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise MeshError(f"the document nests deeper than {MAX_DEPTH} levels",
                                source, index)
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    _check_text(key, source, index, path)
                stack.append((item, depth + 1, (*path, key)))


def _check_text(text: str, source: str, index: int, path: tuple) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise MeshError("a string holds a lone surrogate (not Unicode text)",
                        source, index, field_path(path)) from None


def _yaml_error(error: yaml.YAMLError, source: str, index: int) -> MeshError:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    if mark is not None:
        message = f"not valid YAML at line {mark.line + 1}, column {mark.column + 1}: {problem}"
    else:
        message = f"not valid YAML: {problem}"
    return MeshError(message, source, index)


def validate_document(body: Any, source: str = "", index: int = 0) -> Document:
    """One document checked against the schema, or a :class:`MeshError`."""
    if not isinstance(body, dict):
        raise MeshError("a document must be a mapping with apiVersion and kind",
                        source, index)
    check_json_bounds(body, source, index)
    error = best_match(DOCUMENT_VALIDATOR.iter_errors(body))
    if error is not None:
        raise MeshError(error.message, source, index, field_path(error.absolute_path))
    # A JSON round trip drops YAML-only types (dates, sets) so that what we
    # keep is exactly what GET /mimic/v1.1/mesh can show.
    try:
        body = json.loads(json.dumps(body))
    except (TypeError, ValueError) as problem:
        raise MeshError(f"a value is not representable as JSON: {problem}",
                        source, index) from None
    return Document(body=body, source=source, index=index)


def _behaviour(body: dict, document: Document, path: tuple, base: Behaviour) -> Behaviour:
    try:
        found, fields = parse_behaviour(body, field_path(path))
    except PolicyError as error:
        raise MeshError(error.message, document.source, document.index, error.path) from None
    return base.overridden_by(found, fields)


def _health(spec: dict, document: Document) -> tuple:
    health = spec.get("health") or {}
    codes = []
    for probe in ("health", "ready"):
        code = health.get(probe, 200)
        if isinstance(code, bool) or not isinstance(code, int) or not 200 <= code <= 599:
            raise MeshError(f"{code!r} is not an HTTP status from 200 to 599",
                            document.source, document.index, f"spec.health.{probe}")
        codes.append((probe, code))
    return tuple(codes)


def _service_version(document: Document) -> ServiceVersion:
    spec = document.body["spec"]
    metadata = document.body.get("metadata") or {}
    version = spec.get("version")
    service = spec["service"]
    own = _behaviour(spec, document, ("spec",), Behaviour())
    endpoints = tuple(
        Endpoint(
            path=endpoint["path"],
            method=endpoint["method"],
            connections=tuple(
                Connection(
                    service=connection["service"],
                    port=int(connection.get("port", DEFAULT_PORT)),
                    path="/" + connection.get("path", "/").lstrip("/"),
                    method=connection.get("method", "GET"),
                )
                for connection in endpoint.get("connections") or ()
            ),
            response=Response(
                code=endpoint.get("response", {}).get("code", 200),
                body=endpoint.get("response", {}).get("body"),
                headers=tuple(sorted(endpoint.get("response", {}).get("headers", {}).items())),
            ),
            behaviour=_behaviour(endpoint, document, ("spec", "endpoints", e), own),
        )
        for e, endpoint in enumerate(spec.get("endpoints") or ())
    )
    labels = {**(metadata.get("labels") or {}), "app": service}
    if version is not None:
        labels["version"] = version
    return ServiceVersion(
        service=service,
        version=version,
        workload=metadata.get("name") or (f"{service}-{version}" if version else service),
        replicas=spec.get("replicas", 1),
        endpoints=endpoints,
        labels=tuple(sorted(labels.items())),
        behaviour=own,
        health=_health(spec, document),
    )


def _check_ports(document: Document) -> None:
    for e, endpoint in enumerate(document.body["spec"].get("endpoints") or ()):
        for c, connection in enumerate(endpoint.get("connections") or ()):
            port = int(connection.get("port", DEFAULT_PORT))
            if not 1 <= port <= 65535:
                raise MeshError(
                    f"{port} is not a port (1-65535)", document.source, document.index,
                    field_path(("spec", "endpoints", e, "connections", c, "port")))


@attrs.frozen
class Mesh:
    """
    The documents of a mesh and the services they declare: each service
    name maps to its versions, in document order.
    """

    documents: tuple = ()
    services: Mapping[str, tuple] = attrs.field(factory=dict)
    #: The VirtualServices and DestinationRules among the documents.
    policies: Policies = attrs.field(factory=Policies)
    #: Each declared workload's versions, for metric labels.
    workloads: Mapping[str, frozenset] = attrs.field(factory=dict)

    @classmethod
    def build(cls, documents: Sequence[Document]) -> "Mesh":
        """The mesh of ``documents``; two documents for one service version clash."""
        services: dict[str, list] = {}
        seen: dict[tuple, Document] = {}
        for document in documents:
            if not document.is_mimik:
                continue
            _check_ports(document)
            version = _service_version(document)
            key = (version.service, version.version)
            if key in seen:
                first = seen[key]
                raise MeshError(
                    f"service {version.service!r} version {version.version!r} is "
                    f"already declared by {first.source or 'the request'} "
                    f"document {first.index}",
                    document.source, document.index, "spec.service")
            seen[key] = document
            services.setdefault(version.service, []).append(version)
        return cls(
            documents=tuple(documents),
            services={name: tuple(versions) for name, versions in services.items()},
            policies=read_policies(documents, MeshError),
            workloads={
                workload: frozenset(v.version for vs in services.values() for v in vs
                                    if v.workload == workload)
                for workload in {v.workload for vs in services.values() for v in vs}
            },
        )

    def patched(self, documents: Sequence[Document]) -> "Mesh":
        """
        This mesh with ``documents`` added: one with the same key as a
        document already here (see :meth:`Document.key`) replaces it.
        """
        kept = list(self.documents)
        positions = {doc.key(): i for i, doc in enumerate(kept) if doc.key() is not None}
        for document in documents:
            key = document.key()
            if key is not None and key in positions:
                kept[positions[key]] = document
            else:
                if key is not None:
                    positions[key] = len(kept)
                kept.append(document)
        return Mesh.build(kept)

    def unknown_kinds(self) -> list:
        """Messages for documents of kinds Mimic does not know (kept anyway)."""
        return [
            MeshError(f"unknown kind {doc.kind!r} (apiVersion {doc.body['apiVersion']!r}); "
                      "kept as written", doc.source, doc.index).describe()
            for doc in self.documents
            if not doc.is_mimik and doc.kind not in KNOWN_KINDS
        ]

    def warnings(self) -> list:
        """Everything worth a log line: unknown kinds, policy fields not simulated."""
        return [*self.unknown_kinds(), *self.policies.warnings]

    def versions_of(self, service: str) -> tuple:
        return self.services.get(service, ())

    def known_workload(self, workload: Optional[str], version: Optional[str],
                       service: Optional[str] = None,
                       also: frozenset = frozenset()) -> Workload:
        """
        The metric labels of a workload named by a request (a header, a
        URL): a workload, version or service the mesh declares (or ``also``
        names) is kept, any other is ``unknown``, so that what clients send
        cannot grow the number of series.
        """
        declared = self.workloads.get(workload or "")
        versions = declared or ()
        if declared is None and workload not in also:
            workload = UNKNOWN
        return Workload(
            workload=workload,
            version=version if version is not None and version in versions else UNKNOWN,
            service=service if service in self.services or service in also else UNKNOWN,
        )

    def to_json(self) -> dict:
        """The mesh as ``GET /mimic/v1.1/mesh`` shows it."""
        return {
            "documents": [dict(doc.body) for doc in self.documents],
            "services": {
                name: [
                    {"version": v.version, "workload": v.workload, "replicas": v.replicas,
                     "endpoints": [{"method": e.method, "path": e.path} for e in v.endpoints]}
                    for v in versions
                ]
                for name, versions in sorted(self.services.items())
            },
        }


def read_mesh_files(paths: Sequence[str]) -> Mesh:
    """The mesh of every document in the files at ``paths``, in order."""
    documents: list = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as stream:
                text = stream.read()
        except (OSError, UnicodeDecodeError) as error:
            raise MeshError(f"cannot read the mesh file: {error}", path) from None
        in_file = parse_documents(text, path)
        refuse_mistyped_mesh_file(in_file)
        documents.extend(in_file)
    return Mesh.build(documents)


def refuse_mistyped_mesh_file(documents: Sequence[Document]) -> None:
    """
    A ``--mesh`` file that declares no service at all and holds a kind
    Mimic does not know (``kind: Mimk``) is a typo, not a mesh: refuse it,
    rather than warn and start with an empty mesh. (Beside a Mimik
    document, an unknown kind is only reported: the file is a mesh.)
    """
    if any(doc.is_mimik for doc in documents):
        return
    for doc in documents:
        if doc.kind not in KNOWN_KINDS:
            raise MeshError(
                f"unknown kind {doc.kind!r} and no kind: {MIMIK_KIND} document in "
                f"the file, so it declares no service (a mistyped kind?)",
                doc.source, doc.index)


def parse_request_body(raw: bytes, content_type: str = "") -> list:
    """
    The documents of a control-API body: YAML (one or more documents), or
    JSON holding a document, a list of documents, or ``{"documents": [...]}``
    (what ``GET /mimic/v1.1/mesh`` answers, so a mesh can be copied between
    Mimics).
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MeshError("the body is not UTF-8 text", "request") from None
    if not text.strip():
        raise MeshError("the body is empty: send YAML or JSON mesh documents", "request")
    stripped = text.lstrip()
    if "json" in content_type or stripped[:1] in ("{", "["):
        try:
            body = json.loads(text)
        except ValueError as error:
            raise MeshError(f"not valid JSON: {error}", "request") from None
        except RecursionError:
            raise MeshError(f"the JSON nests deeper than {MAX_DEPTH} levels",
                            "request") from None
        if isinstance(body, dict) and "documents" in body and "kind" not in body:
            body = body["documents"]
        if isinstance(body, dict):
            body = [body]
        if not isinstance(body, list):
            raise MeshError("a JSON body must be a document, a list of documents "
                            "or {\"documents\": [...]}", "request")
        return [validate_document(item, "request", i) for i, item in enumerate(body)]
    return parse_documents(text, "request")
