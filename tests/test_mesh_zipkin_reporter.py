"""
The Zipkin reporter's batching, on a deterministic clock with a fake
client: when batches leave, how big they are, and what happens when the
collector is down.
"""

from __future__ import annotations

import json

from twisted.internet.defer import Deferred
from twisted.internet.task import Clock

from mimic.rest.mesh_client import UpstreamAnswer, UpstreamFailed, ZipkinReporter, collector_url


class FakeClient:
    """Records each POST and lets the test answer it."""

    def __init__(self) -> None:
        self.posts: list = []

    async def request(self, method, url, headers, body=None):
        answer: Deferred = Deferred()
        self.posts.append((method, url, headers, json.loads(body), answer))
        return await answer


def spans(n: int) -> list:
    return [{"traceId": "a" * 32, "id": f"{i:016x}"} for i in range(n)]


def test_collector_url_gets_the_v2_spans_path_when_it_has_none():
    assert collector_url("http://127.0.0.1:9411") == "http://127.0.0.1:9411/api/v2/spans"
    assert collector_url("http://127.0.0.1:9411/") == "http://127.0.0.1:9411/api/v2/spans"
    assert collector_url("http://h:1/custom/path") == "http://h:1/custom/path"


def test_spans_wait_for_the_interval_then_leave_in_one_batch():
    clock, client = Clock(), FakeClient()
    reporter = ZipkinReporter(clock, client, "http://127.0.0.1:9411", interval=0.5)
    for span in spans(3):
        reporter.add(span)
    assert client.posts == []
    clock.advance(0.5)
    [(method, url, headers, body, answer)] = client.posts
    assert (method, url, headers) == ("POST", "http://127.0.0.1:9411/api/v2/spans",
                                      {"content-type": "application/json"})
    assert body == spans(3)
    answer.callback(UpstreamAnswer(202, b""))
    assert (reporter.sent, reporter.dropped, reporter.pending) == (3, 0, [])


def test_a_full_batch_leaves_at_once_and_the_rest_waits():
    clock, client = Clock(), FakeClient()
    reporter = ZipkinReporter(clock, client, "http://c", interval=0.5, batch_size=2)
    for span in spans(5):
        reporter.add(span)
    assert [len(post[3]) for post in client.posts] == [2, 2]
    clock.advance(0.5)
    assert [len(post[3]) for post in client.posts] == [2, 2, 1]


def test_a_down_collector_drops_the_batch_and_later_spans_still_go():
    clock, client = Clock(), FakeClient()
    reporter = ZipkinReporter(clock, client, "http://c", interval=0.5)
    reporter.add(spans(1)[0])
    clock.advance(0.5)
    client.posts[0][4].errback(UpstreamFailed(503, "connection refused"))
    assert reporter.dropped == 1
    reporter.add(spans(1)[0])
    clock.advance(0.5)
    client.posts[1][4].callback(UpstreamAnswer(500, b""))
    assert (reporter.sent, reporter.dropped) == (0, 2)


def test_pending_spans_are_bounded():
    clock, client = Clock(), FakeClient()
    reporter = ZipkinReporter(clock, client, "http://c", batch_size=100, max_pending=3)
    for span in spans(5):
        reporter.add(span)
    assert (len(reporter.pending), reporter.dropped) == (3, 2)
