"""
Tokens per second: 10 concurrent clients POST /identity/v2.0/tokens with
password credentials, cycling over 100 users (each with its own tenant and
catalog), for 10 seconds, against a fresh Mimic on loopback.

    .venv/bin/python -m bench.tokens [--seconds 10] [--concurrency 10] [--users 100]

Target (issue 2): at least 1,000 tokens/s on the project's 2-core machine.
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
        url = f"{base_url}/identity/v2.0/tokens".encode()

        def token_request(client, n):
            user = f"user-{(client * 7919 + n) % options.users}"
            return ("POST", url, {"auth": {"passwordCredentials": {
                "username": user, "password": "secret"}}})

        # The process's first token, of a user outside the set, loads
        # Identity's routes and model (Mimic loads an API on its first
        # request): a one-time cost, not a tenant's.
        await closed_loop(reactor, lambda client, n: ("POST", url, {"auth": {
            "passwordCredentials": {"username": "first-request", "password": "secret"}}}),
            1, 60, max_requests=1)
        # One pass over the users first: the first token of a tenant builds
        # its catalog, which the measured run then reuses.
        warm = await closed_loop(reactor, token_request, 1, 60, max_requests=options.users)
        steady = await closed_loop(reactor, token_request, options.concurrency,
                                   options.seconds)
        return {"warm-up (first token per tenant)": warm, "steady": steady}

    run(bench)


if __name__ == "__main__":
    main()
