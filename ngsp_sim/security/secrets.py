"""Consumer secrets: stored only as scrypt hashes (memory-hard, from the standard library), compared in
constant time.

The encoded form is ``scrypt$N$r$p$salt$hash`` (base64), so the cost can be raised later and old hashes
still verify. ``verify_secret`` with ``encoded=None`` still spends the same work, so an unknown consumer
key and a wrong secret take the same time to refuse.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = ["DEFAULT_COST", "generate_secret", "hash_secret", "verify_secret"]

DEFAULT_COST = 2**14  # N; with r=8 about 16 MiB and some tens of milliseconds per hash
_R, _P, _LEN = 8, 1, 32
_DUMMY_SALT = b"ngsp-sim-dummy-salt"


def _scrypt(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=_LEN)


def generate_secret() -> str:
    return secrets.token_urlsafe(24)


def hash_secret(secret: str, cost: int = DEFAULT_COST) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(secret, salt, cost, _R, _P)
    b64 = base64.b64encode
    return f"scrypt${cost}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_secret(secret: str, encoded: str | None, cost: int = DEFAULT_COST) -> bool:
    if encoded is None:
        _scrypt(secret, _DUMMY_SALT, cost, _R, _P)  # same work as a real check
        return False
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(secret, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)
