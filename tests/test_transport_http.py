"""Providers reached over HTTP: a simulated agency served on its own port, header hygiene, redirects."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ngsp_sim.clock import SystemClock
from ngsp_sim.sim import AgencyContext, Country
from ngsp_sim.sim.business import BusinessAgency
from tests.helpers import BUSINESS, MOTCUA, MakeHub, provider_topology, token_for


async def _serve(aiohttp_server: Any, app: web.Application) -> str:
    server = await aiohttp_server(app)
    return str(server.make_url("")).rstrip("/")


async def test_simulated_agency_served_over_http_is_routable(make_hub: MakeHub, aiohttp_server: Any) -> None:
    agency = BusinessAgency(AgencyContext(Country.generate(7, 10, 10), SystemClock()))
    url = await _serve(aiohttp_server, agency.aiohttp_app())
    hub = await make_hub(provider_topology(endpoint=url))
    resp = await hub.get(f"{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": MOTCUA})
    assert resp.status == 200
    assert (await resp.json())["MainInformation"]["ENTERPRISE_GDT_CODE"] == "0312345673"


async def test_the_callers_headers_reach_the_provider_but_filtered_ones_never(
    make_hub: MakeHub, aiohttp_server: Any
) -> None:
    """PR-REST 4.3: user-defined headers, Accept and cache headers pass unmodified; hop-by-hop headers,
    those Connection names, Host/User-Agent and the hub's own access token do not."""
    seen: list[dict[str, str]] = []

    async def echo(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.json_response({"Status": 0, "Message": "none"})

    app = web.Application()
    app.router.add_get("/apiCSDLDKDN/1.0/chiTietDoanhNghiep", echo)
    hub = await make_hub(provider_topology(endpoint=await _serve(aiohttp_server, app)))
    token = await token_for(hub)
    resp = await hub.get(
        f"{BUSINESS}?msdn=0312345673",
        headers={
            "X-Road-Client": MOTCUA,
            "X-Road-Id": "trace-1",
            "X-Road-UserId": "VN-079090001234",
            "X-Road-Issue": "ticket-9",
            "X-Road-Request-Hash": "forged",
            "X-Powered-By": "PHP/5.2.17",
            "Accept": "application/json;q=0.9, text/plain;q=0.1",
            "Cache-Control": "no-cache, no-store, must-revalidate",
            "Pragma": "no-cache",
            "Cookie": "session=abc",
            "Content-Encoding": "identity",
            "User-Agent": "connector/1.0",
            "Connection": "keep-alive, X-Road-Issue",
            "Authorization": f"Bearer {token}",
            "Proxy-Authorization": "Basic c2VjcmV0",
        },
    )
    assert resp.status == 200
    (got,) = seen
    assert got["X-Road-Client"] == MOTCUA
    assert got["X-Road-Id"] == "trace-1"
    assert got["X-Road-UserId"] == "VN-079090001234"
    assert got["X-Powered-By"] == "PHP/5.2.17"
    assert got["Accept"] == "application/json;q=0.9, text/plain;q=0.1"
    assert got["Cache-Control"] == "no-cache, no-store, must-revalidate"
    assert got["Pragma"] == "no-cache"
    assert got["Cookie"] == "session=abc"
    assert got.get("User-Agent") != "connector/1.0"
    for absent in ("X-Road-Issue", "X-Road-Request-Hash", "Content-Encoding", "Authorization", "Proxy-Authorization"):
        assert absent not in got, absent


async def test_the_providers_headers_reach_the_caller_but_the_hubs_own_are_its_own(
    make_hub: MakeHub, aiohttp_server: Any
) -> None:
    """PR-REST 4.3: the provider's headers (cache headers, its own X-*) pass; the X-Road headers the
    provider must not set are replaced by the hub's, and hop-by-hop ones are dropped."""

    async def answer(request: web.Request) -> web.Response:
        body = {"Status": 0, "Message": "none"}
        return web.json_response(
            body,
            headers={
                "Cache-Control": "max-age=60",
                "ETag": '"v1"',
                "X-Pingback": "https://example.com/xmlrpc.php",
                "X-Road-Request-Hash": "forged",
                "X-Road-Client": "VN/GOV/FORGED/FORGED",
                "Keep-Alive": "timeout=5",
                "Connection": "keep-alive, X-Hop",
                "X-Hop": "1",
            },
        )

    app = web.Application()
    app.router.add_get("/apiCSDLDKDN/1.0/chiTietDoanhNghiep", answer)
    hub = await make_hub(provider_topology(endpoint=await _serve(aiohttp_server, app)))
    resp = await hub.get(f"{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": MOTCUA})
    assert resp.status == 200
    assert resp.headers["Cache-Control"] == "max-age=60"
    assert resp.headers["ETag"] == '"v1"'
    assert resp.headers["X-Pingback"] == "https://example.com/xmlrpc.php"
    assert resp.headers["X-Road-Client"] == MOTCUA
    assert resp.headers["X-Road-Request-Hash"] != "forged"
    assert "X-Hop" not in resp.headers
    assert resp.headers.get("Keep-Alive") != "timeout=5"
    assert resp.content_type == "application/json"


async def test_redirects_are_returned_not_followed(make_hub: MakeHub, aiohttp_server: Any) -> None:
    hits: list[str] = []

    async def redirect(request: web.Request) -> web.Response:
        hits.append(request.path)
        if request.path.endswith("chiTietDoanhNghiep"):
            raise web.HTTPFound("/elsewhere")
        return web.json_response({"Status": 1})

    app = web.Application()
    app.router.add_get("/{tail:.*}", redirect)
    hub = await make_hub(provider_topology(endpoint=await _serve(aiohttp_server, app)))
    resp = await hub.get(f"{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": MOTCUA}, allow_redirects=False)
    assert resp.status == 302
    assert resp.headers["Location"] == "/elsewhere"
    assert hits == ["/apiCSDLDKDN/1.0/chiTietDoanhNghiep"]


async def test_provider_error_status_is_passed_through_without_x_road_error(
    make_hub: MakeHub, aiohttp_server: Any
) -> None:
    async def failing(request: web.Request) -> web.Response:
        return web.json_response({"Status": 0, "Message": "Hệ thống bảo trì"}, status=503)

    app = web.Application()
    app.router.add_get("/{tail:.*}", failing)
    hub = await make_hub(provider_topology(endpoint=await _serve(aiohttp_server, app)))
    resp = await hub.get(f"{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": MOTCUA})
    assert resp.status == 503
    assert "X-Road-Error" not in resp.headers
    assert (await resp.json())["Message"] == "Hệ thống bảo trì"


async def test_a_platform_error_carries_none_of_the_providers_headers(make_hub: MakeHub, aiohttp_server: Any) -> None:
    """An answer that breaks the response schema is the hub's own error: the provider's headers stay out."""

    async def answer(request: web.Request) -> web.Response:
        return web.json_response({"Status": "not a number"}, headers={"ETag": '"v1"', "X-Pingback": "x"})

    app = web.Application()
    app.router.add_get("/apiCSDLDKDN/1.0/chiTietDoanhNghiep", answer)
    hub = await make_hub(provider_topology(endpoint=await _serve(aiohttp_server, app)))
    resp = await hub.get(f"{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": MOTCUA})
    assert resp.headers["X-Road-Error"] == "Server.ServerProxy.ServiceFailed.SchemaViolation"
    assert "ETag" not in resp.headers and "X-Pingback" not in resp.headers
