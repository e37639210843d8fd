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
from ngsp_sim.registry.model import Agency, Registry, Service, Subsystem

__all__ = [
    "AccessRule",
    "Agency",
    "Registry",
    "Service",
    "Subsystem",
    "load_registry",
    "load_spec",
    "read_topology",
    "registry_from_spec",
    "registry_from_text",
    "spec_from_data",
]
