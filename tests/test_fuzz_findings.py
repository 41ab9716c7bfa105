"""
What the route fuzz (tests/test_fuzz_bodies.py and test_fuzz_members.py)
found on the routes it took up last (Block Storage, writable Keystone v3,
Nova's server groups, consoles and volumes, state restore), each as the
literal request that found it: a 500 where the API answers 400, or a refusal that changed
state. One file, so each API's own test module stays as its owners keep it.
"""

from __future__ import annotations

import json

import pytest

from tests.fuzz_support import replaced
from tests.robustness_support import assert_error_shape, endpoints

TENANT = "findings"
V3 = "/identity/v3"
CINDER = f"/mimicking/cinder/ORD/v3/{TENANT}"
UBUNTU = "a1b2c3d4-0001-4e6f-8a9b-0c1d2e3f4a01"


# Digits str.isdigit() takes and int() refuses ("²"), or that int() reads
# as something else ("--5" once its dashes were stripped).


def test_a_cinder_size_of_superscript_two_is_a_400_and_makes_no_volume(mimic):
    api = endpoints(mimic, tenant=TENANT)
    response = mimic.post(f"{CINDER}/volumes", headers=api.headers(),
                          json={"volume": {"size": "\u00b2", "name": "v"}})
    assert_error_shape("cinder", response)
    assert "size" in response.json()["badRequest"]["message"]
    listed = mimic.get(f"{CINDER}/volumes", headers=api.headers())
    assert listed.json()["volumes"] == []
    # Digits in a string stay a size, as Cinder allows.
    made = mimic.post(f"{CINDER}/volumes", headers=api.headers(),
                      json={"volume": {"size": " 2 ", "name": "v"}})
    assert made.status_code == 202, made.text
    assert made.json()["volume"]["size"] == 2


def test_a_cinder_listing_limit_of_superscript_two_is_a_400(mimic):
    api = endpoints(mimic, tenant=TENANT)
    response = mimic.get(f"{CINDER}/volumes?limit=%C2%B2", headers=api.headers())
    assert_error_shape("cinder", response)


def test_a_server_group_rule_or_offset_of_superscript_two_is_a_400(mimic):
    api = endpoints(mimic, tenant=TENANT)
    headers = {**api.headers(), "OpenStack-API-Version": "compute 2.64"}
    response = mimic.post(f"{api.compute}/os-server-groups", headers=headers, json={
        "server_group": {"name": "g", "policy": "anti-affinity",
                         "rules": {"max_server_per_host": "\u00b2"}}})
    assert_error_shape("nova", response)
    assert mimic.get(f"{api.compute}/os-server-groups",
                     headers=headers).json()["server_groups"] == []
    response = mimic.get(f"{api.compute}/os-server-groups?offset=%C2%B2", headers=headers)
    assert_error_shape("nova", response)


@pytest.mark.parametrize("length", ["--5", "\u00b2", "-\u00b2"])
def test_a_console_output_length_int_cannot_read_is_a_400(mimic, length):
    api = endpoints(mimic, tenant=TENANT)
    server = mimic.post(f"{api.compute}/servers", headers=api.headers(), json={
        "server": {"name": "s", "imageRef": UBUNTU, "flavorRef": "2"}}).json()["server"]
    response = mimic.post(f"{api.compute}/servers/{server['id']}/action",
                          headers=api.headers(),
                          json={"os-getConsoleOutput": {"length": length}})
    assert_error_shape("nova", response)


@pytest.mark.parametrize("field, value", [("volume_size", "\u00b2"),
                                          ("boot_index", "--1")])
def test_a_block_device_number_int_cannot_read_is_a_400_and_makes_no_server(
        mimic, field, value):
    api = endpoints(mimic, tenant=TENANT)
    mapping = {"source_type": "blank", "destination_type": "volume", "volume_size": 1,
               "boot_index": 1, field: value}
    response = mimic.post(f"{api.compute}/servers", headers=api.headers(), json={
        "server": {"name": "s", "imageRef": UBUNTU, "flavorRef": "2",
                   "block_device_mapping_v2": [mapping]}})
    assert_error_shape("nova", response)
    assert mimic.get(f"{api.compute}/servers", headers=api.headers()).json()["servers"] == []


# Keystone v3: an update that kept what it read before refusing the rest.


def admin_token(mimic) -> str:
    response = mimic.post(f"{V3}/auth/tokens", json={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "password": "x", "domain": {"id": "default"}}}},
        "scope": {"project": {"id": "admin"}}}})
    return response.headers["x-subject-token"]


TOO_LONG = "d" * 5000

#: (what to create: path, key, body), the refused update's body.
REFUSED_UPDATES = [
    ("services", "service", {"type": "t", "name": "n"},
     {"name": "renamed", "note": "kept?", "description": TOO_LONG}),
    ("endpoints", "endpoint", None,
     {"note": "kept?", "url": "u" * 3000}),
    ("regions", "region", {"id": "r1"},
     {"note": "kept?", "description": TOO_LONG}),
    ("groups", "group", {"name": "g"},
     {"note": "kept?", "description": TOO_LONG}),
    ("credentials", "credential", None,
     {"note": "kept?", "blob": 5}),
]


@pytest.mark.parametrize("path, key, body, update", REFUSED_UPDATES,
                         ids=[case[0] for case in REFUSED_UPDATES])
def test_a_refused_keystone_update_changes_nothing(mimic, path, key, body, update):
    token = admin_token(mimic)
    auth = {"X-Auth-Token": token}
    if path == "endpoints":
        service = mimic.post(f"{V3}/services", headers=auth, json={
            "service": {"type": "t"}}).json()["service"]["id"]
        body = {"service_id": service, "interface": "public", "url": "http://127.0.0.1:1/"}
    if path == "credentials":
        user = mimic.get(f"{V3}/auth/tokens", headers={**auth, "X-Subject-Token": token})
        body = {"blob": "b", "type": "totp", "user_id": user.json()["token"]["user"]["id"]}
    made = mimic.post(f"{V3}/{path}", headers=auth, json={key: body})
    assert made.status_code == 201, made.text
    url = f"{V3}/{path}/{made.json()[key]['id']}"
    before = mimic.get(url, headers=auth).json()
    response = mimic.patch(url, headers=auth, json={key: update})
    assert_error_shape("identity-v3", response)
    assert mimic.get(url, headers=auth).json() == before


def test_a_domain_rename_refused_as_a_duplicate_keeps_no_extra_property(mimic):
    auth = {"X-Auth-Token": admin_token(mimic)}
    for name in ("first", "second"):
        mimic.post(f"{V3}/domains", headers=auth, json={"domain": {"name": name}})
    domain = mimic.get(f"{V3}/domains?name=second", headers=auth).json()["domains"][0]
    response = mimic.patch(f"{V3}/domains/{domain['id']}", headers=auth,
                           json={"domain": {"name": "first", "note": "kept?"}})
    assert_error_shape("identity-v3", response, 409)
    assert "note" not in mimic.get(f"{V3}/domains/{domain['id']}", headers=auth).json()[
        "domain"]


# PUT /mimic/v1.1/state: a document is client input.


def snapshot(mimic) -> dict:
    return mimic.get("/mimic/v1.1/state").json()


@pytest.mark.parametrize("path, value", [
    # Past the clock's range (POST /tick refuses the same).
    (("clock", "now"), 10 ** 300),
    (("clock", "now"), 253402300800),
    # A random generator's state past 32 bits (OverflowError).
    (("store", "fields", "ids", "fields", "_random", "$random", 1, 0), 10 ** 300),
    # A field the store reads as an object, given as text or nothing.
    (("store", "fields", "tokens"), "\u00b2"),
    (("store", "fields", "roles"), None),
    (("store", "fields", "_domains"), "\u00b2"),
], ids=["clock-1e300", "clock-year-10000", "random-overflow", "tokens-text",
        "roles-null", "domains-text"])
def test_a_state_document_mimic_cannot_use_is_a_400_and_changes_nothing(
        mimic, path, value):
    document = snapshot(mimic)
    response = mimic.put("/mimic/v1.1/state", data=json.dumps(replaced(document, path, value)))
    assert_error_shape("control", response)
    assert snapshot(mimic) == document
    # And everything still answers: authenticating reads the store.
    assert mimic.post("/identity/v2.0/tokens", json={"auth": {"passwordCredentials": {
        "username": "u", "password": "p"}}}).status_code == 200


def test_a_restored_behavior_pattern_is_held_to_the_registration_budget(mimic):
    api = endpoints(mimic, tenant=TENANT)
    registered = mimic.post(f"{api.compute_control}/behaviors/creation", json={
        "name": "fail", "parameters": {"code": 500, "message": "no"},
        "criteria": [{"server_name": "web-.*"}]})
    assert registered.status_code == 201, registered.text
    text = json.dumps(snapshot(mimic))
    assert text.count('"web-.*"') == 1
    # A pattern past MAX_PATTERN_CHARS, and one RE2 cannot compile.
    for pattern in ("a" * 1001, "("):
        response = mimic.put("/mimic/v1.1/state",
                             data=text.replace('"web-.*"', json.dumps(pattern)))
        assert_error_shape("control", response)
    assert json.dumps(snapshot(mimic)) == text


def test_after_a_restore_a_read_of_a_made_up_tenant_still_keeps_nothing(mimic):
    document = snapshot(mimic)
    assert mimic.put("/mimic/v1.1/state", json=document).status_code == 200
    for n in range(3):
        response = mimic.get(f"/mimicking/nova/ORD/v2/made-up-{n}/servers")
        assert response.status_code < 500
    assert "made-up-" not in json.dumps(snapshot(mimic))
