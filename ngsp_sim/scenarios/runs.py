"""The scenario runs of one hub: started, numbered and kept (the last few) here; each run plays in
:mod:`.runner`."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ngsp_sim.clock import Clock
from ngsp_sim.monitoring.feed import EventFeed
from ngsp_sim.scenarios.effects import Apply, TierOf, no_tier
from ngsp_sim.scenarios.explain import Names
from ngsp_sim.scenarios.model import Scenario
from ngsp_sim.scenarios.runner import STEP_TIMEOUT, Reset, ScenarioRun, Send, no_names
from schemas.scenarios import SessionInfo

__all__ = ["KEEP_RUNS", "ScenarioRuns"]

KEEP_RUNS = 20


class ScenarioRuns:
    """The scenario runs of one hub: numbered from 1 (the ``run`` variable), the last few kept."""

    def __init__(
        self,
        send: Send,
        apply: Apply,
        reset: Reset,
        feed: EventFeed,
        clock: Clock,
        step_timeout: float = STEP_TIMEOUT,
        names: Names = no_names,
        tier_of: TierOf = no_tier,
    ) -> None:
        self._send, self._apply, self._reset, self._feed, self._clock = send, apply, reset, feed, clock
        self.step_timeout = step_timeout
        self.names, self.tier_of = names, tier_of
        self.runs: dict[int, ScenarioRun] = {}
        self._count = 0
        self.session = SessionInfo(session=1, started_ms=int(clock.now() * 1000))
        """The training session: a reset (``POST /api/v1/reset``) starts the next one."""

    def new_session(self) -> SessionInfo:
        self.session = SessionInfo(session=self.session.session + 1, started_ms=int(self._clock.now() * 1000))
        return self.session

    def start(
        self,
        scenario: Scenario,
        *,
        step_mode: bool = False,
        overrides: Mapping[str, Any] | None = None,
        pace: float = 0.0,
    ) -> ScenarioRun:
        self._count += 1
        day = datetime.fromtimestamp(self._clock.now(), UTC)
        variables = {
            "run": f"{self._count % 10000:04d}",
            "today": f"{day:%Y%m%d}",
            "yymmdd": f"{day:%y%m%d}",
            **scenario.variables,
            **(overrides or {}),
        }
        run = ScenarioRun(
            self._count,
            scenario,
            step_mode,
            variables,
            self._send,
            self._apply,
            self._reset,
            self._feed,
            self._clock,
            self.step_timeout,
            pace,
            self.session.session,
            self.names,
            self.tier_of,
        )
        self.runs[run.id] = run
        for old in sorted(self.runs)[:-KEEP_RUNS]:
            if self.runs[old].ended_ms is not None:
                del self.runs[old]
        run.task = asyncio.create_task(run.execute(), name=f"scenario-{run.id}")
        return run

    async def stop_all(self) -> None:
        tasks = [r.task for r in self.runs.values() if r.task is not None and not r.task.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
