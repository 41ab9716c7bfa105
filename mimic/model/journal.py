"""
The request journal: what clients asked Mimic and what it answered, newest
last, in a bounded ring.

A test author reads it to see which requests their code made (WireMock's
request journal, for Mimic). It is a record of traffic, not emulated
state: reset keeps it, snapshots leave it out, ``DELETE
/mimic/v1.1/requests`` empties it. Credentials never reach it: the
``X-Auth-Token``, ``X-Subject-Token`` and ``Fastly-Key`` headers and every
password or API key in a JSON or form body are masked before anything is
stored, and bodies are cut to a configured size.
"""

from __future__ import annotations

import json
import re
from collections import deque
from typing import Any, Iterable, NamedTuple, Optional
from urllib.parse import parse_qsl, urlencode

import attrs

from mimic.util import iso_time

#: What stands in for a masked secret.
MASK = "***"

#: Headers whose values are credentials.
SECRET_HEADERS = frozenset({"x-auth-token", "x-subject-token", "fastly-key"})

#: Body fields whose values are credentials (Identity's ``password``,
#: Rackspace's ``apiKey``, Fastly's ``password``), compared case-blind.
SECRET_FIELDS = frozenset({"password", "apikey", "api_key", "original_password"})

_SECRET_FIELD_BYTES = tuple(field.encode("ascii") for field in SECRET_FIELDS)

#: Headers worth keeping: the ones that decide how Mimic answers.
KEPT_HEADERS = ("content-type", "accept", "user-agent", "openstack-api-version",
                "x-openstack-nova-api-version", "x-openstack-request-id",
                "x-auth-token", "x-subject-token", "fastly-key")
KEPT_HEADER_BYTES = frozenset(name.encode("ascii") for name in KEPT_HEADERS)

#: The longest ``path`` filter pattern, and how much of a path it is
#: matched against: the filter is a client's regex, so both are bounded. It
#: is matched by RE2 (as the mesh's Istio regexes are), in time linear in
#: the path whatever the pattern.
MAX_PATTERN_LENGTH = 256
MATCHED_PATH_LENGTH = 2048

DEFAULT_CAPACITY = 10_000
DEFAULT_BODY_BYTES = 4096


class InvalidFilter(ValueError):
    """A journal query Mimic cannot answer; the message says why."""


class JournalEntry(NamedTuple):
    """
    One answered request, as the journal lists it. A named tuple: recording
    one is part of every request Mimic answers, and a tuple is made in a
    fraction of the time of a frozen attrs instance, with the same
    immutability.
    """

    id: int
    method: str
    path: str
    query: str
    api: str
    tenant: Optional[str]
    status: int
    #: The clock's reading when the request came (rendered in ISO 8601).
    clock_time: float
    real_time: float
    duration_ms: float
    request_id: Optional[str]
    global_request_id: Optional[str]
    request_headers: dict
    request_body: str
    response_body: str
    control: bool

    def to_json(self) -> dict:
        body = self._asdict()
        del body["control"]
        body["clock_time"] = iso_time(self.clock_time)
        body["duration_ms"] = round(self.duration_ms, 3)
        return body


def _mask_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: MASK if isinstance(key, str) and key.lower() in SECRET_FIELDS
                else _mask_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask_json(item) for item in value]
    return value


def masked_body(raw: bytes, content_type: str, limit: int) -> str:
    """
    ``raw`` as text with its secrets masked, cut to ``limit`` bytes. A body
    that may hold secrets but cannot be read whole (too large to parse, or
    malformed) is cut before its first secret-looking field.
    """
    if not raw:
        return ""
    lowered = raw.lower()
    if not any(field in lowered for field in _SECRET_FIELD_BYTES):
        # Most bodies name no secret: no need to parse them.
        return raw[:limit].decode("utf-8", "ignore")
    text = raw.decode("utf-8", "replace")
    if raw.lstrip()[:1] in (b"{", b"["):
        try:
            text = json.dumps(_mask_json(json.loads(text)), separators=(",", ":"))
        except ValueError:
            lowered = text.lower()
            cut = min((lowered.find(f'"{field}"') for field in SECRET_FIELDS
                       if f'"{field}"' in lowered), default=len(text))
            text = text[:cut]
    elif "x-www-form-urlencoded" in content_type:
        pairs = parse_qsl(text, keep_blank_values=True)
        text = urlencode([(k, MASK if k.lower() in SECRET_FIELDS else v) for k, v in pairs])
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def masked_headers(headers: Iterable[tuple[str, str]]) -> dict:
    """The kept request headers, credentials masked."""
    kept = {}
    for name, value in headers:
        name = name.lower()
        if name in KEPT_HEADERS:
            kept[name] = MASK if name in SECRET_HEADERS else value
    return kept


@attrs.frozen
class JournalQuery:
    """The filters of ``GET /mimic/v1.1/requests``, checked."""

    method: Optional[str] = None
    path: Any = None
    api: Optional[str] = None
    tenant: Optional[str] = None
    status: Optional[str] = None
    since: int = 0
    limit: Optional[int] = None
    include_control: bool = False

    @classmethod
    def parse(cls, args: dict) -> "JournalQuery":
        """From query arguments (name to one string); raises InvalidFilter."""
        unknown = sorted(set(args) - {"method", "path", "api", "tenant", "status",
                                      "since", "limit", "include"})
        if unknown:
            raise InvalidFilter(f"Unknown filter(s): {', '.join(unknown)}.")
        pattern = args.get("path")
        compiled = None
        if pattern is not None:
            if len(pattern) > MAX_PATTERN_LENGTH:
                raise InvalidFilter(
                    f"'path' is a regex of at most {MAX_PATTERN_LENGTH} characters.")
            # RE2 (linear time) is imported with the first path filter: the
            # journal is made at start-up, its filters are not.
            import re2

            try:
                compiled = re2.compile(pattern)
            except re2.error as error:
                raise InvalidFilter(f"'path' is not a valid regex: {error}.") from None
        status = args.get("status")
        if status is not None and not re.fullmatch(r"[1-5](\d\d|xx)", status):
            raise InvalidFilter("'status' is a status code (404) or a class (5xx).")
        include = args.get("include")
        if include not in (None, "control"):
            raise InvalidFilter("'include' takes only 'control'.")
        return cls(
            method=args["method"].upper() if args.get("method") else None,
            path=compiled,
            api=args.get("api"),
            tenant=args.get("tenant"),
            status=status,
            since=_count(args.get("since"), "since", 0),
            limit=_count(args.get("limit"), "limit", 1) if "limit" in args else None,
            include_control=include == "control",
        )

    def matches(self, entry: JournalEntry) -> bool:
        """Whether ``entry`` passes every filter."""
        if entry.id <= self.since:
            return False
        if entry.control and not self.include_control:
            return False
        if self.method is not None and entry.method != self.method:
            return False
        if self.api is not None and entry.api != self.api:
            return False
        if self.tenant is not None and entry.tenant != self.tenant:
            return False
        if self.status is not None:
            code = str(entry.status)
            if self.status.endswith("xx") and code[0] != self.status[0]:
                return False
            if not self.status.endswith("xx") and code != self.status:
                return False
        if self.path is not None and self.path.search(
                entry.path[:MATCHED_PATH_LENGTH]) is None:
            return False
        return True


def _count(value: Optional[str], name: str, least: int) -> int:
    if value is None:
        return 0
    if not value.isdigit() or int(value) < least or len(value) > 12:
        raise InvalidFilter(f"'{name}' must be an integer of at least {least}.")
    return int(value)


@attrs.define
class RequestJournal:
    """
    The last ``capacity`` requests (0 turns the journal off), each body cut
    to ``body_bytes``. Entry ids count up from 1 and are never reused, so
    ``since`` pages through it even as old entries fall out of the ring.
    """

    capacity: int = DEFAULT_CAPACITY
    body_bytes: int = DEFAULT_BODY_BYTES
    _entries: deque = attrs.field(init=False)
    _next_id: int = attrs.field(init=False, default=1)

    def __attrs_post_init__(self) -> None:
        self._entries = deque(maxlen=max(self.capacity, 0))

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def __len__(self) -> int:
        return len(self._entries)

    def record(self, *fields: Any, **named: Any) -> Optional[JournalEntry]:
        """
        Add one entry: the fields of :class:`JournalEntry` but ``id``, in
        its order or by name (every answered request is recorded: in order
        costs less).
        """
        if not self.enabled:
            return None
        # _make builds the tuple at once; the named tuple's own __new__
        # parses sixteen arguments in Python first.
        entry = JournalEntry._make((self._next_id, *fields)) if not named \
            else JournalEntry(self._next_id, *fields, **named)
        self._next_id += 1
        self._entries.append(entry)
        return entry

    def query(self, query: JournalQuery) -> list[JournalEntry]:
        """
        The matching entries, oldest first. ``limit`` keeps the first that
        many after ``since`` when ``since`` is given, the newest otherwise.
        """
        found = [entry for entry in self._entries if query.matches(entry)]
        if query.limit is not None:
            found = found[: query.limit] if query.since else found[-query.limit:]
        return found

    def clear(self) -> int:
        """Forget every entry; ids keep counting up. Returns how many went."""
        count = len(self._entries)
        self._entries.clear()
        return count
