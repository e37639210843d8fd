"""The chain state: the anchor and head of the message log's keyed chain, signed with the log's key.

Its own module because the storage protocol (:mod:`ngsp_sim.store.base`) names it and the chain
(:mod:`ngsp_sim.store.chain`) builds on that protocol: apart, neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from ngsp_sim.store.logkey import LogKey

__all__ = ["ChainState"]


@dataclass(frozen=True, slots=True)
class ChainState:
    """The anchor and the head of the chain, and the signature over both (hex)."""

    anchor: str = ""
    head_id: int = 0
    head_hash: str = ""
    key_id: str = ""
    """Fingerprint of the key that signed the state (to say so when another key is in use)."""
    signature: str = ""

    def signed_bytes(self) -> bytes:
        return b"ngsp-sim chain state v1\n" + orjson.dumps([self.anchor, self.head_id, self.head_hash])

    def verifies(self, key: LogKey) -> bool:
        try:
            return key.verify(bytes.fromhex(self.signature), self.signed_bytes())
        except ValueError:  # not hex
            return False

    def moved(self, key: LogKey, *, anchor: str | None = None, head: tuple[int, str] | None = None) -> ChainState:
        """The state after an append (``head``) or a purge (``anchor``), signed with ``key``.

        A state whose signature does not verify (changed, removed, or another key's) keeps its bad
        signature: appending goes on (the log never stops) but the hub never launders a tampered state by
        signing it. Only the upgrade to keyed seals signs a state from scratch."""
        head_id, head_hash = head if head is not None else (self.head_id, self.head_hash)
        unsigned = ChainState(self.anchor if anchor is None else anchor, head_id, head_hash)
        if not self.verifies(key):
            return ChainState(unsigned.anchor, head_id, head_hash, self.key_id, self.signature)
        return unsigned.sign(key)

    def sign(self, key: LogKey) -> ChainState:
        signature = key.sign(self.signed_bytes()).hex()
        return ChainState(self.anchor, self.head_id, self.head_hash, key.fingerprint, signature)
