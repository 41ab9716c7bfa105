"""
The mesh plugin: wires the mesh model and its HTTP side into Mimic at
``/mesh`` (or ``/`` for a standalone pod), ``/metrics`` and
``/mimic/v1.1/mesh``. It adds nothing to service catalogs: mesh services are
reached by name, not through Identity.

The ``--mesh`` files are read once, at start-up, and must be valid (Mimic
does not start on a bad one). The mesh they declare is the mesh's initial
state: reset goes back to it, as it goes back to the clock at 0, because
the files are configuration like ``--regions``, while documents posted to
``/mimic/v1.1/mesh`` are state and are forgotten.
"""

from __future__ import annotations

from typing import Any

from twisted.logger import Logger
from twisted.plugin import IPlugin
from twisted.web.resource import Resource
from zope.interface import implementer

from mimic.imimic import IAPIMock, IControlPlaneDescriber, IRootMounts
from mimic.model.mesh.documents import read_mesh_files
from mimic.rest.http import json_response
from mimic.rest.mesh_api import (
    ControlRoot,
    EmbeddedMeshResource,
    MeshConfig,
    MeshRuntime,
    MetricsResource,
    StandaloneServiceResource,
)
from mimic.rest.mesh_client import (
    CALL_TIMEOUT,
    CONNECT_TIMEOUT,
    MeshHttpClient,
    ZipkinReporter,
)
from mimic.rest.mesh_openapi import mesh_control_paths

log = Logger()


class _NotInCatalog(Resource):
    """``/mimicking/mesh/...``: the mesh is not a catalog API; say where it is."""

    isLeaf = True

    def render(self, request: Any) -> bytes:
        return json_response(request, {"itemNotFound": {
            "code": 404, "message": "The mesh is served at /mesh/<service>/."}}, 404)


def mesh_config(core: Any) -> MeshConfig:
    """The mesh's configuration from the command line the core was started with."""
    options = getattr(core, "options", None) or {}
    startup = read_mesh_files(options.get("mesh") or [])
    for warning in startup.warnings():
        log.warn("Mesh: {warning}", warning=warning)
    return MeshConfig(
        startup=startup,
        standalone=options.get("mesh-service"),
        resolve=dict(options.get("mesh_resolve") or {}),
        zipkin=options.get("zipkin"),
        timeout=options.get("mesh-timeout") or CALL_TIMEOUT,
        connect_timeout=options.get("mesh-connect-timeout") or CONNECT_TIMEOUT,
        instance=options.get("mesh-instance"),
    )


# IPlugin too: twisted.plugin only collects objects that provide it.
@implementer(IPlugin, IAPIMock, IRootMounts, IControlPlaneDescriber)
class MeshPlugin:
    """Services calling each other (Mimik, servicemock), traced and counted."""

    name = "mesh"

    def catalog_entries(self, tenant_id: str, regions: tuple) -> list:
        return []

    def resource_for_region(self, region: str, uri_prefix: str, session_store: Any) -> Any:
        return _NotInCatalog()

    def root_resources(self, core: Any) -> dict:
        # Mesh calls and their timings are real network I/O: they run on the
        # reactor even when the core's clock is a frozen task.Clock.
        reactor = getattr(core, "reactor", None)
        if reactor is None:
            from twisted.internet import reactor

        config = mesh_config(core)
        client = MeshHttpClient(reactor, timeout=config.timeout,
                                connect_timeout=config.connect_timeout)
        reporter = ZipkinReporter(reactor, client, config.zipkin) if config.zipkin else None
        runtime = MeshRuntime(core, config, reactor, client, reporter)
        mounts = {
            "metrics": MetricsResource(runtime),
            "mimic/v1.1/mesh": ControlRoot(runtime),
        }
        if config.standalone is not None:
            log.info("Mesh: serving {service} alone at /", service=config.standalone)
            mounts[""] = StandaloneServiceResource(runtime)
        else:
            mounts["mesh"] = EmbeddedMeshResource(runtime)
        return mounts

    def openapi_paths(self) -> dict:
        return mesh_control_paths()


mesh = MeshPlugin()
