"""The embedded default store: one SQLite file in WAL mode, through aiosqlite.

A writer connection serialises writes (``BEGIN IMMEDIATE``, one transaction at a time); a second
connection reads, so queries of the message log do not wait for the log writer. ``:memory:`` uses one
connection for both (for tests and throw-away hubs). What is stored, and how, is written once in
:class:`~ngsp_sim.store.sqlstore.SqlStore`; this module is the connections and :class:`SqliteDialect`.
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

from ngsp_sim.store.dialect import Lock, Row, insert_sql
from ngsp_sim.store.logkey import KEY_FILE, LogKey
from ngsp_sim.store.sqlstore import SqlStore

__all__ = ["SqliteDialect", "SqliteStore"]

# 16 KiB pages (set before a new file's first table; existing files keep theirs): a message-log row
# (~2.5 KB with compressed bodies) fills a 4 KiB page alone, six of them share a 16 KiB page.
_PRAGMAS = (
    "PRAGMA page_size=16384",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=10000",
)


class SqliteStore(SqlStore):
    """``key`` defaults to ``message-log.key`` beside the database file (an ephemeral key in memory)."""

    def __init__(self, path: str | Path, key: LogKey | None = None) -> None:
        self.path = str(path)
        if key is None:
            memory = self.path == ":memory:"
            key = LogKey.ephemeral() if memory else LogKey.load_or_create(Path(self.path).parent / KEY_FILE)
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        super().__init__(SqliteDialect(self), key, f"sqlite:///{self.path}")

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
        await self.migrate()

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


class SqliteDialect:
    name = "sqlite"
    label = "SQLite"
    blob = "BLOB"
    skip_locked = ""  # one writer at a time: no two claims ever overlap
    data_errors: tuple[type[Exception], ...] = (sqlite3.DataError,)  # e.g. a value over SQLite's size limit

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self._write_lock = asyncio.Lock()  # one transaction at a time on the writer connection

    @asynccontextmanager
    async def transaction(self, lock: Lock | None = None) -> AsyncIterator[_SqliteTx]:
        """``lock`` needs no name here: ``BEGIN IMMEDIATE`` on the one writer serialises every write."""
        async with self._write_lock:
            db = self.store.writer
            try:
                await db.execute("BEGIN IMMEDIATE")  # inside the try: a cancelled BEGIN still runs, so roll back
                yield _SqliteTx(db)
            except BaseException:
                with contextlib.suppress(sqlite3.OperationalError):  # no transaction: BEGIN itself failed
                    await asyncio.shield(db.execute("ROLLBACK"))
                raise
            await db.execute("COMMIT")

    async def fetch(self, sql: str, *params: Any) -> list[Row]:
        return await _SqliteTx(self.store.reader).fetch(sql, *params)

    async def fetchrow(self, sql: str, *params: Any) -> Row | None:
        return await _SqliteTx(self.store.reader).fetchrow(sql, *params)


class _SqliteTx:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db

    async def fetch(self, sql: str, *params: Any) -> list[Row]:
        async with self.db.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetchrow(self, sql: str, *params: Any) -> Row | None:
        async with self.db.execute(sql, params) as cur:
            row: Row | None = await cur.fetchone()
            return row

    async def execute(self, sql: str, *params: Any) -> int:
        async with self.db.execute(sql, params) as cur:
            return max(cur.rowcount, 0)

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        await self.db.executemany(sql, rows)

    async def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        await self.db.executemany(insert_sql(table, columns), rows)

    async def insert(self, sql: str, *params: Any) -> int:
        async with self.db.execute(sql, params) as cur:
            return int(cur.lastrowid or 0)
