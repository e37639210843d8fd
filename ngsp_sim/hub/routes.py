"""The routing table: for each registered service, its operation, adapter instance and transport.

Adapters are instantiated once per (provider subsystem, adapter name), so stateful protocols share
their session across the subsystem's services, as a real connector would.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import aiohttp

from adapters.base import Adapter, Operation
from ngsp_sim.clock import Clock
from ngsp_sim.identifiers import ServiceId, SubsystemId
from ngsp_sim.registry import Registry, Service
from ngsp_sim.sim import Country, SimulatedAgency
from ngsp_sim.transport import HttpTransport, InProcessTransport, Transport

__all__ = ["ServiceRoute", "build_agencies", "build_routes"]


@dataclass(frozen=True, slots=True)
class ServiceRoute:
    service: Service
    operation: Operation
    adapter: Adapter
    transport: Transport


def build_agencies(
    registry: Registry,
    simulators: Mapping[str, type[SimulatedAgency]],
    country: Country,
    clock: Clock,
) -> dict[SubsystemId, SimulatedAgency]:
    """One running simulated agency per subsystem that names a simulator."""
    return {
        sub.id: simulators[sub.simulator](country, clock)
        for sub in registry.subsystems.values()
        if sub.simulator is not None
    }


def build_routes(
    registry: Registry,
    adapters: Mapping[str, type[Adapter]],
    agencies: Mapping[SubsystemId, SimulatedAgency],
    session: aiohttp.ClientSession,
    max_body_size: int,
) -> dict[ServiceId, ServiceRoute]:
    instances: dict[tuple[SubsystemId, str], Adapter] = {}
    routes: dict[ServiceId, ServiceRoute] = {}
    for service in registry.services.values():
        provider = service.id.subsystem
        key = (provider, service.adapter)
        if key not in instances:
            options = registry.subsystems[provider].adapter_options.get(service.adapter, {})
            instances[key] = adapters[service.adapter](options)
        adapter = instances[key]
        transport: Transport
        if service.endpoint is not None:
            transport = HttpTransport(service.endpoint, session, max_body_size)
        else:
            transport = InProcessTransport(agencies[provider])
        routes[service.id] = ServiceRoute(service, adapter.operations[service.operation], adapter, transport)
    return routes
