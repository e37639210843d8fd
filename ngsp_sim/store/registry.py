"""The registry as the store keeps it (base topology, recorded changes) and the hubs' leases on it,
written once over a :class:`~ngsp_sim.store.dialect.Dialect`.

A claim runs under the ``topology`` lock, so two hubs claiming one store at once take turns (an
advisory lock on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises it anyway).
"""

from __future__ import annotations

import orjson

from ngsp_sim.store.base import BaseTopology, HubLease, RegistryChange
from ngsp_sim.store.dialect import Dialect, Row, scalar

__all__ = ["RegistrySql"]

_LEASE_CONFLICT = (
    "SELECT hub_id, sha256, holder, seen_ms FROM hub_leases "
    "WHERE hub_id <> ? AND sha256 <> ? AND seen_ms >= ? ORDER BY seen_ms DESC LIMIT 1"
)
_UPSERT_LEASE = (
    "INSERT INTO hub_leases (hub_id, sha256, holder, seen_ms) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (hub_id) DO UPDATE SET sha256 = excluded.sha256, holder = excluded.holder, "
    "seen_ms = excluded.seen_ms"
)
_UPSERT_BASE = (
    "INSERT INTO topology_base (id, source, sha256, body) VALUES (1, ?, ?, ?) "
    "ON CONFLICT (id) DO UPDATE SET source = excluded.source, sha256 = excluded.sha256, body = excluded.body"
)
_BASE_SHA = "SELECT sha256 FROM topology_base WHERE id = 1"


def _lease(row: Row) -> HubLease:
    return HubLease(row[0], row[1], row[2], int(row[3]))


def _change(row: Row) -> RegistryChange:
    return RegistryChange(row["op"], orjson.loads(row["payload"]), row["actor"], int(row["ts_ms"]), int(row["id"]))


class RegistrySql:
    """The registry part of :class:`~ngsp_sim.store.base.Store` (a mixin of
    :class:`~ngsp_sim.store.sqlstore.SqlStore`)."""

    dialect: Dialect

    async def get_base_topology(self) -> BaseTopology | None:
        row = await self.dialect.fetchrow("SELECT source, sha256, body FROM topology_base WHERE id = 1")
        return BaseTopology(row[0], row[1], row[2]) if row else None

    async def set_base_topology(self, base: BaseTopology) -> None:
        async with self.dialect.transaction() as tx:
            await tx.execute(_UPSERT_BASE, base.source, base.sha256, base.text)

    async def claim_topology(self, base: BaseTopology, lease: HubLease, fresh_after_ms: int) -> HubLease | None:
        async with self.dialect.transaction("topology") as tx:  # two hubs claiming at once take turns
            row = await tx.fetchrow(_LEASE_CONFLICT, lease.hub_id, base.sha256, fresh_after_ms)
            if row is not None:
                return _lease(row)
            await tx.execute("DELETE FROM hub_leases WHERE seen_ms < ?", fresh_after_ms)
            if await scalar(tx, _BASE_SHA) != base.sha256:
                await tx.execute(_UPSERT_BASE, base.source, base.sha256, base.text)
            await tx.execute(_UPSERT_LEASE, lease.hub_id, lease.sha256, lease.holder, lease.seen_ms)
        return None

    async def renew_lease(self, lease: HubLease) -> None:
        async with self.dialect.transaction() as tx:
            await tx.execute(_UPSERT_LEASE, lease.hub_id, lease.sha256, lease.holder, lease.seen_ms)

    async def release_lease(self, hub_id: str) -> None:
        async with self.dialect.transaction() as tx:
            await tx.execute("DELETE FROM hub_leases WHERE hub_id = ?", hub_id)

    async def add_change(self, change: RegistryChange) -> int:
        async with self.dialect.transaction() as tx:
            return await tx.insert(
                "INSERT INTO registry_changes (ts_ms, actor, op, payload) VALUES (?, ?, ?, ?)",
                change.ts_ms,
                change.actor,
                change.op,
                orjson.dumps(change.payload).decode(),
            )

    async def list_changes(self, after_id: int = 0) -> list[RegistryChange]:
        sql = "SELECT id, ts_ms, actor, op, payload FROM registry_changes WHERE id > ? ORDER BY id"
        return [_change(r) for r in await self.dialect.fetch(sql, after_id)]

    async def registry_version(self) -> tuple[str, int]:
        row = await self.dialect.fetchrow(
            f"SELECT ({_BASE_SHA}) AS sha, (SELECT coalesce(max(id), 0) FROM registry_changes) AS last"
        )
        return (row["sha"] or "", int(row["last"])) if row else ("", 0)
