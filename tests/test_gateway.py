"""NGSP gateway style and the hard edges: the token flow, and a negative-test catalogue in which every
attempt gets its documented error and the hub serves the next good request."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from ngsp_sim.clock import ManualClock
from ngsp_sim.hub.runtime import HUB
from ngsp_sim.registry.loader import demo_text
from schemas.population import NAMESPACE
from tests.helpers import (
    ADMIN,
    BUSINESS,
    DEMO_KEY,
    DEMO_SECRET,
    HOTICH,
    MOTCUA,
    POPULATION,
    MakeHub,
    basic_auth,
    dossier,
    lookup_body,
    provider_topology,
    raw_request,
    token_for,
)

BIZ_GATEWAY = "/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=0312345673"
POP_GATEWAY = "/apiCSDLQGDC/1.0/TraCuuThongTinCongDan"
SYNC_GATEWAY = "/apiDVCQG/1.0/DongBoHoSoMC"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def still_serving(hub: Any, below: str = "") -> None:
    """The next good request after a refused one is answered normally (the business registry is in
    the demo country and in the test topologies alike)."""
    resp = await hub.get(f"{BUSINESS}{below}?msdn=0312345673", headers={"X-Road-Client": MOTCUA})
    assert "X-Road-Error" not in resp.headers  # reached the provider, whose own answer it is
    assert resp.status == (404 if below else 200)


async def fault(resp: Any, status: int, code: int) -> dict[str, Any]:
    body = await resp.json()
    assert resp.status == status, body
    assert body["fault"]["code"] == code, body
    return dict(body["fault"])


# --- the token endpoint --------------------------------------------------------------------------


async def test_token_with_http_basic_as_ngsp_answers(hub: TestClient[Any, Any]) -> None:
    resp = await hub.post(
        "/token", data={"grant_type": "client_credentials"}, headers=basic_auth(DEMO_KEY, DEMO_SECRET)
    )
    body = await resp.json()
    assert resp.status == 200
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert (body["token_type"], body["expires_in"], body["scope"]) == ("Bearer", 3600, "am_application_scope default")
    assert resp.headers["Cache-Control"] == "no-store"


async def test_token_with_form_fields(hub: TestClient[Any, Any]) -> None:
    form = {"grant_type": "client_credentials", "client_id": DEMO_KEY, "client_secret": DEMO_SECRET}
    assert (await hub.post("/token", data=form)).status == 200


@pytest.mark.parametrize(
    ("form", "headers", "status", "error"),
    [
        ({"grant_type": "client_credentials"}, basic_auth(DEMO_KEY, "wrong-secret"), 401, "invalid_client"),
        ({"grant_type": "client_credentials"}, basic_auth("no-such-key", DEMO_SECRET), 401, "invalid_client"),
        ({"grant_type": "client_credentials"}, {}, 401, "invalid_client"),
        ({"grant_type": "password"}, basic_auth(DEMO_KEY, DEMO_SECRET), 400, "unsupported_grant_type"),
        (
            {"grant_type": "client_credentials", "client_id": "other", "client_secret": "x"},
            basic_auth(DEMO_KEY, DEMO_SECRET),
            400,
            "invalid_request",
        ),
        ({"grant_type": "client_credentials"}, {"Authorization": "Basic !!!"}, 401, "invalid_client"),
    ],
    ids=["wrong-secret", "unknown-key", "no-credentials", "wrong-grant", "conflicting-credentials", "bad-basic"],
)
async def test_token_refusals(
    hub: TestClient[Any, Any], form: dict[str, Any], headers: dict[str, str], status: int, error: str
) -> None:
    resp = await hub.post("/token", data=form, headers=headers)
    body = await resp.json()
    assert (resp.status, body["error"]) == (status, error)
    assert "access_token" not in body
    await still_serving(hub)


async def test_token_needs_a_form_body(hub: TestClient[Any, Any]) -> None:
    resp = await hub.post(
        "/token", json={"grant_type": "client_credentials"}, headers=basic_auth(DEMO_KEY, DEMO_SECRET)
    )
    assert (await resp.json())["error"] == "invalid_request"
    assert (await hub.get("/token")).status == 405


async def test_secrets_are_stored_hashed(hub: TestClient[Any, Any]) -> None:
    stored = await hub.app[HUB].store.get_credential(DEMO_KEY)
    assert stored.secret_hash.startswith("scrypt$") and DEMO_SECRET not in stored.secret_hash
    assert stored.client == MOTCUA


async def test_a_key_without_secret_gets_a_generated_one_shown_once(hub: TestClient[Any, Any]) -> None:
    keeper = hub.app[HUB].credentials
    secret = keeper.generated["hotich-btp"]
    token = await token_for(hub, "hotich-btp", secret)
    resp = await hub.post(POP_GATEWAY, json=lookup_body(), headers=bearer(token))
    assert resp.status == 200


# --- the gateway style reaches the same service, adapter and validation --------------------------


async def test_gateway_call_equals_the_r1_call(hub: TestClient[Any, Any]) -> None:
    token = await token_for(hub)
    via_gateway = await hub.get(BIZ_GATEWAY, headers=bearer(token))
    via_r1 = await hub.get(f"{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": MOTCUA})
    assert via_gateway.status == via_r1.status == 200
    assert await via_gateway.json() == await via_r1.json()


async def test_gateway_validation_lists_every_violation_in_the_fault(hub: TestClient[Any, Any]) -> None:
    token = await token_for(hub)
    resp = await hub.post(POP_GATEWAY, json=lookup_body(SoDinhDanh="1", MaTichHop="036"), headers=bearer(token))
    found = await fault(resp, 400, 400)
    assert {v["pointer"] for v in found["violations"]} == {"/SoDinhDanh", "/MaTichHop"}
    assert "X-Road-Error" not in resp.headers


async def test_r1_accepts_a_token_matching_x_road_client(hub: TestClient[Any, Any]) -> None:
    token = await token_for(hub)
    resp = await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA, **bearer(token)})
    assert resp.status == 200


# --- negative-test catalogue ---------------------------------------------------------------------


async def test_no_token(hub: TestClient[Any, Any]) -> None:
    await fault(await hub.get(BIZ_GATEWAY), 401, 900902)
    await still_serving(hub)


async def test_wrong_token(hub: TestClient[Any, Any]) -> None:
    await fault(await hub.get(BIZ_GATEWAY, headers=bearer("forged-token")), 401, 900901)
    await still_serving(hub)


async def test_expired_token(hub: TestClient[Any, Any], clock: ManualClock) -> None:
    token = await token_for(hub)
    assert (await hub.get(BIZ_GATEWAY, headers=bearer(token))).status == 200
    clock.advance(3601)
    found = await fault(await hub.get(BIZ_GATEWAY, headers=bearer(token)), 401, 900901)
    assert "expired" in found["description"]
    await still_serving(hub)


async def test_token_of_another_client(hub: TestClient[Any, Any]) -> None:
    keeper = hub.app[HUB].credentials
    hotich = await token_for(hub, "hotich-btp", keeper.generated["hotich-btp"])
    resp = await hub.get(BIZ_GATEWAY, headers={**bearer(hotich), "X-Road-Client": MOTCUA})
    assert (await fault(resp, 400, 400))["type"] == "Client.InvalidClientIdentifier"
    resp = await hub.post(POPULATION, json=lookup_body(), headers={**bearer(hotich), "X-Road-Client": MOTCUA})
    assert resp.headers["X-Road-Error"] == "Client.InvalidClientIdentifier"
    await still_serving(hub)


async def test_forbidden_service(hub: TestClient[Any, Any]) -> None:
    keeper = hub.app[HUB].credentials
    hotich = await token_for(hub, "hotich-btp", keeper.generated["hotich-btp"])
    resp = await hub.post(SYNC_GATEWAY, json={"isUpdating": False, "data": [dossier()]}, headers=bearer(hotich))
    await fault(resp, 403, 900908)
    await still_serving(hub)


async def test_forbidden_path_within_an_allowed_service(make_hub: MakeHub) -> None:
    hub = await make_hub(provider_topology(access_paths=["/public/**"], gateway={"context": "dkdn", "version": "2.0"}))
    token = await token_for(hub)
    assert (await hub.get("/dkdn/2.0/chiTietDoanhNghiep/public/x?msdn=0312345673", headers=bearer(token))).status != 403
    await fault(
        await hub.get("/dkdn/2.0/chiTietDoanhNghiep/private?msdn=0312345673", headers=bearer(token)), 403, 900908
    )
    await still_serving(hub, "/public/x")


async def test_encoded_traversal(make_hub: MakeHub) -> None:
    hub = await make_hub(provider_topology(access_paths=["/public/**"], gateway={"context": "dkdn", "version": "2.0"}))
    token = await token_for(hub)
    for sneaky in ("/public/%2e%2e/private", "/public/..%2Fprivate", "/public/%2E%2E%2F..%2F..%2Fr1"):
        status, _, body = await raw_request(
            hub, "GET", f"/dkdn/2.0/chiTietDoanhNghiep{sneaky}?msdn=0312345673", bearer(token)
        )
        assert status in (400, 403), sneaky
        assert b'"code":900908' in body or b'"type":"Client.InvalidRequest"' in body, body
    await still_serving(hub, "/public/x")


async def test_unknown_api(hub: TestClient[Any, Any]) -> None:
    token = await token_for(hub)
    await fault(await hub.get("/apiKhongCo/1.0/gi", headers=bearer(token)), 404, 900906)


async def test_an_x_road_path_without_r1_is_answered_with_the_r1_form(hub: TestClient[Any, Any]) -> None:
    """Issue 16: forgetting /r1 used to say only 'no API is published at /VN/GOV/000.00.00.G01'."""
    path = "/VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan"
    found = await fault(await hub.post(path, json={}, headers={"X-Road-Client": MOTCUA}), 404, 900906)
    assert found["description"] == (
        f"no API is published at /VN/GOV/000.00.00.G01; an X-Road service is called under /r1: did you mean /r1{path}?"
    )
    other = await fault(await hub.get("/apiKhongCo/1.0/gi/a/b"), 404, 900906)
    assert "/r1" not in other["description"]


@pytest.mark.parametrize("style", ["r1", "gateway"])
async def test_throttled_burst_then_refilled_by_the_clock(make_hub: MakeHub, clock: ManualClock, style: str) -> None:
    topology = provider_topology(
        client={"tier": "tiny"},
        gateway={"context": "dkdn", "version": "1.0"},
        extra={"tiers": {"tiny": {"rate": 2, "burst": 3}}},
    )
    hub = await make_hub(topology)
    if style == "r1":
        url, headers = f"{BUSINESS}?msdn=0312345673", {"X-Road-Client": MOTCUA}
    else:
        url, headers = "/dkdn/1.0/chiTietDoanhNghiep?msdn=0312345673", bearer(await token_for(hub))
    statuses = [(await hub.get(url, headers=headers)).status for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = await hub.get(url, headers=headers)
    assert refused.status == 429 and refused.headers["Retry-After"] == "1"
    if style == "gateway":
        assert (await refused.json())["fault"]["code"] == 900800
    else:
        assert refused.headers["X-Road-Error"] == "Client.Throttled"
    clock.advance(0.5)  # one token refilled at 2 per second
    assert (await hub.get(url, headers=headers)).status == 200
    assert (await hub.get(url, headers=headers)).status == 429


async def test_service_tier_applies_to_all_clients_together(make_hub: MakeHub) -> None:
    topology = provider_topology(tier="shared", extra={"tiers": {"shared": {"rate": 1, "burst": 1}}})
    hub = await make_hub(topology)
    assert (await hub.get(f"{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": MOTCUA})).status == 200
    resp = await hub.get(f"{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": MOTCUA})
    assert resp.status == 429 and "service" in (await resp.json())["message"]


async def test_oversized_body_is_refused_before_it_is_read(make_hub: MakeHub) -> None:
    hub = await make_hub(max_body_size=4096)
    token = await token_for(hub)
    big = b"{" + b" " * 100_000 + b"}"
    status, _, body = await raw_request(
        hub, "POST", POP_GATEWAY, {**bearer(token), "Content-Type": "application/json"}, big
    )
    assert status == 413 and b'"type":"Client.RequestTooLarge"' in body
    await still_serving(hub)


async def test_url_and_headers_over_limits(hub: TestClient[Any, Any]) -> None:
    status, _, _ = await raw_request(hub, "GET", "/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=" + "1" * 9000)
    assert status == 414
    status, _, _ = await raw_request(hub, "GET", BIZ_GATEWAY, {"X-Pad": "y" * 9000})
    assert status == 431
    status, _, _ = await raw_request(hub, "GET", BIZ_GATEWAY, {f"X-Pad-{n}": "y" * 4000 for n in range(10)})
    assert status == 431
    await still_serving(hub)


def _bomb_provider(body: bytes) -> web.Application:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="text/xml")

    app = web.Application()
    app.router.add_post("/dancuquocgia/ws", answer)
    return app


async def _lookup_from_provider(make_hub: MakeHub, aiohttp_server: Any, reply: bytes) -> tuple[Any, Any]:
    """A hub whose population lookup is served by a loopback provider answering ``reply``, and the
    answer to one lookup through it."""
    server = await aiohttp_server(_bomb_provider(reply))
    endpoint = str(server.make_url("")).rstrip("/")
    topology = demo_text().replace(
        "          - code: TraCuuThongTinCongDan\n            adapter: population\n",
        f"          - code: TraCuuThongTinCongDan\n            adapter: population\n            endpoint: {endpoint}\n",
    )
    hub = await make_hub(topology)
    return hub, await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "bbbbbbbbbb"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">'
        b'<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]><a>&d;</a>',
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>',
        b'<?xml version="1.0"?><!DOCTYPE a SYSTEM "file:///etc/passwd"><a>x</a>',
        b"<a>" * 10_000 + b"</a>" * 10_000,
    ],
    ids=["xml-bomb", "external-entity", "external-dtd", "deep-nesting"],
)
async def test_malicious_xml_from_a_provider(make_hub: MakeHub, aiohttp_server: Any, body: bytes) -> None:
    hub, resp = await _lookup_from_provider(make_hub, aiohttp_server, body)
    answer = await resp.json()
    assert resp.headers["X-Road-Error"] == "Server.ServerProxy.ServiceFailed"
    assert "refused for safety" in answer["message"]
    assert "root:" not in await resp.text()
    assert (await hub.get(f"{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": MOTCUA})).status == 200


async def test_xinclude_from_a_provider_is_not_processed(make_hub: MakeHub, aiohttp_server: Any) -> None:
    """A reply that asks for /etc/passwd through XInclude: the element stays an element (and the reply
    breaks the contract), nothing of the file reaches the caller."""
    include = '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/>'
    reply = (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:ns="{NAMESPACE}"><soapenv:Body><ns:TraCuuThongTinCongDanResponse>'
        f"<ns:MaYeuCau>{include}</ns:MaYeuCau><ns:CongdanCollection>{include}</ns:CongdanCollection>"
        "</ns:TraCuuThongTinCongDanResponse></soapenv:Body></soapenv:Envelope>"
    )
    _, resp = await _lookup_from_provider(make_hub, aiohttp_server, reply.encode())
    answer = await resp.json()
    assert resp.headers["X-Road-Error"] == "Server.ServerProxy.ServiceFailed.SchemaViolation", answer
    assert "/CongdanCollection/include" in str(answer)  # the element stayed an element
    assert "root:" not in await resp.text()


@pytest.mark.parametrize(
    "smuggling",
    [
        "Content-Length: 4\r\nTransfer-Encoding: chunked",
        "Content-Length: 4\r\nContent-Length: 40",
        "X-Road-Client: VN/GOV/000.00.00.H29/MOTCUA\r\n injected: folded",
        "Transfer-Encoding: chunked, identity",
    ],
    ids=["cl-and-te", "two-content-lengths", "obs-fold", "te-list"],
)
async def test_header_smuggling_attempts(hub: TestClient[Any, Any], smuggling: str) -> None:
    reader, writer = await __import__("asyncio").open_connection(hub.host, hub.port)
    head = (
        f"POST {POPULATION} HTTP/1.1\r\nHost: x\r\nX-Road-Client: {MOTCUA}\r\n{smuggling}\r\nConnection: close\r\n\r\n"
    )
    writer.write(head.encode() + b"{}\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    await writer.drain()
    raw = await reader.read()
    writer.close()
    status = int(raw.split(b" ", 2)[1])
    assert status == 400
    assert raw.count(b"HTTP/1.") == 1  # the smuggled second request was not answered
    await still_serving(hub)


async def test_duplicate_authorization_headers(hub: TestClient[Any, Any]) -> None:
    token = await token_for(hub)
    resp = await hub.get(BIZ_GATEWAY, headers=[("Authorization", f"Bearer {token}"), ("Authorization", "Bearer x")])
    await fault(resp, 401, 900901)


# --- credentials and access at runtime -----------------------------------------------------------


async def test_rotation_through_the_admin_api_revokes_old_secret_and_tokens(hub: TestClient[Any, Any]) -> None:
    token = await token_for(hub)
    resp = await hub.post(f"/api/v1/credentials/{DEMO_KEY}/rotate", headers=ADMIN)
    new_secret = (await resp.json())["consumer_secret"]
    assert new_secret != DEMO_SECRET
    await fault(await hub.get(BIZ_GATEWAY, headers=bearer(token)), 401, 900901)
    refused = await hub.post(
        "/token", data={"grant_type": "client_credentials"}, headers=basic_auth(DEMO_KEY, DEMO_SECRET)
    )
    assert refused.status == 401
    fresh = await token_for(hub, DEMO_KEY, new_secret)
    assert (await hub.get(BIZ_GATEWAY, headers=bearer(fresh))).status == 200
    listed = (await (await hub.get("/api/v1/credentials", headers=ADMIN)).json())["items"]
    assert {c["consumer_key"]: c["source"] for c in listed}[DEMO_KEY] == "rotated"
    assert (await hub.post("/api/v1/credentials/nope/rotate", headers=ADMIN)).status == 404


async def test_access_for_a_group_of_clients(make_hub: MakeHub) -> None:
    topology = provider_topology(extra={"groups": {"mot-cua": [MOTCUA]}})
    topology = topology.replace(f"- client: {MOTCUA}\n", "- group: mot-cua\n")
    hub = await make_hub(topology)
    assert (await hub.get(f"{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": MOTCUA})).status == 200


async def test_tiers_through_the_admin_api(hub: TestClient[Any, Any]) -> None:
    resp = await hub.put("/api/v1/tiers/strict", json={"rate": 1, "burst": 1}, headers=ADMIN)
    assert resp.status == 200
    resp = await hub.put(
        f"/api/v1/subsystems/{MOTCUA}",
        json={"name": {"vi": "Một cửa", "en": "One-stop"}, "tier": "strict", "consumer_key": DEMO_KEY},
        headers=ADMIN,
    )
    assert resp.status == 200, await resp.text()
    assert (await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})).status == 200
    assert (await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})).status == 429
    assert (await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": HOTICH})).status == 200
