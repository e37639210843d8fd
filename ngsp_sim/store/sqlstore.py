"""The :class:`~ngsp_sim.store.base.Store` over SQL: each concern written once, composed over a dialect.

A backend subclasses :class:`SqlStore` with its connection management (``open``/``close``) and passes
its :class:`~ngsp_sim.store.dialect.Dialect`; everything else - the message log, the registry and
leases, credentials, the shared clock, the exchange, the migrations - is here or in the concern modules, for both.
"""

from __future__ import annotations

from ngsp_sim.store.clockstate import ClockSql
from ngsp_sim.store.credentials import CredentialSql
from ngsp_sim.store.dialect import Dialect, scalar
from ngsp_sim.store.exchange import ExchangeStore
from ngsp_sim.store.logkey import LogKey
from ngsp_sim.store.messagelog import MessageLogSql
from ngsp_sim.store.registry import RegistrySql
from ngsp_sim.store.sql import KEYED_SEALS, LZ4_COLUMNS, LZ4_SUPPORTED, MIGRATIONS

__all__ = ["SqlStore"]


class SqlStore(MessageLogSql, RegistrySql, CredentialSql, ClockSql):
    def __init__(self, dialect: Dialect, key: LogKey, display: str) -> None:
        self.dialect = dialect
        self.key = key
        self.display = display
        self.exchange = ExchangeStore(dialect)

    async def migrate(self) -> None:
        """Apply, in one transaction each (under the ``migration`` lock, so replicas opening one new
        database take turns), the migrations ``schema_migrations`` does not record."""
        async with self.dialect.transaction("migration") as tx:
            await tx.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")
        for version, script in MIGRATIONS[self.dialect.name]:
            async with self.dialect.transaction("migration") as tx:
                if await tx.fetchrow("SELECT 1 FROM schema_migrations WHERE version = ?", version):
                    continue
                if version == LZ4_COLUMNS and script and not await tx.fetchrow(LZ4_SUPPORTED):
                    script = ""  # a server without lz4 keeps pglz; the migration is recorded all the same
                for statement in filter(str.strip, script.split(";")):
                    await tx.execute(statement)
                if version == KEYED_SEALS:
                    await self.reseal_log(tx)
                await tx.execute("INSERT INTO schema_migrations (version) VALUES (?)", version)

    async def schema_version(self) -> int:
        return int(await scalar(self.dialect, "SELECT coalesce(max(version), 0) FROM schema_migrations"))
