"""Optional OpenTelemetry export: one span per exchange, whose ids the provider sees in traceparent."""

from __future__ import annotations

from typing import Any

import pytest

otel_sdk = pytest.importorskip("opentelemetry.sdk.trace", reason="the otel extra is not installed")

from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter  # noqa: E402

from ngsp_sim import sim  # noqa: E402
from ngsp_sim.app import create_app  # noqa: E402
from ngsp_sim.clock import ManualClock  # noqa: E402
from ngsp_sim.config import HubConfig, SecurityConfig  # noqa: E402
from ngsp_sim.sim import Country  # noqa: E402
from tests.helpers import ADMIN_TOKEN, BUSINESS, HOTICH, MOTCUA, SYNC, dossier, provider_topology  # noqa: E402


async def test_a_span_per_exchange_with_x_road_attributes_and_the_callers_parent(
    aiohttp_client: Any, aiohttp_server: Any
) -> None:
    from aiohttp import web

    seen: list[str] = []

    async def echo(request: web.Request) -> web.Response:
        seen.append(request.headers["traceparent"])
        return web.json_response({"Status": 0, "Message": "none"})

    provider = web.Application()
    provider.router.add_get("/{tail:.*}", echo)
    server = await aiohttp_server(provider)
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = create_app(
        HubConfig(population=20, admin_token=ADMIN_TOKEN, security=SecurityConfig(kdf_cost=2**10)),
        topology_text=provider_topology(endpoint=str(server.make_url("")).rstrip("/")),
        clock=ManualClock(),
        country=Country.generate(1, 20, 5),
        tracer_provider=tracer_provider,
        simulators=sim.BUILTIN,
    )
    hub = await aiohttp_client(app)
    caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    await hub.get(f"{BUSINESS}?msdn=0312345673", headers={"X-Road-Client": MOTCUA, "traceparent": caller})
    await hub.post(SYNC, json={"isUpdating": False, "data": [dossier()]}, headers={"X-Road-Client": HOTICH})
    ok, failed = exporter.get_finished_spans()
    assert ok.context is not None and ok.parent is not None and ok.attributes is not None
    assert failed.attributes is not None
    assert ok.name == "GET chiTietDoanhNghiep"
    assert f"{ok.context.trace_id:032x}" == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert f"{ok.parent.span_id:016x}" == "00f067aa0ba902b7"
    assert seen == [f"00-4bf92f3577b34da6a3ce929d0e0e4736-{ok.context.span_id:016x}-01"]  # provider's parent = span
    assert ok.attributes["xroad.clientMemberCode"] == "000.00.00.H29" and ok.attributes["xroad.statusCode"] == 200
    assert not failed.status.is_ok and failed.attributes["xroad.faultCode"] in (
        "Server.ClientProxy.UnknownMember",
        "Server.ServerProxy.UnknownService",
    )
