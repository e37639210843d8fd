"""The embedded default store: one SQLite file in WAL mode, through aiosqlite.

A writer connection serialises writes (``BEGIN IMMEDIATE``); a second connection reads, so queries of
the message log do not wait for the log writer. ``:memory:`` uses one connection for both (for tests
and throw-away hubs).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite
import orjson

from ngsp_sim.store.base import (
    BaseTopology,
    Credential,
    MessageEntry,
    MessageQuery,
    RegistryChange,
    ServiceHealth,
    StoredMessage,
)
from ngsp_sim.store.chain import seal
from ngsp_sim.store.exchange import ExchangeStore, SqliteRunner
from ngsp_sim.store.sql import (
    ALL_COLUMNS,
    CREDENTIAL_COLUMNS,
    INSERT_COLUMNS,
    LIST_COLUMNS,
    MAX_ID,
    MIGRATIONS,
    PURGE_KEEP,
    PURGE_LAST,
    health_query,
    insert_params,
    message_filters,
    row_to_change,
    row_to_credential,
    row_to_health,
    row_to_message,
    tamper_column,
)

__all__ = ["SqliteStore"]

_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=10000")


class SqliteStore:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.display = f"sqlite:///{self.path}"
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()  # one transaction at a time on the writer connection
        self.exchange = ExchangeStore(SqliteRunner(self))

    async def _connect(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        for pragma in _PRAGMAS:
            await conn.execute(pragma)
        return conn

    async def open(self) -> None:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._writer = await self._connect()
        self._reader = self._writer if self.path == ":memory:" else await self._connect()
        await self._migrate()

    async def close(self) -> None:
        for conn in {id(c): c for c in (self._reader, self._writer) if c is not None}.values():
            await conn.close()
        self._writer = self._reader = None

    @property
    def writer(self) -> aiosqlite.Connection:
        if self._writer is None:
            raise RuntimeError("the store is not open")
        return self._writer

    @property
    def reader(self) -> aiosqlite.Connection:
        if self._reader is None:
            raise RuntimeError("the store is not open")
        return self._reader

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._write_lock:
            db = self.writer
            try:
                await db.execute("BEGIN IMMEDIATE")  # inside the try: a cancelled BEGIN still runs, so roll back
                yield db
            except BaseException:
                with contextlib.suppress(sqlite3.OperationalError):  # no transaction: BEGIN itself failed
                    await asyncio.shield(db.execute("ROLLBACK"))
                raise
            await db.execute("COMMIT")

    async def _migrate(self) -> None:
        await self.writer.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")
        for version, script in MIGRATIONS["sqlite"]:
            async with self._transaction() as db:
                async with db.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (version,)) as cur:
                    if await cur.fetchone():
                        continue
                for statement in filter(str.strip, script.split(";")):
                    await db.execute(statement)
                await db.execute("INSERT INTO schema_migrations (version) VALUES (?)", (version,))

    async def schema_version(self) -> int:
        async with self.reader.execute("SELECT max(version) FROM schema_migrations") as cur:
            row = await cur.fetchone()
        return int(row[0] or 0) if row else 0

    async def _one(self, sql: str, params: Sequence[Any] = (), *, writer: bool = False) -> Any:
        async with (self.writer if writer else self.reader).execute(sql, params) as cur:
            return await cur.fetchone()

    async def append_messages(self, entries: Sequence[MessageEntry]) -> None:
        if not entries:
            return
        async with self._transaction() as db:
            row = await self._one("SELECT hash FROM messages ORDER BY id DESC LIMIT 1", writer=True)
            prev = row[0] if row else (await self._one("SELECT anchor FROM chain WHERE id = 1", writer=True))[0]
            rows = [insert_params(sealed) for sealed in seal(prev, entries)]
            marks = ", ".join("?" * len(rows[0]))
            try:
                await db.executemany(f"INSERT INTO messages ({INSERT_COLUMNS}) VALUES ({marks})", rows)
            except sqlite3.DataError as exc:  # e.g. a value over SQLite's size limit: this data, not the store
                raise ValueError(f"SQLite refused a record: {exc}") from exc

    async def list_messages(self, query: MessageQuery) -> list[StoredMessage]:
        where, params = message_filters(query, lambda n: "?")
        sql = f"SELECT {LIST_COLUMNS} FROM messages{where} ORDER BY id DESC LIMIT ?"
        async with self.reader.execute(sql, [*params, query.limit]) as cur:
            return [row_to_message(r) for r in await cur.fetchall()]

    async def get_message(self, message_pk: int) -> StoredMessage | None:
        row = await self._one(f"SELECT {ALL_COLUMNS} FROM messages WHERE id = ?", (message_pk,))
        return row_to_message(row) if row else None

    async def scan_messages(self, after_id: int, limit: int) -> list[StoredMessage]:
        sql = f"SELECT {ALL_COLUMNS} FROM messages WHERE id > ? ORDER BY id LIMIT ?"
        async with self.reader.execute(sql, (after_id, limit)) as cur:
            return [row_to_message(r) for r in await cur.fetchall()]

    async def last_message_id(self) -> int:
        row = await self._one("SELECT max(id) FROM messages")
        return int(row[0] or 0)

    async def chain_anchor(self) -> str:
        return str((await self._one("SELECT anchor FROM chain WHERE id = 1"))[0])

    async def service_health(self, since_ms: int, until_ms: int) -> list[ServiceHealth]:
        async with self.reader.execute(health_query("?", "?"), (since_ms, until_ms)) as cur:
            return [row_to_health(r) for r in await cur.fetchall()]

    async def purge_messages(self, before_ms: int) -> int:
        async with self._transaction() as db:
            # Purge a prefix of the chain: everything before the oldest record still inside retention.
            keep = (await self._one(PURGE_KEEP.replace("$1", "?"), (before_ms,), writer=True))[0]
            last = await self._one(PURGE_LAST.replace("$1", "?"), (keep if keep is not None else MAX_ID,), writer=True)
            if last is None:
                return 0
            cur = await db.execute("DELETE FROM messages WHERE id <= ?", (last[0],))
            await db.execute("UPDATE chain SET anchor = ? WHERE id = 1", (last[1],))
            return int(cur.rowcount)

    async def get_base_topology(self) -> BaseTopology | None:
        row = await self._one("SELECT source, sha256, body FROM topology_base WHERE id = 1")
        return BaseTopology(row[0], row[1], row[2]) if row else None

    async def set_base_topology(self, base: BaseTopology) -> None:
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO topology_base (id, source, sha256, body) VALUES (1, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET source = excluded.source, sha256 = excluded.sha256, "
                "body = excluded.body",
                (base.source, base.sha256, base.text),
            )

    async def add_change(self, change: RegistryChange) -> int:
        async with self._transaction() as db:
            cur = await db.execute(
                "INSERT INTO registry_changes (ts_ms, actor, op, payload) VALUES (?, ?, ?, ?)",
                (change.ts_ms, change.actor, change.op, orjson.dumps(change.payload).decode()),
            )
        return int(cur.lastrowid or 0)

    async def list_changes(self, after_id: int = 0) -> list[RegistryChange]:
        sql = "SELECT id, ts_ms, actor, op, payload FROM registry_changes WHERE id > ? ORDER BY id"
        async with self.reader.execute(sql, (after_id,)) as cur:
            return [row_to_change(r) for r in await cur.fetchall()]

    async def registry_version(self) -> tuple[str, int]:
        base = await self._one("SELECT sha256 FROM topology_base WHERE id = 1")
        last = await self._one("SELECT max(id) FROM registry_changes")
        return (base[0] if base else "", int(last[0] or 0))

    async def get_credential(self, consumer_key: str) -> Credential | None:
        row = await self._one(f"SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE consumer_key = ?", (consumer_key,))
        return row_to_credential(row) if row else None

    async def put_credential(self, credential: Credential) -> None:
        async with self._transaction() as db:
            await db.execute(
                f"INSERT INTO credentials ({CREDENTIAL_COLUMNS}) VALUES (?, ?, ?, ?, ?) ON CONFLICT (consumer_key) "
                "DO UPDATE SET client = excluded.client, secret_hash = excluded.secret_hash, "
                "source = excluded.source, updated_ms = excluded.updated_ms",
                (
                    credential.consumer_key,
                    credential.client,
                    credential.secret_hash,
                    credential.source,
                    credential.updated_ms,
                ),
            )

    async def list_credentials(self) -> list[Credential]:
        async with self.reader.execute(f"SELECT {CREDENTIAL_COLUMNS} FROM credentials ORDER BY consumer_key") as cur:
            return [row_to_credential(r) for r in await cur.fetchall()]

    async def put_token(self, token_hash: str, consumer_key: str, client: str, expires_ms: int) -> None:
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO tokens (token_hash, consumer_key, client, expires_ms) VALUES (?, ?, ?, ?)",
                (token_hash, consumer_key, client, expires_ms),
            )

    async def get_token(self, token_hash: str) -> tuple[str, int] | None:
        row = await self._one("SELECT client, expires_ms FROM tokens WHERE token_hash = ?", (token_hash,))
        return (row[0], int(row[1])) if row else None

    async def delete_tokens(self, consumer_key: str) -> int:
        async with self._transaction() as db:
            cur = await db.execute("DELETE FROM tokens WHERE consumer_key = ?", (consumer_key,))
            return int(cur.rowcount)

    async def purge_tokens(self, before_ms: int) -> int:
        async with self._transaction() as db:
            cur = await db.execute("DELETE FROM tokens WHERE expires_ms < ?", (before_ms,))
            return int(cur.rowcount)

    async def tamper_for_tests(self, message_pk: int, column: str, value: Any) -> None:
        await self.writer.execute(f"UPDATE messages SET {tamper_column(column)} = ? WHERE id = ?", (value, message_pk))
