"""
The OpenAPI 3.1 document of Mimic's control plane, served at
``GET /mimic/v1.1/openapi.json``: every route that steers Mimic itself
(tick, reset, presets, behaviors of every API, the overview of tenants, the
mesh, this document, the dashboard), with the shapes of its answers,
errors included. CI fuzzes a live server against it with schemathesis, so
a route added here must answer as the document says.
"""

from __future__ import annotations

from typing import Any

from mimic import __version__
from mimic.model import clb, nova
from mimic.model.identity import AUTH_EVENT
from mimic.overview import MAX_LISTED
from mimic.util import MAX_CLOCK_SECONDS

JSON = "application/json"


def schema_ref(name: str) -> dict:
    """A reference to one of the document's shared schemas."""
    return {"$ref": f"#/components/schemas/{name}"}


def json_answer(schema: dict, description: str) -> dict:
    """A response with a JSON body of ``schema``."""
    return {"description": description, "content": {JSON: {"schema": schema}}}


def error_answer(description: str, shape: str = "Error") -> dict:
    """An error response in one of the document's error shapes."""
    return json_answer(schema_ref(shape), description)


def path_parameter(name: str, description: str, values: Any = None) -> dict:
    """A path parameter; with ``values``, only those are served (others 404)."""
    schema: dict = {"type": "string", "minLength": 1}
    if values is not None:
        schema = {"type": "string", "enum": list(values)}
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": schema}


SCHEMAS: dict = {
    "Error": {
        "description": "OpenStack's error shape: one key (badRequest, itemNotFound, "
                       "...) holding the code and a message.",
        "type": "object",
        "minProperties": 1,
        "maxProperties": 1,
        "additionalProperties": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "integer"}, "message": {"type": "string"}},
        },
    },
    "Tick": {
        "type": "object",
        "required": ["amount"],
        "properties": {"amount": {"type": "number", "minimum": 0,
                                  "description": "Seconds to move the clock by."}},
    },
    "TickAnswer": {
        "type": "object",
        "required": ["advanced", "now"],
        "properties": {"advanced": {"type": "number"}, "now": {"type": "string"}},
    },
    "ResetAnswer": {
        "type": "object",
        "required": ["reset", "now"],
        "properties": {"reset": {"anyOf": [{"const": True}, {"type": "object"}]},
                       "now": {"type": "string"}},
    },
    "Presets": {
        "description": "Each plugin's presets, keyed by plugin name.",
        "type": "object",
        "additionalProperties": {"type": "object"},
    },
    "Behavior": {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "parameters": {"type": "object"},
            "criteria": {"type": "array", "items": {"type": "object"}},
        },
    },
    "BehaviorId": {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "string"}},
    },
    "BehaviorListing": {
        "type": "object",
        "required": ["behaviors", "supported"],
        "properties": {
            "behaviors": {"type": "array", "items": {"type": "object"}},
            "supported": {"type": "object"},
        },
    },
    "Resource": {
        "type": "object",
        "required": ["kind", "id", "name", "status", "region"],
        "properties": {
            "kind": {"type": "string"}, "id": {"type": "string"},
            "name": {"type": "string"}, "status": {"type": "string"},
            "region": {"type": ["string", "null"]},
        },
    },
    "Overview": {
        "description": f"Tenants and what each holds per API (at most {MAX_LISTED} "
                       "things of one API per tenant and region), and the "
                       "accounts of APIs that have accounts instead (Fastly).",
        "type": "object",
        "required": ["now", "tenants", "accounts"],
        "properties": {
            "now": {"type": "string"},
            "tenants": {"type": "array", "items": {
                "type": "object",
                "required": ["id", "name", "users", "resources"],
                "properties": {
                    "id": {"type": "string"}, "name": {"type": "string"},
                    "users": {"type": "array", "items": {"type": "string"}},
                    "resources": {"type": "object", "additionalProperties": {
                        "type": "array", "items": schema_ref("Resource")}},
                },
            }},
            "accounts": {"type": "array", "items": {
                "type": "object",
                "required": ["api", "id", "resources"],
                "properties": {
                    "api": {"type": "string"}, "id": {"type": "string"},
                    "resources": {"type": "array", "items": schema_ref("Resource")},
                },
            }},
        },
    },
    "ClbError": {
        "description": "Cloud Load Balancers' fault shape (flat).",
        "type": "object",
        "required": ["message", "code"],
        "properties": {"message": {"type": "string"}, "code": {"type": "integer"}},
    },
    "ClbOrRootError": {
        "description": "CLB's fault, or Mimic's own (OpenStack) shape when the "
                       "region is not served.",
        "anyOf": [{"$ref": "#/components/schemas/ClbError"},
                  {"$ref": "#/components/schemas/Error"}],
    },
}


def _behavior_paths(prefix: str, parameters: list, events: Any, what: str,
                    error: str = "Error") -> dict:
    """
    The three routes of one behavior registry under ``prefix``, whose
    errors come in the ``error`` shape.
    """
    event = path_parameter("event", "The event behaviors apply to.", events)
    return {
        f"{prefix}/behaviors/{{event}}": {
            "parameters": [*parameters, event],
            "post": {
                "summary": f"Register a behavior of {what}",
                "requestBody": {"required": True,
                                "content": {JSON: {"schema": schema_ref("Behavior")}}},
                "responses": {
                    "201": json_answer(schema_ref("BehaviorId"), "Registered."),
                    "400": error_answer("Not a behavior this event supports.", error),
                    "404": error_answer("No such event (or region).", error),
                },
            },
            "get": {
                "summary": f"List the behaviors of {what}",
                "responses": {
                    "200": json_answer(schema_ref("BehaviorListing"), "The registrations."),
                    "404": error_answer("No such event (or region).", error),
                },
            },
        },
        f"{prefix}/behaviors/{{event}}/{{behavior_id}}": {
            "parameters": [*parameters, event,
                           path_parameter("behavior_id", "A registration's id.")],
            "delete": {
                "summary": f"Forget a behavior of {what}",
                "responses": {
                    "204": {"description": "Forgotten."},
                    "404": error_answer("No such behavior, event or region.", error),
                },
            },
        },
    }


#: Routes of Mimic's root that not every Mimic has: each is described here
#: and put in the document only when the server serves it.
def _optional_root_paths() -> dict:
    count = {"type": "integer", "minimum": 0}
    query = [
        {"name": name, "in": "query", "schema": schema}
        for name, schema in (
            ("method", {"type": "string"}), ("path", {"type": "string"}),
            ("api", {"type": "string"}), ("tenant", {"type": "string"}),
            ("status", {"type": "string"}), ("since", count),
            ("limit", {"type": "integer", "minimum": 1}),
            ("include", {"type": "string", "enum": ["control"]}),
        )
    ]
    return {
        "/mimic/v1.1/requests": {
            "get": {
                "summary": "The request journal, oldest first, filtered",
                "parameters": query,
                "responses": {
                    "200": json_answer({"type": "object", "required": ["requests"], "properties": {
                        "requests": {"type": "array", "items": {"type": "object"}}}},
                        "The entries."),
                    "400": error_answer("A filter Mimic cannot answer."),
                },
            },
            "delete": {
                "summary": "Empty the journal",
                "responses": {"200": json_answer({"type": "object"}, "Emptied.")},
            },
        },
        "/mimic/v1.1/health": {"get": {
            "summary": "Whether Mimic runs, and how",
            "responses": {"200": json_answer({"type": "object", "required": ["status"]},
                                       "It runs.")},
        }},
        "/mimic/v1.1/state": {
            "get": {"summary": "A snapshot of all state",
                    "responses": {"200": json_answer({"type": "object"}, "The snapshot.")}},
            "put": {"summary": "Replace all state with a snapshot",
                    "requestBody": {"required": True,
                                    "content": {JSON: {"schema": {"type": "object"}}}},
                    "responses": {"200": json_answer({"type": "object"}, "Restored."),
                                  "400": error_answer("Not a state document.")}},
        },
    }


def control_plane_document(server_url: str, regions: Any = None,
                           served: Any = (), plugin_paths: Any = None) -> dict:
    """
    The OpenAPI 3.1 document of this server's control plane. ``regions``
    maps each loaded plugin to the regions it is offered in: the routes of a
    plugin that is not loaded (the control APIs') are left out. ``served``
    are the route paths of Mimic's root, for the routes not every Mimic has;
    ``plugin_paths`` the path items plugins describe themselves (the mesh's).
    """
    regions = dict(regions or {})
    tenant = path_parameter("tenant_id", "The tenant whose behaviors these are.")

    def region(api: str) -> dict:
        return path_parameter("region", "A region the API is offered in.", regions[api])

    paths: dict = {
        "/mimic/v1.1/tick": {"post": {
            "summary": "Move the deterministic clock",
            "description": "Runs everything due by the new time. The clock cannot "
                           f"go past {MAX_CLOCK_SECONDS:.0f} seconds "
                           "(9000-01-01T00:00:00Z); with --realtime tick is off (400).",
            "requestBody": {"required": True, "content": {JSON: {"schema": schema_ref("Tick")}}},
            "responses": {"200": json_answer(schema_ref("TickAnswer"), "The clock moved."),
                          "400": error_answer("Not a non-negative number, past the clock's "
                                        "end, or --realtime.")},
        }},
        "/mimic/v1.1/reset": {"post": {
            "summary": "Forget all state; the clock goes back to 0",
            "responses": {"200": json_answer(schema_ref("ResetAnswer"), "Reset."),
                          "400": error_answer("Not a reset scope."),
                          "404": error_answer("No such tenant.")},
        }},
        "/mimic/v1.0/presets": {"get": {
            "summary": "Every plugin's metadata presets",
            "responses": {"200": json_answer(schema_ref("Presets"), "The presets.")},
        }},
        "/mimic/v1.1/tenants": {"get": {
            "summary": "Tenants and what each holds per API",
            "responses": {"200": json_answer(schema_ref("Overview"), "The overview.")},
        }},
        "/mimic/v1.1/openapi.json": {"get": {
            "summary": "This document",
            "responses": {"200": json_answer({"type": "object"}, "OpenAPI 3.1.")},
        }},
        "/mimic/dashboard": {"get": {
            "summary": "Where the dashboard is: /mimic/dashboard/",
            "responses": {"302": {"description": "To /mimic/dashboard/."}},
        }},
        "/mimic/dashboard/": {"get": {
            "summary": "The dashboard page (HTML; it reads the routes above)",
            "responses": {"200": {"description": "The page.",
                                  "content": {"text/html": {"schema": {"type": "string"}}}}},
        }},
    }
    paths.update(_behavior_paths("/mimic/v1.1/IdentityControlAPI", [], [AUTH_EVENT.name],
                                 "Identity"))
    if "nova-control" in regions:
        paths.update(_behavior_paths(
            "/mimicking/nova-control/{region}/v2/{tenant_id}",
            [region("nova-control"), tenant], nova.EVENTS, "Nova (one tenant, one region)"))
    if "clb-control" in regions:
        paths.update(_behavior_paths(
            "/mimicking/clb-control/{region}/v1.0/{tenant_id}",
            [region("clb-control"), tenant], clb.EVENTS,
            "Cloud Load Balancers (one tenant, one region)", "ClbOrRootError"))
    paths.update({path: item for path, item in _optional_root_paths().items()
                  if path in served})
    paths.update(plugin_paths or {})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Mimic control plane",
            "version": __version__,
            "description": "Steers Mimic itself: its clock, its state, the "
                           "misbehaviour of each emulated API, the mesh.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }
