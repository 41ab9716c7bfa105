"""
Mimic's log as a server's: one access-log line per answered request
(method, path, status, duration, which API answered), on by default and off
with ``--quiet``, and the observer ``--log-format json`` installs, which
writes every log event (access lines included, with their fields) as one
JSON object per line for log shippers.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from typing import Callable, Collection, Optional, TextIO

from twisted.logger import ILogObserver, Logger, formatEvent
from zope.interface import provider

from mimic.metrics import api_of_path

#: The logger of access lines; its namespace lets observers tell them apart.
access = Logger(namespace="mimic.access")

#: A logged path is cut here: a path is client input, a log line is not a store.
MAX_LOGGED_PATH = 2048

#: The fields of an access event that the JSON observer copies as they are.
ACCESS_FIELDS = ("method", "path", "status", "duration_ms", "api")


def api_label(path: bytes, api_names: Collection[str]) -> str:
    """
    Who answered ``path``: an emulated API's name (as in
    ``mimic_http_requests_total``), ``control`` for Mimic's own ``/mimic/``
    routes, ``mesh`` for mesh services and their metrics, ``-`` otherwise.
    """
    api = api_of_path(path, api_names)
    if api is not None:
        return api
    first = path.split(b"?", 1)[0].lstrip(b"/").split(b"/", 1)[0]
    if first == b"mimic":
        return "control"
    if first in (b"mesh", b"metrics", b"@") or first.startswith(b"@"):
        return "mesh"
    return "-"


def log_access(method: bytes, uri: bytes, status: int, duration_seconds: float,
               api: str) -> None:
    """
    Write the access line of one answered request.

    The line is formatted here, once, and handed to the logger as the one
    field of a one-field format: Twisted's ``formatEvent`` parses an event's
    format with ``string.Formatter`` for every observer, and a five-field
    format cost more than the rest of a mesh hop's bookkeeping. The fields
    stay on the event for the JSON observer.
    """
    method_text = method.decode("latin-1")
    path = uri[:MAX_LOGGED_PATH].decode("utf-8", "replace")
    duration_ms = round(duration_seconds * 1000.0, 3)
    access.info(
        "{access_line}",
        access_line=f"{method_text} {path} {status} {duration_ms:.1f}ms {api}",
        method=method_text,
        path=path,
        status=status,
        duration_ms=duration_ms,
        api=api,
    )


def _iso(stamp: Optional[float]) -> Optional[str]:
    if stamp is None:
        return None
    moment = datetime.fromtimestamp(stamp, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def json_record(event: dict) -> dict:
    """The JSON object one log event is written as."""
    level = event.get("log_level")
    record: dict = {
        "time": _iso(event.get("log_time")),
        "level": getattr(level, "name", None),
        "namespace": event.get("log_namespace"),
        "message": formatEvent(event),
    }
    if event.get("log_namespace") == access.namespace:
        for field in ACCESS_FIELDS:
            record[field] = event.get(field)
    failure = event.get("log_failure")
    if failure is not None:
        record["traceback"] = failure.getTraceback()
    return record


def json_lines_observer(stream: Optional[TextIO] = None) -> Callable[[dict], None]:
    """
    An observer writing each event as one line of JSON to ``stream``
    (standard output by default): what ``--log-format json`` logs to, and
    what ``twistd --logger mimic.access_log.json_lines_observer`` names.
    """
    # Taken now: once logging begins, twistd points sys.stdout at the log.
    out = stream if stream is not None else sys.stdout

    @provider(ILogObserver)
    def observe(event: dict) -> None:
        out.write(json.dumps(json_record(event), default=repr) + "\n")
        out.flush()

    return observe

