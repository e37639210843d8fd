"""The routing table: for each registered service, its operation, adapter instance and transport.

Adapters are instantiated once per (provider subsystem, adapter name), so stateful protocols share
their session across the subsystem's services, as a real connector would.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import aiohttp
import orjson

from adapters.base import Adapter, Operation
from ngsp_sim.clock import Clock
from ngsp_sim.identifiers import ServiceId, SubsystemId
from ngsp_sim.registry import Registry, Service
from ngsp_sim.sim import Country, SimulatedAgency
from ngsp_sim.transport import HttpTransport, InProcessTransport, Transport

__all__ = ["ServiceRoute", "build_routes", "ensure_agencies"]


@dataclass(frozen=True, slots=True)
class ServiceRoute:
    service: Service
    operation: Operation
    adapter: Adapter
    transport: Transport


def ensure_agencies(
    registry: Registry,
    simulators: Mapping[str, type[SimulatedAgency]],
    agencies: dict[SubsystemId, SimulatedAgency],
    country: Country,
    clock: Clock,
) -> None:
    """Start a simulated agency for each subsystem that names a simulator and has none yet. Agencies
    outlive registry changes, so their state (synced dossiers, sessions) survives them."""
    for sub in registry.subsystems.values():
        if sub.simulator is not None and sub.id not in agencies:
            agencies[sub.id] = simulators[sub.simulator](country, clock)


def build_routes(
    registry: Registry,
    adapters: Mapping[str, type[Adapter]],
    agencies: Mapping[SubsystemId, SimulatedAgency],
    session: aiohttp.ClientSession,
    max_body_size: int,
    cache: dict[tuple[SubsystemId, str, str], Adapter] | None = None,
) -> dict[ServiceId, ServiceRoute]:
    """``cache`` keeps adapter instances (and so their sessions) across rebuilds of the table."""
    instances = cache if cache is not None else {}
    routes: dict[ServiceId, ServiceRoute] = {}
    for service in registry.services.values():
        provider = service.id.subsystem
        options = registry.subsystems[provider].adapter_options.get(service.adapter, {})
        key = (provider, service.adapter, orjson.dumps(options, option=orjson.OPT_SORT_KEYS).decode())
        if key not in instances:
            instances[key] = adapters[service.adapter](options)
        adapter = instances[key]
        transport: Transport
        if service.endpoint is not None:
            transport = HttpTransport(service.endpoint, session, max_body_size)
        else:
            transport = InProcessTransport(agencies[provider])
        routes[service.id] = ServiceRoute(service, adapter.operations[service.operation], adapter, transport)
    return routes
