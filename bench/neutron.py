"""
Neutron at scale: one tenant's ports, created over HTTP in rounds until the
tenant holds tens of thousands of them, to show that an address costs the
same in the last round as in the first; then the lookups Nova and the
``openstack`` CLI make (``GET /ports?device_id=...``) against the full
tenant, and floating IP create/delete cycles.

    .venv/bin/python -m bench.neutron [--ports 20000] [--rounds 4] [--concurrency 10]

Each port is a server's port (``device_id`` server-N on ``private``), so the
tenant ends up looking like one with ``--ports`` servers.
"""

from __future__ import annotations

import argparse
import json

import treq

from bench._load import closed_loop, run

PRIVATE = "11111111-1111-1111-1111-111111111111"
PUBLIC = "00000000-0000-0000-0000-000000000000"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ports", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=5.0)
    options = parser.parse_args()

    async def bench(reactor, base_url):
        response = await treq.post(f"{base_url}/identity/v2.0/tokens", json.dumps({
            "auth": {"passwordCredentials": {"username": "bench", "password": "x"}}}
        ).encode(), headers={b"content-type": [b"application/json"]})
        access = (await response.json())["access"]
        token = access["token"]["id"].encode()
        network = next(s for s in access["serviceCatalog"] if s["type"] == "network")
        # The catalog lists Neutron unversioned; the resources are under v2.0.
        url = next(e["publicURL"] for e in network["endpoints"]
                   if e["region"] == "ORD") + "/v2.0"
        headers = {b"x-auth-token": [token]}
        per_round = options.ports // options.rounds
        created = [0]

        def create_port(client, n):
            created[0] += 1
            return ("POST", f"{url}/ports".encode(), {"port": {
                "network_id": PRIVATE, "device_id": f"server-{created[0]}",
                "device_owner": "compute:nova"}})

        result: dict = {}
        for number in range(options.rounds):
            summary = await closed_loop(reactor, create_port, options.concurrency, 600,
                                        max_requests=per_round, expect=201, headers=headers)
            result[f"create ports {number * per_round + 1}-{(number + 1) * per_round}"] = summary

        def port_of_server(client, n):
            server = (client * 7919 + n * 104729) % created[0] + 1
            return ("GET", f"{url}/ports?device_id=server-{server}".encode(), None)

        result[f"GET /ports?device_id= with {created[0]} ports"] = await closed_loop(
            reactor, port_of_server, options.concurrency, options.seconds, headers=headers)

        def show_port_network(client, n):
            return ("GET", f"{url}/networks?name=private".encode(), None)

        result["GET /networks?name=private"] = await closed_loop(
            reactor, show_port_network, options.concurrency, options.seconds,
            headers=headers)

        def floating_ip(client, n):
            return ("POST", f"{url}/floatingips".encode(),
                    {"floatingip": {"floating_network_id": PUBLIC}})

        result["POST /floatingips"] = await closed_loop(
            reactor, floating_ip, options.concurrency, options.seconds, expect=201,
            headers=headers)
        return result

    run(bench)


if __name__ == "__main__":
    main()
