"""The message log writer: exchanges are queued in memory and written to the store in batches by a
background task, so logging never waits on the database in the request path.

Durability: an entry is written within ``flush_interval`` seconds (default 0.2) of its exchange, or as
soon as ``batch_size`` entries are waiting. A crash of the hub loses at most the entries of that last
interval. If the store is unreachable, entries wait (up to ``max_pending``; beyond that the oldest
are dropped and counted in ``dropped``, and a warning is logged) and are retried at the next interval.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from dataclasses import dataclass

import structlog

from ngsp_sim.store import MessageEntry, Store

__all__ = ["DEFAULT_BODY_LIMIT", "MessageLog", "MessageLogConfig", "capture"]

DEFAULT_BODY_LIMIT = 64 * 1024

log = structlog.get_logger("ngsp_sim.message_log")


@dataclass(frozen=True, slots=True)
class MessageLogConfig:
    """``body_limit`` caps each stored body (the record says when one was truncated);
    ``retention_days`` ``0`` keeps records forever."""

    enabled: bool = True
    flush_interval: float = 0.2
    batch_size: int = 500
    max_pending: int = 100_000
    body_limit: int = DEFAULT_BODY_LIMIT
    retention_days: float = 30.0
    retention_interval: float = 3600.0


def capture(body: bytes | None, limit: int) -> tuple[bytes | None, bool]:
    """(the body as stored, whether it was cut)."""
    if body is None or len(body) <= limit:
        return body, False
    return body[:limit], True


class MessageLog:
    def __init__(self, store: Store, config: MessageLogConfig) -> None:
        self.store = store
        self.config = config
        self.dropped = 0
        self.written = 0
        self._pending: deque[MessageEntry] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._flush_lock = asyncio.Lock()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def submit(self, entry: MessageEntry) -> None:
        """Queue one exchange; never blocks, never raises."""
        if len(self._pending) >= self.config.max_pending:
            self._pending.popleft()
            self.dropped += 1
            if self.dropped in (1, 10, 100) or self.dropped % 1000 == 0:
                log.warning("message log queue full; dropping oldest entries", dropped=self.dropped)
        self._pending.append(entry)
        if len(self._pending) >= self.config.batch_size:
            self._wake.set()

    async def flush(self) -> None:
        """Write everything queued so far (tests and shutdown call this directly)."""
        async with self._flush_lock:
            while self._pending:
                batch = [self._pending.popleft() for _ in range(min(self.config.batch_size, len(self._pending)))]
                try:
                    await self.store.append_messages(batch)
                except Exception:
                    self._pending.extendleft(reversed(batch))
                    raise
                self.written += len(batch)

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.config.flush_interval)
            self._wake.clear()
            try:
                await self.flush()
            except Exception:
                log.exception("message log write failed; will retry", pending=len(self._pending))

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="message-log-writer")

    async def stop(self) -> None:
        if self._task is not None:
            # Never cancel the writer in the middle of a write: a cancelled BEGIN can leave the store's
            # connection inside a transaction, and the last entries would then be lost.
            async with self._flush_lock:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
            self._task = None
        try:
            await self.flush()
        except Exception:
            log.exception("message log could not write its last entries", lost=len(self._pending))
