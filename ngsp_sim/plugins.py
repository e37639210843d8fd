"""Third-party adapters and simulated agencies, discovered through the entry-point group
``ngsp_sim.adapters``.

A distribution declares, in its ``pyproject.toml``::

    [project.entry-points."ngsp_sim.adapters"]
    land = "ngsp_land.adapter:LandAdapter"          # an Adapter subclass: topology ``adapter: land``
    land_registry = "ngsp_land.agency:LandAgency"   # a SimulatedAgency subclass: ``simulator: land``

Each entry point names one class. An adapter is known by its ``name``, a simulated agency by its
``kind``; neither may take a built-in's name or another plugin's. ``ngsp-sim adapter new NAME``
scaffolds such a distribution with its contract tests.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from types import MappingProxyType

import adapters as builtin_adapters
from adapters.base import Adapter
from ngsp_sim import sim
from ngsp_sim.errors import PluginError
from ngsp_sim.sim import SimulatedAgency

__all__ = ["GROUP", "Plugins", "discover", "installed"]

GROUP = "ngsp_sim.adapters"


@dataclass(frozen=True, slots=True)
class Plugins:
    """The adapters and simulated agencies a hub can use: the built-in ones plus the installed ones."""

    adapters: Mapping[str, type[Adapter]]
    simulators: Mapping[str, type[SimulatedAgency]]
    sources: Mapping[str, str]
    """Name -> where it came from (``built-in`` or ``DISTRIBUTION (entry point VALUE)``)."""


def _origin(point: EntryPoint) -> str:
    dist = point.dist.name if point.dist is not None else "?"
    return f"{dist} (entry point {point.name} = {point.value})"


def discover(points: Iterable[EntryPoint] | None = None) -> Plugins:
    """Load every entry point of :data:`GROUP` (or ``points``). Raises :class:`PluginError` naming the
    entry point for anything that cannot be used, rather than skipping it silently."""
    found_adapters: dict[str, type[Adapter]] = dict(builtin_adapters.BUILTIN)
    found_sims: dict[str, type[SimulatedAgency]] = dict(sim.BUILTIN)
    sources = {f"adapter {n}": "built-in" for n in found_adapters} | {f"simulator {n}": "built-in" for n in found_sims}
    for point in entry_points(group=GROUP) if points is None else points:
        origin = _origin(point)
        try:
            loaded = point.load()
        except Exception as exc:  # an import error of any kind: name the plugin, keep the cause
            raise PluginError(f"{origin} does not load: {type(exc).__name__}: {exc}") from exc
        if isinstance(loaded, type) and issubclass(loaded, Adapter):
            key, table = f"adapter {loaded.name}", found_adapters
        elif isinstance(loaded, type) and issubclass(loaded, SimulatedAgency):
            key, table = f"simulator {loaded.kind}", found_sims  # type: ignore[assignment]
        else:
            raise PluginError(f"{origin} is {loaded!r}: expected an Adapter or SimulatedAgency subclass")
        if key in sources:
            raise PluginError(f"{origin}: {key} is already provided by {sources[key]}")
        table[key.split(" ", 1)[1]] = loaded
        sources[key] = origin
    return Plugins(MappingProxyType(found_adapters), MappingProxyType(found_sims), MappingProxyType(sources))


@functools.cache
def installed() -> Plugins:
    """:func:`discover` over the installed distributions, once per process."""
    return discover()
