"""The gateway style through an LGSP (issue 20), over real sockets with httpx as the consumer: a token from
the LGSP's ``POST /token`` (the consumer key the LGSP issued), a national service published at the LGSP
in the gateway style, forwarded to the NGSP hub as the LGSP's own client; an error the NGSP hub decided
reaches the gateway-style caller as a WSO2-style fault with the same code semantics and
``X-NGSP-Tier: ngsp``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp.test_utils import TestClient

from adapters.base import NativeResponse
from ngsp_sim.errors import AccessDenied, InvalidCredentials
from ngsp_sim.hub.upstream import upstream_answer
from ngsp_sim.registry.loader import demo_text
from tests.helpers import ADMIN, MOTCUA, eventually, lookup_body

LGSP = "VN/GOV/000.00.00.H29/LGSP"
LOOKUP = "/apiCSDLQGDC/1.0/TraCuuThongTinCongDan"
HISTORY = "/apiDVCQG/1.0/TraCuuHoSo"  # the LGSP allows it its one-stop system; NGSP refuses it the LGSP


@pytest.fixture
async def tiers(make_hub: Any) -> tuple[TestClient[Any, Any], TestClient[Any, Any]]:
    ngsp: TestClient[Any, Any] = await make_hub()
    lgsp: TestClient[Any, Any] = await make_hub(demo_text("lgsp-hcm.yaml"), upstream=str(ngsp.make_url("")))
    return ngsp, lgsp


@pytest.fixture
async def consumer(tiers: tuple[TestClient[Any, Any], TestClient[Any, Any]]) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client of the LGSP, holding the bearer token its /token issued the one-stop system."""
    async with httpx.AsyncClient(base_url=str(tiers[1].make_url("")), timeout=10) as client:
        token = await client.post(
            "/token",
            data={"grant_type": "client_credentials"},
            auth=("motcua-hcm-lgsp", "demo-motcua-hcm-lgsp-secret"),
        )
        assert token.status_code == 200, token.text
        client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        yield client


async def _logged(hub: TestClient[Any, Any], message_id: str) -> list[str]:
    async with hub.get(f"/api/v1/messages?message_id={message_id}", headers=ADMIN) as resp:
        return [item["client"] for item in (await resp.json())["items"]]


async def test_a_gateway_consumer_of_the_lgsp_reaches_a_national_service(
    tiers: tuple[TestClient[Any, Any], TestClient[Any, Any]], consumer: httpx.AsyncClient
) -> None:
    ngsp, lgsp = tiers
    resp = await consumer.post(LOOKUP, json=lookup_body(), headers={"X-Road-Id": "gw-tier-1"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["CongdanCollection"]["CongDan"][0]["SoDinhDanh"] == "079090001234"
    assert "X-NGSP-Tier" not in resp.headers
    # one exchange in both logs: the one-stop system the LGSP's client, the LGSP NGSP's (over /r1)
    assert await eventually(lambda: _logged(lgsp, "gw-tier-1")) == [MOTCUA]
    assert await eventually(lambda: _logged(ngsp, "gw-tier-1")) == [LGSP]


async def test_a_refusal_of_the_ngsp_tier_is_a_wso2_fault_to_the_gateway_caller(
    tiers: tuple[TestClient[Any, Any], TestClient[Any, Any]], consumer: httpx.AsyncClient
) -> None:
    """NGSP's AccessDenied, as a one-tier hub answers a gateway caller: 403, fault code 900908 and its
    message, NGSP's type and explanation kept; the tier that decided it named, no X-Road-Error."""
    resp = await consumer.post(HISTORY, json={"MaHoSo": "000.00.00.H29-251121-0001"}, headers={"X-Road-Id": "gw-2"})
    assert resp.status_code == AccessDenied.gateway_status() == 403
    fault = resp.json()["fault"]
    assert fault["code"] == AccessDenied.fault_code == 900908
    assert fault["message"] == AccessDenied.fault_message
    assert fault["type"] == "Server.ServerProxy.AccessDenied" and LGSP in fault["description"]
    assert resp.headers["X-NGSP-Tier"] == "ngsp" and "X-Road-Error" not in resp.headers
    assert resp.headers["Content-Type"].startswith("application/json")
    # the X-Road style at the same LGSP still gets NGSP's answer intact
    lgsp = tiers[1]
    r1 = await consumer.post(
        "/r1/VN/GOV/000.00.00.G22/DVCQG/TraCuuHoSo", json={"MaHoSo": "x"}, headers={"X-Road-Id": "gw-3"}
    )
    assert r1.status_code == 500 and r1.headers["X-Road-Error"] == "Server.ServerProxy.AccessDenied"
    assert r1.json()["type"] == "Server.ServerProxy.AccessDenied" and r1.headers["X-NGSP-Tier"] == "ngsp"
    assert await eventually(lambda: _logged(lgsp, "gw-2")) == [MOTCUA]


async def test_a_refusal_of_the_lgsp_itself_is_its_own_fault(consumer: httpx.AsyncClient) -> None:
    """A wrong token at the LGSP: decided by the LGSP, in the gateway style, X-NGSP-Tier: lgsp."""
    resp = await consumer.post(LOOKUP, json=lookup_body(), headers={"Authorization": "Bearer not-a-token"})
    assert resp.status_code == 401 and resp.json()["fault"]["code"] == InvalidCredentials.fault_code
    assert resp.headers["X-NGSP-Tier"] == "lgsp"


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        pytest.param("server.serverproxy.access_denied", 403, 900908, id="7x-spelling"),
        pytest.param("Client.Throttled", 429, 900800, id="throttled"),
    ],
)
def test_the_fault_follows_the_error_in_either_spelling(error: str, status: int, code: int) -> None:
    body = b'{"type": "' + error.encode() + b'", "message": "no", "detail": "why"}'
    answer = upstream_answer(NativeResponse(500, {"X-Road-Error": error}, body), "gateway")
    fault = httpx.Response(answer.status, content=answer.body).json()["fault"]
    assert answer.status == status and fault["code"] == code and fault["type"] == error
    assert fault["description"] == "no (why)" and answer.fault == (error, "no")


def test_an_error_of_no_known_type_is_passed_on_intact() -> None:
    answer = upstream_answer(NativeResponse(500, {"X-Road-Error": "Server.Other"}, b"<not json>"), "gateway")
    assert answer.status == 500 and answer.body == b"<not json>" and answer.headers["X-Road-Error"] == "Server.Other"
