"""The platform clock as the store keeps it for replicas (one row), written once over a
:class:`~ngsp_sim.store.dialect.Dialect`."""

from __future__ import annotations

from ngsp_sim.store.base import SharedClock
from ngsp_sim.store.dialect import Dialect, scalar

__all__ = ["ClockSql"]

_UPSERT = (
    "INSERT INTO platform_clock (id, offset_ms, frozen_at_ms, version) VALUES (1, ?, ?, ?) "
    "ON CONFLICT (id) DO UPDATE SET offset_ms = excluded.offset_ms, frozen_at_ms = excluded.frozen_at_ms, "
    "version = excluded.version"
)


class ClockSql:
    """The clock part of :class:`~ngsp_sim.store.base.Store` (a mixin of
    :class:`~ngsp_sim.store.sqlstore.SqlStore`)."""

    dialect: Dialect

    async def get_clock(self) -> SharedClock | None:
        row = await self.dialect.fetchrow("SELECT offset_ms, frozen_at_ms, version FROM platform_clock WHERE id = 1")
        if row is None:
            return None
        return SharedClock(int(row[0]), None if row[1] is None else int(row[1]), int(row[2]))

    async def put_clock(self, offset_ms: int, frozen_at_ms: int | None) -> int:
        async with self.dialect.transaction("clock") as tx:
            version = int(await scalar(tx, "SELECT coalesce(max(version), 0) FROM platform_clock")) + 1
            await tx.execute(_UPSERT, offset_ms, frozen_at_ms, version)
        return version
