"""
apache-libcloud's Rackspace load-balancer driver, unmodified, against a
running Mimic: it authenticates with Identity v2.0, finds
``cloudLoadBalancers`` in the catalog and drives the whole life of a load
balancer while the test moves Mimic's clock.
"""

from __future__ import annotations

import pytest
from libcloud.common.exceptions import BaseHTTPError
from libcloud.loadbalancer.base import Algorithm, Member
from libcloud.loadbalancer.drivers.rackspace import (
    RackspaceAccessRule,
    RackspaceAccessRuleType,
    RackspaceConnectionThrottle,
    RackspaceHTTPHealthMonitor,
)
from libcloud.loadbalancer.providers import get_driver
from libcloud.loadbalancer.types import MemberCondition, Provider, State

from tests.clb_support import clb_for


@pytest.fixture
def driver(mimic):
    Driver = get_driver(Provider.RACKSPACE)
    return Driver("libcloud-user", "api-key", ex_force_auth_url=mimic.base_url + "/identity/",
                  ex_force_auth_version="2.0", ex_force_region="ord")


def tenant_of(driver) -> str:
    return driver.connection.request_path.rstrip("/").split("/")[-1]


def test_create_wait_active_add_list_delete_node_and_destroy(mimic, driver):
    driver.list_balancers()  # authenticates, so the tenant is known
    clb = clb_for(mimic, tenant_of(driver))
    mimic.post(f"{clb.control}/behaviors/creation",
               json={"name": "building", "parameters": {"duration": 30}})

    balancer = driver.create_balancer(
        name="web", members=[Member(None, "10.0.0.11", 80)], protocol="http", port=80,
        algorithm=Algorithm.ROUND_ROBIN)
    assert balancer.state == State.PENDING
    assert balancer.port == 80
    assert balancer.extra["algorithm"] == Algorithm.ROUND_ROBIN
    assert driver.get_balancer(balancer.id).state == State.PENDING
    mimic.tick(30)
    balancer = driver.get_balancer(balancer.id)
    assert balancer.state == State.RUNNING
    assert [m.ip for m in balancer.extra["members"]] == ["10.0.0.11"]

    member = driver.balancer_attach_member(balancer, Member(None, "10.0.0.12", 8080))
    assert (member.ip, member.port) == ("10.0.0.12", 8080)
    members = driver.balancer_list_members(balancer)
    assert [(m.ip, m.port) for m in members] == [("10.0.0.11", 80), ("10.0.0.12", 8080)]
    assert members[1].extra["condition"] == MemberCondition.ENABLED
    assert driver.balancer_detach_member(balancer, member) is True
    assert [m.ip for m in driver.balancer_list_members(balancer)] == ["10.0.0.11"]

    assert [b.id for b in driver.list_balancers()] == [balancer.id]
    assert driver.destroy_balancer(balancer) is True
    assert driver.get_balancer(balancer.id).state == State.DELETED
    mimic.tick(90 * 60)
    assert driver.list_balancers() == []


def test_update_balancer_and_member(driver):
    balancer = driver.create_balancer(name="api", members=[Member(None, "10.0.1.1", 80)])
    updated = driver.update_balancer(balancer, name="api-2", algorithm=Algorithm.RANDOM)
    assert (updated.name, updated.state) == ("api-2", State.RUNNING)
    member = driver.balancer_list_members(balancer)[0]
    changed = driver.ex_balancer_update_member(
        balancer, member, condition=MemberCondition.DRAINING, weight=7)
    assert changed.extra["condition"] == MemberCondition.DRAINING
    assert changed.extra["weight"] == 7


def test_settings_through_libcloud(driver):
    balancer = driver.create_balancer(name="s", members=[Member(None, "10.0.2.1", 80)])
    monitor = RackspaceHTTPHealthMonitor("HTTP", 10, 5, 2, "/", None, "^2[0-9][0-9]$")
    after = driver.ex_update_balancer_health_monitor(balancer, monitor)
    assert after.extra["healthMonitor"].path == "/"
    throttle = RackspaceConnectionThrottle(5, 50, 20, 30)
    after = driver.ex_update_balancer_connection_throttle(balancer, throttle)
    assert after.extra["connectionThrottle"].max_connections == 50
    after = driver.ex_enable_balancer_session_persistence(balancer)
    assert after.extra["sessionPersistenceType"] == "HTTP_COOKIE"
    after = driver.ex_enable_balancer_connection_logging(balancer)
    assert after.extra["connectionLoggingEnabled"] is True
    driver.ex_update_balancer_error_page(balancer, "<html>down</html>")
    assert driver.ex_get_balancer_error_page(balancer) == "<html>down</html>"
    rule = driver.ex_create_balancer_access_rule(
        balancer, RackspaceAccessRule(rule_type=RackspaceAccessRuleType.DENY,
                                      address="192.0.2.7"))
    assert rule.id is not None
    assert [r.address for r in driver.ex_balancer_access_list(balancer)] == ["192.0.2.7"]
    driver.ex_destroy_balancer_access_rule(balancer, rule)
    assert driver.ex_balancer_access_list(balancer) == []
    driver.ex_disable_balancer_health_monitor(balancer)
    assert "healthMonitor" not in driver.get_balancer(balancer.id).extra


def test_bulk_detach_and_destroy(driver):
    first = driver.create_balancer(name="a", members=[
        Member(None, f"10.0.3.{i}", 80) for i in range(1, 4)])
    second = driver.create_balancer(name="b", members=[Member(None, "10.0.4.1", 80)])
    members = driver.balancer_list_members(first)
    driver.ex_balancer_detach_members(first, members[:2])
    assert [m.ip for m in driver.balancer_list_members(first)] == ["10.0.3.3"]
    assert driver.ex_destroy_balancers([first, second]) is True
    assert {b.state for b in driver.list_balancers()} == {State.DELETED}


def test_protocols_and_algorithms(driver):
    assert "http" in driver.list_protocols()
    assert ("https", 443) in driver.ex_list_protocols_with_default_ports()
    assert "WEIGHTED_ROUND_ROBIN" in driver.ex_list_algorithm_names()


def test_refusals_reach_libcloud_as_http_errors(driver):
    with pytest.raises(BaseHTTPError) as raised:
        driver.get_balancer("31337")
    assert raised.value.code == 404
    balancer = driver.create_balancer(name="dup", members=[Member(None, "10.0.5.1", 80)])
    with pytest.raises(BaseHTTPError) as raised:
        driver.balancer_attach_member(balancer, Member(None, "10.0.5.1", 80))
    assert raised.value.code == 413
