"""Bad input of every kind gets Nova's 4xx error body, never a 500, and changes nothing."""

from __future__ import annotations

import pytest

from tests.nova_support import UBUNTU, nova  # noqa: F401


def _server(**fields):
    return {"server": {"name": "x", "imageRef": UBUNTU, "flavorRef": "2", **fields}}


BAD_CREATES = [
    _server(imageRef=5), _server(flavorRef=True), _server(flavorRef=None),
    _server(name=None), _server(name=" padded "), _server(name="x" * 256),
    _server(metadata={"": "empty key"}), _server(metadata={"k": "v" * 256}),
    _server(metadata={"k": ["list"]}), _server(metadata={"k": True}),
    _server(min_count="abc"), _server(max_count=0), _server(min_count=3, max_count=2),
    _server(security_groups="default"), _server(security_groups=[{"name": ""}]),
    _server(networks="everything"), _server(user_data="not base64!"),
    _server(config_drive=1), _server(accessIPv6="1.2.3.4"), _server(key_name=""),
    _server(availability_zone="mars"), _server(adminPass=12),
    {"server": []}, {"server": None}, [], "server",
]


@pytest.mark.parametrize("body", BAD_CREATES)
def test_bad_create_bodies(nova, body):
    response = nova.post("servers", json=body)
    assert 400 <= response.status_code < 500, response.text
    (kind,) = response.json()
    assert response.json()[kind]["code"] == response.status_code
    assert nova.get("servers").json()["servers"] == []
    assert nova.get("limits").json()["limits"]["absolute"]["totalInstancesUsed"] == 0


BAD_QUERIES = [
    {"limit": "1e3"}, {"limit": "-5"}, {"changes-since": "2020-13-01"},
    {"name": "(unclosed"}, {"marker": "gone"},
]


@pytest.mark.parametrize("params", BAD_QUERIES)
def test_bad_listing_queries(nova, params):
    for path in ("servers", "servers/detail"):
        response = nova.get(path, params=params)
        assert response.status_code == 400, response.text
        assert response.json()["badRequest"]["code"] == 400


BAD_ACTIONS = [
    {"reboot": None}, {"reboot": {"type": 5}}, {"rebuild": {}},
    {"rebuild": {"imageRef": UBUNTU, "adminPass": 5}},
    {"rebuild": {"imageRef": UBUNTU, "metadata": "x"}},
    {"rebuild": {"imageRef": UBUNTU, "colour": "red"}},
    {"resize": {}}, {"resize": "4"}, {"changePassword": {"adminPass": 5}},
    {"createImage": {}}, {"createImage": {"name": "x", "metadata": []}},
    {"rescue": {"rescue_image_ref": "nope"}}, {"rescue": {"adminPass": 1}},
    {"addSecurityGroup": {}}, {"removeSecurityGroup": None},
    {"removeFixedIp": {}}, {"pause": "now"}, {"lock": 1},
]


@pytest.mark.parametrize("action", BAD_ACTIONS)
def test_bad_action_bodies_change_nothing(nova, action):
    server_id = nova.create_id()
    before = nova.server(server_id)
    response = nova.action(server_id, action)
    assert response.status_code == 400, response.text
    assert response.json()["badRequest"]["code"] == 400
    assert nova.server(server_id) == before
    assert [i["name"] for i in nova.get("images").json()["images"]
            if i["name"] == "x"] == []


@pytest.mark.parametrize("body", [
    {}, {"metadata": "x"}, {"metadata": {"k": None}}, {"metadata": {"": "v"}},
])
def test_bad_metadata_bodies_change_nothing(nova, body):
    server_id = nova.create_id(metadata={"keep": "me"})
    for method in ("put", "post"):
        response = getattr(nova, method)(f"servers/{server_id}/metadata", json=body)
        assert response.status_code == 400, response.text
    assert nova.server(server_id)["metadata"] == {"keep": "me"}


def test_bad_json_and_wrong_types_everywhere(nova):
    server_id = nova.create_id()
    for method, path in (("post", "servers"), ("put", f"servers/{server_id}"),
                         ("post", f"servers/{server_id}/action"),
                         ("post", f"servers/{server_id}/metadata"),
                         ("put", f"servers/{server_id}/metadata/k"),
                         ("post", "os-keypairs")):
        for data in (b"", b"{", b"[1]", b'"text"', b"\xff\xfe"):
            response = getattr(nova, method)(path, data=data)
            assert response.status_code == 400, (method, path, data, response.text)
            assert response.json()["badRequest"]["code"] == 400
