"""Evidence bundles: ``log export`` signs a slice of the message log; ``log verify-bundle`` checks it
with nothing but the file and names the record when one byte changes."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import orjson

from ngsp_sim.store import LogKey, MessageEntry, SqliteStore, Store, log_key_path
from ngsp_sim.store.evidence import export_bundle, parse_time, verify_bundle
from tests.processes import run_cli
from tests.test_log_tamper import sql
from tests.test_store_contract import entry

NOW = 1_800_000_000_000


async def _bundle(store: Store, first: int = 2, last: int = 7) -> bytes:
    await store.append_messages([entry(i) for i in range(10)])
    data, report, count = await export_bundle(store, entry(first).request_in_ts, entry(last).request_in_ts + 1, NOW)
    assert report.ok and count == last - first + 1
    return data


def _lines(data: bytes) -> list[bytes]:
    return data.rstrip(b"\n").split(b"\n")


def _flip(data: bytes, line_no: int, needle: bytes, replacement: bytes) -> bytes:
    """``data`` with the first ``needle`` of line ``line_no`` replaced (same length: one byte differs)."""
    assert len(needle) == len(replacement)
    lines = _lines(data)
    assert needle in lines[line_no], needle
    lines[line_no] = lines[line_no].replace(needle, replacement, 1)
    return b"\n".join(lines) + b"\n"


async def test_a_bundle_verifies_offline_and_holds_what_was_asked(store: Store) -> None:
    data = await _bundle(store)
    report = verify_bundle(data)
    assert report.ok and report.checked == 6
    assert report.fingerprint == store.key.fingerprint
    header, *records, _ = (orjson.loads(line) for line in _lines(data))
    assert header["publicKey"] == base64.b64encode(store.key.public_key).decode()
    assert [json.loads(r["record"])["messageId"] for r in records] == [f"msg-{i}" for i in range(2, 8)]
    assert base64.b64decode(records[0]["clientRequest"]) == b'{"SoDinhDanh":"079090001234"}'  # uncompressed


async def test_one_changed_byte_is_named(store: Store) -> None:
    data = await _bundle(store)
    lines = _lines(data)
    third = orjson.loads(lines[3])  # the third record line: msg-4
    body_b64 = third["clientRequest"].encode()
    assert body_b64[:1] != b"A"
    cases = {
        "a body": (_flip(data, 3, body_b64[:4], b"A" + body_b64[1:4]), third["id"]),
        "a status": (_flip(data, 3, b'\\"statusCode\\":200', b'\\"statusCode\\":500'), third["id"]),
        "a client": (_flip(data, 3, b'"client":"VN', b'"client":"VM'), third["id"]),
    }
    for what, (tampered, record_id) in cases.items():
        report = verify_bundle(tampered)
        assert not report.ok, what
        assert report.record_id == record_id, what
        assert "does not match its signed digest" in report.reason, what
        assert report.describe().startswith(f"BROKEN at record {record_id}:"), what


async def test_a_changed_signature_key_or_header_is_named(store: Store) -> None:
    data = await _bundle(store)
    header, trailer = orjson.loads(_lines(data)[0]), orjson.loads(_lines(data)[-1])
    signature = trailer["signature"].encode()
    other = b"B" if signature[5:6] != b"B" else b"C"
    bad_signature = _flip(data, -1, signature[:6], signature[:5] + other)
    key = header["publicKey"].encode()
    other = b"B" if key[5:6] != b"B" else b"C"
    bad_key = _flip(data, 0, key[:6], key[:5] + other)
    later = _flip(data, 0, b'"exportedMs":1', b'"exportedMs":2')
    for tampered in (bad_signature, bad_key, later):
        report = verify_bundle(tampered)
        assert not report.ok and report.record_id is None
        assert "signature does not verify" in report.reason or "not an Ed25519 public key" in report.reason


async def test_a_removed_record_line_or_a_broken_line_is_named(store: Store) -> None:
    data = await _bundle(store)
    lines = _lines(data)
    removed = b"\n".join(lines[:2] + lines[3:]) + b"\n"
    assert "holds 5 record lines but its signed list 6" in verify_bundle(removed).reason
    broken_id = orjson.loads(lines[2])["id"]
    truncated = b"\n".join([*lines[:2], lines[2][:-5], *lines[3:]]) + b"\n"
    report = verify_bundle(truncated)
    assert report.record_id == broken_id and "not valid JSON" in report.reason
    assert "not a bundle" in verify_bundle(b"{}").reason


async def test_a_broken_log_is_not_exported(store: Store) -> None:
    await store.append_messages([entry(i) for i in range(4)])
    await sql(store, "UPDATE messages SET status_code = 500 WHERE message_id = 'msg-1'")
    data, report, count = await export_bundle(store, 0, NOW, NOW)
    assert (data, count) == (b"", 0) and "status_code" in report.reason


async def test_a_slow_exchange_logged_among_later_ones_keeps_the_slice_unbroken(store: Store) -> None:
    slow = entry(5)  # started at +5, logged after the exchange that started at +6
    await store.append_messages(
        [entry(4), entry(6), MessageEntry({**slow.record}, slow.client, slow.service), entry(7)]
    )
    data, report, count = await export_bundle(store, entry(4).request_in_ts, entry(6).request_in_ts, NOW)
    assert report.ok and count == 3  # msg-4 and msg-5 asked for, msg-6 between them
    assert verify_bundle(data).ok


def test_times_are_iso_or_milliseconds() -> None:
    assert parse_time("1700000000000") == 1_700_000_000_000
    assert parse_time("2023-11-14T22:13:20Z") == 1_700_000_000_000
    assert parse_time("2023-11-15T05:13:20+07:00") == 1_700_000_000_000
    assert parse_time("2023-11-14T22:13:20") == 1_700_000_000_000


async def test_export_and_verify_bundle_as_processes(tmp_path: Path) -> None:
    db = tmp_path / "data" / "ngsp-sim.sqlite3"
    store = SqliteStore(db)
    await store.open()
    await store.append_messages([entry(i) for i in range(5)])
    await store.close()
    key = tmp_path / "data" / "message-log.key"
    assert key.stat().st_mode & 0o777 == 0o600

    out = tmp_path / "evidence.jsonl"
    made = await asyncio.to_thread(
        run_cli, "log", "export", "--data-dir", str(db.parent), "--from", "2023-11-14T22:13:20.001Z", "--out", str(out)
    )
    assert made.returncode == 0, made.stderr
    assert f"wrote 4 records to {out}, signed with key {store.key.fingerprint}" in made.stdout
    assert key.read_text() not in made.stdout + made.stderr
    checked = await asyncio.to_thread(run_cli, "log", "verify-bundle", str(out))
    assert checked.returncode == 0 and f"ok: 4 records, signature valid (key {store.key.fingerprint})" in checked.stdout

    record = orjson.loads(_lines(out.read_bytes())[2])
    out.write_bytes(_flip(out.read_bytes(), 2, b'"truncated":false', b'"truncated":fals0'))
    broken = await asyncio.to_thread(run_cli, "log", "verify-bundle", str(out))
    assert broken.returncode == 1
    assert f"BROKEN at record {record['id']}: its line is malformed" in broken.stdout
    nowhere = tmp_path / "nothing"
    missing = await asyncio.to_thread(run_cli, "log", "verify", "--data-dir", str(nowhere))
    assert missing.returncode == 2 and f"no store at {nowhere / 'ngsp-sim.sqlite3'}" in missing.stderr
    assert not nowhere.exists()  # checking a log never creates a store or a key
    keyless = tmp_path / "keyless"
    keyless.mkdir()
    shutil.copy(db, keyless / db.name)  # the store without its key
    no_key = await asyncio.to_thread(run_cli, "log", "verify", "--data-dir", str(keyless))
    assert no_key.returncode == 2 and f"no message-log key at {keyless / 'message-log.key'}" in no_key.stderr
    assert not (keyless / "message-log.key").exists()
    os.chmod(key, 0o644)
    refused = await asyncio.to_thread(run_cli, "log", "verify", "--data-dir", str(db.parent))
    assert refused.returncode == 2 and "can be read by others" in refused.stderr


def test_where_the_key_lives(tmp_path: Path) -> None:
    """Never inside the database: beside a SQLite file, in the data directory, or where it is told."""
    given = tmp_path / "secret.key"
    assert log_key_path(given, "sqlite:///srv/hub.db", tmp_path) == given
    assert log_key_path(None, "sqlite:///srv/hub.db", tmp_path) == Path("/srv/message-log.key")
    assert log_key_path(None, None, tmp_path) == tmp_path / "message-log.key"
    assert log_key_path(None, "postgresql://u@h:5432/db", tmp_path) == tmp_path / "message-log.key"
    assert log_key_path(None, "postgresql://u@h:5432/db", None) is None  # ephemeral, with a warning
    assert log_key_path(None, "sqlite:///:memory:", tmp_path) is None


def test_two_replicas_creating_the_key_at_once_get_the_same_key(tmp_path: Path) -> None:
    with ThreadPoolExecutor(8) as pool:
        keys = list(pool.map(lambda _: LogKey.load_or_create(tmp_path / "k" / "message-log.key"), range(8)))
    assert len({k.fingerprint for k in keys}) == 1
    assert sorted(p.name for p in (tmp_path / "k").iterdir()) == ["message-log.key"]  # no temporary left
    assert keys[0].fingerprint in repr(keys[0]) and "BEGIN" not in repr(keys[0])
