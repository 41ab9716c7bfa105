"""
Tags on Neutron's resources over real sockets, through openstacksdk and the
``openstack`` CLI: the ``/tags`` routes of ``neutron/extensions/tagging.py``
(replace all, add, check, remove one, clear; unique strings of at most 255
characters, at most 50 a resource, ``TagNotFound``) and the list filters
``tags``, ``tags-any``, ``not-tags``, ``not-tags-any``.
"""

from __future__ import annotations

import openstack
import pytest

from tests.neutron_support import PRIVATE, PUBLIC, assert_neutron_error, neutron  # noqa: F401
from tests.test_neutron_clients import openstack_cli


def test_tags_replace_add_check_remove_and_clear(neutron):
    network = neutron.ok("POST", "/networks", 201, json={"network": {}})["network"]
    path = f"/networks/{network['id']}/tags"
    assert neutron.ok("GET", path) == {"tags": []}
    # Neutron answers tags sorted: its tag table's primary key is
    # (standard_attr_id, tag) (neutron/db/models/tag.py), and openstacksdk's
    # functional tests expect that order.
    assert neutron.ok("PUT", path, json={"tags": ["red", "blue"]}) == {"tags": ["blue", "red"]}
    assert neutron.call("PUT", path + "/green").status_code == 201
    assert neutron.ok("GET", f"/networks/{network['id']}")["network"]["tags"] == [
        "blue", "green", "red"]
    assert neutron.call("GET", path + "/blue").status_code == 204
    assert_neutron_error(neutron.get(path + "/white"), 404, "TagNotFound")
    assert neutron.call("DELETE", path + "/blue").status_code == 204
    assert_neutron_error(neutron.delete(path + "/blue"), 404, "TagNotFound")
    assert neutron.ok("POST", path, 201, json={"tags": ["red", "pink"]}) == {
        "tags": ["green", "pink", "red"]}
    assert neutron.delete(path).status_code == 204
    assert neutron.ok("GET", path) == {"tags": []}


@pytest.mark.parametrize("collection, body", [
    ("subnets", None), ("ports", {"port": {"network_id": PRIVATE}}),
    ("security-groups", {"security_group": {"name": "tagged"}}),
    ("floatingips", {"floatingip": {"floating_network_id": PUBLIC}}),
    ("routers", {"router": {"name": "tagged"}}),
])
def test_every_taggable_resource_takes_tags(neutron, collection, body):
    if body is None:
        network = neutron.ok("POST", "/networks", 201, json={"network": {}})["network"]
        body = {"subnet": {"network_id": network["id"], "cidr": "10.9.0.0/24"}}
    member = next(iter(body))
    made = neutron.ok("POST", f"/{collection}", 201, json=body)[member]
    neutron.ok("PUT", f"/{collection}/{made['id']}/tags", json={"tags": ["x"]})
    shown = neutron.ok("GET", f"/{collection}/{made['id']}")[member]
    assert shown["tags"] == ["x"]
    listed = neutron.ok("GET", f"/{collection}?tags=x")[collection.replace("-", "_")]
    assert [item["id"] for item in listed] == [made["id"]]


@pytest.mark.parametrize("body, kind", [
    ({"tags": "red"}, "InvalidInput"),
    ({"tags": ["a", "a"]}, "InvalidInput"),
    ({"tags": [1]}, "InvalidInput"),
    ({"tags": ["x" * 256]}, "InvalidInput"),
    ({"tags": [f"t{n}" for n in range(51)]}, "BadRequest"),
    ({"labels": []}, "HTTPBadRequest"),
])
def test_bad_tag_lists_are_400_and_change_nothing(neutron, body, kind):
    network = neutron.ok("POST", "/networks", 201, json={"network": {}})["network"]
    path = f"/networks/{network['id']}/tags"
    neutron.ok("PUT", path, json={"tags": ["keep"]})
    assert_neutron_error(neutron.put(path, json=body), 400, kind)
    assert neutron.ok("GET", path) == {"tags": ["keep"]}


def test_tags_of_an_unknown_resource_are_404(neutron):
    assert_neutron_error(neutron.get("/networks/nope/tags"), 404, "NetworkNotFound")
    assert_neutron_error(neutron.put("/ports/nope/tags/x"), 404, "PortNotFound")


def test_tag_filters(neutron):
    made = {}
    for name, tags in (("a", ["red", "blue"]), ("b", ["red"]), ("c", ["green"]), ("d", [])):
        network = neutron.ok("POST", "/networks", 201, json={"network": {"name": name}})
        made[name] = network["network"]["id"]
        neutron.ok("PUT", f"/networks/{made[name]}/tags", json={"tags": tags})

    def names(query):
        listed = neutron.ok("GET", f"/networks?{query}")["networks"]
        return sorted(n["name"] for n in listed if n["id"] in made.values())

    assert names("tags=red") == ["a", "b"]
    assert names("tags=red,blue") == ["a"]
    assert names("tags-any=blue,green") == ["a", "c"]
    assert names("not-tags=red,blue") == ["b", "c", "d"]
    assert names("not-tags-any=red,green") == ["d"]
    assert names("tags=red&not-tags-any=blue") == ["b"]


def test_openstacksdk_sets_tags_and_filters_on_them(mimic):
    conn = openstack.connect(
        auth_url=mimic.base_url + "/identity/v2.0", username="tag-user", password="secret",
        project_name="tag-project", identity_api_version="2", region_name="ORD")
    try:
        network = conn.network.create_network(name="tagged")
        conn.network.set_tags(network, ["prod", "web"])
        assert sorted(conn.network.get_network(network.id).tags) == ["prod", "web"]
        assert [n.name for n in conn.network.networks(tags="prod,web")] == ["tagged"]
        assert [n.name for n in conn.network.networks(any_tags="web,db")] == ["tagged"]
        assert "tagged" not in [n.name for n in conn.network.networks(not_tags="prod")]
    finally:
        conn.close()


def test_openstack_cli_tags_a_network_and_lists_by_tag(mimic):
    # ``network create --tag`` creates, then sets the tags with PUT .../tags.
    made = openstack_cli(mimic, "network", "create", "--tag", "blue", "cli-tagged",
                         "-f", "json")
    assert made["tags"] == ["blue"]
    listed = openstack_cli(mimic, "network", "list", "--tags", "blue", "-f", "json")
    assert [n["Name"] for n in listed] == ["cli-tagged"]


def test_tags_given_at_creation_are_kept_sorted_and_bad_ones_make_nothing(neutron):
    # Neutron's tag-creation extension: ``tags`` in a create body.
    network = neutron.ok("POST", "/networks", 201, json={"network": {
        "name": "born-tagged", "tags": ["web", "prod"]}})["network"]
    assert network["tags"] == ["prod", "web"]
    ports = neutron.ok("POST", "/ports", 201, json={"ports": [
        {"network_id": network["id"], "tags": ["b", "a"]},
        {"network_id": network["id"]}]})["ports"]
    assert [p["tags"] for p in ports] == [["a", "b"], []]
    router = neutron.ok("POST", "/routers", 201, json={"router": {"tags": ["r"]}})["router"]
    assert neutron.ok("GET", f"/routers/{router['id']}/tags") == {"tags": ["r"]}
    assert_neutron_error(neutron.post("/networks", json={"network": {
        "name": "bad-tags", "tags": ["x" * 256]}}), 400)
    assert [n["name"] for n in neutron.ok("GET", "/networks?name=bad-tags")["networks"]] == []
    assert_neutron_error(neutron.put(f"/networks/{network['id']}", json={"network": {
        "tags": ["nope"]}}), 400, "HTTPBadRequest")
