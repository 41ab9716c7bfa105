"""
``--state-file PATH``: Mimic's state in SQLite, so that ``kill -9`` loses
no acknowledged write.

The file holds a checkpoint (one snapshot document, :mod:`mimic.state`)
and the log of the requests Mimic took since, in order. A request that may
change state is logged *before* it runs, and its answer is held until the
log is committed (SQLite in WAL mode, ``synchronous=FULL``), so no answer
precedes its commit; on start, Mimic restores the checkpoint and runs the
logged requests again, through the same site (over an in-memory
transport), with the request ids they had.

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

Reads are logged too, without a commit of their own: should one ever
change state (an unknown token adopted on validation), the replay still
takes the same steps; they are committed with the next write.

Commits are grouped (see :class:`StateFile`): no answer, to a write or a
read, is released before every write logged before it is committed, so no
client ever sees a change that a crash could take back.
"""

from __future__ import annotations

import json
import queue
import sqlite3
import threading
from typing import Any, Iterable, Optional

import attrs
from twisted.internet.address import IPv4Address
from twisted.internet.defer import Deferred
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


class CommitThread:
    """
    The one thread that commits: ``submit(function, *args)`` runs it there
    and fires the returned Deferred in the reactor thread. One plain thread
    and a queue, rather than the reactor's thread pool, because the hand-off
    is on every write's path.
    """

    def __init__(self, reactor: Any) -> None:
        self.reactor = reactor
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._run, name="mimic-state-file", daemon=True).start()

    def submit(self, function: Any, *args: Any) -> Deferred:
        done: Deferred = Deferred()
        self.queue.put((function, args, done))
        return done

    def _run(self) -> None:
        while True:
            function, args, done = self.queue.get()
            try:
                result = function(*args)
            except BaseException:
                self.reactor.callFromThread(done.errback, Failure())
            else:
                self.reactor.callFromThread(done.callback, result)


@attrs.define
class StateFile:
    """
    The SQLite file of one Mimic: its checkpoint and its request log.

    Writes are group-committed: requests are logged in the order they run,
    and one transaction at a time, on a worker thread, commits everything
    logged since the last one. An answer is released only once everything
    it may show is committed (:meth:`when_durable`); while a commit is on
    the disk, the reactor goes on serving, and the next commit takes all
    that came meanwhile.
    """

    path: str
    reactor: Any = None
    #: Runs commits off the reactor thread (:class:`CommitThread`).
    committer: Any = None
    _db: sqlite3.Connection = attrs.field(init=False)
    _jobs: list = attrs.field(init=False, factory=list)
    _writing: Any = attrs.field(init=False, default=None)
    _waiters: list = attrs.field(init=False, factory=list)
    _next_seq: int = attrs.field(init=False, default=1)
    _durable_seq: int = attrs.field(init=False, default=0)
    #: The last logged request that may change state, or checkpoint.
    last_write_seq: int = attrs.field(init=False, default=0)
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
        self._durable_seq = max(last or 0, row[0] if row else 0)
        self._next_seq = self._durable_seq + 1
        self.last_write_seq = self._durable_seq

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
            "WHERE seq > ? ORDER BY seq", (seq,)).fetchall()
        for seq_, method, uri, headers, body, request_id in rows:
            yield LoggedRequest(
                seq_, method.encode("latin-1"), uri.encode("latin-1"),
                [(n.encode("latin-1"), v.encode("latin-1")) for n, v in json.loads(headers)],
                bytes(body), request_id)

    # what requests write

    def log(self, method: bytes, uri: bytes, headers: list, body: bytes,
            request_id: Optional[str], writes: bool) -> int:
        """
        Add a request to the log, before it runs; returns its number. A
        request that ``writes`` (is not a read) must be durable before any
        answer after it is released.
        """
        seq = self._next_seq
        self._next_seq += 1
        row = (seq, method.decode("latin-1"), uri.decode("latin-1"),
               json.dumps([(n.decode("latin-1"), v.decode("latin-1")) for n, v in headers]),
               body, request_id)
        if self._jobs and self._jobs[-1][0] == "rows":
            self._jobs[-1][1].append(row)
        else:
            self._jobs.append(("rows", [row]))
        self._since_checkpoint += 1
        if writes:
            self.last_write_seq = seq
        return seq

    @property
    def checkpoint_due(self) -> bool:
        return self._since_checkpoint >= CHECKPOINT_EVERY

    def checkpoint_now(self, core: Any) -> int:
        """
        Queue the whole state as it is now as the new checkpoint (the log it
        covers goes in the same transaction); returns the number answers
        showing this state wait for.
        """
        document = json.dumps(snapshot(core), separators=(",", ":"))
        # A checkpoint takes a number of its own: it covers every request
        # logged before it, and answers wait for it like for a request.
        seq = self._next_seq
        self._next_seq += 1
        self._jobs.append(("checkpoint", seq, document))
        self._since_checkpoint = 0
        self.last_write_seq = max(self.last_write_seq, seq)
        return seq

    def when_durable(self, seq: int, release: Any) -> None:
        """Call ``release()`` once everything up to ``seq`` is committed."""
        if seq <= self._durable_seq:
            release()
            return
        self._waiters.append((seq, release))
        self._commit_next()

    def _commit_next(self) -> Any:
        if self._writing is not None or not self._jobs:
            return self._writing
        jobs, self._jobs = self._jobs, []
        if self.committer is None:
            self.committer = CommitThread(self.reactor)
        self._writing = self.committer.submit(self._write, jobs)
        self._writing.addCallbacks(self._committed, self._failed)
        return self._writing

    def commit_now(self) -> None:
        """Commit every queued write on this thread (before the reactor runs)."""
        if self._writing is not None:
            raise StateFileError("a commit is already under way")
        jobs, self._jobs = self._jobs, []
        if jobs:
            self._durable_seq = max(self._durable_seq, self._write(jobs))

    def _write(self, jobs: list) -> int:
        """On the worker thread: all of ``jobs`` in one transaction."""
        last = 0
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for job in jobs:
                if job[0] == "rows":
                    self._db.executemany(
                        "INSERT INTO requests (seq, method, uri, headers, body, request_id)"
                        " VALUES (?, ?, ?, ?, ?, ?)", job[1])
                    last = max(last, job[1][-1][0])
                else:
                    _, seq, document = job
                    self._db.execute("INSERT OR REPLACE INTO checkpoint (id, seq, document) "
                                     "VALUES (1, ?, ?)", (seq, document))
                    self._db.execute("DELETE FROM requests WHERE seq <= ?", (seq,))
                    last = max(last, seq)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return last

    def _committed(self, last: int) -> None:
        self._writing = None
        self._durable_seq = max(self._durable_seq, last)
        ready = [w for w in self._waiters if w[0] <= self._durable_seq]
        self._waiters = [w for w in self._waiters if w[0] > self._durable_seq]
        if self._waiters:
            self._commit_next()
        for _, release in ready:
            release()

    def _failed(self, failure: Any) -> None:
        # A state file that cannot be written must not acknowledge more.
        self._writing = None
        log.failure("The state file {path} cannot be written; stopping", failure,
                    path=self.path)
        self.reactor.stop()

    def close(self, core: Any) -> Any:
        """
        Checkpoint, wait for every queued write, close. Returns a Deferred
        (or None when nothing was pending).
        """
        self.checkpoint_now(core)
        done: Deferred = Deferred()
        self.when_durable(self.last_write_seq, lambda: done.callback(None))
        done.addCallback(lambda _: self._db.close())
        return done


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
    if replayed:
        # What was replayed becomes the checkpoint: a second restart does
        # not take the same requests again.
        state_file.checkpoint_now(core)
        state_file.commit_now()
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
