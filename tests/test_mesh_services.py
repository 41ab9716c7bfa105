"""
Services declared in mesh documents, served embedded at /mesh/<service>/,
and the control API that replaces, patches, shows and empties the mesh.
"""

from __future__ import annotations

import pytest

from tests.harness import MimicDidNotStart
from tests.mesh_support import HELLO_WORLD, load_mesh, shape

MIMIK = "apiVersion: mimik.veicot.io/v1alpha1\nkind: Mimik\n"

VERSIONED = MIMIK + """metadata: {name: reviews-v1}
spec: {service: reviews, version: v1}
---
""" + MIMIK + """metadata: {name: reviews-v2}
spec: {service: reviews, version: v2, replicas: 2}
---
""" + MIMIK + """metadata: {name: shop}
spec:
  service: shop
  version: v1
  endpoints:
    - path: /buy
      method: POST
      connections:
        - {service: stock, port: 9000, path: /take, method: DELETE}
        - {service: pay, path: "@bank/charge"}
      response:
        code: 201
        body: {bought: true}
        headers: {x-shop: yes-sir}
    - path: /loop
      method: GET
      connections: [{service: shop, path: loop}]
    - path: /broken
      method: GET
      connections: [{service: nowhere}]
    - path: /down
      method: GET
      response: {code: 503, headers: {x-why: "maintenance — back soon"}}
    - path: /uses-down
      method: GET
      connections: [{service: shop, path: down}]
---
""" + MIMIK + """spec:
  service: stock
  endpoints: [{path: /take, method: DELETE}]
---
""" + MIMIK + "spec: {service: pay}\n---\n" + MIMIK + "spec: {service: bank}\n"


def test_mimik_hello_world_file_loads_and_answers(mimic_factory):
    server = mimic_factory("--mesh", HELLO_WORLD)
    assert "unknown kind" not in server.log
    client = server.client()
    response = client.get("/mesh/hello-world-frontend/")
    assert response.status_code == 200
    node = response.json()
    assert shape(node) == ("hello-world-frontend", "/", 200, [
        ("hello-world-backend", "/hello", 200, [])])
    backend = node["upstream_calls"][0]
    assert (node["version"], backend["version"]) == ("v1", "v1")
    assert backend["url"] == "http://hello-world-backend:8080/hello"
    assert client.get("/mesh/hello-world-backend/hello").json()["code"] == 200
    kinds = [d["kind"] for d in client.get("/mimic/v1.1/mesh").json()["documents"]]
    assert kinds == ["Mimik", "Mimik", "Gateway", "VirtualService"]
    # Reset goes back to the mesh of the command line, not to an empty one.
    assert client.delete("/mimic/v1.1/mesh").status_code == 204
    assert client.get("/mesh/hello-world-frontend/").status_code == 404
    client.reset()
    assert client.get("/mesh/hello-world-frontend/").status_code == 200


def test_unknown_kinds_in_a_mesh_file_are_logged_not_fatal(mimic_factory, tmp_path):
    path = tmp_path / "mesh.yaml"
    path.write_text(MIMIK + "spec: {service: a}\n---\napiVersion: x/v1\nkind: Frobnicator\n")
    server = mimic_factory("--mesh", str(path))
    assert "document 1: unknown kind 'Frobnicator'" in server.log
    assert server.client().get("/mesh/a/").status_code == 200


def test_a_bad_mesh_file_stops_start_up_with_its_location(mimic_factory, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(MIMIK + "spec: {service: a, endpoints: [{path: /, method: GIT}]}\n")
    with pytest.raises(MimicDidNotStart) as caught:
        mimic_factory("--mesh", str(path))
    assert f"{path}, document 0, spec.endpoints[0].method: 'GIT' is not one of" in str(caught.value)


def test_calls_spread_over_versions_and_replicas_round_robin(mimic):
    load_mesh(mimic, VERSIONED)
    seen = [(n["version"], n["replica"]) for n in
            (mimic.get("/mesh/reviews/").json() for _ in range(6))]
    assert seen == [("v1", 0), ("v2", 0), ("v2", 1)] * 2


def test_endpoint_calls_its_connections_in_order_and_answers_its_response(mimic):
    load_mesh(mimic, VERSIONED)
    response = mimic.post("/mesh/shop/buy")
    node = response.json()
    assert response.status_code == 201
    assert response.headers["x-shop"] == "yes-sir"
    assert node["body"] == {"bought": True}
    assert shape(node) == ("shop", "/buy", 201, [
        ("stock", "/take", 200, []),
        ("pay", "/@bank/charge", 200, [("bank", "/charge", 200, [])])])
    stock = node["upstream_calls"][0]
    assert (stock["method"], stock["url"]) == ("DELETE", "http://stock:9000/take")


def test_unknown_path_or_method_on_a_known_service_is_a_404_node(mimic):
    load_mesh(mimic, VERSIONED)
    for method, path in (("GET", "/nothing"), ("GET", "/buy")):
        response = mimic.request(method, "/mesh/shop" + path)
        assert response.status_code == 404
        assert response.json()["error"] == f"shop has no endpoint {method} {path}"


def test_a_service_without_endpoints_answers_any_path(mimic):
    load_mesh(mimic, VERSIONED)
    response = mimic.put("/mesh/pay/anything/at/all")
    assert response.status_code == 200
    assert response.json()["method"] == "PUT"


def test_a_cascade_on_a_configured_service_needs_no_endpoint(mimic):
    load_mesh(mimic, VERSIONED)
    node = mimic.get("/mesh/shop/@reviews/x").json()
    assert shape(node) == ("shop", "/@reviews/x", 200, [("reviews", "/x", 200, [])])


def test_an_unknown_service_is_a_404_node(mimic):
    response = mimic.get("/mesh/ghost/x")
    assert response.status_code == 404
    assert response.json()["error"] == "no service 'ghost' in the mesh"


def test_a_configured_connection_to_an_unknown_service_answers_502(mimic):
    load_mesh(mimic, VERSIONED)
    response = mimic.get("/mesh/shop/broken")
    assert response.status_code == 502
    assert shape(response.json()) == ("shop", "/broken", 502, [("nowhere", "/", 503, [])])


def test_an_endpoint_answering_5xx_fails_its_callers(mimic):
    load_mesh(mimic, VERSIONED)
    down = mimic.get("/mesh/shop/down")
    assert down.status_code == 503
    assert down.headers["x-why"].encode("latin-1").decode("utf-8") == "maintenance — back soon"
    response = mimic.get("/mesh/shop/uses-down")
    assert response.status_code == 502
    node = response.json()
    assert shape(node) == ("shop", "/uses-down", 502, [("shop", "/down", 503, [])])
    assert node["upstream_calls"][0]["error"] == "upstream answered 503"


def test_services_calling_in_a_circle_stop_at_the_hop_limit(mimic):
    load_mesh(mimic, VERSIONED)
    response = mimic.get("/mesh/shop/loop")
    assert response.status_code == 502
    node, depth = response.json(), 0
    while node["upstream_calls"]:
        node, depth = node["upstream_calls"][0], depth + 1
    assert (node["code"], depth) == (508, 32)
    assert "calling each other in a circle" in node["error"]


# the control API


def test_post_replaces_the_mesh_and_get_shows_it(mimic):
    load_mesh(mimic, VERSIONED)
    load_mesh(mimic, MIMIK + "spec: {service: only}\n")
    body = mimic.get("/mimic/v1.1/mesh").json()
    assert list(body["services"]) == ["only"]
    assert [d["spec"]["service"] for d in body["documents"]] == ["only"]
    assert mimic.get("/mesh/reviews/").status_code == 404
    assert mimic.get("/mesh/").json() == {"services": ["only"]}


def test_post_takes_json_too(mimic):
    document = {"apiVersion": "mimik.veicot.io/v1alpha1", "kind": "Mimik",
                "spec": {"service": "j", "endpoints": [{"path": "/", "method": "GET"}]}}
    response = mimic.post("/mimic/v1.1/mesh", json=[document])
    assert response.status_code == 200
    assert response.json()["services"]["j"][0]["endpoints"] == [{"method": "GET", "path": "/"}]
    # What GET answers can be posted back as it is.
    again = mimic.post("/mimic/v1.1/mesh", json=mimic.get("/mimic/v1.1/mesh").json())
    assert again.status_code == 200 and again.json()["documents"] == [document]


def test_patch_adds_and_updates_documents(mimic):
    load_mesh(mimic, VERSIONED)
    response = mimic.patch("/mimic/v1.1/mesh", data=MIMIK + (
        "metadata: {name: reviews-v2}\nspec: {service: reviews, version: v2}\n---\n"
        + MIMIK + "spec: {service: ratings}\n"))
    assert response.status_code == 200
    services = response.json()["services"]
    assert services["reviews"][1]["replicas"] == 1
    assert "ratings" in services and "shop" in services
    assert mimic.get("/mesh/ratings/").status_code == 200


def test_delete_empties_the_mesh(mimic):
    load_mesh(mimic, VERSIONED)
    assert mimic.delete("/mimic/v1.1/mesh").status_code == 204
    assert mimic.get("/mimic/v1.1/mesh").json() == {"documents": [], "services": {}}
    assert mimic.get("/mesh/shop/buy").status_code == 404


@pytest.mark.parametrize("method", ["POST", "PATCH"])
@pytest.mark.parametrize("body, where", [
    ("kind: [\n", {"document": 0, "path": ""}),
    (MIMIK + "spec: {service: a}\n---\n" + MIMIK + "spec: {service: b, replicas: many}\n",
     {"document": 1, "path": "spec.replicas"}),
    ("", {"document": None, "path": ""}),
    ("- just\n- a list\n", {"document": 0, "path": ""}),
    ('{"kind": "Mimik"', {"document": None, "path": ""}),
])
def test_a_bad_document_is_a_400_and_the_old_mesh_keeps_serving(mimic, method, body, where):
    load_mesh(mimic, VERSIONED)
    response = mimic.request(method, "/mimic/v1.1/mesh", data=body.encode())
    assert response.status_code == 400
    error = response.json()["badRequest"]
    assert {k: error[k] for k in where} == where
    assert error["source"] == "request" and error["code"] == 400
    assert mimic.post("/mesh/shop/buy").status_code == 201
    assert len(mimic.get("/mimic/v1.1/mesh").json()["documents"]) == 6


def test_a_duplicate_service_version_is_refused(mimic):
    response = mimic.post("/mimic/v1.1/mesh", data=(MIMIK + "spec: {service: a}\n---\n") * 2)
    assert response.status_code == 400
    assert "already declared by request document 0" in response.json()["badRequest"]["message"]


def test_control_api_answers_unknown_routes_and_methods_as_json(mimic):
    assert mimic.get("/mimic/v1.1/mesh/nothing").status_code == 404
    response = mimic.put("/mimic/v1.1/mesh", data="x")
    assert response.status_code == 405
    assert response.json()["badMethod"]["code"] == 405


def test_mesh_is_not_a_catalog_api(mimic):
    response = mimic.get("/mimicking/mesh/ORD/x")
    assert response.status_code == 404
    assert "/mesh/<service>/" in response.json()["itemNotFound"]["message"]


@pytest.mark.parametrize("value", ["nohost", "svc=127.0.0.1", "svc=127.0.0.1:0", "=h:1"])
def test_a_bad_mesh_resolve_is_a_usage_error(mimic_factory, value):
    with pytest.raises(MimicDidNotStart) as caught:
        mimic_factory("--mesh-resolve", value)
    assert "--mesh-resolve takes SERVICE=HOST:PORT" in str(caught.value)
