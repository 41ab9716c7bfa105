"""
The HTTP site: Twisted's ``Site`` with Mimic's request class, which refuses
bodies over 1 MiB with a JSON 413 before buffering them, counts every
answered request in ``mimic_http_requests_total`` and, with ``--verbose``,
logs every request and response.

Before any route runs, each request learns which API its path belongs to
(:mod:`mimic.paths`); the site layer's own answers (413, a path that is not
UTF-8, ``--strict-auth`` refusals) come in that API's error shape, OpenStack
APIs' answers carry a request id, and every answer is recorded in the
request journal (see "Request ids, strict auth and the journal" below).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any, Optional
from urllib.parse import unquote_to_bytes

from twisted.logger import Logger
from twisted.web import server

from mimic.imimic import IStatefulAPI
from mimic.metrics import count_request
from mimic.model.journal import masked_body, masked_headers
from mimic.paths import CONTROL, ApiAtPath
from mimic.rest.http import RequestError

#: Bodies larger than this are refused (413) without being stored.
MAX_BODY_BYTES = 1024 * 1024

#: How much of a body ``--verbose`` logs.
LOGGED_BODY_BYTES = 2048

log = Logger()


#: An incoming ``X-OpenStack-Request-ID`` is taken as the global request id
#: only in this form (oslo.middleware's RequestId: "accepted as long as it
#: is of the format req-$uuid").
GLOBAL_REQUEST_ID = re.compile(
    r"^req-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$")


class MimicRequest(server.Request):
    """A request that enforces the body limit and can log itself."""

    _too_large = False
    _received = 0
    _verbose = False
    _logged_response = b""
    _captured_limit = 0
    #: The API the path belongs to; decided in process().
    api: ApiAtPath = CONTROL
    #: ``req-<uuid>``, this request's own id (see mimic.rest.http.request_id).
    mimic_request_id: Optional[str] = None
    #: The caller's ``X-OpenStack-Request-ID``, when it is a valid one.
    global_request_id: Optional[str] = None
    _started = 0.0
    _clock_started = 0.0
    _raw_body = b""
    #: The answer's bytes while it waits to be durable (--state-file).
    _held: Optional[list] = None
    _checkpoint_after = False

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
        self._begin()
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
        super().process()

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
        if core is not None and not getattr(site, "replaying", False):
            count_request(core, self.path, self.method, self.code)
            self._journal(core)
        if self._verbose:
            log.info("<-- {code} {method} {uri} {body}", code=self.code,
                     method=self.method.decode(), uri=self.uri.decode("utf-8", "replace"),
                     body=self._logged_response[:LOGGED_BODY_BYTES].decode("utf-8", "replace"))
        return super().finish()


    # Request ids, strict auth and the journal ---------------------------

    def _begin(self) -> None:
        """
        Decide the path's API, give the request its id (answered in the
        API's request-id headers) and start the journal's timers.
        """
        site = self.channel.site
        core = getattr(site, "core", None)
        paths = getattr(site, "paths", None)
        if paths is not None:
            self.api = paths.classify(self.path, self.method)
        self.mimic_request_id = getattr(site, "replay_request_id", None) \
            or f"req-{uuid.uuid4()}"
        incoming = self.getHeader(b"x-openstack-request-id")
        if incoming and GLOBAL_REQUEST_ID.match(incoming.decode("latin-1")):
            self.global_request_id = incoming.decode("ascii")
        for name in self.api.request_id_headers:
            self.setHeader(name.encode("ascii"), self.mimic_request_id.encode("ascii"))
        if core is not None and core.journal.enabled:
            self._started = time.perf_counter()
            self._clock_started = core.clock.seconds()
            self._captured_limit = core.journal.body_bytes
            self.content.seek(0)
            self._raw_body = self.content.read()
            self.content.seek(0)

    def _strict_auth_refusal(self) -> Optional[RequestError]:
        """
        With ``--strict-auth``: a 401 unless the path's credential header
        holds a token Mimic issued that is neither expired on Mimic's clock
        nor revoked, and a 403 if the URL names another tenant.
        """
        core = getattr(self.channel.site, "core", None)
        header = self.api.credential_header
        if core is None or not core.strict_auth or header is None:
            return None
        value = self.getHeader(header)
        token = core.store.valid_token(value.decode("utf-8", "replace")) if value else None
        if token is None:
            return RequestError(
                401, "The request you have made requires authentication.")
        tenant = self.api.tenant
        if tenant is not None and (token.unscoped or token.tenant.id != tenant):
            return RequestError(
                403, f"The token is not scoped to tenant {tenant!r}.")
        return None

    # The state file (--state-file, mimic.state_file) -------------------

    def _log_for_state_file(self) -> None:
        """
        Log this request before it runs (unless replaying it would not
        remake its effect: then a checkpoint is taken after it ran), and
        hold its answer (see _release_when_durable). Mesh traffic and
        reads of the control plane change no kept state and are not logged.
        """
        site = self.channel.site
        state_file = getattr(site, "state_file", None)
        if state_file is None or getattr(site, "replaying", False):
            return
        self._held = []
        reading = self.method in (b"GET", b"HEAD", b"OPTIONS")
        if (self.api.control and reading) or self.api.name == "mesh":
            return
        core = site.core
        api = core.apis.get(self.api.name)
        replayable = not IStatefulAPI.providedBy(api) or api.replayable(self.method, self.path)
        if not reading and (core.realtime or not replayable):
            self._checkpoint_after = True
            return
        self.content.seek(0)
        body = self.content.read()
        self.content.seek(0)
        headers = [(name, value) for name, values in self.requestHeaders.getAllRawHeaders()
                   for value in values]
        state_file.log(self.method, self.uri, headers, body, self.mimic_request_id,
                       writes=not reading)

    def _release_when_durable(self) -> bool:
        """
        With a state file, the answer goes out only once every write logged
        before it finished is committed (a checkpoint of this request's
        effect, if it needs one). True if the answer is held for now.
        """
        if self._held is None:
            return False
        state_file = self.site.state_file
        core = self.site.core
        if self._checkpoint_after or state_file.checkpoint_due:
            state_file.checkpoint_now(core)
        held, self._held = self._held, None

        def release() -> None:
            if not self._disconnected:
                for data in held:
                    server.Request.write(self, data)
            self._finish_now()

        waiting = [True]

        def release_later() -> None:
            waiting[0] = False
            release()

        state_file.when_durable(state_file.last_write_seq, release_later)
        return waiting[0]

    def _journal(self, core: Any) -> None:
        journal = core.journal
        if not journal.enabled:
            return
        path, _, query = self.uri.decode("utf-8", "replace").partition("?")
        tenant = self.api.tenant
        if tenant is None:
            token = self.getHeader(b"x-auth-token")
            found = core.store.valid_token(token.decode("utf-8", "replace")) if token else None
            if found is not None and not found.unscoped:
                tenant = found.tenant.id
        content_type = (self.getHeader(b"content-type") or b"").decode("latin-1")
        journal.record(
            method=self.method.decode("ascii", "replace"),
            path=path,
            query=query,
            api=self.api.name,
            tenant=tenant,
            status=self.code,
            clock_time=self._clock_started,
            real_time=time.time(),
            duration_ms=round((time.perf_counter() - self._started) * 1000, 3),
            request_id=self.mimic_request_id,
            global_request_id=self.global_request_id,
            request_headers=masked_headers(
                (name.decode("latin-1"), b", ".join(values).decode("latin-1"))
                for name, values in self.requestHeaders.getAllRawHeaders()),
            request_body=masked_body(self._raw_body, content_type, journal.body_bytes),
            response_body=self._logged_response.decode("utf-8", "ignore"),
            control=self.api.control,
        )


class MimicSite(server.Site):
    """``Site`` serving Mimic's root with :class:`MimicRequest`."""

    requestFactory = MimicRequest

    def __init__(self, resource: Any, verbose: bool = False, core: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(resource, **kwargs)
        self.verbose = verbose
        # The core whose metrics count requests (mimic_http_requests_total).
        self.core = core
        # Which API each path belongs to (a MountedRoot knows its mounts).
        self.paths = getattr(resource, "paths", None)
        # --state-file: where requests are made durable (mimic.state_file).
        self.state_file: Any = None
        self.replaying = False
        self.replay_request_id: Optional[str] = None
        # Access logs would drown the verbose log and cost time at load.
        self.noisy = False

    def log(self, request: Any) -> None:
        """Mimic logs requests itself with --verbose, not in access-log form."""
