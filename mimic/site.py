"""
The HTTP site: Twisted's ``Site`` with Mimic's request class, which refuses
bodies over 1 MiB with a JSON 413 before buffering them, counts every
answered request in ``mimic_http_requests_total``, writes the access log
(one line per request, unless ``--quiet``) and, with ``--verbose``, logs
every request and response with their bodies.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import unquote_to_bytes

from twisted.logger import Logger
from twisted.web import server

from mimic.access_log import api_label, log_access
from mimic.metrics import count_request

#: Bodies larger than this are refused (413) without being stored.
MAX_BODY_BYTES = 1024 * 1024

#: How much of a body ``--verbose`` logs.
LOGGED_BODY_BYTES = 2048

log = Logger()


class MimicRequest(server.Request):
    """A request that enforces the body limit and can log itself."""

    _too_large = False
    _received = 0
    _verbose = False
    _logged_response = b""
    #: When Mimic began answering (``time.perf_counter``), for the access log.
    _started = None

    def gotLength(self, length: Any) -> None:
        if length is not None and length > MAX_BODY_BYTES:
            self._too_large = True
        super().gotLength(None if self._too_large else length)

    def handleContentChunk(self, data: bytes) -> None:
        if self._too_large:
            return
        self._received += len(data)
        if self._received > MAX_BODY_BYTES:
            self._too_large = True
            self.content.seek(0)
            self.content.truncate()
            return
        super().handleContentChunk(data)

    def process(self) -> None:
        self._started = time.perf_counter()
        if self._too_large:
            self._refuse(413, "overLimit",
                         f"Request body is larger than {MAX_BODY_BYTES} bytes.")
            return
        try:
            unquote_to_bytes(self.path).decode("utf-8")
        except UnicodeDecodeError:
            # Every API routes on text; say so once here, in JSON.
            self._refuse(400, "badRequest", "The request path is not valid UTF-8.")
            return
        self._verbose = getattr(self.channel.site, "verbose", False)
        if self._verbose:
            self.content.seek(0)
            body = self.content.read(LOGGED_BODY_BYTES)
            self.content.seek(0)
            log.info("--> {method} {uri} {body}", method=self.method.decode(),
                     uri=self.uri.decode("utf-8", "replace"),
                     body=body.decode("utf-8", "replace"))
        super().process()

    def _refuse(self, code: int, kind: str, message: str) -> None:
        """Answer before any routing, in OpenStack's error shape."""
        self.site = self.channel.site
        self.setResponseCode(code)
        self.setHeader(b"content-type", b"application/json")
        self.write(json.dumps({kind: {"code": code, "message": message}}).encode("utf-8"))
        self.finish()

    def write(self, data: bytes) -> None:
        if self._verbose and len(self._logged_response) < LOGGED_BODY_BYTES:
            self._logged_response += data[: LOGGED_BODY_BYTES - len(self._logged_response)]
        super().write(data)

    def finish(self) -> Any:
        core = getattr(getattr(self, "site", None), "core", None)
        if core is not None:
            count_request(core, self.path, self.method, self.code)
        self._write_access_log(core)
        if self._verbose:
            log.info("<-- {code} {method} {uri} {body}", code=self.code,
                     method=self.method.decode(), uri=self.uri.decode("utf-8", "replace"),
                     body=self._logged_response.decode("utf-8", "replace"))
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
        # No "MimicSite starting on ..." line: Mimic says where it listens.
        self.noisy = False

    def log(self, request: Any) -> None:
        """Mimic writes its own access log (see :mod:`mimic.access_log`)."""
