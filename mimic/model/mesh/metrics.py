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

import time
from bisect import bisect_left
from typing import Iterator, Optional

import attrs
from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.metrics_core import Metric
from prometheus_client.utils import INF, floatToGoString

#: Istio's default buckets for request durations, in milliseconds.
DURATION_BUCKETS = (0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000,
                    10000, 30000, 60000, 300000, 600000, 1800000, 3600000)

LABELS = ("reporter", "source_workload", "source_version", "destination_workload",
          "destination_version", "destination_service_name", "response_code",
          "response_flags", "request_protocol")

#: The buckets' upper bounds as the histogram searches them (the last, +Inf,
#: takes every other value) and as its ``le`` label writes them.
_BOUNDS = (*map(float, DURATION_BUCKETS), INF)
_LE = tuple(floatToGoString(bound) for bound in _BOUNDS)

REQUESTS_HELP = "Requests between mesh workloads."
DURATIONS_HELP = "Duration of requests between mesh workloads, in milliseconds."

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


class RequestTallies:
    """
    ``istio_requests_total`` and ``istio_request_duration_milliseconds``:
    counted in plain numbers per label set, and made Prometheus samples
    only when scraped (a collector of the registry).

    prometheus_client's ``Counter.inc`` and ``Histogram.observe`` take a
    lock and run several Python calls each, for every report; a mesh hop
    makes three reports, and they were about 1.7 % of the instructions of
    the hop (callgrind, docs/performance.rst). Mimic answers from one
    thread, so a count needs no lock. What a scrape shows is what the two
    prometheus_client metrics showed: the same families, samples, values
    (counts as floats, the sum added in the same order) and order, each
    label set with its ``_created`` time.
    """

    def __init__(self) -> None:
        #: label values (see add) -> [count, per-bucket counts, sum, created]
        self._tallies: dict = {}

    def add(self, key: tuple, duration_ms: float) -> None:
        """
        Count one report; ``key`` is the label values but the protocol, the
        response code as an int.
        """
        tally = self._tallies.get(key)
        if tally is None:
            tally = self._tallies[key] = [0, [0] * len(_BOUNDS), 0.0, time.time()]
        tally[0] += 1
        bucket = bisect_left(_BOUNDS, duration_ms)
        if bucket < len(_BOUNDS):   # (NaN is in no bucket, as prometheus_client has it)
            tally[1][bucket] += 1
        tally[2] += duration_ms

    def describe(self) -> list:
        return [Metric("istio_requests", REQUESTS_HELP, "counter"),
                Metric("istio_request_duration_milliseconds", DURATIONS_HELP, "histogram")]

    def collect(self) -> Iterator[Metric]:
        requests, durations = self.describe()
        for key, (count, buckets, total, created) in self._tallies.items():
            labels = dict(zip(LABELS, (*key[:6], str(key[6]), key[7], "http")))
            requests.add_sample("istio_requests_total", labels, float(count))
            requests.add_sample("istio_requests_created", labels, created)
            running = 0.0
            for le, in_bucket in zip(_LE, buckets):
                running += in_bucket
                durations.add_sample("istio_request_duration_milliseconds_bucket",
                                     {**labels, "le": le}, running)
            for suffix, value in (("_count", running), ("_sum", total), ("_created", created)):
                durations.add_sample("istio_request_duration_milliseconds" + suffix, labels,
                                     value)
        yield requests
        yield durations


@attrs.define
class IstioMetrics:
    """Istio's request metrics and Envoy's cluster statistics, registered once in ``registry``."""

    registry: CollectorRegistry
    tallies: RequestTallies = attrs.field(init=False, factory=RequestTallies)
    queued: Counter = attrs.field(init=False)
    cancelled: Counter = attrs.field(init=False)
    retries: Gauge = attrs.field(init=False)
    overflow: Gauge = attrs.field(init=False)
    ejections: Gauge = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.registry.register(self.tallies)
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
        # Label values are the mesh's declared names (see
        # Mesh.known_workload), codes and flags: the label sets stay few.
        self.tallies.add((reporter, source.workload, source.version, destination.workload,
                          destination.version, destination.service, code, flags),
                         duration_ms)
