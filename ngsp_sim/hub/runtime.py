"""Everything a running hub holds, in one object stored under the app's ``HUB`` key.

It is created when the app starts (the store must be opened first) and mutated in place afterwards:
the routing table is swapped whenever the registry changes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog

from ngsp_sim.clock import Clock
from ngsp_sim.config import HubConfig
from ngsp_sim.exchange import Exchange
from ngsp_sim.hub.pipeline import Pipeline
from ngsp_sim.hub.routes import RouteState
from ngsp_sim.identifiers import SubsystemId
from ngsp_sim.monitoring.feed import EventFeed
from ngsp_sim.monitoring.message_log import MessageLog
from ngsp_sim.registry.source import RegistrySource
from ngsp_sim.scenarios.runner import ScenarioRuns
from ngsp_sim.security import TokenService
from ngsp_sim.security.credentials import CredentialKeeper
from ngsp_sim.security.guard import FailedAuthGuard
from ngsp_sim.sim import SimulatedAgency
from ngsp_sim.store import Store

__all__ = ["HubRuntime"]

log = structlog.get_logger("ngsp_sim.hub")


@dataclass
class HubRuntime:
    config: HubConfig
    clock: Clock
    store: Store
    source: RegistrySource
    pipeline: Pipeline
    message_log: MessageLog | None
    admin_token: str
    tokens: TokenService
    credentials: CredentialKeeper
    guard: FailedAuthGuard
    agencies: dict[SubsystemId, SimulatedAgency] = field(default_factory=dict)
    routes: RouteState | None = None
    exchange: Exchange | None = None
    feed: EventFeed = field(default_factory=EventFeed)
    scenarios: ScenarioRuns | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def purge_expired(self) -> int:
        """Delete message-log records older than the retention period; returns how many."""
        days = self.config.message_log.retention_days
        if days <= 0:
            return 0
        cutoff = int((self.clock.now() - days * 86400) * 1000)
        purged = await self.store.purge_messages(cutoff)
        if purged:
            log.info("message log retention", purged=purged, older_than_days=days)
        return purged

    def every(self, seconds: float, job: Callable[[], Awaitable[object]], name: str) -> None:
        """Run ``job`` every ``seconds`` in the background until the hub stops; failures are logged."""

        async def loop() -> None:
            while True:
                await asyncio.sleep(seconds)
                try:
                    await job()
                except Exception:
                    log.exception("background job failed", job=name)

        self.tasks.append(asyncio.create_task(loop(), name=name))

    async def stop_tasks(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.tasks.clear()
