"""The hash chain that makes the message log tamper-evident.

Each record's hash is SHA-256 over the previous record's hash followed by every stored field of the
record, each length-prefixed: the operational-monitoring record exactly as stored (its JSON text),
client, service, violations (JSON text), the truncation flag and the four bodies. Changing, removing or
reordering any stored record breaks the chain at that record or the next one. Retention purges move the
chain's *anchor* (the hash the oldest kept record must follow).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from ngsp_sim.store.base import MessageEntry, Store

__all__ = ["ChainReport", "SealedEntry", "chain_hash", "seal", "verify_chain"]

_NONE = (2**64 - 1).to_bytes(8, "big")


def chain_hash(prev_hash: str, fields: Sequence[bytes | None]) -> str:
    digest = hashlib.sha256(prev_hash.encode())
    update = digest.update
    for value in fields:
        if value is None:
            update(_NONE)
        else:
            update(len(value).to_bytes(8, "big"))
            update(value)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class SealedEntry:
    """An entry serialised for storage, with its place in the chain."""

    entry: MessageEntry
    record_json: str
    violations_json: str | None
    prev_hash: str
    hash: str


def hashed_fields(record_json: str, entry: MessageEntry, violations_json: str | None) -> list[bytes | None]:
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


def seal(prev_hash: str, entries: Sequence[MessageEntry]) -> list[SealedEntry]:
    """Serialise ``entries`` and chain them after ``prev_hash``."""
    sealed = []
    for entry in entries:
        record_json = orjson.dumps(entry.record).decode()
        violations_json = None if entry.violations is None else orjson.dumps(entry.violations).decode()
        digest = chain_hash(prev_hash, hashed_fields(record_json, entry, violations_json))
        sealed.append(SealedEntry(entry, record_json, violations_json, prev_hash, digest))
        prev_hash = digest
    return sealed


@dataclass(frozen=True, slots=True)
class ChainReport:
    checked: int
    broken_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


async def verify_chain(store: Store, batch: int = 2000) -> ChainReport:
    """Walk the log oldest first; the first record whose link or content does not match is named."""
    expected_prev = await store.chain_anchor()
    after, checked = 0, 0
    while records := await store.scan_messages(after, batch):
        for record in records:
            if record.prev_hash != expected_prev:
                return ChainReport(checked, record.id, "its link to the previous record does not match")
            fields = hashed_fields(record.record_json, record, record.violations_json)
            if chain_hash(record.prev_hash, fields) != record.hash:
                return ChainReport(checked, record.id, "its content does not match its hash")
            expected_prev = record.hash
            checked += 1
        after = records[-1].id
    return ChainReport(checked)
