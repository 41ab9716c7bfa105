"""
HTTP/1.1 as a client sees it on the wire, over real sockets: what Mimic's
site (:class:`mimic.site.MimicChannel`, :class:`mimic.site.MimicRequest`)
must keep of Twisted's behaviour while it skips per-request work
(issue 17): keep-alive and ``Connection: close``, pipelined requests
answered in order, chunked uploads, ``Expect: 100-continue``, the header
size limit, ``HEAD``, Fastly's form-encoded bodies, ``--verbose`` logging,
and routes that answer the same way however often a path is asked.

The requests are written byte for byte on a socket (no client library in
between), so each test shows exactly what was sent and what came back.
"""

from __future__ import annotations

import json
import socket
from typing import Optional
from urllib.parse import urlsplit

import pytest

#: A bounded wait for any one answer (the server is local).
TIMEOUT = 20


class Wire:
    """One TCP connection to a Mimic, reading answers one at a time."""

    def __init__(self, base_url: str) -> None:
        address = urlsplit(base_url)
        self.host = address.netloc
        self.sock = socket.create_connection((address.hostname, address.port), timeout=TIMEOUT)
        self.buffer = b""

    def send(self, raw: bytes) -> None:
        self.sock.sendall(raw)

    def _fill(self) -> bool:
        data = self.sock.recv(65536)
        self.buffer += data
        return bool(data)

    def answer(self, head_only: bool = False) -> tuple:
        """``(status, headers, body)`` of the next answer on the connection."""
        while b"\r\n\r\n" not in self.buffer:
            assert self._fill(), f"connection closed mid-answer: {self.buffer[:200]!r}"
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        headers: dict = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
        status = int(lines[0].split()[1])
        if head_only or status in (100, 204, 304):
            return status, headers, b""
        if headers.get("transfer-encoding") == ["chunked"]:
            return status, headers, self._chunked()
        length = int(headers["content-length"][0])
        while len(self.buffer) < length:
            assert self._fill(), "connection closed mid-body"
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, headers, body

    def _chunked(self) -> bytes:
        body = b""
        while True:
            while b"\r\n" not in self.buffer:
                assert self._fill()
            size_line, self.buffer = self.buffer.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            while len(self.buffer) < size + 2:
                assert self._fill()
            body, self.buffer = body + self.buffer[:size], self.buffer[size + 2:]
            if size == 0:
                return body

    def closed_by_server(self) -> bool:
        """Whether the server closed its side once everything sent was read."""
        try:
            return not self.buffer and not self._fill()
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def wire(mimic):
    connections: list = []

    def connect() -> Wire:
        connection = Wire(mimic.base_url)
        connections.append(connection)
        return connection

    yield connect
    for connection in connections:
        connection.close()


def request(method: str, path: str, body: bytes = b"", headers: Optional[dict] = None,
            host: str = "127.0.0.1") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    if body and "Transfer-Encoding" not in (headers or {}):
        lines.append(f"Content-Length: {len(body)}")
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def token_body(user: str) -> bytes:
    return json.dumps({"auth": {"passwordCredentials": {
        "username": user, "password": "secret"}}}).encode()


def servers_path(mimic, tenant: str) -> str:
    return urlsplit(mimic.endpoint(mimic.authenticate(tenant, tenant_id=tenant),
                                   "compute", "ORD")).path + "/servers"


JSON = {"Content-Type": "application/json"}


def test_one_connection_answers_request_after_request(mimic, wire):
    connection = wire()
    path = servers_path(mimic, "keep-alive")
    ids = set()
    for _ in range(5):
        connection.send(request("GET", path))
        status, headers, body = connection.answer()
        assert (status, json.loads(body)) == (200, {"servers": []})
        assert headers["content-length"] == [str(len(body))]
        ids.add(headers["x-openstack-request-id"][0])
    # Each answer is its own request: its own id, though the path repeats.
    assert len(ids) == 5


def test_connection_close_is_answered_then_the_connection_is_closed(mimic, wire):
    connection = wire()
    connection.send(request("GET", "/", headers={"Connection": "close"}))
    status, headers, body = connection.answer()
    assert status == 200 and body.startswith(b"To get started with Mimic")
    assert headers["connection"] == ["close"]
    assert connection.closed_by_server()


def test_an_http_1_0_request_is_answered_and_the_connection_closed(mimic, wire):
    connection = wire()
    connection.send(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
    status, _, body = connection.answer()
    assert status == 200 and body.startswith(b"To get started with Mimic")
    assert connection.closed_by_server()


def test_pipelined_requests_are_answered_in_the_order_they_were_sent(mimic, wire):
    connection = wire()
    path = servers_path(mimic, "pipelined")
    connection.send(request("GET", path) + request("POST", "/identity/v2.0/tokens",
                                                   token_body("piped"), JSON)
                    + request("GET", "/mimic/v1.0/presets") + request("GET", path + "/no-such"))
    answers = [connection.answer() for _ in range(4)]
    assert [status for status, _, _ in answers] == [200, 200, 200, 404]
    assert json.loads(answers[0][2]) == {"servers": []}
    assert json.loads(answers[1][2])["access"]["user"]["name"] == "piped"
    assert "nova" in json.loads(answers[2][2])
    assert "itemNotFound" in json.loads(answers[3][2])


def test_a_chunked_upload_is_read_whole(mimic, wire):
    connection = wire()
    body = token_body("chunked-upload")
    chunks = [body[:10], body[10:25], body[25:]]
    raw = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks) + b"0\r\n\r\n"
    connection.send(request("POST", "/identity/v2.0/tokens", raw,
                            {"Transfer-Encoding": "chunked", **JSON}))
    status, _, answer = connection.answer()
    assert status == 200
    assert json.loads(answer)["access"]["user"]["name"] == "chunked-upload"
    # A length and a chunked body at once is refused, as Twisted refuses it.
    connection.send(request("POST", "/identity/v2.0/tokens", raw, {
        "Transfer-Encoding": "chunked", "Content-Length": str(len(raw)), **JSON}))
    assert connection.answer(head_only=True)[0] == 400
    assert connection.closed_by_server()


def test_expect_100_continue_gets_a_100_before_the_body_is_sent(mimic, wire):
    connection = wire()
    body = token_body("expecting")
    connection.send(request("POST", "/identity/v2.0/tokens", headers={
        "Content-Length": str(len(body)), "Expect": "100-continue", **JSON}))
    status, _, _ = connection.answer(head_only=True)
    assert status == 100
    connection.send(body)
    status, _, answer = connection.answer()
    assert status == 200 and json.loads(answer)["access"]["user"]["name"] == "expecting"


def test_headers_over_twisteds_limit_are_a_400_and_the_connection_closes(mimic, wire):
    # twisted.web.http.HTTPChannel.totalHeadersSize: 16 KiB of request line
    # and headers in all; one line longer than that (LineReceiver.MAX_LENGTH)
    # closes the connection unanswered.
    connection = wire()
    connection.send(request("GET", "/", headers={f"X-Padding-{n}": "x" * 4000
                                                 for n in range(5)}))
    status, _, _ = connection.answer(head_only=True)
    assert status == 400
    assert connection.closed_by_server()
    long_line = wire()
    long_line.send(request("GET", "/", headers={"X-Padding": "x" * 17000}))
    assert long_line.closed_by_server()
    # Other connections are served as before.
    other = wire()
    other.send(request("GET", "/"))
    assert other.answer()[0] == 200


def test_a_malformed_header_line_is_a_400(mimic, wire):
    connection = wire()
    connection.send(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon here\r\n\r\n")
    assert connection.answer(head_only=True)[0] == 400
    assert connection.closed_by_server()


def test_head_gets_the_length_of_the_get_and_no_body(mimic, wire):
    connection = wire()
    path = servers_path(mimic, "head")
    connection.send(request("HEAD", path) + request("GET", path))
    status, headers, _ = connection.answer(head_only=True)
    assert status == 200 and headers["content-length"] == [str(len(b'{"servers":[]}'))]
    # Nothing of a body followed: the next bytes are the GET's answer.
    status, _, body = connection.answer()
    assert (status, body) == (200, b'{"servers":[]}')


def test_fastly_reads_its_form_encoded_bodies(mimic, wire):
    connection = wire()
    form = b"name=wire-service&comment=made+on+the+wire"
    connection.send(request("POST", "/fastly/service", form, {
        "Content-Type": "application/x-www-form-urlencoded", "Fastly-Key": "wire"}))
    status, _, body = connection.answer()
    assert status == 200, body
    made = json.loads(body)
    assert (made["name"], made["comment"]) == ("wire-service", "made on the wire")


def test_a_path_answers_the_same_way_each_time_and_each_method_its_own_route(mimic, wire):
    # Mimic remembers where a path matched (mimic.klein_rendering.RouteMap):
    # the method is part of what is remembered, and a miss is never kept.
    connection = wire()
    path = servers_path(mimic, "same-path")
    for _ in range(3):
        connection.send(request("GET", path + "/detail"))
        assert json.loads(connection.answer()[2]) == {"servers": []}
        connection.send(request("GET", path + "/nonexistent-id"))
        status, _, body = connection.answer()
        assert status == 404 and "itemNotFound" in json.loads(body)
        connection.send(request("PATCH", path))
        assert connection.answer()[0] == 405
    created = json.dumps({"server": {"name": "s", "flavorRef": "2",
                                     "imageRef": "a1b2c3d4-0001-4e6f-8a9b-0c1d2e3f4a01"}})
    connection.send(request("POST", path, created.encode(), JSON))
    status, _, body = connection.answer()
    assert status == 202
    server_id = json.loads(body)["server"]["id"]
    connection.send(request("GET", f"{path}/{server_id}"))
    status, _, body = connection.answer()
    assert status == 200 and json.loads(body)["server"]["id"] == server_id
    connection.send(request("DELETE", f"{path}/{server_id}"))
    assert connection.answer()[0] == 204
    connection.send(request("GET", f"{path}/{server_id}"))
    assert connection.answer()[0] == 404


def test_the_same_path_under_another_host_links_to_that_host(mimic, wire):
    connection = wire()
    access = mimic.authenticate("hosts", tenant_id="hosts")
    path = urlsplit(mimic.endpoint(access, "compute", "ORD")).path
    for host in ("127.0.0.1", "mimic.example:8900", "127.0.0.1"):
        connection.send(request("GET", path + "/flavors/2", host=host))
        status, _, body = connection.answer()
        assert status == 200
        links = json.loads(body)["flavor"]["links"]
        assert links[0]["href"].startswith(f"http://{host}/mimicking/")


def test_verbose_logs_each_request_and_response_with_their_bodies(mimic_factory):
    server = mimic_factory("--verbose")
    connection = Wire(server.base_url)
    try:
        connection.send(request("POST", "/identity/v2.0/tokens", token_body("verbose-user"),
                                JSON))
        assert connection.answer()[0] == 200
        connection.send(request("GET", "/mimic/v1.0/presets"))
        assert connection.answer()[0] == 200
    finally:
        connection.close()
    # The "<--" line is logged as the answer goes out, so it may reach the
    # pipe after the client read the answer: the whole log is there once
    # the server has stopped.
    server.stop()
    log = server.log
    assert "--> POST /identity/v2.0/tokens" in log and "verbose-user" in log
    assert "<-- 200 POST /identity/v2.0/tokens" in log
    assert "<-- 200 GET /mimic/v1.0/presets" in log
