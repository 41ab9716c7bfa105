"""
The stack's own speed: minimal servers on Twisted and Klein that answer what
Mimic answers in ``python -m bench.compare``'s cases, with nothing of
Mimic's (no routing tables, request ids, journal, models), so that Mimic's
rate can be read as a fraction of what the stack itself allows, measured in
the same run on the same machine.

    .venv/bin/python bench/baselines.py klein|raw|post|blob|proxy PORT [--body FILE]

- ``klein``: a Klein route ``GET /v2/<tenant>/servers`` answering
  ``{"servers": []}`` as JSON (what Mimic's ``GET servers`` answers for a
  tenant without servers);
- ``raw``: the same answer from a bare ``twisted.web`` resource;
- ``post``: a Klein route ``POST /v2.0/tokens`` that parses the JSON body and
  answers pre-encoded bytes (``--body``: Mimic's own token answer; without
  it, 8 KB of JSON);
- ``blob``: a bare ``twisted.web`` resource answering ``--body``'s bytes to
  every ``GET`` (Mimic's detail listing of 1,000 servers; without it,
  1.5 MB of JSON);
- ``proxy``: a Klein route ``GET /hop/<n>`` that, for n > 0, calls
  ``/hop/<n-1>`` on itself through one persistent ``Agent`` and wraps the
  answer in a small JSON body (a mesh hop without the mesh).

Each listens on 127.0.0.1 (PORT 0: a free port) and prints the port it got
on its first line of output.
"""

from __future__ import annotations

import argparse
import json
import sys

from klein import Klein
from twisted.internet import reactor
from twisted.web.client import Agent, HTTPConnectionPool, readBody
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Site

KINDS = ("klein", "raw", "post", "blob", "proxy")

EMPTY_SERVERS = b'{"servers":[]}'


def synthetic_json(size: int) -> bytes:
    """About ``size`` bytes of JSON, for a baseline started without ``--body``."""
    item = {"id": "0" * 36, "name": "x" * 40, "links": [{"rel": "self", "href": "h" * 80}]}
    one = len(json.dumps(item))
    return json.dumps({"items": [item] * max(1, size // (one + 1))}).encode()


def klein_resource() -> Resource:
    app = Klein()

    @app.route("/v2/<tenant_id>/servers", methods=["GET"])
    def servers(request, tenant_id):
        request.setHeader(b"content-type", b"application/json")
        return EMPTY_SERVERS

    return app.resource()


class Fixed(Resource):
    """Answers every GET with the same bytes."""

    isLeaf = True

    def __init__(self, body: bytes) -> None:
        super().__init__()
        self.body = body

    def render_GET(self, request):
        request.setHeader(b"content-type", b"application/json")
        return self.body


def post_resource(body: bytes) -> Resource:
    app = Klein()

    @app.route("/v2.0/tokens", methods=["POST"])
    def tokens(request):
        json.loads(request.content.read())
        request.setHeader(b"content-type", b"application/json")
        return body

    return app.resource()


def proxy_resource(port: list) -> Resource:
    app = Klein()
    agent = Agent(reactor, pool=HTTPConnectionPool(reactor, persistent=True))
    agent._pool.maxPersistentPerHost = 64

    @app.route("/hop/<int:depth>", methods=["GET"])
    def hop(request, depth):
        request.setHeader(b"content-type", b"application/json")
        if depth == 0:
            return b'{"code":200,"upstream_calls":[]}'
        url = b"http://127.0.0.1:%d/hop/%d" % (port[0], depth - 1)
        answering = agent.request(b"GET", url).addCallback(readBody)
        return answering.addCallback(
            lambda body: b'{"code":200,"upstream_calls":[' + body + b"]}")

    return app.resource()


class QuietSite(Site):
    """A ``Site`` without Twisted's access log: Mimic is measured with ``--quiet``."""

    def log(self, request) -> None:
        pass


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("port", type=int)
    parser.add_argument("--body", help="file holding the bytes post/blob answer")
    args = parser.parse_args(argv)
    body = None
    if args.body:
        with open(args.body, "rb") as stream:
            body = stream.read()
    port = [args.port]
    if args.kind == "klein":
        root = klein_resource()
    elif args.kind == "raw":
        root = Fixed(EMPTY_SERVERS)
    elif args.kind == "post":
        root = post_resource(body or synthetic_json(8 * 1024))
    elif args.kind == "blob":
        root = Fixed(body or synthetic_json(1_500_000))
    else:
        root = proxy_resource(port)
    listening = reactor.listenTCP(args.port, QuietSite(root), backlog=1024, interface="127.0.0.1")
    port[0] = listening.getHost().port
    print(port[0], flush=True)
    sys.stdout.flush()
    reactor.run()


if __name__ == "__main__":
    main()
