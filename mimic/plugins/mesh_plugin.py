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

import functools
from typing import Any

from twisted.logger import Logger
from twisted.plugin import IPlugin
from twisted.web.resource import Resource
from zope.interface import implementer

from mimic.imimic import (
    IAPIMock,
    IControlPlaneDescriber,
    IRootMounts,
    IStatefulAPI,
    IWireConventions,
)
from mimic.lazy_resource import LazyResource
from mimic.rest.http import json_response

# The mesh's own modules (YAML, JSON schema, its routes) are imported when
# the mesh is first used, or at start-up when --mesh names files (a bad one
# must stop Mimic from starting): see docs/performance.rst.

log = Logger()


class _NotInCatalog(Resource):
    """``/mimicking/mesh/...``: the mesh is not a catalog API; say where it is."""

    isLeaf = True

    def render(self, request: Any) -> bytes:
        return json_response(request, {"itemNotFound": {
            "code": 404, "message": "The mesh is served at /mesh/<service>/."}}, 404)


def mesh_config(core: Any) -> Any:
    """The mesh's configuration from the command line the core was started with."""
    from mimic.model.mesh.documents import read_mesh_files
    from mimic.rest.mesh_api import MeshConfig
    from mimic.rest.mesh_client import CALL_TIMEOUT, CONNECT_TIMEOUT

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
@implementer(IPlugin, IAPIMock, IRootMounts, IControlPlaneDescriber, IWireConventions,
             IStatefulAPI)
class MeshPlugin:
    """Services calling each other (Mimik, servicemock), traced and counted."""

    name = "mesh"
    request_id_headers = ()
    credential_header = None
    wrong_tenant_status = 403

    def error_body(self, error: Any) -> dict:
        from mimic.rest.mesh_api import mesh_error_body

        return mesh_error_body(error)

    def owns_state(self, key: Any) -> bool:
        # ("mesh", "metrics") holds Istio's counters of this process's
        # traffic, not state (like Mimic's own HTTP metrics).
        return key == "mesh"

    def replayable(self, method: bytes, path: bytes) -> bool:
        return True

    def catalog_entries(self, tenant_id: str, regions: tuple) -> list:
        return []

    def resource_for_region(self, region: str, uri_prefix: str, session_store: Any) -> Any:
        return _NotInCatalog()

    def root_resources(self, core: Any) -> dict:
        runtime = functools.cache(lambda: mesh_runtime(core))
        options = getattr(core, "options", None) or {}
        if options.get("mesh"):
            runtime()   # the --mesh files are read now: a bad one stops start-up

        def mount(kind: str) -> LazyResource:
            def make() -> Any:
                from mimic.rest import mesh_api

                return getattr(mesh_api, kind)(runtime())

            return LazyResource(make)

        mounts = {"metrics": mount("MetricsResource"), "mimic/v1.1/mesh": mount("ControlRoot")}
        standalone = options.get("mesh-service")
        if standalone is not None:
            log.info("Mesh: serving {service} alone at /", service=standalone)
            mounts[""] = mount("StandaloneServiceResource")
        else:
            mounts["mesh"] = mount("EmbeddedMeshResource")
        return mounts

    def openapi_paths(self) -> dict:
        from mimic.rest.mesh_openapi import mesh_control_paths

        return mesh_control_paths()


def mesh_runtime(core: Any) -> Any:
    """The mesh of ``core``: its configuration, HTTP client and Zipkin reporter."""
    from mimic.rest.mesh_api import MeshRuntime
    from mimic.rest.mesh_client import MeshHttpClient, ZipkinReporter

    # Mesh calls and their timings are real network I/O: they run on the
    # reactor even when the core's clock is a frozen task.Clock.
    reactor = getattr(core, "reactor", None)
    if reactor is None:
        from twisted.internet import reactor

    config = mesh_config(core)
    client = MeshHttpClient(reactor, timeout=config.timeout,
                            connect_timeout=config.connect_timeout)
    reporter = ZipkinReporter(reactor, client, config.zipkin) if config.zipkin else None
    return MeshRuntime(core, config, reactor, client, reporter)


mesh = MeshPlugin()
