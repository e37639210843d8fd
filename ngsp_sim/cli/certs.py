"""``ngsp-sim certs issue|show``: the local CA of ``up --tls`` and the TLS client certificates it issues.

Works on the data directory's files (``DATA_DIR/tls``), not through a running hub: a certificate issued
while the hub runs is accepted at once (the hub trusts its CA, and by default a certificate whose subject
names the client counts as that client's registered one; see :mod:`ngsp_sim.security.isauth`).
"""

from __future__ import annotations

from pathlib import Path

import click
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ngsp_sim.identifiers import SubsystemId
from ngsp_sim.security.tls import TLS_DIR, certificate_fingerprint, ensure_authority, issue_client
from ngsp_sim.settings import DATA_DIR_NAME, default_data_dir

__all__ = ["certs"]

_DATA_DIR = click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    envvar="NGSP_SIM_DATA_DIR",
    show_envvar=True,
    help=f"the hub's data directory (default ./{DATA_DIR_NAME} here), as for `up`",
)


@click.group()
def certs() -> None:
    """The local CA of `up --tls` and TLS client certificates (chứng thư TLS của hệ thống thông tin).

    \b
    Examples:
      ngsp-sim certs issue VN/GOV/000.00.00.H29/MOTCUA
      ngsp-sim certs show
    """


def _directory(data_dir: Path | None) -> Path:
    return (data_dir or default_data_dir()) / TLS_DIR


@certs.command()
@click.argument("client")
@_DATA_DIR
def issue(client: str, data_dir: Path | None) -> int:
    """Issue a TLS client certificate and key for CLIENT (an X-Road client identifier such as
    VN/GOV/000.00.00.H29/MOTCUA), signed by the hub's CA (made now if there is none)."""
    try:
        client_id = SubsystemId.parse_client(client)
    except ValueError as exc:
        raise click.BadParameter(f"{client!r} is not an X-Road client identifier: {exc}") from None
    authority = ensure_authority(_directory(data_dir))
    issued = issue_client(authority, str(client_id))
    print(f"issued a TLS client certificate for {issued.subject} (valid until {issued.not_after:%Y-%m-%d})")
    print(f"  certificate: {issued.certificate}")
    print(f"  key:         {issued.key}   (keep it private)")
    print(f"  SHA-256:     {issued.fingerprint}")
    print(f"  the hub's CA: {authority.ca_certificate}")
    print("  use it (connection: https):")
    print(
        f"    curl --cacert {authority.ca_certificate} --cert {issued.certificate} --key {issued.key} "
        "https://127.0.0.1:8080/r1/..."
    )
    print(f"    tls = ssl.create_default_context(cafile='{authority.ca_certificate}')")
    print(f"    tls.load_cert_chain('{issued.certificate}', '{issued.key}'); httpx.Client(verify=tls)")
    print("  registered: any certificate the hub's CA issued for this client; to accept this one only, in the")
    print(f"  topology under the subsystem: certificates: [{issued.fingerprint}]")
    return 0


@certs.command()
@_DATA_DIR
def show(data_dir: Path | None) -> int:
    """The CA, the server certificate and the client certificates issued, with fingerprints."""
    directory = _directory(data_dir)
    if not (directory / "ca.pem").exists():
        print(f"no CA in {directory}: `ngsp-sim up --tls` or `ngsp-sim certs issue CLIENT` makes one")
        return 1
    files = [directory / "ca.pem", directory / "server.pem", *sorted((directory / "clients").glob("*.pem"))]
    for path in files:
        if not path.exists():
            continue
        certificate = x509.load_pem_x509_certificate(path.read_bytes())
        der = certificate.public_bytes(serialization.Encoding.DER)
        print(f"{path}")
        print(f"  subject: {certificate.subject.rfc4514_string()}")
        print(f"  valid:   {certificate.not_valid_before_utc:%Y-%m-%d} .. {certificate.not_valid_after_utc:%Y-%m-%d}")
        print(f"  SHA-256: {certificate_fingerprint(der)}")
    return 0
