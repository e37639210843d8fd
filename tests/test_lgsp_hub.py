"""An LGSP hub over real sockets (in process, in front of an in-process NGSP hub, each on a loopback port):
the credentials it issues its local systems (the WSO2-style consumer key and secret, ``POST /token``; the
``AppName``/``AccessKey``/``SecretKey`` triple sent as headers on each call, never passed on), the
connection models every hub enforces, the errors it decides itself (``X-NGSP-Tier: lgsp``) and the tier
the admin API reports. The two tiers as separate processes: ``tests/test_lgsp_tier.py``."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from multidict import CIMultiDict, CIMultiDictProxy

from adapters.base import NativeResponse
from ngsp_sim.hub.headers import forwarded_headers
from ngsp_sim.hub.upstream import upstream_answer
from ngsp_sim.monitoring.tracing import trace_from
from ngsp_sim.registry.loader import demo_text
from tests.helpers import ADMIN, MOTCUA, POPULATION, basic_auth, eventually, lookup_body

LOCAL_STATUS = "/r1/VN/GOV/000.00.00.H29/MOTCUA/TraCuuTrangThaiHoSo"
QLVB = "VN/GOV/000.00.00.H29/QLVB"
TRIPLE = {"AppName": "qlvb-hcm", "AccessKey": "qlvb-hcm-access", "SecretKey": "demo-qlvb-hcm-secret-key"}
DOSSIER = {"MaHoSo": "000.00.00.H29-251121-0001"}


@pytest.fixture
async def lgsp(make_hub: Any) -> TestClient[Any, Any]:
    ngsp: TestClient[Any, Any] = await make_hub()
    client: TestClient[Any, Any] = await make_hub(demo_text("lgsp-hcm.yaml"), upstream=str(ngsp.make_url("")))
    return client


async def _logged_client(lgsp: TestClient[Any, Any], message_id: str) -> Any:
    async with lgsp.get(f"/api/v1/messages?message_id={message_id}", headers=ADMIN) as resp:
        return [item["client"] for item in (await resp.json())["items"]]


async def test_the_triple_identifies_a_local_system_without_x_road_client(lgsp: TestClient[Any, Any]) -> None:
    """AppName/AccessKey/SecretKey alone name the caller: the city's document system reads a dossier's state."""
    resp = await lgsp.post(LOCAL_STATUS, json=DOSSIER, headers={**TRIPLE, "X-Road-Id": "triple-1"})
    assert resp.status == 200, await resp.text()
    assert resp.headers["X-Road-Client"] == QLVB


@pytest.mark.parametrize(
    ("headers", "status", "says"),
    [
        pytest.param({**TRIPLE, "SecretKey": "not-the-secret-key-at-all"}, 401, "not valid", id="wrong-secret"),
        pytest.param({**TRIPLE, "AccessKey": "nobody-here"}, 401, "not valid", id="unknown-key"),
        pytest.param({**TRIPLE, "AppName": "another-app"}, 401, "AppName", id="wrong-app-name"),
        pytest.param({"AccessKey": TRIPLE["AccessKey"]}, 401, "together", id="no-secret"),
    ],
)
async def test_a_triple_that_does_not_hold_is_refused(
    lgsp: TestClient[Any, Any], headers: dict[str, str], status: int, says: str
) -> None:
    """Refused with the hub's InvalidCredentials/MissingCredentials, the LGSP naming itself as the tier."""
    resp = await lgsp.post(LOCAL_STATUS, json=DOSSIER, headers=headers)
    assert resp.status == status
    body = await resp.json()
    assert body["type"] in {"Client.InvalidCredentials", "Client.MissingCredentials"} and says in body["message"]
    assert resp.headers["X-NGSP-Tier"] == "lgsp"
    assert TRIPLE["SecretKey"] not in await resp.text()


async def test_the_triple_must_name_the_same_client_as_x_road_client(lgsp: TestClient[Any, Any]) -> None:
    resp = await lgsp.post(LOCAL_STATUS, json=DOSSIER, headers={**TRIPLE, "X-Road-Client": MOTCUA})
    assert resp.status == 400 and (await resp.json())["type"] == "Client.InvalidClientIdentifier"


async def test_a_consumer_key_issued_by_the_lgsp_buys_a_token_for_a_national_lookup(lgsp: TestClient[Any, Any]) -> None:
    """WSO2 style at the LGSP: POST /token with the LGSP's consumer key, then the 037 lookup with the bearer
    token; the LGSP forwards it to NGSP as itself."""
    form = {"grant_type": "client_credentials"}
    token = await lgsp.post("/token", data=form, headers=basic_auth("motcua-hcm-lgsp", "demo-motcua-hcm-lgsp-secret"))
    assert token.status == 200
    bearer = (await token.json())["access_token"]
    resp = await lgsp.post(
        POPULATION, json=lookup_body(), headers={"Authorization": f"Bearer {bearer}", "X-Road-Id": "t-1"}
    )
    assert resp.status == 200, await resp.text()
    assert resp.headers["X-Road-Client"] == MOTCUA
    assert await eventually(lambda: _logged_client(lgsp, "t-1")) == [MOTCUA]


def test_the_triple_never_reaches_a_provider_or_the_ngsp_hub() -> None:
    """The headers a provider (or NGSP, behind an LGSP) receives leave the triple out, as Authorization."""
    sent = CIMultiDictProxy(CIMultiDict({**TRIPLE, "Authorization": "Bearer x", "X-Custom": "kept"}))
    passed = forwarded_headers(sent, "id-1", trace_from(None))
    assert passed["X-Custom"] == "kept"
    assert not {"AppName", "AccessKey", "SecretKey", "Authorization"} & set(passed)


async def test_a_direct_client_is_refused_by_any_hub(make_hub: Any) -> None:
    """Circular 13 model 4: a system connected directly to its peer does not go through the platform."""
    text = demo_text("lgsp-hcm.yaml").replace("model: ngsp ", "model: direct ")
    hub: TestClient[Any, Any] = await make_hub(text, upstream="http://127.0.0.1:9")
    resp = await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": "VN/GOV/000.00.00.H29/YTE"})
    assert resp.status == 500
    body = await resp.json()
    assert body["type"] == "Server.ServerProxy.AccessDenied" and "connects directly" in body["message"]
    assert "Thông tư 13/2017/TT-BTTTT" in body["detail"]


async def test_an_unreachable_ngsp_is_the_lgsps_network_error(make_hub: Any) -> None:
    """NGSP not answering is decided by the LGSP: its NetworkError, X-NGSP-Tier: lgsp."""
    with socket.socket() as probe:  # a loopback port that was free a moment ago, closed: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    hub: TestClient[Any, Any] = await make_hub(demo_text("lgsp-hcm.yaml"), upstream=f"http://127.0.0.1:{port}")
    resp = await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
    assert resp.status == 500
    assert resp.headers["X-Road-Error"] == "Server.ServerProxy.ServiceFailed.NetworkError"
    assert resp.headers["X-NGSP-Tier"] == "lgsp"


async def test_the_admin_api_says_which_tier_the_hub_is(lgsp: TestClient[Any, Any], hub: TestClient[Any, Any]) -> None:
    """GET /api/v1/agencies names the tier (the dashboard's map labels its centre with it) and an LGSP's
    identity at NGSP; the NGSP hub's demo country draws the city's LGSP in its LGSP band (role lgsp)."""
    async with lgsp.get("/api/v1/agencies", headers=ADMIN) as resp:
        found = await resp.json()
    assert found["tier"] == "lgsp" and found["upstream"] == "VN/GOV/000.00.00.H29/LGSP"
    async with hub.get("/api/v1/agencies", headers=ADMIN) as resp:
        national = await resp.json()
    assert national["tier"] == "ngsp" and national["upstream"] is None
    roles = {s["id"]: s["role"] for a in national["items"] for s in a["subsystems"]}
    assert roles["VN/GOV/000.00.00.H29/LGSP"] == "lgsp"


def test_a_provider_cannot_name_a_tier() -> None:
    """X-NGSP-Tier is the hubs' own: a provider's (or an NGSP hub's success answer's) is not passed on."""
    answer = upstream_answer(NativeResponse(200, {"X-NGSP-Tier": "ngsp", "Content-Type": "application/json"}, b"{}"))
    assert "X-NGSP-Tier" not in answer.headers and answer.fault is None
    refused = upstream_answer(
        NativeResponse(500, {"X-Road-Error": "Server.ServerProxy.AccessDenied"}, b'{"message": "no"}')
    )
    assert refused.headers["X-NGSP-Tier"] == "ngsp" and refused.fault == ("Server.ServerProxy.AccessDenied", "no")
