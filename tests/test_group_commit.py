"""Group commit of edXML acceptance (issue 22), on both backends: concurrent ``accept`` calls share one
transaction, each returns only after the commit that includes its document, a failed commit
acknowledges nobody, and one refused document fails alone. No timing: batches form from asyncio's
scheduling order (every ``gather``-ed call queues its document before the drain task first runs)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from ngsp_sim.store import Store
from ngsp_sim.store.dialect import Dialect, Lock, Row, Tx
from ngsp_sim.store.exchange import ExchangeStore, NewEdoc, NewEvent, Subscription

TOPIC = "edoc:000.00.00.H38"


def doc(n: int | str) -> tuple[NewEdoc, list[str], list[NewEvent]]:
    doc_id = f"doc-{n}"
    edoc = NewEdoc(doc_id, "edoc", "000.00.00.G01", f"D{n}", 0, "Công văn", None, None, b"<edXML/>", "0" * 64, 1000)
    return edoc, ["000.00.00.H38"], [NewEvent(TOPIC, "edoc.received", b"{}", f"{doc_id}:000.00.00.H38")]


class Watched:
    """The store's dialect, noting each commit in ``log``; with ``fail`` every commit fails (the
    transaction is rolled back and the error raised where the commit would have been)."""

    def __init__(self, real: Dialect, log: list[str], *, fail: bool = False) -> None:
        self.real, self.log, self.fail = real, log, fail
        self.name, self.label, self.blob = real.name, real.label, real.blob
        self.skip_locked, self.data_errors = real.skip_locked, real.data_errors

    @asynccontextmanager
    async def transaction(self, lock: Lock | None = None) -> AsyncIterator[Tx]:
        async with self.real.transaction(lock) as tx:
            yield tx
            if self.fail:
                raise ConnectionError("the commit failed")
        self.log.append("commit")

    async def fetch(self, sql: str, *params: Any) -> list[Row]:
        return await self.real.fetch(sql, *params)

    async def fetchrow(self, sql: str, *params: Any) -> Row | None:
        return await self.real.fetchrow(sql, *params)


async def subscribed(store: Store) -> None:
    sub = Subscription("sub-1", TOPIC, "http://127.0.0.1:1/hook", "s" * 32, 3, "api", 0)
    await store.exchange.put_subscription(sub)


async def stored_ids(store: Store) -> list[str]:
    return [r["doc_id"] for r in await store.exchange.dialect.fetch("SELECT doc_id FROM edocs ORDER BY doc_id")]


async def test_concurrent_documents_share_one_commit_and_are_acknowledged_after_it(store: Store) -> None:
    await subscribed(store)
    log: list[str] = []
    exchange = ExchangeStore(Watched(store.exchange.dialect, log))

    async def accept(n: int) -> None:
        await exchange.accept(*doc(n))
        log.append("ack")

    await asyncio.gather(*(accept(n) for n in range(20)))
    assert log == ["commit"] + ["ack"] * 20  # one transaction; nobody answered before it committed
    assert exchange.accepts.commits == 1 and exchange.accepts.retried == 0
    assert await stored_ids(store) == sorted(f"doc-{n}" for n in range(20))
    for n in range(20):
        assert await store.exchange.recipients(f"doc-{n}") == {"000.00.00.H38": None}
    keys = [d.idempotency_key for d in reversed(await store.exchange.list_deliveries(limit=100))]
    assert keys == [f"doc-{n}:000.00.00.H38:sub-1" for n in range(20)]  # in the order they were sent

    await accept(20)  # alone: committed at once, in a transaction of its own
    assert exchange.accepts.commits == 2 and log[-2:] == ["commit", "ack"]


async def test_a_failed_commit_acknowledges_none_of_its_batch(store: Store) -> None:
    await subscribed(store)
    log: list[str] = []
    exchange = ExchangeStore(Watched(store.exchange.dialect, log, fail=True))
    outcomes = await asyncio.gather(*(exchange.accept(*doc(n)) for n in range(5)), return_exceptions=True)
    assert all(isinstance(o, ConnectionError) for o in outcomes), outcomes
    assert exchange.accepts.retried == 5 and log == []  # each tried again alone; none committed
    assert await stored_ids(store) == []
    assert await store.exchange.list_deliveries() == []


async def test_one_refused_document_fails_alone(store: Store) -> None:
    await subscribed(store)
    await store.exchange.accept(*doc("taken"))
    outcomes = await asyncio.gather(
        store.exchange.accept(*doc(1)),
        store.exchange.accept(*doc("taken")),  # its doc_id is already stored: the database refuses it
        store.exchange.accept(*doc(2)),
        return_exceptions=True,
    )
    assert outcomes[0] is None and outcomes[2] is None
    assert isinstance(outcomes[1], Exception) and not isinstance(outcomes[1], AssertionError)
    assert store.exchange.accepts.retried == 3
    assert await stored_ids(store) == ["doc-1", "doc-2", "doc-taken"]
    keys = sorted(d.idempotency_key for d in await store.exchange.list_deliveries(limit=100))
    assert keys == [f"doc-{n}:000.00.00.H38:sub-1" for n in (1, 2, "taken")]


@pytest.mark.parametrize("batch", [1, 3])
async def test_batches_are_capped(store: Store, batch: int) -> None:
    store.exchange.accepts.max_batch = batch
    await asyncio.gather(*(store.exchange.accept(*doc(n)) for n in range(6)))
    assert store.exchange.accepts.commits == 6 // batch
    assert len(await stored_ids(store)) == 6
