"""
Nothing a client sends can crash, stall or bloat Mimic (issue 9): each test
replays one of the requests that broke it, over HTTP against a real server,
and checks the API's own 400 (or 403) and that nothing changed.

The limits themselves are documented in docs/robustness.rst.
"""

from __future__ import annotations

import random

import pytest

from tests.robustness_support import assert_error_shape, endpoints

#: 5,000 levels: far past Python's recursion limit, which is what made the
#: JSON reader raise RecursionError (a 500) before.
DEEP_ARRAY = "[" * 5000 + "]" * 5000
#: 150 levels: parses, but past Mimic's documented depth (100).
DEEP_OBJECT = '{"a":' * 150 + "1" + "}" * 150


def json_routes(api) -> list:
    """``(API name, method, URL)`` of one JSON-taking route of every API."""
    return [
        ("identity", "POST", "/identity/v2.0/tokens"),
        ("identity-v3", "POST", "/identity/v3/auth/tokens"),
        ("control", "POST", "/mimic/v1.1/tick"),
        ("control", "POST", "/mimic/v1.1/IdentityControlAPI/behaviors/auth"),
        ("mesh", "POST", "/mimic/v1.1/mesh"),
        ("nova", "POST", f"{api.compute}/servers"),
        ("nova", "POST", f"{api.compute_control}/behaviors/creation"),
        ("clb", "POST", f"{api.clb}/loadbalancers"),
        ("clb", "POST", f"{api.clb_control}/behaviors/creation"),
        ("fastly", "POST", "/fastly/service"),
        ("glance", "POST", f"{api.image}/v2/images"),
        ("neutron", "POST", f"{api.network}/networks"),
    ]


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT], ids=["5000-levels", "150-levels"])
def test_deeply_nested_json_is_a_400_in_each_apis_shape(mimic, body):
    api = endpoints(mimic)
    headers = {**api.headers(), "Fastly-Key": "robust", "content-type": "application/json"}
    for name, method, url in json_routes(api):
        response = mimic.request(method, url, data=body, headers=headers)
        assert_error_shape(name, response)
    # Nothing was made, and the server still answers normally.
    assert mimic.get(f"{api.compute}/servers", headers=api.headers()).json() == {"servers": []}
    assert mimic.get("/fastly/service", headers={"Fastly-Key": "robust"}).json() == []


def test_a_lone_surrogate_in_a_json_body_is_refused_when_submitted(mimic):
    api = endpoints(mimic)
    # A token id of its own (the v2.0 "token" credentials) and a user name.
    for body in ({"auth": {"token": {"id": "\ud800"}, "tenantId": "1"}},
                 {"auth": {"passwordCredentials": {"username": "bad\udfff", "password": "x"}}}):
        assert_error_shape("identity", mimic.post("/identity/v2.0/tokens", json=body))
    admin = {"X-Auth-Token": _admin_v3_token(mimic)}
    users = mimic.get("/identity/v3/users", headers=admin).json()["users"]
    assert not [u for u in users if u["name"].startswith("bad")]
    # A configured header of a Fastly object, a server name, a network name.
    service = mimic.post("/fastly/service", headers={"Fastly-Key": "robust"},
                         json={"name": "site"}).json()
    response = mimic.post(f"/fastly/service/{service['id']}/version/1/header",
                          headers={"Fastly-Key": "robust"},
                          json={"name": "h", "action": "set", "type": "response",
                                "dst": "http.X-Test", "src": '"\ud800"'})
    assert_error_shape("fastly", response)
    assert mimic.get(f"/fastly/service/{service['id']}/version/1/header",
                     headers={"Fastly-Key": "robust"}).json() == []
    response = mimic.post(f"{api.compute}/servers", headers=api.headers(), json={
        "server": {"name": "\ud800", "imageRef": "x", "flavorRef": "y"}})
    assert_error_shape("nova", response)
    response = mimic.post(f"{api.network}/networks", headers=api.headers(),
                          json={"network": {"name": "\udc00"}})
    assert_error_shape("neutron", response)
    # A well-formed pair (an emoji, escaped) is text like any other.
    response = mimic.post(f"{api.network}/networks", headers=api.headers(),
                          json={"network": {"name": "\U0001F600"}})
    assert response.status_code == 201, response.text
    assert response.json()["network"]["name"] == "\U0001F600"


@pytest.mark.parametrize("body", [
    '{"amount": NaN}', '{"amount": Infinity}', '{"amount": -1}', '{"amount": 1e999}',
    '{"amount": ' + "9" * 400 + "}",
], ids=["nan", "infinity", "negative", "overflowing-float", "400-digits"])
def test_ticks_that_are_not_a_finite_non_negative_number_are_400(mimic, body):
    response = mimic.post("/mimic/v1.1/tick", data=body)
    assert_error_shape("control", response)
    assert mimic.tick(0)["now"] == "1970-01-01T00:00:00.000000Z"


@pytest.mark.parametrize("amounts", [[1e20], [253402214400], [2e11, 2e11]],
                         ids=["1e20", "year-9999", "two-of-2e11"])
def test_a_tick_past_what_timestamps_can_show_is_refused_and_moves_nothing(mimic, amounts):
    *accepted, refused = amounts
    for amount in accepted:
        mimic.tick(amount)
    before = mimic.tick(0)["now"]
    response = mimic.post("/mimic/v1.1/tick", json={"amount": refused})
    assert_error_shape("control", response)
    assert "9000-01-01" in response.json()["badRequest"]["message"]
    assert mimic.tick(0)["now"] == before
    # Every later request still works: a token's expiry is still a date.
    access = mimic.authenticate(username="later", tenant_id="1")
    assert access["token"]["expires"] > before


def test_the_clock_can_reach_its_documented_limit_and_tokens_still_work(mimic):
    # 9000-01-01T00:00:00Z (mimic.util.MAX_CLOCK_SECONDS): far enough
    # before 9999-12-31 for every lifetime Mimic dates from the clock.
    mimic.tick(221845392000)
    assert mimic.tick(0)["now"] == "9000-01-01T00:00:00.000000Z"
    assert_error_shape("control", mimic.post("/mimic/v1.1/tick", json={"amount": 1}))
    access = mimic.authenticate(username="at-the-end", tenant_id="1")
    assert access["token"]["expires"] == "9000-01-02T00:00:00.000000Z"


HUGE = int("9" * 400)


def behavior_urls(api) -> list:
    """``(API name, URL)`` of each control API's creation (or auth) behaviors."""
    return [
        ("control", "/mimic/v1.1/IdentityControlAPI/behaviors/auth"),
        ("nova", f"{api.compute_control}/behaviors/creation"),
        ("clb", f"{api.clb_control}/behaviors/creation"),
    ]


def _listing(mimic, url):
    response = mimic.get(url)
    assert response.status_code == 200, response.text
    return response.json()["behaviors"]


@pytest.mark.parametrize("parameters", [
    {"code": HUGE}, {"code": str(HUGE)}, {"duration": HUGE}, {"duration": "9" * 5000},
], ids=["code", "code-string", "duration", "duration-5000-digit-string"])
def test_behavior_parameters_of_hundreds_of_digits_are_400_and_store_nothing(mimic, parameters):
    api = endpoints(mimic)
    # Identity's behaviors take a code only; Nova's and CLB's a duration too.
    durations = {"nova": "build", "clb": "building"}
    for shape, url in behavior_urls(api):
        if "duration" in parameters and shape not in durations:
            continue
        name = durations[shape] if "duration" in parameters else "fail"
        response = mimic.post(url, json={"name": name, "parameters": parameters})
        assert_error_shape(shape, response)
        assert _listing(mimic, url) == []


@pytest.mark.parametrize("path, shape", [
    ("{compute}/flavors?minRam={n}", "nova"),
    ("{compute}/flavors/detail?minDisk={n}", "nova"),
    ("{compute}/servers?limit={n}", "nova"),
    ("{image}/v2/images?limit={n}", "glance"),
    ("{image}/v2/images?size_min={n}", "glance"),
    ("{image}/v2/images?size_max={n}", "glance"),
    ("{network}/networks?limit={n}", "neutron"),
    ("/fastly/service?page={n}", "fastly"),
    ("/mimic/v1.1/mesh/traces?limit={n}", "mesh"),
])
@pytest.mark.parametrize("number", ["9" * 4301, "\u00b2"], ids=["4301-digits", "superscript-2"])
def test_query_integers_past_the_digit_limit_or_not_ascii_are_400(mimic, path, shape, number):
    api = endpoints(mimic)
    url = path.format(compute=api.compute, image=api.image, network=api.network, n=number)
    response = mimic.get(url, headers={**api.headers(), "Fastly-Key": "robust"})
    assert_error_shape(shape, response)


@pytest.mark.parametrize("path, shape", [
    ("{image}/v2/images?name=%ff", "glance"),
    ("{image}/v2/images?%ff=1", "glance"),
    ("/identity/v2.0/tokens/{token}?belongsTo=%ff", "identity"),
    ("/identity/v2.0/users?name=%ff", "identity"),
    ("{compute}/servers?name=%ff", "nova"),
    ("{compute}/servers/detail?status=%ff", "nova"),
    ("{clb}/loadbalancers?nodeaddress=%ff", "clb"),
    ("{network}/networks?name=%ff", "neutron"),
    ("/fastly/service/search?name=%ff", "fastly"),
    ("/identity/v3/projects?name=%ff", "identity-v3"),
    ("/mimic/v1.1/mesh/traces?traceId=%ff", "mesh"),
])
def test_query_values_that_are_not_utf8_are_400(mimic, path, shape):
    api = endpoints(mimic)
    url = path.format(compute=api.compute, image=api.image, network=api.network,
                      clb=api.clb, token=api.token)
    headers = {**api.headers(), "Fastly-Key": "robust"}
    if shape == "identity-v3":
        headers["X-Auth-Token"] = mimic.post("/identity/v3/auth/tokens", json={"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": "robust", "password": "x", "domain": {"id": "default"}}}}}
        }).headers["X-Subject-Token"]
    assert_error_shape(shape, mimic.get(url, headers=headers))


HOSTILE_PATTERNS = ["(a+)+$", "(.*a){25}", "(a|aa)+$", "(a*)*b"]


def test_nova_name_filter_matches_like_a_regex_search(mimic):
    api = endpoints(mimic)
    for name in ("web-1", "web-22", "db-1"):
        response = mimic.post(f"{api.compute}/servers", headers=api.headers(), json={
            "server": {"name": name, "imageRef": "a1b2c3d4-0001-4e6f-8a9b-0c1d2e3f4a01",
                       "flavorRef": "2"}})
        assert response.status_code == 202, response.text

    def names(pattern):
        response = mimic.get(f"{api.compute}/servers", params={"name": pattern},
                             headers=api.headers())
        assert response.status_code == 200, response.text
        return sorted(s["name"] for s in response.json()["servers"])

    # Nova filters with re.search: unanchored, Python's syntax.
    assert names("web") == ["web-1", "web-22"]
    assert names(r"^web-\d$") == ["web-1"]
    assert names("(?i)DB") == ["db-1"]
    assert names("1$") == ["db-1", "web-1"]


@pytest.mark.parametrize("pattern", HOSTILE_PATTERNS)
def test_nova_name_filter_cannot_backtrack_on_a_hostile_pattern(mimic, pattern):
    api = endpoints(mimic)
    # 7.5 s with Python's re for (a+)+$ before; linear now, an empty answer.
    name = "a" * 26 + "!"
    response = mimic.post(f"{api.compute}/servers", headers=api.headers(), json={
        "server": {"name": name, "imageRef": "a1b2c3d4-0001-4e6f-8a9b-0c1d2e3f4a01",
                   "flavorRef": "2"}})
    assert response.status_code == 202, response.text
    response = mimic.get(f"{api.compute}/servers", params={"name": pattern},
                         headers=api.headers(), timeout=5)
    assert response.status_code == 200, response.text
    assert [s["name"] for s in response.json()["servers"]] == (
        [name] if pattern == "(.*a){25}" else [])


@pytest.mark.parametrize("pattern", [
    "(a)\\1", "(?=a)b", "x" * 1001, "(.*a){500}",
], ids=["backreference", "lookahead", "1001-chars", "over-program-budget"])
def test_patterns_that_need_backtracking_or_are_over_budget_are_a_clear_400(mimic, pattern):
    api = endpoints(mimic)
    response = mimic.get(f"{api.compute}/servers", params={"name": pattern},
                         headers=api.headers())
    assert_error_shape("nova", response)
    assert "regular expression" in response.json()["badRequest"]["message"]
    for shape, url in behavior_urls(api):
        criterion = {"username": pattern} if shape == "control" else (
            {"server_name": pattern} if shape == "nova" else {"loadbalancer_name": pattern})
        response = mimic.post(url, json={"name": "fail", "criteria": [criterion]})
        assert_error_shape(shape, response)
        assert _listing(mimic, url) == []


@pytest.mark.parametrize("pattern", HOSTILE_PATTERNS)
def test_hostile_behavior_criteria_match_in_linear_time(mimic, pattern):
    api = endpoints(mimic)
    url = f"{api.compute_control}/behaviors/creation"
    response = mimic.post(url, json={"name": "fail", "parameters": {"code": 503},
                                     "criteria": [{"server_name": pattern}]})
    assert response.status_code == 201, response.text
    # The name that made Python's re take about a second per request.
    for name in ("a" * 30 + "!", "a" * 25):
        response = mimic.post(f"{api.compute}/servers", headers=api.headers(), timeout=5,
                              json={"server": {"name": name, "flavorRef": "2",
                                               "imageRef": "a1b2c3d4-0001-4e6f-8a9b-0c1d2e3f4a01"}})
        # fullmatch: "(a|aa)+$" and "(a+)+$" match 25 a's, "(.*a){25}" too.
        matches = name == "a" * 25 and pattern != "(a*)*b"
        assert response.status_code == (503 if matches else 202), (name, response.text)


UBUNTU = "a1b2c3d4-0001-4e6f-8a9b-0c1d2e3f4a01"


def _create(mimic, api, **fields):
    return mimic.post(f"{api.compute}/servers", headers=api.headers(), json={
        "server": {"name": "many", "imageRef": UBUNTU, "flavorRef": "2", **fields}})


def _server_count(mimic, api) -> int:
    response = mimic.get(f"{api.compute}/limits", headers=api.headers())
    return response.json()["limits"]["absolute"]["totalInstancesUsed"]


def test_max_count_of_a_billion_makes_what_nova_allows_per_request(mimic):
    # Nova's quota rule (nova/compute/utils.py check_num_instances_quota):
    # a max_count over the headroom makes the headroom's worth when
    # min_count fits; Mimic's headroom is 200 servers per request.
    api = endpoints(mimic)
    response = _create(mimic, api, max_count=1000000000, min_count=1)
    assert response.status_code == 202, response.text
    assert _server_count(mimic, api) == 200


def test_a_min_count_over_the_per_request_limit_is_nova_quota_403(mimic):
    api = endpoints(mimic)
    response = _create(mimic, api, max_count=1000000000, min_count=1000000000)
    assert_error_shape("nova", response, 403)
    # TooManyInstances' wording (nova/exception.py).
    assert response.json()["forbidden"]["message"] == (
        "Quota exceeded for instances: Requested 1000000000, but already used 0 of "
        "200 instances")
    assert _server_count(mimic, api) == 0


def test_one_tenant_cannot_drain_the_regions_public_ipv4_pool(mimic):
    greedy = endpoints(mimic, username="greedy", tenant="770100")
    # 131,068 public IPv4 addresses; one tenant holds at most an eighth.
    for _ in range(81):
        assert _create(mimic, greedy, max_count=200).status_code == 202
    assert _create(mimic, greedy, max_count=183).status_code == 202
    refused = _create(mimic, greedy)
    assert_error_shape("nova", refused)
    assert "No more IP addresses available" in refused.json()["badRequest"]["message"]
    assert _server_count(mimic, greedy) == 16383
    # Every other tenant still gets its public address.
    other = endpoints(mimic, username="other", tenant="770101")
    response = _create(mimic, other)
    assert response.status_code == 202, response.text
    server = mimic.get(f"{other.compute}/servers/{response.json()['server']['id']}",
                       headers=other.headers()).json()["server"]
    assert [a["version"] for a in server["addresses"]["public"]] == [4, 6]
    # Deleting frees the greedy tenant's share again.
    listing = mimic.get(f"{greedy.compute}/servers?limit=1", headers=greedy.headers()).json()
    first = listing["servers"][0]["id"]
    assert mimic.delete(f"{greedy.compute}/servers/{first}",
                        headers=greedy.headers()).status_code == 204
    assert _create(mimic, greedy).status_code == 202


def _admin_v3_token(mimic) -> str:
    response = mimic.post("/identity/v3/auth/tokens", json={"auth": {"identity": {
        "methods": ["password"], "password": {"user": {
            "name": "admin", "password": "x", "domain": {"id": "default"}}}}}})
    assert response.status_code == 201, response.text
    return response.headers["X-Subject-Token"]


def _project_known(mimic, token, tenant) -> bool:
    response = mimic.get(f"/identity/v3/projects/{tenant}", headers={"X-Auth-Token": token})
    assert response.status_code in (200, 404), response.text
    return response.status_code == 200


def test_reads_of_made_up_tenants_keep_nothing(mimic):
    # Unauthenticated GETs of 20,000 made-up tenant ids cost Nova 137 MiB:
    # each made a tenant and its state. A read answers and keeps nothing.
    token = _admin_v3_token(mimic)
    reads = [
        "/mimicking/nova/ORD/v2/{t}/servers/detail",
        "/mimicking/nova/ORD/v2/{t}/os-keypairs",
        "/mimicking/nova/ORD/v2/{t}/limits",
        "/mimicking/nova-control/ORD/v2/{t}/behaviors/creation",
        "/mimicking/clb/ORD/v1.0/{t}/loadbalancers",
        "/mimicking/clb-control/ORD/v1.0/{t}/behaviors/creation",
    ]
    for index, read in enumerate(reads):
        tenant = f"made-up-{index}"
        response = mimic.get(read.format(t=tenant))
        assert response.status_code == 200, (read, response.text)
        assert not _project_known(mimic, token, tenant), read
    # The same read of one tenant twice agrees with itself, and a write
    # still makes the tenant.
    nova = "/mimicking/nova/ORD/v2/made-up-0"
    assert mimic.get(f"{nova}/servers").json() == {"servers": []}
    response = mimic.post(f"{nova}/servers", json={"server": {
        "name": "now-real", "imageRef": UBUNTU, "flavorRef": "2"}})
    assert response.status_code == 202, response.text
    assert _project_known(mimic, token, "made-up-0")
    assert [s["name"] for s in mimic.get(f"{nova}/servers").json()["servers"]] == ["now-real"]


def test_fastly_reads_by_made_up_keys_keep_no_customer(mimic):
    for index in range(50):
        response = mimic.get("/fastly/service", headers={"Fastly-Key": f"made-up-{index}"})
        assert response.status_code == 200 and response.json() == []
    # Customers are numbered as they are kept: none of the 50 was.
    response = mimic.post("/fastly/service", headers={"Fastly-Key": "real"},
                          json={"name": "site"})
    assert response.status_code == 200, response.text
    customer = mimic.get("/fastly/current_customer", headers={"Fastly-Key": "real"}).json()
    assert customer["name"] == "Mimic customer 1"
    # Asking who it is makes a key a customer, as authenticating does.
    first = mimic.get("/fastly/current_customer", headers={"Fastly-Key": "asker"}).json()
    again = mimic.get("/fastly/current_customer", headers={"Fastly-Key": "asker"}).json()
    assert first["id"] == again["id"] and first["name"] == "Mimic customer 2"


@pytest.mark.parametrize("number", ["\u00b2", "9" * 4301], ids=["superscript-2", "4301-digits"])
def test_numbers_written_as_strings_must_be_ascii_digits_of_a_sane_length(mimic, number):
    # str.isdigit() says yes to both; int() refused them with a 500.
    api = endpoints(mimic)
    response = _create(mimic, api, min_count=number)
    assert_error_shape("nova", response)
    group = mimic.post(f"{api.network}/security-groups", headers=api.headers(),
                       json={"security_group": {"name": "g"}}).json()["security_group"]
    for rule in ({"protocol": number}, {"protocol": "tcp", "port_range_min": number}):
        response = mimic.post(f"{api.network}/security-group-rules", headers=api.headers(),
                              json={"security_group_rule": {
                                  "security_group_id": group["id"], "direction": "ingress",
                                  **rule}})
        assert_error_shape("neutron", response)
    # A CLB id that is no integer names no load balancer.
    assert_error_shape("clb", mimic.delete(f"{api.clb}/loadbalancers", params={"id": number}),
                       404)
    service = mimic.post("/fastly/service", headers={"Fastly-Key": "k"},
                         json={"name": "s"}).json()
    response = mimic.post(f"/fastly/service/{service['id']}/version/1/backend",
                          headers={"Fastly-Key": "k"},
                          json={"name": "b", "address": "a", "port": number})
    assert_error_shape("fastly", response)
    assert _server_count(mimic, api) == 0


def _names(count: int) -> list:
    """``count`` different 250-letter names of a and b, the same every run."""
    chooser = random.Random(9)
    return ["".join(chooser.choice("ab") for _ in range(250)) for _ in range(count)]


def test_a_name_filter_over_its_time_budget_is_a_clear_400(mimic):
    # Linear in the text, but a pattern whose automaton is too big for
    # RE2's DFA takes milliseconds per 255-character name: over 300 names
    # that is seconds. The listing stops at 50 ms of matching instead.
    # (RE2 caches what it learns of a text's states, so the names differ.)
    api = endpoints(mimic)
    names = _names(300)
    for name in names:
        assert _create(mimic, api, name=name).status_code == 202
    response = mimic.get(f"{api.compute}/servers", params={"name": "(?:a.*a.{20}){10}"},
                         headers=api.headers())
    assert_error_shape("nova", response)
    assert "budget of 50 ms" in response.json()["badRequest"]["message"]
    # An ordinary pattern over the same servers is answered.
    response = mimic.get(f"{api.compute}/servers", params={"name": names[17][-20:] + "$"},
                         headers=api.headers())
    assert response.status_code == 200, response.text
    assert [s["name"] for s in response.json()["servers"]] == [names[17]]


def test_refused_writes_to_made_up_tenants_keep_nothing(mimic):
    # A refused request changes nothing: not even the tenant its URL named.
    token = _admin_v3_token(mimic)
    refused = [
        ("POST", "/mimicking/nova/ORD/v2/{t}/servers", {"server": {"name": "x"}}),
        ("POST", "/mimicking/nova/ORD/v2/{t}/os-keypairs", {"keypair": {}}),
        ("POST", "/mimicking/nova-control/ORD/v2/{t}/behaviors/creation", {"name": "nope"}),
        ("POST", "/mimicking/clb/ORD/v1.0/{t}/loadbalancers", {"loadBalancer": {}}),
        ("DELETE", "/mimicking/clb/ORD/v1.0/{t}/loadbalancers/1", None),
    ]
    for index, (method, path, body) in enumerate(refused):
        tenant = f"refused-{index}"
        response = mimic.request(method, path.format(t=tenant), json=body)
        assert 400 <= response.status_code < 500, (path, response.text)
        assert not _project_known(mimic, token, tenant), path
    # The same tenant is kept by the first request that succeeds.
    response = mimic.post("/mimicking/clb/ORD/v1.0/refused-3/loadbalancers", json={
        "loadBalancer": {"name": "lb", "protocol": "HTTP", "virtualIps": [{"type": "PUBLIC"}],
                         "nodes": [{"address": "10.1.1.1", "port": 80,
                                    "condition": "ENABLED"}]}})
    assert response.status_code == 202, response.text
    assert _project_known(mimic, token, "refused-3")
    listing = mimic.get("/mimicking/clb/ORD/v1.0/refused-3/loadbalancers").json()
    assert [lb["name"] for lb in listing["loadBalancers"]] == ["lb"]
