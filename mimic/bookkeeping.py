"""
What the site does for every request beside routing it: give it an id
(answered in the OpenStack request-id headers), refuse it under
``--strict-auth``, record it in the request journal, and, with
``--state-file``, log it before it runs and hold its answer until what the
answer may show is durable.

It is a mixin of :class:`mimic.site.MimicRequest`, which calls these hooks
at the moments they belong to (before routing, at finish); the state they
need lives on the site (its core, its path classifier, its state file).
"""

from __future__ import annotations

import os
import re
import time
import uuid
from typing import Any, Optional

from twisted.web import server

from mimic.imimic import IStatefulAPI
from mimic.model.journal import KEPT_HEADER_BYTES, masked_body, masked_headers
from mimic.paths import CONTROL, ApiAtPath
from mimic.rest.http import RequestError
from mimic.util import uuid4_text

#: An incoming ``X-OpenStack-Request-ID`` is taken as the global request id
#: only in this form (oslo.middleware's RequestId: "accepted as long as it
#: is of the format req-$uuid").
GLOBAL_REQUEST_ID = re.compile(
    r"^req-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$")


class RequestIds:
    """
    Request ids, ``req-<uuid>`` in a uuid4's form: 74 random bits drawn once
    from the operating system, then a counter (from a random start) in the
    last 48 bits. ``uuid.uuid4()`` reads the OS's randomness for every id,
    which cost more than the rest of a request's bookkeeping, and even one
    draw from a seeded generator per id showed in a mesh hop (two requests
    each); a request id must be unique, not unguessable (it is answered to
    the caller and kept in the journal, never used as a credential).
    """

    def __init__(self) -> None:
        text = uuid4_text(int.from_bytes(os.urandom(16), "big"))
        self._prefix = f"req-{text[:24]}"   # through the fourth group's hyphen
        self._next = int(text[24:], 16)

    def new(self) -> str:
        number = self._next
        self._next = (number + 1) & 0xFFFF_FFFF_FFFF
        return f"{self._prefix}{number:012x}"


class RequestBookkeeping:
    """
    The per-request hooks, mixed into a ``twisted.web.server.Request``
    whose class provides ``_logged_response`` (the captured start of the
    answer) and ``_finish_now()`` (finish without waiting).
    """

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
        ids = getattr(site, "request_ids", None)
        self.mimic_request_id = getattr(site, "replay_request_id", None) \
            or (ids.new() if ids is not None else f"req-{uuid.uuid4()}")
        incoming = self.getHeader(b"x-openstack-request-id")
        if incoming and GLOBAL_REQUEST_ID.match(incoming.decode("latin-1")):
            self.global_request_id = incoming.decode("ascii")
        names = self.api.request_id_header_bytes
        if names:
            answered = self.mimic_request_id.encode("ascii")
            for name in names:
                self.setHeader(name, answered)
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
            scoped = "no project" if token.unscoped else f"'{token.tenant.id}'"
            if self.api.wrong_tenant_status == 400:
                return RequestError(400, f"Malformed request URL: URL's project_id "
                                    f"'{tenant}' doesn't match Context's project_id "
                                    f"{scoped}")
            return RequestError(self.api.wrong_tenant_status,
                                f"The token is not scoped to tenant {tenant!r}.")
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
        api = self.api
        # One pass over the headers finds the kept ones and the token (the
        # last value, as getHeader reads it): most requests carry few.
        kept = []
        token = None
        for name, values in self.requestHeaders.getAllRawHeaders():
            lower = name.lower()
            if lower in KEPT_HEADER_BYTES:
                kept.append((name.decode("latin-1"), b", ".join(values).decode("latin-1")))
                if lower == b"x-auth-token":
                    token = values[-1]
        tenant = api.tenant
        if tenant is None and token:
            found = core.store.valid_token(token.decode("utf-8", "replace"))
            if found is not None and not found.unscoped:
                tenant = found.tenant.id
        raw_body = self._raw_body
        if raw_body:
            content_type = (self.getHeader(b"content-type") or b"").decode("latin-1")
            request_body = masked_body(raw_body, content_type, journal.body_bytes)
        else:
            request_body = ""
        # In JournalEntry's order (after its id).
        journal.record(
            self.method.decode("ascii", "replace"), path, query, api.name, tenant, self.code,
            self._clock_started, time.time(), (time.perf_counter() - self._started) * 1000,
            self.mimic_request_id, self.global_request_id,
            masked_headers(kept) if kept else {}, request_body,
            self._logged_response.decode("utf-8", "ignore"), api.control)
