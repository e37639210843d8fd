"""The DVCQG adapter logs in once, reuses the session, and logs in again when it has expired."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from adapters.base import HubCall, NativeRequest, NativeResponse, ProviderRefused, drive
from adapters.dvcqg import DvcqgAdapter
from ngsp_sim.clock import ManualClock
from ngsp_sim.sim import DEMO_DOSSIER, AgencyContext, Country
from ngsp_sim.sim.dvcqg import DvcqgAgency
from schemas.dvcqg import TraCuuHoSoRequest
from tests.helpers import MOTCUA, SYNC, MakeHub, dossier

LOGIN = {"username": "ngsp-hub", "password": "demo-dvcqg-password"}


def _call() -> HubCall:
    payload = TraCuuHoSoRequest.model_validate({"MaHoSo": DEMO_DOSSIER})
    return HubCall("TraCuuHoSo", "POST", "/", payload, None, "000.00.00.H29", "m")


@pytest.fixture
def agency(clock: ManualClock) -> DvcqgAgency:
    return DvcqgAgency(AgencyContext(Country.generate(1, 5, 2), clock, {"session_ttl": 600}))


async def _lookup(adapter: DvcqgAdapter, agency: DvcqgAgency, log: list[str]) -> int:
    async def send(request: NativeRequest) -> NativeResponse:
        log.append(request.path)
        return await agency.handle(request)

    reply = await drive(adapter.exchange(_call()), send)
    return int(reply.data["error_code"])


async def test_session_is_cached_between_calls(agency: DvcqgAgency) -> None:
    adapter, log = DvcqgAdapter(LOGIN), list[str]()
    assert await _lookup(adapter, agency, log) == 0
    assert await _lookup(adapter, agency, log) == 0
    assert log == ["/mapi/login", "/mapi/g", "/mapi/g"]
    assert agency.logins == 1


async def test_expired_session_triggers_one_new_login(agency: DvcqgAgency, clock: ManualClock) -> None:
    adapter, log = DvcqgAdapter(LOGIN), list[str]()
    await _lookup(adapter, agency, log)
    clock.advance(601)
    assert await _lookup(adapter, agency, log) == 0
    assert log == ["/mapi/login", "/mapi/g", "/mapi/g", "/mapi/login", "/mapi/g"]
    assert agency.logins == 2


async def test_wrong_credentials_are_a_provider_refusal(agency: DvcqgAgency) -> None:
    adapter = DvcqgAdapter({"username": "ngsp-hub", "password": "wrong"})
    with pytest.raises(ProviderRefused, match="refused the hub's login"):
        await _lookup(adapter, agency, [])


async def test_madonvi_defaults_to_the_calling_agency(agency: DvcqgAgency) -> None:
    bodies: list[bytes] = []

    async def send(request: NativeRequest) -> NativeResponse:
        bodies.append(request.body)
        return await agency.handle(request)

    await drive(DvcqgAdapter(LOGIN).exchange(_call()), send)
    assert b'"madonvi":"000.00.00.H29"' in bodies[-1]
    assert b'"service":"TraCuuHoSo"' in bodies[-1]


async def test_session_expiry_through_the_hub_is_invisible_to_the_client(
    hub: TestClient[Any, Any], clock: ManualClock
) -> None:
    h = {"X-Road-Client": MOTCUA}
    first = await hub.post(SYNC, json={"isUpdating": False, "data": [dossier()]}, headers=h)
    clock.advance(24 * 3600)
    second = await hub.post(SYNC, json={"isUpdating": True, "data": [dossier(TrangThaiHoSo=4)]}, headers=h)
    assert first.status == second.status == 200
    assert (await second.json())["error_code"] == 0


async def test_misconfigured_hub_credentials_are_a_service_failure(make_hub: MakeHub) -> None:
    from importlib import resources

    from ngsp_sim.registry.loader import DEMO_TOPOLOGY  # the demo, with a wrong password

    text = resources.files("ngsp_sim.registry").joinpath(DEMO_TOPOLOGY).read_text(encoding="utf-8")
    hub = await make_hub(text.replace("password: demo-dvcqg-password", "password: nope"))
    resp = await hub.post(SYNC, json={"isUpdating": False, "data": [dossier()]}, headers={"X-Road-Client": MOTCUA})
    assert resp.headers["X-Road-Error"] == "Server.ServerProxy.ServiceFailed"
    assert "login" in (await resp.json())["message"]
