"""What a simulated agency is given when it is made: its :class:`AgencyContext`.

An agency is complete once constructed. The hub builds one context for all its agencies (its own
caller, the exchange axis's publisher and mailboxes, the clock, the synthetic country) and gives each
agency a copy naming the subsystem it serves and its topology options; nothing is set on an agency
afterwards, so a registry change cannot leave one half-connected. Run on its own (``ngsp-sim agency
run``, a contract test) an agency gets a context without a hub, and answers as it does when
unconnected.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from ngsp_sim.clock import Clock
from ngsp_sim.exchange import Exchange
from ngsp_sim.sim.country import Country

__all__ = ["AgencyContext", "HubCaller", "Publisher"]

HubCaller = Callable[[str, str, dict[str, Any] | bytes], Awaitable[tuple[int, object]]]
"""``(client subsystem, service id, body) -> (status, answer)``: a POST through the hub. A dict body
goes as JSON; ``bytes`` go as XML (edXML). The answer is parsed JSON, or bytes when not JSON."""
Publisher = Callable[[str, str, dict[str, Any]], Awaitable[None]]
"""``(topic, event type, data)``: an event for the topic's subscribers (see :mod:`ngsp_sim.exchange`)."""


@dataclass(frozen=True, slots=True)
class AgencyContext:
    country: Country
    clock: Clock
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    """The subsystem's ``simulator_options`` from the topology (accounts, timings...)."""
    identity: str | None = None
    """The subsystem this agency serves (``VN/GOV/.../MOTCUA``), when it has to say who it is."""
    hub: HubCaller | None = None
    """For agencies that call other agencies through the hub (logged, access-checked, faulted)."""
    publish: Publisher | None = None
    """Announce an event to subscribers (e.g. a dossier's status change)."""
    exchange: Exchange | None = None
    """The exchange axis itself, for its native face (VDXP)."""

    def serving(self, identity: str, options: Mapping[str, Any]) -> AgencyContext:
        """This context for the agency of subsystem ``identity``, with its topology ``options``."""
        return replace(self, identity=identity, options=MappingProxyType(dict(options)))
