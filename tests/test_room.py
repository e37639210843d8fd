"""Running a training room: a reset between groups (a new session, the message log kept), the
current session, and the glossary of every code a trainee meets."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient

from ngsp_sim import errors
from ngsp_sim.clock import ManualClock
from ngsp_sim.hub.runtime import HUB
from ngsp_sim.monitoring.feed import read_events
from ngsp_sim.monitoring.outcome import REFUSALS
from tests.helpers import ADMIN, MOTCUA, POPULATION, MakeHub, lookup_body


def _types(cls: type[errors.HubError]) -> set[str]:
    return {cls.type}.union(*(_types(sub) for sub in cls.__subclasses__()))


async def test_the_glossary_explains_every_platform_error_and_the_native_codes(hub: TestClient[Any, Any]) -> None:
    items = (await (await hub.get("/api/v1/glossary", headers=ADMIN)).json())["items"]
    platform = {i["code"]: i for i in items if i["kind"] == "platform"}
    assert set(platform) == _types(errors.HubError)
    assert platform["Server.ServerProxy.AccessDenied"]["vi"]["meaning"].startswith(
        "Không có quyền truy cập dịch vụ này"
    )
    native = {(i["system"], i["field"], i["code"]) for i in items if i["kind"] == "native"}
    assert {
        ("civil_status", "errorCode", "106"),
        ("payment", "error_code", "02"),
        ("one_stop", "KetQua", "0"),
    } <= native
    assert {name for name, _ in REFUSALS} <= {i["field"] for i in items}  # every refusing field is explained
    for item in items:
        for lang in ("vi", "en"):
            assert item[lang]["name"] and item[lang]["meaning"].endswith("."), item
        assert item["vi"]["meaning"] != item["en"]["meaning"]


async def test_a_reset_starts_a_new_session_and_keeps_the_message_log(make_hub: MakeHub, clock: ManualClock) -> None:
    hub = await make_hub()
    first = await (await hub.get("/api/v1/session", headers=ADMIN)).json()
    assert first == {"session": 1, "started_ms": int(clock.now() * 1000)}
    fault = {"target": "VN/GOV/000.00.00.G01/CSDLQGDC", "kind": "outage"}
    assert (await hub.put("/api/v1/faults/down", json=fault, headers=ADMIN)).status == 200
    for _ in range(5):  # enough failures to open the population database's circuit
        await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
    circuits = (await (await hub.get("/api/v1/circuits", headers=ADMIN)).json())["items"]
    assert {c["provider"]: c["state"] for c in circuits}[fault["target"]] == "open"
    stepped = await hub.post("/api/v1/scenario-runs", json={"scenario": "identity-check", "step": True}, headers=ADMIN)
    run = await stepped.json()
    assert run["session"] == 1
    clock.advance(60)
    async with asyncio.timeout(30), hub.get("/api/v1/events", headers=ADMIN) as feed:
        reset = await hub.post("/api/v1/reset", headers=ADMIN)
        assert reset.status == 200
        session = await reset.json()
        assert session == {"session": 2, "started_ms": first["started_ms"] + 60_000}
        async for kind, data in read_events(feed.content):
            if kind == "reset":
                assert data == session
                break
    assert (await (await hub.get("/api/v1/session", headers=ADMIN)).json()) == session
    assert (await (await hub.get("/api/v1/faults", headers=ADMIN)).json())["items"] == []
    circuits = (await (await hub.get("/api/v1/circuits", headers=ADMIN)).json())["items"]
    assert {c["state"] for c in circuits} == {"closed"}
    assert (await (await hub.get(f"/api/v1/scenario-runs/{run['id']}", headers=ADMIN)).json())["state"] == "stopped"
    answer = await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
    assert answer.status == 200
    await hub.app[HUB].message_log.flush()
    everything = (await (await hub.get("/api/v1/messages", headers=ADMIN)).json())["items"]
    assert len(everything) == 6  # the log is evidence: a reset keeps it
    since = f"/api/v1/messages?since={session['started_ms']}"
    assert len((await (await hub.get(since, headers=ADMIN)).json())["items"]) == 1  # this session's only
    again = await hub.post("/api/v1/scenario-runs", json={"scenario": "identity-check", "step": True}, headers=ADMIN)
    assert (await again.json())["session"] == 2
    await hub.delete(f"/api/v1/scenario-runs/{(await again.json())['id']}", headers=ADMIN)


async def test_the_favicon_is_served(hub: TestClient[Any, Any]) -> None:
    """Browsers ask for /favicon.ico on every page: it leads to the dashboard's SVG icon, not a 404."""
    icon = await hub.get("/favicon.ico")
    assert icon.status == 200 and icon.url.path == "/ui/favicon.svg"
    assert icon.content_type == "image/svg+xml" and (await icon.text()).startswith("<svg")


async def test_the_admin_openapi_documents_the_room_routes_and_fields(hub: TestClient[Any, Any]) -> None:
    spec = await (await hub.get("/api/v1/openapi.json", headers=ADMIN)).json()
    paths, schemas = spec["paths"], spec["components"]["schemas"]
    assert {"pause", "resume"} <= {p.rsplit("/", 1)[-1] for p in paths if p.startswith("/api/v1/scenario-runs/")}
    assert "patch" in paths["/api/v1/scenario-runs/{id}"]
    assert {"/api/v1/glossary", "/api/v1/session", "/api/v1/reset"} <= set(paths)
    run = schemas["ScenarioRunInfo"]["properties"]
    assert (run["pace"]["type"], run["paused"]["type"], run["session"]["type"]) == ("number", "boolean", "integer")
    assert (
        "explanation" in schemas["ScenarioStepState"]["properties"]
        and "lesson" in schemas["ScenarioDetail"]["properties"]
    )
    message = schemas["MessageSummary"]["properties"]
    assert message["decidedBy"]["type"] == "string" and message["outcome"]["enum"] == ["ok", "refused", "failed"]
    assert schemas["SessionInfo"]["required"] == ["session", "started_ms"]
    assert schemas["ScenarioRunChange"]["properties"]["pace"]["maximum"] == 60
