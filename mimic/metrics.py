"""
Mimic's Prometheus metrics: one ``CollectorRegistry`` per store, so that
reset starts every counter again and two cores never share one (no
module-level registry). ``mimic_http_requests_total{api, method, code}``
counts the requests each emulated cloud API answered; the mesh adds Istio's
metrics to the same registry, and ``GET /metrics`` exposes them all.
"""

from __future__ import annotations

from typing import Any, Collection, Optional

import attrs


#: The methods the emulated APIs answer; any other a client sends is
#: counted as :data:`OTHER_METHOD`, so made-up methods add no series.
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "other"


def new_registry() -> Any:
    """
    A ``prometheus_client`` registry, imported when a store first counts
    (serving ``/`` counts nothing: see docs/performance.rst, start-up).
    """
    from prometheus_client import CollectorRegistry

    return CollectorRegistry(auto_describe=True)


@attrs.define
class MimicMetrics:
    """The registry of one store and the counters every API shares."""

    registry: Any = attrs.field(factory=new_registry)
    http_requests: Any = attrs.field(init=False)
    #: Each label set's child counter, looked up once: ``labels()``
    #: validates and locks on every call. Bounded by the label values
    #: (plugin names, seven methods and "other", the status codes).
    _children: dict = attrs.field(init=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        from prometheus_client import Counter

        self.http_requests = Counter(
            "mimic_http_requests_total",
            "Requests answered by the emulated cloud APIs.",
            ("api", "method", "code"),
            registry=self.registry,
        )

    def count_request(self, api: str, method: str, code: int) -> None:
        method = method if method in HTTP_METHODS else OTHER_METHOD
        key = (api, method, code)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = self.http_requests.labels(api, method, str(code))
        child.inc()


def metrics_of(store: Any) -> MimicMetrics:
    """The metrics of ``store`` (a :class:`~mimic.model.identity.SessionStore`)."""
    return store.data_for_api("metrics", MimicMetrics)


#: Plugins with their own metrics, whose traffic is not a cloud API's (the
#: mesh reports Istio's metrics instead).
NOT_CLOUD_APIS = frozenset({"mesh"})


def api_of_path(path: bytes, api_names: Collection[str]) -> Optional[str]:
    """
    Which emulated cloud API a request path belongs to: ``identity``, the
    plugin named after ``/mimicking/``, or a plugin serving its own root
    (``/fastly/...``). None for the control plane, the mesh and unknown
    paths, so that random paths cannot grow the label set.
    """
    segments = path.split(b"?", 1)[0].lstrip(b"/").split(b"/", 2)
    first = segments[0].decode("ascii", "replace")
    if first == "identity":
        return "identity"
    if first == "mimicking" and len(segments) > 1:
        name = segments[1].decode("ascii", "replace")
        return name if name in api_names else None
    if first in api_names and first not in NOT_CLOUD_APIS:
        return first
    return None


def count_request(core: Any, path: bytes, method: bytes, code: int,
                  api: Optional[str] = "") -> None:
    """
    Count one answered request if it was an emulated cloud API's (``api``:
    :func:`api_of_path` of ``path``, when the caller knows it already).
    """
    if api == "":
        api = api_of_path(path, core.apis)
    if api is not None:
        metrics_of(core.store).count_request(api, method.decode("ascii", "replace"), code)
