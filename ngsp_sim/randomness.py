"""Fresh random identifiers for every exchange: ``X-Road-Id`` (when the caller sent none),
``X-Road-Request-Id`` and the trace context's ids.

Every byte comes from the operating system's CSPRNG (``os.urandom``), read 4 KiB at a time and handed out
once each, so an exchange costs no system call of its own (it cost four: two ``uuid4`` and two
``secrets.token_hex``; docs/performance.md, issue 22). Each thread keeps its own block, and a forked
child drops the block it inherited, so no byte is ever handed out twice.
"""

from __future__ import annotations

import os
import threading

__all__ = ["random_bytes", "token_hex", "uuid4_text"]

_BLOCK = 4096


class _Pool(threading.local):
    def __init__(self) -> None:
        self.block = b""
        self.used = 0


_pool = _Pool()


def _forget() -> None:
    """In a forked child: the parent's unused bytes are the parent's."""
    _pool.block, _pool.used = b"", 0


os.register_at_fork(after_in_child=_forget)


def random_bytes(n: int) -> bytes:
    """``n`` bytes from ``os.urandom``, never handed out before."""
    if n > _BLOCK:
        return os.urandom(n)
    pool = _pool
    start = pool.used
    if start + n > len(pool.block):
        pool.block, start = os.urandom(_BLOCK), 0
    pool.used = start + n
    return pool.block[start : start + n]


def token_hex(nbytes: int) -> str:
    """``nbytes`` random bytes as lowercase hex, as :func:`secrets.token_hex`."""
    return random_bytes(nbytes).hex()


def uuid4_text() -> str:
    """A random (version 4, RFC 9562 variant) UUID in its canonical text form, as ``str(uuid.uuid4())``."""
    raw = bytearray(random_bytes(16))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
