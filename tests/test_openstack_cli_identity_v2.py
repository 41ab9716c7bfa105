"""
The real ``openstack`` command against Mimic's Identity v2.0, configured as
users of the original Mimic configure it: ``OS_AUTH_URL`` ending in
``/identity/v2.0/`` (issue 10, items 2 to 4), with and without
``--os-identity-api-version 2``.
"""

from __future__ import annotations

import re

import pytest
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v2

from tests.conftest import json_of


def v2_cli(openstack_cli, mimic, *args, project="acme", version="2"):
    """``openstack`` on the v2.0 auth URL, with the identity API version given."""
    flags = ["--os-auth-url", mimic.base_url + "/identity/v2.0/"]
    if version is not None:
        flags += ["--os-identity-api-version", version]
    return openstack_cli(mimic.base_url, *flags, *args, project=project)


def test_a_user_seen_in_another_tenant_gets_a_token_for_the_one_named(mimic, openstack_cli):
    # The literal command of issue 10, item 3: alice was seen in "acme" first.
    first = mimic.authenticate("alice", "secret", tenant_id="acme")
    token = json_of(v2_cli(openstack_cli, mimic, "token", "issue", "-f", "json",
                           project="demo"))
    assert token["project_id"] == "demo"
    assert token["user_id"] == first["user"]["id"]
    # alice is now a member of both, and keeps "acme" as her default tenant.
    tenants = mimic.get("/identity/v2.0/tenants",
                        headers={"x-auth-token": token["id"]}).json()["tenants"]
    assert [t["id"] for t in tenants] == ["acme", "demo"]
    assert mimic.authenticate("alice", "secret")["token"]["tenant"]["id"] == "acme"


def test_a_refusal_reaches_the_cli_with_its_message(mimic, openstack_cli):
    # Before: "Unrecognized schema in response body (HTTP 401)" (issue 10, item 2).
    behavior = mimic.post("/mimic/v1.1/IdentityControlAPI/behaviors/auth", json={
        "name": "fail", "parameters": {"code": 401, "message": "Locked out for a test"},
        "criteria": [{"username": "alice"}]})
    assert behavior.status_code == 201, behavior.text
    completed = v2_cli(openstack_cli, mimic, "token", "issue")
    assert completed.returncode != 0
    assert "Locked out for a test (HTTP 401)" in completed.stderr
    assert "Unrecognized schema" not in completed.stderr


def test_keystoneauth_v2_exceptions_carry_identitys_message(mimic):
    mimic.post("/mimic/v1.1/IdentityControlAPI/behaviors/auth", json={
        "name": "fail", "parameters": {"code": 403, "message": "Account suspended"},
        "criteria": [{"username": "bob"}]})
    auth = v2.Password(auth_url=mimic.base_url + "/identity/v2.0/",
                       username="bob", password="secret", tenant_name="acme")
    with pytest.raises(ks_exceptions.Forbidden) as raised:
        ks_session.Session(auth=auth).get_token()
    # keystoneauth1 appends the status, and the request id Identity
    # answered, to the message the body carried.
    assert re.fullmatch(r"Account suspended \(HTTP 403\) \(Request-ID: req-[0-9a-f-]{36}\)",
                        raised.value.message), raised.value.message
    assert raised.value.http_status == 403


@pytest.mark.parametrize("version", ["2", None])
def test_catalog_list_on_the_v2_auth_url_works(mimic, openstack_cli, version):
    # Which side was wrong (issue 10, item 4): the client's. The CLI picks
    # its identity commands from --os-identity-api-version (default 3), so
    # with a v2.0 auth URL it ran the v3 "catalog list", whose formatter
    # reads endpoint["interface"] (openstackclient/identity/v3/catalog.py,
    # EndpointsColumn), on the v2.0 catalog keystoneauth1 had fetched.
    # Mimic's v2.0 catalog is what v2.0 defines (the v2 command and
    # keystoneauth1's ServiceCatalogV2 read it). The v2.0 version document
    # now also lists v3 under "versions", so keystoneauth1's generic
    # plugin, which prefers v3 when a default domain is configured (as the
    # CLI configures), authenticates with v3 when the CLI runs v3 commands.
    catalog = json_of(v2_cli(openstack_cli, mimic, "catalog", "list", "-f", "json",
                             version=version))
    by_type = {service["Type"]: service for service in catalog}
    assert {"identity", "compute", "image", "network"} <= set(by_type)
    compute = by_type["compute"]["Endpoints"]
    if version == "2":
        assert {"region": "ORD", "tenantId": "acme",
                "publicURL": mimic.base_url + "/mimicking/nova/ORD/v2/acme",
                "internalURL": mimic.base_url + "/mimicking/nova/ORD/v2/acme"} in compute
    else:
        assert {(e["interface"], e["url"]) for e in compute if e["region"] == "ORD"} == {
            (i, mimic.base_url + "/mimicking/nova/ORD/v2/acme") for i in ("public", "internal")}


def test_the_v2_version_document_still_names_v2_first_for_v2_clients(mimic):
    response = mimic.get("/identity/v2.0/")
    body = response.json()
    assert body["version"]["id"] == "v2.0"
    assert [v["id"] for v in body["versions"]["values"]] == ["v2.0", "v3.14"]
