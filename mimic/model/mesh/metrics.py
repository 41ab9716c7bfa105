"""
Istio's standard request metrics for mesh calls, recorded in the store's
Prometheus registry: ``istio_requests_total`` and the
``istio_request_duration_milliseconds`` histogram, labelled the way Istio
labels them, so dashboards and queries written for Istio read Mimic too.

Like Istio, each call is reported twice: by the destination when it answers
(``reporter="destination"``) and by the source for every upstream call it
made (``reporter="source"``), which is the only report of a call that never
reached a destination.
"""

from __future__ import annotations

from typing import Optional

import attrs
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

#: Istio's default buckets for request durations, in milliseconds.
DURATION_BUCKETS = (0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000,
                    10000, 30000, 60000, 300000, 600000, 1800000, 3600000)

LABELS = ("reporter", "source_workload", "source_version", "destination_workload",
          "destination_version", "destination_service_name", "response_code",
          "response_flags", "request_protocol")

#: Envoy's per-cluster statistics are labelled by the cluster
#: (``outbound|8080|v2|reviews``): mesh-declared names only.
CLUSTER = ("cluster_name",)

#: Istio's value for a label it cannot know (a request from outside).
UNKNOWN = "unknown"


@attrs.frozen
class Workload:
    """A workload and version as metrics name them."""

    workload: str = UNKNOWN
    version: str = UNKNOWN
    service: str = UNKNOWN

    @classmethod
    def of(cls, workload: Optional[str], version: Optional[str],
           service: Optional[str] = None) -> "Workload":
        return cls(workload or UNKNOWN, version or UNKNOWN, service or UNKNOWN)


@attrs.define
class IstioMetrics:
    """The two Istio metrics, registered once in ``registry``."""

    registry: CollectorRegistry
    requests: Counter = attrs.field(init=False)
    durations: Histogram = attrs.field(init=False)
    queued: Counter = attrs.field(init=False)
    cancelled: Counter = attrs.field(init=False)
    retries: Gauge = attrs.field(init=False)
    overflow: Gauge = attrs.field(init=False)
    ejections: Gauge = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.requests = Counter(
            "istio_requests_total", "Requests between mesh workloads.",
            LABELS, registry=self.registry)
        self.durations = Histogram(
            "istio_request_duration_milliseconds",
            "Duration of requests between mesh workloads, in milliseconds.",
            LABELS, buckets=DURATION_BUCKETS, registry=self.registry)
        # Envoy's own names, which a Prometheus counter would suffix with
        # _total: exposed as gauges that only go up.
        self.retries = Gauge(
            "envoy_cluster_upstream_rq_retry", "Retries of requests to the cluster.",
            CLUSTER, registry=self.registry)
        self.overflow = Gauge(
            "envoy_cluster_upstream_rq_pending_overflow",
            "Requests refused by the cluster's connection pool (circuit breaker).",
            CLUSTER, registry=self.registry)
        self.ejections = Gauge(
            "envoy_cluster_outlier_detection_ejections_active",
            "Endpoints of the cluster ejected by outlier detection now.",
            CLUSTER, registry=self.registry)
        self.queued = Counter(
            "mimic_mesh_upstream_calls_queued_total",
            "Upstream calls that waited for one of their node's parallel-call slots.",
            registry=self.registry)
        self.cancelled = Counter(
            "mimic_mesh_upstream_calls_cancelled_total",
            "Upstream calls ended because the client of their node went away.",
            registry=self.registry)

    def record(self, reporter: str, source: Workload, destination: Workload,
               code: int, duration_ms: float, flags: str = "-") -> None:
        labels = (reporter, source.workload, source.version, destination.workload,
                  destination.version, destination.service, str(code), flags, "http")
        self.requests.labels(*labels).inc()
        self.durations.labels(*labels).observe(duration_ms)
