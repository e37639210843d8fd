"""The hub's edge under attack, over real sockets: encoded path delimiters, header bytes that are not
UTF-8, and requests over the URL and header limits. After each attack the next good request must be
served *and* logged (issue 15, findings 1, 2 and 7; issue 18's encoded line feeds).

Requests are written byte for byte on a raw socket: HTTP clients normalise paths and refuse such
headers, attackers do not. The provider is a real HTTP server on loopback that reports the raw path and
query it received.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from typing import Any

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from ngsp_sim.config import SecurityConfig
from ngsp_sim.hub.edge import parser_limits
from ngsp_sim.hub.runtime import HUB
from ngsp_sim.store import MessageQuery
from tests.edxml_helpers import G01, H29, QLVB, VDXP, edoc
from tests.helpers import ADMIN_TOKEN, BUSINESS, MOTCUA, MakeHub, provider_topology, token_for

NATIVE = "/apiCSDLDKDN/1.0/chiTietDoanhNghiep"
GATEWAY = "/dkdn/2.0/chiTietDoanhNghiep"
QUERY = "?msdn=0312345673"


class Probe:
    """A business-registry stand-in that records the raw target (path and query) of each request."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def app(self) -> web.Application:
        async def answer(request: web.Request) -> web.Response:
            self.seen.append(request.raw_path)
            return web.json_response({"Status": 0, "Message": "none"})

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", answer)
        return app


@pytest.fixture
async def probe() -> Probe:
    return Probe()


@pytest.fixture
async def edge_hub(make_hub: MakeHub, aiohttp_server: Any, probe: Probe) -> TestClient[Any, Any]:
    """A hub whose business registry is the probe, with a path rule (``/public/**``) and a gateway address."""
    server = await aiohttp_server(probe.app())
    endpoint = str(server.make_url("")).rstrip("/")
    topology = provider_topology(
        access_paths=["/public/**"], endpoint=endpoint, gateway={"context": "dkdn", "version": "2.0"}
    )
    return await make_hub(topology)


async def send_raw(hub: Any, head: bytes, body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    """Write ``head`` (request line and headers, without the blank line) and ``body`` as given; read
    the whole answer (the request asks for ``Connection: close``)."""
    reader, writer = await asyncio.open_connection(hub.host, hub.port)
    host = f"Host: {hub.host}:{hub.port}\r\nConnection: close\r\nContent-Length: {len(body)}\r\n".encode()
    line, _, rest = head.partition(b"\r\n")
    writer.write(line + b"\r\n" + host + (rest + b"\r\n" if rest else b"") + b"\r\n" + body)
    await writer.drain()
    raw = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    await writer.wait_closed()
    head_out, _, payload = raw.partition(b"\r\n\r\n")
    status_line, *lines = head_out.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, payload


def request(method: str, target: str, headers: Mapping[str, str | bytes] | None = None) -> bytes:
    lines = [f"{method} {target} HTTP/1.1".encode()]
    lines += [k.encode() + b": " + (v if isinstance(v, bytes) else v.encode()) for k, v in (headers or {}).items()]
    return b"\r\n".join(lines)


def xroad_error(status: int, headers: dict[str, str], body: bytes, expected_status: int, error: str) -> dict[str, Any]:
    """The X-Road error body (JSON), with its type in ``X-Road-Error``."""
    assert (status, headers.get("x-road-error")) == (expected_status, error), body
    assert headers["content-type"].startswith("application/json"), headers
    data: dict[str, Any] = orjson.loads(body)
    assert data["type"] == error
    return data


def gateway_fault(status: int, headers: dict[str, str], body: bytes, expected_status: int) -> dict[str, Any]:
    """The WSO2-style gateway fault."""
    assert status == expected_status, body
    assert headers["content-type"].startswith("application/json"), headers
    fault: dict[str, Any] = orjson.loads(body)["fault"]
    return fault


async def logged(hub: Any, message_id: str) -> dict[str, Any]:
    """The message-log record of ``message_id``, after the log is flushed."""
    runtime = hub.server.app[HUB]
    await runtime.message_log.flush()
    page = await runtime.store.list_messages(MessageQuery(message_id=message_id, limit=5))
    assert len(page) == 1, f"no single record of {message_id}"
    record: dict[str, Any] = (await runtime.store.get_message(page[0].id)).record
    return record


async def served_and_logged(hub: Any, probe: Probe | None = None) -> None:
    """A good request after the attack: answered 200 and present in the message log."""
    message_id = f"after-{uuid.uuid4().hex}"
    before = len(probe.seen) if probe else 0
    status, _, body = await send_raw(
        hub, request("GET", f"{BUSINESS}/public/x{QUERY}", {"X-Road-Client": MOTCUA, "X-Road-Id": message_id})
    )
    assert status == 200, body
    if probe is not None:
        assert probe.seen[before:] == [f"{NATIVE}/public/x{QUERY}"]
    assert (await logged(hub, message_id))["statusCode"] == 200


# --- finding 1: the provider receives exactly the path and query that were checked ---------------

SNEAKY = {
    "double-encoded-dotdot": "/public/%252e%252e/admin",
    "encoded-dotdot": "/public/%2e%2e/admin",
    "encoded-dot": "/public/%2E/x",
    "encoded-slash": "/public/..%2Fadmin",
    "encoded-slash-inside": "/public/a%2Fb",
    "encoded-query": "/public/x%3Fmsdn=0000000000%26evil=1",
    "encoded-fragment": "/public/x%23frag",
    "encoded-backslash": "/public/..%5Cadmin",
    "encoded-percent": "/public/x%25y",
    "dotdot-with-parameter": "/public/..;x=1/admin",
}


@pytest.mark.parametrize("sneaky", SNEAKY.values(), ids=SNEAKY.keys())
async def test_encoded_delimiters_in_an_r1_path_are_refused_naming_the_segment(
    edge_hub: TestClient[Any, Any], probe: Probe, sneaky: str
) -> None:
    status, headers, body = await send_raw(
        edge_hub, request("GET", f"{BUSINESS}{sneaky}{QUERY}", {"X-Road-Client": MOTCUA})
    )
    error = xroad_error(status, headers, body, 400, "Client.InvalidRequest")
    segment = next(s for s in sneaky.split("/") if "%" in s or ";" in s)
    assert repr(segment) in error["message"], error
    assert probe.seen == []
    await served_and_logged(edge_hub, probe)


@pytest.mark.parametrize("sneaky", SNEAKY.values(), ids=SNEAKY.keys())
async def test_encoded_delimiters_in_a_gateway_path_are_refused_with_a_fault(
    edge_hub: TestClient[Any, Any], probe: Probe, sneaky: str
) -> None:
    token = await token_for(edge_hub)
    status, headers, body = await send_raw(
        edge_hub, request("GET", f"{GATEWAY}{sneaky}{QUERY}", {"Authorization": f"Bearer {token}"})
    )
    fault = gateway_fault(status, headers, body, 400)
    assert "path segment" in fault["description"] or "path segment" in fault["message"], fault
    assert probe.seen == []
    await served_and_logged(edge_hub, probe)


async def test_the_provider_receives_the_checked_path_and_query_as_data(
    edge_hub: TestClient[Any, Any], probe: Probe
) -> None:
    """Characters that are data in a segment (space, Vietnamese letters, ``;``, ``=``, ``@``) reach the
    provider percent-encoded as such; plain dot segments are resolved before the check."""
    token = await token_for(edge_hub)
    cases = [
        (f"{BUSINESS}/public/a%20b/%C4%91%E1%BB%8Bnh{QUERY}", {"X-Road-Client": MOTCUA}),
        (f"{GATEWAY}/public/a%20b/%C4%91%E1%BB%8Bnh{QUERY}", {"Authorization": f"Bearer {token}"}),
        (f"{BUSINESS}/public/x/../a;b=c@d{QUERY}", {"X-Road-Client": MOTCUA}),
    ]
    for target, headers in cases:
        status, _, body = await send_raw(edge_hub, request("GET", target, headers))
        assert status == 200, body
    assert probe.seen == [
        f"{NATIVE}/public/a%20b/%C4%91%E1%BB%8Bnh{QUERY}",
        f"{NATIVE}/public/a%20b/%C4%91%E1%BB%8Bnh{QUERY}",
        f"{NATIVE}/public/a;b=c@d{QUERY}",
    ]
    await served_and_logged(edge_hub, probe)


async def test_plain_dot_segments_cannot_leave_the_rule(edge_hub: TestClient[Any, Any], probe: Probe) -> None:
    status, headers, body = await send_raw(
        edge_hub, request("GET", f"{BUSINESS}/public/../admin{QUERY}", {"X-Road-Client": MOTCUA})
    )
    xroad_error(status, headers, body, 500, "Server.ServerProxy.AccessDenied")
    assert probe.seen == []
    await served_and_logged(edge_hub, probe)


LINE_FEEDS = {
    "r1-identifier": (f"/r1/VN/GOV/000.00.00.G12/CSDLDKDN%0A/chiTietDoanhNghiep{QUERY}", "xroad", 400),
    "r1-rest": (f"{BUSINESS}/public/a%0Ab{QUERY}", "xroad", 400),
    "r1-rest-cr": (f"{BUSINESS}/public/a%0Db{QUERY}", "xroad", 400),
    "gateway-rest": (f"{GATEWAY}/public/a%0Ab{QUERY}", "gateway", 400),
    "gateway-context": (f"/dkdn%0A/2.0/chiTietDoanhNghiep{QUERY}", "gateway", 404),
}


@pytest.mark.parametrize(("target", "style", "expected"), LINE_FEEDS.values(), ids=LINE_FEEDS.keys())
async def test_encoded_line_feeds_get_the_documented_error_body(
    edge_hub: TestClient[Any, Any], probe: Probe, target: str, style: str, expected: int
) -> None:
    token = await token_for(edge_hub)
    headers = {"X-Road-Client": MOTCUA} if style == "xroad" else {"Authorization": f"Bearer {token}"}
    status, got, body = await send_raw(edge_hub, request("GET", target, headers))
    if style == "xroad":
        assert status == expected and got["content-type"].startswith("application/json"), body
        assert orjson.loads(body)["type"].startswith("Client.Invalid")
    else:
        gateway_fault(status, got, body, expected)
    assert probe.seen == []
    await served_and_logged(edge_hub, probe)


async def test_an_encoded_line_feed_in_an_admin_id_gets_the_admin_error_body(
    edge_hub: TestClient[Any, Any], probe: Probe
) -> None:
    status, headers, body = await send_raw(
        edge_hub,
        request(
            "PUT",
            "/api/v1/services/VN%2FGOV%2F000.00.00.G12%2FCSDLDKDN%2Fx%0Ay",
            {"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"},
        ),
    )
    assert 400 <= status < 500 and headers["content-type"].startswith("application/json"), body
    assert "error" in orjson.loads(body)
    status, headers, body = await send_raw(
        edge_hub, request("GET", "/api/v1/messages/a%0Ab", {"Authorization": f"Bearer {ADMIN_TOKEN}"})
    )
    assert 400 <= status < 500 and headers["content-type"].startswith("application/json"), body
    await served_and_logged(edge_hub, probe)


# --- finding 2: header bytes that are not UTF-8 are refused at the edge ---------------------------

BAD = b"ab\xff\xfecd"
HEADERS_READ = [
    "X-Road-Client",
    "X-Road-Id",
    "X-Road-UserId",
    "X-Road-Issue",
    "X-Road-Represented-Party",
    "Content-Type",
    "Authorization",
    "Accept",
    "traceparent",
    "tracestate",
    "X-Custom",
]


@pytest.mark.parametrize("name", HEADERS_READ)
async def test_a_non_utf8_header_byte_is_refused_on_r1_before_the_provider(
    edge_hub: TestClient[Any, Any], probe: Probe, name: str
) -> None:
    headers: dict[str, str | bytes] = {"X-Road-Client": MOTCUA, name: BAD}
    status, got, body = await send_raw(edge_hub, request("GET", f"{BUSINESS}/public/x{QUERY}", headers))
    error = xroad_error(status, got, body, 400, "Client.InvalidRequest")
    assert name.lower() in error["message"].lower()
    assert probe.seen == []
    await served_and_logged(edge_hub, probe)


@pytest.mark.parametrize("name", ["X-Road-Id", "X-Road-UserId", "Authorization", "Accept", "Content-Type"])
async def test_a_non_utf8_header_byte_is_refused_on_a_gateway_path_with_a_fault(
    edge_hub: TestClient[Any, Any], probe: Probe, name: str
) -> None:
    token = await token_for(edge_hub)
    headers: dict[str, str | bytes] = {"Authorization": f"Bearer {token}", name: BAD}
    status, got, body = await send_raw(edge_hub, request("GET", f"{GATEWAY}/public/x{QUERY}", headers))
    fault = gateway_fault(status, got, body, 400)
    assert name.lower() in fault["description"].lower() or name.lower() in fault["message"].lower(), fault
    assert probe.seen == []
    await served_and_logged(edge_hub, probe)


@pytest.mark.parametrize("target", ["/api/v1/services", "/metrics", "/token"])
async def test_a_non_utf8_authorization_byte_on_the_hubs_own_endpoints_is_a_fault_not_a_500(
    edge_hub: TestClient[Any, Any], probe: Probe, target: str
) -> None:
    """The admin token and metrics checks encode the header to compare it in constant time: a lone
    surrogate there was a 500."""
    headers: dict[str, str | bytes] = {"Authorization": b"Bearer " + BAD}
    status, got, body = await send_raw(edge_hub, request("POST" if target == "/token" else "GET", target, headers))
    assert "authorization" in gateway_fault(status, got, body, 400)["description"].lower()
    await served_and_logged(edge_hub, probe)


async def test_non_utf8_url_bytes_are_refused_raw_or_percent_encoded(
    edge_hub: TestClient[Any, Any], probe: Probe
) -> None:
    """Raw, the HTTP parser refuses them (400, before the hub); percent-encoded in the path, the hub
    refuses the segment; percent-encoded in the query, they decode to U+FFFD, fail validation and the
    refused exchange is logged."""
    head = f"GET {BUSINESS}/public/x{QUERY} HTTP/1.1\r\nX-Road-Client: {MOTCUA}".encode()
    status, _, _ = await send_raw(edge_hub, head.replace(b"/x", b"/\xff"))
    assert status == 400
    status, got, body = await send_raw(edge_hub, head.replace(b"/x", b"/%ff"))
    assert "not UTF-8" in xroad_error(status, got, body, 400, "Client.InvalidRequest")["message"]
    message_id = f"bad-query-{uuid.uuid4().hex}"
    status, got, body = await send_raw(
        edge_hub, head.replace(b"msdn=", b"msdn=%ff") + b"\r\nX-Road-Id: " + message_id.encode()
    )
    xroad_error(status, got, body, 400, "Client.SchemaViolation")
    assert (await logged(edge_hub, message_id))["statusCode"] == 400
    assert probe.seen == []
    await served_and_logged(edge_hub, probe)


async def test_utf8_header_values_are_served_and_logged_as_sent(edge_hub: TestClient[Any, Any], probe: Probe) -> None:
    """Valid UTF-8 (a Vietnamese user name) is data: served, forwarded and logged unchanged."""
    message_id = f"mã-{uuid.uuid4().hex}"
    headers: dict[str, str | bytes] = {
        "X-Road-Client": MOTCUA,
        "X-Road-Id": message_id,
        "X-Road-UserId": "Nguyễn Văn Đức",
        "X-Road-Issue": "hồ sơ 7",
    }
    status, got, body = await send_raw(edge_hub, request("GET", f"{BUSINESS}/public/x{QUERY}", headers))
    assert status == 200, body
    assert got["x-road-id"].encode("latin-1").decode() == message_id
    record = await logged(edge_hub, message_id)
    assert (record["messageUserId"], record["messageIssue"]) == ("Nguyễn Văn Đức", "hồ sơ 7")
    await served_and_logged(edge_hub, probe)


async def test_a_document_with_a_bad_header_byte_is_refused_undelivered_and_the_next_is_logged(
    hub: TestClient[Any, Any],
) -> None:
    """``sendEdoc`` has a side effect: refused before the pipeline, nothing is delivered; a good one
    afterwards is delivered and logged."""
    sender = QLVB[G01["OrganId"]]
    target = f"/r1/{VDXP}/sendEdoc"
    xml = "text/xml; charset=utf-8"
    for name in ("X-Road-Id", "Content-Type"):
        headers: dict[str, str | bytes] = {"X-Road-Client": sender, "Content-Type": xml, name: BAD}
        status, got, body = await send_raw(hub, request("POST", target, headers), edoc(G01, [H29], number="31"))
        xroad_error(status, got, body, 400, "Client.InvalidRequest")
    inbox = await hub.get(f"/r1/{VDXP}/getReceivedEdocList", headers={"X-Road-Client": QLVB[H29["OrganId"]]})
    assert (await inbox.json())["data"] == []
    message_id = f"edoc-{uuid.uuid4().hex}"
    headers = {"X-Road-Client": sender, "Content-Type": xml, "X-Road-Id": message_id}
    status, _, body = await send_raw(hub, request("POST", target, headers), edoc(G01, [H29], number="32"))
    assert status == 200, body
    assert (await logged(hub, message_id))["serviceCode"] == "sendEdoc"
    inbox = await hub.get(f"/r1/{VDXP}/getReceivedEdocList", headers={"X-Road-Client": QLVB[H29["OrganId"]]})
    assert len((await inbox.json())["data"]) == 1


# --- finding 7: limits answer as documented -------------------------------------------------------

BIG = 70 * 1024


def _oversized(kind: str) -> tuple[str, dict[str, str | bytes]]:
    if kind == "url":
        return f"/public/{'a' * BIG}", {}
    if kind == "header":
        return "/public/x", {"X-Pad": "y" * BIG}
    return "/public/x", {f"X-Pad-{n}": "y" for n in range(200)}


LIMITS = {"url": 414, "header": 431, "many-headers": 431}
"""The gateway statuses; on /r1 every one is 400 (PR-REST 4.6), the type says which limit."""


@pytest.mark.parametrize("kind", LIMITS, ids=LIMITS.keys())
async def test_limits_answer_with_the_x_road_error_on_r1(
    edge_hub: TestClient[Any, Any], probe: Probe, kind: str
) -> None:
    rest, extra = _oversized(kind)
    headers: dict[str, str | bytes] = {"X-Road-Client": MOTCUA, **extra}
    status, got, body = await send_raw(edge_hub, request("GET", f"{BUSINESS}{rest}{QUERY}", headers))
    xroad_error(status, got, body, 400, "Client.UriTooLong" if kind == "url" else "Client.HeadersTooLarge")
    assert probe.seen == []
    await served_and_logged(edge_hub, probe)


@pytest.mark.parametrize("kind", LIMITS, ids=LIMITS.keys())
async def test_limits_answer_with_the_gateway_fault_on_gateway_paths(
    edge_hub: TestClient[Any, Any], probe: Probe, kind: str
) -> None:
    token = await token_for(edge_hub)
    rest, extra = _oversized(kind)
    headers: dict[str, str | bytes] = {"Authorization": f"Bearer {token}", **extra}
    status, got, body = await send_raw(edge_hub, request("GET", f"{GATEWAY}{rest}{QUERY}", headers))
    assert gateway_fault(status, got, body, LIMITS[kind])["code"] == LIMITS[kind]
    assert probe.seen == []
    await served_and_logged(edge_hub, probe)


async def test_beyond_the_parser_limits_the_connection_is_refused_and_the_hub_keeps_serving(
    edge_hub: TestClient[Any, Any], probe: Probe
) -> None:
    """Above what the HTTP parser buffers (documented in the README), the parser answers 400 itself and
    closes the connection; the hub serves the next request. (Just over the limit, so that the whole
    request is read before the answer and the socket is not reset under it.)"""
    over = parser_limits(SecurityConfig())["max_field_size"] + 1
    headers: dict[str, str | bytes] = {"X-Road-Client": MOTCUA, "X-Pad": "y" * over}
    status, got, _ = await send_raw(edge_hub, request("GET", f"{BUSINESS}/public/x{QUERY}", headers))
    assert (status, got["content-type"]) == (400, "text/plain; charset=utf-8")
    assert probe.seen == []
    await served_and_logged(edge_hub, probe)


async def test_a_provider_header_byte_that_is_not_utf8_reaches_the_caller_escaped_and_logged(make_hub: MakeHub) -> None:
    """The provider side of the same edge: a redirect whose ``Location`` is not UTF-8 is passed on with
    the byte escaped (never a 500 after the provider was called), and the exchange is logged."""

    async def redirect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            b"HTTP/1.1 302 Found\r\nLocation: /moved/\xff\xfe\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(redirect, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        hub = await make_hub(provider_topology(endpoint=f"http://127.0.0.1:{port}"))
        message_id = f"redirect-{uuid.uuid4().hex}"
        status, got, body = await send_raw(
            hub, request("GET", f"{BUSINESS}{QUERY}", {"X-Road-Client": MOTCUA, "X-Road-Id": message_id})
        )
        assert (status, got["location"]) == (302, "/moved/\\xff\\xfe"), body
        assert (await logged(hub, message_id))["statusCode"] == 302
    finally:
        server.close()
        await server.wait_closed()
