"""The pace of a scenario run, so that a room can follow it: ``pace`` seconds of the hub's clock
between steps, a pause, and a faster or slower pace changed while the run goes on.

The pace belongs to the run, not to a screen: every dashboard following the run, and the command
line, see the same story at the same speed. A run paused for longer than its idle timeout ends
``abandoned``, as a step-mode run nobody advances does.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ngsp_sim.clock import Clock

__all__ = ["MAX_PACE", "Pacer", "first_of"]

MAX_PACE = 60.0
"""Seconds per step at most."""


class Pacer:
    def __init__(self, clock: Clock, pace: float, idle_timeout: float) -> None:
        self.clock = clock
        self.pace = pace
        self.paused = False
        self.idle_timeout = idle_timeout
        self._paused_at = 0.0
        self._changed = asyncio.Event()

    def pause(self) -> None:
        if not self.paused:
            self.paused, self._paused_at = True, self.clock.monotonic()
            self._changed.set()

    def resume(self) -> None:
        if self.paused:
            self.paused = False
            self._changed.set()

    def set_pace(self, pace: float) -> None:
        """A new pace, counted from the start of the wait under way (a shorter one may end it now)."""
        self.pace = pace
        self._changed.set()

    async def before_step(self, index: int) -> bool:
        """Wait before step ``index``: ``pace`` seconds (none before the first step), then for as long as
        the run is paused. False when it stayed paused for longer than the idle timeout."""
        if not self.paused and (index == 0 or self.pace <= 0):
            return True  # an immediate run never yields here: as fast as before pacing existed
        started = self.clock.monotonic()
        while True:
            now = self.clock.monotonic()
            if self.paused:
                left = self.idle_timeout - (now - self._paused_at)
                if left <= 0:
                    return False
            else:
                left = (self.pace if index else 0) - (now - started)
                if left <= 0:
                    return True
            was_paused = self.paused
            if await self._changes_within(left) and was_paused and not self.paused:
                started = self.clock.monotonic()  # resumed: the pace counts again from here

    async def _changes_within(self, seconds: float) -> bool:
        """Sleep ``seconds`` of the clock; True when a change (pause, resume, pace) came first."""
        self._changed.clear()
        await first_of(asyncio.ensure_future(self.clock.sleep(seconds)), asyncio.ensure_future(self._changed.wait()))
        return self._changed.is_set()


async def first_of(*waits: asyncio.Future[Any]) -> None:
    """Wait until one of ``waits`` is done, then cancel them all."""
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()
