"""
Mimic in your own tests: start a real Mimic (a ``python -m mimic``
subprocess on a free loopback port) and drive it over HTTP.

:func:`start_mimic` starts one and returns once it says it is listening (no
sleeping, no polling); :class:`MimicClient` is a ``requests`` session with
the control plane as methods: ``tick``, ``reset``, ``token``, ``endpoint``,
``behaviors(api).add(...)``, ``requests()`` (the journal), and the
``clouds_yaml()``/``os_env()``/``cloud_config()`` that point openstacksdk
and the ``openstack`` CLI at it. Plain Python, usable from unittest or a
script; :mod:`mimic.pytest_plugin` builds pytest's fixtures on it.
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
from typing import Any, Optional, Sequence

import attrs
import requests

#: The line Mimic logs once it listens (text and JSON log formats alike).
LISTENING = re.compile(r"Mimic is listening on (http://[\w.\-\[\]:]+)")

#: How long a server may take to say it is listening before it counts as dead.
STARTUP_SECONDS = 60

#: Who the helpers authenticate as unless told otherwise. Any credentials
#: work against Mimic; these only need to be the same every time.
DEFAULT_USER = "mimic-user"
DEFAULT_PASSWORD = "secret"
DEFAULT_REGION = "ORD"


class MimicDidNotStart(Exception):
    """The process exited or never said it was listening; carries its log."""


@attrs.define
class MimicServer:
    """A running Mimic subprocess, its base URL and everything it logged."""

    process: subprocess.Popen
    base_url: str
    lines: list = attrs.field(factory=list)
    #: The thread reading the process's output into ``lines``.
    reader: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        """The server's root URL, ``http://127.0.0.1:<port>`` (no slash)."""
        return self.base_url

    @property
    def log(self) -> str:
        """Everything the server logged so far."""
        return "".join(self.lines)

    def stop(self) -> None:
        """
        Stop the server (SIGTERM, then SIGKILL after 10 s). Once it returns,
        ``log`` holds all the server wrote: a line logged as an answer went
        out (the verbose ``<--`` line, the access line) may reach the pipe
        after the client has read the answer.
        """
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.reader is not None:
            self.reader.join(timeout=10)

    def client(self) -> "MimicClient":
        """A new client of this server."""
        return MimicClient(self.base_url)

    def __enter__(self) -> "MimicServer":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


def mimic_command(args: Sequence[str] = (), python: str = sys.executable) -> list:
    """The command line of a Mimic on a free loopback port, with ``args``."""
    return [python, "-m", "mimic", "--listen", "tcp:0:interface=127.0.0.1", *args]


def start_mimic(*args: str, env: Optional[dict] = None, cwd: Optional[str] = None,
                command: Optional[list] = None) -> MimicServer:
    """
    Start Mimic with extra command-line ``args`` (``"--mesh", "mesh.yaml"``)
    and return once it listens. Raises :class:`MimicDidNotStart` (with its
    log) if it exits first or stays silent for :data:`STARTUP_SECONDS`.
    Use it as a context manager, or call ``stop()``.
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
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            match = LISTENING.search(line)
            if match:
                found.put(match.group(1))
        found.put(None)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        base_url = found.get(timeout=STARTUP_SECONDS)
    except queue.Empty:
        base_url = None
    if base_url is None:
        process.kill()
        process.wait()
        raise MimicDidNotStart("".join(lines))
    return MimicServer(process, base_url.rstrip("/"), lines, reader)


class MimicError(AssertionError):
    """A control-plane call Mimic refused; the message is its answer."""


def _checked(response: requests.Response, *codes: int) -> requests.Response:
    if response.status_code not in (codes or (200,)):
        raise MimicError(f"{response.request.method} {response.url} answered "
                         f"{response.status_code}: {response.text}")
    return response


@attrs.define
class Behaviors:
    """
    The behaviors of one API (``mimic.behaviors("nova")``): misbehaviour
    registered ahead of time, per event (``creation``, ``auth``, ...).
    """

    client: "MimicClient"
    #: The URL under which ``<event>`` and ``<event>/<id>`` live.
    base: str

    def add(self, event: str, name: str, parameters: Optional[dict] = None,
            criteria: Optional[list] = None) -> str:
        """Register a behavior; returns its id (for :meth:`remove`)."""
        body = {"name": name, "parameters": parameters or {}, "criteria": criteria or []}
        response = _checked(self.client.post(f"{self.base}/{event}", json=body), 201)
        return response.json()["id"]

    def list(self, event: str) -> list:
        """The behaviors registered for ``event``, oldest first."""
        return _checked(self.client.get(f"{self.base}/{event}")).json()["behaviors"]

    def remove(self, event: str, behavior_id: str) -> None:
        """Forget one behavior."""
        _checked(self.client.delete(f"{self.base}/{event}/{behavior_id}"), 204)


@attrs.define
class MimicClient:
    """
    ``requests`` against one Mimic (paths are relative to its root), with
    helpers for its control plane and for authentication.
    """

    base_url: str
    http: requests.Session = attrs.field(factory=requests.Session)

    @property
    def url(self) -> str:
        """The server's root URL, ``http://127.0.0.1:<port>`` (no slash)."""
        return self.base_url

    @property
    def auth_url(self) -> str:
        """Where clients authenticate (Identity's root; v2.0 and v3 below it)."""
        return f"{self.base_url}/identity/"

    def absolute(self, path: str) -> str:
        """``path`` under the server's root; absolute URLs stay as they are."""
        if path.startswith("http://") or path.startswith("https://"):
            return path
        return self.base_url + ("" if path.startswith("/") else "/") + path

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return self.http.request(method, self.absolute(path), **kwargs)

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

    # The control plane.

    def tick(self, seconds: float) -> dict:
        """Move Mimic's clock; ``{"advanced": seconds, "now": ISO time}``."""
        return _checked(self.post("/mimic/v1.1/tick", json={"amount": seconds})).json()

    def reset(self) -> None:
        """Forget all state; the clock goes back to 0."""
        _checked(self.post("/mimic/v1.1/reset"))

    def behaviors(self, api: str, tenant_id: Optional[str] = None,
                  region: str = DEFAULT_REGION) -> Behaviors:
        """
        The behaviors of ``api``: ``"identity"`` (Mimic-wide), or a plugin
        with a control API (``"nova"``, ``"clb"``), whose behaviors belong
        to one tenant (the default user's unless ``tenant_id``) and region.
        """
        if api == "identity":
            return Behaviors(self, self.absolute("/mimic/v1.1/IdentityControlAPI/behaviors"))
        access = self.authenticate(tenant_id=tenant_id)
        marker = f"/mimicking/{api}-control/{region}/"
        for service in access["serviceCatalog"]:
            for endpoint in service["endpoints"]:
                if marker in endpoint["publicURL"]:
                    return Behaviors(self, endpoint["publicURL"] + "/behaviors")
        raise LookupError(f"no control API of {api!r} in {region} (is {api!r} a plugin "
                          "with behaviors, offered in that region?)")

    def requests(self, **filters: Any) -> list:
        """
        The request journal (``GET /mimic/v1.1/requests``): what Mimic was
        asked, oldest first; ``filters`` become query parameters.
        """
        body = _checked(self.get("/mimic/v1.1/requests", params=filters)).json()
        return body["requests"] if isinstance(body, dict) else body

    # Authentication and the catalog.

    def authenticate(self, username: str = DEFAULT_USER, password: str = DEFAULT_PASSWORD,
                     tenant_id: Optional[str] = None) -> dict:
        """The ``access`` object of an Identity v2.0 password authentication."""
        auth: dict = {"passwordCredentials": {"username": username, "password": password}}
        if tenant_id is not None:
            auth["tenantId"] = tenant_id
        response = _checked(self.post("/identity/v2.0/tokens", json={"auth": auth}))
        return response.json()["access"]

    def token(self, username: str = DEFAULT_USER, tenant_id: Optional[str] = None) -> str:
        """A token id for ``username`` (the same one until it expires)."""
        return self.authenticate(username, tenant_id=tenant_id)["token"]["id"]

    def endpoint(self, *args: Any, region: Optional[str] = None,
                 username: str = DEFAULT_USER) -> str:
        """
        The public URL of a service type in a region:
        ``endpoint("compute", "ORD")`` from ``username``'s catalog, or
        ``endpoint(access, "compute", "ORD")`` from an ``access`` you hold.
        """
        if args and isinstance(args[0], dict):
            access, rest = args[0], args[1:]
        else:
            access, rest = self.authenticate(username), args
        if not rest:
            raise TypeError("endpoint() needs a service type")
        service_type = rest[0]
        region = region or (rest[1] if len(rest) > 1 else DEFAULT_REGION)
        for service in access["serviceCatalog"]:
            if service["type"] == service_type:
                for endpoint in service["endpoints"]:
                    if endpoint["region"] == region:
                        return endpoint["publicURL"]
        raise LookupError(f"no {service_type} endpoint in {region}")

    # Pointing OpenStack clients at Mimic.

    def cloud_config(self, username: str = DEFAULT_USER, project: Optional[str] = None,
                     region: str = DEFAULT_REGION) -> dict:
        """
        One cloud's settings, as a ``clouds.yaml`` entry holds them; also
        the keywords of ``openstack.connect(**mimic.cloud_config())``. The
        project is the user's own (the tenant :meth:`token`,
        :meth:`endpoint` and :meth:`behaviors` use) unless ``project`` names
        another.
        """
        if project is None:
            project = self.authenticate(username)["token"]["tenant"]["name"]
        return {
            "auth": {
                "auth_url": self.auth_url,
                "username": username,
                "password": DEFAULT_PASSWORD,
                "project_name": project,
                "user_domain_name": "Default",
                "project_domain_name": "Default",
            },
            "region_name": region,
            "identity_api_version": "3",
        }

    def clouds_yaml(self, cloud: str = "mimic", **settings: Any) -> str:
        """
        The text of a ``clouds.yaml`` with one cloud named ``cloud`` (for
        ``OS_CLOUD=mimic`` or ``openstack --os-cloud mimic``); ``settings``
        go to :meth:`cloud_config`. JSON is YAML, so no YAML library is needed.
        """
        return json.dumps({"clouds": {cloud: self.cloud_config(**settings)}}, indent=2)

    def os_env(self, username: str = DEFAULT_USER, project: Optional[str] = None,
               region: str = DEFAULT_REGION) -> dict:
        """The ``OS_*`` environment variables of the ``openstack`` CLI."""
        config = self.cloud_config(username, project, region)
        env = {f"OS_{key.upper()}": value for key, value in config["auth"].items()}
        env["OS_REGION_NAME"] = region
        env["OS_IDENTITY_API_VERSION"] = config["identity_api_version"]
        return env

