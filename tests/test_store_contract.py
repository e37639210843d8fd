"""The storage contract, run against every backend (SQLite file and a real PostgreSQL)."""

from __future__ import annotations

import asyncio
import os

import pytest

from ngsp_sim.store import (
    BaseTopology,
    HubLease,
    MessageEntry,
    MessageQuery,
    RegistryChange,
    Store,
    sqlstore,
    store_from_url,
    verify_chain,
)
from ngsp_sim.store.postgres import PostgresStore
from ngsp_sim.store.sql import LATEST_MIGRATION, LZ4_SUPPORTED


def entry(
    n: int,
    *,
    service: str = "VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan",
    ok: bool = True,
    client: str = "VN/GOV/000.00.00.H29/MOTCUA",
    ts: int | None = None,
    duration: int = 5,
) -> MessageEntry:
    start = ts if ts is not None else 1_700_000_000_000 + n
    return MessageEntry(
        record={
            "messageId": f"msg-{n}",
            "requestInTs": start,
            "responseOutTs": start + duration,
            "succeeded": ok,
            "faultCode": None if ok else "Server.ServerProxy.ServiceFailed.Timeout",
            "statusCode": 200 if ok else 500,
        },
        client=client,
        service=service,
        client_request=b'{"SoDinhDanh":"079090001234"}',
        provider_request=b"<soapenv:Envelope/>",
        provider_response=b"<soapenv:Envelope/>",
        client_response=b"{}",
        violations=None if ok else [{"location": "body", "pointer": "/x", "message": "m", "rule": "r"}],
    )


async def test_migrations_are_applied_and_idempotent(store: Store) -> None:
    assert await store.schema_version() >= 1
    await store.close()
    await store.open()  # a restart (or a second replica) applies nothing twice
    assert await store.schema_version() >= 1


async def test_appended_messages_come_back_newest_first_with_bodies_on_demand(store: Store) -> None:
    await store.append_messages([entry(i) for i in range(5)])
    listed = await store.list_messages(MessageQuery(limit=3))
    assert [m.record["messageId"] for m in listed] == ["msg-4", "msg-3", "msg-2"]
    assert listed[0].client_request is None  # lists carry no bodies
    one = await store.get_message(listed[0].id)
    assert one is not None and one.client_request == b'{"SoDinhDanh":"079090001234"}'
    assert one.provider_request == b"<soapenv:Envelope/>"


async def test_cursor_pagination_walks_every_record_once(store: Store) -> None:
    await store.append_messages([entry(i) for i in range(23)])
    seen, cursor = [], None
    while page := await store.list_messages(MessageQuery(before_id=cursor, limit=10)):
        seen += [m.record["messageId"] for m in page]
        cursor = page[-1].id
    assert seen == [f"msg-{i}" for i in reversed(range(23))]


async def test_filters(store: Store) -> None:
    other = "VN/GOV/000.00.00.G12/CSDLDKDN/chiTietDoanhNghiep"
    await store.append_messages(
        [entry(1), entry(2, ok=False), entry(3, service=other), entry(4, client="VN/GOV/000.00.00.G15/HOTICH")]
    )

    async def ids(**kw: object) -> list[str]:
        return [m.record["messageId"] for m in await store.list_messages(MessageQuery(**kw))]  # type: ignore[arg-type]

    assert await ids(service=other) == ["msg-3"]
    assert await ids(succeeded=False) == ["msg-2"]
    assert await ids(fault_code="Server.ServerProxy.ServiceFailed.Timeout") == ["msg-2"]
    assert await ids(client="VN/GOV/000.00.00.G15/HOTICH") == ["msg-4"]
    assert await ids(message_id="msg-1") == ["msg-1"]
    assert await ids(since_ms=1_700_000_000_002, until_ms=1_700_000_000_004) == ["msg-3", "msg-2"]


async def test_service_health_counts_and_durations(store: Store) -> None:
    await store.append_messages([entry(1, duration=4), entry(2, duration=10), entry(3, ok=False, duration=30)])
    (health,) = await store.service_health(0, 2_000_000_000_000)
    assert (health.successes, health.failures) == (2, 1)
    assert (health.min_ms, health.max_ms) == (4, 30)
    assert health.avg_ms == round((4 + 10 + 30) / 3, 2)
    assert health.last_failure_ms == 1_700_000_000_003


async def test_chain_verifies_and_names_the_tampered_record(store: Store) -> None:
    await store.append_messages([entry(i) for i in range(10)])
    await store.append_messages([entry(i) for i in range(10, 15)])
    report = await verify_chain(store)
    assert report.ok and report.checked == 15
    victim = (await store.list_messages(MessageQuery(message_id="msg-7")))[0]
    await store.tamper_for_tests(victim.id, "client_request", b'{"SoDinhDanh":"001090000001"}')
    report = await verify_chain(store)
    assert not report.ok
    assert report.broken_id == victim.id
    assert report.checked == 7


async def test_removing_a_record_breaks_the_chain_at_the_next(store: Store) -> None:
    await store.append_messages([entry(i) for i in range(5)])
    third = (await store.list_messages(MessageQuery(message_id="msg-2")))[0]
    await store.tamper_for_tests(third.id + 1, "prev_hash", "0" * 64)
    report = await verify_chain(store)
    assert report.broken_id == third.id + 1 and "link" in report.reason


async def test_purge_keeps_the_chain_verifiable(store: Store) -> None:
    await store.append_messages([entry(i, ts=1000 + i * 10) for i in range(10)])
    assert await store.purge_messages(before_ms=1050) == 5
    remaining = await store.list_messages(MessageQuery(limit=100))
    assert len(remaining) == 5 and min(m.request_in_ts for m in remaining) == 1050
    assert (await verify_chain(store)).ok
    await store.append_messages([entry(99, ts=2000)])
    assert (await verify_chain(store)).ok
    assert await store.purge_messages(before_ms=10_000) == 6
    assert (await verify_chain(store)).ok


async def test_concurrent_appends_keep_one_chain(store: Store) -> None:
    await asyncio.gather(*(store.append_messages([entry(i * 10 + j) for j in range(10)]) for i in range(8)))
    report = await verify_chain(store)
    assert report.ok and report.checked == 80


def exchange_sized(n: int, body: int = 300) -> MessageEntry:
    """A record about the size of a population lookup's as stored (~2.5 KB: the record's JSON ~1 KB,
    four bodies that compression cannot shrink)."""
    small = entry(n)
    record = {**small.record, **{f"field{i}": f"value {i} of a monitoring record" for i in range(24)}}
    return MessageEntry(
        record,
        small.client,
        small.service,
        client_request=os.urandom(body),
        provider_request=os.urandom(body),
        provider_response=os.urandom(body),
        client_response=os.urandom(body),
    )


async def _compression(store: PostgresStore) -> set[str | None]:
    """How PostgreSQL compressed each record's JSON (``None``: not compressed)."""
    return {row[0] for row in await store.pool.fetch("SELECT pg_column_compression(record) FROM messages")}


async def test_postgresql_compresses_log_rows_with_lz4_and_reads_every_size_back(pg_url: str) -> None:
    """Issue 22: pglz on every ~2.5 KB log row was most of the server's CPU per record; lz4 does the
    same for a fraction of it (a server without lz4 keeps pglz). A row over a page is still moved out of
    line, and all read back."""
    store = store_from_url(pg_url)
    assert isinstance(store, PostgresStore)
    await store.open()
    try:
        entries = [exchange_sized(n) for n in range(20)]
        await store.append_messages(entries)
        lz4 = await store.pool.fetchval(LZ4_SUPPORTED)  # every PostgreSQL from 14 on, unless built without
        assert await _compression(store) == ({"lz4"} if lz4 else {"pglz"})
        entries.append(exchange_sized(20, body=20_000))
        await store.append_messages(entries[-1:])
        toasted = "SELECT pg_relation_size(reltoastrelid) FROM pg_class WHERE oid = 'messages'::regclass"
        assert await store.pool.fetchval(toasted) > 0  # the 20 KB bodies went out of line
        for sent in (entries[0], entries[-1]):
            (listed,) = await store.list_messages(MessageQuery(message_id=sent.record["messageId"]))
            back = await store.get_message(listed.id)
            assert back is not None and back.record == sent.record
            assert back.provider_response == sent.provider_response
        report = await verify_chain(store)
        assert report.ok and report.checked == 21
    finally:
        await store.close()


async def test_a_postgresql_server_without_lz4_keeps_pglz_and_still_migrates(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before PostgreSQL 14 (or built without lz4) the migration changes nothing, and is recorded, so the
    hub opens the store and its readiness check sees the latest schema."""
    monkeypatch.setattr(sqlstore, "LZ4_SUPPORTED", "SELECT 1 WHERE FALSE")  # what PostgreSQL 13 answers
    store = store_from_url(pg_url)
    assert isinstance(store, PostgresStore)
    await store.open()
    try:
        assert await store.schema_version() == LATEST_MIGRATION
        await store.append_messages([exchange_sized(n) for n in range(3)])
        assert await _compression(store) == {"pglz"}
        assert (await verify_chain(store)).ok
    finally:
        await store.close()


async def test_registry_base_and_changes(store: Store) -> None:
    assert await store.get_base_topology() is None
    assert await store.registry_version() == ("", 0)
    await store.set_base_topology(BaseTopology("demo.yaml", "abc", "instance: VN\n"))
    await store.set_base_topology(BaseTopology("mine.yaml", "def", "instance: VN\n# v2\n"))
    base = await store.get_base_topology()
    assert base is not None and (base.source, base.sha256) == ("mine.yaml", "def")
    first = await store.add_change(RegistryChange("put_service", {"service": "A/B/C/D/E"}, "admin", 1))
    second = await store.add_change(RegistryChange("delete_service", {"service": "A/B/C/D/E"}, "admin", 2))
    assert second > first
    assert await store.registry_version() == ("def", second)
    changes = await store.list_changes(first)
    assert [(c.op, c.payload, c.actor) for c in changes] == [("delete_service", {"service": "A/B/C/D/E"}, "admin")]


async def test_a_live_lease_of_another_topology_refuses_a_claim_and_changes_nothing(store: Store) -> None:
    mine, theirs = BaseTopology("a.yaml", "aaa", "instance: VN\n"), BaseTopology("b.yaml", "bbb", "instance: VN\n#b\n")
    assert await store.claim_topology(mine, HubLease("hub-a", "aaa", "hub A", 10_000), 0) is None
    assert await store.claim_topology(mine, HubLease("hub-r", "aaa", "replica of A", 10_500), 0) is None  # replica
    refused = await store.claim_topology(theirs, HubLease("hub-b", "bbb", "hub B", 11_000), 11_000 - 5_000)
    assert refused is not None and refused.holder in ("hub A", "replica of A")
    base = await store.get_base_topology()
    assert base is not None and base.sha256 == "aaa"  # nothing changed
    await store.release_lease("hub-r")
    await store.renew_lease(HubLease("hub-a", "aaa", "hub A", 12_000))
    # Hub A's lease lapses (not renewed since 12 000): B may now take the store, and A's stale lease goes.
    assert await store.claim_topology(theirs, HubLease("hub-b", "bbb", "hub B", 30_000), 30_000 - 5_000) is None
    base = await store.get_base_topology()
    assert base is not None and (base.source, base.sha256, base.text) == ("b.yaml", "bbb", "instance: VN\n#b\n")
    assert await store.claim_topology(mine, HubLease("hub-a", "aaa", "hub A", 31_000), 31_000 - 5_000) == HubLease(
        "hub-b", "bbb", "hub B", 30_000
    )
    await store.release_lease("hub-b")  # a hub that stops releases at once
    assert await store.claim_topology(mine, HubLease("hub-a", "aaa", "hub A", 31_001), 31_001 - 5_000) is None
