"""The transport contract: one ``send`` every way of reaching a provider implements, and the exchange
context each call carries.

A transport takes the native request, the service's timeout and the :class:`ExchangeContext` of the
exchange it belongs to, and answers the provider's native response or raises one of the hub's errors
(``Timeout``, ``NetworkError``, ``ServiceFailed``). Decorators (retry, circuit breaker, injected faults)
wrap another transport and keep the same contract, so a route's transport is a stack read from the
outside in.

The context is passed explicitly rather than kept in a context variable: what a layer did to the
exchange (today: the injected faults that hit it) is written on the object the caller holds, so nested
exchanges (an agency calling the hub while it answers) cannot see each other's marks, and the reader of
the pipeline can follow where the marks come from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from adapters.base import NativeRequest, NativeResponse

__all__ = ["ExchangeContext", "NativeHandler", "Transport"]


@dataclass(slots=True)
class ExchangeContext:
    """One exchange's passage through the transport layers. ``injected`` names each fault that hit it
    (``kind:id``, once per hit: a retried call hit twice is named twice), for the message log."""

    injected: list[str] = field(default_factory=list)

    def inject(self, kind: str, fault_id: str) -> None:
        self.injected.append(f"{kind}:{fault_id}")

    @property
    def corrupts_reply(self) -> bool:
        """A ``schema_violation`` fault hit: the pipeline corrupts the adapter's reply."""
        return any(name.startswith("schema_violation:") for name in self.injected)


class Transport(Protocol):
    async def send(self, request: NativeRequest, timeout: float, exchange: ExchangeContext) -> NativeResponse: ...


class NativeHandler(Protocol):
    """Anything that answers a native request in-process: a simulated agency (``ngsp_sim.sim``), or a
    test's fake. Named here so that the transport layer does not depend on the agencies above it."""

    async def handle(self, request: NativeRequest) -> NativeResponse: ...
