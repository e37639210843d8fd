"""listClients, listMethods, allowedMethods and getOpenAPI, in X-Road's JSON shapes (XML: test_xroad_protocol)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from multidict import CIMultiDict

from tests.helpers import HOTICH, MOTCUA, POPULATION, lookup_body

DVCQG = "/r1/VN/GOV/000.00.00.G22/DVCQG"
CLIENT = {"X-Road-Client": MOTCUA}


async def test_list_clients_lists_members_and_subsystems(hub: TestClient[Any, Any]) -> None:
    body = await (await hub.get("/listClients", headers={"Accept": "application/json"})).json()
    ids = [m["id"] for m in body["member"]]
    assert {
        "object_type": "MEMBER",
        "xroad_instance": "VN",
        "member_class": "GOV",
        "member_code": "000.00.00.G22",
    } in ids
    assert {
        "object_type": "SUBSYSTEM",
        "xroad_instance": "VN",
        "member_class": "GOV",
        "member_code": "000.00.00.H29",
        "subsystem_code": "MOTCUA",
    } in ids
    names = {m.get("subsystem_name") for m in body["member"]}
    assert "Cổng Dịch vụ công quốc gia" in names


async def test_list_methods_of_a_provider(hub: TestClient[Any, Any]) -> None:
    body = await (await hub.get(f"{DVCQG}/listMethods", headers=CLIENT)).json()
    assert [s["service_code"] for s in body["service"]] == [
        "CapNhatTienDoHoSoMC",
        "DongBoHoSoMC",
        "LayDanhSachTTHC",
        "LayThuTuc",
        "TraCuuHoSo",
    ]
    assert body["service"][0]["endpoint_list"] == [{"method": "POST", "path": "/"}]
    assert body["service"][0]["object_type"] == "SERVICE"


async def test_allowed_methods_depend_on_the_asking_client(hub: TestClient[Any, Any]) -> None:
    motcua = await (await hub.get(f"{DVCQG}/allowedMethods", headers={"X-Road-Client": MOTCUA})).json()
    hotich = await (await hub.get(f"{DVCQG}/allowedMethods", headers={"X-Road-Client": HOTICH})).json()
    assert [s["service_code"] for s in motcua["service"]] == [
        "CapNhatTienDoHoSoMC",
        "DongBoHoSoMC",
        "LayDanhSachTTHC",
        "LayThuTuc",
        "TraCuuHoSo",
    ]  # its own rights and those of the one-stop group
    assert [s["service_code"] for s in hotich["service"]] == ["TraCuuHoSo"]
    assert hotich["service"][0]["endpoint_list"] == [{"method": "*", "path": "**"}]


async def test_allowed_methods_needs_a_client(hub: TestClient[Any, Any]) -> None:
    resp = await hub.get(f"{DVCQG}/allowedMethods")
    assert resp.headers["X-Road-Error"] == "Client.InvalidClientIdentifier"


@pytest.mark.parametrize(
    "claimed",
    [[("X-Road-Client", MOTCUA), ("X-Road-Client", HOTICH)], [("X-Road-Client", "VN/GOV/not a member")]],
    ids=["repeated", "malformed"],
)
async def test_allowed_methods_refuses_a_client_header_as_a_service_call_does(
    hub: TestClient[Any, Any], claimed: list[tuple[str, str]]
) -> None:
    """One caller identification: allowedMethods and an /r1 call give the same answer to the same header."""
    meta = await hub.get(f"{DVCQG}/allowedMethods", headers=CIMultiDict(claimed))
    call = await hub.post(POPULATION, json=lookup_body(), headers=CIMultiDict(claimed))
    assert meta.status == call.status == 400
    assert meta.headers["X-Road-Error"] == call.headers["X-Road-Error"] == "Client.InvalidClientIdentifier"
    assert (await meta.json())["message"] == (await call.json())["message"]


async def test_metaservice_of_unknown_provider(hub: TestClient[Any, Any]) -> None:
    resp = await hub.get("/r1/VN/GOV/000.00.00.G99/NONE/listMethods", headers=CLIENT)
    assert resp.headers["X-Road-Error"] == "Server.ClientProxy.UnknownMember"


async def test_get_openapi_is_generated_from_the_models(hub: TestClient[Any, Any]) -> None:
    resp = await hub.get(
        "/r1/VN/GOV/000.00.00.G01/CSDLQGDC/getOpenAPI?serviceCode=TraCuuThongTinCongDan", headers=CLIENT
    )
    doc = await resp.json()
    assert doc["openapi"] == "3.1.0"
    operation = doc["paths"]["/TraCuuThongTinCongDan"]["post"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request_schema = doc["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    pattern = request_schema["properties"]["SoDinhDanh"]["anyOf"][0]["pattern"]
    assert re.fullmatch(pattern, "079090001234") and not re.fullmatch(pattern, "000090001234")
    assert "MaTichHop" in request_schema["required"]
    assert "ErrorBody" in doc["components"]["schemas"]
    assert doc["servers"] == [{"url": "/r1/VN/GOV/000.00.00.G01/CSDLQGDC"}]


async def test_get_openapi_of_a_get_service_lists_query_parameters(hub: TestClient[Any, Any]) -> None:
    doc = await (
        await hub.get("/r1/VN/GOV/000.00.00.G12/CSDLDKDN/getOpenAPI?serviceCode=chiTietDoanhNghiep", headers=CLIENT)
    ).json()
    params = doc["paths"]["/chiTietDoanhNghiep"]["get"]["parameters"]
    (msdn,) = [p for p in params if p["in"] == "query"]
    assert (msdn["name"], msdn["required"], msdn["schema"]["format"]) == ("msdn", True, "vn-mst")
    assert msdn["schema"]["pattern"] == r"^(?!\d\d0{7})\d{10}(-(?!000)\d{3})?$"


async def test_get_openapi_errors(hub: TestClient[Any, Any]) -> None:
    resp = await hub.get("/r1/VN/GOV/000.00.00.G01/CSDLQGDC/getOpenAPI", headers=CLIENT)
    assert resp.headers["X-Road-Error"] == "Client.InvalidRequest"
    resp = await hub.get("/r1/VN/GOV/000.00.00.G01/CSDLQGDC/getOpenAPI?serviceCode=nope", headers=CLIENT)
    assert resp.headers["X-Road-Error"] == "Server.ServerProxy.UnknownService"


async def test_metaservice_names_do_not_shadow_real_calls(hub: TestClient[Any, Any]) -> None:
    resp = await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA})
    assert resp.status == 200
