"""
The command line (``twistd -n mimic [options]``) and the service it builds.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from twisted.application.service import Service
from twisted.internet.endpoints import serverFromString
from twisted.logger import Logger
from twisted.python import usage

from mimic.catalog import DEFAULT_REGIONS
from mimic.core import MimicCore
from mimic.resource import MountedRoot
from mimic.site import MimicSite

log = Logger()

#: Loopback unless the environment says otherwise: a container image sets
#: MIMIC_LISTEN to all interfaces, so that ``docker run mimic --verbose``
#: (arguments replacing the image's) is still reachable from outside.
DEFAULT_LISTEN = os.environ.get("MIMIC_LISTEN") or "tcp:8900:interface=127.0.0.1"


def _region_list(text: str) -> tuple[str, ...]:
    regions = tuple(r.strip() for r in text.split(",") if r.strip())
    if not regions:
        raise usage.UsageError("a region list needs at least one region")
    return regions


class Options(usage.Options):
    """Mimic's command-line options."""

    synopsis = "[options]"
    longdesc = (
        "Mimic: an in-memory emulator of cloud APIs (Identity, Nova, Cloud Load "
        "Balancers, Fastly, ...) and service meshes. Time stands still unless "
        "POST /mimic/v1.1/tick moves it, or --realtime is given. "
        "`mimic mesh render FILE...` writes a mesh file as Kubernetes objects."
    )
    optParameters = [
        ["listen", "l", DEFAULT_LISTEN,
         "Twisted endpoint description to listen on (default: $MIMIC_LISTEN, "
         "else loopback port 8900)."],
        ["seed", None, 0, "Seed of the id source, for repeatable ids.", int],
        ["regions", None, ",".join(DEFAULT_REGIONS),
         "Comma-separated regions every API is offered in."],
        ["mesh-service", None, None,
         "Serve this mesh service alone at / (a standalone mesh pod)."],
        ["zipkin", None, None,
         "Zipkin collector URL the mesh sends its spans to (batched)."],
        ["mesh-instance", None, None,
         "This pod's own name, mixed into the seed of its trace and span ids so "
         "that replicas of one service started with one --seed draw different ids."],
    ]
    optFlags = [
        ["realtime", "r", "Let time pass by itself (the reactor is the clock; "
         "tick is off)."],
        ["verbose", "v", "Log each request and response."],
    ]

    def __init__(self) -> None:
        super().__init__()
        self["plugin_regions"] = {}
        self["mesh"] = []
        self["mesh_resolve"] = {}

    def opt_mesh(self, path: str) -> None:
        """FILE: load mesh documents (Mimik, Istio) from a YAML file (repeatable)."""
        self["mesh"].append(path)

    def opt_mesh_resolve(self, value: str) -> None:
        """
        SERVICE=HOST:PORT: reach mesh upstream SERVICE at HOST:PORT (repeatable).
        """
        service, sep, address = value.partition("=")
        host, colon, port = address.rpartition(":")
        if not (sep and service and colon and host and port.isdigit()
                and 0 < int(port) < 65536):
            raise usage.UsageError("--mesh-resolve takes SERVICE=HOST:PORT")
        self["mesh_resolve"][service.strip()] = (host.strip("[]"), int(port))

    def opt_plugin_regions(self, value: str) -> None:
        """
        NAME=R1,R2: offer plugin NAME only in these regions (repeatable).
        """
        name, sep, regions = value.partition("=")
        if not sep or not name:
            raise usage.UsageError("--plugin-regions takes NAME=REGION[,REGION...]")
        self["plugin_regions"][name.strip()] = _region_list(regions)

    def postOptions(self) -> None:
        self["regions"] = _region_list(self["regions"])


class MimicService(Service):
    """Listens on an endpoint and says where, once it is listening."""

    def __init__(self, description: str, site: Any, reactor: Any = None) -> None:
        if reactor is None:
            from twisted.internet import reactor
        self.description = description
        self.site = site
        self.reactor = reactor
        self.port: Any = None

    def startService(self) -> Any:
        super().startService()
        endpoint = serverFromString(self.reactor, self.description)

        def listening(port: Any) -> Any:
            self.port = port
            address = port.getHost()
            host = f"[{address.host}]" if ":" in address.host else address.host
            log.info("Mimic is listening on http://{host}:{port}/",
                     host=host, port=address.port)
            return port

        def failed(failure: Any) -> None:
            log.failure("Mimic cannot listen on {description}", failure,
                        description=self.description)
            # Listening fails before the reactor runs (a busy port): stop it
            # as soon as it runs, then exit non-zero, which twistd has no
            # other way to say.
            self.reactor.addSystemEventTrigger("after", "shutdown", _exit_failed)
            self.reactor.callWhenRunning(self.reactor.stop)

        return endpoint.listen(self.site).addCallbacks(listening, failed)

    def stopService(self) -> Any:
        super().stopService()
        if self.port is not None:
            return self.port.stopListening()
        return None


def _exit_failed() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(1)


def makeService(config: Any) -> Service:
    """Build the core and the site from the parsed options."""
    core = MimicCore.from_plugins(
        realtime=bool(config["realtime"]),
        seed=config["seed"],
        regions=config["regions"],
        plugin_regions=config["plugin_regions"],
        options=dict(config),
    )
    try:
        root = MountedRoot(core)
    except ValueError as error:
        # A plugin refused its configuration (a bad --mesh file): say why
        # in one line rather than with a traceback.
        raise SystemExit(f"mimic: {error}") from None
    site = MimicSite(root, verbose=bool(config["verbose"]), core=core)
    return MimicService(config["listen"], site)
