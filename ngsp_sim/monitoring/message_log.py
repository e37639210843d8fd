"""The message log writer: exchanges are queued in memory and written to the store in batches by a
background task, one transaction per batch.

The rule is that the log keeps up or the hub slows down; it never drops an exchange silently:

- **Backpressure.** :meth:`MessageLog.put` queues an exchange and, when more than ``high_water``
  entries wait, holds the exchange's response until the writer is back under the mark (at most
  ``max_wait`` seconds). Under sustained load the hub therefore answers at the rate the log is written.
- **Refusal.** When ``max_pending`` entries (or ``max_pending_bytes`` of bodies) wait, because the
  store is down or far too slow, :meth:`MessageLog.admit` refuses new exchanges before they reach a
  provider (``Server.ServerProxy.LoggingFailed``), as an X-Road security server refuses messages it
  cannot log. Memory stays bounded: the queue holds at most ``max_pending`` plus the exchanges in flight.
- **One bad record never blocks the writer.** A batch the store refuses for a reason of its data (it
  raises ``ValueError`` or ``TypeError``) is split in halves until the refused record is alone; that record is stored
  escaped (:mod:`ngsp_sim.monitoring.storable`). A record refused even escaped is the one thing that
  can still be dropped: it is counted in ``dropped`` and logged as an error with its message id.
- **A store that is down** (any other exception) keeps the batch at the head of the queue, in order,
  and is retried with a doubling delay (up to ``max_retry_delay``); the first failure is logged with
  its traceback, later ones briefly, and the recovery too.

Durability: an entry is written within ``flush_interval`` seconds (default 0.2) of its exchange, or as
soon as ``batch_size`` entries are waiting (a backlog in transactions of up to ``backlog_batch``). A
crash of the hub loses at most the entries of that last interval; entries still queued at shutdown
when the store is unreachable are counted in ``dropped``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

import structlog

from ngsp_sim.errors import LoggingFailed
from ngsp_sim.monitoring.storable import escape_text, storable
from ngsp_sim.store import MessageEntry, Store
from ngsp_sim.store.base import BODY_NAMES

__all__ = ["DEFAULT_BODY_LIMIT", "MessageLog", "MessageLogConfig", "capture"]

DEFAULT_BODY_LIMIT = 10 * 1024 * 1024
"""X-Road's default ``max-loggable-message-body-size`` (10 MiB)."""

log = structlog.get_logger("ngsp_sim.message_log")


@dataclass(frozen=True, slots=True)
class MessageLogConfig:
    """``body_limit`` is the maximum loggable body size; a larger body makes the exchange fail with
    ``Server.ServerProxy.LoggingFailed`` as X-Road does (``oversize`` ``refuse``, X-Road's
    ``truncated-body-allowed=false``), or is cut to it (``truncate``; the record says it was truncated);
    ``retention_days`` ``0`` keeps records forever. ``high_water``, ``max_wait``, ``max_pending``
    and ``max_pending_bytes`` bound the queue (see the module's docstring); ``/readyz`` says not
    ready while more than ``ready_backlog`` entries wait or the last write failed. The writer wakes
    when ``batch_size`` entries wait and writes up to ``backlog_batch`` in one transaction, so a
    backlog is caught up in fewer, larger transactions (each has a fixed cost: the chain state's
    read, signature and write)."""

    enabled: bool = True
    flush_interval: float = 0.2
    batch_size: int = 500
    backlog_batch: int = 2_000
    high_water: int = 5_000
    max_wait: float = 10.0
    max_pending: int = 20_000
    max_pending_bytes: int = 64 * 1024 * 1024
    ready_backlog: int = 10_000
    max_retry_delay: float = 5.0
    body_limit: int = DEFAULT_BODY_LIMIT
    oversize: Literal["refuse", "truncate"] = "refuse"
    retention_days: float = 30.0
    retention_interval: float = 3600.0

    def __post_init__(self) -> None:
        if not 0 < self.high_water <= self.max_pending:
            raise ValueError("the message log's high_water must be positive and at most max_pending")
        if not 0 < self.batch_size <= self.backlog_batch:
            raise ValueError("the message log's batch_size must be positive and at most backlog_batch")


def capture(body: bytes | None, limit: int) -> tuple[bytes | None, bool]:
    """(the body as stored, whether it was cut)."""
    if body is None or len(body) <= limit:
        return body, False
    return body[:limit], True


REFUSED = (ValueError, TypeError)
"""What a store raises when the data of an entry cannot be stored (see ``Store.append_messages``)."""

_ENTRY_OVERHEAD = 1024
"""Bytes counted per queued entry besides its bodies (the record dict and the objects around it)."""


def _size(entry: MessageEntry) -> int:
    return _ENTRY_OVERHEAD + sum(len(getattr(entry, name) or b"") for name in BODY_NAMES)


class MessageLog:
    """Counters (also in ``/metrics``): ``written`` records stored, ``escaped`` of them stored
    escaped, ``refused`` exchanges refused because the log was full, ``waited`` exchanges held back
    by backpressure, ``dropped`` entries lost (refused by the store even escaped, or unwritable at
    shutdown)."""

    LOUD: ClassVar[frozenset[int]] = frozenset({1, 10, 100, 1000})

    def __init__(self, store: Store, config: MessageLogConfig) -> None:
        self.store = store
        self.config = config
        self.written = 0
        self.escaped = 0
        self.refused = 0
        self.waited = 0
        self.dropped = 0
        self.failures = 0
        """Consecutive failed writes (the store is down while this is above zero)."""
        self.last_error: str | None = None
        self._pending: deque[tuple[MessageEntry, int]] = deque()
        self._pending_bytes = 0
        self._wake = asyncio.Event()
        self._below = asyncio.Event()  # set while the queue is at or under the high-water mark
        self._below.set()
        self._task: asyncio.Task[None] | None = None
        self._flush_lock = asyncio.Lock()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def pending(self) -> int:
        return len(self._pending)

    @property
    def pending_bytes(self) -> int:
        return self._pending_bytes

    def stats(self) -> dict[str, int]:
        """The queue and the counters, for ``/metrics``."""
        return {
            "pending": self.pending,
            "pending_bytes": self._pending_bytes,
            "written": self.written,
            "escaped": self.escaped,
            "waited": self.waited,
            "refused": self.refused,
            "dropped": self.dropped,
        }

    def problem(self) -> str | None:
        """Why the hub should not be called ready because of its message log, or ``None``."""
        if self.failures:
            return f"message log writes failing ({self.failures} in a row): {self.last_error}"
        if self.pending > self.config.ready_backlog:
            return f"message log backlog {self.pending} above {self.config.ready_backlog}"
        return None

    def admit(self) -> None:
        """Refuse a new exchange (:class:`LoggingFailed`) when the queue is full: it could not be logged."""
        if self.pending < self.config.max_pending and self._pending_bytes < self.config.max_pending_bytes:
            return
        self.refused += 1
        if self.refused in self.LOUD or self.refused % 10_000 == 0:
            log.warning(
                "message log full; refusing exchanges",
                refused=self.refused,
                pending=self.pending,
                pending_bytes=self._pending_bytes,
                last_error=self.last_error,
            )
        raise LoggingFailed(
            "the hub cannot log this exchange now: its message log is full",
            detail=f"{self.pending} records wait to be written; try again shortly",
        )

    def submit(self, entry: MessageEntry) -> None:
        """Queue one exchange; never blocks, never drops (:meth:`admit` bounds the queue)."""
        size = _size(entry)
        self._pending.append((entry, size))
        self._pending_bytes += size
        if len(self._pending) > self.config.high_water:
            self._below.clear()
        if len(self._pending) >= self.config.batch_size:
            self._wake.set()

    async def put(self, entry: MessageEntry) -> None:
        """Queue one exchange and, above the high-water mark, wait (at most ``max_wait``) for the
        writer to catch up: the exchange's answer waits too, which slows the callers down."""
        self.submit(entry)
        if self._below.is_set():
            return
        self.waited += 1
        self._wake.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._below.wait(), self.config.max_wait)

    async def flush(self) -> None:
        """Write everything queued so far (tests and shutdown call this directly). Raises the store's
        error, with the unwritten entries still queued in order, when the store is down."""
        async with self._flush_lock:
            while self._pending:
                batch = [self._pending[i][0] for i in range(min(self.config.backlog_batch, len(self._pending)))]
                try:
                    await self._write(batch)
                except Exception as exc:
                    self.failures += 1
                    self.last_error = escape_text(f"{type(exc).__name__}: {exc}")
                    raise
                if self.failures:
                    log.info("message log writes recovered", failures=self.failures, pending=self.pending)
                self.failures, self.last_error = 0, None

    async def _write(self, batch: Sequence[MessageEntry]) -> None:
        """Store ``batch`` (the head of the queue), splitting it around records the store refuses."""
        try:
            await self.store.append_messages(batch)
        except REFUSED as exc:
            if len(batch) > 1:
                half = len(batch) // 2
                await self._write(batch[:half])
                await self._write(batch[half:])
                return
            await self._write_alone(batch[0], exc)
            return
        self.written += len(batch)
        self._done(len(batch))

    async def _write_alone(self, entry: MessageEntry, refusal: Exception) -> None:
        escaped = storable(entry)
        if escaped is not None:
            try:
                await self.store.append_messages([escaped])
            except REFUSED as exc:
                refusal = exc
            else:
                self.written += 1
                self.escaped += 1
                log.warning(
                    "message log record stored escaped",
                    message_id=escaped.record.get("messageId"),
                    fields=escaped.record.get("escapedFields"),
                    reason=escape_text(str(refusal)),
                )
                self._done(1)
                return
        self.dropped += 1
        reason = escape_text(f"{type(refusal).__name__}: {refusal}")
        message_id = escape_text(str(entry.record.get("messageId")))
        log.error(
            "message log record refused by the store; DROPPED",
            dropped=self.dropped,
            message_id=message_id,
            reason=reason,
        )
        self._done(1)

    def _done(self, count: int) -> None:
        for _ in range(count):
            _, size = self._pending.popleft()
            self._pending_bytes -= size
        if len(self._pending) <= self.config.high_water:
            self._below.set()

    async def _run(self) -> None:
        delay = self.config.flush_interval
        while True:
            if self.failures:
                await asyncio.sleep(delay)  # back off: a full queue must not turn retries into a busy loop
            else:
                # asyncio.timeout, not wait_for: Python 3.11's wait_for swallows a cancellation that
                # arrives as the wake-up does, and stop() (holding the flush lock) would wait forever.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await self._wake.wait()
            self._wake.clear()
            try:
                await self.flush()
            except Exception:
                if self.failures == 1:
                    log.exception("message log write failed; will retry", pending=self.pending)
                elif self.failures in self.LOUD or self.failures % 100 == 0:
                    log.error(
                        "message log writes still failing",
                        failures=self.failures,
                        pending=self.pending,
                        error=self.last_error,
                    )
                delay = min(self.config.flush_interval * 2**self.failures, self.config.max_retry_delay)
            else:
                delay = self.config.flush_interval

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
            lost = self.pending
            self.dropped += lost
            self._pending.clear()
            self._pending_bytes = 0
            log.exception("message log could not write its last entries; DROPPED", lost=lost)
        finally:
            self._below.set()  # nobody waits on a writer that has stopped
