"""
Mimic's command-line options (``mimic [options]``, ``twistd -n mimic
[options]``): what each means, and the one-line refusals of values that are
wrong. Kept apart from the service they configure, and cheap to import:
``mimic`` reads its options before it imports what serves.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit

from twisted.python import usage

from mimic import __version__
from mimic.catalog import DEFAULT_REGIONS
from mimic.profiles import DEFAULT_PROFILE, PROFILES

#: Loopback unless the environment says otherwise: a container image sets
#: MIMIC_LISTEN to all interfaces, so that ``docker run mimic --verbose``
#: (arguments replacing the image's) is still reachable from outside.
DEFAULT_LISTEN = os.environ.get("MIMIC_LISTEN") or "tcp:8900:interface=127.0.0.1"

#: Connections the kernel queues for Mimic before it accepts them. Twisted's
#: 50 overflows when a test suite or a wide mesh fan-out connects at once,
#: and an overflowed connect waits a second for the SYN to be retried.
DEFAULT_BACKLOG = 1024


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise usage.UsageError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 3600:
        raise usage.UsageError(f"{text!r}: give seconds between 0 and 3600")
    return value


def with_backlog(description: str, backlog: int) -> str:
    """A tcp/tcp6 endpoint description with ``backlog=`` unless it has one."""
    kind = description.split(":", 1)[0]
    if kind not in ("tcp", "tcp6") or "backlog=" in description:
        return description
    return f"{description}:backlog={backlog}"


#: What ``--log-format`` accepts: lines for people, JSON objects for machines.
LOG_FORMATS = ("text", "json")


def _region_list(text: str) -> tuple[str, ...]:
    regions = tuple(r.strip() for r in text.split(",") if r.strip())
    if not regions:
        raise usage.UsageError("a region list needs at least one region")
    return regions


def listen_description(value: str) -> str:
    """
    The endpoint description ``--listen`` means: a bare port (``8900``, as
    the original Mimic took) is that port on loopback; anything else is a
    Twisted endpoint description, used as written.
    """
    value = value.strip()
    if value.isascii() and value.isdigit():
        if not 0 <= int(value) < 65536:
            raise usage.UsageError(f"--listen: {value} is not a port number (0-65535)")
        return f"tcp:{int(value)}:interface=127.0.0.1"
    return value


def zipkin_url(value: str) -> str:
    """``--zipkin`` is where spans are POSTed: an http(s) URL with a host."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise usage.UsageError(
            f"--zipkin takes an http:// or https:// URL of a Zipkin collector, not {value!r}")
    return value


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
         "Zipkin collector URL (http:// or https://) the mesh sends its spans "
         "to (batched)."],
        ["mesh-timeout", None, None,
         "Seconds a mesh upstream call may take before it is a 504 (default 30).",
         _positive_seconds],
        ["mesh-connect-timeout", None, None,
         "Seconds a mesh upstream connection may take to open (default 5).",
         _positive_seconds],
        ["backlog", None, DEFAULT_BACKLOG,
         "Listen backlog: connections the kernel queues before Mimic accepts "
         "them (a tcp --listen without its own backlog= gets this).", int],
        ["admin-users", None, "",
         "Comma-separated user names that hold the admin role everywhere, "
         "besides 'admin'."],
        ["mesh-instance", None, None,
         "This pod's own name, mixed into the seed of its trace and span ids so "
         "that replicas of one service started with one --seed draw different ids."],
        ["state-file", None, None,
         "Keep all state in this SQLite file (created if absent): loaded on "
         "start, every acknowledged change durable before its answer."],
        ["journal-size", None, 10_000,
         "How many requests the request journal keeps (0 turns it off).", int],
        ["journal-body-bytes", None, 4096,
         "How much of each request and response body the journal keeps.", int],
        ["profile", None, DEFAULT_PROFILE,
         "The canned data a fresh Mimic holds: rackspace (the original's "
         "flavors and images) or devstack (a devstack cloud's flavors and "
         "cirros image)."],
        ["log-format", None, "text",
         "How each log line is written: text (for people) or json (one JSON "
         "object per line, for machines)."],
    ]
    optFlags = [
        ["realtime", "r", "Let time pass by itself (the reactor is the clock; "
         "tick is off)."],
        ["verbose", "v", "Log each request and response with their bodies."],
        ["quiet", "q", "No access log (one line per request is the default)."],
        ["strict-refs", None, "Nova refuses image and flavor ids it does not know, as "
         "real Nova does (by default any well-formed id is accepted)."],
        ["strict-auth", None, "Every emulated API requires an unexpired token "
         "Mimic issued, scoped to the tenant in the URL (Fastly: a Fastly-Key "
         "Mimic issued)."],
        ["tls", None, "Load TLS support (pyOpenSSL) even when --listen and --zipkin "
         "need none, for a plugin that makes HTTPS calls (without it the mimic "
         "command starts without TLS; run under Twisted's own launcher it always has it)."],
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

    def opt_version(self) -> None:
        """Print Mimic's version and exit."""
        print(f"mimic {__version__}")
        sys.exit(0)

    def getSynopsis(self) -> str:
        # Run as ``mimic`` (no parent), say ``mimic``, not the executable
        # twistd's machinery would name.
        if self.parent is None:
            return "Usage: mimic [options]"
        return super().getSynopsis()

    def postOptions(self) -> None:
        self["regions"] = _region_list(self["regions"])
        self["listen"] = listen_description(self["listen"])
        if self["zipkin"] is not None:
            self["zipkin"] = zipkin_url(self["zipkin"])
        if self["log-format"] not in LOG_FORMATS:
            raise usage.UsageError(
                f"--log-format takes one of {', '.join(LOG_FORMATS)}, "
                f"not {self['log-format']!r}")
        if self["profile"] not in PROFILES:
            raise usage.UsageError(
                f"--profile takes one of {', '.join(PROFILES)}, not {self['profile']!r}")
        if self["quiet"] and self["verbose"]:
            raise usage.UsageError("--quiet and --verbose cannot be given together")
        for name, regions in self["plugin_regions"].items():
            undeclared = [r for r in regions if r not in self["regions"]]
            if undeclared:
                raise usage.UsageError(
                    f"--plugin-regions {name}: {', '.join(undeclared)} "
                    f"{'is' if len(undeclared) == 1 else 'are'} not among --regions "
                    f"({', '.join(self['regions'])}); declare "
                    f"{'it' if len(undeclared) == 1 else 'them'} there first")
        if not 1 <= self["backlog"] <= 65535:
            raise usage.UsageError("--backlog takes a count from 1 to 65535")
        for name, most in (("journal-size", 10_000_000), ("journal-body-bytes", 1024 * 1024)):
            if not 0 <= self[name] <= most:
                raise usage.UsageError(f"--{name} takes an integer from 0 to {most}")
