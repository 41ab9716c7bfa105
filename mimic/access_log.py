"""
Mimic's log as a server's: one access-log line per answered request
(method, path, status, duration, which API answered), on by default and off
with ``--quiet``; the observer ``mimic`` writes its text log with (the
lines of twistd's own, made cheaper), and the one ``--log-format json``
installs, which writes every log event (access lines included, with their
fields) as one JSON object per line for log shippers.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from typing import Callable, Collection, Optional, TextIO

from twisted.logger import (
    FileLogObserver,
    ILogObserver,
    Logger,
    formatEvent,
    formatEventAsClassicLogText,
    formatTime,
)
from zope.interface import provider

from mimic.metrics import api_of_path

#: The logger of access lines; its namespace lets observers tell them apart.
access = Logger(namespace="mimic.access")

#: A logged path is cut here: a path is client input, a log line is not a store.
MAX_LOGGED_PATH = 2048

#: The format of an access event: its one field, the line made here.
ACCESS_FORMAT = "{access_line}"

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
        ACCESS_FORMAT,
        access_line=f"{method_text} {path} {status} {duration_ms:.1f}ms {api}",
        method=method_text,
        path=path,
        status=status,
        duration_ms=duration_ms,
        api=api,
    )


class SecondStamps:
    """
    twistd's timestamp of a log line (``2026-12-01T13:20:54+0000``, RFC 3339
    to the second in the local zone), made once per second: Twisted's
    ``formatTime`` works out the zone's offset and runs ``strftime`` for
    every line, which cost more than the rest of writing an access line
    (tens of microseconds, three times per 2-hop mesh request). The text
    depends only on the whole second (zone offsets change on whole
    seconds), so the last second's is kept.
    """

    __slots__ = ("second", "text")

    def __init__(self) -> None:
        self.second: Optional[int] = None
        self.text = "-"

    def __call__(self, when: Optional[float]) -> str:
        if when is None:
            return "-"
        second = int(when // 1)
        if second != self.second:
            self.text = formatTime(second)
            self.second = second
        return self.text


def text_lines_observer(stream: Optional[TextIO] = None) -> FileLogObserver:
    """
    An observer writing each event as twistd's text observer does, line for
    line (``<time> [<namespace>#<level>] <text>``), to ``stream`` (standard
    output by default): what the ``mimic`` command logs to (see
    :mod:`mimic.__main__`). Cheaper per line in two ways: the timestamp is
    made once per second (:class:`SecondStamps`), and an access line, whose
    text :func:`log_access` has already made, is written without Twisted
    formatting the event again.
    """
    out = stream if stream is not None else sys.stdout
    stamps = SecondStamps()

    def line(event: dict) -> Optional[str]:
        text = event.get("access_line")
        level = event.get("log_level")
        if text is None or event.get("log_namespace") != access.namespace \
                or event.get("log_format") != ACCESS_FORMAT or level is None \
                or "log_system" in event or "log_failure" in event:
            return formatEventAsClassicLogText(event, formatTime=stamps)
        if "\n" in text:
            text = text.replace("\n", "\n\t")  # as Twisted indents a line's own breaks
        return f"{stamps(event.get('log_time'))} [{access.namespace}#{level.name}] {text}\n"

    return FileLogObserver(out, line)


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

