"""The message log's key: the secret that makes the hash chain a *keyed* chain and signs its head.

One Ed25519 private key, kept in a file outside the database (``message-log.key``, PEM, mode 0600).
From it come two things:

- the chain key: each record's seal is HMAC-SHA-256 under a key derived from the private key (HKDF),
  so someone who can write the database but cannot read this file cannot recompute the seals after
  changing a record;
- signatures (Ed25519) over the chain's state (its anchor and head) and over exported evidence
  bundles, which anyone can check with the public key alone.

The key is generated on first use when the file is absent and never printed or logged; only its
fingerprint (SHA-256 of the public key, first 16 hex digits) is shown. Replicas that share one
PostgreSQL store must share this file (or the same secret mounted at the same path).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["KEY_FILE", "LogKey", "fingerprint", "verify_signature"]

KEY_FILE = "message-log.key"
_CHAIN_INFO = b"ngsp-sim message-log chain v1"


def fingerprint(public_key: bytes) -> str:
    """How a person compares two public keys: the first 16 hex digits of their SHA-256."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def verify_signature(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """Whether ``signature`` is ``public_key``'s Ed25519 signature of ``message``.

    Raises ``ValueError`` when ``public_key`` is not a 32-byte Ed25519 key at all."""
    key = Ed25519PublicKey.from_public_bytes(public_key)
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


class LogKey:
    """The private key of one message log, and the chain key derived from it."""

    def __init__(self, private: Ed25519PrivateKey, source: str) -> None:
        self._private = private
        self.source = source
        """Where the key came from (a path, or ``ephemeral``): shown to people, never the key."""
        seed = private.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        self._chain_key = HKDF(hashes.SHA256(), 32, salt=None, info=_CHAIN_INFO).derive(seed)
        self.public_key = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.fingerprint = fingerprint(self.public_key)

    def __repr__(self) -> str:
        return f"LogKey(fingerprint={self.fingerprint!r}, source={self.source!r})"

    @classmethod
    def ephemeral(cls) -> LogKey:
        """A key that lives as long as the process: for in-memory stores and tests."""
        return cls(Ed25519PrivateKey.generate(), "ephemeral")

    @classmethod
    def load_or_create(cls, path: Path, *, create: bool = True) -> LogKey:
        """Read the key at ``path``; create it (mode 0600) if the file does not exist and ``create``.

        Creation is atomic: the key is written to a private temporary file and linked into place, so
        two replicas starting together end up with the same key (the second reads the first's)."""
        path = Path(path)
        if not path.exists() and not create:
            raise ValueError(f"no message-log key at {path}: the hub creates it on first start; give --log-key FILE")
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".message-log-key-")  # created 0600
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(pem)
                    out.flush()
                    os.fsync(out.fileno())
                with contextlib.suppress(FileExistsError):  # another process won the race: use its key
                    os.link(tmp, path)
            finally:
                os.unlink(tmp)
        mode = path.stat().st_mode
        if mode & 0o077:
            raise ValueError(f"{path} can be read by others (mode {mode & 0o777:o}); make it private: chmod 600 {path}")
        try:
            private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{path} is not an unencrypted PEM Ed25519 private key: {exc}") from None
        if not isinstance(private, Ed25519PrivateKey):
            raise ValueError(f"{path} holds a {type(private).__name__}, not an Ed25519 key")
        return cls(private, str(path))

    def mac(self) -> hmac.HMAC:
        """A fresh HMAC-SHA-256 under the chain key, for one record's seal."""
        return hmac.new(self._chain_key, digestmod=hashlib.sha256)

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)

    def verify(self, signature: bytes, message: bytes) -> bool:
        return verify_signature(self.public_key, signature, message)
