"""Consumer keys (only their secrets' hashes) and issued tokens (only their SHA-256), written once over
a :class:`~ngsp_sim.store.dialect.Dialect`; replicas share them through the store."""

from __future__ import annotations

from ngsp_sim.store.base import Credential
from ngsp_sim.store.dialect import Dialect, Row

__all__ = ["CredentialSql"]

_COLUMNS = "consumer_key, client, secret_hash, source, updated_ms"
_UPSERT = (
    f"INSERT INTO credentials ({_COLUMNS}) VALUES (?, ?, ?, ?, ?) ON CONFLICT (consumer_key) "
    "DO UPDATE SET client = excluded.client, secret_hash = excluded.secret_hash, "
    "source = excluded.source, updated_ms = excluded.updated_ms"
)


def _credential(row: Row) -> Credential:
    return Credential(row["consumer_key"], row["client"], row["secret_hash"], row["source"], int(row["updated_ms"]))


class CredentialSql:
    """The credentials part of :class:`~ngsp_sim.store.base.Store` (a mixin of
    :class:`~ngsp_sim.store.sqlstore.SqlStore`)."""

    dialect: Dialect

    async def get_credential(self, consumer_key: str) -> Credential | None:
        row = await self.dialect.fetchrow(f"SELECT {_COLUMNS} FROM credentials WHERE consumer_key = ?", consumer_key)
        return _credential(row) if row else None

    async def put_credential(self, credential: Credential) -> None:
        c = credential
        async with self.dialect.transaction() as tx:
            await tx.execute(_UPSERT, c.consumer_key, c.client, c.secret_hash, c.source, c.updated_ms)

    async def list_credentials(self) -> list[Credential]:
        rows = await self.dialect.fetch(f"SELECT {_COLUMNS} FROM credentials ORDER BY consumer_key")
        return [_credential(r) for r in rows]

    async def put_token(self, token_hash: str, consumer_key: str, client: str, expires_ms: int) -> None:
        async with self.dialect.transaction() as tx:
            await tx.execute(
                "INSERT INTO tokens (token_hash, consumer_key, client, expires_ms) VALUES (?, ?, ?, ?)",
                token_hash,
                consumer_key,
                client,
                expires_ms,
            )

    async def get_token(self, token_hash: str) -> tuple[str, int] | None:
        row = await self.dialect.fetchrow("SELECT client, expires_ms FROM tokens WHERE token_hash = ?", token_hash)
        return (row[0], int(row[1])) if row else None

    async def delete_tokens(self, consumer_key: str) -> int:
        return await self._delete("DELETE FROM tokens WHERE consumer_key = ?", consumer_key)

    async def purge_tokens(self, before_ms: int) -> int:
        return await self._delete("DELETE FROM tokens WHERE expires_ms < ?", before_ms)

    async def _delete(self, sql: str, value: object) -> int:
        async with self.dialect.transaction() as tx:
            return await tx.execute(sql, value)
