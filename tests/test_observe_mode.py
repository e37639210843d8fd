"""Observe mode (issue 21 item 2): a service with a real endpoint and ``mode: observe`` forwards what
breaks its schema, counts the violations in ``X-NGSP-Violations`` and keeps them in the message log."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from ngsp_sim.admin.api import admin_openapi
from ngsp_sim.hub.runtime import HUB
from tests.helpers import ADMIN, BUSINESS, MOTCUA, MakeHub, provider_topology, token_for

SERVICE = BUSINESS.removeprefix("/r1/")
VALID = {"Status": 1, "Message": None}


async def _provider(aiohttp_server: Any, answer: dict[str, Any], received: list[str]) -> str:
    """A loopback provider on the business registry's native path, answering ``answer`` to every call
    (with a count of its own in the hub's header name, which the hub must not pass on)."""

    async def handle(request: web.Request) -> web.Response:
        received.append(request.query_string)
        return web.json_response(answer, headers={"X-NGSP-Violations": "99"})

    app = web.Application()
    app.router.add_get("/apiCSDLDKDN/1.0/chiTietDoanhNghiep", handle)
    server = await aiohttp_server(app)
    return str(server.make_url("")).rstrip("/")


async def _logged(hub: TestClient[Any, Any]) -> dict[str, Any]:
    """The latest message-log entry, as the admin API (and the dashboard's inspector) shows it."""
    await hub.app[HUB].message_log.flush()
    items = (await (await hub.get("/api/v1/messages?limit=1", headers=ADMIN)).json())["items"]
    return items[0]  # type: ignore[no-any-return]


async def test_a_request_that_breaks_the_schema_is_forwarded_and_counted(
    make_hub: MakeHub, aiohttp_server: Any
) -> None:
    received: list[str] = []
    url = await _provider(aiohttp_server, VALID, received)
    hub = await make_hub(provider_topology(endpoint=url, mode="observe"))
    resp = await hub.get(f"{BUSINESS}?msdn=12AB", headers={"X-Road-Client": MOTCUA})
    assert resp.status == 200
    assert await resp.json() == VALID
    assert resp.headers["X-NGSP-Violations"] == "1"
    assert received == ["msdn=12AB"]  # as sent, unvalidated
    logged = await _logged(hub)
    assert logged["record"]["succeeded"] is True
    assert [(v["location"], v["pointer"]) for v in logged["violations"]] == [("query", "/msdn")]


async def test_observe_mode_answers_the_same_in_the_gateway_style(make_hub: MakeHub, aiohttp_server: Any) -> None:
    received: list[str] = []
    url = await _provider(aiohttp_server, VALID, received)
    gateway = {"context": "dkdn", "version": "2.0"}
    hub = await make_hub(provider_topology(endpoint=url, mode="observe", gateway=gateway))
    token = await token_for(hub)
    resp = await hub.get("/dkdn/2.0/chiTietDoanhNghiep?msdn=12AB", headers={"Authorization": f"Bearer {token}"})
    assert resp.status == 200 and await resp.json() == VALID
    assert resp.headers["X-NGSP-Violations"] == "1" and received == ["msdn=12AB"]


async def test_a_body_that_breaks_the_schema_is_forwarded_as_sent(make_hub: MakeHub, aiohttp_server: Any) -> None:
    received: list[Any] = []

    async def handle(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.json_response({"STATUS": 1, "TRANG_THAI": 4})

    app = web.Application()
    app.router.add_post("/lltp/api/traTrangThaiHs", handle)
    url = str((await aiohttp_server(app)).make_url("")).rstrip("/")
    service: dict[str, Any] = {
        "adapter": "criminal_records",
        "operation": "traTrangThaiHs",
        "endpoint": url,
        "mode": "observe",
    }
    hub = await make_hub(provider_topology(**service))
    resp = await hub.post(BUSINESS, json={"ID": 12345}, headers={"X-Road-Client": MOTCUA})
    assert resp.status == 200 and resp.headers["X-NGSP-Violations"] == "1"
    assert received == [{"ID": 12345}]  # an integer where the schema wants text, passed on as it is
    assert [(v["location"], v["pointer"]) for v in (await _logged(hub))["violations"]] == [("body", "/ID")]


async def test_a_response_that_breaks_the_schema_is_passed_on_and_counted_with_the_requests(
    make_hub: MakeHub, aiohttp_server: Any
) -> None:
    answer = {"Status": 7, "Message": 3}  # Status is 0 or 1; Message is text
    url = await _provider(aiohttp_server, answer, [])
    hub = await make_hub(provider_topology(endpoint=url, mode="observe"))
    resp = await hub.get(f"{BUSINESS}?msdn=12AB", headers={"X-Road-Client": MOTCUA})
    assert resp.status == 200
    assert await resp.json() == answer
    assert resp.headers["X-NGSP-Violations"] == "3"
    logged = await _logged(hub)
    assert "X-Road-Error" not in resp.headers and logged["record"]["faultCode"] is None
    found = {(v["location"], v["pointer"]) for v in logged["violations"]}
    assert found == {("query", "/msdn"), ("response", "/Status"), ("response", "/Message")}


async def test_a_clean_exchange_is_counted_as_zero(make_hub: MakeHub, aiohttp_server: Any) -> None:
    url = await _provider(aiohttp_server, VALID, [])
    hub = await make_hub(provider_topology(endpoint=url, mode="observe"))
    resp = await hub.get(f"{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": MOTCUA})
    assert resp.status == 200 and resp.headers["X-NGSP-Violations"] == "0"
    assert (await _logged(hub))["violations"] is None


async def test_enforce_mode_still_refuses_both_sides(make_hub: MakeHub, aiohttp_server: Any) -> None:
    received: list[str] = []
    url = await _provider(aiohttp_server, {"Status": 7}, received)
    hub = await make_hub(provider_topology(endpoint=url))  # mode: enforce, the default
    refused = await hub.get(f"{BUSINESS}?msdn=12AB", headers={"X-Road-Client": MOTCUA})
    assert refused.status == 400 and refused.headers["X-Road-Error"] == "Client.SchemaViolation"
    assert received == [] and "X-NGSP-Violations" not in refused.headers
    failed = await hub.get(f"{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": MOTCUA})
    assert failed.headers["X-Road-Error"] == "Server.ServerProxy.ServiceFailed.SchemaViolation"
    assert received == ["msdn=0312345673"] and "X-NGSP-Violations" not in failed.headers


async def test_access_rights_still_apply_in_observe_mode(make_hub: MakeHub, aiohttp_server: Any) -> None:
    received: list[str] = []
    url = await _provider(aiohttp_server, VALID, received)
    hub = await make_hub(provider_topology(access_methods=["POST"], endpoint=url, mode="observe"))
    resp = await hub.get(f"{BUSINESS}?msdn=12AB", headers={"X-Road-Client": MOTCUA})
    assert resp.headers["X-Road-Error"] == "Server.ServerProxy.AccessDenied"
    assert received == []


async def test_throttling_still_applies_in_observe_mode(make_hub: MakeHub, aiohttp_server: Any) -> None:
    received: list[str] = []
    url = await _provider(aiohttp_server, VALID, received)
    tiers = {"tiers": {"one": {"rate": 0.001, "burst": 1}}}
    hub = await make_hub(provider_topology(endpoint=url, mode="observe", tier="one", extra=tiers))
    first = await hub.get(f"{BUSINESS}?msdn=12AB", headers={"X-Road-Client": MOTCUA})
    second = await hub.get(f"{BUSINESS}?msdn=12AB", headers={"X-Road-Client": MOTCUA})
    assert first.status == 200 and second.headers["X-Road-Error"] == "Client.Throttled"
    assert received == ["msdn=12AB"]


async def test_observe_mode_set_at_run_time_needs_an_endpoint(make_hub: MakeHub, aiohttp_server: Any) -> None:
    received: list[str] = []
    url = await _provider(aiohttp_server, VALID, received)
    hub = await make_hub(provider_topology())
    path = f"/api/v1/services/{SERVICE}"
    missing = await hub.put(path, json={"adapter": "business", "mode": "observe"}, headers=ADMIN)
    assert missing.status == 409 and "observe mode watches a real provider" in await missing.text()
    put = await hub.put(path, json={"adapter": "business", "endpoint": url, "mode": "observe"}, headers=ADMIN)
    assert put.status == 200, await put.text()
    resp = await hub.get(f"{BUSINESS}?msdn=12AB", headers={"X-Road-Client": MOTCUA})
    assert resp.status == 200 and resp.headers["X-NGSP-Violations"] == "1"
    assert received == ["msdn=12AB"]
    listed = (await (await hub.get("/api/v1/services", headers=ADMIN)).json())["items"]
    assert [s["mode"] for s in listed if s["service"] == SERVICE] == ["observe"]


def test_the_admin_openapi_documents_the_mode() -> None:
    schema = admin_openapi()["components"]["schemas"]["PutService"]["properties"]["mode"]
    assert schema["enum"] == ["enforce", "observe"] and schema["default"] == "enforce"
    assert "X-NGSP-Violations" in schema["description"]


async def test_faults_and_platform_errors_still_block_and_keep_what_was_observed(
    make_hub: MakeHub, aiohttp_server: Any
) -> None:
    received: list[str] = []
    url = await _provider(aiohttp_server, VALID, received)
    fault = {"id": "cut", "target": SERVICE, "kind": "reset"}
    hub = await make_hub(provider_topology(endpoint=url, mode="observe", extra={"faults": [fault]}))
    resp = await hub.get(f"{BUSINESS}?msdn=12AB", headers={"X-Road-Client": MOTCUA})
    assert resp.headers["X-Road-Error"] == "Server.ServerProxy.ServiceFailed.NetworkError"
    assert resp.headers["X-NGSP-Violations"] == "1"
    logged = await _logged(hub)
    assert set(logged["injected"].split(",")) == {"reset:cut"}  # the transport retries a GET once
    assert [(v["location"], v["pointer"]) for v in logged["violations"]] == [("query", "/msdn")]
