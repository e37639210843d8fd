"""Topology and registry: agencies, subsystems, services, clients and access rights."""

from ngsp_sim.registry.access import AccessRule
from ngsp_sim.registry.loader import (
    load_registry,
    load_spec,
    read_topology,
    registry_from_spec,
    registry_from_text,
    spec_from_data,
)
from ngsp_sim.registry.model import Agency, Registry, Service, Subsystem, Upstream
from ngsp_sim.registry.nearest import (
    access_denied,
    require_client,
    require_parties,
    unknown_gateway_address,
    unknown_service,
)

__all__ = [
    "AccessRule",
    "Agency",
    "Registry",
    "Service",
    "Subsystem",
    "Upstream",
    "access_denied",
    "load_registry",
    "load_spec",
    "read_topology",
    "registry_from_spec",
    "registry_from_text",
    "require_client",
    "require_parties",
    "spec_from_data",
    "unknown_gateway_address",
    "unknown_service",
]
