"""The small contract every store concern is written against: how to run SQL on one backend.

The message log, the registry, credentials and the exchange are each written once, over a
:class:`Dialect`; a backend (:mod:`~ngsp_sim.store.sqlite`, :mod:`~ngsp_sim.store.postgres`) only
manages its connections and implements this protocol. SQL is written with ``?`` placeholders (our
statements have no ``?`` inside literals); :func:`numbered` rewrites them for PostgreSQL.

The few real differences live here and nowhere else:

- a write transaction with a named lock (:data:`Lock`): PostgreSQL takes a transaction-scoped advisory
  lock, so replicas sharing one database take turns; SQLite's ``BEGIN IMMEDIATE`` on its one writer
  connection already serialises every write transaction, so it needs no name;
- the id of an inserted row (``lastrowid`` / ``RETURNING id``), rows affected, the blob type, row
  locking for work queues, bulk loads (``COPY`` / ``executemany``), and which driver exception means
  "this data cannot be stored".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from functools import lru_cache
from typing import Any, Literal, Protocol

__all__ = ["Dialect", "Lock", "Row", "Tx", "insert_sql", "numbered", "scalar"]

Lock = Literal["chain", "topology", "migration", "clock"]
"""What a write transaction serialises with on a shared database: the message log's chain, the
claim of the registry's base topology, the schema migrations, or the shared platform clock."""


class Row(Protocol):
    """A result row, by column name or position (``sqlite3.Row``, ``asyncpg.Record``)."""

    def __getitem__(self, key: Any, /) -> Any: ...
    def keys(self) -> Any: ...


class Tx(Protocol):
    """Statements inside one transaction."""

    async def fetch(self, sql: str, *params: Any) -> list[Row]: ...
    async def fetchrow(self, sql: str, *params: Any) -> Row | None: ...
    async def execute(self, sql: str, *params: Any) -> int:
        """Run one statement; answers the number of rows it changed."""

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...
    async def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert many rows into ``table`` (a bulk load: PostgreSQL's ``COPY``, SQLite's ``executemany``)."""

    async def insert(self, sql: str, *params: Any) -> int:
        """Run an ``INSERT`` of one row into a table with an ``id`` key; answers that id."""


class Dialect(Protocol):
    name: str
    """The backend, ``sqlite`` or ``postgresql`` (the key of :data:`~ngsp_sim.store.sql.MIGRATIONS`)."""
    label: str
    """For people: ``SQLite``, ``PostgreSQL``."""
    blob: str
    """The binary column type, for casts."""
    skip_locked: str
    """Appended to a ``SELECT`` of work-queue rows so concurrent claimers skip each other's rows
    (empty where writers are serialised anyway)."""
    data_errors: tuple[type[Exception], ...]
    """What the driver raises when a value cannot be stored (too big, NUL in text): the data's fault,
    not the store's."""

    def transaction(self, lock: Lock | None = None) -> AbstractAsyncContextManager[Tx]:
        """A write transaction: committed when the block ends, rolled back when it raises."""

    async def fetch(self, sql: str, *params: Any) -> list[Row]:
        """Read outside any write transaction (on SQLite, its reader connection)."""

    async def fetchrow(self, sql: str, *params: Any) -> Row | None: ...


_MARK = re.compile(r"\?")


@lru_cache(maxsize=512)
def numbered(sql: str) -> str:
    """``?`` placeholders as PostgreSQL's ``$1, $2...``."""
    count = iter(range(1, 10_000))
    return _MARK.sub(lambda _: f"${next(count)}", sql)


async def scalar(source: Tx | Dialect, sql: str, *params: Any) -> Any:
    """The first column of the first row (``None`` without a row)."""
    row = await source.fetchrow(sql, *params)
    return None if row is None else row[0]


@lru_cache(maxsize=64)
def insert_sql(table: str, columns: Sequence[str]) -> str:
    """``INSERT INTO table (columns) VALUES (?, ...)``."""
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
