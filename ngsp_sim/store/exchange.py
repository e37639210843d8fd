"""Durable store-and-forward: documents and mailboxes, subscriptions, and the delivery outbox.

One class, :class:`ExchangeStore`, over either backend through its
:class:`~ngsp_sim.store.dialect.Dialect`, like the message log, the registry and credentials.
Everything a sender is acknowledged for is written in one transaction first: the document, one
mailbox row per recipient, one delivery per matching subscription. Deliveries are claimed by workers
with a lease; on PostgreSQL the claim takes the rows ``FOR UPDATE SKIP LOCKED``, so several replicas
share the outbox without sending one delivery twice at the same time. Only the oldest open delivery
of a subscription is ever claimable (with the ones queued right behind it), which keeps deliveries to
one subscriber in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ngsp_sim.store.dialect import Dialect, Row, Tx
from ngsp_sim.store.groupcommit import GroupCommit

__all__ = ["Delivery", "ExchangeStore", "NewEdoc", "NewEvent", "StoredEdoc", "Subscription"]

OPEN = ("pending", "failed")


@dataclass(frozen=True, slots=True)
class Subscription:
    id: str
    topic: str
    url: str
    secret: str
    max_attempts: int
    source: str
    created_ms: int
    active: bool = True


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    subscription_id: str
    event_type: str
    topic: str
    idempotency_key: str
    payload: bytes
    created_ms: int
    status: str
    attempts: int
    next_attempt_ms: int
    last_error: str | None
    delivered_ms: int | None


@dataclass(frozen=True, slots=True)
class NewEvent:
    """One event to push: every active subscription to ``topic`` (or to ``kind:*``) gets a delivery
    with idempotency key ``{key}:{subscription id}``."""

    topic: str
    event_type: str
    payload: bytes
    key: str


@dataclass(frozen=True, slots=True)
class NewEdoc:
    doc_id: str
    kind: str  # "edoc" | "status"
    sender: str
    document_id: str | None
    business_type: int | None
    subject: str | None
    status_code: str | None
    about: str | None  # for a status message: the doc_id it is about
    body: bytes
    sha256: str
    created_ms: int


@dataclass(frozen=True, slots=True)
class StoredEdoc(NewEdoc):
    cursor: int = 0


Accepted = tuple[NewEdoc, Sequence[str], Sequence[NewEvent]]
"""One accepted document: the document, its recipients' mailboxes, its events."""

_EDOC_COLUMNS = (
    "doc_id, kind, sender, document_id, business_type, subject, status_code, about, body, sha256, created_ms"
)
_DELIVERY_COLUMNS = (
    "id, subscription_id, event_type, topic, idempotency_key, payload, created_ms, status, attempts, "
    "next_attempt_ms, last_error, delivered_ms"
)


def _edoc(row: Row, cursor: int = 0) -> StoredEdoc:
    values = {k: row[k] for k in _EDOC_COLUMNS.split(", ")}
    return StoredEdoc(**{**values, "body": bytes(values["body"])}, cursor=cursor)


def _delivery(row: Row) -> Delivery:
    values = {k: row[k] for k in _DELIVERY_COLUMNS.split(", ")}
    values["payload"] = bytes(values["payload"])
    return Delivery(**values)


def _subscription(row: Row) -> Subscription:
    values = {k: row[k] for k in row.keys()}  # noqa: SIM118 - sqlite3.Row is not a dict
    return Subscription(**{**values, "active": bool(row["active"])})


class ExchangeStore:
    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.accepts: GroupCommit[Accepted] = GroupCommit(dialect, self._accept_many)

    # --- documents and mailboxes ---

    async def accept(self, edoc: NewEdoc, mailboxes: Sequence[str], events: Sequence[NewEvent]) -> None:
        """The document, its recipients' mailbox rows and its deliveries, committed before this
        returns. Concurrent calls share one transaction (group commit, :mod:`~ngsp_sim.store.groupcommit`):
        each returns once the commit that includes its document is done; one refused document fails
        alone."""
        await self.accepts.submit((edoc, mailboxes, events))

    async def _accept_many(self, tx: Tx, items: Sequence[Accepted]) -> None:
        await tx.executemany(
            f"INSERT INTO edocs ({_EDOC_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [tuple(getattr(e, name) for name in _EDOC_COLUMNS.split(", ")) for e, _, _ in items],
        )
        mailbox_rows = [(organ, e.doc_id, e.created_ms) for e, organs, _ in items for organ in organs]
        if mailbox_rows:
            await tx.executemany("INSERT INTO mailbox (organ_id, doc_id, received_ms) VALUES (?, ?, ?)", mailbox_rows)
        for edoc, _, _ in items:
            if edoc.kind == "status" and edoc.about is not None:
                await self._set_status(tx, edoc.about, edoc.sender, edoc.status_code or "", edoc.created_ms)
        await self._enqueue_many(tx, [(event, edoc.created_ms) for edoc, _, events in items for event in events])

    async def _set_status(self, tx: Tx, doc_id: str, organ: str, code: str, now: int) -> None:
        await tx.execute("DELETE FROM edoc_status WHERE doc_id = ? AND organ_id = ?", doc_id, organ)
        await tx.execute(
            "INSERT INTO edoc_status (doc_id, organ_id, status_code, updated_ms) VALUES (?, ?, ?, ?)",
            doc_id,
            organ,
            code,
            now,
        )

    async def set_status(self, doc_id: str, organ: str, code: str, now: int) -> None:
        async with self.dialect.transaction() as tx:
            await self._set_status(tx, doc_id, organ, code, now)

    async def get_edoc(self, doc_id: str) -> StoredEdoc | None:
        rows = await self.dialect.fetch(f"SELECT {_EDOC_COLUMNS} FROM edocs WHERE doc_id = ?", doc_id)
        return _edoc(rows[0]) if rows else None

    async def find_sent(self, sender: str, document_id: str) -> StoredEdoc | None:
        """The first (original) document ``sender`` sent under ``document_id``."""
        rows = await self.dialect.fetch(
            f"SELECT {_EDOC_COLUMNS} FROM edocs WHERE sender = ? AND document_id = ? AND kind = 'edoc' "
            "AND business_type <> 1 ORDER BY created_ms, doc_id LIMIT 1",
            sender,
            document_id,
        )
        return _edoc(rows[0]) if rows else None

    async def find_recall(self, sender: str, document_id: str, recipient: str) -> StoredEdoc | None:
        """The recall (``BussinessDocType`` 1) of ``document_id`` that ``sender`` sent to ``recipient``."""
        rows = await self.dialect.fetch(
            f"SELECT {', '.join('e.' + c for c in _EDOC_COLUMNS.split(', '))} FROM edocs e JOIN mailbox m "
            "ON m.doc_id = e.doc_id WHERE e.sender = ? AND e.document_id = ? AND e.kind = 'edoc' "
            "AND e.business_type = 1 AND m.organ_id = ? ORDER BY e.created_ms DESC LIMIT 1",
            sender,
            document_id,
            recipient,
        )
        return _edoc(rows[0]) if rows else None

    async def recipients(self, doc_id: str) -> dict[str, str | None]:
        """Recipient -> its last status code (``None`` before any)."""
        rows = await self.dialect.fetch(
            "SELECT m.organ_id, s.status_code FROM mailbox m LEFT JOIN edoc_status s "
            "ON s.doc_id = m.doc_id AND s.organ_id = m.organ_id WHERE m.doc_id = ?",
            doc_id,
        )
        return {r["organ_id"]: r["status_code"] for r in rows}

    async def mailbox(self, organ: str, after: int, limit: int) -> list[StoredEdoc]:
        rows = await self.dialect.fetch(
            f"SELECT m.id AS cursor, {', '.join('e.' + c for c in _EDOC_COLUMNS.split(', '))} FROM mailbox m "
            "JOIN edocs e ON e.doc_id = m.doc_id WHERE m.organ_id = ? AND m.id > ? ORDER BY m.id LIMIT ?",
            organ,
            after,
            limit,
        )
        return [_edoc(r, int(r["cursor"])) for r in rows]

    # --- subscriptions ---

    async def put_subscription(self, sub: Subscription) -> None:
        async with self.dialect.transaction() as tx:
            await tx.execute("DELETE FROM subscriptions WHERE id = ?", sub.id)
            await tx.execute(
                "INSERT INTO subscriptions (id, topic, url, secret, max_attempts, source, created_ms, active) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                sub.id,
                sub.topic,
                sub.url,
                sub.secret,
                sub.max_attempts,
                sub.source,
                sub.created_ms,
                sub.active,
            )

    async def get_subscription(self, sub_id: str) -> Subscription | None:
        rows = await self.dialect.fetch("SELECT * FROM subscriptions WHERE id = ?", sub_id)
        return _subscription(rows[0]) if rows else None

    async def list_subscriptions(self) -> list[Subscription]:
        return [_subscription(r) for r in await self.dialect.fetch("SELECT * FROM subscriptions ORDER BY id")]

    async def delete_subscription(self, sub_id: str) -> bool:
        async with self.dialect.transaction() as tx:
            found = await tx.fetch("SELECT id FROM subscriptions WHERE id = ?", sub_id)
            await tx.execute("DELETE FROM subscriptions WHERE id = ?", sub_id)
        return bool(found)

    # --- the outbox ---

    async def publish(self, events: Sequence[NewEvent], now: int) -> None:
        async with self.dialect.transaction() as tx:
            await self._enqueue(tx, events, now)

    async def _enqueue(self, tx: Tx, events: Sequence[NewEvent], now: int) -> None:
        await self._enqueue_many(tx, [(event, now) for event in events])

    async def _enqueue_many(self, tx: Tx, events: Sequence[tuple[NewEvent, int]]) -> None:
        """Each event (with the time it was raised) as a delivery to every matching subscription, in order."""
        if not events:
            return
        await tx.executemany(
            "INSERT INTO deliveries (subscription_id, event_type, topic, idempotency_key, payload, created_ms, "
            "status, attempts, next_attempt_ms, lease_until_ms) "
            f"SELECT id, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT) || id, CAST(? AS {self.dialect.blob}), "
            "CAST(? AS BIGINT), 'pending', 0, CAST(? AS BIGINT), 0 "
            "FROM subscriptions WHERE active AND topic IN (?, ?) ORDER BY id",
            [
                (e.event_type, e.topic, e.key + ":", e.payload, now, now, e.topic, e.topic.split(":", 1)[0] + ":*")
                for e, now in events
            ],
        )

    async def claim(self, now: int, lease_ms: int, subscriptions: int, batch: int) -> list[list[Delivery]]:
        """Up to ``subscriptions`` subscriptions whose oldest open delivery is due, each with up to
        ``batch`` of its open deliveries in order, leased until ``now + lease_ms``."""
        out: list[list[Delivery]] = []
        async with self.dialect.transaction() as tx:
            heads = await tx.fetch(
                f"SELECT {', '.join('d.' + c for c in _DELIVERY_COLUMNS.split(', '))} FROM deliveries d JOIN "
                "(SELECT min(id) AS id FROM deliveries WHERE status IN ('pending', 'failed') GROUP BY subscription_id)"
                " h ON d.id = h.id WHERE d.next_attempt_ms <= ? AND d.lease_until_ms <= ? ORDER BY d.id LIMIT ?"
                + self.dialect.skip_locked,
                now,
                now,
                subscriptions,
            )
            for head in heads:
                rest = await tx.fetch(
                    f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE subscription_id = ? AND id > ? "
                    "AND status = 'pending' ORDER BY id LIMIT ?",
                    head["subscription_id"],
                    head["id"],
                    batch - 1,
                )
                group = [_delivery(head), *(_delivery(r) for r in rest)]
                marks = ", ".join("?" for _ in group)
                await tx.execute(
                    f"UPDATE deliveries SET lease_until_ms = ? WHERE id IN ({marks})",
                    now + lease_ms,
                    *(d.id for d in group),
                )
                out.append(group)
        return out

    async def delivered(self, done: Sequence[tuple[int, int, int]]) -> None:
        """Deliveries ``(id, attempts, delivered at)`` marked delivered, all in one transaction."""
        if done:
            async with self.dialect.transaction() as tx:
                await tx.executemany(
                    "UPDATE deliveries SET status = 'delivered', attempts = ?, delivered_ms = ?, lease_until_ms = 0, "
                    "last_error = NULL WHERE id = ?",
                    [(attempts, now, delivery_id) for delivery_id, attempts, now in done],
                )

    async def failed(self, delivery_id: int, attempts: int, error: str, next_attempt_ms: int | None) -> None:
        """``next_attempt_ms`` ``None`` moves the delivery to the dead-letter list."""
        status = "dead" if next_attempt_ms is None else "failed"
        async with self.dialect.transaction() as tx:
            await tx.execute(
                "UPDATE deliveries SET status = ?, attempts = ?, last_error = ?, next_attempt_ms = ?, "
                "lease_until_ms = 0 WHERE id = ?",
                status,
                attempts,
                error[:1000],
                next_attempt_ms or 0,
                delivery_id,
            )

    async def release(self, ids: Sequence[int]) -> None:
        if ids:
            async with self.dialect.transaction() as tx:
                marks = ", ".join("?" for _ in ids)
                await tx.execute(f"UPDATE deliveries SET lease_until_ms = 0 WHERE id IN ({marks})", *ids)

    async def list_deliveries(
        self, status: str | None = None, subscription_id: str | None = None, limit: int = 100
    ) -> list[Delivery]:
        clauses: list[str] = []
        params: list[Any] = []
        for column, value in (("status", status), ("subscription_id", subscription_id)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        sql = f"SELECT {_DELIVERY_COLUMNS} FROM deliveries{where} ORDER BY id DESC LIMIT ?"
        return [_delivery(r) for r in await self.dialect.fetch(sql, *params, limit)]

    async def get_delivery(self, delivery_id: int) -> Delivery | None:
        rows = await self.dialect.fetch(f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE id = ?", delivery_id)
        return _delivery(rows[0]) if rows else None

    async def replay(self, now: int, ids: Sequence[int] = (), subscription_id: str | None = None) -> int:
        """Dead deliveries back to pending (attempts from zero): the given ids, or every dead one (of
        one subscription). Answers how many."""
        clauses: list[str] = ["status = 'dead'"]
        params: list[Any] = []
        if ids:
            clauses.append(f"id IN ({', '.join('?' for _ in ids)})")
            params += list(ids)
        if subscription_id is not None:
            clauses.append("subscription_id = ?")
            params.append(subscription_id)
        where = " AND ".join(clauses)
        async with self.dialect.transaction() as tx:
            found = await tx.fetch(f"SELECT id FROM deliveries WHERE {where}", *params)
            await tx.execute(
                f"UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_ms = ?, lease_until_ms = 0 "
                f"WHERE {where}",
                now,
                *params,
            )
        return len(found)

    async def counts(self) -> dict[str, int]:
        rows = await self.dialect.fetch("SELECT status, count(*) AS n FROM deliveries GROUP BY status")
        return {r["status"]: int(r["n"]) for r in rows}
