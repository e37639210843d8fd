"""The keyed hash chain that makes the message log tamper-evident, and its signed state.

Each record's *seal* (its ``hash`` column) is HMAC-SHA-256, under the chain key of the message log's
:class:`~ngsp_sim.store.logkey.LogKey`, over the previous record's seal followed by every stored field
of the record, each length-prefixed: the operational-monitoring record exactly as stored (its JSON
text), client, service, violations (JSON text), the truncation flag, the four bodies (uncompressed)
and the injected faults. The columns the log is queried by (``message_id``, ``request_in_ts``,
``succeeded``, ``fault_code``, ``status_code``, ``duration_ms``) are copies of fields of the sealed
record, and :func:`verify_chain` checks each copy against it.

The chain's *state* (one row): the anchor (the seal the oldest kept record must follow; retention
purges move it) and the head (the id and seal of the newest record), signed with the key's Ed25519
private key. Appends chain from the signed head, not from the last row, so deleting the newest rows is
seen even after later appends; deleting the oldest rows needs a new anchor, which needs the key.

Tamper model (README, "the message log"): without the key file, no change to stored records, their
columns, their order or their number goes unnoticed. Whoever holds the key can rewrite history; an
attacker who copied an older chain-state row can roll the log back to that point (put the state
somewhere the database's writers cannot reach - an exported bundle - to detect that).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from ngsp_sim.store.base import MessageEntry, Store, StoredMessage
from ngsp_sim.store.chainstate import ChainState
from ngsp_sim.store.logkey import LogKey

__all__ = [
    "LEGACY_BROKEN",
    "ChainReport",
    "ChainState",
    "SealedEntry",
    "queryable_columns",
    "queryable_values",
    "record_fields",
    "seal",
    "verify_chain",
]

_NONE = (2**64 - 1).to_bytes(8, "big")
LEGACY_BROKEN = "broken-before-keyed-seals"
"""The ``prev_hash`` the upgrade to keyed seals gives a record whose unkeyed hash was already broken."""

QUERYABLE = ("message_id", "request_in_ts", "succeeded", "fault_code", "status_code", "duration_ms")


def encode_fields(update: Any, fields: Sequence[bytes | None]) -> None:
    """Feed ``fields`` to a hash's ``update``, each length-prefixed (so no two field lists collide).
    One call of ``update`` with the whole encoding (the same digest as one call per piece, at a
    fraction of the calls: ``hmac``'s ``update`` is Python)."""
    parts: list[bytes] = []
    for value in fields:
        if value is None:
            parts.append(_NONE)
        else:
            parts.append(len(value).to_bytes(8, "big"))
            parts.append(value)
    update(b"".join(parts))


def seal_of(key: LogKey, prev_hash: str, fields: Sequence[bytes | None]) -> str:
    mac = key.mac()
    mac.update(prev_hash.encode())
    encode_fields(mac.update, fields)
    return mac.hexdigest()


def record_fields(record_json: str, entry: MessageEntry, violations_json: str | None) -> list[bytes | None]:
    client, service = entry.client, entry.service
    return [
        record_json.encode(),
        None if client is None else client.encode(),
        None if service is None else service.encode(),
        None if violations_json is None else violations_json.encode(),
        b"1" if entry.truncated else b"0",
        entry.client_request,
        entry.provider_request,
        entry.provider_response,
        entry.client_response,
        None if entry.injected is None else entry.injected.encode(),
    ]


def queryable_values(entry: MessageEntry) -> tuple[Any, ...]:
    """The columns copied out of the record for queries, as they must be stored, in ``QUERYABLE``'s
    order (a tuple: the writer builds one per record)."""
    record = entry.record
    return (
        record.get("messageId") or "",
        entry.request_in_ts,
        bool(record.get("succeeded")),
        record.get("faultCode"),
        record.get("statusCode"),
        entry.duration_ms,
    )


def queryable_columns(entry: MessageEntry) -> dict[str, Any]:
    """:func:`queryable_values` by column name."""
    return dict(zip(QUERYABLE, queryable_values(entry), strict=True))


@dataclass(frozen=True, slots=True)
class SealedEntry:
    """An entry serialised for storage, with its place in the chain."""

    entry: MessageEntry
    record_json: str
    violations_json: str | None
    prev_hash: str
    hash: str


def seal(key: LogKey, prev_hash: str, entries: Sequence[MessageEntry]) -> list[SealedEntry]:
    """Serialise ``entries`` and chain them after ``prev_hash``."""
    sealed = []
    for entry in entries:
        record_json = orjson.dumps(entry.record).decode()
        violations_json = None if entry.violations is None else orjson.dumps(entry.violations).decode()
        digest = seal_of(key, prev_hash, record_fields(record_json, entry, violations_json))
        sealed.append(SealedEntry(entry, record_json, violations_json, prev_hash, digest))
        prev_hash = digest
    return sealed


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The outcome of :func:`verify_chain`: ``reason`` empty means intact. ``broken_id`` names the
    record at fault when there is one (``None`` for a fault of the chain state itself)."""

    checked: int
    broken_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return not self.reason

    def describe(self) -> str:
        """One line for people (``log verify`` prints it)."""
        if self.ok:
            return f"ok: {self.checked} records, keyed hash chain and signed head intact"
        if self.broken_id is None:
            return f"BROKEN: {self.reason}"
        return f"BROKEN at record {self.broken_id}: {self.reason} ({self.checked} records before it are intact)"


def check_record(key: LogKey, record: StoredMessage, expected_prev: str) -> str:
    """What is wrong with ``record`` (empty when nothing is)."""
    if record.prev_hash == LEGACY_BROKEN:
        return "it was already broken when the log was upgraded to keyed seals"
    if record.prev_hash != expected_prev:
        return "its link to the previous record does not match (a record before it was removed or changed)"
    if seal_of(key, record.prev_hash, record_fields(record.record_json, record, record.violations_json)) != record.hash:
        return "its content does not match its seal (changed, or sealed with another key)"
    for column, sealed in queryable_columns(record).items():
        stored = record.columns.get(column)
        if stored != sealed:
            return f"its {column} column says {stored!r} but the sealed record says {sealed!r}"
    return ""


async def verify_chain(
    store: Store, batch: int = 2000, visit: Callable[[StoredMessage], None] | None = None
) -> ChainReport:
    """Walk the log oldest first: the chain state's signature, then each record's link, seal and
    queryable columns, then whether the log still reaches the signed head. The first fault is named.
    ``visit`` sees each record found intact (how evidence bundles are collected)."""
    key = store.key
    state = await store.chain_state()
    if not state.verifies(key):
        signer = f"signed by key {state.key_id}" if state.key_id else "unsigned"
        return ChainReport(
            0,
            None,
            f"the chain state (anchor and head) does not verify with key {key.fingerprint} "
            f"({signer}): it was changed, or the key is not this log's",
        )
    expected_prev, after, checked, head_seen = state.anchor, 0, 0, False
    while records := await store.scan_messages(after, batch):
        for record in records:
            if problem := check_record(key, record, expected_prev):
                return ChainReport(checked, record.id, problem)
            if record.id == state.head_id:
                if record.hash != state.head_hash:
                    return ChainReport(checked, record.id, "it is not the record the signed head names")
                head_seen = True
            expected_prev = record.hash
            checked += 1
            if visit is not None:
                visit(record)
        after = records[-1].id
    if not head_seen and expected_prev != state.head_hash:
        end = f"record {after}" if after else "no record"
        reason = f"the newest records are missing: the signed head is record {state.head_id}, the log ends at {end}"
        return ChainReport(checked, state.head_id, reason)
    return ChainReport(checked)
