"""
The state file's group commit, step by step on a hand-driven thread pool:
an answer is released only once its commit is on the disk, and what is
logged while a commit is under way goes in the next one, all together.
"""

from __future__ import annotations

import sqlite3

from mimic.state_file import StateFile


class HandDrivenPool:
    """A thread pool whose jobs run only when the test says so."""

    def __init__(self) -> None:
        self.jobs: list = []

    def callInThreadWithCallback(self, on_result, function, *args, **kwargs):
        self.jobs.append((on_result, function, args, kwargs))

    def run_next(self) -> None:
        on_result, function, args, kwargs = self.jobs.pop(0)
        on_result(True, function(*args, **kwargs))


class Reactor:
    def __init__(self) -> None:
        self.pool = HandDrivenPool()

    def getThreadPool(self):
        return self.pool

    def callFromThread(self, function, *args, **kwargs):
        function(*args, **kwargs)


def logged(state_file, n, writes=True):
    return state_file.log(b"POST", b"/r/%d" % n, [(b"host", b"h")], b"{}", None, writes=writes)


def committed_rows(path):
    db = sqlite3.connect(path)
    try:
        return [row[0] for row in db.execute("SELECT seq FROM requests ORDER BY seq")]
    finally:
        db.close()


def test_answers_wait_for_their_commit_and_later_writes_share_the_next_one(tmp_path):
    path = str(tmp_path / "state.sqlite")
    reactor = Reactor()
    state_file = StateFile(path, reactor)
    released = []
    first = logged(state_file, 1)
    state_file.when_durable(first, lambda: released.append(1))
    assert released == [] and len(reactor.pool.jobs) == 1
    # Three more writes arrive while the first commit is on the disk.
    for n in (2, 3, 4):
        seq = logged(state_file, n)
        state_file.when_durable(seq, lambda n=n: released.append(n))
    assert len(reactor.pool.jobs) == 1 and released == []
    reactor.pool.run_next()
    assert released == [1] and committed_rows(path) == [1]
    # One commit takes all three.
    assert len(reactor.pool.jobs) == 1
    reactor.pool.run_next()
    assert released == [1, 2, 3, 4] and committed_rows(path) == [1, 2, 3, 4]
    assert reactor.pool.jobs == []


def test_reads_ride_along_with_the_next_write(tmp_path):
    path = str(tmp_path / "state.sqlite")
    reactor = Reactor()
    state_file = StateFile(path, reactor)
    logged(state_file, 1, writes=False)
    released = []
    # A read after nothing unwritten is answered at once.
    state_file.when_durable(state_file.last_write_seq, lambda: released.append("read"))
    assert released == ["read"] and reactor.pool.jobs == []
    write = logged(state_file, 2)
    state_file.when_durable(write, lambda: released.append("write"))
    reactor.pool.run_next()
    assert released == ["read", "write"] and committed_rows(path) == [1, 2]


def test_numbers_go_on_after_reopening(tmp_path):
    path = str(tmp_path / "state.sqlite")
    reactor = Reactor()
    state_file = StateFile(path, reactor)
    state_file.when_durable(logged(state_file, 1), lambda: None)
    reactor.pool.run_next()
    again = StateFile(path, Reactor())
    assert logged(again, 2) == 2
