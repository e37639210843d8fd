"""The routing table: for each registered service, its operation, adapter instance and transport.

Adapters are instantiated once per (provider subsystem, adapter name), so stateful protocols share
their session across the subsystem's services, as a real connector would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import aiohttp
import orjson

from adapters.base import Adapter, Operation
from adapters.contract import ContractAdapter
from ngsp_sim.clock import Clock
from ngsp_sim.identifiers import ServiceId, SubsystemId
from ngsp_sim.registry import Registry, Service, Upstream
from ngsp_sim.sim import AgencyContext, SimulatedAgency
from ngsp_sim.sim.contract import ContractProvider, ContractState
from ngsp_sim.transport import (
    TRUST_KINDS,
    ActiveFault,
    BreakerConfig,
    BreakerTransport,
    CircuitBreaker,
    FaultSpec,
    FaultyTransport,
    HttpTransport,
    InProcessTransport,
    RetryTransport,
    Transport,
)

__all__ = ["RouteState", "ServiceRoute", "build_routes", "ensure_agencies", "trust_faults"]


@dataclass(frozen=True, slots=True)
class ServiceRoute:
    service: Service
    operation: Operation
    adapter: Adapter
    transport: Transport
    upstream: SubsystemId | None = None
    """Set on an LGSP's national service: the LGSP's own client at the NGSP hub, which ``transport``
    reaches; the pipeline forwards the call as it is (:mod:`ngsp_sim.hub.upstream`) instead of adapting it."""


def ensure_agencies(
    registry: Registry,
    simulators: Mapping[str, type[SimulatedAgency]],
    agencies: dict[SubsystemId, SimulatedAgency],
    context: AgencyContext,
) -> None:
    """Start a simulated agency for each subsystem that names a simulator and has none yet, complete
    (``context`` for the subsystem it serves). Agencies outlive registry changes, so their state
    (synced dossiers, sessions) survives them."""
    for sub in registry.subsystems.values():
        if sub.simulator is not None and sub.id not in agencies:
            agencies[sub.id] = simulators[sub.simulator](context.serving(str(sub.id), sub.simulator_options))


@dataclass
class RouteState:
    """What outlives a rebuild of the routing table: adapter instances (their sessions), fault random
    streams (so a run replays identically), circuit breakers (their state)."""

    clock: Clock
    breaker_config: BreakerConfig = field(default_factory=BreakerConfig)
    adapters: dict[tuple[SubsystemId, str, str], Adapter] = field(default_factory=dict)
    faults: dict[str, ActiveFault] = field(default_factory=dict)
    breakers: dict[SubsystemId, CircuitBreaker] = field(default_factory=dict)
    contracts: dict[SubsystemId, ContractState] = field(default_factory=dict)
    """What each provider subsystem's stateful contract services created (in memory, per hub)."""
    on_change: Callable[[], object] | None = None
    """Called when a fault is injected or cleared, or a circuit changes state."""

    def fault(self, spec: FaultSpec) -> ActiveFault:
        key = spec.model_dump_json()
        if key not in self.faults:
            self.faults[key] = ActiveFault(spec, self.clock.now())
        return self.faults[key]

    def keep_faults(self, specs: Iterable[FaultSpec]) -> None:
        """Forget every fault but ``specs`` (the registry's): one cleared and injected again starts
        afresh, its hit counter at 0 and its random sequence from the start."""
        keep = {spec.model_dump_json() for spec in specs}
        if keep != set(self.faults):
            now = self.clock.now()
            self.faults = {
                key: self.faults.get(key) or ActiveFault(FaultSpec.model_validate_json(key), now) for key in keep
            }
            if self.on_change is not None:
                self.on_change()

    def breaker(self, provider: SubsystemId) -> CircuitBreaker:
        if provider not in self.breakers:
            self.breakers[provider] = CircuitBreaker(str(provider), self.breaker_config, self.clock, self.on_change)
        return self.breakers[provider]

    def reset_breaker(self, provider: str) -> CircuitBreaker | None:
        """Close the circuit of ``provider`` (a subsystem identifier); None when it is no provider here."""
        breaker = next((b for b in self.breakers.values() if b.name == provider), None)
        if breaker is not None:
            breaker.reset()
        return breaker


def trust_faults(registry: Registry, state: RouteState) -> list[ActiveFault]:
    """The registry's trust-plane faults, with the same random streams as their provider side."""
    return [state.fault(spec) for spec in registry.faults if spec.kind in TRUST_KINDS]


def build_routes(
    registry: Registry,
    adapters: Mapping[str, type[Adapter]],
    agencies: Mapping[SubsystemId, SimulatedAgency],
    session: aiohttp.ClientSession,
    max_body_size: int,
    state: RouteState,
    upstream: Upstream | None = None,
) -> dict[ServiceId, ServiceRoute]:
    """Transports are layered: retry (idempotent only) -> circuit breaker -> injected faults -> the
    provider (in-process agency, HTTP, or for an LGSP's national service the NGSP hub at ``upstream``)."""
    instances = state.adapters
    state.keep_faults(registry.faults)
    routes: dict[ServiceId, ServiceRoute] = {}
    for service in registry.services.values():
        provider = service.id.subsystem
        adapter: Adapter
        operation: Operation
        if service.contract is not None:
            adapter = ContractAdapter(service.contract)
            operation = adapter.operation
        else:
            options = registry.subsystems[provider].adapter_options.get(service.adapter, {})
            key = (provider, service.adapter, orjson.dumps(options, option=orjson.OPT_SORT_KEYS).decode())
            if key not in instances:
                instances[key] = adapters[service.adapter](options)
            adapter = instances[key]
            operation = adapter.operations[service.operation]
        transport: Transport
        if service.upstream:
            if upstream is None or upstream.url is None:
                raise ValueError(f"{service.id} is an upstream service, and no NGSP hub URL is known (--upstream)")
            transport = HttpTransport(upstream.url, session, max_body_size)
        elif service.endpoint is not None:
            transport = HttpTransport(service.endpoint, session, max_body_size)
        elif service.contract is not None:
            stored = state.contracts.setdefault(provider, ContractState()) if service.stateful else None
            transport = InProcessTransport(ContractProvider(service.contract, stored))
        else:
            transport = InProcessTransport(agencies[provider])
        faults = [state.fault(spec) for spec in registry.faults_for(service.id)]
        if faults:
            transport = FaultyTransport(transport, faults, state.clock)
        transport = RetryTransport(BreakerTransport(transport, state.breaker(provider)))
        caller = upstream.client if service.upstream and upstream is not None else None
        routes[service.id] = ServiceRoute(service, operation, adapter, transport, caller)
    return routes
