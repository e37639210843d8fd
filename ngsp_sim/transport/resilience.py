"""Resilience between the hub and its providers: a circuit breaker per provider, and retries only for
idempotent calls.

The breaker counts the provider's failures (no connection, no answer in time, a 5xx) over a sliding
window. When at least ``min_calls`` calls saw ``failure_ratio`` or more failures it *opens*: calls fail
at once with ``ServiceFailed.CircuitOpen`` instead of piling up on a dead provider. After
``open_seconds`` (on the hub's clock) it lets one probe through (*half-open*): success closes it,
failure opens it again.

Both are decorators of the transport contract (:mod:`ngsp_sim.transport.contract`): a route's
transport is ``RetryTransport(BreakerTransport(...))`` around the provider's own.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from adapters.base import NativeRequest, NativeResponse
from ngsp_sim.clock import Clock
from ngsp_sim.errors import CircuitOpen, NetworkError, ServiceFailed
from ngsp_sim.transport.contract import ExchangeContext, Transport

__all__ = ["BreakerConfig", "BreakerTransport", "CircuitBreaker", "RetryTransport"]

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True, slots=True)
class BreakerConfig:
    failure_ratio: float = 0.5
    min_calls: int = 5
    window_seconds: float = 30.0
    open_seconds: float = 15.0


class CircuitBreaker:
    def __init__(
        self, name: str, config: BreakerConfig, clock: Clock, on_change: Callable[[], object] | None = None
    ) -> None:
        self.name = name
        self.config = config
        self.clock = clock
        self.on_change = on_change
        """Called whenever the circuit opens, half-opens or closes (the dashboard's ``faults`` event)."""
        self._state = "closed"
        self.opened_at = 0.0
        self.probing = False
        self._calls: deque[tuple[float, bool]] = deque()
        self._failures = 0  # failures in the window, kept in step with _calls (O(1) per call)

    @property
    def state(self) -> str:
        return self._state

    @state.setter
    def state(self, value: str) -> None:
        changed, self._state = value != self._state, value
        if changed and self.on_change is not None:
            self.on_change()

    @property
    def failures(self) -> int:
        return self._failures

    @property
    def calls(self) -> int:
        return len(self._calls)

    def before(self) -> None:
        now = self.clock.monotonic()
        if self.state == "open" and now - self.opened_at >= self.config.open_seconds:
            self.state, self.probing = "half_open", False
        if self.state == "open" or (self.state == "half_open" and self.probing):
            wait = max(0.0, self.config.open_seconds - (now - self.opened_at))
            raise CircuitOpen(
                f"the circuit to {self.name} is open after repeated failures; calls fail fast",
                detail=f"next probe in {wait:.0f} s" if self.state == "open" else "a probe is under way",
            )
        if self.state == "half_open":
            self.probing = True

    def record(self, ok: bool) -> None:
        now = self.clock.monotonic()
        if self.state == "half_open":
            self.state, self.probing = ("closed", False) if ok else ("open", False)
            self.opened_at = now
            self._forget()
            return
        self._calls.append((now, ok))
        self._failures += not ok
        while self._calls and now - self._calls[0][0] > self.config.window_seconds:
            self._failures -= not self._calls.popleft()[1]
        if len(self._calls) >= self.config.min_calls and self._failures / len(self._calls) >= self.config.failure_ratio:
            self.state, self.opened_at = "open", now
            self._forget()

    def reset(self) -> None:
        """Close the circuit and forget the window: an operator's "the provider is repaired"."""
        self.state, self.probing, self.opened_at = "closed", False, 0.0
        self._forget()

    def _forget(self) -> None:
        self._calls.clear()
        self._failures = 0


class BreakerTransport:
    def __init__(self, inner: Transport, breaker: CircuitBreaker) -> None:
        self.inner = inner
        self.breaker = breaker

    async def send(self, request: NativeRequest, timeout: float, exchange: ExchangeContext) -> NativeResponse:
        self.breaker.before()
        try:
            response = await self.inner.send(request, timeout, exchange)
        except ServiceFailed:
            self.breaker.record(False)
            raise
        except BaseException:
            self.breaker.record(True)  # not the provider's fault (e.g. the caller went away)
            raise
        self.breaker.record(response.status < 500)
        return response


class RetryTransport:
    """Retries a call once when no connection could be made, and only for idempotent methods."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner

    async def send(self, request: NativeRequest, timeout: float, exchange: ExchangeContext) -> NativeResponse:
        try:
            return await self.inner.send(request, timeout, exchange)
        except NetworkError:
            if request.method not in IDEMPOTENT:
                raise
            return await self.inner.send(request, timeout, exchange)
