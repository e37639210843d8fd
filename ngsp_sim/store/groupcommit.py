"""Group commit: concurrent writers share one transaction, and each is answered after its commit.

:meth:`GroupCommit.submit` queues one item and waits. One drain task at a time writes everything
queued so far in one transaction and commits it; the items that arrive meanwhile form the next
batch. Nothing waits for a batch to fill: a lone writer commits at once, and under load the batches
grow by themselves (with the transaction's duration), up to ``max_batch``.

The guarantees, which ``tests/test_group_commit.py`` checks:

- **Acknowledged only after the commit that includes it.** ``submit`` returns only once the
  transaction holding its item has committed; if that commit fails, it raises.
- **One bad item does not fail the others.** When a batch of several fails (the write or the commit),
  each of its items is written again in a transaction of its own, and each caller gets its own
  outcome: the others are acknowledged, the faulty one gets its error. A store that is down fails them
  all, each with its error.
- **A caller that gave up before its batch started** (its ``submit`` was cancelled) is left out of it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from ngsp_sim.store.dialect import Dialect, Tx

__all__ = ["GroupCommit"]

T = TypeVar("T")


class GroupCommit(Generic[T]):
    """``write`` writes a batch of items inside the transaction it is given. Counters: ``commits``
    (transactions committed, batches and single retries alike), ``retried`` (items written again on
    their own after their batch failed)."""

    def __init__(
        self, dialect: Dialect, write: Callable[[Tx, Sequence[T]], Awaitable[None]], max_batch: int = 256
    ) -> None:
        self.dialect = dialect
        self.write = write
        self.max_batch = max_batch
        self.commits = 0
        self.retried = 0
        self._queue: deque[tuple[T, asyncio.Future[None]]] = deque()
        self._drain: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> None:
        """Write ``item``; returns once it is committed, raises what its write or commit raised."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((item, done))
        if self._drain is None or self._drain.done():
            self._drain = asyncio.create_task(self._run(), name="group-commit")
        await done

    async def _run(self) -> None:
        batch: list[tuple[T, asyncio.Future[None]]] = []
        try:
            while self._queue:
                batch = []
                while self._queue and len(batch) < self.max_batch:
                    item, done = self._queue.popleft()
                    if not done.done():  # a caller that was cancelled meanwhile is not written
                        batch.append((item, done))
                if batch:
                    await self._commit(batch)
        except BaseException as exc:  # cancelled at shutdown: nobody may be left waiting
            for _, done in [*batch, *self._queue]:
                if not done.done():
                    done.set_exception(exc if isinstance(exc, Exception) else RuntimeError("the store was closed"))
            self._queue.clear()
            raise

    async def _commit(self, batch: list[tuple[T, asyncio.Future[None]]]) -> None:
        try:
            await self._transaction([item for item, _ in batch])
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0][1], exc)
                return
            for item, done in batch:  # one by one: only the faulty item's caller gets an error
                self.retried += 1
                try:
                    await self._transaction([item])
                except Exception as alone:
                    _settle(done, alone)
                else:
                    _settle(done, None)
            return
        for _, done in batch:
            _settle(done, None)

    async def _transaction(self, items: Sequence[T]) -> None:
        async with self.dialect.transaction() as tx:
            await self.write(tx, items)
        self.commits += 1


def _settle(done: asyncio.Future[None], error: Exception | None) -> None:
    if done.done():  # its caller was cancelled while the transaction ran
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)
