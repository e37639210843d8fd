"""TLS as the platform speaks it: the hub's HTTPS with its own CA, and X-Road's connection types per
client subsystem (``http``, ``https_no_auth``, ``https``) judged by the client's security server.

Everything over real sockets with independent TLS clients: httpx (``verify=`` the generated CA,
``cert=`` a client certificate), requests-oauthlib for the OAuth2 token flow over HTTPS without any
"insecure transport" override, and ``ngsp-sim up --tls`` as a real process for the CA's reuse.
"""

from __future__ import annotations

import shutil
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from oauthlib.oauth2 import BackendApplicationClient
from requests_oauthlib import OAuth2Session

from ngsp_sim.cli import main
from ngsp_sim.config import HubConfig, SecurityConfig, TlsConfig
from ngsp_sim.errors import SslAuthenticationFailed
from ngsp_sim.security.tls import (
    IssuedCertificate,
    certificate_fingerprint,
    ensure_authority,
    issue_client,
    server_context,
)
from ngsp_sim.testing.embedded import EmbeddedHub, HubHandle
from tests.helpers import ADMIN_TOKEN, BUSINESS, MakeHub, provider_topology
from tests.processes import start, stop

TIMEOUT = 30  # seconds a blocked read may wait before the test fails instead of hanging
QUERY = "?msdn=0312345673"
GATEWAY = "/apiCSDLDKDN/1.0/chiTietDoanhNghiep"
H29 = "VN/GOV/000.00.00.H29"
PLAIN, NOAUTH, MTLS, PINNED = (f"{H29}/{code}" for code in ("PLAIN", "NOAUTH", "MTLS", "PINNED"))
MTLS_KEY, MTLS_SECRET = "mtls-system", "mtls-system-secret-0123456789"


@dataclass(frozen=True)
class Certs:
    ca: Path
    mtls: IssuedCertificate
    plain: IssuedCertificate
    pinned: IssuedCertificate
    pinned_other: IssuedCertificate
    foreign: IssuedCertificate
    """Issued for MTLS by another CA."""


def _kept(issued: IssuedCertificate, where: Path) -> IssuedCertificate:
    """A copy of an issued certificate and key (a later issue for the same client replaces the files)."""
    where.mkdir(parents=True, exist_ok=True)
    cert, key = where / issued.certificate.name, where / issued.key.name
    shutil.copy(issued.certificate, cert)
    shutil.copy(issued.key, key)
    return IssuedCertificate(cert, key, issued.fingerprint, issued.subject, issued.not_after)


def _topology(pinned: str) -> str:
    def client(code: str, connection: str, **extra: object) -> dict[str, object]:
        return {"code": code, "name": {"vi": code, "en": code}, "connection": connection, **extra}

    service = "VN/GOV/000.00.00.G12/CSDLDKDN/chiTietDoanhNghiep"
    topology = yaml.safe_load(provider_topology(gateway={"context": "apiCSDLDKDN", "version": "1.0"}))
    topology["agencies"][1]["subsystems"] = [
        client("PLAIN", "http"),
        client("NOAUTH", "https_no_auth"),
        client("MTLS", "https", consumer_key=MTLS_KEY, consumer_secret=MTLS_SECRET),
        client("PINNED", "https", certificates=[pinned]),
    ]
    topology["access"] = [{"client": c, "service": service} for c in (PLAIN, NOAUTH, MTLS, PINNED)]
    return yaml.safe_dump(topology, allow_unicode=True, sort_keys=False)


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    root = tmp_path_factory.mktemp("tls")
    authority = ensure_authority(root / "hub")
    pinned = _kept(issue_client(authority, PINNED), root / "kept")
    foreign = issue_client(ensure_authority(root / "elsewhere"), MTLS)
    return Certs(
        authority.ca_certificate,
        issue_client(authority, MTLS),
        issue_client(authority, PLAIN),
        pinned,
        issue_client(authority, PINNED),
        foreign,
    )


@pytest.fixture(scope="module")
def hub(certs: Certs) -> Iterator[HubHandle]:
    config = HubConfig(
        port=0,
        population=50,
        admin_token=ADMIN_TOKEN,
        security=SecurityConfig(kdf_cost=2**10),
        tls=TlsConfig(certs.ca.parent, http_port=0),
    )
    with EmbeddedHub(config, topology_text=_topology(certs.pinned.fingerprint)) as handle:
        yield handle


def _trusting(certs: Certs, cert: IssuedCertificate | None = None) -> ssl.SSLContext:
    """What a client verifies the hub with (httpx's ``verify=``): the hub's CA, and a client certificate."""
    context = ssl.create_default_context(cafile=str(certs.ca))
    if cert is not None:
        context.load_cert_chain(cert.certificate, cert.key)
    return context


def _call(
    hub: HubHandle, certs: Certs, client: str, *, plain: bool = False, cert: IssuedCertificate | None = None
) -> httpx.Response:
    base = hub.plain_url if plain else hub.url
    assert base is not None
    with httpx.Client(verify=_trusting(certs, cert), timeout=TIMEOUT) as session:
        return session.get(f"{base}{BUSINESS}{QUERY}", headers={"X-Road-Client": client})


def _refused(answer: httpx.Response, message: str) -> None:
    assert answer.status_code == 500, answer.text
    assert answer.headers["X-Road-Error"] == "Server.ClientProxy.SslAuthenticationFailed"
    assert answer.json()["type"] == "Server.ClientProxy.SslAuthenticationFailed"
    assert answer.json()["message"] == message


def test_the_hub_serves_https_with_its_own_ca(hub: HubHandle, certs: Certs) -> None:
    """HTTPS verified against the generated CA (SAN 127.0.0.1); the system's trust store does not know it."""
    assert hub.url.startswith("https://127.0.0.1:") and hub.ca_file == certs.ca
    assert httpx.get(f"{hub.url}/healthz", verify=_trusting(certs), timeout=TIMEOUT).status_code == 200
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(f"{hub.url}/healthz", timeout=TIMEOUT)
    assert hub.plain_url is not None and hub.plain_url.startswith("http://")
    assert httpx.get(f"{hub.plain_url}/healthz", timeout=TIMEOUT).status_code == 200


@pytest.mark.parametrize(
    ("client", "plain", "cert"),
    [
        pytest.param(PLAIN, True, None, id="http-over-plain-http"),
        pytest.param(PLAIN, False, None, id="http-over-https"),
        pytest.param(NOAUTH, False, None, id="https_no_auth-without-certificate"),
        pytest.param(NOAUTH, False, "plain", id="https_no_auth-with-any-certificate"),
        pytest.param(MTLS, False, "mtls", id="https-with-its-certificate"),
        pytest.param(PINNED, False, "pinned", id="https-with-the-pinned-certificate"),
    ],
)
def test_a_connection_that_satisfies_the_connection_type_passes(
    hub: HubHandle, certs: Certs, client: str, plain: bool, cert: str | None
) -> None:
    answer = _call(hub, certs, client, plain=plain, cert=getattr(certs, cert) if cert else None)
    assert answer.status_code == 200, answer.text
    assert answer.json()["MainInformation"]["ENTERPRISE_GDT_CODE"] == "0312345673"


@pytest.mark.parametrize(
    ("client", "plain", "cert", "message"),
    [
        pytest.param(
            NOAUTH, True, None, "specifies HTTPS NO AUTH but client made plaintext connection", id="noauth-plain"
        ),
        pytest.param(MTLS, True, None, "specifies HTTPS but did not supply TLS certificate", id="https-plain"),
        pytest.param(MTLS, False, None, "specifies HTTPS but did not supply TLS certificate", id="https-no-cert"),
        pytest.param(MTLS, False, "plain", "TLS certificate does not match any IS certificates", id="another-clients"),
        pytest.param(
            PINNED, False, "pinned_other", "TLS certificate does not match any IS certificates", id="unpinned"
        ),
    ],
)
def test_x_road_refuses_a_connection_that_breaks_the_connection_type(
    hub: HubHandle, certs: Certs, client: str, plain: bool, cert: str | None, message: str
) -> None:
    """X-Road's messages (MessageProcessorBase.verifyClientAuthentication), on the client's side."""
    answer = _call(hub, certs, client, plain=plain, cert=getattr(certs, cert) if cert else None)
    _refused(answer, f"Client (SUBSYSTEM:{client}) {message}")
    (logged,) = [m for m in hub.messages(client=client) if m.record["messageId"] == answer.headers["X-Road-Id"]]
    assert logged.record["faultCode"] == "Server.ClientProxy.SslAuthenticationFailed"


def test_metaservices_are_judged_like_any_r1_call(hub: HubHandle, certs: Certs) -> None:
    """X-Road's client proxy checks the connection of a metaservice request (listMethods) too."""
    listing = "/r1/VN/GOV/000.00.00.G12/CSDLDKDN/listMethods"
    assert hub.plain_url is not None
    with httpx.Client(verify=_trusting(certs), timeout=TIMEOUT) as session:
        refused = session.get(f"{hub.plain_url}{listing}", headers={"X-Road-Client": NOAUTH})
        served = session.get(f"{hub.url}{listing}", headers={"X-Road-Client": NOAUTH})
    _refused(refused, f"Client (SUBSYSTEM:{NOAUTH}) specifies HTTPS NO AUTH but client made plaintext connection")
    assert served.status_code == 200, served.text


def test_a_certificate_of_another_ca_fails_the_handshake(hub: HubHandle, certs: Certs) -> None:
    """The TLS layer trusts the hub's CA alone: a foreign certificate never reaches X-Road's check."""
    with pytest.raises(httpx.TransportError):
        _call(hub, certs, MTLS, cert=certs.foreign)


def test_the_gateway_style_answers_as_wso2s_mutual_tls(hub: HubHandle, certs: Certs) -> None:
    """A token alone is not enough for an ``https`` client: fault 900901, the X-Road type beside it."""
    with httpx.Client(verify=_trusting(certs), timeout=TIMEOUT) as session:
        token = session.post(
            f"{hub.url}/token", data={"grant_type": "client_credentials"}, auth=(MTLS_KEY, MTLS_SECRET)
        )
        assert token.status_code == 200, token.text
        bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
        answer = session.get(f"{hub.url}{GATEWAY}{QUERY}", headers=bearer)
    assert answer.status_code == 401, answer.text
    fault = answer.json()["fault"]
    assert (fault["code"], fault["message"]) == (900901, "Invalid Credentials")
    assert fault["type"] == "Server.ClientProxy.SslAuthenticationFailed"
    assert fault["description"].startswith(
        f"Client (SUBSYSTEM:{MTLS}) specifies HTTPS but did not supply TLS certificate"
    )


def test_oauth2_client_credentials_over_https_need_no_insecure_override(
    hub: HubHandle, certs: Certs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """requests-oauthlib refuses http:// unless OAUTHLIB_INSECURE_TRANSPORT is set; over the hub's HTTPS
    it needs nothing, and the client certificate rides along."""
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT", raising=False)
    pair = (str(certs.mtls.certificate), str(certs.mtls.key))
    with OAuth2Session(client=BackendApplicationClient(client_id=MTLS_KEY)) as session:
        session.cert = pair  # verify per call: REQUESTS_CA_BUNDLE in the environment would win over session.verify
        token = session.fetch_token(
            f"{hub.url}/token", client_id=MTLS_KEY, client_secret=MTLS_SECRET, timeout=TIMEOUT, verify=str(certs.ca)
        )
        assert token["token_type"] == "Bearer"
        answer = session.get(f"{hub.url}{GATEWAY}{QUERY}", timeout=TIMEOUT, verify=str(certs.ca))
    assert answer.status_code == 200, answer.text


async def test_the_snake_case_form_and_the_admin_api(make_hub: MakeHub) -> None:
    """``error_codes: 7x`` spells it ``server.clientproxy.ssl_authentication_failed``; a subsystem
    registered through the admin API takes a connection type too."""
    hub = await make_hub(provider_topology(client={"connection": "https_no_auth"}, extra={"error_codes": "7x"}))
    answer = await hub.get(f"{BUSINESS}{QUERY}", headers={"X-Road-Client": f"{H29}/MOTCUA"})
    assert answer.status == 500
    assert answer.headers["X-Road-Error"] == "server.clientproxy.ssl_authentication_failed"
    assert SslAuthenticationFailed.code("7x") == "server.clientproxy.ssl_authentication_failed"
    change = {"subsystem": f"{H29}/MOTCUA", "name": {"vi": "Một cửa", "en": "One-stop"}, "connection": "http"}
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    agencies = (await (await hub.get("/api/v1/agencies", headers=admin)).json())["items"]
    (motcua,) = [s for a in agencies for s in a["subsystems"] if s["id"] == f"{H29}/MOTCUA"]
    assert motcua["connection"] == "https_no_auth"
    assert (await hub.put(f"/api/v1/subsystems/{H29}/MOTCUA", json=change, headers=admin)).status == 200
    assert (await hub.get(f"{BUSINESS}{QUERY}", headers={"X-Road-Client": f"{H29}/MOTCUA"})).status == 200


def test_the_server_certificate_names_loopback_and_is_kept(tmp_path: Path) -> None:
    """SAN localhost, 127.0.0.1 and ::1, EKU serverAuth, issued by the CA; reused as long as it names the
    host, re-issued by the same CA when another host is asked for."""
    first = ensure_authority(tmp_path)
    ca, server = first.ca_certificate.read_bytes(), first.server_certificate.read_bytes()
    cert = x509.load_pem_x509_certificate(server)
    cert.verify_directly_issued_by(x509.load_pem_x509_certificate(ca))
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert [str(a) for a in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1", "::1"]
    assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.SERVER_AUTH
    ]
    (trusted,) = server_context(first).get_ca_certs()  # client certificates of this CA only, no system CA
    assert trusted["subject"] == (
        (("organizationName", "ngsp-sim local CA (testing only)"),),
        (("commonName", "ngsp-sim local CA"),),
    )
    again = ensure_authority(tmp_path)
    assert first.created and not again.created and again.server_certificate.read_bytes() == server
    moved = ensure_authority(tmp_path, "hub.example")
    assert moved.ca_certificate.read_bytes() == ca and moved.server_certificate.read_bytes() != server
    renamed = x509.load_pem_x509_certificate(moved.server_certificate.read_bytes())
    names = renamed.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "hub.example" in names.get_values_for_type(x509.DNSName)


def test_certs_issue_writes_a_client_certificate_signed_by_the_ca(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["certs", "issue", MTLS, "--data-dir", str(tmp_path)]) == 0
    issued = capsys.readouterr().out
    directory = tmp_path / "tls"
    cert = x509.load_pem_x509_certificate((directory / "clients" / "VN_GOV_000.00.00.H29_MTLS.pem").read_bytes())
    ca = x509.load_pem_x509_certificate((directory / "ca.pem").read_bytes())
    cert.verify_directly_issued_by(ca)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == MTLS
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    fingerprint = certificate_fingerprint(cert.public_bytes(serialization.Encoding.DER))
    assert f"SHA-256:     {fingerprint}" in issued and f"certificates: [{fingerprint}]" in issued
    assert oct((directory / "clients" / "VN_GOV_000.00.00.H29_MTLS.key").stat().st_mode & 0o777) == "0o600"
    assert main(["certs", "show", "--data-dir", str(tmp_path)]) == 0
    assert fingerprint in capsys.readouterr().out
    assert main(["certs", "issue", "not a client", "--data-dir", str(tmp_path)]) == 2
    assert "not an X-Road client identifier" in capsys.readouterr().err


async def test_up_tls_reuses_its_ca_on_restart(tmp_path: Path) -> None:
    """The CA made by the first ``up --tls`` is the one the second serves with: a client that trusts
    the first CA file connects to the restarted hub."""
    args = ("up", "--tls", "--port", "0", "--data-dir", str(tmp_path), "--population", "20", "--log-level", "error")
    first = await start(*args)
    assert first.url.startswith("https://")
    ca = tmp_path / "tls" / "ca.pem"
    kept = ca.read_bytes()
    await stop(first)
    told = first.banner + first.stdout.decode()
    assert f"the local CA (made now): {ca}" in told and f"curl --cacert {ca} {first.url}/healthz" in told
    assert f"curl -s --cacert {ca} -X POST {first.url}/r1/" in told  # the demo call trusts the CA too
    second = await start(*args)
    try:
        assert ca.read_bytes() == kept
        async with httpx.AsyncClient(verify=ssl.create_default_context(cafile=ca), timeout=TIMEOUT) as session:
            assert (await session.get(f"{second.url}/healthz")).status_code == 200
    finally:
        await stop(second)
    assert f"the local CA (reused): {ca}" in second.stdout.decode()
