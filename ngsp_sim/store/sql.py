"""What both SQL backends share: the schema migrations, the message filters, row conversion.

Migrations are numbered; each backend applies, in one transaction each, those it has not recorded in
``schema_migrations``. The two dialects differ only where SQLite and PostgreSQL do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import orjson

from ngsp_sim.store.base import Credential, HubLease, MessageQuery, RegistryChange, ServiceHealth, StoredMessage
from ngsp_sim.store.chain import SealedEntry

__all__ = ["MIGRATIONS", "message_filters", "row_to_change", "row_to_message"]

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

# {n} stands for the n-th parameter; bind() writes it in the backend's style.
LEASE_CONFLICT = (
    "SELECT hub_id, sha256, holder, seen_ms FROM hub_leases "
    "WHERE hub_id <> {1} AND sha256 <> {2} AND seen_ms >= {3} ORDER BY seen_ms DESC LIMIT 1"
)
DROP_STALE_LEASES = "DELETE FROM hub_leases WHERE seen_ms < {1}"
UPSERT_LEASE = (
    "INSERT INTO hub_leases (hub_id, sha256, holder, seen_ms) VALUES ({1}, {2}, {3}, {4}) "
    "ON CONFLICT (hub_id) DO UPDATE SET sha256 = excluded.sha256, holder = excluded.holder, "
    "seen_ms = excluded.seen_ms"
)
UPSERT_BASE = (
    "INSERT INTO topology_base (id, source, sha256, body) VALUES (1, {1}, {2}, {3}) "
    "ON CONFLICT (id) DO UPDATE SET source = excluded.source, sha256 = excluded.sha256, body = excluded.body"
)


def bind(sql: str, dialect: str) -> str:
    """``{1}``, ``{2}``... as ``?`` (SQLite) or ``$1``, ``$2``... (PostgreSQL)."""
    return sql.format(*(["?"] * 9 if dialect == "sqlite" else [f"${n}" for n in range(10)]))


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

MIGRATIONS: Mapping[str, list[tuple[int, str]]] = {
    "sqlite": [
        (1, _MESSAGES.format(pk="INTEGER PRIMARY KEY AUTOINCREMENT", blob="BLOB")),
        (2, _CREDENTIALS),
        (3, _INJECTED),
        (4, _EXCHANGE.format(pk="INTEGER PRIMARY KEY AUTOINCREMENT", blob="BLOB")),
        (5, _LEASES),
    ],
    "postgresql": [
        (1, _MESSAGES.format(pk="BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", blob="BYTEA")),
        (2, _CREDENTIALS),
        (3, _INJECTED),
        (4, _EXCHANGE.format(pk="BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", blob="BYTEA")),
        (5, _LEASES),
    ],
}

LATEST_MIGRATION = max(version for version, _ in MIGRATIONS["sqlite"])

CREDENTIAL_COLUMNS = "consumer_key, client, secret_hash, source, updated_ms"

LIST_COLUMNS = (
    "id, message_id, request_in_ts, client, service, succeeded, fault_code, status_code, duration_ms, "
    "record, violations, truncated, prev_hash, hash, injected"
)
ALL_COLUMNS = LIST_COLUMNS + ", client_request, provider_request, provider_response, client_response"


def message_filters(query: MessageQuery, placeholder: Callable[[int], str]) -> tuple[str, list[Any]]:
    """The WHERE clause (possibly empty) and its parameters; ``placeholder(n)`` writes the n-th."""
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
            clauses.append(f"{column} {op} {placeholder(len(params))}")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _bytes(value: Any) -> bytes | None:
    return None if value is None else bytes(value)


def row_to_message(row: Any) -> StoredMessage:
    keys = row.keys()
    return StoredMessage(
        record=orjson.loads(row["record"]),
        client=row["client"],
        service=row["service"],
        client_request=_bytes(row["client_request"]) if "client_request" in keys else None,
        provider_request=_bytes(row["provider_request"]) if "provider_request" in keys else None,
        provider_response=_bytes(row["provider_response"]) if "provider_response" in keys else None,
        client_response=_bytes(row["client_response"]) if "client_response" in keys else None,
        violations=orjson.loads(row["violations"]) if row["violations"] else None,
        truncated=bool(row["truncated"]),
        id=int(row["id"]),
        prev_hash=row["prev_hash"],
        hash=row["hash"],
        record_json=row["record"],
        violations_json=row["violations"],
        injected=row["injected"],
    )


def row_to_credential(row: Any) -> Credential:
    return Credential(row["consumer_key"], row["client"], row["secret_hash"], row["source"], int(row["updated_ms"]))


def row_to_lease(row: Any) -> HubLease:
    return HubLease(row[0], row[1], row[2], int(row[3]))


def row_to_change(row: Any) -> RegistryChange:
    return RegistryChange(row["op"], orjson.loads(row["payload"]), row["actor"], int(row["ts_ms"]), int(row["id"]))


def insert_params(sealed: SealedEntry) -> tuple[Any, ...]:
    entry, record = sealed.entry, sealed.entry.record
    return (
        record.get("messageId") or "",
        entry.request_in_ts,
        entry.client,
        entry.service,
        bool(record.get("succeeded")),
        record.get("faultCode"),
        record.get("statusCode"),
        entry.duration_ms,
        sealed.record_json,
        sealed.violations_json,
        entry.truncated,
        entry.client_request,
        entry.provider_request,
        entry.provider_response,
        entry.client_response,
        sealed.prev_hash,
        sealed.hash,
        entry.injected,
    )


INSERT_COLUMNS = (
    "message_id, request_in_ts, client, service, succeeded, fault_code, status_code, duration_ms, record, "
    "violations, truncated, client_request, provider_request, provider_response, client_response, prev_hash, hash, "
    "injected"
)


def health_query(since: str, until: str) -> str:
    return (
        "SELECT service, "
        "SUM(CASE WHEN succeeded THEN 1 ELSE 0 END) AS successes, "
        "SUM(CASE WHEN succeeded THEN 0 ELSE 1 END) AS failures, "
        "MIN(duration_ms) AS min_ms, AVG(duration_ms) AS avg_ms, MAX(duration_ms) AS max_ms, "
        "MAX(CASE WHEN succeeded THEN request_in_ts END) AS last_success_ms, "
        "MAX(CASE WHEN succeeded THEN NULL ELSE request_in_ts END) AS last_failure_ms "
        f"FROM messages WHERE service IS NOT NULL AND request_in_ts >= {since} AND request_in_ts < {until} "
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


MAX_ID = 2**62
PURGE_KEEP = "SELECT min(id) FROM messages WHERE request_in_ts >= $1"
PURGE_LAST = "SELECT id, hash FROM messages WHERE id < $1 ORDER BY id DESC LIMIT 1"
