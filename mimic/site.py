"""
The HTTP site: Twisted's ``Site`` with Mimic's request class, which refuses
bodies over 1 MiB with a JSON 413 before buffering them, counts every
answered request in ``mimic_http_requests_total``, writes the access log
(one line per request, unless ``--quiet``) and, with ``--verbose``, logs
every request and response with their bodies.

Before any route runs, each request learns which API its path belongs to
(:mod:`mimic.paths`); the site layer's own answers (413, a path that is not
UTF-8, ``--strict-auth`` refusals) come in that API's error shape. Request
ids, strict auth, the journal and the state file's holding of answers are
:mod:`mimic.bookkeeping`'s; this module only calls them.
"""

from __future__ import annotations

import json
import time
from typing import Any, Optional
from urllib.parse import unquote_to_bytes

from twisted.logger import Logger
from twisted.web import server

from mimic.access_log import api_label, log_access
from mimic.bookkeeping import RequestBookkeeping
from mimic.metrics import count_request
from mimic.rest.http import RequestError

#: Bodies larger than this are refused (413) without being stored.
MAX_BODY_BYTES = 1024 * 1024

#: Except a state document (``PUT /mimic/v1.1/state``): it holds everything.
MAX_STATE_BYTES = 256 * 1024 * 1024
STATE_PATH = b"/mimic/v1.1/state"

#: How much of a body ``--verbose`` logs.
LOGGED_BODY_BYTES = 2048

log = Logger()


class MimicRequest(RequestBookkeeping, server.Request):
    """
    A request that enforces the body limit, can log itself, and does the
    bookkeeping of :class:`mimic.bookkeeping.RequestBookkeeping`.
    """

    _too_large = False
    _received = 0
    _verbose = False
    _logged_response = b""
    #: When Mimic began answering (``time.perf_counter``), for the access log.
    _started = None

    _body_limit = MAX_BODY_BYTES

    def gotLength(self, length: Any) -> None:
        # Only the request line is known when the body starts (Twisted keeps
        # it on the channel until the request is complete).
        command = getattr(self.channel, "_command", None)
        path = getattr(self.channel, "_path", b"").split(b"?")[0].rstrip(b"/")
        if command == b"PUT" and path == STATE_PATH:
            self._body_limit = MAX_STATE_BYTES
        if length is not None and length > self._body_limit:
            self._too_large = True
        super().gotLength(None if self._too_large else length)

    def handleContentChunk(self, data: bytes) -> None:
        if self._too_large:
            return
        self._received += len(data)
        if self._received > self._body_limit:
            self._too_large = True
            self.content.seek(0)
            self.content.truncate()
            return
        super().handleContentChunk(data)

    def process(self) -> None:
        self._started = time.perf_counter()
        self._begin()
        if self._too_large:
            self._refuse(413, "overLimit",
                         f"Request body is larger than {self._body_limit} bytes.")
            return
        try:
            unquote_to_bytes(self.path).decode("utf-8")
        except UnicodeDecodeError:
            # Every API routes on text; say so once here, in JSON.
            self._refuse(400, "badRequest", "The request path is not valid UTF-8.")
            return
        refusal = self._strict_auth_refusal()
        if refusal is not None:
            self._refuse(refusal.code, refusal.kind, refusal.message)
            return
        self._log_for_state_file()
        self._verbose = getattr(self.channel.site, "verbose", False)
        if self._verbose:
            self._captured_limit = max(self._captured_limit, LOGGED_BODY_BYTES)
            self.content.seek(0)
            body = self.content.read(LOGGED_BODY_BYTES)
            self.content.seek(0)
            log.info("--> {method} {uri} {body}", method=self.method.decode(),
                     uri=self.uri.decode("utf-8", "replace"),
                     body=body.decode("utf-8", "replace"))
        core = getattr(self.channel.site, "core", None)
        if core is None:
            super().process()
            return
        store = core.store
        with store.first_mentions() as mentioned:
            super().process()
        # A tenant first named by a read or a refused request is not kept:
        # made-up tenant ids in URLs must cost nothing once answered.
        if mentioned and self.method not in (b"GET", b"HEAD") and (
                not self.finished or self.code < 400):
            store.keep(mentioned)

    def _refuse(self, code: int, kind: str, message: str) -> None:
        """Answer before any routing, in the error shape of the path's API."""
        self.site = self.channel.site
        self.setResponseCode(code)
        self.setHeader(b"content-type", b"application/json")
        body = self.api.error_body(RequestError(code, message, kind=kind))
        self.write(json.dumps(body).encode("utf-8"))
        self.finish()

    def write(self, data: bytes) -> None:
        if len(self._logged_response) < self._captured_limit:
            self._logged_response += data[: self._captured_limit - len(self._logged_response)]
        if self._held is not None:
            self._held.append(data)
            return
        super().write(data)

    def finish(self) -> Any:
        if self._release_when_durable():
            return None
        return self._finish_now()

    def _finish_now(self) -> Any:
        site = getattr(self, "site", None)
        core = getattr(site, "core", None)
        replaying = getattr(site, "replaying", False)
        if core is not None and not replaying:
            count_request(core, self.path, self.method, self.code)
            self._journal(core)
        if not replaying:
            self._write_access_log(core)
        if self._verbose:
            log.info("<-- {code} {method} {uri} {body}", code=self.code,
                     method=self.method.decode(), uri=self.uri.decode("utf-8", "replace"),
                     body=self._logged_response[:LOGGED_BODY_BYTES].decode("utf-8", "replace"))
        return super().finish()

    def _write_access_log(self, core: Any) -> None:
        """The access-log line of this request (``--quiet`` turns it off)."""
        site = getattr(self, "site", None)
        if not getattr(site, "access_log", False) or self._started is None:
            return
        names = core.apis if core is not None else ()
        log_access(self.method, self.uri, self.code,
                   time.perf_counter() - self._started, api_label(self.path, names))


class MimicSite(server.Site):
    """``Site`` serving Mimic's root with :class:`MimicRequest`."""

    requestFactory = MimicRequest

    def __init__(self, resource: Any, verbose: bool = False, core: Any = None,
                 access_log: bool = False, **kwargs: Any) -> None:
        super().__init__(resource, **kwargs)
        self.verbose = verbose
        # One line per answered request (mimic.access_log); Mimic turns it on
        # unless --quiet.
        self.access_log = access_log
        # The core whose metrics count requests (mimic_http_requests_total).
        self.core = core
        # Which API each path belongs to (a MountedRoot knows its mounts).
        self.paths = getattr(resource, "paths", None)
        # --state-file: where requests are made durable (mimic.state_file).
        self.state_file: Any = None
        self.replaying = False
        self.replay_request_id: Optional[str] = None
        # No "MimicSite starting on ..." line: Mimic says where it listens.
        self.noisy = False

    def log(self, request: Any) -> None:
        """Mimic writes its own access log (see :mod:`mimic.access_log`)."""
