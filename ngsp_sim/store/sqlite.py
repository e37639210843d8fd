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
    HubLease,
    MessageEntry,
    MessageQuery,
    RegistryChange,
    ServiceHealth,
    StoredMessage,
)
from ngsp_sim.store.chain import ChainState
from ngsp_sim.store.exchange import ExchangeStore, SqliteRunner
from ngsp_sim.store.logkey import KEY_FILE, LogKey
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
    qmarks,
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

__all__ = ["SqliteStore"]

# 16 KiB pages (set before a new file's first table; existing files keep theirs): a message-log row
# (~2.5 KB with compressed bodies) fills a 4 KiB page alone, six of them share a 16 KiB page.
_PRAGMAS = ("PRAGMA page_size=16384", "PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
            "PRAGMA busy_timeout=10000")  # fmt: skip


class SqliteStore:
    """``key`` defaults to ``message-log.key`` beside the database file (an ephemeral key in memory)."""

    def __init__(self, path: str | Path, key: LogKey | None = None) -> None:
        self.path = str(path)
        self.display = f"sqlite:///{self.path}"
        if key is None:
            memory = self.path == ":memory:"
            key = LogKey.ephemeral() if memory else LogKey.load_or_create(Path(self.path).parent / KEY_FILE)
        self.key = key
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
                if version == KEYED_SEALS:
                    await self._reseal(db)
                await db.execute("INSERT INTO schema_migrations (version) VALUES (?)", (version,))

    async def _reseal(self, db: aiosqlite.Connection) -> None:
        async def fetch(after: int, limit: int) -> list[StoredMessage]:
            async with db.execute(qmarks(SCAN), (after, limit)) as cur:
                return [row_to_message(r, compressed=False) for r in await cur.fetchall()]

        async def write(rows: list[tuple[Any, ...]]) -> None:
            await db.executemany(qmarks(RESEAL_UPDATE), rows)

        anchor = (await self._one("SELECT anchor FROM chain WHERE id = 1", writer=True))[0]
        state = await reseal(self.key, anchor, fetch, write)
        await db.execute(qmarks(STATE_UPDATE), state_params(state))

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
            state = row_to_state(await self._one(STATE_SELECT, writer=True))
            rows, head_hash = await asyncio.to_thread(sealed_rows, self.key, state.head_hash, entries)
            marks = ", ".join("?" * len(rows[0]))
            try:
                await db.executemany(f"INSERT INTO messages ({INSERT_COLUMNS}) VALUES ({marks})", rows)
            except sqlite3.DataError as exc:  # e.g. a value over SQLite's size limit: this data, not the store
                raise ValueError(f"SQLite refused a record: {exc}") from exc
            head_id = int((await self._one("SELECT max(id) FROM messages", writer=True))[0])
            await db.execute(qmarks(STATE_UPDATE), state_params(state.moved(self.key, head=(head_id, head_hash))))

    async def list_messages(self, query: MessageQuery) -> list[StoredMessage]:
        where, params = message_filters(query, lambda n: "?")
        sql = f"SELECT {LIST_COLUMNS} FROM messages{where} ORDER BY id DESC LIMIT ?"
        async with self.reader.execute(sql, [*params, query.limit]) as cur:
            return [row_to_message(r) for r in await cur.fetchall()]

    async def get_message(self, message_pk: int) -> StoredMessage | None:
        row = await self._one(f"SELECT {ALL_COLUMNS} FROM messages WHERE id = ?", (message_pk,))
        return row_to_message(row) if row else None

    async def scan_messages(self, after_id: int, limit: int) -> list[StoredMessage]:
        async with self.reader.execute(qmarks(SCAN), (after_id, limit)) as cur:
            return [row_to_message(r) for r in await cur.fetchall()]

    async def last_message_id(self) -> int:
        row = await self._one("SELECT max(id) FROM messages")
        return int(row[0] or 0)

    async def chain_state(self) -> ChainState:
        return row_to_state(await self._one(STATE_SELECT))

    async def service_health(self, since_ms: int, until_ms: int) -> list[ServiceHealth]:
        async with self.reader.execute(health_query("?", "?"), (since_ms, until_ms)) as cur:
            return [row_to_health(r) for r in await cur.fetchall()]

    async def purge_messages(self, before_ms: int) -> int:
        async with self._transaction() as db:
            # Purge a prefix of the chain: everything before the oldest record still inside retention.
            keep = (await self._one(qmarks(PURGE_KEEP), (before_ms,), writer=True))[0]
            last = await self._one(qmarks(PURGE_LAST), (keep if keep is not None else MAX_ID,), writer=True)
            if last is None:
                return 0
            state = row_to_state(await self._one(STATE_SELECT, writer=True))
            cur = await db.execute("DELETE FROM messages WHERE id <= ?", (last[0],))
            await db.execute(qmarks(STATE_UPDATE), state_params(state.moved(self.key, anchor=last[1])))
            return int(cur.rowcount)

    async def get_base_topology(self) -> BaseTopology | None:
        row = await self._one("SELECT source, sha256, body FROM topology_base WHERE id = 1")
        return BaseTopology(row[0], row[1], row[2]) if row else None

    async def set_base_topology(self, base: BaseTopology) -> None:
        async with self._transaction() as db:
            await db.execute(bind(UPSERT_BASE, "sqlite"), (base.source, base.sha256, base.text))

    async def claim_topology(self, base: BaseTopology, lease: HubLease, fresh_after_ms: int) -> HubLease | None:
        async with self._transaction() as db:  # BEGIN IMMEDIATE: two hubs claiming at once take turns
            async with db.execute(bind(LEASE_CONFLICT, "sqlite"), (lease.hub_id, base.sha256, fresh_after_ms)) as cur:
                row = await cur.fetchone()
            if row is not None:
                return row_to_lease(row)
            await db.execute(bind(DROP_STALE_LEASES, "sqlite"), (fresh_after_ms,))
            async with db.execute("SELECT sha256 FROM topology_base WHERE id = 1") as cur:
                stored = await cur.fetchone()
            if stored is None or stored[0] != base.sha256:
                await db.execute(bind(UPSERT_BASE, "sqlite"), (base.source, base.sha256, base.text))
            await db.execute(bind(UPSERT_LEASE, "sqlite"), (lease.hub_id, lease.sha256, lease.holder, lease.seen_ms))
        return None

    async def renew_lease(self, lease: HubLease) -> None:
        async with self._transaction() as db:
            await db.execute(bind(UPSERT_LEASE, "sqlite"), (lease.hub_id, lease.sha256, lease.holder, lease.seen_ms))

    async def release_lease(self, hub_id: str) -> None:
        async with self._transaction() as db:
            await db.execute("DELETE FROM hub_leases WHERE hub_id = ?", (hub_id,))

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
