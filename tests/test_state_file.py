"""
``--state-file``: state survives restarts, clean or ``kill -9``; every
acknowledged change is there afterwards, nothing unacknowledged is
half-applied, and ids, addresses and the clock go on without collision.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time

import pytest
import requests

from tests.harness import start_mimic
from tests.nova_support import UBUNTU
from tests.state_support import make_state, walk

TENANT = "830001"
NOVA = f"/mimicking/nova/ORD/v2/{TENANT}"
CLB = f"/mimicking/clb/ORD/v1.0/{TENANT}"
FASTLY_KEY = {"Fastly-Key": "writer-key"}

#: The kill test's bounds: at least this many mutating requests and kills,
#: and all of it within this many seconds (33 s measured at load average
#: 5, 70 s at 8: the eleven starts dominate).
MUTATIONS = 1000
KILLS = 10
DEADLINE = 300


def kill_and_restart(server, path):
    server.process.kill()
    server.process.wait()
    return start_mimic("--state-file", str(path))


def test_every_route_answers_the_same_after_kill_9_and_restart(tmp_path):
    path = tmp_path / "mimic.sqlite"
    server = start_mimic("--state-file", str(path))
    try:
        client = server.client()
        scenario = make_state(client)
        host = client.base_url.split("//", 1)[1]
        before = walk(client, scenario, host)
        server = kill_and_restart(server, path)
        after = walk(server.client(), scenario, host)
        assert [url for url in before if before[url] != after[url]] == []
        health = server.client().get("/mimic/v1.1/health").json()
        assert health["state_file"] == str(path)
    finally:
        server.stop()


def test_the_file_is_sqlite_in_wal_mode_and_a_clean_stop_leaves_a_checkpoint(tmp_path):
    path = tmp_path / "mimic.sqlite"
    server = start_mimic("--state-file", str(path))
    client = server.client()
    client.authenticate("kept", tenant_id="830101")
    client.tick(12)
    server.stop()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert db.execute("SELECT COUNT(*) FROM requests").fetchone() == (0,)
    assert db.execute("SELECT COUNT(*) FROM checkpoint").fetchone() == (1,)
    db.close()
    server = start_mimic("--state-file", str(path))
    try:
        client = server.client()
        assert client.tick(0)["now"] == "1970-01-01T00:00:12.000000Z"
        assert "replayed" in server.log and "0 logged requests" in server.log
    finally:
        server.stop()


def test_a_file_that_is_not_a_state_file_stops_start_up_with_a_reason(tmp_path):
    path = tmp_path / "not-sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(Exception) as raised:
        start_mimic("--state-file", str(path))
    assert "state file" in str(raised.value)


class Writer:
    """
    Makes mutating requests across Identity, Nova, Neutron, CLB and Fastly
    and remembers which were acknowledged and which are in doubt (the
    connection died before an answer).
    """

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.acked: list = []
        self.in_doubt: list = []
        self.servers: dict = {}
        self.deleted: set = set()
        self.clock = "1970-01-01T00:00:00.000000Z"
        self.mutations = 0
        self.token = None
        self.networks: list = []

    def step(self, base: str, index: int) -> None:
        kind = self.random.choice(["identity", "nova", "nova", "delete", "neutron",
                                   "clb", "fastly", "tick"])
        if kind == "delete" and not self.servers:
            kind = "nova"
        name = f"w-{index}"
        try:
            result = getattr(self, kind)(base, name)
        except requests.RequestException:
            self.in_doubt.append((kind, name))
            raise
        self.mutations += 1
        self.acked.append((kind, name, result))

    def http(self, method, url, expect, **kwargs):
        response = requests.request(method, url, timeout=10, **kwargs)
        assert response.status_code == expect, response.text
        return response.json() if response.content else None

    def identity(self, base, name):
        access = self.http("POST", f"{base}/identity/v2.0/tokens", 200, json={"auth": {
            "passwordCredentials": {"username": name, "password": "pw"}}})["access"]
        return access["token"]["id"]

    def nova(self, base, name):
        server = self.http("POST", f"{base}{NOVA}/servers", 202, json={"server": {
            "name": name, "imageRef": UBUNTU, "flavorRef": "2"}})["server"]
        self.servers[server["id"]] = name
        return server["id"]

    def delete(self, base, name):
        server_id = self.random.choice(sorted(self.servers))
        # In doubt until answered (the server may or may not be gone), and
        # never asked again.
        del self.servers[server_id]
        self.in_doubt.append(("delete", server_id))
        self.http("DELETE", f"{base}{NOVA}/servers/{server_id}", 204)
        self.in_doubt.pop()
        self.deleted.add(server_id)
        return server_id

    def neutron(self, base, name):
        # Networks up to well under Neutron's default quota (100 per
        # project), ports on them after that (ports are not limited).
        neutron = f"{base}/mimicking/neutron/ORD/v2.0"
        if len(self.networks) < 40:
            network = self.http("POST", f"{neutron}/networks", 201,
                                headers={"X-Auth-Token": self.token},
                                json={"network": {"name": name}})["network"]["id"]
            self.networks.append(network)
            return f"networks/{network}"
        port = self.http("POST", f"{neutron}/ports", 201, headers={"X-Auth-Token": self.token},
                         json={"port": {"name": name, "network_id": self.networks[-1]}})
        return f"ports/{port['port']['id']}"

    def clb(self, base, name):
        return self.http("POST", f"{base}{CLB}/loadbalancers", 202, json={"loadBalancer": {
            "name": name, "protocol": "HTTP", "virtualIps": [{"type": "PUBLIC"}],
            "nodes": [{"address": "10.2.0.1", "port": 80, "condition": "ENABLED"}]}}
        )["loadBalancer"]["id"]

    def fastly(self, base, name):
        return self.http("POST", f"{base}/fastly/service", 200, headers=FASTLY_KEY,
                         data={"name": name})["id"]

    def tick(self, base, name):
        self.clock = self.http("POST", f"{base}/mimic/v1.1/tick", 200,
                               json={"amount": 1})["now"]
        return self.clock


def test_kill_9_at_random_moments_loses_no_acknowledged_change(tmp_path):
    path = tmp_path / "mimic.sqlite"
    started = time.monotonic()
    server = start_mimic("--state-file", str(path))
    writer = Writer(seed=20261201)
    access = server.client().authenticate("writer", tenant_id=TENANT)
    writer.token = access["token"]["id"]
    killer_random = random.Random(1201)
    index = 0
    try:
        for _ in range(KILLS):
            assert time.monotonic() - started < DEADLINE, "the kill test overran"
            # The next kill lands at a random moment among the requests.
            victim = server
            killed = threading.Event()

            def kill(victim=victim, killed=killed):
                killed.set()
                victim.process.kill()

            timer = threading.Timer(killer_random.uniform(0.05, 0.35), kill)
            timer.start()
            try:
                while True:
                    index += 1
                    writer.step(victim.base_url, index)
            except (requests.RequestException, AssertionError):
                if not killed.is_set():
                    raise
            timer.join()
            victim.process.wait()
            server = start_mimic("--state-file", str(path))
        while writer.mutations < MUTATIONS:
            index += 1
            writer.step(server.base_url, index)
        check_everything_acknowledged_is_there(server.client(), writer)
    finally:
        server.stop()
    assert writer.mutations >= MUTATIONS
    assert time.monotonic() - started < DEADLINE


def check_everything_acknowledged_is_there(client, writer):
    auth = {"X-Auth-Token": writer.token}
    doubtful = {name for kind, name in writer.in_doubt}
    servers = {s["id"]: s["name"] for s in client.get(
        f"{NOVA}/servers", headers=auth, params={"limit": 1000}).json()["servers"]}
    ports = client.get("/mimicking/neutron/ORD/v2.0/ports", headers=auth).json()["ports"]
    shows = {
        "neutron": lambda path: client.get(f"/mimicking/neutron/ORD/v2.0/{path}",
                                           headers=auth),
        "clb": lambda id_: client.get(f"{CLB}/loadbalancers/{id_}"),
        "fastly": lambda id_: client.get(f"/fastly/service/{id_}", headers=FASTLY_KEY),
        "identity": lambda id_: client.get(f"/identity/v2.0/tokens/{id_}"),
    }
    for kind, name, result in writer.acked:
        if kind in shows:
            response = shows[kind](result)
            assert response.status_code == 200, (kind, name, response.text)
            if kind != "identity":
                assert name in response.text, (kind, name)
        elif kind == "nova" and result not in writer.deleted:
            if result in servers:
                assert servers[result] == name
            else:
                # Only a delete in doubt may have taken it.
                assert ("delete", result) in writer.in_doubt, name
        elif kind == "delete":
            assert result not in servers, name
            assert client.get(f"{NOVA}/servers/{result}", headers=auth).status_code == 404
    # Nothing is there that no request asked for, and no server is
    # half-made: each one's ports exist, and no port outlives its server.
    acked_names = {name for kind, name, _ in writer.acked}
    assert set(servers.values()) <= acked_names | doubtful
    devices = {p["device_id"] for p in ports if p["device_owner"].startswith("compute")}
    assert devices == set(servers)
    # The clock and the ids go on without collision.
    assert client.tick(0)["now"] >= writer.clock
    fresh = client.post(f"{NOVA}/servers", headers=auth, json={"server": {
        "name": "after-all", "imageRef": UBUNTU, "flavorRef": "2"}}).json()["server"]
    assert fresh["id"] not in servers and fresh["id"] not in writer.deleted
    fresh_ports = client.get("/mimicking/neutron/ORD/v2.0/ports", headers=auth,
                             params={"device_id": fresh["id"]}).json()["ports"]
    taken = {ip["ip_address"] for p in ports for ip in p["fixed_ips"]}
    assert fresh_ports and all(ip["ip_address"] not in taken
                               for p in fresh_ports for ip in p["fixed_ips"])


def test_resets_restores_and_generated_keypairs_survive_kill_9(tmp_path):
    path = tmp_path / "mimic.sqlite"
    server = start_mimic("--state-file", str(path))
    try:
        client = server.client()
        auth = {"X-Auth-Token": client.authenticate("kp", tenant_id=TENANT)["token"]["id"]}
        # A generated keypair is real randomness: replay could not remake it,
        # so it is checkpointed before its answer goes out.
        made = client.post(f"{NOVA}/os-keypairs", headers=auth,
                           json={"keypair": {"name": "generated"}}).json()["keypair"]
        client.post(f"{NOVA}/servers", headers=auth, json={"server": {
            "name": "forgotten", "imageRef": UBUNTU, "flavorRef": "2"}})
        assert client.post("/mimic/v1.1/reset", json={"api": "clb"}).status_code == 200
        saved = client.get("/mimic/v1.1/state").json()
        client.post(f"{NOVA}/servers", headers=auth, json={"server": {
            "name": "after-snapshot", "imageRef": UBUNTU, "flavorRef": "2"}})
        assert client.put("/mimic/v1.1/state", json=saved).status_code == 200
        client.tick(30)
        keypairs = client.get(f"{NOVA}/os-keypairs", headers=auth).content
        server = kill_and_restart(server, path)
        client = server.client()
        assert client.get(f"{NOVA}/os-keypairs", headers=auth).content == keypairs
        assert made["public_key"].encode() in keypairs
        names = [s["name"] for s in client.get(f"{NOVA}/servers", headers=auth)
                 .json()["servers"]]
        assert names == ["forgotten"]
        assert client.tick(0)["now"] == "1970-01-01T00:00:30.000000Z"
    finally:
        server.stop()


def test_realtime_writes_keep_their_timestamps_across_kill_9(tmp_path):
    # Under --realtime a replay would stamp a token or a server with the
    # time of the replay: every write is checkpointed instead.
    path = tmp_path / "mimic.sqlite"
    server = start_mimic("--realtime", "--state-file", str(path))
    try:
        client = server.client()
        token = client.authenticate("rt", tenant_id=TENANT)["token"]
        # The same Host both times, so that links compare equal.
        auth = {"X-Auth-Token": token["id"], "Host": client.base_url.split("//")[1]}
        created = client.post(f"{NOVA}/servers", headers=auth, json={"server": {
            "name": "stamped", "imageRef": UBUNTU, "flavorRef": "2"}}).json()["server"]
        before = client.get(f"{NOVA}/servers/{created['id']}", headers=auth).content
        shown = client.get(f"/identity/v2.0/tokens/{token['id']}").json()
        # Microseconds: a token issued again would not have these.
        assert shown["access"]["token"]["issued_at"] == token["issued_at"]
        server = kill_and_restart(server, path)
        client = server.client()
        assert client.get(f"{NOVA}/servers/{created['id']}", headers=auth,
                          ).content == before
        assert client.get(f"/identity/v2.0/tokens/{token['id']}").json()[
            "access"]["token"]["issued_at"] == token["issued_at"]
    finally:
        server.stop()
