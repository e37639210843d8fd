"""How the hub reaches a provider: one small contract and the ways of keeping it.

A route's transport is a stack of decorators around the provider's own transport, each keeping the
contract of :mod:`~ngsp_sim.transport.contract` (``send(request, timeout, exchange)``)::

    RetryTransport             one retry after a failed connection, idempotent methods only (resilience.py)
      BreakerTransport         one circuit breaker per provider subsystem (resilience.py)
        FaultyTransport        the injected faults aimed at the service or its provider, if any (faults.py;
                               trust-plane faults: trust.py, which the pipeline also checks on the client)
          InProcessTransport   a simulated agency's handler (inprocess.py)
          | HttpTransport      the service's URL, the path as the access check judged it (http.py)

:class:`WebhookSender` (webhook.py) is how the hub reaches a subscriber of the exchange axis.
What a layer did to an exchange is written on its :class:`ExchangeContext`, passed with every call.

This package sits below the hub, the registry and the simulated agencies: it imports adapters,
schemas, the error tree, identifiers, the clock and the store's records, never ``sim``, ``hub`` or
``registry`` (a simulated agency is reached through the :class:`NativeHandler` protocol).
"""

from __future__ import annotations

from ngsp_sim.transport.contract import ExchangeContext, NativeHandler, Transport
from ngsp_sim.transport.faults import (
    ActiveFault,
    FaultSpec,
    FaultyTransport,
    LatencySpec,
    check_client,
    corrupt_reply,
)
from ngsp_sim.transport.http import HttpTransport, escaped, wire_path
from ngsp_sim.transport.inprocess import InProcessTransport
from ngsp_sim.transport.resilience import BreakerConfig, BreakerTransport, CircuitBreaker, RetryTransport
from ngsp_sim.transport.trust import TRUST_KINDS
from ngsp_sim.transport.webhook import SIM_SCHEME, WebhookSender

__all__ = [
    "SIM_SCHEME",
    "TRUST_KINDS",
    "ActiveFault",
    "BreakerConfig",
    "BreakerTransport",
    "CircuitBreaker",
    "ExchangeContext",
    "FaultSpec",
    "FaultyTransport",
    "HttpTransport",
    "InProcessTransport",
    "LatencySpec",
    "NativeHandler",
    "RetryTransport",
    "Transport",
    "WebhookSender",
    "check_client",
    "corrupt_reply",
    "escaped",
    "wire_path",
]
