"""The hub's own certificate authority: HTTPS for the hub, TLS client certificates for information systems.

``ngsp-sim up --tls`` keeps a small local CA in the data directory (``DATA_DIR/tls``):

    ca.pem / ca.key            the authority (10 years; the key never leaves the directory, mode 0600)
    server.pem / server.key    the hub's certificate: SAN localhost, 127.0.0.1, ::1 and the listening host;
                               key usage digitalSignature + keyEncipherment, EKU serverAuth
    clients/NAME.pem, .key     certificates issued by ``ngsp-sim certs issue CLIENT`` (EKU clientAuth),
                               the subject's common name is the client's X-Road identifier

Everything is made with ``cryptography``'s X.509 builder (ECDSA P-256, SHA-256); the files are
created on first start and reused afterwards (the server certificate is re-issued by the same CA
when it does not name the host asked for, or is about to expire). :func:`server_context` is the
``ssl.SSLContext`` the hub serves with: TLS 1.2 or later, a client certificate requested but optional
(``CERT_OPTIONAL``) and verified against this CA alone, so a client without a certificate still
connects (``connection: https_no_auth``) while one from another authority fails the handshake.
Which certificate a client must present is decided later, per subsystem (:mod:`ngsp_sim.security.isauth`).
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import os
import re
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = [
    "TLS_DIR",
    "Authority",
    "IssuedCertificate",
    "certificate_fingerprint",
    "ensure_authority",
    "issue_client",
    "server_context",
]

TLS_DIR = "tls"
_ORGANISATION = "ngsp-sim local CA (testing only)"
_CA_DAYS = 3650
_LEAF_DAYS = 825  # the longest a leaf certificate may last for browsers and OS trust stores
_RENEW_BEFORE = datetime.timedelta(days=30)
_LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")


def certificate_fingerprint(der: bytes) -> str:
    """The SHA-256 fingerprint of a DER certificate, lowercase hex without separators (as
    ``openssl x509 -fingerprint -sha256`` prints it, with the colons removed)."""
    digest = hashes.Hash(hashes.SHA256())
    digest.update(der)
    return digest.finalize().hex()


@dataclass(frozen=True, slots=True)
class IssuedCertificate:
    """A certificate and its key on disk."""

    certificate: Path
    key: Path
    fingerprint: str
    subject: str
    not_after: datetime.datetime


@dataclass(frozen=True, slots=True)
class Authority:
    """The files of one hub's CA directory; ``created``: the CA was made by this start."""

    directory: Path
    created: bool = False

    @property
    def ca_certificate(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.directory / "ca.key"

    @property
    def server_certificate(self) -> Path:
        return self.directory / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.directory / "server.key"

    @property
    def clients(self) -> Path:
        return self.directory / "clients"

    def load(self) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        certificate = x509.load_pem_x509_certificate(self.ca_certificate.read_bytes())
        key = serialization.load_pem_private_key(self.ca_key.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{self.ca_key} is not the EC key ngsp-sim makes")
        return certificate, key


def _write(path: Path, data: bytes, private: bool = False) -> None:
    """Write ``data`` to ``path`` atomically (a temporary file renamed), 0600 for a private key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:  # mkstemp makes it 0600: a certificate is for everyone to read
            out.write(data)
        if not private:
            os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _builder(
    subject: x509.Name, issuer: x509.Name, public: ec.EllipticCurvePublicKey, days: int
) -> x509.CertificateBuilder:
    now = _now()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))  # a client clock a little behind still accepts it
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _ORGANISATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    """digitalSignature (an EC key signs, in ECDHE; it never enciphers a key), and for the CA the
    signing of certificates and CRLs."""
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _leaf_usage(builder: x509.CertificateBuilder, usage: x509.ObjectIdentifier) -> x509.CertificateBuilder:
    return (
        builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    )


def _new_authority(authority: Authority) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name("ngsp-sim local CA")
    certificate = (
        _builder(name, name, key.public_key(), _CA_DAYS)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .sign(key, hashes.SHA256())
    )
    _write(authority.ca_key, _key_pem(key), private=True)
    _write(authority.ca_certificate, certificate.public_bytes(serialization.Encoding.PEM))


def _san_entry(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _wanted_names(host: str) -> list[x509.GeneralName]:
    names = list(_LOCAL_NAMES)
    if host not in names and host not in ("0.0.0.0", "::", ""):  # noqa: S104 (names, not a bind)
        names.append(host)
    return [_san_entry(name) for name in names]


def _server_is_current(authority: Authority, wanted: list[x509.GeneralName], ca: x509.Certificate) -> bool:
    if not (authority.server_certificate.exists() and authority.server_key.exists()):
        return False
    certificate = x509.load_pem_x509_certificate(authority.server_certificate.read_bytes())
    try:
        certificate.verify_directly_issued_by(ca)
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (ValueError, TypeError, x509.ExtensionNotFound, InvalidSignature):
        return False
    fresh = certificate.not_valid_after_utc - _RENEW_BEFORE > _now()
    return fresh and all(name in names for name in wanted)


def _issue(
    authority: Authority, subject: x509.Name, usage: x509.ObjectIdentifier, names: list[x509.GeneralName] | None
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    ca, ca_key = authority.load()
    key = ec.generate_private_key(ec.SECP256R1())
    builder = _leaf_usage(_builder(subject, ca.subject, key.public_key(), _LEAF_DAYS), usage)
    builder = builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(ca_key, hashes.SHA256()), key


def ensure_authority(directory: Path, host: str = "127.0.0.1") -> Authority:
    """The CA and server certificate in ``directory``: reused when present, made when absent (the
    server certificate also when it does not name ``host`` or expires within 30 days)."""
    created = not (directory / "ca.pem").exists() or not (directory / "ca.key").exists()
    authority = Authority(directory, created)
    if created:
        _new_authority(authority)
    ca, _ = authority.load()
    wanted = _wanted_names(host)
    if not _server_is_current(authority, wanted, ca):
        subject = _name(host if host not in ("0.0.0.0", "::") else "localhost")  # noqa: S104
        certificate, key = _issue(authority, subject, ExtendedKeyUsageOID.SERVER_AUTH, wanted)
        _write(authority.server_key, _key_pem(key), private=True)
        _write(authority.server_certificate, certificate.public_bytes(serialization.Encoding.PEM))
    return authority


def _file_name(client: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", client).strip("_") or "client"


def issue_client(authority: Authority, client: str) -> IssuedCertificate:
    """A TLS client certificate and key for ``client`` (an X-Road client identifier, the subject's
    common name), signed by the CA, written to ``clients/`` (an earlier one for the same client is
    replaced on disk; it stays valid until it expires unless the topology pins a fingerprint)."""
    subject = _name(client)
    certificate, key = _issue(authority, subject, ExtendedKeyUsageOID.CLIENT_AUTH, None)
    stem = authority.clients / _file_name(client)
    cert_path, key_path = stem.with_name(stem.name + ".pem"), stem.with_name(stem.name + ".key")
    _write(key_path, _key_pem(key), private=True)
    _write(cert_path, certificate.public_bytes(serialization.Encoding.PEM))
    der = certificate.public_bytes(serialization.Encoding.DER)
    return IssuedCertificate(cert_path, key_path, certificate_fingerprint(der), client, certificate.not_valid_after_utc)


def server_context(authority: Authority) -> ssl.SSLContext:
    """The context the hub serves HTTPS with: TLS 1.2+, its server certificate, a client certificate
    requested (``CERT_OPTIONAL``) and verified against this CA only."""
    # Not create_default_context: for CLIENT_AUTH it would also trust the system's CAs for client certificates.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(authority.server_certificate, authority.server_key)
    context.load_verify_locations(cafile=authority.ca_certificate)
    context.verify_mode = ssl.CERT_OPTIONAL
    return context
