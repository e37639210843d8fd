"""How an information system must connect: X-Road's connection types, checked by the client's security server.

Each client subsystem has a ``connection`` (X-Road's ``HTTP``, ``HTTPS_NO_AUTH``, ``HTTPS``; in X-Road's
server configuration ``NOSSL``, ``SSLNOAUTH``, ``SSLAUTH``):

==================  ===========================================================================
``http``            plain HTTP or HTTPS, with or without a certificate (the default)
``https_no_auth``   TLS required; a client certificate is not asked for
``https``           TLS required, with a client certificate that is the registered one
==================  ===========================================================================

The registered certificate: when the subsystem lists ``certificates`` (SHA-256 fingerprints), the
presented certificate must be one of them, as in X-Road's list of internal-server certificates;
otherwise any certificate the hub's CA issued for this client (``ngsp-sim certs issue CLIENT``, the
subject's common name is the client identifier) counts as registered. The TLS layer only accepts
certificates of the hub's CA (:func:`ngsp_sim.security.tls.server_context`), so the check here need not
verify the issuer again.

A refusal is X-Road's ``ssl_authentication_failed`` with X-Road's own messages
(``MessageProcessorBase.verifyClientAuthentication``). Requests the hub makes to itself (simulated
agencies, scenario steps) carry no :class:`Channel` and are not judged, as X-Road does not check its
own local connections.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import NameOID

from ngsp_sim.errors import SslAuthenticationFailed
from ngsp_sim.identifiers import SubsystemId
from ngsp_sim.registry.model import Subsystem
from ngsp_sim.security.tls import certificate_fingerprint

__all__ = ["Channel", "check_connection"]


@dataclass(frozen=True, slots=True)
class Channel:
    """The connection a request came on: TLS or not, and the client certificate (DER) it presented."""

    tls: bool
    certificate: bytes | None = None


def _common_names(der: bytes) -> list[str]:
    try:
        subject = x509.load_der_x509_certificate(der).subject
    except ValueError:
        return []
    return [str(attribute.value) for attribute in subject.get_attributes_for_oid(NameOID.COMMON_NAME)]


def _registered(subsystem: Subsystem, client: SubsystemId, der: bytes) -> bool:
    if subsystem.certificates:
        return certificate_fingerprint(der) in subsystem.certificates
    return str(client) in _common_names(der)


def _named(client: SubsystemId) -> str:
    """The client as X-Road's messages write an identifier (``XRoadId.toString``): its object type,
    a colon, the parts joined with ``/``."""
    return f"{'MEMBER' if client.is_member else 'SUBSYSTEM'}:{client}"


def check_connection(subsystem: Subsystem | None, client: SubsystemId, channel: Channel | None) -> None:
    """Raise :class:`SslAuthenticationFailed` when ``channel`` does not satisfy the connection type of
    ``client`` (its registered ``subsystem``; an unknown client is refused later, by the registry)."""
    if channel is None or subsystem is None or subsystem.connection == "http":
        return
    named = _named(client)
    if not channel.tls:
        raise SslAuthenticationFailed(
            f"Client ({named}) specifies HTTPS NO AUTH but client made plaintext connection"
            if subsystem.connection == "https_no_auth"
            else f"Client ({named}) specifies HTTPS but did not supply TLS certificate",
            detail=f"connect over HTTPS: the subsystem's connection type is {subsystem.connection}",
        )
    if subsystem.connection == "https_no_auth":
        return
    if channel.certificate is None:
        raise SslAuthenticationFailed(
            f"Client ({named}) specifies HTTPS but did not supply TLS certificate",
            detail="present the client certificate issued for it (ngsp-sim certs issue CLIENT)",
        )
    if not _registered(subsystem, client, channel.certificate):
        raise SslAuthenticationFailed(
            f"Client ({named}) TLS certificate does not match any IS certificates",
            detail=f"the certificate presented (SHA-256 {certificate_fingerprint(channel.certificate)}) "
            "is not registered for this client",
        )
