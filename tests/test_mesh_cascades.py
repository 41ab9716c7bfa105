"""
servicemock's URL table, row by row, against the shared Mimic with
servicemock's services loaded (``entry`` plays the service reached at
``localhost:8080``): the call tree each URL answers with.
"""

from __future__ import annotations

import pytest

from tests.mesh_support import SERVICEMOCK, interval, load_mesh, shape


@pytest.fixture
def mesh(mimic):
    load_mesh(mimic, SERVICEMOCK)
    return mimic


def entry(mesh, path: str) -> dict:
    response = mesh.get("/mesh/entry" + path)
    body = response.json()
    assert response.status_code == body["code"]
    return body


def test_no_at_after_the_host_calls_nothing(mesh):
    node = entry(mesh, "/service/calls/@service3/")
    assert shape(node) == ("entry", "/service/calls/@service3/", 200, [])


def test_at_service_calls_it_with_the_rest_of_the_uri(mesh):
    node = entry(mesh, "/@service1/the-end")
    assert shape(node) == ("entry", "/@service1/the-end", 200, [
        ("service1", "/the-end", 200, [])])
    assert node["upstream_calls"][0]["url"] == "http://service1:8080/the-end"


def test_port_is_recorded_in_the_url_called(mesh):
    node = entry(mesh, "/@service1:8081/the-end")
    assert shape(node) == ("entry", "/@service1:8081/the-end", 200, [
        ("service1", "/the-end", 200, [])])
    assert node["upstream_calls"][0]["url"] == "http://service1:8081/the-end"


def test_call_chain_goes_through_every_service(mesh):
    node = entry(mesh, "/@service1/@service2/@service3/")
    assert shape(node) == ("entry", "/@service1/@service2/@service3/", 200, [
        ("service1", "/@service2/@service3/", 200, [
            ("service2", "/@service3/", 200, [
                ("service3", "/", 200, [])])])])


def test_no_at_before_the_second_segment_ends_the_chain(mesh):
    node = entry(mesh, "/@service1/service2")
    assert shape(node) == ("entry", "/@service1/service2", 200, [
        ("service1", "/service2", 200, [])])


def test_comma_calls_one_service_then_the_other_with_the_same_uri(mesh):
    node = entry(mesh, "/@service1,service2/uri-reuse/")
    assert shape(node) == ("entry", "/@service1,service2/uri-reuse/", 200, [
        ("service1", "/uri-reuse/", 200, []), ("service2", "/uri-reuse/", 200, [])])
    first, second = (interval(n) for n in node["upstream_calls"])
    assert second[0] >= first[1]


def test_bar_calls_both_services_with_the_same_uri(mesh):
    node = entry(mesh, "/@service1|service2/uri-reuse/")
    assert shape(node) == ("entry", "/@service1|service2/uri-reuse/", 200, [
        ("service1", "/uri-reuse/", 200, []), ("service2", "/uri-reuse/", 200, [])])


def test_parallel_calls_each_make_parallel_calls(mesh):
    node = entry(mesh, "/@service1|service2/@service3|service4/uri/")
    leaves = [("service3", "/uri/", 200, []), ("service4", "/uri/", 200, [])]
    assert shape(node) == ("entry", "/@service1|service2/@service3|service4/uri/", 200, [
        ("service1", "/@service3|service4/uri/", 200, leaves),
        ("service2", "/@service3|service4/uri/", 200, leaves)])


def test_headers_are_added_to_their_own_call_only(mesh):
    node = entry(mesh, "/@service1[name1=value1]/@service2[name2=value2]/")
    service1 = node["upstream_calls"][0]
    service2 = service1["upstream_calls"][0]
    assert shape(node) == ("entry", "/@service1[name1=value1]/@service2[name2=value2]/", 200, [
        ("service1", "/@service2[name2=value2]/", 200, [("service2", "/", 200, [])])])
    assert service1["headers"]["name1"] == "value1" and "name2" not in service1["headers"]
    assert service2["headers"]["name2"] == "value2" and "name1" not in service2["headers"]
    assert service2["url"] == "http://service2:8080/"


def test_port_and_several_headers_on_the_second_call(mesh):
    node = entry(mesh, "/@service1/@service2:8081[name2=value2][name3=value3]/")
    service1 = node["upstream_calls"][0]
    service2 = service1["upstream_calls"][0]
    assert shape(service1) == ("service1", "/@service2:8081[name2=value2][name3=value3]/",
                               200, [("service2", "/", 200, [])])
    assert service2["url"] == "http://service2:8081/"
    assert {k: service2["headers"][k] for k in ("name2", "name3")} == {
        "name2": "value2", "name3": "value3"}
    assert not {"name2", "name3"} & set(service1["headers"])


def test_parallel_calls_share_a_start_instant_and_sequential_ones_add_up(mimic):
    # Simulated time (the default): a node's start and duration are on
    # Mimic's clock; parallel calls start together, sequential ones one
    # after the other, and the caller lasts as long as what it waited for.
    load_mesh(mimic, "---\n".join(
        "apiVersion: mimik.veicot.io/v1alpha1\nkind: Mimik\n"
        f"spec: {{service: {name}, latency: {ms}ms}}\n"
        for name, ms in (("entry", 0), ("service1", 30), ("service2", 50), ("service3", 7))))
    parallel = mimic.get("/mesh/entry/@service1|service2/@service3/x").json()
    assert parallel["time"] == "simulated"
    a, b = (interval(n) for n in parallel["upstream_calls"])
    assert a[0] == b[0] == interval(parallel)[0]
    assert [n["duration_ms"] for n in parallel["upstream_calls"]] == [37.0, 57.0]
    assert parallel["duration_ms"] == 57.0
    sequential = mimic.get("/mesh/entry/@service1,service2/@service3/x").json()
    a, b = (interval(n) for n in sequential["upstream_calls"])
    assert b[0] == a[1]
    assert sequential["duration_ms"] == 37.0 + 57.0


def test_a_bad_cascade_is_a_400_node(mesh):
    response = mesh.get("/mesh/entry/@service1:99999/x")
    assert response.status_code == 400
    assert "bad cascade" in response.json()["error"]


def test_a_cascade_to_an_unknown_service_fails_its_caller_with_502(mesh):
    node = entry(mesh, "/@service1,nowhere/x")
    assert shape(node) == ("entry", "/@service1,nowhere/x", 502, [
        ("service1", "/x", 200, []), ("nowhere", "/x", 503, [])])
    assert "no service 'nowhere'" in node["upstream_calls"][1]["error"]
    assert "nowhere (503)" in node["error"]
