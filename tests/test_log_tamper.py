"""Tampering with the message log in the database itself, with raw SQL, as someone who can write the
database but cannot read the key file would: every change is detected by ``verify_chain`` and named.
Run on both backends (the ``store`` fixture: a SQLite file and a real PostgreSQL)."""

from __future__ import annotations

import contextlib
import hashlib
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import orjson
import pytest
import zstandard

from ngsp_sim.store import LogKey, MessageEntry, MessageQuery, SqliteStore, Store, store_from_url, verify_chain
from ngsp_sim.store import sql as store_sql
from ngsp_sim.store.chain import encode_fields, record_fields, seal_of
from ngsp_sim.store.sql import KEYED_SEALS, LATEST_MIGRATION, MIGRATIONS, qmarks
from tests.test_store_contract import entry


async def sql(store: Store, statement: str, *params: Any) -> list[Any]:
    """Run ``statement`` (``$n`` placeholders) straight on the store's database, bypassing the store."""
    if isinstance(store, SqliteStore):
        async with store.writer.execute(qmarks(statement), params) as cur:
            return list(await cur.fetchall())
    return list(await store.pool.fetch(statement, *params))  # type: ignore[attr-defined]


async def ten(store: Store) -> list[int]:
    await store.append_messages([entry(i, ok=i != 4) for i in range(6)])
    await store.append_messages([entry(i) for i in range(6, 10)])
    assert (await verify_chain(store)).ok
    return [m.id for m in reversed(await store.list_messages(MessageQuery(limit=100)))]


async def _id_of(store: Store, message_id: str) -> int:
    return (await store.list_messages(MessageQuery(message_id=message_id)))[0].id


@pytest.mark.parametrize(
    ("column", "value", "victim"),
    [
        ("succeeded", True, "msg-4"),  # a failed exchange made to look successful
        ("status_code", 200, "msg-4"),
        ("fault_code", None, "msg-4"),
        ("message_id", "forged", "msg-7"),
        ("request_in_ts", 1_600_000_000_000, "msg-7"),
        ("duration_ms", 1, "msg-7"),
    ],
)
async def test_a_changed_queryable_column_is_named(store: Store, column: str, value: Any, victim: str) -> None:
    await ten(store)
    target = await _id_of(store, victim)
    await sql(store, f"UPDATE messages SET {column} = $1 WHERE id = $2", value, target)  # noqa: S608 (a test column)
    report = await verify_chain(store)
    assert not report.ok and report.broken_id == target
    assert f"its {column} column says" in report.reason


async def test_a_failure_hidden_in_the_columns_is_named_although_lists_no_longer_show_it(store: Store) -> None:
    await ten(store)
    failed = await _id_of(store, "msg-4")
    await sql(
        store, "UPDATE messages SET succeeded = $1, fault_code = NULL, status_code = 200 WHERE id = $2", True, failed
    )
    assert await store.list_messages(MessageQuery(succeeded=False)) == []  # what the tampering achieves
    report = await verify_chain(store)
    assert report.broken_id == failed and "succeeded" in report.reason


async def test_deleting_the_newest_records_is_named(store: Store) -> None:
    ids = await ten(store)
    await sql(store, "DELETE FROM messages WHERE id > $1", ids[6])
    report = await verify_chain(store)
    assert report.broken_id == ids[-1]
    assert f"the newest records are missing: the signed head is record {ids[-1]}, the log ends at record {ids[6]}" in (
        report.reason
    )


async def test_deleting_the_newest_records_is_still_seen_after_later_appends(store: Store) -> None:
    ids = await ten(store)
    await sql(store, "DELETE FROM messages WHERE id > $1", ids[6])
    await store.append_messages([entry(50), entry(51)])  # the hub goes on logging after the deletion
    report = await verify_chain(store)
    assert not report.ok and report.broken_id is not None and report.broken_id > ids[-1]
    assert "link to the previous record" in report.reason
    assert report.checked == 7


async def test_deleting_every_record_is_named(store: Store) -> None:
    ids = await ten(store)
    await sql(store, "DELETE FROM messages")
    report = await verify_chain(store)
    assert report.broken_id == ids[-1] and "the log ends at no record" in report.reason


async def test_deleting_the_oldest_is_named_and_rewriting_the_anchor_breaks_its_signature(store: Store) -> None:
    ids = await ten(store)
    await sql(store, "DELETE FROM messages WHERE id <= $1", ids[2])
    report = await verify_chain(store)
    assert report.broken_id == ids[3] and "link" in report.reason
    new_anchor = (await sql(store, "SELECT prev_hash FROM messages WHERE id = $1", ids[3]))[0][0]
    await sql(store, "UPDATE chain SET anchor = $1 WHERE id = 1", new_anchor)
    report = await verify_chain(store)
    assert not report.ok and report.broken_id is None
    assert "the chain state (anchor and head) does not verify" in report.reason


async def test_a_changed_body_with_every_later_hash_recomputed_is_named(store: Store) -> None:
    """The attacker recomputes the chain from the changed record on, with a key of their own (or with
    the unkeyed SHA-256 of old): the seal of the changed record no longer matches under the log's key."""
    ids = await ten(store)
    victim = ids[5]
    await sql(
        store,
        "UPDATE messages SET client_request = $1 WHERE id = $2",
        zlib.compress(b'{"SoDinhDanh":"001090000001"}'),
        victim,
    )
    forger = LogKey.ephemeral()
    prev = (await sql(store, "SELECT prev_hash FROM messages WHERE id = $1", victim))[0][0]
    for record in await store.scan_messages(victim - 1, 100):
        fields = record_fields(record.record_json, record, record.violations_json)
        digest = seal_of(forger, prev, fields)
        await sql(store, "UPDATE messages SET prev_hash = $1, hash = $2 WHERE id = $3", prev, digest, record.id)
        prev = digest
    report = await verify_chain(store)
    assert report.broken_id == victim and "does not match its seal" in report.reason
    assert report.checked == 5


async def test_an_unkeyed_recomputation_is_named_too(store: Store) -> None:
    ids = await ten(store)
    victim = ids[2]
    await sql(store, "UPDATE messages SET record = $1 WHERE id = $2", '{"messageId":"msg-2","requestInTs":1}', victim)
    prev = (await sql(store, "SELECT prev_hash FROM messages WHERE id = $1", victim))[0][0]
    for record in await store.scan_messages(victim - 1, 100):
        digest = hashlib.sha256(prev.encode())
        encode_fields(digest.update, record_fields(record.record_json, record, record.violations_json))
        await sql(
            store, "UPDATE messages SET prev_hash = $1, hash = $2 WHERE id = $3", prev, digest.hexdigest(), record.id
        )
        prev = digest.hexdigest()
    report = await verify_chain(store)
    assert report.broken_id == victim and "does not match its seal" in report.reason


async def test_a_removed_chain_state_is_named_and_appending_does_not_re_sign_it(store: Store) -> None:
    await ten(store)
    await sql(store, "UPDATE chain SET head_hash = $1 WHERE id = 1", "0" * 64)
    await store.append_messages([entry(60)])  # the log keeps writing...
    report = await verify_chain(store)
    assert not report.ok and "does not verify" in report.reason  # ...but never launders the state
    await sql(store, "DELETE FROM chain")
    await store.append_messages([entry(61)])
    report = await verify_chain(store)
    assert not report.ok and "unsigned" in report.reason


async def test_another_key_is_named(store_url: str, tmp_path: Any) -> None:
    first = store_from_url(store_url, key_path=tmp_path / "a.key")
    await first.open()
    await first.append_messages([entry(1)])
    await first.close()
    second = store_from_url(store_url, key_path=tmp_path / "b.key")
    await second.open()
    try:
        report = await verify_chain(second)
    finally:
        await second.close()
    assert not report.ok
    assert f"does not verify with key {second.key.fingerprint} (signed by key {first.key.fingerprint})" in report.reason


async def test_bodies_are_stored_compressed_and_sealed_uncompressed(store: Store) -> None:
    body = b'{"SoDinhDanh":"079090001234","HoVaTen":"Nguyen Van A"}' * 20
    await store.append_messages([MessageEntry(entry(1).record, client_request=body, client_response=b"")])
    (row,) = await sql(store, "SELECT id, client_request, client_response, provider_request FROM messages")
    unzstd = zstandard.ZstdDecompressor()
    assert len(bytes(row[1])) < len(body) // 4 and unzstd.decompress(bytes(row[1])) == body
    assert unzstd.decompress(bytes(row[2])) == b"" and row[3] is None
    stored = await store.get_message(row[0])
    assert stored is not None and stored.client_request == body and stored.client_response == b""
    assert (await verify_chain(store)).ok
    await sql(store, "UPDATE messages SET client_request = $1 WHERE id = $2", b"not zlib", row[0])
    report = await verify_chain(store)
    assert report.broken_id == row[0] and "does not match its seal" in report.reason


def _zlib_body(body: bytes | None) -> bytes | None:
    """How stores written before 2026-12-01 hold a body."""
    return None if body is None else zlib.compress(body, 6)


async def test_zlib_bodies_of_older_stores_stay_readable_and_verifiable(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as older:
        older.setattr(store_sql, "pack_body", _zlib_body)
        await store.append_messages([entry(i) for i in range(3)])
    await store.append_messages([entry(i) for i in range(3, 6)])
    rows = await sql(store, "SELECT id, provider_response FROM messages ORDER BY id")
    assert [bytes(r[1])[:1] for r in rows] == [b"\x78"] * 3 + [b"\x28"] * 3  # zlib, then zstd frames
    for n, row in enumerate(rows):
        stored = await store.get_message(row[0])
        assert stored is not None and stored.provider_response == entry(n).provider_response
    assert (await verify_chain(store)).ok


async def test_a_stored_zstd_bomb_is_not_inflated(store: Store) -> None:
    await store.append_messages([entry(1)])
    (row,) = await sql(store, "SELECT id FROM messages")
    bomb = zstandard.ZstdCompressor().compress(b"\0" * (65 * 1024 * 1024))  # says its size: 65 MiB
    assert len(bomb) < 10_000
    await sql(store, "UPDATE messages SET client_request = $1 WHERE id = $2", bomb, row[0])
    stored = await store.get_message(row[0])
    assert stored is not None and stored.client_request == bomb  # returned as stored, not inflated
    report = await verify_chain(store)
    assert report.broken_id == row[0] and "does not match its seal" in report.reason


# -- the upgrade of a store written before keyed seals (migration 5) --------------------------------


@contextlib.contextmanager
def before_keyed_seals() -> Iterator[None]:
    """Stores opened inside stop at migration 4, as a store written by an older ngsp-sim."""
    table = cast(dict[str, list[tuple[int, str]]], MIGRATIONS)
    saved = dict(table)
    for dialect, steps in saved.items():
        table[dialect] = [step for step in steps if step[0] < KEYED_SEALS]
    try:
        yield
    finally:
        table.update(saved)


async def _legacy_store(store_url: str, tmp_path: Any, *, tampered: bool) -> Store:
    """A store at migration 4 holding five records sealed the old way (unkeyed, bodies raw); with
    ``tampered`` the third one's body was changed afterwards."""
    store = store_from_url(store_url, key_path=tmp_path / "log.key")
    with before_keyed_seals():
        await store.open()
    prev = ""
    for n in range(5):
        e = entry(n)
        record_json = orjson.dumps(e.record).decode()
        digest = hashlib.sha256(prev.encode())
        encode_fields(digest.update, record_fields(record_json, e, None))
        await sql(
            store,
            "INSERT INTO messages (message_id, request_in_ts, client, service, succeeded, status_code, duration_ms, "
            "record, truncated, client_request, provider_request, provider_response, client_response, prev_hash, "
            "hash) VALUES ($1, $2, $3, $4, $5, 200, 5, $6, $7, $8, $9, $10, $11, $12, $13)",
            f"msg-{n}",
            e.request_in_ts,
            e.client,
            e.service,
            True,
            record_json,
            False,
            e.client_request,
            e.provider_request,
            e.provider_response,
            e.client_response,
            prev,
            digest.hexdigest(),
        )
        prev = digest.hexdigest()
    if tampered:
        await sql(store, "UPDATE messages SET client_response = $1 WHERE message_id = 'msg-2'", b"{tampered}")
    await store.close()
    return store


async def test_the_upgrade_reseals_and_compresses_old_records_and_keeps_an_old_break_named(
    store_url: str, tmp_path: Path
) -> None:
    store = await _legacy_store(store_url, tmp_path, tampered=True)
    await store.open()  # applies migration 5
    try:
        assert await store.schema_version() == LATEST_MIGRATION  # 5 and every later one
        rows = await sql(store, "SELECT id, client_request FROM messages ORDER BY id")
        assert all(
            zstandard.ZstdDecompressor().decompress(bytes(r[1])) == b'{"SoDinhDanh":"079090001234"}' for r in rows
        )
        report = await verify_chain(store)
        assert report.broken_id == rows[2][0] and "already broken when the log was upgraded" in report.reason
        assert report.checked == 2
        stored = await store.get_message(rows[2][0])
        assert stored is not None and stored.client_response == b"{tampered}"
    finally:
        await store.close()


async def test_the_upgrade_of_an_intact_log_verifies_and_the_log_goes_on(store_url: str, tmp_path: Path) -> None:
    store = await _legacy_store(store_url, tmp_path, tampered=False)
    await store.open()
    try:
        report = await verify_chain(store)
        assert report.ok and report.checked == 5
        await store.append_messages([entry(9)])
        report = await verify_chain(store)
        assert report.ok and report.checked == 6
    finally:
        await store.close()
    await store.open()  # a restart applies nothing twice
    try:
        assert (await verify_chain(store)).checked == 6
    finally:
        await store.close()
