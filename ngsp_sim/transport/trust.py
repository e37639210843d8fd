"""Trust-plane faults: a security server whose global configuration has expired, that has no fresh
OCSP response for a certificate, cannot reach the time-stamping service, or holds an expired or revoked
certificate, answered as X-Road answers them.

A trust fault aimed at a member or a subsystem hits it on both sides of an exchange, as a broken security
server would: as the client (checked by the pipeline before the call is routed, ``Server.ClientProxy.*``)
and as the provider (checked by :class:`~ngsp_sim.transport.faults.FaultyTransport` in front of the
provider, ``Server.ServerProxy.*``). A fault aimed at one service hits only its provider side. The
messages are X-Road's own (its global configuration, OCSP verifier, message log and certificate
checks); the detail names the injected fault.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

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
from ngsp_sim.identifiers import SubsystemId

if TYPE_CHECKING:
    from ngsp_sim.transport.contract import ExchangeContext
    from ngsp_sim.transport.faults import ActiveFault, FaultSpec

__all__ = ["TRUST_KINDS", "Side", "check_client", "trust_error"]

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


def _message(spec: FaultSpec, now: float) -> str:
    if spec.kind == "globalconf":
        return "Global configuration is expired"
    if spec.kind == "ocsp":
        return f"OCSP response is too old (thisUpdate: {_when(now - OCSP_STALE_SECONDS)})"
    if spec.kind == "timestamping":
        return "Cannot time-stamp messages"
    if spec.certificate_status == "revoked":
        return "OCSP response indicates certificate status is revoked"
    return f"Member (owner/client) sign certificate is invalid: NotAfter: {_when(now - CERT_EXPIRED_SECONDS)}"


def trust_error(spec: FaultSpec, side: Side, now: float) -> TrustPlaneError:
    """The error X-Road answers when the trust fault ``spec`` hits the ``side`` security server."""
    role = "client's" if side == "client" else "provider's"
    return _ERRORS[spec.kind, side](
        _message(spec, now), detail=f"injected trust-plane fault {spec.id} on the {role} security server"
    )


def check_client(faults: Sequence[ActiveFault], client: SubsystemId, now: float, exchange: ExchangeContext) -> None:
    """Raise the first trust fault aimed at ``client`` (its subsystem or its member) that hits now."""
    names = {str(client), str(client.member)}
    for fault in faults:
        spec = fault.spec
        if spec.kind in TRUST_KINDS and spec.target in names and fault.hits_now(now):
            exchange.inject(spec.kind, spec.id)
            raise trust_error(spec, "client", now)
