"""Simulated agencies have one shape: made complete from an ``AgencyContext``, routes on the paths of
the wire contract in ``schemas/`` (the same the adapters send to), and JSON bodies read with the
request models, refused in each agency's own native way."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

import adapters
from adapters.base import HubReply, NativeRequest
from adapters.json_rest import JsonRestAdapter
from adapters.population import PopulationAdapter
from adapters.soap import SOAP_ENV, build_envelope, read_envelope
from ngsp_sim import sim
from ngsp_sim.clock import ManualClock
from ngsp_sim.contracts.examples import lookup_example
from ngsp_sim.sim import AgencyContext, Country
from ngsp_sim.sim.json_agency import JsonAgency
from ngsp_sim.sim.one_stop import OneStopAgency
from ngsp_sim.sim.vdxp import DEMO_EDOC

COUNTRY = Country.generate(3, 20, 5)

# agency kind -> (route, what it answered before issue 17 to a body that is not JSON)
UNREADABLE: dict[str, list[tuple[str, bytes]]] = {
    "civil_status": [
        ("/hotich/api/dangKyHoTich", '{"status":0,"errorCode":100,"message":"Dữ liệu không hợp lệ"}'.encode()),
        ("/hotich/api/traTrangThaiHoSo", '{"status":0,"errorCode":100,"message":"Dữ liệu không hợp lệ"}'.encode()),
    ],
    "criminal_records": [
        ("/lltp/api/nhanHoSoDangKy", '{"STATUS":0,"MESSAGE":"Dữ liệu không hợp lệ"}'.encode()),
        ("/lltp/api/traTrangThaiHs", '{"STATUS":0,"MESSAGE":"Dữ liệu không hợp lệ"}'.encode()),
    ],
    "one_stop": [
        (f"/motcua/api/{op}", '{"KetQua":0,"MoTa":"Dữ liệu không hợp lệ"}'.encode())
        for op in ("TiepNhanHoSo", "TraCuuTrangThaiHoSo", "ChuyenBuocHoSo")
    ],
    "payment": [
        (
            "/thanhtoan/api/init",
            '{"error_code":"99","message":{"UrlThanhToan":null,"MaLoi":"99","MoTaLoi":"Bản tin không hợp lệ"}}'.encode(),
        ),
        ("/thanhtoan/api/query", b'{"error_code":"99"}'),
    ],
    "social_insurance": [
        ("/bhxh/api/getMaSoBhxhTheoTieuChi", '{"status":0,"message":"Dữ liệu không hợp lệ"}'.encode()),
    ],
    "tax": [
        ("/thue/api/ThongBaoThue", '{"MaLoi":"02","MoTaLoi":"Dữ liệu không hợp lệ"}'.encode()),
        ("/thue/api/ChungTuThue", '{"MaLoi":"02","MoTaLoi":"Dữ liệu không hợp lệ"}'.encode()),
    ],
}
CASES = [(kind, path, answer) for kind, routes in UNREADABLE.items() for path, answer in routes]
# agency kind -> routes taking query parameters, and the agency's answer to parameters outside the model
REFUSED_QUERY: dict[str, tuple[list[str], bytes]] = {
    "business": (
        ["/apiCSDLDKDN/1.0/chiTietDoanhNghiep", "/apiCSDLDKDN/1.0/tinhTrangHoSo"],
        '{"Status":0,"Message":"Tham số không hợp lệ"}'.encode(),
    ),
    "reference_lists": (
        ["/dmdc/1.0/danhMucDonViHanhChinh", "/dmdc/1.0/danhMucDanToc"],
        '{"Status":0,"Message":"Tham số không hợp lệ"}'.encode(),
    ),
}
QUERY_CASES = [(kind, path, answer) for kind, (paths, answer) in REFUSED_QUERY.items() for path in paths]


@pytest.mark.parametrize(("kind", "path", "answer"), CASES, ids=[f"{k}:{p}" for k, p, _ in CASES])
@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"TruongKhongTonTai": 1}'], ids=["text", "list", "unknown"])
async def test_a_body_it_cannot_read_gets_the_agency_s_own_refusal_byte_for_byte(
    kind: str, path: str, answer: bytes, body: bytes
) -> None:
    """Not JSON, not an object, or outside the request model: the answer each agency gave an unreadable
    body before its routes read with the models, unchanged to the byte."""
    agency = sim.BUILTIN[kind](AgencyContext(COUNTRY, ManualClock()))
    assert isinstance(agency, JsonAgency)
    reply = await agency.handle(NativeRequest("POST", path, body=body))
    assert (reply.status, reply.body) == (200, answer)


@pytest.mark.parametrize(("kind", "path", "answer"), QUERY_CASES, ids=[f"{k}:{p}" for k, p, _ in QUERY_CASES])
@pytest.mark.parametrize(
    "query",
    [
        (("msdn", "12"), ("in_journal_no", "x"), ("phienBan", "2025")),
        (("capDonVi", "2"),),
        (("TruongKhongTonTai", "1"),),
    ],
    ids=["malformed", "out-of-range", "unknown"],
)
async def test_query_parameters_outside_the_model_get_the_agency_s_own_refusal(
    kind: str, path: str, answer: bytes, query: tuple[tuple[str, str], ...]
) -> None:
    """A query service checks its parameters with the model the hub checks, and refuses natively."""
    agency = sim.BUILTIN[kind](AgencyContext(COUNTRY, ManualClock()))
    reply = await agency.handle(NativeRequest("GET", path, query=query))
    assert (reply.status, reply.body) == (200, answer)


async def test_a_repeated_query_parameter_is_refused_as_the_hub_refuses_it() -> None:
    agency = sim.BUILTIN["reference_lists"](AgencyContext(COUNTRY, ManualClock()))
    once = await agency.handle(NativeRequest("GET", "/dmdc/1.0/danhMucDanToc", query=(("phienBan", "2025-01"),)))
    twice = (("phienBan", "2025-01"), ("phienBan", "2025-01"))
    refused = await agency.handle(NativeRequest("GET", "/dmdc/1.0/danhMucDanToc", query=twice))
    assert orjson.loads(once.body)["Status"] == 1 and orjson.loads(refused.body)["Status"] == 0


@pytest.mark.parametrize(
    "change",
    [{"MaCanBo": ""}, {"MaDonVi": "H29"}, {"SoDinhDanh": "123"}, {"MaYeuCau": None}, {"TruongKhongTonTai": "x"}],
    ids=["empty", "pattern", "citizen-number", "missing", "unknown"],
)
async def test_the_population_database_refuses_a_lookup_outside_its_model_with_a_client_fault(
    change: dict[str, Any],
) -> None:
    """Read from the SOAP Body with the request model the hub checks: a SOAP 1.1 Fault ``soapenv:Client``
    (HTTP 500, as SOAP 1.1 answers faults), which the SOAP adapter counts as a refusal, not a crash."""
    agency = sim.BUILTIN["population"](AgencyContext(COUNTRY, ManualClock()))
    citizen = next(iter(COUNTRY.citizens))
    body = {**lookup_example(SoDinhDanh=citizen), **change}
    envelope = build_envelope(
        "TraCuuThongTinCongDan", "http://dancuquocgia.bca", {k: v for k, v in body.items() if v is not None}
    )
    reply = await agency.handle(NativeRequest("POST", "/dancuquocgia/ws", body=envelope))
    fault = read_envelope(reply.body)
    assert reply.status == 500 and fault.tag == f"{{{SOAP_ENV}}}Fault"
    assert fault.findtext("faultcode") == "soapenv:Client"
    assert PopulationAdapter().refuses("TraCuuThongTinCongDan", HubReply(500, {"faultcode": "soapenv:Client"}))
    assert not PopulationAdapter().refuses("TraCuuThongTinCongDan", HubReply(500, {"faultcode": "soapenv:Server"}))
    valid = build_envelope("TraCuuThongTinCongDan", "http://dancuquocgia.bca", lookup_example(SoDinhDanh=citizen))
    found = await agency.handle(NativeRequest("POST", "/dancuquocgia/ws", body=valid))
    assert found.status == 200 and b"CongDan" in found.body


async def test_dvcqg_checks_each_service_s_fields_and_answers_error_code_4() -> None:
    agency = sim.BUILTIN["dvcqg"](AgencyContext(COUNTRY, ManualClock()))
    login = {"username": "ngsp-hub", "password": "demo-dvcqg-password"}
    session = orjson.loads((await agency.handle(NativeRequest("POST", "/mapi/login", body=orjson.dumps(login)))).body)
    envelope = {"session": session["session"], "madonvi": "000.00.00.H29", "service": "LayThuTuc"}
    for fields, code in (({"MaTTHC": "1.004227"}, 0), ({"MaTTHC": 12}, 4), ({"MaTTHC": "1.004227", "x": 1}, 4)):
        reply = await agency.handle(NativeRequest("POST", "/mapi/g", body=orjson.dumps({**envelope, **fields})))
        assert orjson.loads(reply.body)["error_code"] == code, (fields, reply.body)
    bad_unit = {**envelope, "madonvi": 7, "MaTTHC": "1.004227"}
    reply = await agency.handle(NativeRequest("POST", "/mapi/g", body=orjson.dumps(bad_unit)))
    assert orjson.loads(reply.body)["error_code"] == 4


async def test_the_exchange_axis_on_its_own_holds_the_demo_document_and_checks_its_parameters(
    aiohttp_client: Any,
) -> None:
    """``agency run vdxp`` once answered 503 to everything; now it keeps mailboxes of its own. A
    ``limit`` of 0 crashed the mailbox (IndexError, 500): now VDXP's own 400 ``FAIL`` names it."""
    client = await aiohttp_client(sim.BUILTIN["vdxp"](AgencyContext(COUNTRY, ManualClock())).aiohttp_app())
    h29 = {"X-VDXP-Caller": "000.00.00.H29"}
    demo = await client.get("/vdxp/getEdoc", params={"docId": "DEMO"}, headers=h29)
    assert demo.status == 200 and await demo.read() == DEMO_EDOC
    listing = await client.get("/vdxp/getReceivedEdocList", params={"limit": "0"}, headers=h29)
    answer = await listing.json()
    assert listing.status == 400 and answer["status"] == "FAIL"
    assert answer["ErrorDesc"].startswith("invalid request: limit: Input should be greater than or equal to 1")
    agencies = await (await client.get("/vdxp/getAgenciesList", headers=h29)).json()
    assert {"OrganId": "000.00.00.G01", "OrganName": "Bộ Công an"} in agencies["data"]


def test_every_json_agency_has_its_refusals_pinned() -> None:
    """A new JSON agency must say here what it answers an unreadable body (or unreadable parameters)."""
    json_kinds = {kind for kind, cls in sim.BUILTIN.items() if issubclass(cls, JsonAgency)}
    assert json_kinds == set(UNREADABLE) | set(REFUSED_QUERY)


@pytest.mark.parametrize("name", sorted(adapters.BUILTIN))
def test_the_agency_serves_every_path_its_adapter_sends_to(name: str) -> None:
    """Both sides import the native paths from ``schemas/``: every path an adapter names is a route of
    the simulated provider of the same name (VDXP is the edXML adapter's provider)."""
    adapter = adapters.BUILTIN[name]
    kind = {"edxml": "vdxp"}.get(name, name)
    served = {path for _, path in sim.BUILTIN[kind](AgencyContext(COUNTRY, ManualClock())).native_paths()}
    if issubclass(adapter, JsonRestAdapter):
        sent = set(adapter.native_paths.values())
    else:
        sent = {str(getattr(adapter, "path", ""))} - {""}
    assert sent <= served, f"{name} sends to {sorted(sent - served)}, which its agency does not serve"


async def test_an_agency_is_complete_from_its_context() -> None:
    """What the hub gives (its caller, the publisher, the subsystem and its options) is there from the
    constructor on: the one-stop system receives a dossier, calls the hub as itself and publishes."""
    calls: list[tuple[str, str]] = []
    events: list[tuple[str, str, dict[str, Any]]] = []

    async def hub(client: str, service: str, body: dict[str, Any] | bytes) -> tuple[int, object]:
        calls.append((client, service))
        return 200, {"TonTai": True, "error_code": 0}

    async def publish(topic: str, event: str, data: dict[str, Any]) -> None:
        events.append((topic, event, data))

    base = AgencyContext(COUNTRY, ManualClock(1_763_700_000), hub=hub, publish=publish)
    agency = OneStopAgency(base.serving("VN/GOV/000.00.00.H29/MOTCUA", {"step_hours": 1}))
    assert agency.step_seconds == 3600 and agency.identity == "VN/GOV/000.00.00.H29/MOTCUA"
    citizen = next(iter(COUNTRY.citizens.values()))
    form = {
        "MaTTHC": "1.001612",
        "ChuHoSo": "Nguyễn Văn An",
        "SoGiayToChuHoSo": citizen["SoDinhDanh"],
        "NgaySinhChuHoSo": citizen["NgayThangNamSinh"]["NgayThangNam"],
        "TrichYeuHoSo": "Đăng ký",
    }
    reply = orjson.loads(
        (await agency.handle(NativeRequest("POST", "/motcua/api/TiepNhanHoSo", body=orjson.dumps(form)))).body
    )
    assert reply["KetQua"] == 1, reply
    assert [c for c, _ in calls] == ["VN/GOV/000.00.00.H29/MOTCUA"] * 2
    assert events == [("dossier-status:H29", "dossier.status", events[0][2])]


def test_the_0_1_constructor_still_makes_an_agency_without_a_hub() -> None:
    """Plugins and their tests call ``Agency(country, clock, options, identity)``: a context without a
    hub; a context and those arguments together are refused."""
    clock = ManualClock()
    legacy: Any = sim.BUILTIN["dvcqg"]  # the old form is not in the typed signature, on purpose
    agency = legacy(COUNTRY, clock, {"session_ttl": 600}, "VN/GOV/000.00.00.G22/DVCQG")
    assert (agency.clock, agency.options, agency.identity, agency.hub) == (
        clock,
        {"session_ttl": 600},
        "VN/GOV/000.00.00.G22/DVCQG",
        None,
    )
    with pytest.raises(TypeError, match="context already holds"):
        legacy(AgencyContext(COUNTRY, clock), clock)
    with pytest.raises(TypeError, match="give a clock"):
        legacy(COUNTRY)
