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


class ZipkinCollector:
    """
    A tiny Zipkin collector on loopback (``POST /api/v2/spans``) in a
    thread; every span it receives goes into a queue the test waits on.
    """

    def __init__(self) -> None:
        import json
        import queue
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.received: "queue.Queue[dict]" = queue.Queue()
        self.paths: list = []
        received, paths = self.received, self.paths

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                paths.append((self.path, self.headers.get("content-type")))
                for span in json.loads(body):
                    received.put(span)
                self.send_response(202)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def spans_of(self, trace_id: str, count: int, timeout: float = 15.0) -> list:
        """
        The first ``count`` spans of ``trace_id`` to arrive. Spans come in
        batches from other processes, so this waits on the queue (bounded by
        ``timeout``) rather than on any one request.
        """
        import queue
        import time

        deadline = time.monotonic() + timeout
        found: list = []
        while len(found) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"only {len(found)} of {count} spans arrived: {found}")
            try:
                span = self.received.get(timeout=remaining)
            except queue.Empty:
                continue
            if span["traceId"] == trace_id:
                found.append(span)
        return found

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FakeUpstream:
    """
    A misbehaving HTTP service on loopback, in a thread, for a standalone
    Mimic to call through ``--mesh-resolve``: ``/silent`` accepts and never
    answers (and records when its caller hangs up), ``/big`` answers a body
    of ``big_bytes``, ``/deep`` a mesh node nested ``deep_levels`` deep;
    ``heard`` holds the headers of each request, as they came.
    """

    def __init__(self, big_bytes: int = 5 * 1024 * 1024, deep_levels: int = 1000) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.hung_up = threading.Event()
        self.silent_calls = threading.Event()
        self.heard: list = []
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                upstream.heard.append(list(self.headers.items()))
                if self.path.startswith("/silent"):
                    upstream.silent_calls.set()
                    self.connection.settimeout(30)
                    try:
                        while self.connection.recv(1024):
                            pass
                    except OSError:
                        pass
                    upstream.hung_up.set()
                    self.close_connection = True
                    return
                if self.path.startswith("/big"):
                    body = b"x" * big_bytes
                else:
                    text = '{"service":"deep","code":200,"upstream_calls":[' * deep_levels
                    body = (text + "]}" * deep_levels).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
