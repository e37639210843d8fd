"""The platform clock shared by replicas through the store: a change made on one hub (the admin API,
a scenario's ``advance`` step) is stored, and every hub on the store takes it up at start and on each
registry poll. Only a :class:`~ngsp_sim.clock.PlatformClock` is shared; a test's manual clock is the
test's own."""

from __future__ import annotations

import asyncio

import structlog

from ngsp_sim.clock import PlatformClock
from ngsp_sim.store import ClockStore

__all__ = ["ClockSync"]

log = structlog.get_logger("ngsp_sim.hub")


class ClockSync:
    def __init__(self, clock: PlatformClock, store: ClockStore) -> None:
        self.clock, self.store = clock, store
        self.version = 0
        self._writes: set[asyncio.Task[None]] = set()
        clock.listeners.append(self._changed)

    async def load(self) -> bool:
        """Take up the stored clock if another hub changed it since; True when it did."""
        shared = await self.store.get_clock()
        if shared is None or shared.version == self.version:
            return False
        frozen_at = None if shared.frozen_at_ms is None else shared.frozen_at_ms / 1000
        self.clock.adopt(shared.offset_ms / 1000, frozen_at)
        self.version = shared.version
        return True

    async def save(self) -> None:
        offset, frozen_at = self.clock.shared()
        self.version = await self.store.put_clock(
            round(offset * 1000), None if frozen_at is None else round(frozen_at * 1000)
        )

    def _changed(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # changed outside the hub's loop (a script's own clock): nothing to share from
            return
        task = loop.create_task(self._save_logged())
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def _save_logged(self) -> None:
        try:
            await self.save()
        except Exception as exc:  # the store is down: this hub keeps its clock; the others keep theirs
            log.warning("could not share the platform clock through the store", problem=str(exc))

    async def close(self) -> None:
        """Store the changes under way and stop listening (the hub stops)."""
        await self.settled()
        self.clock.listeners.remove(self._changed)

    async def settled(self) -> None:
        """Wait for the changes made so far to be stored (the admin API answers after this)."""
        if self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)
