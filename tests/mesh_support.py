"""Helpers for the mesh tests: mesh files, loading them, reading call trees."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families

DATA = os.path.join(os.path.dirname(__file__), "mesh_data")
HELLO_WORLD = os.path.join(DATA, "hello-world.yaml")
SERVICEMOCK = os.path.join(DATA, "servicemock.yaml")


def read(path: str) -> str:
    with open(path, encoding="utf-8") as stream:
        return stream.read()


def load_mesh(client, path_or_text: str) -> None:
    """Replace the mesh of a running Mimic with a file's (or a text's) documents."""
    text = read(path_or_text) if os.path.exists(path_or_text) else path_or_text
    response = client.post("/mimic/v1.1/mesh", data=text.encode("utf-8"),
                           headers={"content-type": "application/yaml"})
    assert response.status_code == 200, response.text


def shape(node: dict) -> tuple:
    """A call tree reduced to (service, path, code, [children])."""
    return (node["service"], node["path"], node["code"],
            [shape(child) for child in node["upstream_calls"]])


def interval(node: dict) -> tuple:
    """When a node ran: (start, end) as datetimes."""
    start = datetime.strptime(node["start"], "%Y-%m-%dT%H:%M:%S.%fZ")
    return start, start + timedelta(milliseconds=node["duration_ms"])


def sample(client, name: str, **labels) -> float:
    """The value of one Prometheus sample at /metrics (0 if absent)."""
    response = client.get("/metrics")
    assert response.status_code == 200
    for family in text_string_to_metric_families(response.text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return found.value
    return 0.0
