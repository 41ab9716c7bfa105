"""
Fastly's API at ``/fastly`` over plain HTTP: the wire format (JSON types,
form and JSON bodies, timestamps from Mimic's clock), the rules (locking,
activation, deletion, domain ownership) and every error, in Fastly's
``{"msg", "detail"}`` shape, with no state changed by a refused request.
"""

from __future__ import annotations

import pytest

KEY = {"Fastly-Key": "route-tests"}


def call(mimic, method, path, key=KEY, **kwargs):
    return mimic.request(method, "/fastly" + path, headers=key, **kwargs)


def create_service(mimic, name="site", key=KEY, **fields):
    response = call(mimic, "POST", "/service", key=key, data={"name": name, **fields})
    assert response.status_code == 200, response.text
    return response.json()


def assert_error(response, code, msg, detail_part=""):
    assert response.status_code == code, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"msg", "detail"}
    assert body["msg"] == msg
    assert detail_part in body["detail"]


def test_health_check_answers_without_a_key(mimic):
    response = mimic.get("/fastly/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("method,path", [
    ("GET", "/current_customer"), ("GET", "/service"), ("POST", "/service"),
    ("GET", "/service/abc/version"), ("DELETE", "/service/abc"),
])
def test_every_route_but_health_needs_a_fastly_key(mimic, method, path):
    assert_error(call(mimic, method, path, key={}), 401,
                 "Provided credentials are missing or invalid", "Fastly-Key")
    assert_error(call(mimic, method, path, key={"Fastly-Key": ""}), 401,
                 "Provided credentials are missing or invalid")


def test_created_service_has_fastly_types_and_clock_timestamps(mimic):
    mimic.tick(86400 + 1.5)
    service = create_service(mimic, comment="hello")
    assert len(service["id"]) == 22 and service["id"].isalnum()
    assert service["created_at"] == service["updated_at"] == "1970-01-02T00:00:01Z"
    assert service["deleted_at"] is None
    assert service["paused"] is False
    version = service["versions"][0]
    assert version["number"] == 1 and isinstance(version["number"], int)
    assert (version["active"], version["locked"]) == (False, False)
    customer = call(mimic, "GET", "/current_customer").json()
    assert service["customer_id"] == customer["id"]


def test_json_bodies_work_like_form_bodies(mimic):
    service = create_service(mimic)
    sid = service["id"]
    response = call(mimic, "POST", f"/service/{sid}/version/1/backend",
                    json={"name": "origin", "address": "192.0.2.9", "port": 8080,
                          "use_ssl": True, "weight": "7"})
    assert response.status_code == 200, response.text
    backend = response.json()
    assert (backend["port"], backend["use_ssl"], backend["weight"]) == (8080, True, 7)
    assert backend["version"] == 1 and backend["locked"] is False
    form = call(mimic, "POST", f"/service/{sid}/version/1/backend",
                data={"name": "second", "address": "192.0.2.10", "port": "81",
                      "use_ssl": "True", "auto_loadbalance": "0"}).json()
    assert (form["port"], form["use_ssl"], form["auto_loadbalance"]) == (81, True, False)


def test_conditions_headers_cache_and_response_objects_give_version_as_string(mimic):
    sid = create_service(mimic)["id"]
    bodies = {
        "condition": {"name": "c", "statement": "req.url ~ \"/x\"", "type": "REQUEST"},
        "header": {"name": "h", "dst": "http.X", "type": "request"},
        "cache_settings": {"name": "cs"},
        "response_object": {"name": "ro"},
    }
    for kind, body in bodies.items():
        made = call(mimic, "POST", f"/service/{sid}/version/1/{kind}", data=body).json()
        assert made["version"] == "1", kind
    domain = call(mimic, "POST", f"/service/{sid}/version/1/domain",
                  data={"name": "x.example.com"}).json()
    assert domain["version"] == 1


def test_settings_use_dotted_names(mimic):
    sid = create_service(mimic)["id"]
    response = call(mimic, "PUT", f"/service/{sid}/version/1/settings",
                    data={"general.default_ttl": "120", "general.default_host": "h.example"})
    assert response.status_code == 200
    assert response.json() == {
        "general.default_host": "h.example", "general.default_ttl": 120,
        "general.stale_if_error": False, "general.stale_if_error_ttl": 43200,
        "service_id": sid, "version": 1,
    }
    assert_error(call(mimic, "PUT", f"/service/{sid}/version/1/settings",
                      data={"general.default_ttl": "soon"}), 400, "Bad request",
                 "general.default_ttl")
    assert call(mimic, "GET", f"/service/{sid}/version/1/settings").json()[
        "general.default_ttl"] == 120


@pytest.mark.parametrize("path", [
    "/service/nope", "/service/nope/details", "/service/nope/version",
    "/service/nope/version/1", "/service/nope/version/1/domain",
    "/service/nope/version/1/backend/origin",
])
def test_unknown_service_is_record_not_found(mimic, path):
    assert_error(call(mimic, "GET", path), 404, "Record not found", "nope")


def test_unknown_version_and_objects_are_404(mimic):
    sid = create_service(mimic)["id"]
    assert_error(call(mimic, "GET", f"/service/{sid}/version/2"), 404,
                 "Record not found", "version 2")
    assert_error(call(mimic, "PUT", f"/service/{sid}/version/0/activate"), 404,
                 "Record not found")
    for kind in ("domain", "backend", "condition", "cache_settings", "header",
                 "response_object"):
        assert_error(call(mimic, "GET", f"/service/{sid}/version/1/{kind}/ghost"), 404,
                     "Record not found", "ghost")
        assert_error(call(mimic, "DELETE", f"/service/{sid}/version/1/{kind}/ghost"), 404,
                     "Record not found")
    assert_error(call(mimic, "GET", f"/service/{sid}/version/1/domain/ghost/check"), 404,
                 "Record not found")


def test_unknown_routes_and_methods_answer_in_fastlys_shape(mimic):
    assert_error(call(mimic, "GET", "/no/such/thing"), 404, "Record not found")
    assert_error(call(mimic, "GET", "/service/x/version/abc"), 404, "Record not found")
    response = call(mimic, "PATCH", "/service")
    assert_error(response, 405, "Method not allowed")


def test_search_needs_a_name_and_finds_only_the_callers_services(mimic):
    create_service(mimic, name="mine")
    assert_error(call(mimic, "GET", "/service/search"), 400, "Bad request", "name")
    assert call(mimic, "GET", "/service/search", params={"name": "mine"}).json()["name"] == "mine"
    assert_error(call(mimic, "GET", "/service/search", params={"name": "mine"},
                      key={"Fastly-Key": "stranger"}), 404, "Record not found")


def test_customers_see_only_their_own_services(mimic):
    mine = create_service(mimic)
    assert call(mimic, "GET", "/service", key={"Fastly-Key": "stranger"}).json() == []
    assert_error(call(mimic, "DELETE", f"/service/{mine['id']}",
                      key={"Fastly-Key": "stranger"}), 404, "Record not found")
    assert [s["id"] for s in call(mimic, "GET", "/service").json()] == [mine["id"]]


def test_reset_forgets_every_customer(mimic):
    create_service(mimic)
    mimic.reset()
    assert call(mimic, "GET", "/service").json() == []


@pytest.mark.parametrize("fields,detail", [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "x", "type": "flash"}, "type"),
])
def test_invalid_service_is_refused_and_nothing_is_created(mimic, fields, detail):
    assert_error(call(mimic, "POST", "/service", data=fields), 400, "Bad request", detail)
    assert call(mimic, "GET", "/service").json() == []


def test_malformed_json_body_is_a_400(mimic):
    json_key = {**KEY, "content-type": "application/json"}
    response = call(mimic, "POST", "/service", data=b"{not json", key=json_key)
    assert_error(response, 400, "Bad request", "JSON")
    response = call(mimic, "POST", "/service", data=b"[1, 2]", key=json_key)
    assert_error(response, 400, "Bad request", "object")


@pytest.mark.parametrize("kind,fields,detail", [
    ("domain", {}, "name"),
    ("backend", {"name": "b"}, "address"),
    ("backend", {"name": "b", "address": "a", "port": "eighty"}, "port"),
    ("backend", {"name": "b", "address": "a", "use_ssl": "maybe"}, "use_ssl"),
    ("backend", {"name": "b", "address": "a", "weight": ""}, "weight"),
    ("condition", {"name": "c", "statement": "true", "type": "SOMETIMES"}, "type"),
    ("condition", {"name": "c", "type": "REQUEST"}, "statement"),
    ("header", {"name": "h", "dst": "http.X", "type": "request", "action": "shout"}, "action"),
    ("cache_settings", {"name": "cs", "action": "hoard"}, "action"),
])
def test_invalid_configuration_is_refused_and_nothing_is_stored(mimic, kind, fields, detail):
    sid = create_service(mimic)["id"]
    response = call(mimic, "POST", f"/service/{sid}/version/1/{kind}", data=fields)
    assert_error(response, 400, "Bad request", detail)
    assert call(mimic, "GET", f"/service/{sid}/version/1/{kind}").json() == []


def test_duplicate_names_in_a_version_are_409_and_renames_check_too(mimic):
    sid = create_service(mimic)["id"]
    for name in ("a", "b"):
        call(mimic, "POST", f"/service/{sid}/version/1/backend",
             data={"name": name, "address": "192.0.2.1"})
    assert_error(call(mimic, "POST", f"/service/{sid}/version/1/backend",
                      data={"name": "a", "address": "192.0.2.2"}), 409, "Duplicate record")
    assert_error(call(mimic, "PUT", f"/service/{sid}/version/1/backend/b",
                      data={"name": "a"}), 409, "Duplicate record")
    backends = call(mimic, "GET", f"/service/{sid}/version/1/backend").json()
    assert [(b["name"], b["address"]) for b in backends] == [("a", "192.0.2.1"),
                                                             ("b", "192.0.2.1")]


def test_locked_version_refuses_every_change_and_its_clone_accepts_them(mimic):
    sid = create_service(mimic)["id"]
    base = f"/service/{sid}/version/1"
    call(mimic, "POST", f"{base}/domain", data={"name": "www.example.com"})
    locked = call(mimic, "PUT", f"{base}/lock").json()
    assert locked["locked"] is True and locked["active"] is False
    for method, path, data in [
        ("POST", "/domain", {"name": "new.example.com"}),
        ("PUT", "/domain/www.example.com", {"comment": "changed"}),
        ("DELETE", "/domain/www.example.com", None),
        ("PUT", "/settings", {"general.default_ttl": "1"}),
    ]:
        assert_error(call(mimic, method, base + path, data=data), 400, "Bad request", "locked")
    domain = call(mimic, "GET", f"{base}/domain/www.example.com").json()
    assert domain["comment"] == ""
    clone = call(mimic, "PUT", f"{base}/clone").json()
    assert (clone["number"], clone["locked"], clone["active"]) == (2, False, False)
    changed = call(mimic, "PUT", f"/service/{sid}/version/2/domain/www.example.com",
                   data={"comment": "changed"})
    assert changed.status_code == 200 and changed.json()["comment"] == "changed"


def test_deleting_a_service_with_an_active_version_is_refused(mimic):
    sid = create_service(mimic)["id"]
    call(mimic, "PUT", f"/service/{sid}/version/1/activate")
    assert_error(call(mimic, "DELETE", f"/service/{sid}"), 400, "Bad request", "active")
    assert call(mimic, "GET", f"/service/{sid}").status_code == 200
    call(mimic, "PUT", f"/service/{sid}/version/1/deactivate")
    response = call(mimic, "DELETE", f"/service/{sid}")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert_error(call(mimic, "DELETE", f"/service/{sid}"), 404, "Record not found")


def test_deactivating_an_inactive_version_is_refused(mimic):
    sid = create_service(mimic)["id"]
    assert_error(call(mimic, "PUT", f"/service/{sid}/version/1/deactivate"), 400,
                 "Bad request", "not active")


def test_activation_is_timestamped_on_mimics_clock(mimic):
    sid = create_service(mimic)["id"]
    mimic.tick(90)
    activated = call(mimic, "PUT", f"/service/{sid}/version/1/activate").json()
    assert activated["created_at"] == "1970-01-01T00:00:00Z"
    assert activated["updated_at"] == "1970-01-01T00:01:30Z"


def test_a_domain_belongs_to_one_service(mimic):
    first = create_service(mimic, name="first")["id"]
    second = create_service(mimic, name="second")["id"]
    call(mimic, "POST", f"/service/{first}/version/1/domain", data={"name": "taken.example"})
    assert_error(call(mimic, "POST", f"/service/{second}/version/1/domain",
                      data={"name": "taken.example"}), 400, "Bad request", "another service")
    stranger = create_service(mimic, name="theirs", key={"Fastly-Key": "stranger"})["id"]
    assert_error(call(mimic, "POST", f"/service/{stranger}/version/1/domain",
                      data={"name": "taken.example"}, key={"Fastly-Key": "stranger"}),
                 400, "Bad request", "another customer")
    # Freed once no version of the first service holds it.
    call(mimic, "DELETE", f"/service/{first}/version/1/domain/taken.example")
    assert call(mimic, "POST", f"/service/{second}/version/1/domain",
                data={"name": "taken.example"}).status_code == 200


def test_validate_reports_what_a_version_lacks(mimic):
    sid = create_service(mimic)["id"]
    base = f"/service/{sid}/version/1"
    empty = call(mimic, "GET", f"{base}/validate").json()
    assert empty["status"] == "error"
    assert empty["errors"] == ["Version has no domains.", "Version has no backends."]
    call(mimic, "POST", f"{base}/domain", data={"name": "v.example.com"})
    call(mimic, "POST", f"{base}/condition",
         data={"name": "gone", "statement": "true", "type": "REQUEST"})
    call(mimic, "POST", f"{base}/backend",
         data={"name": "o", "address": "192.0.2.1", "request_condition": "gone"})
    assert call(mimic, "GET", f"{base}/validate").json()["status"] == "ok"
    # A condition deleted after an object named it leaves the name dangling.
    assert call(mimic, "DELETE", f"{base}/condition/gone").status_code == 200
    dangling = call(mimic, "GET", f"{base}/validate").json()
    assert dangling["status"] == "error"
    assert dangling["errors"] == [
        "Backend 'o' refers to condition 'gone', which does not exist."]


def test_list_paging_and_sorting_are_checked(mimic):
    for name in ("a", "b", "c"):
        create_service(mimic, name=name)
        mimic.tick(1)
    names = lambda **params: [s["name"] for s in  # noqa: E731
                              call(mimic, "GET", "/service", params=params).json()]
    assert names() == ["a", "b", "c"]
    assert names(sort="-created") == ["c", "b", "a"]
    assert names(sort="name", direction="descend", per_page="2") == ["c", "b"]
    assert names(page="9") == []
    for params in ({"page": "0"}, {"per_page": "x"}, {"direction": "up"},
                   {"sort": "colour"}, {"per_page": "5000"}):
        assert_error(call(mimic, "GET", "/service", params=params), 400, "Bad request")


def test_details_shows_a_chosen_version_and_can_filter_to_active(mimic):
    sid = create_service(mimic)["id"]
    call(mimic, "PUT", f"/service/{sid}/version/1/activate")
    call(mimic, "PUT", f"/service/{sid}/version/1/clone")
    details = call(mimic, "GET", f"/service/{sid}/details").json()
    assert details["version"]["number"] == 1 and details["active_version"]["number"] == 1
    assert [v["number"] for v in details["versions"]] == [1, 2]
    chosen = call(mimic, "GET", f"/service/{sid}/details",
                  params={"version": "2", "filter[versions.active]": "true"}).json()
    assert chosen["version"]["number"] == 2
    assert [v["number"] for v in chosen["versions"]] == [1]
    assert_error(call(mimic, "GET", f"/service/{sid}/details", params={"version": "7"}),
                 404, "Record not found")
    assert_error(call(mimic, "GET", f"/service/{sid}/details", params={"version": "two"}),
                 400, "Bad request")


def test_service_domains_lists_domains_of_every_version(mimic):
    sid = create_service(mimic)["id"]
    call(mimic, "POST", f"/service/{sid}/version/1/domain", data={"name": "one.example"})
    call(mimic, "PUT", f"/service/{sid}/version/1/clone")
    call(mimic, "POST", f"/service/{sid}/version/2/domain", data={"name": "two.example"})
    listed = call(mimic, "GET", f"/service/{sid}/domain").json()
    assert [(d["name"], d["version"]) for d in listed] == [
        ("one.example", 1), ("one.example", 2), ("two.example", 2)]


def test_fastly_is_not_in_catalogs_but_its_regional_path_serves_the_same_api(mimic):
    access = mimic.authenticate()
    assert all("fastly" not in entry["endpoints"][0]["publicURL"]
               for entry in access["serviceCatalog"] if entry["endpoints"])
    mine = create_service(mimic)
    listed = mimic.get("/mimicking/fastly/ORD/service", headers=KEY).json()
    assert [s["id"] for s in listed] == [mine["id"]]


def test_purge_all_and_purge_one_url_by_post_or_purge_method(mimic):
    sid = create_service(mimic)["id"]
    assert call(mimic, "POST", f"/service/{sid}/purge_all").json() == {"status": "ok"}
    posted = call(mimic, "POST", "/purge/www.example.com/a/b.png")
    assert posted.status_code == 200
    assert posted.json()["status"] == "ok" and posted.json()["id"]
    # PURGE on the URL itself, as Fastly's edge takes it (a soft purge too).
    purged = call(mimic, "PURGE", "/www.example.com/a/b.png")
    assert purged.status_code == 200, purged.text
    assert purged.headers["content-type"] == "application/json"
    assert purged.json()["status"] == "ok" and purged.json()["id"] != posted.json()["id"]
    soft = call(mimic, "PURGE", "/www.example.com/", key={**KEY, "Fastly-Soft-Purge": "1"})
    assert soft.json()["status"] == "ok"


def test_purges_are_refused_in_fastlys_shape(mimic):
    assert_error(call(mimic, "POST", "/service/nope/purge_all"), 404, "Record not found")
    assert_error(call(mimic, "POST", "/service/nope/purge/key"), 404, "Record not found")
    assert_error(call(mimic, "PURGE", "/www.example.com/x", key={}), 401,
                 "Provided credentials are missing or invalid")
    assert_error(call(mimic, "PURGE", "/"), 400, "Bad request", "URL")
    sid = create_service(mimic)["id"]
    assert_error(call(mimic, "POST", f"/service/{sid}/purge", json={"surrogate_keys": "a"}),
                 400, "Bad request", "surrogate_keys")
    too_many = {"surrogate_keys": [f"k{n}" for n in range(257)]}
    assert_error(call(mimic, "POST", f"/service/{sid}/purge", json=too_many), 400,
                 "Bad request", "256")
    bulk = call(mimic, "POST", f"/service/{sid}/purge", json={"surrogate_keys": ["a", "b"]})
    assert sorted(bulk.json()) == ["a", "b"]


def test_purge_method_leaves_unknown_paths_404_and_wrong_methods_405(mimic):
    assert_error(call(mimic, "GET", "/no/such/route"), 404, "Record not found")
    assert_error(call(mimic, "DELETE", "/service"), 405, "Method not allowed")
