"""Requests through the hub reach each simulated agency and come back in the hub's JSON form."""

from __future__ import annotations

import base64
from typing import Any

import orjson
from aiohttp.test_utils import TestClient

from ngsp_sim.sim import DEMO_BUSINESS, DEMO_DOSSIER
from tests.helpers import BUSINESS, DOSSIER_LOOKUP, MOTCUA, POPULATION, SYNC, dossier, lookup_body


async def test_population_lookup_returns_the_demo_citizen(hub: TestClient[Any, Any]) -> None:
    resp = await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
    assert resp.status == 200
    body = await resp.json()
    assert body["MaYeuCau"] == "YC-0001"
    (citizen,) = body["CongdanCollection"]["CongDan"]
    assert citizen["HoVaTen"] == {"Ho": "Nguyễn", "ChuDem": "Văn", "Ten": "An"}
    assert citizen["NgayThangNamSinh"] == {"NgayThangNam": "19900515"}


async def test_unknown_citizen_gets_the_native_not_found_not_a_hub_error(hub: TestClient[Any, Any]) -> None:
    resp = await hub.post(POPULATION, json=lookup_body(SoDinhDanh="001090999999"), headers={"X-Road-Client": MOTCUA})
    assert resp.status == 200
    assert "X-Road-Error" not in resp.headers
    assert (await resp.json())["CongdanCollection"] == {"CongDan": []}


async def test_lookup_with_a_name_that_does_not_match_finds_nobody(hub: TestClient[Any, Any]) -> None:
    body = lookup_body(HoVaTen="Trần Thị Bé")
    resp = await hub.post(POPULATION, json=body, headers={"X-Road-Client": MOTCUA})
    assert (await resp.json())["CongdanCollection"]["CongDan"] == []


async def test_business_lookup_by_msdn_query_parameter(hub: TestClient[Any, Any]) -> None:
    resp = await hub.get(f"{BUSINESS}?msdn={DEMO_BUSINESS}", headers={"X-Road-Client": MOTCUA})
    assert resp.status == 200
    body = await resp.json()
    assert body["Status"] == 1
    assert body["MainInformation"]["ENTERPRISE_GDT_CODE"] == DEMO_BUSINESS
    assert body["MainInformation"]["NAME"] == "CÔNG TY TNHH CÔNG NGHỆ SỐ SAO MAI"


async def test_unknown_business_gets_status_0_from_the_registry(hub: TestClient[Any, Any]) -> None:
    resp = await hub.get(f"{BUSINESS}?msdn=0100109106", headers={"X-Road-Client": MOTCUA})
    assert resp.status == 200
    assert (await resp.json())["Status"] == 0


async def test_synced_dossier_can_be_looked_up_afterwards(hub: TestClient[Any, Any]) -> None:
    sync = {"isUpdating": False, "data": [dossier()]}
    resp = await hub.post(SYNC, json=sync, headers={"X-Road-Client": MOTCUA})
    assert resp.status == 200
    assert (await resp.json())["error_code"] == 0
    resp = await hub.post(DOSSIER_LOOKUP, json={"MaHoSo": dossier()["MaHoSo"]}, headers={"X-Road-Client": MOTCUA})
    found = (await resp.json())["result"]
    assert found["TrichYeuHoSo"] == "Đăng ký thường trú"
    assert found["TrangThaiHoSo"] == 2


async def test_demo_dossier_and_unknown_dossier(hub: TestClient[Any, Any]) -> None:
    resp = await hub.post(DOSSIER_LOOKUP, json={"MaHoSo": DEMO_DOSSIER}, headers={"X-Road-Client": MOTCUA})
    assert (await resp.json())["result"]["ChuHoSo"] == "Nguyễn Văn An"
    resp = await hub.post(
        DOSSIER_LOOKUP, json={"MaHoSo": "000.00.00.H29-251121-9999"}, headers={"X-Road-Client": MOTCUA}
    )
    assert resp.status == 200
    assert (await resp.json())["error_code"] != 0


async def test_response_headers_identify_the_exchange(hub: TestClient[Any, Any]) -> None:
    raw = orjson.dumps(lookup_body())
    resp = await hub.post(
        POPULATION,
        data=raw,
        headers={"X-Road-Client": MOTCUA, "X-Road-Id": "my-id-42", "Content-Type": "application/json"},
    )
    assert resp.headers["X-Road-Id"] == "my-id-42"
    assert resp.headers["X-Road-Client"] == MOTCUA
    assert resp.headers["X-Road-Service"] == "VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan"
    assert len(base64.b64decode(resp.headers["X-Road-Request-Hash"])) == 64  # SHA-512: test_xroad_protocol
    assert resp.headers["X-Road-Request-Id"]
    assert "X-Road-Error" not in resp.headers


async def test_x_road_id_is_generated_when_absent_and_differs_per_request(hub: TestClient[Any, Any]) -> None:
    ids = set()
    for _ in range(2):
        resp = await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
        ids.add(resp.headers["X-Road-Id"])
    assert len(ids) == 2 and all(len(i) >= 16 for i in ids)


async def test_percent_encoded_identifier_parts_are_decoded_one_by_one(hub: TestClient[Any, Any]) -> None:
    path = "/r1/VN/GOV/000%2E00%2E00%2EG01/CSDLQGDC/TraCuuThongTinCongDan"
    resp = await hub.post(path, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
    assert resp.status == 200


async def test_healthz(hub: TestClient[Any, Any]) -> None:
    resp = await hub.get("/healthz")
    assert resp.status == 200
    assert await resp.json() == {"status": "ok", "services": 34}
