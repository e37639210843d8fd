"""Simulated agencies have one shape: made complete from an ``AgencyContext``, routes on the paths of
the wire contract in ``schemas/`` (the same the adapters send to), and JSON bodies read with the
request models, refused in each agency's own native way."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

import adapters
from adapters.base import NativeRequest
from adapters.json_rest import JsonRestAdapter
from ngsp_sim import sim
from ngsp_sim.clock import ManualClock
from ngsp_sim.sim import AgencyContext, Country
from ngsp_sim.sim.json_agency import JsonAgency
from ngsp_sim.sim.one_stop import OneStopAgency

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


def test_every_json_agency_has_its_refusals_pinned() -> None:
    """A new JSON agency must say here what it answers an unreadable body."""
    json_kinds = {kind for kind, cls in sim.BUILTIN.items() if issubclass(cls, JsonAgency)}
    assert json_kinds == set(UNREADABLE)


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
