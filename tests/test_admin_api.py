"""The admin API: token protection, message-log queries, health statistics, runtime registry changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from ngsp_sim.admin.api import ROUTES, Route
from ngsp_sim.clock import SystemClock
from ngsp_sim.hub.runtime import HUB
from ngsp_sim.sim import AgencyContext, Country
from ngsp_sim.sim.business import BusinessAgency
from ngsp_sim.store import SqliteStore
from tests.helpers import ADMIN, BUSINESS, HOTICH, MOTCUA, POPULATION, MakeHub, lookup_body

NEW_SERVICE = "VN/GOV/000.00.00.H01/MOTCUA/traCuuDoanhNghiep"


async def _flush(hub: Any) -> None:
    await hub.server.app[HUB].message_log.flush()


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
async def test_every_admin_route_needs_the_token(hub: TestClient[Any, Any], route: Route) -> None:
    path = route.path.replace("{id:.+}", "VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan").replace("{id}", "1")
    for headers in ({}, {"Authorization": "Bearer wrong-token"}, {"Authorization": "Basic dGVzdA=="}):
        resp = await hub.request(route.method, path, headers=headers)
        assert resp.status == 401, headers
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")
        assert (await resp.json())["error"] == "unauthorized"


async def test_open_endpoints_need_no_token(hub: TestClient[Any, Any]) -> None:
    assert (await hub.get("/healthz")).status == 200
    assert (await hub.get("/listClients")).status == 200


async def test_list_filter_and_page_through_messages(hub: TestClient[Any, Any]) -> None:
    for n in range(7):
        await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA, "X-Road-Id": f"p-{n}"})
    await hub.get(f"{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": HOTICH})  # denied
    await _flush(hub)
    page = await (await hub.get("/api/v1/messages?limit=3", headers=ADMIN)).json()
    assert page["items"][0]["client"] == HOTICH  # the denied call is the newest
    seen = []
    cursor: int | None = None
    while True:
        url = "/api/v1/messages?limit=3&succeeded=true" + (f"&cursor={cursor}" if cursor else "")
        page = await (await hub.get(url, headers=ADMIN)).json()
        seen += [m["record"]["messageId"] for m in page["items"]]
        if page["next_cursor"] is None:
            break
        cursor = page["next_cursor"]
    assert seen == [f"p-{n}" for n in reversed(range(7))]
    denied = await (await hub.get("/api/v1/messages?fault_code=Server.ServerProxy.AccessDenied", headers=ADMIN)).json()
    assert [m["client"] for m in denied["items"]] == [HOTICH]
    by_id = await (await hub.get("/api/v1/messages?message_id=p-3", headers=ADMIN)).json()
    assert len(by_id["items"]) == 1


async def test_one_message_with_its_bodies(hub: TestClient[Any, Any]) -> None:
    await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
    await _flush(hub)
    (item,) = (await (await hub.get("/api/v1/messages", headers=ADMIN)).json())["items"]
    detail = await (await hub.get(f"/api/v1/messages/{item['id']}", headers=ADMIN)).json()
    assert detail["bodies"]["provider_request"]["encoding"] == "utf-8"
    assert "<ns:SoDinhDanh>079090001234</ns:SoDinhDanh>" in detail["bodies"]["provider_request"]["text"]
    assert len(detail["hash"]) == 64
    assert (await hub.get("/api/v1/messages/999", headers=ADMIN)).status == 404
    assert (await hub.get("/api/v1/messages/abc", headers=ADMIN)).status == 400


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "succeeded=maybe", "cursor=x", "since=yesterday"])
async def test_bad_query_parameters_are_400(hub: TestClient[Any, Any], query: str) -> None:
    resp = await hub.get(f"/api/v1/messages?{query}", headers=ADMIN)
    assert resp.status == 400
    assert (await resp.json())["error"] == "invalid"


@pytest.mark.parametrize(
    ("query", "status"),
    [("cursor=4611686018427387904", 200), ("cursor=0004611686018427387904", 200), ("cursor=4611686018427387905", 400)],
)
async def test_a_log_position_is_taken_up_to_its_published_maximum(
    hub: TestClient[Any, Any], query: str, status: int
) -> None:
    """The document says 0..2**62 (19 digits); the parser once stopped at 18 digits (schemathesis,
    stateful phase)."""
    assert (await hub.get(f"/api/v1/messages?{query}", headers=ADMIN)).status == status


async def test_health_statistics_per_service(hub: TestClient[Any, Any]) -> None:
    for _ in range(3):
        await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
    await hub.post(POPULATION, json=lookup_body(SoDinhDanh="1"), headers={"X-Road-Client": MOTCUA})
    await _flush(hub)
    report = await (await hub.get("/api/v1/health?period=600", headers=ADMIN)).json()
    (population,) = [s for s in report["services"] if s["service"].endswith("TraCuuThongTinCongDan")]
    assert population["successfulRequestCount"] == 3
    assert population["unsuccessfulRequestCount"] == 1
    assert population["requestMinDuration"] <= population["requestAverageDuration"] <= population["requestMaxDuration"]
    assert population["lastUnsuccessfulRequestTimestamp"] is not None


async def _business_provider(aiohttp_server: Any) -> str:
    agency = BusinessAgency(AgencyContext(Country.generate(7, 10, 10), SystemClock()))
    server = await aiohttp_server(agency.aiohttp_app())
    return str(server.make_url("")).rstrip("/")


async def test_register_a_service_grant_and_revoke_access_at_runtime(
    hub: TestClient[Any, Any], aiohttp_server: Any
) -> None:
    url = f"/r1/{NEW_SERVICE}?msdn=0312345673"
    before = await hub.get(url, headers={"X-Road-Client": MOTCUA})
    assert before.headers["X-Road-Error"] == "Server.ClientProxy.UnknownMember"
    body = {
        "adapter": "business",
        "operation": "chiTietDoanhNghiep",
        "endpoint": await _business_provider(aiohttp_server),
        "agency_name": {"vi": "UBND tỉnh Hà Nội", "en": "Hà Nội People's Committee"},
        "subsystem_name": {"vi": "Một cửa Hà Nội", "en": "Hà Nội one-stop system"},
    }
    resp = await hub.put(f"/api/v1/services/{NEW_SERVICE}", json=body, headers=ADMIN)
    assert resp.status == 200, await resp.text()
    assert (await hub.get(url, headers={"X-Road-Client": MOTCUA})).headers["X-Road-Error"] == (
        "Server.ServerProxy.AccessDenied"
    )
    grant = {"client": MOTCUA, "service": NEW_SERVICE, "methods": ["GET"]}
    assert (await hub.put("/api/v1/access", json=grant, headers=ADMIN)).status == 200
    ok = await hub.get(url, headers={"X-Road-Client": MOTCUA})
    assert ok.status == 200 and (await ok.json())["Status"] == 1
    revoke = {"client": MOTCUA, "service": NEW_SERVICE}
    assert (await hub.request("DELETE", "/api/v1/access", json=revoke, headers=ADMIN)).status == 200
    assert (await hub.get(url, headers={"X-Road-Client": MOTCUA})).headers["X-Road-Error"] == (
        "Server.ServerProxy.AccessDenied"
    )
    changes = (await (await hub.get("/api/v1/registry/changes", headers=ADMIN)).json())["items"]
    assert [c["op"] for c in changes] == ["put_service", "put_access", "delete_access"]
    assert all(c["actor"].startswith("admin@") and c["ts_ms"] > 0 for c in changes)
    services = (await (await hub.get("/api/v1/services", headers=ADMIN)).json())["items"]
    assert NEW_SERVICE in {s["service"] for s in services}


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "fragment"),
    [
        ("PUT", f"/api/v1/services/{NEW_SERVICE}", {"adapter": "nope"}, 409, "agency 000.00.00.H01 is not registered"),
        (
            "PUT",
            "/api/v1/services/VN/GOV/000.00.00.G01/CSDLQGDC/khac",
            {"adapter": "nope"},
            409,
            "unknown adapter 'nope'",
        ),
        (
            "PUT",
            "/api/v1/services/VN/GOV/000.00.00.G01/CSDLQGDC/x",
            {"adapter": "business", "timeout": -1},
            400,
            "timeout",
        ),
        ("PUT", "/api/v1/services/not-an-id", {"adapter": "business"}, 400, "expected 5 parts"),
        ("DELETE", "/api/v1/services/VN/GOV/000.00.00.G01/CSDLQGDC/khongCo", None, 404, "is not registered"),
        (
            "PUT",
            "/api/v1/access",
            {"client": MOTCUA, "service": "VN/GOV/000.00.00.G01/CSDLQGDC/khongCo"},
            409,
            "is not declared",
        ),
        (
            "DELETE",
            "/api/v1/access",
            {"client": HOTICH, "service": "VN/GOV/000.00.00.G12/CSDLDKDN/chiTietDoanhNghiep"},
            404,
            "no access right",
        ),
        ("PUT", "/api/v1/access", [1, 2], 400, "invalid put_access"),
    ],
)
async def test_invalid_changes_are_refused_with_reasons(
    hub: TestClient[Any, Any],
    method: str,
    path: str,
    body: dict[str, Any] | list[Any] | None,
    status: int,
    fragment: str,
) -> None:
    resp = await hub.request(method, path, json=body, headers=ADMIN)
    assert resp.status == status
    answer = await resp.json()
    assert fragment in answer["message"] + " ".join(answer["problems"])
    changes = (await (await hub.get("/api/v1/registry/changes", headers=ADMIN)).json())["items"]
    assert changes == []


async def test_registry_changes_and_message_log_survive_a_restart(make_hub: MakeHub, tmp_path: Path) -> None:
    path = tmp_path / "hub.sqlite3"
    first = await make_hub(store=SqliteStore(path))
    revoke = {"client": HOTICH, "service": "VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan"}
    assert (await first.request("DELETE", "/api/v1/access", json=revoke, headers=ADMIN)).status == 200
    await first.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA, "X-Road-Id": "before"})
    await first.close()
    second = await make_hub(store=SqliteStore(path))
    resp = await second.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": HOTICH})
    assert resp.headers["X-Road-Error"] == "Server.ServerProxy.AccessDenied"
    found = await (await second.get("/api/v1/messages?message_id=before", headers=ADMIN)).json()
    assert len(found["items"]) == 1


async def test_verify_endpoint(hub: TestClient[Any, Any]) -> None:
    await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
    await _flush(hub)
    report = await (await hub.get("/api/v1/messages-verify", headers=ADMIN)).json()
    assert report == {"ok": True, "checked": 1, "broken_id": None, "reason": ""}


async def test_admin_openapi_lists_every_route(hub: TestClient[Any, Any]) -> None:
    doc = await (await hub.get("/api/v1/openapi.json", headers=ADMIN)).json()
    assert doc["openapi"] == "3.1.0"
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    assert documented == {(r.method, r.path.replace("{id:(?s:.+)}", "{id}")) for r in ROUTES}
    assert "MessagePage" in doc["components"]["schemas"]


async def test_a_message_id_past_any_log_position_is_not_found(hub: TestClient[Any, Any]) -> None:
    """Found by schemathesis: an id beyond SQLite's integers was a 500."""
    resp = await hub.get("/api/v1/messages/999999999999999999999999999999", headers=ADMIN)
    assert resp.status == 404


async def test_unknown_query_parameters_and_methods_are_refused(hub: TestClient[Any, Any]) -> None:
    resp = await hub.get("/api/v1/messages?sevice=x", headers=ADMIN)
    assert resp.status == 400 and "'sevice'" in (await resp.json())["message"]
    resp = await hub.request("PATCH", "/api/v1/messages", headers=ADMIN)
    assert resp.status == 405 and resp.headers["Allow"] == "GET"


async def test_the_agency_listing_says_which_subsystem_is_an_lgsp_and_which_is_vdxp(hub: TestClient[Any, Any]) -> None:
    """The layer the dashboard's map draws a subsystem in: ``role`` lgsp (registered at run time here, as an
    LGSP tier would be) or vdxp (the demo topology's document-exchange axis); an agency's own system has none."""
    lgsp = "VN/GOV/000.00.00.H29/LGSP"
    body = {"name": {"vi": "Nền tảng LGSP TP. Hồ Chí Minh", "en": "Hồ Chí Minh City LGSP"}, "role": "lgsp"}
    resp = await hub.put(f"/api/v1/subsystems/{lgsp}", json=body, headers=ADMIN)
    assert resp.status == 200, await resp.text()
    bad = await hub.put(f"/api/v1/subsystems/{lgsp}", json={**body, "role": "hub"}, headers=ADMIN)
    assert bad.status == 400
    listing = (await (await hub.get("/api/v1/agencies", headers=ADMIN)).json())["items"]
    roles = {s["id"]: s["role"] for a in listing for s in a["subsystems"]}
    assert roles[lgsp] == "lgsp"
    assert roles["VN/GOV/000.00.00.G22/VDXP"] == "vdxp"
    assert roles[MOTCUA] is None


@pytest.mark.parametrize("query", ["/deliveries?limit=", "/messages?limit=", "/messages?cursor=", "/health?period="])
async def test_an_integer_parameter_given_empty_is_refused(hub: TestClient[Any, Any], query: str) -> None:
    """``?limit=`` is not a whole number: 400, as the document's ``integer`` says (not the default)."""
    resp = await hub.get(f"/api/v1{query}", headers=ADMIN)
    assert resp.status == 400, await resp.text()
