"""
The hostile requests of issue 9, timed: each kind is sent a few times over
one keep-alive loopback connection and the slowest answer of each kind is
reported (an upper bound of how long that request held Mimic's reactor),
with every 5xx counted; then the server's RSS growth per 1,000 made-up
tenants read, per 1,000 users authenticated and per 1,000 Host values.

    .venv/bin/python bench/robustness.py [--url URL --pid PID] [--repeat 5]

Without ``--url`` a Mimic is started for the run. Results go in
docs/robustness.rst; the target is < 100 ms for the slowest request.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import random
import sys
import time
from typing import Any, Optional
from urllib.parse import quote, urlsplit

sys.path.insert(0, os.path.dirname(__file__))

from nova_support import UBUNTU, mimic_to_measure, rss_bytes  # noqa: E402


class Client:
    """One persistent HTTP/1.1 connection; bodies are sent as given."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        self.statuses: list = []

    def send(self, method: str, path: str, body: Any = None,
             headers: Optional[dict] = None) -> tuple[int, bytes, float]:
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode("utf-8", "surrogatepass")
        headers = {"content-type": "application/json", **(headers or {})}
        start = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - start
        self.statuses.append(response.status)
        return response.status, data, elapsed

    def json(self, method: str, path: str, body: Any = None, headers: Optional[dict] = None):
        status, data, _ = self.send(method, path, body, headers)
        assert status < 300, (method, path, status, data[:300])
        return json.loads(data) if data else None


def catalog(client: Client, username: str, tenant: str) -> tuple[str, dict]:
    access = client.json("POST", "/identity/v2.0/tokens", {"auth": {
        "passwordCredentials": {"username": username, "password": "x"},
        "tenantId": tenant}})["access"]
    urls = {}
    for service in access["serviceCatalog"]:
        for endpoint in service["endpoints"]:
            if endpoint["region"] == "ORD":
                urls[service["type"]] = urlsplit(endpoint["publicURL"]).path
    return access["token"]["id"], urls


def hostile_kinds(client: Client) -> dict:
    """Label -> list of (method, path, body, headers) requests of that kind."""
    token, urls = catalog(client, "bench-hostile", "880001")
    auth = {"X-Auth-Token": token, "Fastly-Key": "bench"}
    compute, control = urls["compute"], urls["compute:control"]
    clb, clb_control = urls["rax:load-balancer"], urls["rax:load-balancer:control"]
    image = urls["image"]
    network = urls["network"].rstrip("/").removesuffix("/v2.0") + "/v2.0"
    # The 26-character name that took Python's re 7.5 s under (a+)+$, and a
    # tenant of 1,000 servers for the filter to run over.
    for _ in range(5):
        client.json("POST", f"{compute}/servers", {"server": {
            "name": "a" * 26, "imageRef": UBUNTU, "flavorRef": "2", "max_count": 200}}, auth)
    # And one of 300 servers whose names all differ (RE2 learns a DFA per
    # text shape, so only different names show a pattern's real cost).
    _, other = catalog(client, "bench-names", "880002")
    chooser = random.Random(9)
    for _ in range(300):
        client.json("POST", f"{other['compute']}/servers", {"server": {
            "name": "".join(chooser.choice("ab") for _ in range(250)),
            "imageRef": UBUNTU, "flavorRef": "2"}}, auth)
    json_routes = [
        "/identity/v2.0/tokens", "/identity/v3/auth/tokens", "/mimic/v1.1/tick",
        "/mimic/v1.1/IdentityControlAPI/behaviors/auth", "/mimic/v1.1/mesh",
        f"{compute}/servers", f"{control}/behaviors/creation", f"{clb}/loadbalancers",
        f"{clb_control}/behaviors/creation", "/fastly/service", f"{image}/v2/images",
        f"{network}/networks",
    ]
    deep = "[" * 100000 + "]" * 100000
    huge = "9" * 400
    hostile_patterns = ["(a+)+$", "(.*a){25}", "(a|aa)+$", "(a*)*b",
                        "(?:.*a.{20}){20}", "(\\w*){200}"]
    query_ints = [f"{compute}/flavors?minRam=", f"{compute}/servers?limit=",
                  f"{image}/v2/images?limit=", f"{image}/v2/images?size_min=",
                  f"{network}/networks?limit=", "/fastly/service?page=",
                  "/mimic/v1.1/mesh/traces?limit="]
    return {
        # What the machine gives any request this run: the hostile rows
        # read against these (a loaded machine slows all of them alike).
        "baseline: GET / (no work)": [("GET", "/", None, None)] * 12,
        "baseline: one server created": [("POST", f"{compute}/servers", {"server": {
            "name": "plain", "imageRef": UBUNTU, "flavorRef": "2"}}, auth)] * 2,
        "baseline: 1 MiB body refused unread (413)":
            [("POST", f"{compute}/servers", "x" * (1024 * 1024 + 1), auth)],
        "JSON nested 100,000 levels (every JSON route)":
            [("POST", path, deep, auth) for path in json_routes],
        "1 MiB flat JSON array (every JSON route)":
            [("POST", path, "[" + "1," * 500000 + "1]", auth) for path in json_routes],
        "lone surrogates in bodies":
            [("POST", "/identity/v2.0/tokens",
              '{"auth": {"token": {"id": "\\ud800"}, "tenantId": "1"}}', None),
             ("POST", f"{network}/networks", '{"network": {"name": "\\udc00"}}', auth)],
        "ticks past year 9999, 400 digits, NaN":
            [("POST", "/mimic/v1.1/tick", body, None) for body in (
                '{"amount": 1e20}', '{"amount": 253402214400}',
                '{"amount": ' + huge + "}", '{"amount": NaN}')],
        "behavior parameters of 400 digits":
            [("POST", url, '{"name": "fail", "parameters": {"code": ' + huge + "}}", auth)
             for url in ("/mimic/v1.1/IdentityControlAPI/behaviors/auth",
                         f"{control}/behaviors/creation", f"{clb_control}/behaviors/creation")],
        "query integers of 4,301 digits":
            [("GET", path + "9" * 4301, None, auth) for path in query_ints],
        "query values not UTF-8":
            [("GET", f"{image}/v2/images?name=%ff", None, auth),
             ("GET", f"/identity/v2.0/tokens/{token}?belongsTo=%ff", None, auth)],
        "Nova ?name= hostile regexes over 1,000 servers":
            [("GET", f"{compute}/servers?name={quote(p)}", None, auth) for p in hostile_patterns],
        "Nova ?name= over its 50 ms budget, 300 different names":
            [("GET", f"{other['compute']}/servers?name={quote(p)}", None, auth)
             for p in ("(?:a.*a.{20}){10}", "(?:[ab]*a[ab]{20}){9}")],
        "behavior criteria hostile regexes, then a matching create":
            [("POST", f"{control}/behaviors/creation",
              {"name": "fail", "criteria": [{"server_name": p}]}, auth)
             for p in hostile_patterns]
            + [("POST", f"{compute}/servers", {"server": {
                "name": "a" * 30 + "!", "imageRef": UBUNTU, "flavorRef": "2"}}, auth)],
        "max_count 1,000,000,000 (makes 200)":
            [("POST", f"{compute}/servers", {"server": {
                "name": "many", "imageRef": UBUNTU, "flavorRef": "2",
                "max_count": 1000000000}}, auth)],
        "min_count 1,000,000,000 (403)":
            [("POST", f"{compute}/servers", {"server": {
                "name": "many", "imageRef": UBUNTU, "flavorRef": "2",
                "max_count": 1000000000, "min_count": 1000000000}}, auth)],
    }


def cpu_seconds(pid: Optional[int]) -> Optional[float]:
    """User and system CPU time process ``pid`` has used (Linux), in seconds."""
    if pid is None:
        return None
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def growth_per_thousand(pid: Optional[int], count: int, make_request) -> Optional[float]:
    """RSS growth in KiB per 1,000 calls of ``make_request(index)``."""
    if pid is None:
        return None
    gc.collect()
    before = rss_bytes(pid)
    for index in range(count):
        make_request(index)
    after = rss_bytes(pid)
    return (after - before) / 1024 / (count / 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running Mimic (default: start one)")
    parser.add_argument("--pid", type=int, help="pid of the running Mimic, for RSS")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--count", type=int, default=5000,
                        help="tenants, users and Host values for the memory figures")
    args = parser.parse_args()
    base_url, process = mimic_to_measure(args.url)
    pid = process.process.pid if process is not None else args.pid
    try:
        client = Client(base_url)
        slowest_overall = 0.0
        sent = 0
        for label, requests in hostile_kinds(client).items():
            slowest, worst = 0.0, None
            cpu_before = cpu_seconds(pid)
            for _ in range(args.repeat):
                for method, path, body, headers in requests:
                    status, data, elapsed = client.send(method, path, body, headers)
                    sent += 1
                    if elapsed > slowest:
                        slowest, worst = elapsed, (status, path[:60])
            slowest_overall = max(slowest_overall, slowest)
            # The server's own CPU time per request of the kind: what it
            # spent, however busy the machine was (10 ms resolution, spread
            # over the repeats).
            cpu = "" if pid is None else (
                f"  server CPU {(cpu_seconds(pid) - cpu_before) * 1000 / (args.repeat * len(requests)):6.1f} ms/request")
            print(f"{label:<58} slowest {slowest * 1000:7.1f} ms{cpu}  ({worst[0]} {worst[1][:40]})")
        errors = sum(1 for s in client.statuses if s >= 500)
        print(f"requests: {len(client.statuses)}, 5xx: {errors}, "
              f"slowest of all: {slowest_overall * 1000:.1f} ms")

        reader = Client(base_url)
        kinds = {
            "Nova reads of made-up tenants": lambda i: reader.send(
                "GET", f"/mimicking/nova/ORD/v2/{900000 + i}/servers/detail"),
            "CLB reads of made-up tenants": lambda i: reader.send(
                "GET", f"/mimicking/clb/ORD/v1.0/{800000 + i}/loadbalancers"),
            "Fastly reads with made-up keys": lambda i: reader.send(
                "GET", "/fastly/service", headers={"Fastly-Key": f"key-{i}"}),
            "users authenticated": lambda i: reader.send(
                "POST", "/identity/v2.0/tokens", {"auth": {"passwordCredentials": {
                    "username": f"user-{i}", "password": "x"}}}),
            "Host values (one user)": lambda i: reader.send(
                "POST", "/identity/v2.0/tokens", {"auth": {"passwordCredentials": {
                    "username": "one-user", "password": "x"}}},
                headers={"Host": f"host-{i}.example:8900"}),
        }
        for label, make_request in kinds.items():
            growth = growth_per_thousand(pid, args.count, make_request)
            shown = "n/a (no --pid)" if growth is None else f"{growth:8.0f} KiB"
            print(f"RSS growth per 1,000 {label:<34} {shown}")
        errors = sum(1 for s in reader.statuses if s >= 500)
        print(f"memory requests: {len(reader.statuses)}, 5xx: {errors}")
    finally:
        if process is not None:
            process.stop()


if __name__ == "__main__":
    main()
