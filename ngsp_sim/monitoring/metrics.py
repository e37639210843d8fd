"""Prometheus metrics of one hub, in its own registry (so several hubs in one process, as in tests,
do not collide). Queue depths and circuit states are read when the metrics are scraped.

Label values come only from bounded sets: a service or client that the registry does not know is
counted as ``unknown`` (anyone can name one in a request, and each new name would be a new series
forever); a request without a client or service is ``-``; statuses and error types are the hub's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from ngsp_sim.registry import Registry

__all__ = ["UNKNOWN", "HubMetrics"]

UNKNOWN = "unknown"
AUTH_KINDS = ("token", "admin")

CIRCUIT_STATES = {"closed": 0, "half_open": 1, "open": 2}
LogStats = Callable[[], Mapping[str, int]]
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


_LOG_GAUGES = {
    "pending": "Exchanges waiting to be written to the message log",
    "pending_bytes": "Bytes of the exchanges waiting to be written to the message log",
}
_LOG_COUNTERS = {
    "written": "Records written to the message log",
    "escaped": "Records the store refused as they were, written escaped",
    "waited": "Exchanges whose answer waited for the message log to catch up (backpressure)",
    "refused": "Exchanges refused because the message log was full (Server.ServerProxy.LoggingFailed)",
    "dropped": "Records lost: refused by the store even escaped, or unwritable at shutdown",
}


class _Live(Collector):
    def __init__(self, log_stats: LogStats, circuits: Callable[[], Mapping[str, str]]) -> None:
        self.log_stats = log_stats
        self.circuits = circuits

    def collect(self) -> Iterable[GaugeMetricFamily | CounterMetricFamily]:
        stats = self.log_stats()
        for name, text in _LOG_GAUGES.items():
            yield GaugeMetricFamily(f"ngsp_message_log_{name}", text, value=stats.get(name, 0))
        for name, text in _LOG_COUNTERS.items():
            yield CounterMetricFamily(f"ngsp_message_log_{name}", text, value=stats.get(name, 0))
        states = GaugeMetricFamily(
            "ngsp_circuit_state", "Circuit breaker per provider: 0 closed, 1 half-open, 2 open", labels=["provider"]
        )
        for provider, state in sorted(self.circuits().items()):
            states.add_metric([provider], CIRCUIT_STATES[state])
        yield states


class HubMetrics:
    """``log_stats`` reads the message log's queue and counters (see :meth:`MessageLog.stats`);
    ``registry`` gives the current topology, whose services and clients are the label values allowed
    (without it every name is ``unknown``)."""

    def __init__(
        self,
        log_stats: LogStats,
        circuits: Callable[[], Mapping[str, str]],
        registry: Callable[[], Registry] | None = None,
    ) -> None:
        self._current = registry
        self._known: tuple[object, frozenset[str], frozenset[str]] = (None, frozenset(), frozenset())
        self._series: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        """(service, client, status) -> its request counter and duration histogram; bounded as the labels are
        (registered names or ``unknown``)."""
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "ngsp_requests", "Exchanges through the hub", ["service", "client", "status"], registry=self.registry
        )
        self.duration = Histogram(
            "ngsp_request_duration_seconds",
            "Time from request in to response out",
            ["service"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter("ngsp_errors", "Errors the platform answered, by type", ["type"], registry=self.registry)
        self.auth_failures = Counter(
            "ngsp_auth_failures",
            "Failed authentications (wrong /token secret, wrong admin token), by kind",
            ["kind"],
            registry=self.registry,
        )
        self.auth_throttled = Counter(
            "ngsp_auth_throttled",
            "Authentications refused unchecked (429) after too many failures, by kind",
            ["kind"],
            registry=self.registry,
        )
        for kind in AUTH_KINDS:  # present at 0 from the start, so a rate over them is defined
            self.auth_failures.labels(kind)
            self.auth_throttled.labels(kind)
        self.registry.register(_Live(log_stats, circuits))

    def _labels(self, service: str | None, client: str | None) -> tuple[str, str]:
        current = self._current() if self._current is not None else None
        if current is not None and self._known[0] is not current:  # the registry was swapped: re-read
            services = frozenset(str(s) for s in current.services)
            self._known = (current, services, frozenset(str(c) for c in current.subsystems))
        _, services, clients = self._known
        return (
            "-" if service is None else service if service in services else UNKNOWN,
            "-" if client is None else client if client in clients else UNKNOWN,
        )

    def observe(self, service: str | None, client: str | None, status: int, seconds: float, fault: str | None) -> None:
        name, client = self._labels(service, client)
        series = self._series.get((name, client, status))
        if series is None:  # one dict lookup per exchange instead of prometheus_client's two locked ones
            series = (self.requests.labels(name, client, str(status)), self.duration.labels(name))
            self._series[(name, client, status)] = series
        series[0].inc()
        series[1].observe(seconds)
        if fault is not None:
            self.errors.labels(fault).inc()

    def render(self) -> bytes:
        data: bytes = generate_latest(self.registry)
        return data
