"""
What a mesh endpoint does by itself (Mimic's additions on a Mimik
document): latency, errors, fail patterns, per version and per endpoint,
and a standalone pod's health and readiness codes.
"""

from __future__ import annotations

import random

import pytest

from mimic.model.mesh.behaviour import parse_latency
from mimic.model.mesh.quantities import PolicyError, rate
from tests.mesh_support import load_mesh

MIMIK = "apiVersion: mimik.veicot.io/v1alpha1\nkind: Mimik\n"


def test_percentile_latency_draws_fit_their_percentiles():
    latency = parse_latency({"p50": "10ms", "p90": "40ms", "p99": "200ms"}, "latency")
    rng = random.Random(3)
    draws = sorted(latency.draw(rng) for _ in range(20000))
    assert draws[10000] == pytest.approx(10, rel=0.05)
    assert draws[18000] == pytest.approx(40, rel=0.05)
    assert draws[19800] == pytest.approx(200, rel=0.05)


def test_lognormal_and_uniform_latencies_have_their_median_and_range():
    rng = random.Random(5)
    lognormal = parse_latency({"distribution": "lognormal", "median": "20ms", "sigma": 0.5}, "l")
    draws = sorted(lognormal.draw(rng) for _ in range(10000))
    assert draws[5000] == pytest.approx(20, rel=0.05)
    uniform = parse_latency({"distribution": "uniform", "min": "5ms", "max": "15ms"}, "l")
    draws = [uniform.draw(rng) for _ in range(2000)]
    assert 5 <= min(draws) < 5.1 and 14.9 < max(draws) <= 15


def test_rates_are_0_to_1_or_percent_strings():
    assert rate(0.25, "r") == 0.25 and rate("25%", "r") == 0.25
    for wrong in (25, "125%", "a%", True, -0.1):
        with pytest.raises(PolicyError, match="0 to 1"):
            rate(wrong, "r")


MESH = "---\n".join([
    MIMIK + "spec: {service: client}\n",
    MIMIK + """spec:
  service: api
  version: v1
  latency: 20ms
  endpoints:
    - {path: /slow, method: GET, latency: {fixed: 300ms}}
    - {path: /fast, method: GET}
    - {path: /boot, method: GET, fail: {first: 2, code: 500}}
    - {path: /tick, method: GET, fail: {every: 3}}
""",
])


def test_endpoint_latency_overrides_the_versions_in_simulated_time(mimic):
    load_mesh(mimic, MESH)
    assert mimic.get("/mesh/api/slow").json()["duration_ms"] == 300.0
    assert mimic.get("/mesh/api/fast").json()["duration_ms"] == 20.0
    # A cascade through the service takes its version's latency.
    assert mimic.get("/mesh/api/@client/x").json()["duration_ms"] == 20.0


def test_fail_first_and_every(mimic):
    load_mesh(mimic, MESH)
    assert [mimic.get("/mesh/api/boot").status_code for _ in range(4)] == [500, 500, 200, 200]
    assert [mimic.get("/mesh/api/tick").status_code for _ in range(6)] == [
        200, 200, 503, 200, 200, 503]
    node = mimic.get("/mesh/api/tick").json()
    assert node["code"] == 200
    failing = [mimic.get("/mesh/api/tick").json() for _ in range(2)][1]
    assert failing["error"] == "failed by itself (fail.every: request 9 is a multiple of 3)"


def test_a_per_version_error_rate_makes_the_slow_failing_canary(mimic):
    load_mesh(mimic, "---\n".join([
        MIMIK + "spec: {service: client}\n",
        MIMIK + "spec: {service: web, version: v1}\n",
        MIMIK + "spec: {service: web, version: v2, latency: 80ms, "
                "errors: {rate: '100%', code: 502}}\n"]))
    children = mimic.get("/mesh/client/@web|web|web|web/x").json()["upstream_calls"]
    by_version = {c["version"]: (c["code"], c["duration_ms"]) for c in children}
    assert by_version == {"v1": (200, 0.0), "v2": (502, 80.0)}


def test_a_wrong_latency_is_refused_naming_the_field(mimic):
    response = mimic.post("/mimic/v1.1/mesh", headers={"content-type": "application/yaml"},
                          data=MIMIK + "spec: {service: a, endpoints: [{path: /, method: GET, "
                                       "latency: {p50: 50ms, p90: 10ms}}]}\n")
    assert response.status_code == 400
    error = response.json()["badRequest"]
    assert error["path"] == "spec.endpoints[0].latency.p90"


def test_standalone_health_and_ready_codes_from_the_file_and_at_run_time(mimic_factory, tmp_path):
    path = tmp_path / "mesh.yaml"
    path.write_text(MIMIK + "spec: {service: api, health: {ready: 503}}\n")
    client = mimic_factory("--mesh", str(path), "--mesh-service", "api").client()
    assert client.get("/health").status_code == 200
    ready = client.get("/ready")
    assert (ready.status_code, ready.json()["status"]) == (503, "DOWN")
    changed = client.put("/mimic/v1.1/mesh/probes/api", json={"ready": 200, "health": 500})
    assert changed.json() == {"health": 500, "ready": 200}
    assert (client.get("/health").status_code, client.get("/ready").status_code) == (500, 200)
    assert client.put("/mimic/v1.1/mesh/probes/api", json={"ready": 99}).status_code == 400
    assert client.put("/mimic/v1.1/mesh/probes/nope", json={"ready": 200}).status_code == 404
    client.reset()
    assert client.get("/ready").status_code == 503
