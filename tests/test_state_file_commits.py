"""
The state file's group commit, step by step on a hand-driven committer:
an answer is released only once its commit is on the disk, and what is
logged while a commit is under way goes in the next one, all together.
"""

from __future__ import annotations

import sqlite3

from twisted.internet.defer import Deferred

from mimic.state_file import StateFile


class HandDrivenCommitter:
    """Runs the state file's commits only when the test says so."""

    def __init__(self) -> None:
        self.jobs: list = []

    def submit(self, function, *args):
        done = Deferred()
        self.jobs.append((function, args, done))
        return done

    def run_next(self) -> None:
        function, args, done = self.jobs.pop(0)
        done.callback(function(*args))


def hand_driven(path):
    committer = HandDrivenCommitter()
    return StateFile(path, reactor=None, committer=committer), committer


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
    state_file, pool = hand_driven(path)
    released = []
    first = logged(state_file, 1)
    state_file.when_durable(first, lambda: released.append(1))
    assert released == [] and len(pool.jobs) == 1
    # Three more writes arrive while the first commit is on the disk.
    for n in (2, 3, 4):
        seq = logged(state_file, n)
        state_file.when_durable(seq, lambda n=n: released.append(n))
    assert len(pool.jobs) == 1 and released == []
    pool.run_next()
    assert released == [1] and committed_rows(path) == [1]
    # One commit takes all three.
    assert len(pool.jobs) == 1
    pool.run_next()
    assert released == [1, 2, 3, 4] and committed_rows(path) == [1, 2, 3, 4]
    assert pool.jobs == []


def test_reads_ride_along_with_the_next_write(tmp_path):
    path = str(tmp_path / "state.sqlite")
    state_file, pool = hand_driven(path)
    logged(state_file, 1, writes=False)
    released = []
    # A read after nothing unwritten is answered at once.
    state_file.when_durable(state_file.last_write_seq, lambda: released.append("read"))
    assert released == ["read"] and pool.jobs == []
    write = logged(state_file, 2)
    state_file.when_durable(write, lambda: released.append("write"))
    pool.run_next()
    assert released == ["read", "write"] and committed_rows(path) == [1, 2]


def test_numbers_go_on_after_reopening(tmp_path):
    path = str(tmp_path / "state.sqlite")
    state_file, pool = hand_driven(path)
    state_file.when_durable(logged(state_file, 1), lambda: None)
    pool.run_next()
    again, _ = hand_driven(path)
    assert logged(again, 2) == 2
