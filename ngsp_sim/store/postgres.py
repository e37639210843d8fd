"""The scale-out store: PostgreSQL through asyncpg, shared by several hub replicas.

Appends to the message log take a transaction-scoped advisory lock, so the hash chain stays one
chain however many replicas write. ``schema`` (from ``?schema=`` in the store URL) isolates one hub
installation, or one test, inside a shared database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import asyncpg
import orjson

from ngsp_sim.store.base import (
    BaseTopology,
    Credential,
    HubLease,
    MessageEntry,
    MessageQuery,
    RegistryChange,
    ServiceHealth,
    StoredMessage,
)
from ngsp_sim.store.chain import ChainState
from ngsp_sim.store.exchange import ExchangeStore, PostgresRunner
from ngsp_sim.store.logkey import LogKey
from ngsp_sim.store.sql import (
    ALL_COLUMNS,
    CREDENTIAL_COLUMNS,
    DROP_STALE_LEASES,
    INSERT_COLUMNS,
    KEYED_SEALS,
    LEASE_CONFLICT,
    LIST_COLUMNS,
    MAX_ID,
    MIGRATIONS,
    PURGE_KEEP,
    PURGE_LAST,
    RESEAL_UPDATE,
    SCAN,
    STATE_SELECT,
    STATE_UPDATE,
    UPSERT_BASE,
    UPSERT_LEASE,
    bind,
    health_query,
    message_filters,
    row_to_change,
    row_to_credential,
    row_to_health,
    row_to_lease,
    row_to_message,
    row_to_state,
    sealed_rows,
    state_params,
    tamper_column,
)
from ngsp_sim.store.upgrade import reseal

__all__ = ["PostgresStore"]

_MIGRATION_LOCK = 0x6E677370  # "ngsp"
_CHAIN_LOCK = 0x6E677371
_TOPOLOGY_LOCK = 0x6E677372


class PostgresStore:
    """``key``: the message log's key, the same for every replica (an ephemeral one if not given, for
    tests: the CLI and the hub always give one)."""

    def __init__(self, dsn: str, schema: str | None = None, *, pool_size: int = 10, key: LogKey | None = None) -> None:
        self.dsn = dsn
        self.key = key or LogKey.ephemeral()
        self.schema = schema
        self.pool_size = pool_size
        self.display = dsn.split("@")[-1] + (f" (schema {schema})" if schema else "")
        self._pool: asyncpg.Pool | None = None
        self.exchange = ExchangeStore(PostgresRunner(self))

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the store is not open")
        return self._pool

    async def open(self) -> None:
        settings = {"application_name": "ngsp-sim"}
        if self.schema:
            conn = await asyncpg.connect(self.dsn)
            try:
                await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            finally:
                await conn.close()
            settings["search_path"] = self.schema
        self._pool = await asyncpg.create_pool(self.dsn, min_size=1, max_size=self.pool_size, server_settings=settings)
        await self._migrate()

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def _migrate(self) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
            await conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")
            done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
            for version, script in MIGRATIONS["postgresql"]:
                if version not in done:
                    await conn.execute(script)
                    if version == KEYED_SEALS:
                        await self._reseal(conn)
                    await conn.execute("INSERT INTO schema_migrations (version) VALUES ($1)", version)

    async def _reseal(self, conn: asyncpg.Connection) -> None:
        async def fetch(after: int, limit: int) -> list[StoredMessage]:
            return [row_to_message(r, compressed=False) for r in await conn.fetch(SCAN, after, limit)]

        async def write(rows: list[tuple[Any, ...]]) -> None:
            await conn.executemany(RESEAL_UPDATE, rows)

        state = await reseal(self.key, await conn.fetchval("SELECT anchor FROM chain WHERE id = 1"), fetch, write)
        await conn.execute(STATE_UPDATE, *state_params(state))

    async def schema_version(self) -> int:
        return int(await self.pool.fetchval("SELECT coalesce(max(version), 0) FROM schema_migrations"))

    async def append_messages(self, entries: Sequence[MessageEntry]) -> None:
        if not entries:
            return
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _CHAIN_LOCK)
            state = row_to_state(await conn.fetchrow(STATE_SELECT))
            rows, head_hash = await asyncio.to_thread(sealed_rows, self.key, state.head_hash, entries)
            marks = ", ".join(f"${i}" for i in range(1, len(rows[0]) + 1))
            try:
                await conn.executemany(f"INSERT INTO messages ({INSERT_COLUMNS}) VALUES ({marks})", rows)
            except asyncpg.DataError as exc:  # e.g. NUL in a text column: this data, not the store
                raise ValueError(f"PostgreSQL refused a record: {exc}") from exc
            head_id = int(await conn.fetchval("SELECT max(id) FROM messages"))
            await conn.execute(STATE_UPDATE, *state_params(state.moved(self.key, head=(head_id, head_hash))))

    async def list_messages(self, query: MessageQuery) -> list[StoredMessage]:
        where, params = message_filters(query, lambda n: f"${n}")
        sql = f"SELECT {LIST_COLUMNS} FROM messages{where} ORDER BY id DESC LIMIT ${len(params) + 1}"
        return [row_to_message(r) for r in await self.pool.fetch(sql, *params, query.limit)]

    async def get_message(self, message_pk: int) -> StoredMessage | None:
        row = await self.pool.fetchrow(f"SELECT {ALL_COLUMNS} FROM messages WHERE id = $1", message_pk)
        return row_to_message(row) if row else None

    async def scan_messages(self, after_id: int, limit: int) -> list[StoredMessage]:
        return [row_to_message(r) for r in await self.pool.fetch(SCAN, after_id, limit)]

    async def last_message_id(self) -> int:
        return int(await self.pool.fetchval("SELECT coalesce(max(id), 0) FROM messages"))

    async def chain_state(self) -> ChainState:
        return row_to_state(await self.pool.fetchrow(STATE_SELECT))

    async def service_health(self, since_ms: int, until_ms: int) -> list[ServiceHealth]:
        return [row_to_health(r) for r in await self.pool.fetch(health_query("$1", "$2"), since_ms, until_ms)]

    async def purge_messages(self, before_ms: int) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _CHAIN_LOCK)
            keep = await conn.fetchval(PURGE_KEEP, before_ms)
            last = await conn.fetchrow(PURGE_LAST, keep if keep is not None else MAX_ID)
            if last is None:
                return 0
            state = row_to_state(await conn.fetchrow(STATE_SELECT))
            status = await conn.execute("DELETE FROM messages WHERE id <= $1", last["id"])
            await conn.execute(STATE_UPDATE, *state_params(state.moved(self.key, anchor=last["hash"])))
            return int(status.split()[-1])

    async def get_base_topology(self) -> BaseTopology | None:
        row = await self.pool.fetchrow("SELECT source, sha256, body FROM topology_base WHERE id = 1")
        return BaseTopology(row["source"], row["sha256"], row["body"]) if row else None

    async def set_base_topology(self, base: BaseTopology) -> None:
        await self.pool.execute(bind(UPSERT_BASE, "postgresql"), base.source, base.sha256, base.text)

    async def claim_topology(self, base: BaseTopology, lease: HubLease, fresh_after_ms: int) -> HubLease | None:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _TOPOLOGY_LOCK)  # replicas claim in turn
            row = await conn.fetchrow(bind(LEASE_CONFLICT, "postgresql"), lease.hub_id, base.sha256, fresh_after_ms)
            if row is not None:
                return row_to_lease(row)
            await conn.execute(bind(DROP_STALE_LEASES, "postgresql"), fresh_after_ms)
            stored = await conn.fetchval("SELECT sha256 FROM topology_base WHERE id = 1")
            if stored != base.sha256:
                await conn.execute(bind(UPSERT_BASE, "postgresql"), base.source, base.sha256, base.text)
            await conn.execute(
                bind(UPSERT_LEASE, "postgresql"), lease.hub_id, lease.sha256, lease.holder, lease.seen_ms
            )
        return None

    async def renew_lease(self, lease: HubLease) -> None:
        await self.pool.execute(
            bind(UPSERT_LEASE, "postgresql"), lease.hub_id, lease.sha256, lease.holder, lease.seen_ms
        )

    async def release_lease(self, hub_id: str) -> None:
        await self.pool.execute("DELETE FROM hub_leases WHERE hub_id = $1", hub_id)

    async def add_change(self, change: RegistryChange) -> int:
        return int(
            await self.pool.fetchval(
                "INSERT INTO registry_changes (ts_ms, actor, op, payload) VALUES ($1, $2, $3, $4) RETURNING id",
                change.ts_ms,
                change.actor,
                change.op,
                orjson.dumps(change.payload).decode(),
            )
        )

    async def list_changes(self, after_id: int = 0) -> list[RegistryChange]:
        sql = "SELECT id, ts_ms, actor, op, payload FROM registry_changes WHERE id > $1 ORDER BY id"
        return [row_to_change(r) for r in await self.pool.fetch(sql, after_id)]

    async def registry_version(self) -> tuple[str, int]:
        row = await self.pool.fetchrow(
            "SELECT (SELECT sha256 FROM topology_base WHERE id = 1) AS sha, "
            "(SELECT coalesce(max(id), 0) FROM registry_changes) AS last"
        )
        return (row["sha"] or "", int(row["last"]))

    async def get_credential(self, consumer_key: str) -> Credential | None:
        row = await self.pool.fetchrow(
            f"SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE consumer_key = $1", consumer_key
        )
        return row_to_credential(row) if row else None

    async def put_credential(self, credential: Credential) -> None:
        await self.pool.execute(
            f"INSERT INTO credentials ({CREDENTIAL_COLUMNS}) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (consumer_key) "
            "DO UPDATE SET client = excluded.client, secret_hash = excluded.secret_hash, "
            "source = excluded.source, updated_ms = excluded.updated_ms",
            credential.consumer_key,
            credential.client,
            credential.secret_hash,
            credential.source,
            credential.updated_ms,
        )

    async def list_credentials(self) -> list[Credential]:
        rows = await self.pool.fetch(f"SELECT {CREDENTIAL_COLUMNS} FROM credentials ORDER BY consumer_key")
        return [row_to_credential(r) for r in rows]

    async def put_token(self, token_hash: str, consumer_key: str, client: str, expires_ms: int) -> None:
        await self.pool.execute(
            "INSERT INTO tokens (token_hash, consumer_key, client, expires_ms) VALUES ($1, $2, $3, $4)",
            token_hash,
            consumer_key,
            client,
            expires_ms,
        )

    async def get_token(self, token_hash: str) -> tuple[str, int] | None:
        row = await self.pool.fetchrow("SELECT client, expires_ms FROM tokens WHERE token_hash = $1", token_hash)
        return (row["client"], int(row["expires_ms"])) if row else None

    async def delete_tokens(self, consumer_key: str) -> int:
        status = await self.pool.execute("DELETE FROM tokens WHERE consumer_key = $1", consumer_key)
        return int(status.split()[-1])

    async def purge_tokens(self, before_ms: int) -> int:
        status = await self.pool.execute("DELETE FROM tokens WHERE expires_ms < $1", before_ms)
        return int(status.split()[-1])

    async def tamper_for_tests(self, message_pk: int, column: str, value: Any) -> None:
        await self.pool.execute(f"UPDATE messages SET {tamper_column(column)} = $1 WHERE id = $2", value, message_pk)
