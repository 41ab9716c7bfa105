"""
``--state-file PATH``: Mimic's state in SQLite, so that ``kill -9`` loses
no acknowledged write.

The file holds a checkpoint (one snapshot document, :mod:`mimic.state`)
and the log of the requests Mimic took since, in order. A request that may
change state is committed to the log *before* it runs (SQLite in WAL mode,
``synchronous=FULL``), so its answer can never precede its commit; on
start, Mimic restores the checkpoint and runs the logged requests again,
through the same site, with the request ids they had.

Replaying is exact because everything a request's effect depends on is in
the checkpoint or the log: the deterministic clock (ticks are logged
requests), the seeded id source's position, the request id. Requests whose
effect is *not* reproducible are not logged but checkpointed after they
ran, before their answer is released: those a plugin declares
unrepeatable (:meth:`mimic.imimic.IStatefulAPI.replayable`: Nova's
generated keypairs draw on the operating system's randomness), and every
mutating request under ``--realtime``, whose timestamps come from the real
clock. A checkpoint is also written every :data:`CHECKPOINT_EVERY` logged
requests and on a clean shutdown, so a restart replays a bounded log.

Reads are logged too, without waiting: should one ever change state (an
unknown token adopted on validation), the replay still takes the same
steps; they are committed with the next write.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Iterable, Optional

import attrs
from twisted.internet.address import IPv4Address
from twisted.internet.error import ConnectionDone
from twisted.internet.testing import StringTransport
from twisted.logger import Logger
from twisted.python.failure import Failure

from mimic.state import restore, snapshot

log = Logger()

#: Logged requests between two checkpoints: bounds how much a restart
#: replays (about 2 ms each) against how often the whole state is written.
CHECKPOINT_EVERY = 2000

SCHEMA = """
CREATE TABLE IF NOT EXISTS checkpoint (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    document TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS requests (
    seq INTEGER PRIMARY KEY,
    method TEXT NOT NULL,
    uri TEXT NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    request_id TEXT
);
"""


class StateFileError(Exception):
    """The state file cannot be opened or replayed; Mimic must not start."""


@attrs.frozen
class LoggedRequest:
    """One request as the log keeps it."""

    seq: int
    method: bytes
    uri: bytes
    headers: list
    body: bytes
    request_id: Optional[str]

    def raw(self) -> bytes:
        """The request as HTTP/1.1 bytes, to be taken again by the site."""
        lines = [self.method + b" " + self.uri + b" HTTP/1.1"]
        for name, value in self.headers:
            if name.lower() not in (b"content-length", b"connection",
                                    b"transfer-encoding"):
                lines.append(name + b": " + value)
        lines.append(b"content-length: %d" % len(self.body))
        lines.append(b"connection: close")
        return b"\r\n".join(lines) + b"\r\n\r\n" + self.body


@attrs.define
class StateFile:
    """The SQLite file of one Mimic: its checkpoint and its request log."""

    path: str
    _db: sqlite3.Connection = attrs.field(init=False)
    _pending: list = attrs.field(init=False, factory=list)
    _next_seq: int = attrs.field(init=False, default=1)
    _since_checkpoint: int = attrs.field(init=False, default=0)

    def __attrs_post_init__(self) -> None:
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None,
                                       check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA)
            (last,) = self._db.execute("SELECT MAX(seq) FROM requests").fetchone()
            row = self._db.execute("SELECT seq FROM checkpoint").fetchone()
        except sqlite3.Error as error:
            raise StateFileError(f"cannot use {self.path} as a state file: {error}") from None
        self._next_seq = max(last or 0, row[0] if row else 0) + 1

    # what a start-up reads

    def checkpoint(self) -> tuple[int, Optional[dict]]:
        """``(seq, document)`` of the last checkpoint; ``(0, None)`` if none."""
        row = self._db.execute("SELECT seq, document FROM checkpoint").fetchone()
        if row is None:
            return 0, None
        return row[0], json.loads(row[1])

    def logged_since(self, seq: int) -> Iterable[LoggedRequest]:
        rows = self._db.execute(
            "SELECT seq, method, uri, headers, body, request_id FROM requests "
            "WHERE seq > ? ORDER BY seq", (seq,))
        for seq_, method, uri, headers, body, request_id in rows:
            yield LoggedRequest(
                seq_, method.encode("latin-1"), uri.encode("latin-1"),
                [(n.encode("latin-1"), v.encode("latin-1")) for n, v in json.loads(headers)],
                bytes(body), request_id)

    # what requests write

    def log(self, method: bytes, uri: bytes, headers: list, body: bytes,
            request_id: Optional[str], durable: bool) -> None:
        """
        Add a request to the log; ``durable`` commits it (and every one
        before it) before returning.
        """
        self._pending.append((
            self._next_seq, method.decode("latin-1"), uri.decode("latin-1"),
            json.dumps([(n.decode("latin-1"), v.decode("latin-1")) for n, v in headers]),
            body, request_id))
        self._next_seq += 1
        self._since_checkpoint += 1
        if durable:
            self.commit()

    def commit(self) -> None:
        """Make every logged request durable, in one transaction."""
        if not self._pending:
            return
        with self._transaction():
            self._db.executemany(
                "INSERT INTO requests (seq, method, uri, headers, body, request_id) "
                "VALUES (?, ?, ?, ?, ?, ?)", self._pending)
        self._pending.clear()

    @property
    def checkpoint_due(self) -> bool:
        return self._since_checkpoint >= CHECKPOINT_EVERY

    def write_checkpoint(self, core: Any) -> None:
        """
        The whole state as it is now replaces the checkpoint, and the log it
        covers goes, in one transaction.
        """
        document = json.dumps(snapshot(core), separators=(",", ":"))
        seq = self._next_seq - 1
        self._pending.clear()
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO checkpoint (id, seq, document) VALUES (1, ?, ?)",
                (seq, document))
            self._db.execute("DELETE FROM requests WHERE seq <= ?", (seq,))
        self._since_checkpoint = 0

    def _transaction(self) -> Any:
        db = self._db

        class Transaction:
            def __enter__(self) -> None:
                db.execute("BEGIN IMMEDIATE")

            def __exit__(self, kind: Any, value: Any, traceback: Any) -> None:
                db.execute("COMMIT" if kind is None else "ROLLBACK")

        return Transaction()

    def close(self) -> None:
        self.commit()
        self._db.close()


def load(core: Any, site: Any, state_file: StateFile) -> int:
    """
    Bring ``core`` to the state ``state_file`` holds: its checkpoint, then
    every logged request replayed through ``site``. Returns how many were
    replayed.
    """
    seq, document = state_file.checkpoint()
    if document is not None:
        restore(core, document)
    replayed = 0
    site.replaying = True
    try:
        for logged in state_file.logged_since(seq):
            _replay(site, logged)
            replayed += 1
    finally:
        site.replaying = False
        site.replay_request_id = None
    return replayed


def _replay(site: Any, logged: LoggedRequest) -> None:
    channel = site.buildProtocol(IPv4Address("TCP", "127.0.0.1", 0))
    transport = StringTransport()
    channel.makeConnection(transport)
    site.replay_request_id = logged.request_id
    channel.dataReceived(logged.raw())
    if not transport.value().startswith(b"HTTP/1.1 "):
        raise StateFileError(
            f"logged request {logged.seq} ({logged.method.decode()} "
            f"{logged.uri.decode('latin-1')}) did not answer when replayed")
    channel.connectionLost(Failure(ConnectionDone()))
