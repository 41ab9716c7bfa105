"""
Real Mimic servers for tests: each is a ``python -m mimic`` subprocess on a
free loopback port, talked to over real sockets with ``requests``.

:func:`start_mimic` starts one and waits for its "listening" log line (no
sleeping, no polling); :class:`MimicClient` is a thin ``requests`` session
with helpers for the control plane (tick, reset) and for authentication.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
from typing import Any, Optional, Sequence

import attrs
import requests

LISTENING = re.compile(r"Mimic is listening on (http://\S+?)/?$")
STARTUP_SECONDS = 60


class MimicDidNotStart(Exception):
    """The process exited or never said it was listening; carries its log."""


@attrs.define
class MimicProcess:
    """A running Mimic subprocess, its base URL and everything it logged."""

    process: subprocess.Popen
    base_url: str
    lines: list = attrs.field(factory=list)

    @property
    def log(self) -> str:
        return "".join(self.lines)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def client(self) -> "MimicClient":
        return MimicClient(self.base_url)


def mimic_command(args: Sequence[str] = (), python: str = sys.executable) -> list:
    return [python, "-m", "mimic", "--listen", "tcp:0:interface=127.0.0.1", *args]


def start_mimic(*args: str, env: Optional[dict] = None, cwd: Optional[str] = None,
                command: Optional[list] = None) -> MimicProcess:
    """
    Start Mimic with extra command-line ``args`` and return once it listens.
    Raises :class:`MimicDidNotStart` (with the log) if it exits first.
    """
    process = subprocess.Popen(
        command or mimic_command(args),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )
    lines: list = []
    found: "queue.Queue[Optional[str]]" = queue.Queue()

    def pump() -> None:
        # Keep reading for the life of the process so its pipe never fills.
        for line in process.stdout:
            lines.append(line)
            match = LISTENING.search(line.rstrip())
            if match:
                found.put(match.group(1))
        found.put(None)

    threading.Thread(target=pump, daemon=True).start()
    try:
        base_url = found.get(timeout=STARTUP_SECONDS)
    except queue.Empty:
        base_url = None
    if base_url is None:
        process.kill()
        process.wait()
        raise MimicDidNotStart("".join(lines))
    return MimicProcess(process, base_url, lines)


@attrs.define
class MimicClient:
    """``requests`` against one Mimic, with control-plane helpers."""

    base_url: str
    http: requests.Session = attrs.field(factory=requests.Session)

    def url(self, path: str) -> str:
        if path.startswith("http://") or path.startswith("https://"):
            return path
        return self.base_url + ("" if path.startswith("/") else "/") + path

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return self.http.request(method, self.url(path), **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def head(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("HEAD", path, **kwargs)

    def tick(self, amount: float) -> dict:
        response = self.post("/mimic/v1.1/tick", json={"amount": amount})
        assert response.status_code == 200, response.text
        return response.json()

    def reset(self) -> None:
        response = self.post("/mimic/v1.1/reset")
        assert response.status_code == 200, response.text

    def authenticate(self, username: str = "mimic", password: str = "secret",
                     tenant_id: Optional[str] = None) -> dict:
        """The ``access`` object of a v2.0 password authentication."""
        auth: dict = {"passwordCredentials": {"username": username, "password": password}}
        if tenant_id is not None:
            auth["tenantId"] = tenant_id
        response = self.post("/identity/v2.0/tokens", json={"auth": auth})
        assert response.status_code == 200, response.text
        return response.json()["access"]

    def endpoint(self, access: dict, service_type: str, region: str = "ORD") -> str:
        """The public URL of ``service_type`` in ``region`` from a v2.0 catalog."""
        for service in access["serviceCatalog"]:
            if service["type"] == service_type:
                for endpoint in service["endpoints"]:
                    if endpoint["region"] == region:
                        return endpoint["publicURL"]
        raise LookupError(f"no {service_type} endpoint in {region}")
