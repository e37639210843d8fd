"""Prometheus metrics of one hub, in its own registry (so several hubs in one process, as in tests,
do not collide). Queue depths and circuit states are read when the metrics are scraped."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

__all__ = ["HubMetrics"]

CIRCUIT_STATES = {"closed": 0, "half_open": 1, "open": 2}
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class _Live(Collector):
    def __init__(self, pending: Callable[[], int], circuits: Callable[[], Mapping[str, str]]) -> None:
        self.pending = pending
        self.circuits = circuits

    def collect(self) -> Iterable[GaugeMetricFamily]:
        queue = GaugeMetricFamily("ngsp_message_log_pending", "Exchanges waiting to be written to the message log")
        queue.add_metric([], self.pending())
        yield queue
        states = GaugeMetricFamily(
            "ngsp_circuit_state", "Circuit breaker per provider: 0 closed, 1 half-open, 2 open", labels=["provider"]
        )
        for provider, state in sorted(self.circuits().items()):
            states.add_metric([provider], CIRCUIT_STATES[state])
        yield states


class HubMetrics:
    def __init__(self, pending: Callable[[], int], circuits: Callable[[], Mapping[str, str]]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "ngsp_requests", "Exchanges through the hub", ["service", "client", "status"], registry=self.registry
        )
        self.duration = Histogram(
            "ngsp_request_duration_seconds", "Time from request in to response out", ["service"],
            buckets=_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.errors = Counter("ngsp_errors", "Errors the platform answered, by type", ["type"], registry=self.registry)
        self.registry.register(_Live(pending, circuits))

    def observe(self, service: str | None, client: str | None, status: int, seconds: float, fault: str | None) -> None:
        name = service or "-"
        self.requests.labels(name, client or "-", str(status)).inc()
        self.duration.labels(name).observe(seconds)
        if fault is not None:
            self.errors.labels(fault).inc()

    def render(self) -> bytes:
        data: bytes = generate_latest(self.registry)
        return data
