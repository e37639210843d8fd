"""Cross-field rules live in the model and the published schema: ``dangKyHoTich``'s ``module`` says what
``data`` holds (LTKS a birth, LTKT a death), as a discriminated union, so the hub refuses a mismatch
with a violation at ``/data`` and the civil-status agency never meets a body it cannot handle."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

import adapters
from ngsp_sim import sim
from ngsp_sim.contracts.openapi import service_openapi
from ngsp_sim.identifiers import ServiceId
from ngsp_sim.registry import load_registry
from ngsp_sim.sim import DEMO_CITIZEN
from tests.helpers import MOTCUA

CIVIL = "/r1/VN/GOV/000.00.00.G15/HOTICH/dangKyHoTich"
H = {"X-Road-Client": MOTCUA}
BIRTH = {
    "hoTen": "Nguyễn Minh Khang",
    "gioiTinh": "1",
    "ngaySinh": "20251110",
    "noiSinh": "Bệnh viện Từ Dũ",
    "soDinhDanhMe": DEMO_CITIZEN,
}
DEATH = {"soDinhDanh": DEMO_CITIZEN, "ngayChet": "20251101", "noiChet": "Hà Nội"}


def registration(module: str, data: dict[str, Any], serial: str = "0101") -> dict[str, Any]:
    return {
        "maDonVi": "000.00.00.H29",
        "module": module,
        "maHoSo": f"000.00.00.H29-251121-{serial}",
        "ngayTiepNhan": "20251121",
        "data": data,
    }


async def test_a_birth_module_with_death_data_is_a_violation_at_data(hub: TestClient[Any, Any]) -> None:
    resp = await hub.post(CIVIL, json=registration("LTKS", DEATH), headers=H)
    assert (resp.status, resp.headers["X-Road-Error"]) == (400, "Client.SchemaViolation")
    found = {(v["pointer"], v["rule"]) for v in (await resp.json())["violations"]}
    assert ("/data/hoTen", "missing") in found and ("/data/soDinhDanh", "extra_forbidden") in found


async def test_a_death_module_with_birth_data_is_a_violation_at_data(hub: TestClient[Any, Any]) -> None:
    resp = await hub.post(CIVIL, json=registration("LTKT", BIRTH), headers=H)
    assert resp.status == 400
    assert ("/data/soDinhDanh", "missing") in {(v["pointer"], v["rule"]) for v in (await resp.json())["violations"]}


@pytest.mark.parametrize(("module", "rule"), [("LTKX", "union_tag_invalid"), (None, "missing")])
async def test_an_unknown_or_missing_module_is_a_violation_at_module(
    hub: TestClient[Any, Any], module: str | None, rule: str
) -> None:
    body = registration(module or "", DEATH)
    if module is None:
        del body["module"]
    resp = await hub.post(CIVIL, json=body, headers=H)
    ((pointer, found),) = {(v["pointer"], v["rule"]) for v in (await resp.json())["violations"]}
    assert (pointer, found) == ("/module", rule)


async def test_both_registrations_still_pass(hub: TestClient[Any, Any]) -> None:
    birth = await hub.post(CIVIL, json=registration("LTKS", BIRTH), headers=H)
    assert (birth.status, (await birth.json())["status"]) == (200, 1)
    death = await hub.post(CIVIL, json=registration("LTKT", DEATH, "0102"), headers=H)
    assert (death.status, (await death.json())["status"]) == (200, 1)


def test_the_published_schema_pairs_the_module_with_its_data() -> None:
    registry = load_registry(None, adapters.BUILTIN, sim.BUILTIN)
    entry = registry.services[ServiceId.parse("VN/GOV/000.00.00.G15/HOTICH/dangKyHoTich")]
    doc = service_openapi(entry, adapters.BUILTIN[entry.adapter].operations[entry.operation])
    ref = doc["paths"]["/dangKyHoTich"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schemas = doc["components"]["schemas"]
    body = schemas[ref.rsplit("/", 1)[-1]]
    assert body["discriminator"]["propertyName"] == "module" and len(body["oneOf"]) == 2
    for tag, data in (("LTKS", "BirthData"), ("LTKT", "DeathData")):
        member = schemas[body["discriminator"]["mapping"][tag].rsplit("/", 1)[-1]]
        assert member["properties"]["module"]["const"] == tag
        assert member["properties"]["data"]["$ref"].endswith("/" + data)
