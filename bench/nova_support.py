"""
Shared pieces of the Nova benchmarks: a Mimic to measure (started here, or
one already running), a keep-alive HTTP connection with little client
overhead, and the server process's resident memory.

Benchmarks are run by hand (see docs/performance.rst), never as tests.
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import time
from typing import Any, Optional
from urllib.parse import urlsplit

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from bench._server import start_mimic  # noqa: E402
from mimic.testing import MimicServer  # noqa: E402

UBUNTU = "a1b2c3d4-0001-4e6f-8a9b-0c1d2e3f4a01"


class Connection:
    """One persistent HTTP/1.1 connection to Mimic."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        payload = None if body is None else json.dumps(body).encode()
        headers = {"content-type": "application/json"} if payload else {}
        self.connection.request(method, path, body=payload, headers=headers)
        response = self.connection.getresponse()
        return response.status, response.read()

    def json(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        status, data = self.request(method, path, body)
        if status != expect:
            raise RuntimeError(f"{method} {path} answered {status}: {data[:300]!r}")
        return json.loads(data) if data else None


def mimic_to_measure(url: Optional[str], *args: str) -> tuple[str, Optional[MimicServer]]:
    """
    ``url`` if given, else a Mimic started for this run with ``args``
    (stopped by the caller).
    """
    if url:
        return url.rstrip("/"), None
    process = start_mimic(*args)
    return process.base_url, process


def compute_path(connection: Connection, tenant_id: str, region: str = "ORD") -> str:
    """The path of ``tenant_id``'s compute endpoint, read from the catalog."""
    access = connection.json("POST", "/identity/v2.0/tokens", {"auth": {
        "passwordCredentials": {"username": f"bench-{tenant_id}", "password": "x"},
        "tenantId": tenant_id}})["access"]
    for service in access["serviceCatalog"]:
        if service["type"] == "compute":
            for endpoint in service["endpoints"]:
                if endpoint["region"] == region:
                    return urlsplit(endpoint["publicURL"]).path
    raise LookupError("no compute endpoint")


def server_body(name: str) -> dict:
    return {"server": {"name": name, "imageRef": UBUNTU, "flavorRef": "2"}}


def rss_bytes(pid: int) -> int:
    """Resident set size of process ``pid`` (Linux)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def now() -> float:
    return time.perf_counter()
