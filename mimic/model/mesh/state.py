"""
The mesh's remembered state: the documents serving now, where each
service's round robin stands, the id source for trace and span ids, and
the recorded traces. It lives in the :class:`~mimic.model.identity.SessionStore`,
so reset forgets it and starts again from the mesh the command line loaded.
"""

from __future__ import annotations

from typing import Optional

import attrs

from mimic.model.mesh.documents import Mesh, ServiceVersion, plain_mock
from mimic.model.mesh.graph import Graph
from mimic.model.mesh.tracing import TraceStore
from mimic.model.mesh.traffic import TrafficState
from mimic.util import IdSource


@attrs.frozen
class Instance:
    """One replica of one version of a service: what a call lands on."""

    version: ServiceVersion
    replica: int


@attrs.define
class RoundRobin:
    """
    Spreads calls to a service over all its versions and their replicas in
    turn (``v1#0, v2#0, v2#1, v1#0, ...``), as a Kubernetes Service without
    Istio policies does on average.
    """

    _next: dict = attrs.field(factory=dict)

    def choose(self, versions: tuple) -> Optional[Instance]:
        instances = [Instance(v, r) for v in versions for r in range(v.replicas)]
        if not instances:
            return None
        name = versions[0].service
        turn = self._next.get(name, 0)
        self._next[name] = turn + 1
        return instances[turn % len(instances)]


@attrs.define
class MeshState:
    """The mesh serving now and what it has seen since the last reset."""

    mesh: Mesh
    ids: IdSource
    traces: TraceStore = attrs.field(factory=TraceStore)
    balancer: RoundRobin = attrs.field(factory=RoundRobin)
    traffic: TrafficState = attrs.field(factory=TrafficState)
    graph: Graph = attrs.field(factory=Graph)
    #: Health and readiness codes set at run time, per service.
    probes: dict = attrs.field(factory=dict)

    def replace(self, mesh: Mesh) -> None:
        self.mesh = mesh

    def instance_of(self, service: str, standalone: bool = False) -> Optional[Instance]:
        """
        The replica that serves the next call to ``service``; None if the
        mesh does not have it. A standalone pod is its service whether or
        not a document declares it (undeclared, it is a plain mock).
        """
        versions = self.mesh.versions_of(service)
        if not versions and standalone:
            return Instance(plain_mock(service), 0)
        return self.balancer.choose(versions)
