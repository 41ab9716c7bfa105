"""
The mesh control API's routes that take a body, as the route fuzz sends them.
"""

from __future__ import annotations

MESH = {"apiVersion": "mimik.veicot.io/v1alpha1", "kind": "Mimik",
        "metadata": {"name": "fuzz-v1", "namespace": "fuzz"},
        "spec": {"service": "fuzz", "version": "v1",
                 "endpoints": [{"path": "/", "method": "GET", "connections": []}]}}

#: (Klein app, method, rule) -> valid example bodies the fuzzer mutates.
ROUTES: dict[tuple[str, str, str], list] = {
    ("MeshControlApi", "POST", "/"): [MESH, [MESH]],
    ("MeshControlApi", "PATCH", "/"): [MESH],
    ("MeshControlApi", "PUT", "/probes/<service>"): [{"health": 503, "ready": 200}],
}
