"""The schema migrations and the message log's SQL, shared by both backends.

Migrations are numbered; :class:`~ngsp_sim.store.sqlstore.SqlStore` applies, in one transaction each,
those it has not recorded in ``schema_migrations``. Their SQL never changes once released (existing
stores must open); the two variants differ only in the key and blob types.
"""

from __future__ import annotations

import re
import threading
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
import zstandard

from ngsp_sim.store.base import (
    BODY_NAMES,
    MessageEntry,
    MessageQuery,
    ServiceHealth,
    StoredMessage,
)
from ngsp_sim.store.chain import QUERYABLE, ChainState, SealedEntry, queryable_values, seal
from ngsp_sim.store.logkey import LogKey

__all__ = ["LATEST_MIGRATION", "MIGRATIONS", "message_filters", "qmarks", "row_to_message"]

_MESSAGES = """
CREATE TABLE messages (
    id {pk},
    message_id TEXT NOT NULL,
    request_in_ts BIGINT NOT NULL,
    client TEXT,
    service TEXT,
    succeeded BOOLEAN NOT NULL,
    fault_code TEXT,
    status_code INTEGER,
    duration_ms BIGINT,
    record TEXT NOT NULL,
    violations TEXT,
    truncated BOOLEAN NOT NULL DEFAULT FALSE,
    client_request {blob},
    provider_request {blob},
    provider_response {blob},
    client_response {blob},
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX messages_ts ON messages (request_in_ts);
CREATE INDEX messages_service ON messages (service, id);
CREATE INDEX messages_service_ts ON messages (service, request_in_ts);
CREATE INDEX messages_client ON messages (client, id);
CREATE INDEX messages_failed ON messages (id) WHERE NOT succeeded;
CREATE INDEX messages_message_id ON messages (message_id);
CREATE TABLE chain (id INTEGER PRIMARY KEY, anchor TEXT NOT NULL);
INSERT INTO chain (id, anchor) VALUES (1, '');
CREATE TABLE topology_base (
    id INTEGER PRIMARY KEY, source TEXT NOT NULL, sha256 TEXT NOT NULL, body TEXT NOT NULL
);
CREATE TABLE registry_changes (
    id {pk}, ts_ms BIGINT NOT NULL, actor TEXT NOT NULL, op TEXT NOT NULL, payload TEXT NOT NULL
);
"""

_CREDENTIALS = """
CREATE TABLE credentials (
    consumer_key TEXT PRIMARY KEY, client TEXT NOT NULL, secret_hash TEXT NOT NULL,
    source TEXT NOT NULL, updated_ms BIGINT NOT NULL
);
CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY, consumer_key TEXT NOT NULL, client TEXT NOT NULL, expires_ms BIGINT NOT NULL
);
CREATE INDEX tokens_key ON tokens (consumer_key);
CREATE INDEX tokens_expiry ON tokens (expires_ms);
"""

_LEASES = """
CREATE TABLE hub_leases (
    hub_id TEXT PRIMARY KEY, sha256 TEXT NOT NULL, holder TEXT NOT NULL, seen_ms BIGINT NOT NULL
)
"""

_CLOCK = """
CREATE TABLE platform_clock (
    id INTEGER PRIMARY KEY, offset_ms BIGINT NOT NULL, frozen_at_ms BIGINT, version BIGINT NOT NULL
)
"""
"""The platform clock replicas share (one row): its offset from real time, the instant it froze."""

_INJECTED = "ALTER TABLE messages ADD COLUMN injected TEXT"

_EXCHANGE = """
CREATE TABLE edocs (
    doc_id TEXT PRIMARY KEY, kind TEXT NOT NULL, sender TEXT NOT NULL, document_id TEXT,
    business_type INTEGER, subject TEXT, status_code TEXT, about TEXT, body {blob} NOT NULL,
    sha256 TEXT NOT NULL, created_ms BIGINT NOT NULL
);
CREATE INDEX edocs_sent ON edocs (sender, document_id);
CREATE TABLE mailbox (
    id {pk}, organ_id TEXT NOT NULL, doc_id TEXT NOT NULL, received_ms BIGINT NOT NULL
);
CREATE INDEX mailbox_organ ON mailbox (organ_id, id);
CREATE UNIQUE INDEX mailbox_doc ON mailbox (doc_id, organ_id);
CREATE TABLE edoc_status (
    doc_id TEXT NOT NULL, organ_id TEXT NOT NULL, status_code TEXT NOT NULL, updated_ms BIGINT NOT NULL,
    PRIMARY KEY (doc_id, organ_id)
);
CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY, topic TEXT NOT NULL, url TEXT NOT NULL, secret TEXT NOT NULL,
    max_attempts INTEGER NOT NULL, source TEXT NOT NULL, created_ms BIGINT NOT NULL, active BOOLEAN NOT NULL
);
CREATE INDEX subscriptions_topic ON subscriptions (topic);
CREATE TABLE deliveries (
    id {pk}, subscription_id TEXT NOT NULL, event_type TEXT NOT NULL, topic TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE, payload {blob} NOT NULL, created_ms BIGINT NOT NULL,
    status TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_ms BIGINT NOT NULL,
    lease_until_ms BIGINT NOT NULL, last_error TEXT, delivered_ms BIGINT
);
CREATE INDEX deliveries_open ON deliveries (subscription_id, id) WHERE status IN ('pending', 'failed');
CREATE INDEX deliveries_status ON deliveries (status, id);
"""

# Keyed seals (the chain key and the signed chain state) and compressed bodies. Applying it also
# re-seals and compresses every existing record (ngsp_sim.store.upgrade), in the same transaction.
_KEYED = """
ALTER TABLE chain ADD COLUMN head_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE chain ADD COLUMN head_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE chain ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE chain ADD COLUMN signature TEXT NOT NULL DEFAULT ''
"""
KEYED_SEALS = 5
LEASES = 6
CLOCK = 7

# PostgreSQL compresses a row over ~2 KB column by column, then moves what still does not fit into the
# TOAST table. A message-log row (~2.4-3 KB) paid that on every insert, with pglz: most of the server's
# CPU per record (docs/performance.md, issue 22). lz4 compresses the record's JSON at a fraction of
# pglz's CPU and gives up on the bodies (zstd already) at once; the row's size on disk is the same.
# Servers without lz4 (before PostgreSQL 14, or built without it) keep pglz: see LZ4_SUPPORTED.
LZ4_COLUMNS = 8
_LZ4 = "ALTER TABLE messages " + ", ".join(
    f"ALTER COLUMN {name} SET COMPRESSION lz4" for name in ("record", "violations", *BODY_NAMES)
)
LZ4_SUPPORTED = "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"

MIGRATIONS: Mapping[str, list[tuple[int, str]]] = {
    "sqlite": [
        (1, _MESSAGES.format(pk="INTEGER PRIMARY KEY AUTOINCREMENT", blob="BLOB")),
        (2, _CREDENTIALS),
        (3, _INJECTED),
        (4, _EXCHANGE.format(pk="INTEGER PRIMARY KEY AUTOINCREMENT", blob="BLOB")),
        (KEYED_SEALS, _KEYED),
        (LEASES, _LEASES),
        (CLOCK, _CLOCK),
        (LZ4_COLUMNS, ""),  # SQLite does not compress rows
    ],
    "postgresql": [
        (1, _MESSAGES.format(pk="BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", blob="BYTEA")),
        (2, _CREDENTIALS),
        (3, _INJECTED),
        (4, _EXCHANGE.format(pk="BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", blob="BYTEA")),
        (KEYED_SEALS, _KEYED),
        (LEASES, _LEASES),
        (CLOCK, _CLOCK),
        (LZ4_COLUMNS, _LZ4),
    ],
}

LATEST_MIGRATION = max(version for version, _ in MIGRATIONS["sqlite"])

LIST_COLUMNS = (
    "id, message_id, request_in_ts, client, service, succeeded, fault_code, status_code, duration_ms, "
    "record, violations, truncated, prev_hash, hash, injected"
)
ALL_COLUMNS = LIST_COLUMNS + ", client_request, provider_request, provider_response, client_response"


def message_filters(query: MessageQuery) -> tuple[str, list[Any]]:
    """The WHERE clause (possibly empty) and its parameters."""
    clauses: list[str] = []
    params: list[Any] = []
    if query.fault_code is not None or query.succeeded is False:
        # A fault implies failure; saying so lets both databases use the partial index of failures.
        clauses.append("NOT succeeded")
    for column, op, value in (
        ("client", "=", query.client),
        ("service", "=", query.service),
        ("succeeded", "=", True if query.succeeded else None),
        ("fault_code", "=", query.fault_code),
        ("message_id", "=", query.message_id),
        ("request_in_ts", ">=", query.since_ms),
        ("request_in_ts", "<", query.until_ms),
        ("id", "<", query.before_id),
    ):
        if value is not None:
            params.append(value)
            clauses.append(f"{column} {op} ?")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


_UNPACKED_LIMIT = 64 * 1024 * 1024  # far above any body the hub stores; a stored zip bomb stays small
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
"""How a zstd frame starts; never how a zlib stream does (0x28b5 is not a multiple of 31)."""
_ZSTD_LEVEL = -1
"""zstd's fastest regular level but one: ~2.4x less CPU per small body than level 1 (they cost mostly
per call), bodies ~14% larger (docs/performance.md, issue 22)."""
_local = threading.local()  # a zstd context is not thread-safe: one per thread that seals


def _zstd() -> tuple[zstandard.ZstdCompressor, zstandard.ZstdDecompressor]:
    contexts: tuple[zstandard.ZstdCompressor, zstandard.ZstdDecompressor] | None = getattr(_local, "zstd", None)
    if contexts is None:
        contexts = _local.zstd = (zstandard.ZstdCompressor(level=_ZSTD_LEVEL), zstandard.ZstdDecompressor())
    return contexts


def pack_body(body: bytes | None) -> bytes | None:
    """A body as stored: one zstd frame (the seal covers the uncompressed bytes). Stores written
    before 2026-12-01 hold zlib streams; :func:`unpack_body` reads both, told apart by their first
    bytes, so old records stay readable and verifiable without rewriting them. zstd rather than zlib:
    about a third of the CPU for the small bodies of an exchange (zlib's cost is mostly per call)."""
    return None if body is None else _zstd()[0].compress(body)


def unpack_body(value: Any, compressed: bool = True) -> bytes | None:
    """A stored body, uncompressed. Bytes that do not decompress are returned as stored: they are not
    what the hub wrote, and the record's seal check names the record."""
    if value is None:
        return None
    raw = bytes(value)
    if not compressed:
        return raw
    if raw.startswith(_ZSTD_MAGIC):
        return _unzstd(raw)
    inflater = zlib.decompressobj()
    try:
        body = inflater.decompress(raw, _UNPACKED_LIMIT)
    except zlib.error:
        return raw
    return body if inflater.eof and not inflater.unconsumed_tail else raw


def _unzstd(raw: bytes) -> bytes:
    try:
        size = zstandard.frame_content_size(raw)
        if size > _UNPACKED_LIMIT:  # the frame says how big it is: refuse a bomb before allocating
            return raw
        # a frame that does not say (size -1) is cut off at the limit by max_output_size
        return _zstd()[1].decompress(raw, max_output_size=_UNPACKED_LIMIT)
    except zstandard.ZstdError:
        return raw


def row_to_message(row: Any, *, compressed: bool = True) -> StoredMessage:
    keys = row.keys()
    bodies = {name: unpack_body(row[name], compressed) if name in keys else None for name in BODY_NAMES}
    return StoredMessage(
        record=orjson.loads(row["record"]),
        client=row["client"],
        service=row["service"],
        client_request=bodies["client_request"],
        provider_request=bodies["provider_request"],
        provider_response=bodies["provider_response"],
        client_response=bodies["client_response"],
        violations=orjson.loads(row["violations"]) if row["violations"] else None,
        truncated=bool(row["truncated"]),
        id=int(row["id"]),
        prev_hash=row["prev_hash"],
        hash=row["hash"],
        record_json=row["record"],
        violations_json=row["violations"],
        injected=row["injected"],
        columns={name: _column(name, row[name]) for name in QUERYABLE},
    )


def _column(name: str, value: Any) -> Any:
    # SQLite has no booleans: normalise so that a stored 0/1 compares with the record's False/True.
    if name == "succeeded" and value in (0, 1):
        return bool(value)
    return value


def insert_params(sealed: SealedEntry) -> tuple[Any, ...]:
    """One record's row, in :data:`INSERT_COLUMNS`' order."""
    entry = sealed.entry
    return (
        *queryable_values(entry),
        entry.client,
        entry.service,
        sealed.record_json,
        sealed.violations_json,
        entry.truncated,
        pack_body(entry.client_request),
        pack_body(entry.provider_request),
        pack_body(entry.provider_response),
        pack_body(entry.client_response),
        sealed.prev_hash,
        sealed.hash,
        entry.injected,
    )


def sealed_rows(key: LogKey, prev_hash: str, entries: Sequence[MessageEntry]) -> tuple[list[tuple[Any, ...]], str]:
    """(the insert parameters of ``entries`` chained after ``prev_hash``, the last seal). CPU work only
    (serialising, HMAC, zstd): the backends run it in a thread, off the event loop."""
    sealed = seal(key, prev_hash, entries)
    return [insert_params(one) for one in sealed], sealed[-1].hash


INSERT_COLUMNS = (
    *QUERYABLE,
    *("client", "service", "record", "violations", "truncated"),
    *BODY_NAMES,
    *("prev_hash", "hash", "injected"),
)
"""The columns :func:`insert_params` fills, in its order."""


HEALTH = (
    "SELECT service, "
    "SUM(CASE WHEN succeeded THEN 1 ELSE 0 END) AS successes, "
    "SUM(CASE WHEN succeeded THEN 0 ELSE 1 END) AS failures, "
    "MIN(duration_ms) AS min_ms, AVG(duration_ms) AS avg_ms, MAX(duration_ms) AS max_ms, "
    "MAX(CASE WHEN succeeded THEN request_in_ts END) AS last_success_ms, "
    "MAX(CASE WHEN succeeded THEN NULL ELSE request_in_ts END) AS last_failure_ms "
    "FROM messages WHERE service IS NOT NULL AND request_in_ts >= ? AND request_in_ts < ? "
    "GROUP BY service ORDER BY service"
)


def row_to_health(row: Any) -> ServiceHealth:
    def opt(value: Any) -> int | None:
        return None if value is None else int(value)

    return ServiceHealth(
        row["service"],
        int(row["successes"]),
        int(row["failures"]),
        opt(row["min_ms"]),
        None if row["avg_ms"] is None else round(float(row["avg_ms"]), 2),
        opt(row["max_ms"]),
        opt(row["last_success_ms"]),
        opt(row["last_failure_ms"]),
    )


_TAMPERABLE = frozenset({"record", "client_request", "client_response", "service", "hash", "prev_hash"})


def tamper_column(column: str) -> str:
    if column not in _TAMPERABLE:
        raise ValueError(f"{column} is not a column tests may tamper with")
    return column


def qmarks(sql: str) -> str:
    """PostgreSQL's ``$n`` placeholders as SQLite's ``?`` (the statements bind in order): for tests
    that write raw SQL once for both backends."""
    return re.sub(r"\$\d+", "?", sql)


STATE_SELECT = "SELECT anchor, head_id, head_hash, key_id, signature FROM chain WHERE id = 1"
STATE_UPDATE = "UPDATE chain SET anchor = ?, head_id = ?, head_hash = ?, key_id = ?, signature = ? WHERE id = 1"
RESEAL_UPDATE = (
    "UPDATE messages SET client_request = ?, provider_request = ?, provider_response = ?, client_response = ?, "
    "prev_hash = ?, hash = ? WHERE id = ?"
)
SCAN = f"SELECT {ALL_COLUMNS} FROM messages WHERE id > ? ORDER BY id LIMIT ?"


def row_to_state(row: Any) -> ChainState:
    """The chain state row (an empty, unsigned state when the row is gone)."""
    if row is None:
        return ChainState()
    return ChainState(row[0], int(row[1]), row[2], row[3], row[4])


def state_params(state: ChainState) -> tuple[Any, ...]:
    return (state.anchor, state.head_id, state.head_hash, state.key_id, state.signature)


MAX_ID = 2**62
PURGE_KEEP = "SELECT min(id) FROM messages WHERE request_in_ts >= ?"
PURGE_LAST = "SELECT id, hash FROM messages WHERE id < ? ORDER BY id DESC LIMIT 1"
