"""
The mesh's part of the control plane's OpenAPI document
(``/mimic/v1.1/openapi.json``): the routes of ``/mimic/v1.1/mesh``, each
described once here and put in the document only if
:class:`mimic.rest.mesh_api.MeshControlApi` serves it.
"""

from __future__ import annotations

from mimic.rest.mesh_api import MeshControlApi
from mimic.rest.openapi import JSON, error_answer, json_answer, path_parameter

PREFIX = "/mimic/v1.1/mesh"

MESH = {
    "type": "object",
    "required": ["documents", "services"],
    "properties": {
        "documents": {"type": "array", "items": {"type": "object"}},
        "services": {"type": "object"},
    },
}
SPAN = {"type": "object", "description": "A span in Zipkin v2 JSON."}
PROBES = {"type": "object", "properties": {
    "health": {"type": "integer"}, "ready": {"type": "integer"}}}


def _described() -> dict:
    """Every mesh control route Mimic has had, by Klein rule and method."""
    documents = {"required": True, "content": {JSON: {"schema": {
        "oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]}}}}
    invalid = error_answer("A document Mimic cannot use; the old mesh stays.")
    service = path_parameter("service", "A service of the mesh.")
    return {
        ("/", "GET"): {"summary": "The mesh's documents and services",
                       "responses": {"200": json_answer(MESH, "The mesh.")}},
        ("/", "POST"): {"summary": "Replace the mesh (YAML or JSON documents)",
                        "requestBody": documents,
                        "responses": {"200": json_answer(MESH, "The new mesh."),
                                      "400": invalid}},
        ("/", "PATCH"): {"summary": "Add documents to the mesh",
                         "requestBody": documents,
                         "responses": {"200": json_answer(MESH, "The new mesh."),
                                       "400": invalid}},
        ("/", "DELETE"): {"summary": "Empty the mesh",
                          "responses": {"204": {"description": "Emptied."}}},
        ("/traces", "GET"): {
            "summary": "Recent traces, newest first, in Zipkin v2 JSON",
            "parameters": [
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                {"name": "traceId", "in": "query", "schema": {"type": "string"}},
            ],
            "responses": {
                "200": json_answer({"type": "array", "items": {"type": "array", "items": SPAN}},
                                   "The traces."),
                "400": error_answer("A limit that is not a positive integer."),
            },
        },
        ("/traces/<trace_id>", "GET"): {
            "summary": "One trace's spans",
            "parameters": [path_parameter("trace_id", "A trace id.")],
            "responses": {"200": json_answer({"type": "array", "items": SPAN}, "Its spans."),
                          "404": error_answer("No such trace is recorded.")},
        },
        ("/graph", "GET"): {
            "summary": "The observed topology: nodes, and edges with requests and errors",
            "parameters": [{"name": "format", "in": "query",
                            "schema": {"type": "string", "enum": ["json", "dot"]}}],
            "responses": {
                "200": {"description": "The graph.", "content": {
                    JSON: {"schema": {"type": "object", "required": ["nodes", "edges"],
                                      "properties": {
                                          "nodes": {"type": "array"},
                                          "edges": {"type": "array"}}}},
                    "text/vnd.graphviz": {"schema": {"type": "string"}}}},
                "400": error_answer("A format other than json or dot."),
            },
        },
        ("/probes/<service>", "GET"): {
            "summary": "What a service's health and readiness probes answer",
            "parameters": [service],
            "responses": {"200": json_answer(PROBES, "The probes' codes.")},
        },
        ("/probes/<service>", "PUT"): {
            "summary": "Set what a service's probes answer",
            "parameters": [service],
            "requestBody": {"required": True, "content": {JSON: {"schema": PROBES}}},
            "responses": {"200": json_answer(PROBES, "The probes' codes."),
                          "400": error_answer("Not a probe, or not a status code."),
                          "404": error_answer("No such service in the mesh.")},
        },
    }


def mesh_control_paths() -> dict:
    """OpenAPI path items of the mesh control routes this Mimic serves."""
    described = _described()
    paths: dict = {}
    for rule in MeshControlApi.app.url_map.iter_rules():
        for method in sorted(rule.methods or ()):
            operation = described.get((rule.rule, method))
            if operation is None:
                continue
            path = PREFIX + ("" if rule.rule == "/" else
                             rule.rule.replace("<", "{").replace(">", "}"))
            paths.setdefault(path, {})[method.lower()] = operation
    return paths
