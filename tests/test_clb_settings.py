"""
The settings below a load balancer: health monitor, session persistence,
connection logging and throttling, content caching, access list, error page,
virtual IPs and metadata.
"""

from __future__ import annotations

import pytest

from tests.clb_support import assert_fault, clb  # noqa: F401

HTTP_MONITOR = {"type": "HTTP", "delay": 10, "timeout": 5,
                "attemptsBeforeDeactivation": 3, "path": "/health",
                "statusRegex": "^[234][0-9][0-9]$", "bodyRegex": ".*"}


def test_health_monitor_is_empty_then_set_then_removed(clb):
    url = clb.lb_url(clb.create()["id"], "/healthmonitor")
    assert clb.mimic.get(url).json() == {"healthMonitor": {}}
    assert clb.mimic.put(url, json={"healthMonitor": HTTP_MONITOR}).status_code == 202
    assert clb.mimic.get(url).json() == {"healthMonitor": HTTP_MONITOR}
    assert clb.mimic.delete(url).status_code == 202
    assert clb.mimic.get(url).json() == {"healthMonitor": {}}


@pytest.mark.parametrize("monitor, expected", [
    ({"type": "PING", "delay": 1, "timeout": 1, "attemptsBeforeDeactivation": 1},
     "type must be one of CONNECT, HTTP, HTTPS"),
    ({"type": "CONNECT", "delay": 0, "timeout": 1, "attemptsBeforeDeactivation": 1},
     "delay must be an integer from 1 to 3600"),
    ({"type": "CONNECT", "delay": 1, "timeout": 1, "attemptsBeforeDeactivation": 11},
     "attemptsBeforeDeactivation must be an integer from 1 to 10"),
    ({**HTTP_MONITOR, "statusRegex": "("}, "statusRegex is not a valid"),
    ({**HTTP_MONITOR, "path": "health"}, "path must start with '/'"),
])
def test_invalid_health_monitor_changes_nothing(clb, monitor, expected):
    url = clb.lb_url(clb.create()["id"], "/healthmonitor")
    assert_fault(clb.mimic.put(url, json={"healthMonitor": monitor}), 400, expected)
    assert clb.mimic.get(url).json() == {"healthMonitor": {}}


def test_session_persistence(clb):
    url = clb.lb_url(clb.create()["id"], "/sessionpersistence")
    assert clb.mimic.get(url).json() == {"sessionPersistence": {}}
    body = {"sessionPersistence": {"persistenceType": "SOURCE_IP"}}
    assert clb.mimic.put(url, json=body).status_code == 202
    assert clb.mimic.get(url).json() == body
    assert_fault(clb.mimic.put(url, json={"sessionPersistence": {
        "persistenceType": "STICKY"}}), 400, "persistenceType must be one of")
    assert clb.mimic.delete(url).status_code == 202
    assert clb.mimic.get(url).json() == {"sessionPersistence": {}}


def test_connection_logging_and_content_caching(clb):
    lb_id = clb.create()["id"]
    for path, key in (("/connectionlogging", "connectionLogging"),
                      ("/contentcaching", "contentCaching")):
        url = clb.lb_url(lb_id, path)
        assert clb.mimic.get(url).json() == {key: {"enabled": False}}
        assert clb.mimic.put(url, json={key: {"enabled": True}}).status_code == 202
        assert clb.mimic.get(url).json() == {key: {"enabled": True}}
        assert_fault(clb.mimic.put(url, json={key: {"enabled": "yes"}}), 400,
                     "enabled must be true or false")
    assert clb.get(lb_id)["connectionLogging"] == {"enabled": True}


def test_connection_throttle(clb):
    url = clb.lb_url(clb.create()["id"], "/connectionthrottle")
    throttle = {"minConnections": 10, "maxConnections": 100,
                "maxConnectionRate": 50, "rateInterval": 60}
    assert clb.mimic.get(url).json() == {"connectionThrottle": {}}
    assert clb.mimic.put(url, json={"connectionThrottle": throttle}).status_code == 202
    assert clb.mimic.get(url).json() == {"connectionThrottle": throttle}
    assert_fault(clb.mimic.put(url, json={"connectionThrottle": {
        **throttle, "rateInterval": 0}}), 400, "rateInterval must be an integer")
    assert clb.mimic.delete(url).status_code == 202
    assert clb.mimic.get(url).json() == {"connectionThrottle": {}}


def test_access_list_add_list_and_delete(clb):
    url = clb.lb_url(clb.create()["id"], "/accesslist")
    assert clb.mimic.get(url).json() == {"accessList": []}
    response = clb.mimic.post(url, json={"accessList": [
        {"address": "206.160.163.21", "type": "DENY"},
        {"address": "2001:db8::/32", "type": "ALLOW"},
        {"address": "192.0.2.0/24", "type": "ALLOW"}]})
    assert response.status_code == 202
    rules = clb.mimic.get(url).json()["accessList"]
    assert [(r["address"], r["type"]) for r in rules] == [
        ("206.160.163.21", "DENY"), ("2001:db8::/32", "ALLOW"), ("192.0.2.0/24", "ALLOW")]
    assert all(isinstance(r["id"], int) for r in rules)
    assert_fault(clb.mimic.post(url, json={"accessList": [
        {"address": "206.160.163.21", "type": "ALLOW"}]}), 400, "Duplicate addresses")
    assert clb.mimic.delete(f"{url}/{rules[0]['id']}").status_code == 202
    assert clb.mimic.delete(url, params={"id": rules[1]["id"]}).status_code == 202
    assert [r["id"] for r in clb.mimic.get(url).json()["accessList"]] == [rules[2]["id"]]
    assert_fault(clb.mimic.delete(f"{url}/{rules[0]['id']}"), 404)
    assert clb.mimic.delete(url).status_code == 202
    assert clb.mimic.get(url).json() == {"accessList": []}
    assert_fault(clb.mimic.delete(url), 404)


def test_access_list_limit_is_100(clb):
    url = clb.lb_url(clb.create()["id"], "/accesslist")
    rules = [{"address": f"10.0.{i // 250}.{i % 250}", "type": "DENY"} for i in range(100)]
    assert clb.mimic.post(url, json={"accessList": rules}).status_code == 202
    response = clb.mimic.post(url, json={"accessList": [
        {"address": "172.16.0.1", "type": "DENY"}]})
    assert_fault(response, 413, "100")
    assert len(clb.mimic.get(url).json()["accessList"]) == 100


def test_error_page_default_custom_and_reset(clb):
    url = clb.lb_url(clb.create()["id"], "/errorpage")
    default = clb.mimic.get(url).json()["errorpage"]["content"]
    assert "<html>" in default
    custom = "<html><body>Sorry!</body></html>"
    assert clb.mimic.put(url, json={"errorpage": {"content": custom}}).status_code == 202
    assert clb.mimic.get(url).json() == {"errorpage": {"content": custom}}
    assert_fault(clb.mimic.put(url, json={"errorpage": {"content": ""}}), 400, "content")
    assert clb.mimic.delete(url).status_code == 202
    assert clb.mimic.get(url).json()["errorpage"]["content"] == default


def test_virtual_ips_list(clb):
    lb = clb.create(virtualIps=[{"type": "PUBLIC", "ipVersion": "IPV4"}])
    response = clb.mimic.get(clb.lb_url(lb["id"], "/virtualips"))
    assert response.status_code == 200
    assert response.json() == {"virtualIps": lb["virtualIps"]}
    assert lb["virtualIps"][0]["ipVersion"] == "IPV4"


def test_load_balancer_metadata_crud(clb):
    lb = clb.create(metadata=[{"key": "team", "value": "blue"}])
    url = clb.lb_url(lb["id"], "/metadata")
    added = clb.mimic.post(url, json={"metadata": [{"key": "env", "value": "prod"},
                                                   {"key": "tier", "value": 3}]})
    assert added.status_code == 200
    env, tier = added.json()["metadata"]
    assert tier["value"] == "3"
    listed = clb.mimic.get(url).json()["metadata"]
    assert [m["key"] for m in listed] == ["team", "env", "tier"]
    assert clb.mimic.get(f"{url}/{env['id']}").json() == {"meta": env}
    assert clb.mimic.put(f"{url}/{env['id']}",
                         json={"meta": {"value": "staging"}}).status_code == 200
    assert clb.mimic.get(f"{url}/{env['id']}").json()["meta"]["value"] == "staging"
    assert_fault(clb.mimic.post(url, json={"metadata": [{"key": "env", "value": "x"}]}),
                 400, "Duplicate metadata keys")
    assert clb.mimic.delete(url, params=[("id", env["id"]), ("id", tier["id"])]
                            ).status_code == 200
    assert [m["key"] for m in clb.mimic.get(url).json()["metadata"]] == ["team"]
    assert_fault(clb.mimic.get(f"{url}/{env['id']}"), 404, "Metadata item not found")
    assert_fault(clb.mimic.put(f"{url}/{listed[0]['id']}", json={"meta": {"value": ""}}),
                 400, "meta.value")


def test_metadata_limit_is_25(clb):
    lb = clb.create()
    url = clb.lb_url(lb["id"], "/metadata")
    items = [{"key": f"k{i}", "value": "v"} for i in range(25)]
    assert clb.mimic.post(url, json={"metadata": items}).status_code == 200
    assert_fault(clb.mimic.post(url, json={"metadata": [{"key": "k25", "value": "v"}]}),
                 413, "25")


def test_settings_are_config_changes_that_need_active(clb):
    lb = clb.create(metadata=[{"key": "lb_pending_update", "value": "30"}])
    url = clb.lb_url(lb["id"], "/connectionlogging")
    assert clb.mimic.put(url, json={"connectionLogging": {"enabled": True}}).status_code == 202
    assert clb.status(lb["id"]) == "PENDING_UPDATE"
    assert_fault(clb.mimic.put(clb.lb_url(lb["id"], "/healthmonitor"),
                               json={"healthMonitor": HTTP_MONITOR}), 422, "immutable")
    # metadata is not configuration: it may change while an update is pending
    assert clb.mimic.post(clb.lb_url(lb["id"], "/metadata"), json={
        "metadata": [{"key": "note", "value": "ok"}]}).status_code == 200
