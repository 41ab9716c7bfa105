"""
Identity v3 tokens per second: 10 concurrent clients POST
/identity/v3/auth/tokens (password method, user by name in the default
domain, project scope by name) for 10 seconds, cycling over 100 users each
with its own project, against a fresh Mimic on loopback.

    .venv/bin/python -m bench.identity_v3_tokens [--seconds 10] [--concurrency 10] [--users 100]

Besides tokens/s (which the load generator, on the same machine, shares the
cores with), it reports the server process's own CPU time per token, which
says what one core of Mimic can sustain whatever else the machine runs.

Target (issue 4): at least 1,000 tokens/s, as for v2.0.
"""

from __future__ import annotations

import argparse
import json

import psutil
from twisted.internet import defer, task

from bench._load import closed_loop
from bench._server import start_mimic


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--users", type=int, default=100)
    options = parser.parse_args()
    server = start_mimic()
    process = psutil.Process(server.process.pid)

    def cpu_seconds() -> float:
        times = process.cpu_times()
        return times.user + times.system

    async def bench(reactor):
        url = f"{server.base_url}/identity/v3/auth/tokens".encode()

        def token_request(client, n, user=None):
            user = (client * 7919 + n) % options.users if user is None else user
            return ("POST", url, {"auth": {
                "identity": {"methods": ["password"], "password": {"user": {
                    "name": f"user-{user}", "password": "secret",
                    "domain": {"id": "default"}}}},
                "scope": {"project": {"name": f"project-{user}",
                                      "domain": {"id": "default"}}},
            }})

        # The process's first token, of a user outside the set, loads
        # Identity's routes and model (Mimic loads an API on its first
        # request): a one-time cost, not a project's.
        await closed_loop(reactor, lambda client, n: token_request(client, n, "first"),
                          1, 60, max_requests=1, expect=201)

        # One pass over the users first: the first token of a project builds
        # its catalog, which the measured run then reuses.
        warm = await closed_loop(reactor, token_request, 1, 60,
                                 max_requests=options.users, expect=201)
        before = cpu_seconds()
        steady = await closed_loop(reactor, token_request, options.concurrency,
                                   options.seconds, expect=201)
        used = cpu_seconds() - before
        steady["server_cpu_ms_per_token"] = round(used * 1000 / steady["requests"], 3)
        steady["tokens_per_server_cpu_second"] = round(steady["requests"] / used)
        print(json.dumps({"warm-up (first token per project)": warm, "steady": steady},
                         indent=2))

    try:
        task.react(lambda reactor: defer.ensureDeferred(bench(reactor)))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
