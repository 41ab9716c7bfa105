"""
Nova's answers checked against a published, machine-readable description
of them: the JSON schemas of ``tempest.lib.api_schema`` (one per route and
microversion, maintained by OpenStack's QA team from Nova's behaviour), with
the validator tempest itself uses (``RestClient.validate_response``: the
status code must be one the schema allows, the body must match).
"""

from __future__ import annotations

from typing import Any

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
    body = response.json() if response.content else None
    RestClient.validate_response(schema, _Response(response), body)
    return body
