"""JSON bodies are read strictly, as a strict provider reads them: a string, a boolean or a number with a
fraction is not an integer, a number or a string is not a boolean. Each violation names the JSON type
the field takes and the one that came, at its pointer (issue 18, section 1)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.helpers import ADMIN, BUSINESS, MOTCUA, SYNC, MakeHub, dossier, provider_topology

BHXH = "/r1/VN/GOV/000.00.19.G12/CSDLBHXH/getMaSoBhxhTheoTieuChi"
H = {"X-Road-Client": MOTCUA}
QUERY = {"hoTen": "Nguyễn Văn An", "ngaySinh": "19900515", "gioiTinh": 1, "maTinhKs": "79", "isKs": True}


async def _violations(resp: Any) -> list[dict[str, str]]:
    assert resp.status == 400, await resp.text()
    assert resp.headers["X-Road-Error"] == "Client.SchemaViolation"
    return list((await resp.json())["violations"])


@pytest.mark.parametrize(
    ("field", "value", "rule", "came"),
    [
        ("gioiTinh", "1", "int_type", 'the string "1"'),
        ("gioiTinh", True, "int_type", "the boolean true"),
        ("gioiTinh", 1.0, "int_type", "the number 1.0"),
        ("isKs", "true", "bool_type", 'the string "true"'),
        ("isKs", 1, "bool_type", "the number 1"),
        ("hoTen", 7, "string_type", "the number 7"),
    ],
)
async def test_a_wrong_json_type_is_a_violation_naming_both_types(
    hub: TestClient[Any, Any], field: str, value: object, rule: str, came: str
) -> None:
    (violation,) = await _violations(await hub.post(BHXH, json={**QUERY, field: value}, headers=H))
    assert (violation["pointer"], violation["rule"], violation["location"]) == (f"/{field}", rule, "body")
    assert violation["message"].startswith("expected a") and violation["message"].endswith(came)


@pytest.mark.parametrize("written", ["2.0", "2e0", "20E-1"])
async def test_a_number_with_a_fraction_or_an_exponent_is_not_an_integer(
    hub: TestClient[Any, Any], written: str
) -> None:
    """JSON Schema counts 2.0 as an integer; a strict provider does not, and the hub says so (the
    published schema says it too: see test_published_schemas)."""
    fee = '{"TenPhiLePhi": "Lệ phí", "Gia": 20000, "LoaiPhiLePhi": ' + written + "}"
    text = orjson.dumps({"isUpdating": False, "data": [dossier(DanhSachLePhi=[])]}).decode()
    body = text.replace('"DanhSachLePhi":[]', f'"DanhSachLePhi":[{fee}]').encode()
    resp = await hub.post(SYNC, data=body, headers={**H, "Content-Type": "application/json"})
    (violation,) = await _violations(resp)
    assert (violation["pointer"], violation["rule"]) == ("/data/0/DanhSachLePhi/0/LoaiPhiLePhi", "int_type")


async def test_a_boolean_field_takes_only_true_or_false(hub: TestClient[Any, Any]) -> None:
    resp = await hub.post(SYNC, json={"isUpdating": "false", "data": [dossier()]}, headers=H)
    (violation,) = await _violations(resp)
    assert (violation["pointer"], violation["rule"]) == ("/isUpdating", "bool_type")


async def test_the_right_types_still_pass(hub: TestClient[Any, Any]) -> None:
    assert (await hub.post(BHXH, json=QUERY, headers=H)).status == 200


async def test_a_provider_answer_of_the_wrong_type_is_a_response_violation(
    make_hub: MakeHub, aiohttp_server: Any
) -> None:
    async def provider(request: web.Request) -> web.Response:
        return web.json_response({"Status": "1", "MainInformation": None})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", provider)
    server = await aiohttp_server(app)
    hub = await make_hub(provider_topology(endpoint=str(server.make_url(""))))
    resp = await hub.get(f"{BUSINESS}?msdn=0312345673", headers=H)
    body = await resp.json()
    assert resp.headers["X-Road-Error"] == "Server.ServerProxy.ServiceFailed.SchemaViolation", body
    assert [(v["location"], v["pointer"], v["rule"]) for v in body["violations"]] == [
        ("response", "/Status", "int_type")
    ]


@pytest.mark.parametrize(
    ("path", "body", "problem"),
    [
        ("/api/v1/tiers/strict", {"rate": 1, "burst": "2"}, "burst: expected an integer"),
        ("/api/v1/tiers/strict", {"rate": 1, "burst": 2.0}, "burst: expected an integer"),
        ("/api/v1/tiers/strict", {"rate": "1", "burst": 2}, "rate: expected a number"),
    ],
)
async def test_the_admin_api_reads_its_bodies_strictly(
    hub: TestClient[Any, Any], path: str, body: dict[str, Any], problem: str
) -> None:
    resp = await hub.put(path, json=body, headers=ADMIN)
    assert resp.status == 400
    problems = (await resp.json())["problems"]
    assert any(p.startswith(problem) for p in problems), problems


async def test_an_admin_form_reads_its_body_strictly(hub: TestClient[Any, Any]) -> None:
    body = {"topic": "edoc:*", "url": "http://127.0.0.1:9/hook", "max_attempts": "3"}
    resp = await hub.post("/api/v1/subscriptions", json=body, headers=ADMIN)
    assert resp.status == 400
    assert any(p.startswith("max_attempts: expected an integer") for p in (await resp.json())["problems"])
