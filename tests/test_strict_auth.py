"""
``--strict-auth``: every emulated API requires a token Mimic issued that
has not expired on Mimic's clock (401 in that API's error shape), a token
of tenant A gets 403 on tenant B's URLs, and Fastly requires a
``Fastly-Key`` Mimic issued. Without the option tokens are not checked, as
in the original.
"""

from __future__ import annotations

import openstack
import pytest

from tests.harness import MimicClient

TENANT_A = "700001"
TENANT_B = "700002"


@pytest.fixture(scope="module")
def strict_server():
    from tests.harness import start_mimic

    server = start_mimic("--strict-auth")
    yield server
    server.stop()


@pytest.fixture
def strict(strict_server) -> MimicClient:
    client = strict_server.client()
    client.reset()
    return client


def token_of(mimic, tenant_id):
    return mimic.authenticate(f"user-{tenant_id}", "secret", tenant_id)["token"]["id"]


#: One protected read per API: (name, path for a tenant, credential header,
#: the check of that API's error shape).
APIS = {
    "identity-v2": ("/identity/v2.0/tenants", "X-Auth-Token",
                    lambda body, code: body["unauthorized" if code == 401 else "forbidden"]
                    ["code"] == code),
    "identity-v3": ("/identity/v3/projects", "X-Auth-Token",
                    lambda body, code: body["error"]["code"] == code),
    "nova": ("/mimicking/nova/ORD/v2/{tenant}/servers", "X-Auth-Token",
             lambda body, code: list(body.values())[0]["code"] == code),
    "clb": ("/mimicking/clb/ORD/v1.0/{tenant}/loadbalancers", "X-Auth-Token",
            lambda body, code: body["code"] == code and "details" in body),
    "neutron": ("/mimicking/neutron/ORD/v2.0/networks", "X-Auth-Token",
                lambda body, code: ("error" if code == 401 else "NeutronError") in body),
    "glance": ("/mimicking/glance/ORD/v2/images", "X-Auth-Token",
               lambda body, code: "message" in body.get("error", body)),
    "fastly": ("/fastly/service", "Fastly-Key",
               lambda body, code: set(body) == {"msg", "detail"}),
}


def call(mimic, api, token, tenant=TENANT_A):
    path, header, _ = APIS[api]
    headers = {header: token} if token is not None else {}
    return mimic.get(path.format(tenant=tenant), headers=headers)


def refused(mimic, api, token, code, tenant=TENANT_A):
    response = call(mimic, api, token, tenant)
    assert response.status_code == code, (api, response.text)
    assert APIS[api][2](response.json(), code), (api, response.text)


@pytest.mark.parametrize("api", sorted(APIS))
def test_a_token_mimic_issued_is_accepted(strict, api):
    response = call(strict, api, token_of(strict, TENANT_A))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("api", sorted(APIS))
def test_a_forged_or_missing_token_is_401_in_the_apis_shape(strict, api):
    token_of(strict, TENANT_A)
    refused(strict, api, "forged-0123456789abcdef", 401)
    refused(strict, api, None, 401)


@pytest.mark.parametrize("api", sorted(APIS))
def test_a_token_past_its_expiry_on_mimics_clock_is_401(strict, api):
    access = strict.authenticate(f"user-{TENANT_A}", "secret", TENANT_A)
    assert access["token"]["expires"] == "1970-01-02T00:00:00.000000Z"
    strict.tick(24 * 60 * 60 - 1)
    assert call(strict, api, access["token"]["id"]).status_code == 200
    strict.tick(1)
    refused(strict, api, access["token"]["id"], 401)


def test_another_tenants_token_is_403_on_a_clb_tenants_url(strict):
    token_of(strict, TENANT_A)
    refused(strict, "clb", token_of(strict, TENANT_B), 403, tenant=TENANT_A)


def test_another_tenants_token_is_novas_malformed_url_400(strict):
    # Nova itself refuses a URL naming another project than the token's
    # with 400 "Malformed request URL: URL's project_id '...' doesn't match
    # Context's project_id '...'" (nova/api/openstack/wsgi.py,
    # Resource._process_stack), not 403.
    token_of(strict, TENANT_A)
    response = call(strict, "nova", token_of(strict, TENANT_B), tenant=TENANT_A)
    assert response.status_code == 400, response.text
    message = response.json()["badRequest"]["message"]
    assert message == (f"Malformed request URL: URL's project_id '{TENANT_A}' "
                       f"doesn't match Context's project_id '{TENANT_B}'")


def test_apis_without_a_tenant_in_the_url_show_the_tokens_tenant_only(strict):
    # Neutron, Glance and Fastly read whose resources a request means from
    # its credential: tenant B's token sees B's, never A's.
    token_a, token_b = token_of(strict, TENANT_A), token_of(strict, TENANT_B)
    made = strict.post("/mimicking/neutron/ORD/v2.0/networks", headers={
        "X-Auth-Token": token_a}, json={"network": {"name": "only-a"}})
    assert made.status_code == 201, made.text
    names = [n["name"] for n in call(strict, "neutron", token_b).json()["networks"]]
    assert "only-a" not in names
    created = strict.post("/fastly/service", headers={"Fastly-Key": token_a},
                          data={"name": "a-site"})
    assert created.status_code == 200, created.text
    assert call(strict, "fastly", token_b).json() == []


def test_a_revoked_token_is_401(strict):
    token = token_of(strict, TENANT_A)
    assert strict.delete(f"/identity/v2.0/tokens/{token}",
                         headers={"X-Auth-Token": token}).status_code == 204
    refused(strict, "nova", token, 401)


def test_authentication_and_version_documents_need_no_token(strict):
    assert strict.get("/identity/v2.0").status_code == 200
    assert strict.get("/mimicking/glance/ORD/").status_code in (200, 300)
    assert strict.get("/fastly/").status_code == 200
    strict.authenticate("anyone")
    assert strict.get("/mimic/v1.1/health").status_code == 200


def test_openstacksdk_works_unchanged_under_strict_auth(strict):
    connection = openstack.connect(
        auth_url=f"{strict.base_url}/identity/v2.0", username="sdk-strict",
        password="secret", project_id=TENANT_A, region_name="ORD",
        identity_api_version="2")
    try:
        assert list(connection.compute.servers()) == []
        assert {n.name for n in connection.network.networks()} >= {"public", "private"}
    finally:
        connection.close()


def test_without_strict_auth_any_token_opens_any_tenant(mimic):
    response = mimic.get(f"/mimicking/nova/ORD/v2/{TENANT_A}/servers",
                         headers={"X-Auth-Token": "anything"})
    assert response.status_code == 200, response.text
