"""Everything a running hub holds, in one object stored under the app's :data:`HUB` key.

It is built complete, in one place (:func:`ngsp_sim.hub.app.assemble`, once the store is open and the
registry read): no field is filled in later, so a handler that reads ``request.app[HUB]`` is typed and
never meets a half-built hub. Afterwards only the pipeline's routing table is swapped, whenever the
registry changes. The key lives here, beside the type, so that the data plane and the admin API
import it from below instead of from the composition root.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog
from aiohttp import web

from ngsp_sim.clock import Clock
from ngsp_sim.config import HubConfig
from ngsp_sim.exchange import Exchange
from ngsp_sim.hub.clocksync import ClockSync
from ngsp_sim.hub.pipeline import Pipeline
from ngsp_sim.hub.routes import RouteState
from ngsp_sim.identifiers import SubsystemId
from ngsp_sim.monitoring.feed import EventFeed
from ngsp_sim.monitoring.message_log import MessageLog
from ngsp_sim.registry.changes import ChangeError
from ngsp_sim.registry.source import RegistrySource
from ngsp_sim.scenarios.runs import ScenarioRuns
from ngsp_sim.security import TokenService
from ngsp_sim.security.credentials import CredentialKeeper
from ngsp_sim.security.guard import FailedAuthGuard
from ngsp_sim.sim import SimulatedAgency
from ngsp_sim.store import Store
from schemas.scenarios import SessionInfo

__all__ = ["HUB", "HubRuntime"]

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
    agencies: dict[SubsystemId, SimulatedAgency]
    routes: RouteState
    exchange: Exchange
    feed: EventFeed
    scenarios: ScenarioRuns
    clock_sync: ClockSync | None = None
    """Shares a :class:`~ngsp_sim.clock.PlatformClock` with the replicas on the store (set at start)."""
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    started_ms: int = 0
    """When the hub was assembled, on its clock (PR-OPMON's ``monitoringStartupTimestamp``)."""
    """The background jobs started by :meth:`every`; cancelled by :meth:`stop_tasks`."""

    async def reset(self) -> SessionInfo:
        """Start a new training session: running scenario runs stopped, every fault cleared, every circuit
        closed, throttling counters emptied. The message log stays (it is evidence). Announced on the
        feed as ``reset``."""
        await self.scenarios.stop_all()  # each clears the faults it injected
        for spec in list(self.pipeline.table.registry.faults):
            with contextlib.suppress(ChangeError):
                await self.source.apply("delete_fault", {"id": spec.id}, "reset")
        for breaker in self.routes.breakers.values():
            breaker.reset()
        if self.pipeline.throttler is not None:
            self.pipeline.throttler.reset()
        session = self.scenarios.new_session()
        self.feed.publish("reset", session.model_dump())
        log.info("training session reset", session=session.session)
        return session

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


HUB = web.AppKey("hub", HubRuntime)
"""The running hub in its aiohttp application: ``request.app[HUB]`` (typed)."""
