"""Fault injection: a transport wrapper that makes a provider slow, wrong, unreachable or down, as
production providers are, reproducibly.

Each fault draws from its own ``random.Random(seed)``, so the same sequence of calls meets the same
faults in every run. Time (latency, outage windows) comes from the hub's clock. Every fault that hits
an exchange is named in ``INJECTED`` (a context variable the pipeline reads), so the message log marks
it as injected rather than real.

Kinds: ``latency`` (fixed, uniform or log-normal delay, then the real call), ``error`` (an HTTP status
and native body instead of the call), ``timeout`` (no answer: the service's timeout fires), ``reset``
(connection reset), ``malformed`` (an answer outside the protocol), ``schema_violation`` (the real
answer, corrupted after the adapter so that the response schema breaks), ``outage`` (refused, for the
window ``start``-``end``).
"""

from __future__ import annotations

import asyncio
import contextvars
import math
import random
from collections.abc import Sequence
from typing import Any

from adapters.base import NativeRequest, NativeResponse
from ngsp_sim.clock import Clock
from ngsp_sim.errors import NetworkError, Timeout
from ngsp_sim.registry.spec import FaultSpec
from ngsp_sim.transport import Transport

__all__ = ["INJECTED", "ActiveFault", "FaultyTransport", "corrupt"]

INJECTED: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("ngsp_injected", default=None)


class ActiveFault:
    """A fault with its random stream; kept across registry rebuilds while its spec is unchanged."""

    def __init__(self, spec: FaultSpec) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.hits = 0

    def hits_now(self, now: float) -> bool:
        spec = self.spec
        if spec.start is not None and now < spec.start:
            return False
        if spec.end is not None and now >= spec.end:
            return False
        hit = spec.rate >= 1 or self.rng.random() < spec.rate
        self.hits += hit
        return hit

    def delay(self) -> float:
        """Seconds of injected latency, drawn from the fault's distribution."""
        lat = self.spec.latency
        if lat is None:
            return 0.0
        if lat.distribution == "fixed":
            ms = lat.ms or 0.0
        elif lat.distribution == "uniform":
            ms = self.rng.uniform(lat.min_ms or 0.0, lat.max_ms or 0.0)
        else:
            ms = self.rng.lognormvariate(math.log(lat.median_ms or 1.0), lat.sigma)
        return ms / 1000


def _mark(fault: ActiveFault) -> None:
    injected = INJECTED.get()
    if injected is not None:
        injected.append(f"{fault.spec.kind}:{fault.spec.id}")


class FaultyTransport:
    def __init__(self, inner: Transport, faults: Sequence[ActiveFault], clock: Clock) -> None:
        self.inner = inner
        self.faults = list(faults)
        self.clock = clock

    async def send(self, request: NativeRequest, timeout: float) -> NativeResponse:
        try:
            async with asyncio.timeout(timeout):
                return await self._send(request, timeout)
        except TimeoutError:
            raise Timeout(f"the provider did not answer within {timeout:g} s") from None

    async def _send(self, request: NativeRequest, timeout: float) -> NativeResponse:
        now = self.clock.now()
        for fault in self.faults:
            if not fault.hits_now(now):
                continue
            _mark(fault)
            spec = fault.spec
            if spec.kind == "latency":
                await self.clock.sleep(fault.delay())
            elif spec.kind == "error":
                body = (spec.body or '{"error": "injected fault"}').encode()
                return NativeResponse(spec.status, {"Content-Type": spec.content_type}, body)
            elif spec.kind == "timeout":
                await asyncio.get_running_loop().create_future()  # never answers
            elif spec.kind == "reset":
                raise NetworkError(f"connection reset by peer (injected fault {spec.id})")
            elif spec.kind == "malformed":
                return NativeResponse(200, {"Content-Type": "text/plain"}, b"\x00<<malformed answer (injected)>>")
            elif spec.kind == "outage":
                raise NetworkError(f"connection refused: the provider is down (injected outage {spec.id})")
        return await self.inner.send(request, timeout)


def corrupt(data: Any) -> Any:
    """A copy of ``data`` whose first field has the wrong JSON type (for ``schema_violation``)."""
    if not isinstance(data, dict) or not data:
        return ["injected schema violation"]
    key = next(iter(data))
    value = data[key]
    return {**data, key: "injected" if isinstance(value, list) else ["injected"]}
