"""The message-log writer under attack and under load: one bad record never blocks it, a store that is
down loses nothing and keeps the order, a writer that falls behind slows the hub down (backpressure)
and, when full, refuses exchanges before they reach a provider; the backlog shows in /readyz and
/metrics. Synchronised with explicit flushes and events, never with time."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import orjson
import pytest

from ngsp_sim.config import MessageLogConfig
from ngsp_sim.errors import LoggingFailed
from ngsp_sim.hub.runtime import HUB
from ngsp_sim.monitoring.message_log import MessageLog
from ngsp_sim.monitoring.storable import escape_text, storable
from ngsp_sim.store import MessageEntry, MessageQuery, Store, store_from_url, verify_chain
from tests.helpers import ADMIN, MOTCUA, POPULATION, MakeHub, lookup_body, raw_request
from tests.test_operations import samples

BAD_USER = "EE12345678901\udcff"  # how aiohttp hands over a header with the byte 0xff


def _entry(n: int, **record: Any) -> MessageEntry:
    return MessageEntry({"messageId": f"m{n}", "requestInTs": n, "responseOutTs": n + 1, "succeeded": True, **record})


async def _opened(url: str) -> Store:
    store = store_from_url(url)
    await store.open()
    return store


async def _stored(store: Store) -> list[Any]:
    return list(reversed(await store.list_messages(MessageQuery(limit=500))))


class Refusing:
    """A store that refuses every record whose message id is in ``poison`` (even escaped), and fails
    as if unreachable while ``down`` is above zero; otherwise the real store underneath."""

    def __init__(self, store: Store, poison: set[str] | None = None, down: int = 0) -> None:
        self.store = store
        self.poison = poison or set()
        self.down = down
        self.calls = 0
        self.sizes: list[int] = []

    async def append_messages(self, entries: Any) -> None:
        self.calls += 1
        self.sizes.append(len(entries))
        if self.down:
            self.down -= 1
            raise ConnectionRefusedError("the database is down")
        if any(e.record["messageId"] in self.poison for e in entries):
            raise ValueError("this store refuses that record")
        await self.store.append_messages(entries)


def test_escaping_writes_out_undecodable_bytes_and_names_the_fields() -> None:
    entry = MessageEntry(
        {"messageId": "x", "requestInTs": 1, "messageUserId": BAD_USER, "nested": {"k": "\ud800"}},
        client="VN/GOV/\x00/A",
    )
    escaped = storable(entry)
    assert escaped is not None
    assert escaped.record["messageUserId"] == "EE12345678901\\xff"
    assert escaped.record["nested"] == {"k": "\\ud800"}
    assert escaped.client == "VN/GOV/\\x00/A"
    assert escaped.record["escapedFields"] == ["client", "messageUserId", "nested/k"]
    orjson.dumps(escaped.record)  # now serialisable
    assert storable(_entry(1)) is None  # nothing to escape: nothing changed
    assert escape_text("Nguyễn Văn A") == "Nguyễn Văn A"


async def test_a_record_with_an_undecodable_byte_is_stored_escaped_and_the_next_ones_too(store_url: str) -> None:
    store = await _opened(store_url)
    writer = MessageLog(store, MessageLogConfig(batch_size=100))
    writer.submit(_entry(0))
    writer.submit(_entry(1, messageUserId=BAD_USER))
    writer.submit(_entry(2))
    await writer.flush()
    stored = await _stored(store)
    assert [m.record["messageId"] for m in stored] == ["m0", "m1", "m2"]
    assert stored[1].record["messageUserId"] == "EE12345678901\\xff"
    assert stored[1].record["escapedFields"] == ["messageUserId"]
    assert "escapedFields" not in stored[0].record
    assert (writer.written, writer.escaped, writer.dropped, writer.pending) == (3, 1, 0, 0)
    assert (await verify_chain(store)).ok
    await store.close()


async def test_a_batch_refused_for_one_record_is_split_so_the_others_are_written(store_url: str) -> None:
    store = await _opened(store_url)
    refusing = Refusing(store, poison={"m13"})
    writer = MessageLog(refusing, MessageLogConfig(batch_size=32))  # type: ignore[arg-type]
    for n in range(40):
        writer.submit(_entry(n))
    await writer.flush()
    stored = await _stored(store)
    assert [m.record["messageId"] for m in stored] == [f"m{n}" for n in range(40) if n != 13]
    assert (writer.written, writer.dropped, writer.pending) == (39, 1, 0)  # counted, and logged as an error
    assert (await verify_chain(store)).ok
    await store.close()


async def test_a_backlog_is_written_in_larger_batches_in_order(store_url: str) -> None:
    store = await _opened(store_url)
    counting = Refusing(store)
    writer = MessageLog(counting, MessageLogConfig(batch_size=10, backlog_batch=25))  # type: ignore[arg-type]
    for n in range(60):
        writer.submit(_entry(n))
    await writer.flush()
    assert counting.sizes == [25, 25, 10]
    assert [m.record["messageId"] for m in await _stored(store)] == [f"m{n}" for n in range(60)]
    assert (await verify_chain(store)).ok
    with pytest.raises(ValueError, match="backlog_batch"):
        MessageLogConfig(batch_size=600, backlog_batch=500)
    await store.close()


async def test_postgresql_refuses_nul_in_a_text_column_and_the_record_is_stored_escaped(pg_url: str) -> None:
    store = await _opened(pg_url)
    writer = MessageLog(store, MessageLogConfig())
    writer.submit(MessageEntry({"messageId": "nul", "requestInTs": 1}, client="VN/GOV/\x00/X"))
    await writer.flush()
    (m,) = await _stored(store)
    assert m.client == "VN/GOV/\\x00/X" and m.record["escapedFields"] == ["client"]
    await store.close()


async def test_a_store_that_is_down_is_retried_in_order_without_losing_anything(store_url: str) -> None:
    store = await _opened(store_url)
    refusing = Refusing(store, down=2)
    writer = MessageLog(refusing, MessageLogConfig(batch_size=10))  # type: ignore[arg-type]
    for n in range(25):
        writer.submit(_entry(n))
    for attempt in (1, 2):
        with pytest.raises(ConnectionRefusedError):
            await writer.flush()
        assert (writer.pending, writer.failures) == (25, attempt)
        assert "ConnectionRefusedError" in (writer.problem() or "")
    await writer.flush()
    assert (writer.pending, writer.written, writer.failures, writer.dropped) == (0, 25, 0, 0)
    assert writer.problem() is None
    assert [m.record["messageId"] for m in await _stored(store)] == [f"m{n}" for n in range(25)]
    await store.close()


async def test_put_waits_above_the_high_water_mark_until_the_writer_catches_up(tmp_path: Path) -> None:
    store = await _opened(f"sqlite://{tmp_path / 'log.sqlite3'}")
    writer = MessageLog(store, MessageLogConfig(batch_size=100, high_water=3, max_pending=10))
    for n in range(3):
        await writer.put(_entry(n))  # at the mark: no wait
    assert writer.waited == 0
    waiting = asyncio.create_task(writer.put(_entry(3)))
    await asyncio.sleep(0)  # one turn of the loop (no time passes): put runs up to its wait
    assert not waiting.done() and writer.waited == 1
    await writer.flush()
    await waiting  # released by the write, not by a timeout
    assert writer.written == 4
    await store.close()


async def test_the_wait_is_bounded() -> None:
    store = await _opened("sqlite://:memory:")
    writer = MessageLog(store, MessageLogConfig(high_water=1, max_pending=10, max_wait=0))
    for n in range(3):
        await writer.put(_entry(n))  # nobody writes, yet each put returns
    assert (writer.pending, writer.waited) == (3, 2)
    await store.close()


async def test_a_full_log_refuses_and_memory_stays_bounded() -> None:
    store = await _opened("sqlite://:memory:")
    writer = MessageLog(store, MessageLogConfig(high_water=5, max_pending=5, max_wait=0))
    for n in range(5):
        writer.admit()
        writer.submit(_entry(n))
    with pytest.raises(LoggingFailed):
        writer.admit()
    assert (writer.pending, writer.refused, writer.dropped) == (5, 1, 0)
    await writer.flush()
    writer.admit()  # room again
    assert [m.record["messageId"] for m in await _stored(store)] == [f"m{n}" for n in range(5)]
    await store.close()


async def test_the_queue_is_bounded_in_bytes_too() -> None:
    store = await _opened("sqlite://:memory:")
    writer = MessageLog(store, MessageLogConfig(max_pending_bytes=100_000))
    writer.submit(MessageEntry({"messageId": "big", "requestInTs": 1}, client_request=b"x" * 100_000))
    with pytest.raises(LoggingFailed):
        writer.admit()
    await writer.flush()
    assert writer.pending_bytes == 0
    writer.admit()
    await store.close()


async def test_entries_unwritable_at_shutdown_are_counted_as_dropped() -> None:
    store = await _opened("sqlite://:memory:")
    writer = MessageLog(Refusing(store, down=10), MessageLogConfig())  # type: ignore[arg-type]
    writer.submit(_entry(1))
    await writer.stop()
    assert (writer.dropped, writer.pending) == (1, 0)
    await store.close()


async def test_an_undecodable_header_byte_over_a_socket_is_refused_and_the_log_goes_on(make_hub: MakeHub) -> None:
    """The attack of issue 15 finding 2: byte 0xff in X-Road-UserId, then a good request. The edge refuses
    the first (no provider called, so nothing to record); the second is served and logged; the writer's own
    escaping of such text is tested above with crafted entries."""
    hub = await make_hub()
    body = orjson.dumps(lookup_body())
    headers = {"X-Road-Client": MOTCUA, "Content-Type": "application/json"}
    status, _, _ = await raw_request(
        hub, "POST", POPULATION, {**headers, "X-Road-Id": "bad-1", "X-Road-UserId": BAD_USER}, body
    )
    assert status == 400
    status, _, _ = await raw_request(hub, "POST", POPULATION, {**headers, "X-Road-Id": "good-1"}, body)
    assert status == 200
    runtime = hub.app[HUB]
    await runtime.message_log.flush()
    stored = {m.record["messageId"] for m in await runtime.store.list_messages(MessageQuery())}
    assert stored == {"good-1"}
    assert (await hub.get("/readyz")).status == 200


async def test_a_full_log_refuses_over_http_says_so_in_readyz_and_metrics_then_recovers(make_hub: MakeHub) -> None:
    config = MessageLogConfig(flush_interval=3600, high_water=2, max_pending=2, max_wait=0, ready_backlog=1)
    hub = await make_hub(message_log=config)
    headers = {"X-Road-Client": MOTCUA}
    for _ in range(2):
        assert (await hub.post(POPULATION, json=lookup_body(), headers=headers)).status == 200
    refused = await hub.post(POPULATION, json=lookup_body(), headers={**headers, "X-Road-Id": "refused-1"})
    assert refused.status == 500 and refused.headers["X-Road-Error"] == "Server.ServerProxy.LoggingFailed"
    assert refused.headers["Retry-After"] == "1"
    ready = await hub.get("/readyz")
    assert ready.status == 503 and "message log backlog 2 above 1" in (await ready.json())["problems"]
    found = samples(await (await hub.get("/metrics", headers=ADMIN)).text())
    assert found[("ngsp_message_log_pending", ())] == 2
    assert found[("ngsp_message_log_refused_total", ())] == 1
    assert found[("ngsp_message_log_dropped_total", ())] == 0
    runtime = hub.app[HUB]
    await runtime.message_log.flush()
    assert (await hub.post(POPULATION, json=lookup_body(), headers={**headers, "X-Road-Id": "after"})).status == 200
    await runtime.message_log.flush()
    ids = [m.record["messageId"] for m in await runtime.store.list_messages(MessageQuery())]
    assert len(ids) == 3 and "after" in ids and "refused-1" not in ids
    assert (await hub.get("/readyz")).status == 200


async def test_readyz_says_when_the_log_cannot_write(make_hub: MakeHub) -> None:
    hub = await make_hub(message_log=MessageLogConfig(flush_interval=3600))
    runtime = hub.app[HUB]
    await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
    runtime.message_log.store = Refusing(runtime.store, down=1)
    with pytest.raises(ConnectionRefusedError):
        await runtime.message_log.flush()
    body = await (await hub.get("/readyz")).json()
    assert any(p.startswith("message log writes failing (1 in a row)") for p in body["problems"])
    await runtime.message_log.flush()
    assert (await hub.get("/readyz")).status == 200


async def test_the_hub_answers_no_faster_than_its_log_is_written(make_hub: MakeHub) -> None:
    """Backpressure over a real socket: above the high-water mark, the answer waits for the writer."""
    config = MessageLogConfig(flush_interval=3600, high_water=1, max_pending=10, max_wait=3600)
    hub = await make_hub(message_log=config)
    runtime = hub.app[HUB]
    headers = {"X-Road-Client": MOTCUA}
    assert (await hub.post(POPULATION, json=lookup_body(), headers=headers)).status == 200  # at the mark
    held = asyncio.create_task(hub.post(POPULATION, json=lookup_body(), headers=headers))
    for _ in range(100_000):  # turns of the loop, no time: until the hub holds the answer back
        if runtime.message_log.waited:
            break
        await asyncio.sleep(0)
    assert runtime.message_log.waited == 1 and not held.done()
    await runtime.message_log.flush()
    assert (await held).status == 200  # released by the write
    assert len(await runtime.store.list_messages(MessageQuery())) == 2


async def test_stopping_as_the_last_batch_wakes_the_writer_ends_and_loses_nothing(store_url: str) -> None:
    """The hub stopped (SIGTERM) right as the last batch woke the writer: stop() ends and writes it all.
    (Python 3.11's ``wait_for`` swallowed that cancellation, and ``ngsp-sim up`` hung at shutdown.)"""
    store = await _opened(store_url)
    writer = MessageLog(store, MessageLogConfig(batch_size=10))
    await writer.start()
    for _ in range(3):
        await asyncio.sleep(0)  # yields only: the writer task starts and waits to be woken
    for n in range(10):
        writer.submit(_entry(n))  # the tenth wakes the writer
    await writer.stop()
    assert writer.written == 10 and [m.record["messageId"] for m in await _stored(store)] == [
        f"m{n}" for n in range(10)
    ]
    await store.close()
