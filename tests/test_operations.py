"""Operations: Prometheus metrics after traffic, and readiness."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from prometheus_client.parser import text_string_to_metric_families

from ngsp_sim.hub.runtime import HUB
from tests.helpers import ADMIN, HOTICH, MOTCUA, POPULATION, SYNC, MakeHub, dossier, lookup_body


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


async def test_metrics_need_the_admin_token(hub: TestClient[Any, Any]) -> None:
    assert (await hub.get("/metrics")).status == 401
    assert (await hub.get("/metrics", headers={"Authorization": "Bearer wrong"})).status == 401


async def test_metrics_after_traffic(hub: TestClient[Any, Any]) -> None:
    for _ in range(3):
        await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
    await hub.post(SYNC, json={"isUpdating": False, "data": [dossier()]}, headers={"X-Road-Client": HOTICH})
    text = await (await hub.get("/metrics", headers=ADMIN)).text()
    found = samples(text)
    service = "VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan"
    assert found[("ngsp_requests_total", (("client", MOTCUA), ("service", service), ("status", "200")))] == 3
    assert found[("ngsp_request_duration_seconds_count", (("service", service),))] == 3
    assert found[("ngsp_errors_total", (("type", "Server.ServerProxy.AccessDenied"),))] == 1
    assert ("ngsp_message_log_pending", ()) in found
    circuits = {labels: v for (name, labels), v in found.items() if name == "ngsp_circuit_state"}
    assert circuits[(("provider", "VN/GOV/000.00.00.G01/CSDLQGDC"),)] == 0  # closed


async def test_readyz_when_ready_and_when_not(hub: TestClient[Any, Any]) -> None:
    ready = await hub.get("/readyz")
    assert (ready.status, (await ready.json())["status"]) == (200, "ready")
    runtime = hub.app[HUB]
    await runtime.message_log.stop()  # the writer stops: the hub must say it is not ready
    resp = await hub.get("/readyz")
    body = await resp.json()
    assert resp.status == 503 and "message-log-writer" in body["problems"][0]
    await runtime.store.close()
    body = await (await hub.get("/readyz")).json()
    assert any("store not reachable" in p for p in body["problems"])


async def _echo_provider(aiohttp_server: Any, seen: list[dict[str, str]]) -> str:
    from aiohttp import web

    async def echo(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.json_response({"Status": 0, "Message": "none"})

    app = web.Application()
    app.router.add_get("/{tail:.*}", echo)
    server = await aiohttp_server(app)
    return str(server.make_url("")).rstrip("/")


async def test_trace_context_is_joined_propagated_and_logged(make_hub: MakeHub, aiohttp_server: Any) -> None:
    from ngsp_sim.store import MessageQuery
    from tests.helpers import BUSINESS, provider_topology

    seen: list[dict[str, str]] = []
    hub = await make_hub(provider_topology(endpoint=await _echo_provider(aiohttp_server, seen)))
    caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    headers = {"X-Road-Client": MOTCUA, "traceparent": caller, "tracestate": "vendor=1"}
    await hub.get(f"{BUSINESS}?msdn=0312345673", headers=headers)
    await hub.get(f"{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": MOTCUA, "traceparent": "garbage"})
    joined, started = seen
    version, trace_id, span, flags = joined["traceparent"].split("-")
    assert (version, trace_id, flags) == ("00", "4bf92f3577b34da6a3ce929d0e0e4736", "01")
    assert span != "00f067aa0ba902b7" and len(span) == 16  # the hub's own span is the provider's parent
    assert joined["tracestate"] == "vendor=1"
    assert started["traceparent"].split("-")[1] not in ("4bf92f3577b34da6a3ce929d0e0e4736", "0" * 32)
    runtime = hub.app[HUB]
    await runtime.message_log.flush()
    logged = [m.record["traceId"] for m in reversed(await runtime.store.list_messages(MessageQuery()))]
    assert logged == ["4bf92f3577b34da6a3ce929d0e0e4736", started["traceparent"].split("-")[1]]
