"""Time as an object, so timers (session and token expiry, injected latency, circuit breakers) are
tested without waiting: a :class:`ManualClock` moves, and releases its sleepers, only when told to.

A running hub keeps a :class:`PlatformClock`: real time that a trainer or a test can freeze, resume
and move forward (``GET/PUT /api/v1/clock``, ``POST /api/v1/clock/advance``, ``ngsp-sim clock``), so
that a day of dossier steps, token expiry or retention passes in a second. :func:`parse_duration`
reads the ``30s``, ``5m``, ``2h``, ``2d`` the command line and scenario steps take."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

__all__ = [
    "Clock",
    "ClockState",
    "ControllableClock",
    "ManualClock",
    "PlatformClock",
    "SystemClock",
    "parse_duration",
]


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch (wall clock, for timestamps)."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for durations and expiry)."""

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of this clock's time."""


@dataclass(frozen=True)
class ClockState:
    """What a controllable clock says of itself: its time, whether it stands still, and how far it is
    from real time (``offset``, seconds; positive when it was moved forward)."""

    now: float
    frozen: bool
    offset: float
    can_resume: bool = True


@runtime_checkable
class ControllableClock(Clock, Protocol):
    """A clock the platform's operator moves: the admin API's ``/api/v1/clock`` and the scenario step
    ``advance`` need one."""

    def state(self) -> ClockState: ...

    def set_frozen(self, frozen: bool) -> None:
        """Stop (True) or restart (False) the clock's own running; ``advance`` still moves it."""

    def advance(self, seconds: float) -> None:
        """Move forward ``seconds`` at once, waking every ``sleep`` due by then."""


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

    def state(self) -> ClockState:
        return ClockState(self._now, frozen=True, offset=0.0, can_resume=False)

    def set_frozen(self, frozen: bool) -> None:
        if not frozen:
            raise ValueError("a manual clock only moves when advanced: it cannot resume")

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock does not go back")
        self._now += seconds
        self._mono += seconds
        while self._sleepers and self._sleepers[0][0] <= self._mono:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)


class PlatformClock:
    """Real time (``base``, the system's by default) that can be frozen, resumed and moved forward.

    Its monotonic time is the base's plus an offset: ``advance`` adds to the offset; while frozen the
    clock reads the instant it froze (plus any advance), and resuming takes the frozen stretch off the
    offset, so the clock never goes back. ``now`` moves with ``monotonic``, so durations and
    timestamps agree. A ``sleep`` waits real time, and wakes early when an advance (or a resume) makes
    it due; a frozen clock's sleepers wait for an advance or a resume."""

    def __init__(self, base: Clock | None = None) -> None:
        self._base = base or SystemClock()
        self._offset = 0.0
        self._frozen_at: float | None = None  # the base's monotonic time when frozen
        self._changes: set[asyncio.Future[None]] = set()
        self.listeners: list[Callable[[], object]] = []
        """Called after each change made here (not after :meth:`adopt`): replicas share it."""

    def monotonic(self) -> float:
        base = self._base.monotonic() if self._frozen_at is None else self._frozen_at
        return base + self._offset

    def now(self) -> float:
        return self._base.now() + (self.monotonic() - self._base.monotonic())

    def state(self) -> ClockState:
        base = self._base.monotonic()
        offset = (base if self._frozen_at is None else self._frozen_at) + self._offset - base
        return ClockState(self._base.now() + offset, self._frozen_at is not None, offset)

    def set_frozen(self, frozen: bool) -> None:
        if frozen and self._frozen_at is None:
            self._frozen_at = self._base.monotonic()
        elif not frozen and self._frozen_at is not None:
            self._offset -= self._base.monotonic() - self._frozen_at
            self._frozen_at = None
        self._changed(announce=True)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock does not go back")
        self._offset += seconds
        self._changed(announce=True)

    def shared(self) -> tuple[float, float | None]:
        """(offset from real time, the time it froze at or None): the clock as another process, with
        its own monotonic clock, can take it up with :meth:`adopt`."""
        state = self.state()
        return state.offset, state.now if state.frozen else None

    def adopt(self, offset: float, frozen_at: float | None) -> None:
        """Take up a clock another replica changed (see :meth:`shared`), without going back: a replica
        behind by the milliseconds a stretch was measured differently keeps its own time."""
        before = self.monotonic()
        self._frozen_at = None if frozen_at is None else self._base.monotonic()
        self._offset = offset if frozen_at is None else frozen_at - self._base.now()
        self._offset += max(0.0, before - self.monotonic())
        self._changed(announce=False)

    def _changed(self, *, announce: bool) -> None:
        if announce:
            for listener in self.listeners:
                listener()
        for change in self._changes:
            if not change.done():
                change.set_result(None)
        self._changes.clear()

    async def sleep(self, seconds: float) -> None:
        due = self.monotonic() + seconds
        while (left := due - self.monotonic()) > 0:
            change: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._changes.add(change)
            try:
                await asyncio.wait_for(change, None if self._frozen_at is not None else left)
            except TimeoutError:
                pass
            finally:
                self._changes.discard(change)
        await asyncio.sleep(0)


_DURATION = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([smhd]?)\s*")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str | float) -> float:
    """Seconds from ``30s``, ``5m``, ``2h``, ``2d`` or a bare number of seconds."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return float(text)
    found = _DURATION.fullmatch(str(text))
    if found is None:
        raise ValueError(f"{text!r} is not a duration: use a number with s, m, h or d (30s, 5m, 2h, 2d)")
    return float(found[1]) * _UNITS[found[2]]
