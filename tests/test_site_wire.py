"""
What every answer carries before any API's route runs: OpenStack request
ids (``x-openstack-request-id``, Nova's ``x-compute-request-id``), the
caller's global request id, and the site layer's own refusals (a body over
the limit, a path that is not UTF-8, a region an API is not offered in)
in the error shape of the API whose path it is.
"""

from __future__ import annotations

import re
import uuid

import openstack
import pytest
import requests

from tests.clb_support import clb_for
from tests.nova_support import UBUNTU, nova_for

REQUEST_ID = re.compile(
    r"^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

#: A field of 2 MB: past Mimic's 1 MiB body limit.
BIG = "x" * (2 * 1000 * 1000)


def journal(mimic, **filters):
    response = mimic.get("/mimic/v1.1/requests", params=filters)
    assert response.status_code == 200, response.text
    return response.json()["requests"]


def openstack_urls(mimic):
    """One GET per OpenStack API (Identity v2.0 and v3, Nova, Neutron, Glance)."""
    nova = nova_for(mimic)
    return nova, {
        "identity-v2": (f"{mimic.base_url}/identity/v2.0/tenants", {}),
        "identity-v3": (f"{mimic.base_url}/identity/v3/projects", {}),
        "nova": (f"{nova.url}/servers", {}),
        "neutron": (f"{nova.network}/v2.0/networks" if not nova.network.endswith("v2.0")
                    else f"{nova.network}/networks", {}),
        "glance": (f"{mimic.base_url}/mimicking/glance/ORD/v2/images", {}),
    }


# request ids


def test_every_openstack_api_answers_with_its_own_request_id(mimic):
    nova, urls = openstack_urls(mimic)
    seen = set()
    for name, (url, _) in urls.items():
        for path in (url, url + "/no-such-thing"):
            response = mimic.get(path, headers={"X-Auth-Token": nova.token})
            request_id = response.headers.get("x-openstack-request-id")
            assert request_id and REQUEST_ID.match(request_id), (name, path, response.headers)
            seen.add(request_id)
    # Ids are per request: ten requests, ten ids.
    assert len(seen) == 2 * len(urls)


def test_nova_answers_with_the_compute_request_id_too(mimic):
    nova = nova_for(mimic)
    response = nova.get("servers/detail")
    assert response.headers["x-compute-request-id"] == response.headers["x-openstack-request-id"]


def test_apis_that_are_not_openstack_carry_no_request_id(mimic):
    clb = clb_for(mimic)
    assert "x-openstack-request-id" not in mimic.get(f"{clb.url}/loadbalancers").headers
    fastly = mimic.get("/fastly/service", headers={"Fastly-Key": "k"})
    assert "x-openstack-request-id" not in fastly.headers
    assert "x-openstack-request-id" not in mimic.get("/mimic/v1.1/health").headers


def test_tempest_style_server_create_reads_the_request_id_header(mimic):
    # tempest's RestClient logs resp['x-openstack-request-id'] of every call
    # (tempest/lib/common/rest_client.py, _get_request_id); a create that
    # lacks it raised KeyError there.
    nova = nova_for(mimic)
    # The journal outlives reset (it records traffic): start it empty.
    mimic.delete("/mimic/v1.1/requests")
    response = nova.post("servers", json={"server": {
        "name": "tempest-server", "imageRef": UBUNTU, "flavorRef": "2"}})
    assert response.status_code == 202, response.text
    request_id = response.headers["x-openstack-request-id"]
    assert REQUEST_ID.match(request_id)
    assert response.headers["x-compute-request-id"] == request_id
    # The same id is in the journal, where an operator would grep for it.
    created = journal(mimic, method="POST", api="nova")
    assert [entry["request_id"] for entry in created] == [request_id]


def test_openstacksdk_reads_the_request_id_of_a_failed_call(mimic):
    # openstacksdk's HttpException takes request_id from the answer's
    # x-openstack-request-id header (openstack/exceptions.py).
    connection = openstack.connect(
        auth_url=f"{mimic.base_url}/identity/v2.0", username="sdk-ids",
        password="secret", project_id="880101", region_name="ORD",
        identity_api_version="2")
    try:
        with pytest.raises(openstack.exceptions.NotFoundException) as raised:
            connection.compute.get_server(str(uuid.uuid4()))
    finally:
        connection.close()
    assert REQUEST_ID.match(raised.value.request_id)
    failed = journal(mimic, api="nova", status="404")
    assert failed[-1]["request_id"] == raised.value.request_id


def test_a_valid_incoming_request_id_is_kept_as_the_global_request_id(mimic):
    # oslo.middleware's RequestId: "An inbound header of X-OpenStack-Request-ID
    # is accepted as long as it is of the format req-$uuid", as the global
    # request id; the service still answers with a request id of its own.
    nova = nova_for(mimic)
    mine = f"req-{uuid.uuid4()}"
    response = nova.get("servers", headers={"X-OpenStack-Request-ID": mine})
    assert response.headers["x-openstack-request-id"] != mine
    entry = journal(mimic, api="nova")[-1]
    assert entry["global_request_id"] == mine
    assert entry["request_id"] == response.headers["x-openstack-request-id"]


# A fixed uuid without its req- prefix: parameters must be the same in
# every pytest-xdist worker's collection.
@pytest.mark.parametrize("incoming", ["not-a-request-id", "req-1234",
                                      "8c0a3c5e-2f4a-4d2b-9a47-5b1e2f6d7a90"])
def test_a_malformed_incoming_request_id_is_ignored(mimic, incoming):
    nova = nova_for(mimic)
    nova.get("servers", headers={"X-OpenStack-Request-ID": incoming})
    assert journal(mimic, api="nova")[-1]["global_request_id"] is None


# the site layer's own answers, in each API's shape


def big_post(url, **kwargs):
    return requests.post(url, json={"name": BIG}, timeout=30, **kwargs)


def test_a_2_mb_field_to_clb_is_a_clb_413(mimic):
    clb = clb_for(mimic)
    response = big_post(f"{mimic.absolute(clb.url)}/loadbalancers")
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == 413 and "larger than" in body["message"]
    assert set(body) == {"code", "message", "details"}
    assert mimic.get(f"{clb.url}/loadbalancers").json() == {"loadBalancers": []}


def test_a_2_mb_field_to_fastly_is_a_fastly_413(mimic):
    response = requests.post(mimic.absolute("/fastly/service"), data={"name": BIG},
                             headers={"Fastly-Key": "big"}, timeout=30)
    assert response.status_code == 413
    body = response.json()
    assert set(body) == {"msg", "detail"} and "larger than" in body["detail"]
    listed = mimic.get("/fastly/service", headers={"Fastly-Key": "big"})
    assert listed.json() == []


def shape_of(name, body):
    """The error-shape check of each API (the same as its route tests use)."""
    if name in ("nova", "identity-v2", "control"):
        (kind, inner), = body.items()
        return {"code", "message"} <= set(inner)
    if name == "identity-v3":
        return set(body["error"]) == {"code", "title", "message"}
    if name == "neutron":
        return set(body["NeutronError"]) == {"type", "message", "detail"}
    if name == "glance":
        return set(body) == {"code", "title", "message"}
    raise AssertionError(name)


def test_each_openstack_api_answers_413_in_its_own_shape(mimic):
    nova, urls = openstack_urls(mimic)
    for name, (url, _) in urls.items():
        response = big_post(mimic.absolute(url), headers={"X-Auth-Token": nova.token})
        assert response.status_code == 413, (name, response.text)
        assert shape_of(name, response.json()), (name, response.text)
        assert REQUEST_ID.match(response.headers["x-openstack-request-id"])


def test_the_control_plane_keeps_its_own_413_shape(mimic):
    response = big_post(mimic.absolute("/mimic/v1.1/tick"))
    assert response.status_code == 413
    assert response.json()["overLimit"]["code"] == 413


def test_a_path_that_is_not_utf8_is_a_400_in_the_apis_shape(mimic):
    nova, urls = openstack_urls(mimic)
    for name, (url, _) in urls.items():
        response = mimic.get(url + "/%ff%fe", headers={"X-Auth-Token": nova.token})
        assert response.status_code == 400, (name, response.text)
        assert shape_of(name, response.json()), (name, response.text)
    clb = clb_for(mimic)
    body = mimic.get(f"{clb.url}/loadbalancers/%ff").json()
    assert body["code"] == 400 and "UTF-8" in body["message"]
    assert set(mimic.get("/fastly/service/%ff").json()) == {"msg", "detail"}


def test_a_region_an_api_is_not_offered_in_is_that_apis_404(mimic):
    body = mimic.get("/mimicking/clb/NOWHERE/v1.0/1/loadbalancers").json()
    assert body["code"] == 404 and set(body) == {"code", "message", "details"}
    body = mimic.get("/mimicking/neutron/NOWHERE/v2.0/networks").json()
    assert body["NeutronError"]["message"].startswith("No API 'neutron'")
    body = mimic.get("/mimicking/nothing/ORD/x").json()
    assert body["itemNotFound"]["code"] == 404


def test_unknown_routes_and_wrong_methods_are_in_the_apis_shape(mimic):
    clb = clb_for(mimic)
    response = mimic.get(f"{clb.url}/no-such-collection")
    assert response.status_code == 404 and set(response.json()) >= {"code", "message"}
    response = mimic.request("PATCH", f"{clb.url}/loadbalancers")
    assert response.status_code == 405 and set(response.json()) >= {"code", "message"}
    response = mimic.get("/fastly/no-such-route", headers={"Fastly-Key": "k"})
    assert response.status_code == 404 and set(response.json()) == {"msg", "detail"}


def test_the_openstack_cli_logs_the_request_id_of_each_call(mimic, openstack_cli):
    # keystoneauth logs "... call to compute for <url> used request id
    # req-..." for every answer carrying x-openstack-request-id; --debug
    # shows it, as operators use it.
    mimic.delete("/mimic/v1.1/requests")
    completed = openstack_cli(mimic.base_url, "--debug", "server", "list")
    assert completed.returncode == 0, completed.stderr
    logged = set(re.findall(r"used request id (req-[0-9a-f-]{36})", completed.stderr))
    listed = {e["request_id"] for e in journal(mimic, api="nova")}
    assert listed and listed <= logged
