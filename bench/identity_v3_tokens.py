"""
Identity v3 tokens per second: 10 concurrent clients POST
/identity/v3/auth/tokens (password method, user by name in the default
domain, project scope by name) for 10 seconds, cycling over 100 users each
with its own project, against a fresh Mimic on loopback.

    .venv/bin/python -m bench.identity_v3_tokens [--seconds 10] [--concurrency 10] [--users 100]

Target (issue 4): at least 1,000 tokens/s, as for v2.0.
"""

from __future__ import annotations

import argparse

from bench._load import closed_loop, run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--users", type=int, default=100)
    options = parser.parse_args()

    async def bench(reactor, base_url):
        url = f"{base_url}/identity/v3/auth/tokens".encode()

        def token_request(client, n):
            user = (client * 7919 + n) % options.users
            return ("POST", url, {"auth": {
                "identity": {"methods": ["password"], "password": {"user": {
                    "name": f"user-{user}", "password": "secret",
                    "domain": {"id": "default"}}}},
                "scope": {"project": {"name": f"project-{user}",
                                      "domain": {"id": "default"}}},
            }})

        # One pass over the users first: the first token of a project builds
        # its catalog, which the measured run then reuses.
        warm = await closed_loop(reactor, token_request, 1, 60,
                                 max_requests=options.users, expect=201)
        steady = await closed_loop(reactor, token_request, options.concurrency,
                                   options.seconds, expect=201)
        return {"warm-up (first token per project)": warm, "steady": steady}

    run(bench)


if __name__ == "__main__":
    main()
