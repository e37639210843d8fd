"""The scale-out store: PostgreSQL through asyncpg, shared by several hub replicas.

A named write transaction (:data:`~ngsp_sim.store.dialect.Lock`) takes a transaction-scoped advisory
lock, so the message log's hash chain stays one chain however many replicas write, and replicas claim
the registry and migrate the schema in turn. ``schema`` (from ``?schema=`` in the store URL) isolates
one hub installation, or one test, inside a shared database. What is stored, and how, is written once
in :class:`~ngsp_sim.store.sqlstore.SqlStore`; this module is the pool and :class:`PostgresDialect`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from ngsp_sim.store.dialect import Lock, Row, numbered
from ngsp_sim.store.logkey import LogKey
from ngsp_sim.store.sqlstore import SqlStore

__all__ = ["PostgresDialect", "PostgresStore"]

_LOCKS: dict[Lock, int] = {  # "ngsp"...
    "migration": 0x6E677370,
    "chain": 0x6E677371,
    "topology": 0x6E677372,
    "clock": 0x6E677373,
}


class PostgresStore(SqlStore):
    """``key``: the message log's key, the same for every replica (an ephemeral one if not given, for
    tests: the CLI and the hub always give one)."""

    def __init__(self, dsn: str, schema: str | None = None, *, pool_size: int = 10, key: LogKey | None = None) -> None:
        self.dsn = dsn
        self.schema = schema
        self.pool_size = pool_size
        self._pool: asyncpg.Pool | None = None
        display = dsn.split("@")[-1] + (f" (schema {schema})" if schema else "")
        super().__init__(PostgresDialect(self), key or LogKey.ephemeral(), display)

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
        await self.migrate()

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


class PostgresDialect:
    name = "postgresql"
    label = "PostgreSQL"
    blob = "BYTEA"
    skip_locked = " FOR UPDATE OF d SKIP LOCKED"  # replicas claiming deliveries skip each other's rows
    data_errors: tuple[type[Exception], ...] = (asyncpg.DataError,)  # e.g. NUL in a text column

    def __init__(self, store: PostgresStore) -> None:
        self.store = store

    @asynccontextmanager
    async def transaction(self, lock: Lock | None = None) -> AsyncIterator[_PostgresTx]:
        async with self.store.pool.acquire() as conn, conn.transaction():
            if lock is not None:
                await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCKS[lock])
            yield _PostgresTx(conn)

    async def fetch(self, sql: str, *params: Any) -> list[Row]:
        return list(await self.store.pool.fetch(numbered(sql), *params))

    async def fetchrow(self, sql: str, *params: Any) -> Row | None:
        row: Row | None = await self.store.pool.fetchrow(numbered(sql), *params)
        return row


class _PostgresTx:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def fetch(self, sql: str, *params: Any) -> list[Row]:
        return list(await self.conn.fetch(numbered(sql), *params))

    async def fetchrow(self, sql: str, *params: Any) -> Row | None:
        row: Row | None = await self.conn.fetchrow(numbered(sql), *params)
        return row

    async def execute(self, sql: str, *params: Any) -> int:
        status: str = await self.conn.execute(numbered(sql), *params)  # e.g. "DELETE 3", "CREATE TABLE"
        count = status.rsplit(" ", 1)[-1]
        return int(count) if count.isdigit() else 0

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        await self.conn.executemany(numbered(sql), rows)

    async def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        # COPY ... FROM STDIN (binary): one round trip and no per-row statement (about 2x executemany)
        await self.conn.copy_records_to_table(table, records=rows, columns=list(columns))

    async def insert(self, sql: str, *params: Any) -> int:
        return int(await self.conn.fetchval(numbered(sql) + " RETURNING id", *params))
