"""Fault injection: a transport decorator that makes a provider slow, wrong, unreachable or down, as
production providers are, reproducibly.

Each fault draws from its own ``random.Random(seed)``, so the same sequence of calls meets the same
faults in every run. Time (latency, outage windows) comes from the hub's clock. Every fault that hits
an exchange is named on the call's :class:`~ngsp_sim.transport.contract.ExchangeContext`, so the
message log marks it as injected rather than real.

Kinds: ``latency`` (fixed, uniform or log-normal delay, then the real call), ``error`` (an HTTP status
and native body instead of the call), ``timeout`` (no answer: the service's timeout fires), ``reset``
(connection reset), ``malformed`` (an answer outside the protocol), ``schema_violation`` (the real
answer, corrupted after the adapter by the pipeline's explicit step :func:`corrupt_reply`, so that the
response schema breaks), ``outage`` (refused, for the window ``start``-``end``), and the trust-plane
kinds ``globalconf``, ``ocsp``, ``timestamping``, ``certificate`` (:mod:`ngsp_sim.transport.trust`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import random
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from adapters.base import HubReply, NativeRequest, NativeResponse
from ngsp_sim.clock import Clock
from ngsp_sim.errors import NetworkError, Timeout
from ngsp_sim.identifiers import SubsystemId
from ngsp_sim.transport.contract import ExchangeContext, Transport
from ngsp_sim.transport.trust import TRUST_KINDS, trust_error
from schemas.base import INT64_MAX, INT64_MIN

__all__ = [
    "ActiveFault",
    "FaultKind",
    "FaultSpec",
    "FaultyTransport",
    "LatencySpec",
    "check_client",
    "corrupt",
    "corrupt_reply",
]

FaultKind = Literal[
    "latency",
    "error",
    "timeout",
    "reset",
    "malformed",
    "schema_violation",
    "outage",
    "globalconf",
    "ocsp",
    "timestamping",
    "certificate",
]

_FROZEN = ConfigDict(extra="forbid", frozen=True)
"""As every model of the topology file (:mod:`ngsp_sim.registry.spec`, which declares ``faults:`` with these)."""


def _lacking(distribution: str, *fields: str, default: bool = False) -> dict[str, Any]:
    """The latency specs of ``distribution`` that lack one of ``fields`` (absent or null)."""
    which: dict[str, Any] = {"properties": {"distribution": {"const": distribution}}}
    if not default:  # the default distribution may be left out
        which["required"] = ["distribution"]
    return {**which, "anyOf": [{"properties": {f: {"type": "null"}}} for f in fields]}


# What _complete checks, said as the published schema can (min_ms <= max_ms aside): "not one of the
# incomplete forms", a `not` that generators leave alone.
_LATENCY_FORMS: dict[str, Any] = {
    "not": {
        "anyOf": [
            _lacking("fixed", "ms", default=True),
            _lacking("uniform", "min_ms", "max_ms"),
            _lacking("lognormal", "median_ms"),
        ]
    }
}
_FAULT_RULES: dict[str, Any] = {  # what FaultSpec._complete checks across fields, said as `not`s generators leave alone
    "allOf": [
        {"not": {"required": ["kind"], "properties": {"kind": {"const": "latency"}, "latency": {"type": "null"}}}},
        {
            "not": {
                "required": ["kind", "acceptable_failure_seconds"],
                "properties": {
                    "kind": {"not": {"const": "timestamping"}},
                    "acceptable_failure_seconds": {"not": {"type": "null"}},
                },
            }
        },
    ]
}


class LatencySpec(BaseModel):
    model_config = ConfigDict(**_FROZEN, json_schema_extra=_LATENCY_FORMS)

    distribution: Literal["fixed", "uniform", "lognormal"] = "fixed"
    ms: float | None = Field(default=None, ge=0, le=600_000, description="fixed: the delay")
    min_ms: float | None = Field(default=None, ge=0, le=600_000, description="uniform: the lower bound")
    max_ms: float | None = Field(
        default=None, ge=0, le=600_000, description="uniform: the upper bound, not below min_ms"
    )
    median_ms: float | None = Field(default=None, gt=0, le=600_000, description="lognormal: the median")
    sigma: float = Field(default=0.5, gt=0, le=5, description="lognormal: the spread")

    @model_validator(mode="after")
    def _complete(self) -> LatencySpec:
        needed = {"fixed": ("ms",), "uniform": ("min_ms", "max_ms"), "lognormal": ("median_ms",)}[self.distribution]
        missing = [n for n in needed if getattr(self, n) is None]
        if missing:
            raise ValueError(f"a {self.distribution} latency needs {', '.join(missing)}")
        if self.distribution == "uniform" and (self.min_ms or 0) > (self.max_ms or 0):
            raise ValueError("min_ms is above max_ms")
        return self


class FaultSpec(BaseModel):
    """A fault injected in front of one service, or of every service of a provider subsystem."""

    model_config = ConfigDict(**_FROZEN, json_schema_extra=_FAULT_RULES)

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    target: str = Field(
        description="A service (…/SUBSYSTEM/SERVICE), a subsystem (…/SUBSYSTEM) or a member (INSTANCE/CLASS/CODE)"
    )
    kind: FaultKind
    rate: float = Field(default=1.0, ge=0, le=1, description="Share of calls it hits, drawn from the seed")
    seed: int = Field(default=0, ge=INT64_MIN, le=INT64_MAX, description="Seeds the fault's own draws")
    latency: LatencySpec | None = None
    status: int = Field(default=503, ge=400, le=599, description="error: the HTTP status answered")
    body: str | None = Field(default=None, max_length=65536, description="error: the native body answered")
    content_type: str = "application/json"
    certificate_status: Literal["expired", "revoked"] = Field(
        default="expired", description="certificate: whether the member's certificate expired or was revoked"
    )
    acceptable_failure_seconds: float | None = Field(
        default=None,
        gt=0,
        le=30 * 86400,
        description="timestamping: calls are still served (logged without a time-stamp) until the service has "
        "been down this long, as X-Road's acceptable-timestamp-failure-period (14400 by default there); "
        "omitted: refused at once, as when messages are time-stamped immediately",
    )
    start: float | None = Field(default=None, description="Active from (epoch seconds); omitted: now")
    end: float | None = Field(
        default=None, description="Active until (epoch seconds), after start; omitted: until removed"
    )

    @model_validator(mode="after")
    def _complete(self) -> FaultSpec:
        if self.kind == "latency" and self.latency is None:
            raise ValueError("a latency fault needs latency: {distribution, ...}")
        if self.acceptable_failure_seconds is not None and self.kind != "timestamping":
            raise ValueError("acceptable_failure_seconds is for a timestamping fault")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError("end is not after start")
        return self


class ActiveFault:
    """A fault with its random stream; kept across registry rebuilds while its spec is unchanged."""

    def __init__(self, spec: FaultSpec, since: float = 0.0) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)  # noqa: S311 - reproducible fault draws, not secrets
        self.hits = 0
        self.since = spec.start if spec.start is not None else since
        """When the fault began (its ``start``, else when it was injected), on the hub's clock."""

    def refuses(self, now: float) -> bool:
        """A trust fault that hits: does the security server refuse yet? Always, except a ``timestamping``
        fault still within its ``acceptable_failure_seconds``."""
        grace = self.spec.acceptable_failure_seconds if self.spec.kind == "timestamping" else None
        return grace is None or now - self.since >= grace

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


def check_client(faults: Sequence[ActiveFault], client: SubsystemId, now: float, exchange: ExchangeContext) -> None:
    """Raise the first trust-plane fault aimed at ``client`` (its subsystem or its member) that hits now:
    the client's own security server refuses (``Server.ClientProxy.*``)."""
    names = {str(client), str(client.member)}
    for fault in faults:
        spec = fault.spec
        if spec.kind in TRUST_KINDS and spec.target in names and fault.hits_now(now):
            exchange.inject(spec.kind, spec.id)
            if not fault.refuses(now):
                continue
            raise trust_error(spec.kind, spec.id, "client", now, spec.certificate_status)


class FaultyTransport:
    def __init__(self, inner: Transport, faults: Sequence[ActiveFault], clock: Clock) -> None:
        self.inner = inner
        self.faults = list(faults)
        self.clock = clock

    async def send(self, request: NativeRequest, timeout: float, exchange: ExchangeContext) -> NativeResponse:
        try:
            async with asyncio.timeout(timeout):
                return await self._send(request, timeout, exchange)
        except TimeoutError:
            raise Timeout(f"the provider did not answer within {timeout:g} s") from None

    async def _send(self, request: NativeRequest, timeout: float, exchange: ExchangeContext) -> NativeResponse:
        now = self.clock.now()
        for fault in self.faults:
            if not fault.hits_now(now):
                continue
            spec = fault.spec
            exchange.inject(spec.kind, spec.id)
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
            elif spec.kind in TRUST_KINDS and fault.refuses(now):
                raise trust_error(spec.kind, spec.id, "server", now, spec.certificate_status)
        return await self.inner.send(request, timeout, exchange)


def corrupt(data: Any) -> Any:
    """A copy of ``data`` whose first field has the wrong JSON type (for ``schema_violation``)."""
    if not isinstance(data, dict) or not data:
        return ["injected schema violation"]
    key = next(iter(data))
    value = data[key]
    return {**data, key: "injected" if isinstance(value, list) else ["injected"]}


def corrupt_reply(reply: HubReply, exchange: ExchangeContext) -> HubReply:
    """The pipeline's step after the adapter: when a ``schema_violation`` fault hit this exchange, the
    reply's data corrupted (:func:`corrupt`) so that response validation finds the violation; otherwise
    the reply unchanged."""
    if not exchange.corrupts_reply:
        return reply
    return dataclasses.replace(reply, data=corrupt(reply.data))
