"""
The mesh's hop client (:mod:`mimic.rest.mesh_hops`, through
:class:`mimic.rest.mesh_client.MeshHttpClient`) stays as designed (issue
11's and issue 17's speed work), checked over a ``StringTransport``: it
writes one request and reuses its connection, reads every framing an answer
may have (a length, chunks, a head alone, the connection's end), retries a
reused connection that closed before answering once, bounds answers and
times out; the ``Agent``'s requests time out and fail as the hops do.
"""

from __future__ import annotations

import pytest
from twisted.internet.defer import CancelledError, Deferred, ensureDeferred, fail, succeed
from twisted.internet.error import ConnectionDone
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.python.failure import Failure

from mimic.model.mesh.headers import MESH as MESH_HEADER
from mimic.rest.mesh_client import MeshHttpClient, UpstreamFailed
from mimic.rest.mesh_hops import HopPool
from tests.test_mesh_hot_path import answered


class FakeEndpoints:
    """Connects every new connection to a StringTransport the test reads and answers."""

    def __init__(self) -> None:
        self.connections: list = []

    def endpoint(self, host, port):
        endpoints = self

        class Endpoint:
            def connect(self, factory):
                protocol = factory.buildProtocol(None)
                transport = StringTransport()
                protocol.makeConnection(transport)
                endpoints.connections.append((protocol, transport))
                return succeed(protocol)

        return Endpoint()


def hop_client(max_answer: int = 1000) -> tuple:
    clock, endpoints = Clock(), FakeEndpoints()
    client = MeshHttpClient(clock, max_answer=max_answer)
    client.hops = HopPool(clock, endpoints)
    return client, endpoints, clock


def call(client, method="GET", headers=None) -> Deferred:
    return ensureDeferred(client.hop(method, "127.0.0.1", 8900, "/mesh/b/x", headers or {}))


def test_the_hop_client_writes_one_request_and_reuses_its_connection():
    client, endpoints, _ = hop_client()
    for number in range(5):
        pending = call(client, headers={"traceparent": "00-ab-cd-01", MESH_HEADER: "[]"})
        protocol, transport = endpoints.connections[0]
        sent = transport.value()
        transport.clear()
        assert sent == (b"GET /mesh/b/x HTTP/1.1\r\nHost: 127.0.0.1:8900\r\n"
                        b"traceparent: 00-ab-cd-01\r\nx-mimic-mesh: []\r\n\r\n")
        protocol.dataReceived(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n"
                              b"X-Mimic-Workload: b-v1\r\n\r\n")
        protocol.dataReceived(b"{}%d " % number)
        answer = answered(pending)
        assert (answer.code, answer.body, answer.workload) == (200, b"{}%d " % number, "b-v1")
    assert len(endpoints.connections) == 1


@pytest.mark.parametrize("method, head, chunks, body", [
    ("GET", b"Transfer-Encoding: chunked\r\n",
     [b"4\r\nab", b"cd\r\n3;x=1\r\nefg\r", b"\n0\r\nTrailer: t\r\n\r\n"], b"abcdefg"),
    ("HEAD", b"Content-Length: 99\r\n", [], b""),
    ("GET", b"Content-Length: 0\r\n", [], b""),
])
def test_the_hop_client_reads_chunks_heads_and_empty_bodies_and_keeps_the_connection(
        method, head, chunks, body):
    client, endpoints, _ = hop_client()
    pending = call(client, method)
    protocol, _ = endpoints.connections[0]
    protocol.dataReceived(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n" + head + b"\r\n")
    for chunk in chunks:
        protocol.dataReceived(chunk)
    assert answered(pending).body == body
    call(client)
    assert len(endpoints.connections) == 1


def test_the_hop_client_reads_an_answer_that_ends_with_its_connection():
    client, endpoints, _ = hop_client()
    pending = call(client)
    protocol, _ = endpoints.connections[0]
    protocol.dataReceived(b"HTTP/1.1 200 OK\r\n\r\nall of it")
    protocol.connectionLost(None)
    assert answered(pending).body == b"all of it"
    call(client)
    assert len(endpoints.connections) == 2


def test_a_reused_connection_closed_before_answering_is_retried_once_on_a_new_one():
    client, endpoints, _ = hop_client()
    first = call(client)
    endpoints.connections[0][0].dataReceived(b"HTTP/1.1 204 No Content\r\n\r\n")
    assert answered(first).code == 204
    again = call(client)
    endpoints.connections[0][0].connectionLost(Failure(ConnectionDone()))
    assert len(endpoints.connections) == 2
    endpoints.connections[1][0].dataReceived(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    assert answered(again).body == b"ok"
    # A new connection that closes without answering is not retried: a 503.
    endpoints.connections[1][0].connectionLost(Failure(ConnectionDone()))
    client.hops.idle.clear()
    lost = call(client)
    endpoints.connections[2][0].connectionLost(Failure(ConnectionDone()))
    failure = answered(lost)
    assert failure.check(UpstreamFailed)
    assert failure.value.code == 503
    assert "connect error or disconnect" in failure.value.reason


def test_the_hop_client_bounds_answers_and_times_out():
    client, endpoints, clock = hop_client(max_answer=10)
    large = call(client)
    protocol, transport = endpoints.connections[0]
    protocol.dataReceived(b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n")
    assert answered(large).value.code == 502
    assert transport.disconnecting or protocol.answer is None
    slow = call(client)
    clock.advance(client.timeout)
    timed_out = answered(slow).value
    assert (timed_out.code, timed_out.reason) == (504, "upstream request timeout")
    bad = call(client)
    endpoints.connections[-1][0].dataReceived(b"SMTP ready\r\n\r\n")
    assert answered(bad).value.code == 503


class HangingAgent:
    """An Agent whose requests never answer (or fail at once with ``error``)."""

    def __init__(self, error=None) -> None:
        self.error = error

    def request(self, *args):
        return fail(self.error) if self.error is not None else Deferred()


def test_the_agents_requests_time_out_and_fail_as_the_hops_do():
    # One helper (MeshHttpClient._within) gives both clients their timer,
    # their 504 and their description of a failure.
    client, _, clock = hop_client()
    client.agent = HangingAgent()
    slow = ensureDeferred(client.request("POST", "http://zipkin:9411/api/v2/spans", {}, b"[]"))
    clock.advance(client.timeout)
    timed_out = answered(slow).value
    assert (timed_out.code, timed_out.reason) == (504, "upstream request timeout")
    assert not clock.getDelayedCalls()
    client.agent = HangingAgent(ConnectionRefusedError("refused"))
    refused = answered(ensureDeferred(client.request("GET", "http://zipkin:9411/", {}))).value
    assert refused.code == 503 and "refused" in refused.reason
    assert not clock.getDelayedCalls()
    # Cancelled from outside (the caller's client went away): not a node's 504.
    client.agent = HangingAgent()
    cancelled = ensureDeferred(client.request("GET", "http://zipkin:9411/", {}))
    cancelled.cancel()
    assert answered(cancelled).check(CancelledError)
