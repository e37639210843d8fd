"""The upgrade of an existing message log to keyed seals and compressed bodies (migration 5).

Stores written before it sealed records with unkeyed SHA-256 and kept bodies raw. The migration walks
the old chain once, in the transaction that records the migration: each record whose unkeyed hash still
verifies is re-sealed with the key and its bodies compressed; a record that was already broken keeps a
``prev_hash`` of :data:`~ngsp_sim.store.chain.LEGACY_BROKEN`, so ``log verify`` names it ever after.
Finally the chain state (anchor, head) is signed. It runs once: the upgrade trusts the records as it
finds them, which is why the old chain is checked first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from ngsp_sim.store.base import StoredMessage
from ngsp_sim.store.chain import LEGACY_BROKEN, ChainState, encode_fields, record_fields, seal_of
from ngsp_sim.store.logkey import LogKey
from ngsp_sim.store.sql import pack_body

__all__ = ["reseal"]

Fetch = Callable[[int, int], Awaitable[Sequence[StoredMessage]]]
Write = Callable[[list[tuple[Any, ...]]], Awaitable[None]]


def _unkeyed(prev_hash: str, record: StoredMessage) -> str:
    digest = hashlib.sha256(prev_hash.encode())
    encode_fields(digest.update, record_fields(record.record_json, record, record.violations_json))
    return digest.hexdigest()


async def reseal(key: LogKey, anchor: str, fetch: Fetch, write: Write, batch: int = 1000) -> ChainState:
    """Re-seal every record (``fetch`` gives them oldest first, bodies uncompressed; ``write`` takes
    :data:`~ngsp_sim.store.sql.RESEAL_UPDATE` parameters) and return the signed state."""
    old_prev, new_prev, after = anchor, anchor, 0
    while records := await fetch(after, batch):
        rows = []
        for record in records:
            intact = record.prev_hash == old_prev and _unkeyed(record.prev_hash, record) == record.hash
            old_prev = record.hash
            prev = new_prev if intact else LEGACY_BROKEN
            new_prev = seal_of(key, prev, record_fields(record.record_json, record, record.violations_json))
            bodies = (record.client_request, record.provider_request, record.provider_response, record.client_response)
            rows.append((*map(pack_body, bodies), prev, new_prev, record.id))
        await write(rows)
        after = records[-1].id
    return ChainState(anchor, after, new_prev if after else anchor).sign(key)
