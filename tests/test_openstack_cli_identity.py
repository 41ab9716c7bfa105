"""
The real ``openstack`` command against Mimic's Identity v3, configured the
way its users configure it: only the ``OS_*`` variables below, the auth URL
being the unversioned ``/identity/`` root. Each call's exit status and JSON
output are asserted.
"""

from __future__ import annotations

from tests.conftest import json_of


def test_token_issue_prints_the_users_scoped_token(mimic, openstack_cli):
    token = json_of(openstack_cli(mimic.base_url, "token", "issue", "-f", "json"))
    access = mimic.authenticate("alice", "secret", tenant_id="acme")
    # A new v3 token (not v2.0's reused one), valid, for the same user.
    assert token["id"] != access["token"]["id"]
    assert mimic.get(f"/identity/v2.0/tokens/{token['id']}").status_code == 200
    assert token["project_id"] == "acme"
    assert token["user_id"] == access["user"]["id"]
    assert token["expires"] == "1970-01-02T00:00:00+0000"


def test_token_issue_for_another_project_joins_it(mimic, openstack_cli):
    # The original Mimic let a user name any tenant (issue 10, item 3).
    first = mimic.authenticate("alice", "secret", tenant_id="acme")
    token = json_of(openstack_cli(mimic.base_url, "token", "issue", "-f", "json",
                                  project="someone-elses"))
    assert token["project_id"] == "someone-elses"
    assert token["user_id"] == first["user"]["id"]


def test_token_revoke_then_issue_gives_a_new_token(mimic, openstack_cli):
    first = json_of(openstack_cli(mimic.base_url, "token", "issue", "-f", "json"))
    revoked = openstack_cli(mimic.base_url, "token", "revoke", first["id"])
    assert revoked.returncode == 0, revoked.stderr
    second = json_of(openstack_cli(mimic.base_url, "token", "issue", "-f", "json"))
    assert second["id"] != first["id"]
    assert second["user_id"] == first["user_id"]


def test_catalog_list_shows_identity_v3_and_plugin_services(mimic, openstack_cli):
    catalog = json_of(openstack_cli(mimic.base_url, "catalog", "list", "-f", "json"))
    by_type = {service["Type"]: service for service in catalog}
    assert {"identity", "compute", "image", "network"} <= set(by_type)
    identity = by_type["identity"]["Endpoints"]
    assert {(e["interface"], e["url"]) for e in identity if e["region"] == "ORD"} == {
        (interface, mimic.base_url + "/identity/v3")
        for interface in ("public", "internal", "admin")
    }
    compute = by_type["compute"]
    assert compute["Name"] == "cloudServersOpenStack"
    assert {(e["interface"], e["url"]) for e in compute["Endpoints"]
            if e["region"] == "ORD"} == {
        (interface, mimic.base_url + "/mimicking/nova/ORD/v2/acme")
        for interface in ("public", "internal")
    }


def test_catalog_list_is_the_v3_tokens_catalog(mimic, openstack_cli):
    catalog = json_of(openstack_cli(mimic.base_url, "catalog", "list", "-f", "json"))
    response = mimic.post("/identity/v3/auth/tokens", json={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "alice", "password": "secret", "domain": {"id": "default"}}}},
        "scope": {"project": {"name": "acme", "domain": {"id": "default"}}},
    }})
    expected = response.json()["token"]["catalog"]
    assert [(s["Name"], s["Type"], s["Endpoints"]) for s in catalog] == [
        (s["name"], s["type"], s["endpoints"]) for s in expected]
    assert ("cloudIdentity", "identity") in [(s["Name"], s["Type"]) for s in catalog]


def test_project_and_region_lists(mimic, openstack_cli):
    projects = json_of(openstack_cli(mimic.base_url, "project", "list", "-f", "json"))
    assert projects == [{"ID": "acme", "Name": "acme"}]
    regions = json_of(openstack_cli(mimic.base_url, "region", "list", "-f", "json"))
    token = json_of(openstack_cli(mimic.base_url, "token", "issue", "-f", "json"))
    listed = mimic.get("/identity/v3/regions", headers={"X-Auth-Token": token["id"]})
    assert [r["Region"] for r in regions] == [r["id"] for r in listed.json()["regions"]]
    assert "ORD" in [r["Region"] for r in regions]
