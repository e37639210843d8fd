"""A contract service's optional request body, header parameters and stateful collection (list, delete by
id) (issue 21 item 1), over the hub's real loopback socket, in both wire styles."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from ngsp_sim.hub.runtime import HUB
from tests.helpers import ADMIN, MOTCUA, MakeHub, token_for
from tests.test_contract_provider import DOCUMENT as HOSO
from tests.test_contract_provider import LGSP, NEW, _topology

SERVICE = f"/r1/{LGSP}/danhMuc"
CLIENT = {"X-Road-Client": MOTCUA}
NOTE = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"ghiChu": {"type": "string", "maxLength": 20}},
}
DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Gia hạn hồ sơ", "version": "1.0"},
    "paths": {
        "/hoso/{maHoSo}/giahan": {
            "post": {
                "operationId": "giaHanHoSo",
                "parameters": [
                    {"name": "maHoSo", "in": "path", "required": True, "schema": {"type": "string"}},
                    {
                        "name": "X-Ma-Can-Bo",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string", "pattern": "^CB[0-9]{4}$"},
                    },
                    {"name": "X-So-Ngay", "in": "header", "schema": {"type": "integer", "minimum": 1, "maximum": 30}},
                ],
                "requestBody": {"required": False, "content": {"application/json": {"schema": NOTE}}},
                "responses": {
                    "200": {"description": "Đã gia hạn", "content": {"application/json": {"example": {"ok": True}}}}
                },
            }
        }
    },
}


async def _hub(make_hub: MakeHub) -> Any:
    hub = await make_hub(_topology(services=("taoHoSo",)))
    body = {"contract": DOCUMENT, "operation": "giaHanHoSo", "gateway": {"context": "giaHan", "version": "1.0"}}
    assert (await hub.put(f"/api/v1/services/{LGSP}/danhMuc", json=body, headers=ADMIN)).status == 200
    assert (await hub.put("/api/v1/access", json={"client": MOTCUA, "service": f"{LGSP}/danhMuc"}, headers=ADMIN)).ok
    return hub


async def test_an_optional_body_may_be_left_out_but_is_checked_when_sent(make_hub: MakeHub) -> None:
    hub = await _hub(make_hub)
    headers = {**CLIENT, "X-Ma-Can-Bo": "CB0042"}
    empty = await hub.post(f"{SERVICE}/hoso/H29-7/giahan", headers=headers)
    assert empty.status == 200, await empty.text()
    assert await empty.json() == {"ok": True}
    sent = await hub.post(f"{SERVICE}/hoso/H29-7/giahan", json={"ghiChu": "Bổ sung giấy tờ"}, headers=headers)
    assert sent.status == 200, await sent.text()
    bad = await hub.post(f"{SERVICE}/hoso/H29-7/giahan", json={"ghiChu": "x" * 21, "lyDo": 1}, headers=headers)
    assert bad.status == 400
    assert {(v["location"], v["pointer"], v["rule"]) for v in (await bad.json())["violations"]} == {
        ("body", "/ghiChu", "maxLength"),
        ("body", "/lyDo", "extra_forbidden"),
    }


async def test_header_parameters_are_checked_with_violations_at_side_header(make_hub: MakeHub) -> None:
    hub = await _hub(make_hub)
    refused = await hub.post(f"{SERVICE}/hoso/H29-7/giahan", headers={**CLIENT, "x-so-ngay": "31"})
    assert refused.status == 400
    assert refused.headers["X-Road-Error"] == "Client.SchemaViolation"
    assert [(v["location"], v["pointer"], v["rule"]) for v in (await refused.json())["violations"]] == [
        ("header", "/X-Ma-Can-Bo", "missing"),
        ("header", "/X-So-Ngay", "maximum"),  # the name as declared, whatever case it was sent in
    ]
    bearer = {"Authorization": f"Bearer {await token_for(hub)}", "X-Ma-Can-Bo": "cb42", "X-So-Ngay": "7"}
    via_gateway = await hub.post("/giaHan/1.0/danhMuc/hoso/H29-7/giahan", headers=bearer)
    assert via_gateway.status == 400, await via_gateway.text()
    violations = (await via_gateway.json())["fault"]["violations"]
    assert [(v["location"], v["pointer"], v["rule"]) for v in violations] == [("header", "/X-Ma-Can-Bo", "pattern")]
    await hub.app[HUB].message_log.flush()
    items = (await (await hub.get("/api/v1/messages?limit=1", headers=ADMIN)).json())["items"]
    assert [(v["location"], v["pointer"]) for v in items[0]["violations"]] == [("header", "/X-Ma-Can-Bo")]


def _stateful_topology() -> str:
    """The example's dossiers with a list (GET /hoso) and a removal (DELETE /hoso/{maHoSo}, 204)."""
    document = copy.deepcopy(HOSO)
    hoso = {"$ref": "#/components/schemas/HoSo"}
    document["paths"]["/hoso"]["get"] = {
        "operationId": "dsHoSo",
        "responses": {
            "200": {
                "description": "Hồ sơ",
                "content": {"application/json": {"schema": {"type": "array", "items": hoso}}},
            }
        },
    }
    document["paths"]["/hoso/{maHoSo}"]["delete"] = {
        "operationId": "xoaHoSo",
        "responses": {
            "204": {"description": "Đã xoá"},
            "404": document["paths"]["/hoso/{maHoSo}"]["get"]["responses"]["404"],
        },
    }
    topology = yaml.safe_load(_topology(stateful=True, services=("taoHoSo", "layHoSo", "dsHoSo", "xoaHoSo")))
    for service in topology["agencies"][0]["subsystems"][0]["services"]:
        service["contract"] = document
    return yaml.safe_dump(topology, allow_unicode=True)


async def test_a_stateful_collection_is_listed_and_an_object_deleted_by_id(make_hub: MakeHub) -> None:
    hub = await make_hub(_stateful_topology())
    base = f"/r1/{LGSP}"
    assert await (await hub.get(f"{base}/dsHoSo/hoso", headers=CLIENT)).json() == []
    first = await (await hub.post(f"{base}/taoHoSo", json=NEW, headers=CLIENT)).json()
    second_body = {**NEW, "maHoSo": "000.00.00.H29-251121-0008"}
    second = await (await hub.post(f"{base}/taoHoSo/hoso", json=second_body, headers=CLIENT)).json()
    listed = await hub.get(f"{base}/dsHoSo", headers=CLIENT)
    assert listed.status == 200
    assert await listed.json() == [first, second]  # in the order they were created
    deleted = await hub.delete(f"{base}/xoaHoSo/hoso/{NEW['maHoSo']}", headers=CLIENT)
    assert deleted.status == 204 and await deleted.read() == b""  # the contract's documented status
    assert (await hub.get(f"{base}/layHoSo/hoso/{NEW['maHoSo']}", headers=CLIENT)).status == 404
    assert await (await hub.get(f"{base}/dsHoSo/hoso", headers=CLIENT)).json() == [second]
    again = await hub.delete(f"{base}/xoaHoSo/hoso/{NEW['maHoSo']}", headers=CLIENT)
    assert again.status == 404
    assert await again.json() == {"maLoi": 404, "moTa": "Không tìm thấy hồ sơ"}  # the contract's 404 example
    bearer = {"Authorization": f"Bearer {await token_for(hub)}"}
    via_gateway = await hub.get("/hosoDatDai/1.0/dsHoSo", headers=bearer)
    assert await via_gateway.json() == [second]
