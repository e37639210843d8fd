"""Time as an object, so timers (session and token expiry, injected latency, circuit breakers) are
tested without waiting: a :class:`ManualClock` moves, and releases its sleepers, only when told to."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from typing import Protocol

__all__ = ["Clock", "ManualClock", "SystemClock"]


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch (wall clock, for timestamps)."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for durations and expiry)."""

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of this clock's time."""


class SystemClock:
    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class ManualClock:
    """A clock that moves only when told to: ``clock.advance(3601)`` expires an hour-long session and
    wakes every ``sleep`` that was due by then."""

    def __init__(self, start: float = 1_763_700_000.0) -> None:
        self._now = start
        self._mono = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._watchers: list[asyncio.Future[None]] = []

    def now(self) -> float:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    @property
    def sleepers(self) -> int:
        """How many ``sleep`` calls are waiting (tests wait for one to start before advancing)."""
        return self._waiting(None)

    def _waiting(self, due: float | None) -> int:
        return sum(1 for at, _, f in self._sleepers if not f.done() and (due is None or abs(at - due) < 1e-6))

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._mono + seconds, next(self._order), future))
        for watcher in self._watchers:
            if not watcher.done():
                watcher.set_result(None)
        self._watchers.clear()
        await future

    async def until_sleeping(self, count: int = 1, *, due_in: float | None = None) -> None:
        """Return once ``count`` sleeps are waiting: a test starts work, waits here, then advances.
        With ``due_in``, only sleeps due that many seconds from now count (a new sleep, told apart
        from one that a woken task is about to cancel)."""
        due = None if due_in is None else self._mono + due_in
        while self._waiting(due) < count:
            watcher: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._watchers.append(watcher)
            await watcher

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock does not go back")
        self._now += seconds
        self._mono += seconds
        while self._sleepers and self._sleepers[0][0] <= self._mono:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)
