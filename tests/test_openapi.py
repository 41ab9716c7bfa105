"""
``GET /mimic/v1.1/openapi.json`` describes every control-plane route that
exists, and a live server answers as it says: schemathesis (the real CLI)
fuzzes it, bounded in examples and time, and must find no 5xx and no answer
that violates the document.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from mimic.rest.identity_api import IdentityControlApi
from mimic.rest.mesh_api import MeshControlApi
from mimic.rest.root_api import MimicRoot

ROOT = Path(__file__).resolve().parent.parent
SCHEMATHESIS = os.path.join(os.path.dirname(sys.executable), "schemathesis")

#: Checks of "no 5xx and nothing the document does not say".
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_schema_conformance,response_headers_conformance,"
          "negative_data_rejection")


def routes_of(app, prefix=""):
    """``(path, method)`` of every route of a Klein app, in OpenAPI's spelling."""
    for rule in app.url_map.iter_rules():
        path = prefix + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        path = path.rstrip("/") if path != prefix + "/" else prefix
        for method in rule.methods or ():
            if method not in ("HEAD", "OPTIONS"):
                yield path, method.lower()


def test_the_document_is_openapi_3_1_of_this_server(mimic):
    document = mimic.get("/mimic/v1.1/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": mimic.base_url}]
    assert document["info"]["title"] == "Mimic control plane"


def test_every_control_plane_route_is_in_the_document(mimic):
    paths = mimic.get("/mimic/v1.1/openapi.json").json()["paths"]
    documented = {(path.rstrip("/"), method) for path, item in paths.items()
                  for method in item if method != "parameters"}
    served = [
        *(r for r in routes_of(MimicRoot.app) if r[0].startswith("/mimic/")),
        *routes_of(IdentityControlApi.app, "/mimic/v1.1/IdentityControlAPI"),
        *routes_of(MeshControlApi.app, "/mimic/v1.1/mesh"),
    ]
    # Sub-resources Klein mounts (branch routes) are documented by their
    # parts (the Identity control API's routes above, the dashboard's page).
    missing = sorted({r for r in served if "{__rest__}" not in r[0]} - documented)
    assert not missing, f"undocumented control-plane routes: {missing}"


def test_the_document_offers_behavior_routes_only_in_served_regions(mimic_factory):
    server = mimic_factory("--regions", "ORD,LON")
    paths = server.client().get("/mimic/v1.1/openapi.json").json()["paths"]
    nova = paths["/mimicking/nova-control/{region}/v2/{tenant_id}/behaviors/{event}"]
    region, _, event = nova["parameters"]
    assert region["schema"]["enum"] == ["ORD", "LON"]
    assert event["schema"]["enum"] == ["creation", "deletion"]


def test_tick_past_the_clocks_end_is_refused_and_moves_nothing(mimic):
    # Found by the fuzzer: a tick of 1e12 seconds made every later answer
    # that formats a time (the tick itself, tokens) a 500.
    refused = mimic.post("/mimic/v1.1/tick", json={"amount": 1e12})
    assert refused.status_code == 400
    assert "9000-01-01T00:00:00" in refused.json()["badRequest"]["message"]
    assert mimic.tick(0)["now"] == "1970-01-01T00:00:00.000000Z"
    assert mimic.token()


def test_schemathesis_finds_nothing_against_a_live_server(mimic_factory, tmp_path):
    server = mimic_factory("--quiet", "--mesh", str(ROOT / "examples" / "servicemock.yaml"))
    result = subprocess.run(
        [SCHEMATHESIS, "run", f"{server.base_url}/mimic/v1.1/openapi.json",
         "--checks", CHECKS, "--max-examples", "6", "--seed", "1", "--no-color",
         "--request-timeout", "10",
         # The stateful phase needs links between operations; the document
         # has none, so it would only repeat the fuzzing phase's requests.
         "--phases", "examples,coverage,fuzzing"],
        # About 20 s on an idle machine; the bound is for a loaded one.
        capture_output=True, text=True, timeout=170, cwd=tmp_path, stdin=subprocess.DEVNULL,
        env={**os.environ, "SCHEMATHESIS_HOOKS": "", "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert "passed" in result.stdout and "failure" not in summary, summary
    assert "Traceback" not in server.log
