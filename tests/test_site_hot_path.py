"""
The site's hot path stays as designed (issue 17's speed work), checked by
what it does per request, never by timing it:

- a request is rendered by one Klein app, by Mimic's renderer
  (:mod:`mimic.klein_rendering`), never by ``KleinResource.render``, and
  ``/mimicking/...`` reaches the API's app without going through the root's;
- a JSON POST is not form-parsed (no ``email.message`` parse of its
  Content-Type), while Fastly's form-encoded bodies still work;
- answers carry a ``Content-Length`` and are not chunked; a ``HEAD`` gets the
  length alone, a 204 no length; pipelined requests are answered in order;
- an answer's status line and headers reach the transport in one piece, not
  as a sequence of four pieces per header, and a connection asks its
  transport for its own address once;
- a large answer reaches the transport a slice at a time;
- a path asked again is not matched, classified or dated again.

What start-up imports is :mod:`tests.test_start_up`'s.

The site is driven in process over a ``StringTransport`` here, which shows
exactly what Twisted is handed; the behaviour over real sockets is the rest
of the suite's.
"""

from __future__ import annotations

import json

import pytest
from klein.resource import KleinResource
from twisted.internet.address import IPv4Address
from twisted.internet.testing import StringTransport
from twisted.web import http

from mimic import klein_rendering
from mimic.core import MimicCore
from mimic.resource import MountedRoot
from mimic.site import SLICE_BYTES, MimicSite

UBUNTU = "a1b2c3d4-0001-4e6f-8a9b-0c1d2e3f4a01"


class Connection:
    """One HTTP connection to an in-process Mimic site."""

    def __init__(self, site: MimicSite) -> None:
        self.channel = site.buildProtocol(IPv4Address("TCP", "127.0.0.1", 50000))
        self.transport = StringTransport(
            hostAddress=IPv4Address("TCP", "127.0.0.1", 8900),
            peerAddress=IPv4Address("TCP", "127.0.0.1", 50000))
        self.writes: list = []
        real_write = self.transport.write

        def write(data: bytes) -> None:
            self.writes.append(len(data))
            real_write(data)

        self.transport.write = write
        self.channel.makeConnection(self.transport)

    def send(self, raw: bytes) -> bytes:
        self.writes.clear()
        self.channel.dataReceived(raw)
        answer = self.transport.value()
        self.transport.clear()
        return answer


def request(method: str, path: str, body: bytes = b"",
            content_type: str = "application/json", headers: str = "") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:8900\r\n{headers}"
    if body:
        head += f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


def split(answer: bytes) -> tuple:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


@pytest.fixture
def site() -> MimicSite:
    core = MimicCore.from_plugins()
    return MimicSite(MountedRoot(core), core=core)


def compute_path(connection: Connection, tenant: str) -> str:
    body = json.dumps({"auth": {"passwordCredentials": {"username": tenant, "password": "x"},
                                "tenantId": tenant}}).encode()
    status, _, answer = split(connection.send(request("POST", "/identity/v2.0/tokens", body)))
    assert status == 200
    for service in json.loads(answer)["access"]["serviceCatalog"]:
        if service["type"] == "compute":
            return "/" + service["endpoints"][0]["publicURL"].split("/", 3)[3]
    raise AssertionError("no compute endpoint")


def test_an_api_request_is_rendered_by_one_klein_app_and_not_by_klein(site, monkeypatch):
    rendered: list = []
    real_start = klein_rendering.KleinRendering.start

    def counting_start(self):
        rendered.append(self.app)
        return real_start(self)

    def klein_render(self, request):
        raise AssertionError("KleinResource.render ran")

    monkeypatch.setattr(klein_rendering.KleinRendering, "start", counting_start)
    monkeypatch.setattr(KleinResource, "render", klein_render)
    connection = Connection(site)
    path = compute_path(connection, "hot-path")
    rendered.clear()
    status, headers, body = split(connection.send(request("GET", f"{path}/servers")))
    assert (status, json.loads(body)) == (200, {"servers": []})
    assert len(rendered) == 1
    assert headers["x-openstack-request-id"].startswith("req-")
    # The root's own routes and its 404s still answer through it.
    rendered.clear()
    status, _, body = split(connection.send(request("GET", "/mimicking/NoSuchApi/ORD/v2/t")))
    assert status == 404 and "NoSuchApi" in json.loads(body)["itemNotFound"]["message"]
    assert len(rendered) == 1


def test_a_json_post_is_not_form_parsed_and_a_form_body_still_reaches_fastly(site,
                                                                               monkeypatch):
    parsed: list = []
    real = http._parseContentType
    monkeypatch.setattr(http, "_parseContentType", lambda line: parsed.append(line) or real(line))
    connection = Connection(site)
    compute_path(connection, "form-check")
    assert parsed == []
    # Fastly's clients send form-encoded bodies; its routes read them.
    form = b"name=hot-path-service"
    status, _, body = split(connection.send(request(
        "POST", "/fastly/service", form, "application/x-www-form-urlencoded",
        "Fastly-Key: hot-path\r\n")))
    assert status == 200, body
    assert json.loads(body)["name"] == "hot-path-service"
    assert parsed == []


def test_answers_have_a_length_head_has_no_body_and_204_no_length(site):
    connection = Connection(site)
    path = compute_path(connection, "lengths")
    status, headers, body = split(connection.send(request("GET", f"{path}/servers")))
    assert "transfer-encoding" not in headers
    assert int(headers["content-length"]) == len(body) > 0
    status, headers, body = split(connection.send(request("HEAD", f"{path}/servers")))
    assert status == 200 and body == b""
    assert int(headers["content-length"]) == len(b'{"servers":[]}')
    status, headers, body = split(connection.send(request(
        "DELETE", "/mimic/v1.1/requests")))
    assert status == 200
    created = json.dumps({"server": {"name": "s", "imageRef": UBUNTU, "flavorRef": "2"}})
    status, _, body = split(connection.send(request("POST", f"{path}/servers",
                                                    created.encode())))
    server_id = json.loads(body)["server"]["id"]
    status, headers, body = split(connection.send(request(
        "DELETE", f"{path}/servers/{server_id}")))
    assert status == 204 and body == b""
    assert "content-length" not in headers and "transfer-encoding" not in headers


def test_the_status_line_and_headers_reach_the_transport_in_one_piece(site, monkeypatch):
    connection = Connection(site)
    path = compute_path(connection, "head")
    sequences: list = []
    monkeypatch.setattr(connection.transport, "writeSequence", sequences.append)
    answer = connection.send(request("GET", f"{path}/servers", headers="X-Seen: yes\r\n"))
    assert sequences == []
    head, _, body = answer.partition(b"\r\n\r\n")
    # The head was one write, the body the next.
    assert connection.writes == [len(head) + 4, len(body)]
    status, headers, _ = split(answer)
    assert status == 200 and body == b'{"servers":[]}'
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert {"content-type", "content-length", "date", "server"} <= set(headers)


def test_a_connection_asks_its_transport_for_its_own_address_once(site, monkeypatch):
    connection = Connection(site)
    path = compute_path(connection, "address")
    asked: list = []
    real = connection.transport.getHost
    monkeypatch.setattr(connection.transport, "getHost", lambda: asked.append(1) or real())
    for _ in range(3):
        assert split(connection.send(request("GET", f"{path}/servers")))[0] == 200
    assert asked == []  # asked once, by the connection's first request
    # What the requests were told is the connection's address.
    assert connection.channel.getHost() == real()


def test_pipelined_requests_are_answered_in_order(site):
    connection = Connection(site)
    path = compute_path(connection, "pipelined")
    answers = connection.send(request("GET", f"{path}/servers")
                              + request("GET", "/mimic/v1.0/presets")
                              + request("GET", f"{path}/flavors"))
    first, rest = answers.split(b"\r\n\r\n", 1)
    assert rest.startswith(b'{"servers":[]}HTTP/1.1 200')
    assert b'"nova"' in rest and rest.rstrip().endswith(b"}")
    assert answers.count(b"HTTP/1.1 200 OK") == 3
    assert answers.index(b'"flavors"') > answers.index(b'"nova"')


def test_a_large_answer_reaches_the_transport_a_slice_at_a_time(site):
    connection = Connection(site)
    path = compute_path(connection, "large")
    # Thirty servers of 40 metadata items each (the most Nova takes): 330 KB.
    created = json.dumps({"server": {"name": "s", "imageRef": UBUNTU, "flavorRef": "2",
                                     "metadata": {f"k{n}": "v" * 250 for n in range(40)}}})
    for _ in range(30):
        answer = connection.send(request("POST", f"{path}/servers", created.encode()))
        assert split(answer)[0] == 202, answer
    answer = connection.send(request("GET", f"{path}/servers/detail"))
    status, headers, body = split(answer)
    assert status == 200 and len(body) > 2 * SLICE_BYTES
    assert int(headers["content-length"]) == len(body)
    assert len(json.loads(body)["servers"]) == 30
    # Headers, then slices: never the whole body in one piece.
    assert max(connection.writes) <= SLICE_BYTES + 4096
    assert len(connection.writes) >= len(body) // SLICE_BYTES


def test_a_repeated_request_is_matched_classified_and_dated_once(site, monkeypatch):
    # What a GET servers asks again costs nothing again: where its path
    # matched (werkzeug's MapAdapter.match), whose API it is (the path
    # classifier), the Date header (formatted once a second), and Nova's
    # microversion headers (encoded once per version).
    from werkzeug.routing import MapAdapter

    from mimic.paths import PathClassifier

    calls: dict = {"match": 0, "classify": 0, "date": 0}
    real_match, real_classify = MapAdapter.match, PathClassifier._classify
    real_date = http.datetimeToString

    def counting(name, real):
        def called(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)
        return called

    connection = Connection(site)
    path = compute_path(connection, "repeated")
    monkeypatch.setattr(MapAdapter, "match", counting("match", real_match))
    monkeypatch.setattr(PathClassifier, "_classify", counting("classify", real_classify))
    monkeypatch.setattr(http, "datetimeToString", counting("date", real_date))
    answers = [connection.send(request("GET", f"{path}/servers")) for _ in range(20)]
    assert all(split(answer)[2] == b'{"servers":[]}' for answer in answers)
    assert calls["match"] == 1 and calls["classify"] == 1
    assert calls["date"] <= 2      # once, or twice if a second turned meanwhile
    status, headers, _ = split(answers[-1])
    assert headers["openstack-api-version"] == "compute 2.1"
    assert headers["x-compute-request-id"] == headers["x-openstack-request-id"]
    # Another method on the same path is matched afresh, and a miss is not kept.
    assert split(connection.send(request("DELETE", f"{path}/servers")))[0] == 405
    assert split(connection.send(request("DELETE", f"{path}/servers")))[0] == 405
    assert calls["match"] == 3


def test_only_a_path_with_escapes_or_other_bytes_is_decoded_and_a_bad_one_refused(
        site, monkeypatch):
    # An ASCII path without percent-escapes is UTF-8 as it is: the site does
    # not unquote and decode it to find out; every other path it checks, and
    # refuses in JSON what is not UTF-8.
    from mimic import site as site_module

    decoded: list = []
    real = site_module.unquote_to_bytes
    monkeypatch.setattr(site_module, "unquote_to_bytes",
                        lambda path: decoded.append(path) or real(path))
    connection = Connection(site)
    assert split(connection.send(request("GET", "/identity/v2.0")))[0] == 200
    assert decoded == []
    status, headers, body = split(connection.send(request("GET", "/identity/v2.0/%ff")))
    assert status == 400 and headers["content-type"] == "application/json"
    assert json.loads(body) == {"badRequest": {
        "code": 400, "message": "The request path is not valid UTF-8."}}
    assert headers["content-length"] == str(len(body))
    assert decoded == [b"/identity/v2.0/%ff"]
    assert split(connection.send(request("GET", "/identity/v2.0/%74okens")))[0] != 400


def test_mesh_traffic_does_not_open_the_stores_first_mentions(site, monkeypatch):
    # A mesh hop is two requests that name no tenant: they skip the
    # bookkeeping of tenants first named by a request; an API request keeps it.
    from mimic.model.identity.store import SessionStore

    opened: list = []
    real = SessionStore.first_mentions
    monkeypatch.setattr(SessionStore, "first_mentions",
                        lambda store: opened.append(1) or real(store))
    connection = Connection(site)
    status, _, body = split(connection.send(request("GET", "/mesh/nobody/x")))
    assert status == 404 and b"no service" in body and opened == []
    compute_path(connection, "mentions")
    assert opened == [1]


def test_request_ids_are_distinct_uuid4s():
    import uuid

    from mimic.bookkeeping import RequestIds

    ids = RequestIds()
    drawn = [ids.new() for _ in range(1000)] + [RequestIds().new() for _ in range(100)]
    assert len(set(drawn)) == len(drawn)
    for text in drawn:
        assert text.startswith("req-")
        value = uuid.UUID(text[4:])
        assert value.version == 4 and value.variant == uuid.RFC_4122 and str(value) == text[4:]


def test_seeded_uuids_are_the_text_the_uuid_module_writes_for_the_same_draws():
    import random
    import uuid

    from mimic.util import IdSource

    for seed in (0, 1, 42, 2 ** 40 + 3):
        ids, draws = IdSource(seed), random.Random(seed)
        for _ in range(500):
            assert ids.uuid() == str(uuid.UUID(int=draws.getrandbits(128), version=4))


def test_a_mesh_request_makes_no_notify_finish_deferred(site, monkeypatch):
    # A node hears of a lost connection through MimicRequest.when_lost (the
    # cancellation itself: test_mesh_bounds), not a Deferred per request.
    made: list = []
    real = http.Request.notifyFinish
    monkeypatch.setattr(http.Request, "notifyFinish",
                        lambda request: made.append(request.path) or real(request))
    connection = Connection(site)
    document = (b"apiVersion: mimik.veicot.io/v1alpha1\nkind: Mimik\n"
                b"metadata: {name: a}\nspec: {service: a, version: v1}\n")
    assert split(connection.send(request("POST", "/mimic/v1.1/mesh", document,
                                         "application/yaml")))[0] == 200
    made.clear()
    for _ in range(3):
        status, _, body = split(connection.send(request("GET", "/mesh/a/x")))
        assert status == 200 and json.loads(body)["service"] == "a"
    assert made == []
