"""The message log, written once over a :class:`~ngsp_sim.store.dialect.Dialect`.

Appends chain from the signed head (:mod:`ngsp_sim.store.chain`) under the ``chain`` lock, so the
chain stays one chain however many replicas write; the keyed seals are computed in a thread (HMAC and
zlib are CPU work) while the transaction is held, and the new head is signed in the same transaction.
A value the database refuses (the dialect's ``data_errors``) becomes ``ValueError``, so the log writer
splits the batch and escapes that entry instead of retrying it forever.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from ngsp_sim.store.base import MessageEntry, MessageQuery, ServiceHealth, StoredMessage
from ngsp_sim.store.chain import ChainState
from ngsp_sim.store.dialect import Dialect, Tx, scalar
from ngsp_sim.store.logkey import LogKey
from ngsp_sim.store.sql import (
    ALL_COLUMNS,
    HEALTH,
    INSERT_COLUMNS,
    LIST_COLUMNS,
    MAX_ID,
    PURGE_KEEP,
    PURGE_LAST,
    RESEAL_UPDATE,
    SCAN,
    STATE_SELECT,
    STATE_UPDATE,
    message_filters,
    row_to_health,
    row_to_message,
    row_to_state,
    sealed_rows,
    state_params,
    tamper_column,
)
from ngsp_sim.store.upgrade import reseal

__all__ = ["MessageLogSql"]


class MessageLogSql:
    """The message-log part of :class:`~ngsp_sim.store.base.Store` (a mixin of
    :class:`~ngsp_sim.store.sqlstore.SqlStore`)."""

    dialect: Dialect
    key: LogKey

    async def append_messages(self, entries: Sequence[MessageEntry]) -> None:
        if not entries:
            return
        async with self.dialect.transaction("chain") as tx:
            state = row_to_state(await tx.fetchrow(STATE_SELECT))
            rows, head_hash = await asyncio.to_thread(sealed_rows, self.key, state.head_hash, entries)
            try:
                await tx.insert_rows("messages", INSERT_COLUMNS, rows)
            except self.dialect.data_errors as exc:  # e.g. NUL in text, a value over a size limit
                raise ValueError(f"{self.dialect.label} refused a record: {exc}") from exc
            head_id = int((await scalar(tx, "SELECT max(id) FROM messages")) or 0)
            await tx.execute(STATE_UPDATE, *state_params(state.moved(self.key, head=(head_id, head_hash))))

    async def list_messages(self, query: MessageQuery) -> list[StoredMessage]:
        where, params = message_filters(query)
        # the client's answer too: a business refusal (HTTP 200, KetQua 0...) is read from it. The page's
        # ids first, then its rows: a filter answered from an index alone (a day of one service) sorts
        # ids instead of whole rows (bench/query.py "one day + service" at 1,000,000 records, issue 22).
        page = f"SELECT id FROM messages{where} ORDER BY id DESC LIMIT ?"
        sql = f"SELECT {LIST_COLUMNS}, client_response FROM messages WHERE id IN ({page}) ORDER BY id DESC"
        return [row_to_message(r) for r in await self.dialect.fetch(sql, *params, query.limit)]

    async def get_message(self, message_pk: int) -> StoredMessage | None:
        row = await self.dialect.fetchrow(f"SELECT {ALL_COLUMNS} FROM messages WHERE id = ?", message_pk)
        return row_to_message(row) if row else None

    async def scan_messages(self, after_id: int, limit: int) -> list[StoredMessage]:
        return [row_to_message(r) for r in await self.dialect.fetch(SCAN, after_id, limit)]

    async def last_message_id(self) -> int:
        row = await self.dialect.fetchrow("SELECT coalesce(max(id), 0) FROM messages")
        return int(row[0]) if row else 0

    async def chain_state(self) -> ChainState:
        return row_to_state(await self.dialect.fetchrow(STATE_SELECT))

    async def service_health(self, since_ms: int, until_ms: int) -> list[ServiceHealth]:
        return [row_to_health(r) for r in await self.dialect.fetch(HEALTH, since_ms, until_ms)]

    async def purge_messages(self, before_ms: int) -> int:
        async with self.dialect.transaction("chain") as tx:
            # Purge a prefix of the chain: everything before the oldest record still inside retention.
            keep = await scalar(tx, PURGE_KEEP, before_ms)
            last = await tx.fetchrow(PURGE_LAST, keep if keep is not None else MAX_ID)
            if last is None:
                return 0
            state = row_to_state(await tx.fetchrow(STATE_SELECT))
            deleted = await tx.execute("DELETE FROM messages WHERE id <= ?", last["id"])
            await tx.execute(STATE_UPDATE, *state_params(state.moved(self.key, anchor=last["hash"])))
            return deleted

    async def tamper_for_tests(self, message_pk: int, column: str, value: Any) -> None:
        async with self.dialect.transaction() as tx:
            await tx.execute(f"UPDATE messages SET {tamper_column(column)} = ? WHERE id = ?", value, message_pk)

    async def reseal_log(self, tx: Tx) -> None:
        """Migration 5: re-seal the records of an older store under the key (:mod:`~ngsp_sim.store.upgrade`)."""

        async def fetch(after: int, limit: int) -> list[StoredMessage]:
            return [row_to_message(r, compressed=False) for r in await tx.fetch(SCAN, after, limit)]

        async def write(rows: list[tuple[Any, ...]]) -> None:
            await tx.executemany(RESEAL_UPDATE, rows)

        state = await reseal(self.key, await scalar(tx, "SELECT anchor FROM chain WHERE id = 1"), fetch, write)
        await tx.execute(STATE_UPDATE, *state_params(state))
