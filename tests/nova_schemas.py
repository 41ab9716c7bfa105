"""
Nova's answers checked against a published, machine-readable description
of them: the JSON schemas of ``tempest.lib.api_schema`` (one per route and
microversion, maintained by OpenStack's QA team from Nova's behaviour), with
the validator tempest itself uses (``RestClient.validate_response``: the
status code must be one the schema allows, the body must match).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from tempest.lib.api_schema.response import compute as compute_schemas

from tempest.lib.api_schema.response.compute.v2_1 import (  # noqa: F401 - used by tests
    availability_zone,
    flavors,
    floating_ips,
    images,
    interfaces,
    keypairs,
    limits,
    security_groups,
    servers,
    tenant_networks,
)
from tempest.lib.common.rest_client import RestClient


class _Response(dict):
    """What ``validate_response`` reads: the headers, and ``status``."""

    def __init__(self, response: Any) -> None:
        super().__init__({k.lower(): v for k, v in response.headers.items()})
        self.status = response.status_code


def assert_schema(schema: dict, response: Any) -> Any:
    """Fail unless ``response`` is what ``schema`` allows; its JSON body, if any."""
    # tempest checks bodies of successes only: an error must fail here.
    assert response.status_code in schema["status_code"], response.text
    body = response.json() if response.content else None
    RestClient.validate_response(schema, _Response(response), body)
    return body


def schema_at(version: str, module: str, name: str) -> dict:
    """
    tempest.lib's schema ``module.name`` in force at microversion
    ``version``: that of the highest ``v2_N`` package with N at most the
    version's minor that defines it (tempest adds a package only where a
    microversion changed the answer).
    """
    minor = int(version.split(".")[1])
    root = Path(compute_schemas.__file__).parent
    candidates = sorted((int(p.name[3:]) for p in root.glob("v2_*")
                         if p.name[3:].isdigit()), reverse=True)
    for candidate in candidates:
        if candidate > minor:
            continue
        try:
            found = importlib.import_module(f"{compute_schemas.__name__}.v2_{candidate}.{module}")
        except ImportError:
            continue
        if hasattr(found, name):
            return getattr(found, name)
    raise LookupError(f"tempest has no schema {module}.{name} at {version}")
