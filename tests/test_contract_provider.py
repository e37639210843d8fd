"""A provider from an integrator's OpenAPI document (issue 21 item 1): routed, validated against the
contract, answered from its examples or generated from its schemas (seeded), optionally stateful; in a
topology (``contract:``) and at run time (``PUT /api/v1/services/{id}``); ``getOpenAPI`` serves the
document. Everything over the hub's real loopback socket."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp.test_utils import TestClient

from ngsp_sim.errors import TopologyError
from ngsp_sim.hub.runtime import HUB
from ngsp_sim.plugins import installed
from ngsp_sim.registry.loader import load_registry
from ngsp_sim.validation.contract import MAX_CONTRACT_BYTES, ContractError, read_contract
from tests.helpers import ADMIN, DEMO_KEY, DEMO_SECRET, MOTCUA, MakeHub, token_for

EXAMPLE = Path(__file__).parent.parent / "examples" / "contract"
DOCUMENT: dict[str, Any] = yaml.safe_load((EXAMPLE / "hoso-openapi.yaml").read_text(encoding="utf-8"))
LGSP = "VN/GOV/000.00.00.H29/LGSPDATDAI"
CREATE, READ, LIST = f"/r1/{LGSP}/taoHoSo", f"/r1/{LGSP}/layHoSo", f"/r1/{LGSP}/layLinhVuc"
CLIENT = {"X-Road-Client": MOTCUA}
NEW = {"maHoSo": "000.00.00.H29-251121-0007", "hoTen": "Nguyễn Văn An", "soDinhDanh": "079203001234"}


def _topology(stateful: bool = False, services: tuple[str, ...] = ("taoHoSo", "layHoSo", "layLinhVuc")) -> str:
    declared = [
        {
            "code": code,
            "contract": DOCUMENT,
            "stateful": stateful,
            "gateway": {"context": "hosoDatDai", "version": "1.0"},
        }
        for code in services
    ]
    topology = {
        "agencies": [
            {
                "code": "000.00.00.H29",
                "name": {"vi": "UBND TP. Hồ Chí Minh", "en": "HCMC People's Committee"},
                "subsystems": [
                    {"code": "LGSPDATDAI", "name": {"vi": "LGSP đất đai", "en": "Land LGSP"}, "services": declared},
                    {
                        "code": "MOTCUA",
                        "name": {"vi": "Một cửa", "en": "One-stop"},
                        "consumer_key": DEMO_KEY,
                        "consumer_secret": DEMO_SECRET,
                    },
                ],
            }
        ],
        "access": [{"client": MOTCUA, "service": f"{LGSP}/{code}"} for code in services],
    }
    return yaml.safe_dump(topology, allow_unicode=True, sort_keys=False)


def _pointers(body: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(v["location"], v["pointer"], v["rule"]) for v in body["violations"]}


async def test_a_valid_request_is_answered_and_an_invalid_one_refused_with_every_violation(make_hub: MakeHub) -> None:
    hub = await make_hub(_topology())
    resp = await hub.post(CREATE, json=NEW, headers=CLIENT)
    assert resp.status == 201, await resp.text()
    created = await resp.json()
    assert isinstance(created["maHoSo"], str) and 1 <= created["trangThai"] <= 10  # generated from HoSo
    bad = {"hoTen": "", "soDinhDanh": "79203001234", "trangthai": 1}
    refused = await hub.post(CREATE, json=bad, headers=CLIENT)
    assert refused.status == 400
    assert refused.headers["X-Road-Error"] == "Client.SchemaViolation"  # as for a built-in service
    assert _pointers(await refused.json()) == {
        ("body", "/maHoSo", "missing"),
        ("body", "/hoTen", "minLength"),
        ("body", "/soDinhDanh", "pattern"),
        ("body", "/trangthai", "extra_forbidden"),
    }


async def test_the_gateway_style_answers_and_refuses_the_same(make_hub: MakeHub) -> None:
    hub = await make_hub(_topology())
    bearer = {"Authorization": f"Bearer {await token_for(hub)}"}
    resp = await hub.post("/hosoDatDai/1.0/taoHoSo", json=NEW, headers=bearer)
    assert resp.status == 201
    assert await resp.json() == await (await hub.post(CREATE, json=NEW, headers=CLIENT)).json()
    refused = await hub.post("/hosoDatDai/1.0/taoHoSo", json={**NEW, "soDinhDanh": 79203001234}, headers=bearer)
    assert refused.status == 400
    fault = (await refused.json())["fault"]
    assert fault["code"] == 400
    assert [(v["pointer"], v["message"]) for v in fault["violations"]] == [
        ("/soDinhDanh", "expected a string, got the number 79203001234")
    ]


async def test_path_and_query_parameters_are_checked_against_the_contract(make_hub: MakeHub) -> None:
    hub = await make_hub(_topology())
    wrong = await hub.get(f"{READ}/hoso/H29-1", headers=CLIENT)
    assert wrong.status == 400
    assert _pointers(await wrong.json()) == {("path", "/maHoSo", "pattern")}
    elsewhere = await hub.get(f"{READ}/dossiers/000.00.00.H29-251121-0007", headers=CLIENT)
    assert _pointers(await elsewhere.json()) == {("path", "", "path")}
    assert (await hub.get(f"{LIST}?trang=0", headers=CLIENT)).status == 400
    strict = await hub.get(f"{LIST}?trang=x", headers=CLIENT)
    assert [v["message"] for v in (await strict.json())["violations"]] == [
        'expected an integer (digits only, no fraction or exponent: 10, not 10.0, 1e1 or "10"), got the string "x"'
    ]


async def test_the_documents_example_is_answered_else_a_seeded_generated_answer(make_hub: MakeHub) -> None:
    hub = await make_hub(_topology())
    example = await hub.get(f"{READ}/hoso/000.00.00.H29-251121-0007", headers=CLIENT)
    assert example.status == 200
    assert (
        await example.json()
        == DOCUMENT["paths"]["/hoso/{maHoSo}"]["get"]["responses"]["200"]["content"]["application/json"]["example"]
    )
    first = await (await hub.get(f"{LIST}?trang=2", headers=CLIENT)).json()
    again = await (await hub.get(f"{LIST}?trang=2", headers=CLIENT)).json()
    other = await (await hub.get(f"{LIST}?trang=3", headers=CLIENT)).json()
    assert first == again != other  # the same request, the same answer; another request, another
    assert all(len(item["ma"]) == 3 and item["ma"].isdigit() for item in first)  # the pattern kept


async def test_a_stateful_post_is_returned_by_a_later_get_by_id(make_hub: MakeHub) -> None:
    hub = await make_hub(_topology(stateful=True))
    missing = await hub.get(f"{READ}/hoso/{NEW['maHoSo']}", headers=CLIENT)
    assert missing.status == 404
    assert await missing.json() == {"maLoi": 404, "moTa": "Không tìm thấy hồ sơ"}  # the contract's 404 example
    created = await (await hub.post(CREATE, json=NEW, headers=CLIENT)).json()
    assert {k: created[k] for k in NEW} == NEW
    read = await hub.get(f"{READ}/hoso/{NEW['maHoSo']}", headers=CLIENT)
    assert read.status == 200
    assert await read.json() == created


async def _register(hub: TestClient[Any, Any], document: Any, operation: str = "layLinhVuc") -> Any:
    body = {"contract": document, "operation": operation}
    return await hub.put(f"/api/v1/services/{LGSP}/danhMuc", json=body, headers=ADMIN)


async def test_a_contract_registered_at_run_time_is_routed_and_published(make_hub: MakeHub) -> None:
    hub = await make_hub(_topology(services=("taoHoSo",)))
    resp = await _register(hub, DOCUMENT)
    assert resp.status == 200, await resp.text()
    grant = {"client": MOTCUA, "service": f"{LGSP}/danhMuc"}
    assert (await hub.put("/api/v1/access", json=grant, headers=ADMIN)).status == 200
    answered = await hub.get(f"/r1/{LGSP}/danhMuc?trang=1", headers=CLIENT)
    assert answered.status == 200
    assert isinstance(await answered.json(), list)
    published = await hub.get(f"/r1/{LGSP}/getOpenAPI?serviceCode=danhMuc", headers=CLIENT)
    assert published.status == 200
    assert await published.json() == DOCUMENT


async def test_an_external_ref_is_refused_at_run_time_and_in_a_topology(make_hub: MakeHub, tmp_path: Path) -> None:
    document = copy.deepcopy(DOCUMENT)
    document["components"]["schemas"]["HoSo"] = {"$ref": "https://lgsp.example.vn/schemas/hoso.json"}
    hub = await make_hub(_topology(services=("taoHoSo",)))
    refused = await _register(hub, document, "layHoSo")
    assert refused.status == 400
    problems = (await refused.json())["problems"]
    assert len(problems) == 1
    assert problems[0].startswith(
        "contract: /components/schemas/HoSo/$ref: 'https://lgsp.example.vn/schemas/hoso.json' points outside the document"
    )
    (tmp_path / "hoso.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    topology = yaml.safe_load((EXAMPLE / "topology.yaml").read_text(encoding="utf-8"))
    for service in topology["agencies"][0]["subsystems"][0]["services"]:
        service["contract"] = "hoso.yaml"
    (tmp_path / "topology.yaml").write_text(yaml.safe_dump(topology), encoding="utf-8")
    plugins = installed()
    with pytest.raises(TopologyError, match="points outside the document"):
        load_registry(tmp_path / "topology.yaml", plugins.adapters, plugins.simulators)


def test_the_example_topology_reads_its_contract_relative_to_the_file() -> None:
    plugins = installed()
    registry = load_registry(EXAMPLE / "topology.yaml", plugins.adapters, plugins.simulators)
    found = {str(s.id.service_code): (s.contract.path if s.contract else None) for s in registry.services.values()}
    assert found == {"taoHoSo": "/hoso", "layHoSo": "/hoso/{maHoSo}", "layLinhVuc": "/danhmuc/linhvuc"}


async def test_access_rights_faults_and_the_message_log_apply_unchanged(make_hub: MakeHub) -> None:
    hub = await make_hub(_topology(services=("layHoSo",)))
    stranger = await hub.get(f"{READ}/hoso/{NEW['maHoSo']}", headers={"X-Road-Client": f"{LGSP}"})
    assert stranger.status == 500  # X-Road's Server.* status, as for every service
    assert stranger.headers["X-Road-Error"] == "Server.ServerProxy.AccessDenied"
    fault = {"target": f"{LGSP}/layHoSo", "kind": "error", "status": 503, "body": '{"maLoi": 503}'}
    assert (await hub.put("/api/v1/faults/baotri", json=fault, headers=ADMIN)).status == 200
    faulted = await hub.get(f"{READ}/hoso/{NEW['maHoSo']}", headers=CLIENT)
    assert faulted.status == 503
    assert await faulted.json() == {"maLoi": 503}  # the provider's own error, passed on
    assert (await hub.delete("/api/v1/faults/baotri", headers=ADMIN)).status == 200
    await hub.get(f"{READ}/hoso/H29-1", headers=CLIENT)
    await hub.app[HUB].message_log.flush()
    items = (await (await hub.get("/api/v1/messages?limit=1", headers=ADMIN)).json())["items"]
    assert items[0]["record"]["faultCode"] == "Client.SchemaViolation"
    assert [(v["location"], v["pointer"]) for v in items[0]["violations"]] == [("path", "/maHoSo")]


async def test_an_example_that_breaks_the_response_schema_is_the_providers_failure(make_hub: MakeHub) -> None:
    document = copy.deepcopy(DOCUMENT)
    media = document["paths"]["/hoso/{maHoSo}"]["get"]["responses"]["200"]["content"]["application/json"]
    media["example"] = {**media["example"], "trangThai": 11}
    hub = await make_hub(_topology(services=("taoHoSo",)))
    assert (await _register(hub, document, "layHoSo")).status == 200
    assert (await hub.put("/api/v1/access", json={"client": MOTCUA, "service": f"{LGSP}/danhMuc"}, headers=ADMIN)).ok
    resp = await hub.get(f"/r1/{LGSP}/danhMuc/hoso/{NEW['maHoSo']}", headers=CLIENT)
    assert resp.status == 500
    assert resp.headers["X-Road-Error"] == "Server.ServerProxy.ServiceFailed.SchemaViolation"
    assert _pointers(await resp.json()) == {("response", "/trangThai", "maximum")}


OPENAPI_31 = {
    "openapi": "3.1.0",
    "info": {"title": "Thuế", "version": "2.0"},
    "paths": {
        "/nghiavu": {
            "post": {
                "operationId": "ghiNghiaVu",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["SoTien", "GhiChu"],
                                "properties": {"SoTien": {"type": "integer"}, "GhiChu": {"type": ["string", "null"]}},
                            }
                        }
                    },
                },
                "responses": {"204": {"description": "Đã ghi"}},
            }
        }
    },
}


async def test_an_openapi_3_1_document_with_a_strict_integer_and_a_null_type(make_hub: MakeHub) -> None:
    hub = await make_hub(_topology(services=("taoHoSo",)))
    assert (await _register(hub, OPENAPI_31, "ghiNghiaVu")).status == 200
    assert (await hub.put("/api/v1/access", json={"client": MOTCUA, "service": f"{LGSP}/danhMuc"}, headers=ADMIN)).ok
    ok = await hub.post(f"/r1/{LGSP}/danhMuc", json={"SoTien": 1000, "GhiChu": None}, headers=CLIENT)
    assert ok.status == 204
    refused = await hub.post(f"/r1/{LGSP}/danhMuc", json={"SoTien": 1000.0, "GhiChu": 1}, headers=CLIENT)
    assert refused.status == 400
    assert {(v["pointer"], v["message"]) for v in (await refused.json())["violations"]} == {
        (
            "/SoTien",
            'expected an integer (digits only, no fraction or exponent: 10, not 10.0, 1e1 or "10"), got the number 1000.0',
        ),
        ("/GhiChu", "expected a string or null, got the number 1"),
    }


async def test_the_try_it_panel_offers_a_valid_generated_request_for_each_contract_service(make_hub: MakeHub) -> None:
    hub = await make_hub(_topology())
    items = (await (await hub.get("/api/v1/examples", headers=ADMIN)).json())["items"]
    assert {x["service"] for x in items} == {f"{LGSP}/taoHoSo", f"{LGSP}/layHoSo", f"{LGSP}/layLinhVuc"}
    bearer = {"Authorization": f"Bearer {await token_for(hub)}"}
    for x in items:  # sent as the panel sends it, in both wire styles
        via_r1 = await hub.request(
            x["method"], x["xroad_path"], json=x["payload"], params=x["query"], headers={"X-Road-Client": x["client"]}
        )
        assert via_r1.status in (200, 201), await via_r1.text()
        via_gateway = await hub.request(
            x["method"], x["gateway_path"], json=x["payload"], params=x["query"], headers=bearer
        )
        assert via_gateway.status == via_r1.status, await via_gateway.text()


@pytest.mark.parametrize(
    ("document", "operation", "problem"),
    [
        (
            DOCUMENT,
            "layHoso",
            "the contract has no operation 'layHoso'; its operationIds: layHoSo, layLinhVuc, taoHoSo",
        ),
        ({**DOCUMENT, "openapi": "2.0"}, "layHoSo", "openapi: expected an OpenAPI 3.0 or 3.1 document, got '2.0'"),
        (
            {**DOCUMENT, "components": {}},
            "layHoSo",
            "/paths/~1hoso/post/requestBody/content/application~1json/schema/$ref: '#/components/schemas/HoSoMoi' "
            "points at nothing in the document",
        ),
        ({**DOCUMENT, "x-big": "x" * 2000}, "layHoSo", "bytes as JSON; the limit is 2000"),
    ],
    ids=["unknown-operation", "swagger-2", "dangling-ref", "too-large"],
)
def test_a_contract_that_cannot_be_used_says_why(document: Any, operation: str, problem: str) -> None:
    with pytest.raises(ContractError) as raised:
        read_contract(document, operation, max_bytes=2000 if "x-big" in document else MAX_CONTRACT_BYTES)
    assert any(problem in p for p in raised.value.problems), raised.value.problems


async def test_the_contract_file_is_kept_in_the_store_with_the_topology(make_hub: MakeHub, tmp_path: Path) -> None:
    """Every replica reads the document from the store: the file is not needed after the hub started."""
    contract = tmp_path / "hoso-openapi.yaml"
    contract.write_text((EXAMPLE / "hoso-openapi.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    topology = yaml.safe_load(_topology(services=("layLinhVuc",)))
    topology["agencies"][0]["subsystems"][0]["services"][0]["contract"] = str(contract)  # absolute: any source
    hub = await make_hub(yaml.safe_dump(topology, allow_unicode=True))
    contract.unlink()
    grant = {"client": f"{LGSP}", "service": f"{LGSP}/layLinhVuc"}
    assert (await hub.put("/api/v1/access", json=grant, headers=ADMIN)).status == 200  # the registry is rebuilt
    assert (await hub.get(f"{LIST}?trang=1", headers={"X-Road-Client": LGSP})).status == 200
