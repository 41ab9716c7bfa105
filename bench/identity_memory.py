"""
What Identity costs in memory: the Mimic server process's RSS growth per
1,000 distinct users (each one v2.0 password authentication of a new user
name, so a new user, tenant and token each) and per 1,000 distinct ``Host``
values (one user authenticating under each), over one keep-alive
connection on loopback.

    .venv/bin/python bench/identity_memory.py [--users 20000] [--hosts 1000]
        [--journal-size N] [--baseline PATH]

Every bounded structure is full before the first reading (see
:func:`warm_up_users`), so what is counted is what a user keeps, not a
cache or the request journal filling up. ``--journal-size`` starts Mimic
with that journal (0: none; by default Mimic's own, 10,000 entries).
``--baseline PATH`` runs the same measurement first against the checkout at
PATH (for example a ``git worktree`` of main), so the figures of both come
from one run on one machine; docs/performance.rst records them.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
from typing import Optional
from urllib.parse import urlsplit

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from bench.nova_support import rss_bytes  # noqa: E402
from mimic.model.journal import DEFAULT_CAPACITY  # noqa: E402
from bench._server import start_mimic  # noqa: E402

#: Users authenticated before the first reading, so that the interpreter's
#: and the allocator's one-off growth, and the bounded catalog cache (1,024
#: rendered catalogs), are full before anything is counted per user.
WARM_UP_USERS = 1500
#: Host values sent before the Host figure's first reading (see measure()).
WARM_UP_HOSTS = 3000


def warm_up_users(journal_size: Optional[int]) -> int:
    """
    How many users to authenticate before the first reading: enough to fill
    the catalog cache and the request journal. The journal keeps the last
    10,000 requests by default, each answer cut to 4 KiB (a token's answer
    is longer); counted while it fills, it came to 2.4 KB of the 3.4 KB a
    user seemed to cost (2026-12-01), although it holds the same 10,000
    entries whether 10,000 or a million users authenticate.
    """
    journal = DEFAULT_CAPACITY if journal_size is None else journal_size
    return WARM_UP_USERS + max(journal, 0)


def authenticate(connection: http.client.HTTPConnection, username: str,
                 host: Optional[str] = None) -> None:
    body = json.dumps({"auth": {"passwordCredentials": {
        "username": username, "password": "x"}}}).encode()
    connection.putrequest("POST", "/identity/v2.0/tokens", skip_host=host is not None,
                          skip_accept_encoding=True)
    if host is not None:
        connection.putheader("Host", host)
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    response = connection.getresponse()
    data = response.read()
    if response.status != 200:
        raise RuntimeError(f"authentication answered {response.status}: {data[:200]!r}")


def measure(checkout: Optional[str], users: int, hosts: int,
            journal_size: Optional[int] = None) -> dict:
    args = () if journal_size is None else ("--journal-size", str(journal_size))
    server = start_mimic(*args, checkout=checkout)
    try:
        parts = urlsplit(server.base_url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        pid = server.process.pid
        for n in range(warm_up_users(journal_size)):
            authenticate(connection, f"warm-{n}")
        before = rss_bytes(pid)
        for n in range(users):
            authenticate(connection, f"user-{n}")
        after_users = rss_bytes(pid)
        # The Host values' user once first, under a Host value of its own:
        # its user, tenant, token and first catalog are a user's cost, and
        # the first answers naming a new root were a one-time step of about
        # 0.3 MB (2026-12-01: 274, 53, 16 and 0 KB over four blocks of
        # 1,000 new Host values) that the figure counted per value.
        for n in range(WARM_UP_HOSTS):
            authenticate(connection, "one-user", host=f"warm-{n}.example:{parts.port}")
        before_hosts = rss_bytes(pid)
        for n in range(hosts):
            authenticate(connection, "one-user", host=f"host-{n}.example:{parts.port}")
        after_hosts = rss_bytes(pid)
        connection.close()
    finally:
        server.stop()
    return {
        "users": users,
        "rss_per_1000_users_bytes": round((after_users - before) * 1000 / users),
        "hosts": hosts,
        "rss_per_1000_hosts_bytes": round((after_hosts - before_hosts) * 1000 / hosts),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20000)
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--journal-size", type=int,
                        help="Mimic's --journal-size (default: Mimic's own)")
    parser.add_argument("--baseline", help="a checkout to measure first, as the baseline")
    args = parser.parse_args()
    results = {}
    if args.baseline:
        results["baseline"] = measure(os.path.abspath(args.baseline), args.users, args.hosts,
                                      args.journal_size)
    results["this checkout"] = measure(None, args.users, args.hosts, args.journal_size)
    if args.baseline:
        base, ours = results["baseline"], results["this checkout"]
        results["ratio (this / baseline)"] = {
            key: round(ours[key] / base[key], 3) if base[key] else None
            for key in ("rss_per_1000_users_bytes", "rss_per_1000_hosts_bytes")
        }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
