"""The hash chain that makes the message log tamper-evident.

Each record's hash is SHA-256 over the previous record's hash and a canonical form of the record:
its operational-monitoring fields, violations, truncation flag and the SHA-256 of each body. Changing,
removing or reordering any stored record breaks the chain at that record or the next one. Retention
purges move the chain's *anchor* (the hash the oldest kept record must follow).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import orjson

from ngsp_sim.store.base import BODY_NAMES, MessageEntry, Store

__all__ = ["ChainReport", "chain_hash", "verify_chain"]


def chain_hash(prev_hash: str, entry: MessageEntry) -> str:
    canonical = {
        "record": entry.record,
        "client": entry.client,
        "service": entry.service,
        "violations": entry.violations,
        "truncated": entry.truncated,
        "bodies": {
            name: (hashlib.sha256(body).hexdigest() if (body := getattr(entry, name)) is not None else None)
            for name in BODY_NAMES
        },
    }
    digest = hashlib.sha256(prev_hash.encode())
    digest.update(orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS))
    return digest.hexdigest()


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
            if chain_hash(record.prev_hash, record) != record.hash:
                return ChainReport(checked, record.id, "its content does not match its hash")
            expected_prev = record.hash
            checked += 1
        after = records[-1].id
    return ChainReport(checked)
