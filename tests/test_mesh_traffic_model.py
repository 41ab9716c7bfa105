"""
The pure model behind the sidecar: durations, retry conditions, balancers
and outlier ejection, without HTTP.
"""

from __future__ import annotations

import random

import pytest

from mimic.model.mesh.destination_rule import OutlierDetection, TrafficPolicy
from mimic.model.mesh.quantities import PolicyError, duration_ms, istio_percentage
from mimic.model.mesh.traffic import Endpoint, TrafficState
from mimic.model.mesh.virtual_service import Retries


@pytest.mark.parametrize("text, ms", [("1s", 1000), ("0.5s", 500), ("250ms", 250),
                                      ("2m", 120000), ("1h", 3600000), ("1500us", 1.5), (2, 2000)])
def test_durations_are_read_as_istio_writes_them(text, ms):
    assert duration_ms(text, "t") == ms


@pytest.mark.parametrize("wrong", ["1", "soon", "-1s", "25h", True, None])
def test_wrong_durations_are_refused(wrong):
    with pytest.raises(PolicyError):
        duration_ms(wrong, "t")


def test_istio_percentages_default_to_all_and_accept_the_old_percent():
    assert istio_percentage({}, "f") == 1.0
    assert istio_percentage({"percentage": {"value": 12.5}}, "f") == 0.125
    assert istio_percentage({"percent": 40}, "f") == 0.4


def test_retry_conditions_follow_envoys_x_envoy_retry_on():
    # Envoy router docs: 5xx covers any 5xx and no answer; gateway-error
    # only 502/503/504; retriable-4xx is 409; reset is no answer at all.
    five = Retries(attempts=1, retry_on=frozenset({"5xx"}))
    assert five.retriable(500, None) == "5xx" and five.retriable(503, "reset") == "reset"
    assert five.retriable(404, None) is None
    gateway = Retries(attempts=1, retry_on=frozenset({"gateway-error"}))
    assert gateway.retriable(500, None) is None and gateway.retriable(504, None)
    assert gateway.retriable(504, "per-try-timeout") == "per-try-timeout"
    four = Retries(attempts=1, retry_on=frozenset({"retriable-4xx"}))
    assert four.retriable(409, None) and not four.retriable(429, None)
    codes = Retries(attempts=1, retry_on=frozenset({"retriable-status-codes"}),
                    status_codes=frozenset({503}))
    assert codes.retriable(503, None) and not codes.retriable(429, None)
    assert codes.retriable(429, None, frozenset({429}))
    connect = Retries(attempts=1, retry_on=frozenset({"connect-failure"}))
    assert connect.retriable(503, "connect-failure") and not connect.retriable(503, None)


ENDPOINTS = [Endpoint("s", "v1", 0), Endpoint("s", "v1", 1), Endpoint("s", "v2", 0),
             Endpoint("s", "v2", 1)]


def test_least_request_breaks_ties_in_turn():
    state = TrafficState()
    policy = TrafficPolicy(load_balancer="LEAST_REQUEST")
    picks = []
    for _ in range(4):
        endpoint = state.choose(("s", None), ENDPOINTS, policy, random.Random(0), 0.0)
        state.started(endpoint)
        picks.append(endpoint)
    assert picks == ENDPOINTS
    state.finished(ENDPOINTS[2])
    assert state.choose(("s", None), ENDPOINTS, policy, random.Random(0), 0.0) == ENDPOINTS[2]


def test_max_ejection_percent_caps_ejections_but_one_may_always_go():
    state = TrafficState()
    outlier = OutlierDetection(consecutive_5xx=1, base_ejection_ms=10_000,
                               max_ejection_percent=10)
    # 10 % of 4 endpoints is less than one; Envoy ejects one regardless.
    assert state.observe(ENDPOINTS[0], 503, outlier, ENDPOINTS, 0.0)
    assert not state.observe(ENDPOINTS[1], 503, outlier, ENDPOINTS, 0.0)
    assert state.ejected(ENDPOINTS[0], 9.9) and not state.ejected(ENDPOINTS[0], 10.0)


def test_an_endpoint_ejected_again_stays_out_longer():
    state = TrafficState()
    outlier = OutlierDetection(consecutive_5xx=2, base_ejection_ms=5_000,
                               max_ejection_percent=100)
    for now in (0.0, 0.0):
        state.observe(ENDPOINTS[0], 500, outlier, ENDPOINTS, now)
    assert state.ejected(ENDPOINTS[0], 4.0) and not state.ejected(ENDPOINTS[0], 5.0)
    for now in (6.0, 6.0):
        state.observe(ENDPOINTS[0], 500, outlier, ENDPOINTS, now)
    assert state.ejected(ENDPOINTS[0], 15.9) and not state.ejected(ENDPOINTS[0], 16.0)
    # A success in between resets the run of errors.
    other = ENDPOINTS[1]
    for code in (500, 200, 500):
        assert not state.observe(other, code, outlier, ENDPOINTS, 20.0)
