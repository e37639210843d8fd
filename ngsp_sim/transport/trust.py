"""Trust-plane faults: a security server whose global configuration has expired, that has no fresh
OCSP response for a certificate, cannot reach the time-stamping service, or holds an expired or revoked
certificate, answered as X-Road answers them.

A trust fault aimed at a member or a subsystem hits it on both sides of an exchange, as a broken security
server would: as the client (:func:`~ngsp_sim.transport.faults.check_client`, called by the pipeline
before the call is routed, ``Server.ClientProxy.*``) and as the provider (checked by
:class:`~ngsp_sim.transport.faults.FaultyTransport` in front of the provider, ``Server.ServerProxy.*``).
A fault aimed at one service hits only its provider side. The messages are X-Road's own (its global
configuration, OCSP verifier, message log and certificate checks); the detail names the injected fault.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from ngsp_sim.errors import (
    ClientCertValidation,
    ClientIncorrectValidationInfo,
    ClientOutdatedGlobalConf,
    ClientTimestampingFailed,
    ServerCertValidation,
    ServerIncorrectValidationInfo,
    ServerOutdatedGlobalConf,
    ServerTimestampingFailed,
    TrustPlaneError,
)

__all__ = ["TRUST_KINDS", "Side", "trust_error"]

TRUST_KINDS = frozenset({"globalconf", "ocsp", "timestamping", "certificate"})
Side = Literal["client", "server"]

_ERRORS: dict[tuple[str, Side], type[TrustPlaneError]] = {
    ("globalconf", "client"): ClientOutdatedGlobalConf,
    ("globalconf", "server"): ServerOutdatedGlobalConf,
    ("ocsp", "client"): ClientIncorrectValidationInfo,
    ("ocsp", "server"): ServerIncorrectValidationInfo,
    ("timestamping", "client"): ClientTimestampingFailed,
    ("timestamping", "server"): ServerTimestampingFailed,
    ("certificate", "client"): ClientCertValidation,
    ("certificate", "server"): ServerCertValidation,
}

OCSP_STALE_SECONDS = 2 * 3600
"""How old the injected OCSP response is: past X-Road's default freshness limit (one hour)."""
CERT_EXPIRED_SECONDS = 24 * 3600
"""How long ago the injected expired certificate's validity ended."""


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def _message(kind: str, certificate_status: str, now: float) -> str:
    if kind == "globalconf":
        return "Global configuration is expired"
    if kind == "ocsp":
        return f"OCSP response is too old (thisUpdate: {_when(now - OCSP_STALE_SECONDS)})"
    if kind == "timestamping":
        return "Cannot time-stamp messages"
    if certificate_status == "revoked":
        return "OCSP response indicates certificate status is revoked"
    return f"Member (owner/client) sign certificate is invalid: NotAfter: {_when(now - CERT_EXPIRED_SECONDS)}"


def trust_error(
    kind: str, fault_id: str, side: Side, now: float, certificate_status: str = "expired"
) -> TrustPlaneError:
    """The error X-Road answers when the trust fault ``fault_id`` of ``kind`` hits the ``side`` security
    server (``certificate_status``: ``expired`` or ``revoked``, for ``certificate``)."""
    role = "client's" if side == "client" else "provider's"
    detail = f"injected trust-plane fault {fault_id} on the {role} security server"
    return _ERRORS[kind, side](_message(kind, certificate_status, now), detail=detail)
