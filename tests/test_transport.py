"""The transport package on its own: the decorators keep the one contract, and what they do to an
exchange is written on the :class:`ExchangeContext` passed with the call, never on shared state."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.base import HubReply, NativeRequest, NativeResponse
from ngsp_sim.clock import ManualClock
from ngsp_sim.errors import NetworkError
from ngsp_sim.transport import (
    ActiveFault,
    BreakerTransport,
    CircuitBreaker,
    ExchangeContext,
    FaultSpec,
    FaultyTransport,
    InProcessTransport,
    RetryTransport,
    Transport,
    corrupt_reply,
)
from ngsp_sim.transport.resilience import BreakerConfig

TARGET = "VN/GOV/000.00.00.G01/CSDLQGDC"
GET = NativeRequest("GET", "/lookup")


class Counter:
    """A provider handled in-process that answers ``{"HoTen": [...]}`` and counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    async def handle(self, request: NativeRequest) -> NativeResponse:
        self.calls += 1
        return NativeResponse(200, {"Content-Type": "application/json"}, b'{"HoTen": ["An"]}')


def faulty(provider: Counter, **fault: Any) -> Transport:
    spec = FaultSpec(id=fault.pop("id", "f"), target=TARGET, **fault)
    return FaultyTransport(InProcessTransport(provider), [ActiveFault(spec)], ManualClock())


async def test_a_fault_is_named_on_the_context_of_the_call_it_hit() -> None:
    provider = Counter()
    transport = faulty(provider, id="maint", kind="error", status=502)
    hit, other = ExchangeContext(), ExchangeContext()
    answer = await transport.send(GET, 5, hit)
    assert (answer.status, provider.calls) == (502, 0)
    assert hit.injected == ["error:maint"] and other.injected == []
    clean = ExchangeContext()
    assert (await InProcessTransport(provider).send(GET, 5, clean)).status == 200
    assert clean.injected == [] and provider.calls == 1


async def test_a_retried_call_is_named_once_per_hit() -> None:
    """The retry decorator passes the same context to both attempts: the log shows both resets."""
    provider = Counter()
    breaker = CircuitBreaker(TARGET, BreakerConfig(min_calls=1000), ManualClock())
    transport = RetryTransport(BreakerTransport(faulty(provider, id="r", kind="reset"), breaker))
    exchange = ExchangeContext()
    with pytest.raises(NetworkError):
        await transport.send(GET, 5, exchange)
    assert exchange.injected == ["reset:r", "reset:r"] and provider.calls == 0
    assert (breaker.calls, breaker.failures) == (2, 2)


async def test_a_schema_violation_passes_the_real_answer_and_marks_the_context() -> None:
    provider = Counter()
    exchange = ExchangeContext()
    answer = await faulty(provider, id="sv", kind="schema_violation").send(GET, 5, exchange)
    assert (answer.status, answer.body, provider.calls) == (200, b'{"HoTen": ["An"]}', 1)
    assert exchange.injected == ["schema_violation:sv"] and exchange.corrupts_reply


def test_reply_corruption_is_a_step_of_its_own_that_only_a_schema_violation_takes() -> None:
    reply = HubReply(200, {"HoTen": ["An"], "NgaySinh": "19900515"})
    exchange = ExchangeContext()
    assert corrupt_reply(reply, exchange) is reply
    exchange.inject("latency", "slow")
    assert corrupt_reply(reply, exchange) is reply
    exchange.inject("schema_violation", "sv")
    corrupted = corrupt_reply(reply, exchange)
    assert corrupted.data == {"HoTen": "injected", "NgaySinh": "19900515"}
    assert reply.data["HoTen"] == ["An"]  # the adapter's reply itself is left as it was
    assert corrupt_reply(HubReply(200, None), exchange).data == ["injected schema violation"]
