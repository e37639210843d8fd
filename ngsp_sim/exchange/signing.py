"""Signed webhook deliveries: HMAC-SHA256 over ``{timestamp}.{body}`` with the subscription's secret.

Each delivery carries::

    X-NGSP-Signature: t=1763712000,v1=<hex HMAC-SHA256(secret, "1763712000." + body)>
    X-NGSP-Idempotency-Key: <event key>:<subscription id>   (the same on every retry and replay)
    X-NGSP-Event: edoc.received | edoc.status | dossier.status
    X-NGSP-Attempt: 1, 2, ...

A receiver checks the signature with :func:`verify` (constant-time comparison; the timestamp must be
within ``tolerance`` seconds of its clock, so a captured delivery cannot be replayed later), and
drops a delivery whose idempotency key it has already processed (deliveries are at-least-once).
"""

from __future__ import annotations

import hashlib
import hmac

from ngsp_sim.errors import SignatureError

__all__ = [
    "ATTEMPT_HEADER",
    "EVENT_HEADER",
    "KEY_HEADER",
    "SIGNATURE_HEADER",
    "TOLERANCE_SECONDS",
    "sign",
    "verify",
]

SIGNATURE_HEADER = "X-NGSP-Signature"
KEY_HEADER = "X-NGSP-Idempotency-Key"
EVENT_HEADER = "X-NGSP-Event"
ATTEMPT_HEADER = "X-NGSP-Attempt"
TOLERANCE_SECONDS = 300


def _mac(secret: str, body: bytes, timestamp: int) -> str:
    return hmac.digest(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hex()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The ``X-NGSP-Signature`` value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    return f"t={timestamp},v1={_mac(secret, body, timestamp)}"


def verify(secret: str, body: bytes, header: str | None, now: float, tolerance: float = TOLERANCE_SECONDS) -> int:
    """The signed timestamp, or :class:`SignatureError` saying what does not hold."""
    if not header:
        raise SignatureError(f"no {SIGNATURE_HEADER} header")
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        raise SignatureError(f"{SIGNATURE_HEADER} must look like t=<unix seconds>,v1=<hex>") from None
    if not hmac.compare_digest(_mac(secret, body, timestamp).encode(), given.encode()):
        raise SignatureError("the signature does not match: the body was changed or another secret signed it")
    if abs(now - timestamp) > tolerance:
        raise SignatureError(
            f"the signature is {abs(now - timestamp):.0f} s from now (tolerance {tolerance:.0f} s): a replay?"
        )
    return timestamp
