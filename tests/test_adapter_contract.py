"""The contract every adapter keeps, run against each built-in adapter and operation.

- a valid hub request goes through the adapter to the native agency and back, and the reply
  satisfies the operation's response model (round trip);
- every native request it yields is relative to the provider (no hosts, no I/O of its own);
- an answer its protocol does not allow is a ``NativeFormatError``, never another exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

import adapters
from adapters.base import Adapter, HubCall, NativeFormatError, NativeRequest, NativeResponse, drive
from adapters.edxml import read_document
from adapters.json_rest import JsonRestAdapter
from adapters.xml import parse_xml, xml_to_data
from ngsp_sim import sim
from ngsp_sim.clock import ManualClock
from ngsp_sim.sim import DEMO_BUSINESS, DEMO_CITIZEN, DEMO_DOSSIER, DEMO_JOURNAL, Country, SimulatedAgency
from tests.edxml_helpers import G01, H29, SEEDED, edoc, seeded_exchange, status_of
from tests.helpers import dossier, lookup_body, payment_init

DVCQG_LOGIN = {"username": "ngsp-hub", "password": "demo-dvcqg-password"}
LLTP = {
    "MA_DON_VI": "000.00.00.H29",
    "MA_HO_SO": "000.00.00.H29-251121-0400",
    "HO_TEN": "Nguyễn Văn An",
    "SO_DINH_DANH": DEMO_CITIZEN,
    "NGAY_SINH": "19900515",
    "LOAI_PHIEU": 1,
    "MUC_DICH": "Xin việc",
}
BIRTH = {
    "maDonVi": "000.00.00.H29",
    "module": "LTKS",
    "maHoSo": "000.00.00.H29-251121-0100",
    "ngayTiepNhan": "20251121",
    "data": {
        "hoTen": "Nguyễn Minh Khang",
        "gioiTinh": "1",
        "ngaySinh": "20251110",
        "noiSinh": "Bệnh viện Từ Dũ, TP. Hồ Chí Minh",
        "soDinhDanhCha": DEMO_CITIZEN,
        "soDinhDanhMe": DEMO_CITIZEN,
    },
}


@dataclass(frozen=True)
class Case:
    adapter: str
    operation: str
    simulator: str
    method: str
    payload: dict[str, Any] | None = None
    query: dict[str, str] | None = None
    options: dict[str, Any] = field(default_factory=dict)
    body: bytes | None = None
    """The raw body, for operations whose request is XML (edXML)."""


CASES = [
    Case("population", "TraCuuThongTinCongDan", "population", "POST", payload=lookup_body()),
    Case(
        "dvcqg",
        "DongBoHoSoMC",
        "dvcqg",
        "POST",
        {"isUpdating": False, "data": [dossier()]},
        options=DVCQG_LOGIN,
    ),
    Case("dvcqg", "TraCuuHoSo", "dvcqg", "POST", {"MaHoSo": DEMO_DOSSIER}, options=DVCQG_LOGIN),
    Case("business", "chiTietDoanhNghiep", "business", "GET", query={"msdn": DEMO_BUSINESS}),
    Case(
        "population",
        "XacThucThongTinCongDan",
        "population",
        "POST",
        payload={
            **lookup_body(MaTichHop="033"),
            "HoVaTen": "Nguyễn Văn An",
            "NgayThangNamSinh": {"NgayThangNam": "19900515"},
        },
    ),
    Case("civil_status", "dangKyHoTich", "civil_status", "POST", payload=BIRTH),
    Case("dvcqg", "LayDanhSachTTHC", "dvcqg", "POST", {"MaLinhVuc": "HOTICH"}, options=DVCQG_LOGIN),
    Case("dvcqg", "LayThuTuc", "dvcqg", "POST", {"MaTTHC": "1.004227"}, options=DVCQG_LOGIN),
    Case(
        "dvcqg",
        "CapNhatTienDoHoSoMC",
        "dvcqg",
        "POST",
        {
            "data": [
                {
                    "MaHoSo": DEMO_DOSSIER,
                    "NguoiXuLy": "Trần Văn Bình",
                    "ThoiDiemXuLy": "20251122100000",
                    "NoiDungXuLy": "Đã thẩm định",
                    "TrangThai": 9,
                }
            ]
        },
        options=DVCQG_LOGIN,
    ),
    Case("business", "tinhTrangHoSo", "business", "GET", query={"in_journal_no": DEMO_JOURNAL}),
    Case(
        "tax",
        "ThongBaoThue",
        "tax",
        "POST",
        {"MaDonVi": "000.00.00.H29", "MaHoSo": DEMO_DOSSIER, "MaSoThue": DEMO_BUSINESS, "SoTien": 1_500_000},
    ),
    Case("tax", "ChungTuThue", "tax", "POST", {"MaSoThue": DEMO_BUSINESS, "SoQuyetDinh": "000001/TB-CT"}),
    Case("criminal_records", "nhanHoSoDangKy", "criminal_records", "POST", LLTP),
    Case("criminal_records", "traTrangThaiHs", "criminal_records", "POST", {"ID": "LLTP-000001"}),
    Case("reference_lists", "danhMucDonViHanhChinh", "reference_lists", "GET", query={"capDonVi": "1"}),
    Case("reference_lists", "danhMucDanToc", "reference_lists", "GET", query={}),
    Case("payment", "KhoiTaoGiaoDich", "payment", "POST", payment_init()),
    Case(
        "one_stop",
        "TiepNhanHoSo",
        "one_stop",
        "POST",
        {
            "MaTTHC": "1.001612",
            "ChuHoSo": "Nguyễn Văn An",
            "SoGiayToChuHoSo": DEMO_CITIZEN,
            "NgaySinhChuHoSo": "19900515",
            "TrichYeuHoSo": "Đăng ký thường trú",
        },
    ),
    Case("one_stop", "TraCuuTrangThaiHoSo", "one_stop", "POST", {"MaHoSo": DEMO_DOSSIER}),
    Case("one_stop", "ChuyenBuocHoSo", "one_stop", "POST", {"MaHoSo": DEMO_DOSSIER}),
    Case("payment", "TraCuuGiaoDich", "payment", "POST", {"MaDoiTac": "MOTCUA-HCM", "MaThamChieu": "TT-0001"}),
    Case(
        "civil_status",
        "traTrangThaiHoSo",
        "civil_status",
        "POST",
        {"maDonVi": "000.00.00.H29", "maHoSo": "000.00.00.H29-251121-0001"},
    ),
    Case(
        "social_insurance",
        "getMaSoBhxhTheoTieuChi",
        "social_insurance",
        "POST",
        {"hoTen": "Nguyễn Văn An", "ngaySinh": "19900515", "gioiTinh": 1, "maTinhKs": "79", "isKs": True},
    ),
]
CASES += [
    Case("edxml", "sendEdoc", "vdxp", "POST", body=edoc(H29, [G01])),
    Case("edxml", "getReceivedEdocList", "vdxp", "GET", query={}),
    Case("edxml", "getEdoc", "vdxp", "GET", query={"docId": "DEMO"}),
    Case("edxml", "updateStatus", "vdxp", "POST", body=status_of(SEEDED, H29, "03")),
    Case("edxml", "getAgenciesList", "vdxp", "GET"),
]
IDS = [f"{c.adapter}:{c.operation}" for c in CASES]


def _call(adapter: Adapter, case: Case) -> HubCall:
    op = adapter.operations[case.operation]
    if op.request_xml is not None:
        assert op.request_model is not None and case.body is not None
        payload = op.request_model.model_validate(xml_to_data(parse_xml(case.body), op.request_model))
    else:
        payload = op.request_model.model_validate(case.payload) if op.request_model else None
    query = op.query_model.model_validate(case.query or {}) if op.query_model else None
    return HubCall(case.operation, case.method, "/", payload, query, "000.00.00.H29", "msg-1", body=case.body or b"")


async def _agency(case: Case) -> SimulatedAgency:
    clock = ManualClock()
    agency = sim.BUILTIN[case.simulator](Country.generate(3, 20, 5), clock)
    if case.simulator == "vdxp":  # the axis runs inside a hub: give it one, with one document seeded
        agency.exchange = await seeded_exchange(clock)
    return agency


def test_every_builtin_operation_has_a_contract_case():
    covered = {(c.adapter, c.operation) for c in CASES}
    assert covered == {(name, op) for name, cls in adapters.BUILTIN.items() for op in cls.operations}


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_round_trip_through_the_native_agency(case: Case):
    adapter = adapters.BUILTIN[case.adapter](case.options)
    agency = await _agency(case)
    sent: list[NativeRequest] = []

    async def send(request: NativeRequest) -> NativeResponse:
        sent.append(request)
        return await agency.handle(request)

    try:
        reply = await drive(adapter.exchange(_call(adapter, case)), send)
    finally:
        if agency.exchange is not None:
            await agency.exchange.store.runner.store.close()
    assert reply.status == 200, reply.data
    if reply.raw is not None:  # a document passed on as it is (getEdoc): it must read as the model
        assert read_document(reply.raw).header.Subject
    else:
        adapter.operations[case.operation].response_model.model_validate(reply.data)
    assert sent and all(r.path.startswith("/") and "://" not in r.path for r in sent)


@pytest.mark.parametrize("garbage", [b"", b"\x00\xff", b"<not-closed", b'{"json": "but wrong shape"}', b"[]"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_answers_outside_the_protocol_are_native_format_errors(case: Case, garbage: bytes):
    adapter = adapters.BUILTIN[case.adapter](case.options)

    async def send(request: NativeRequest) -> NativeResponse:
        return NativeResponse(200, {}, garbage)

    try:
        reply = await drive(adapter.exchange(_call(adapter, case)), send)
    except NativeFormatError:
        return
    # A JSON passthrough adapter may accept well-formed JSON; then schema validation, not the adapter,
    # judges it. Anything it accepts must at least be what the bytes said.
    passthrough = issubclass(adapters.BUILTIN[case.adapter], JsonRestAdapter) or case.adapter == "edxml"
    assert passthrough and garbage.startswith((b"{", b"[")) and case.operation != "getEdoc"
    assert reply.data is not None


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><x>&b;</x>',
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    ],
    ids=["entity-expansion", "external-entity"],
)
async def test_xml_with_entities_is_refused_not_expanded(body: bytes):
    case = CASES[0]
    adapter = adapters.BUILTIN[case.adapter](case.options)

    async def send(request: NativeRequest) -> NativeResponse:
        return NativeResponse(200, {}, body)

    with pytest.raises(NativeFormatError, match="refused for safety"):
        await drive(adapter.exchange(_call(adapter, case)), send)


def test_xml_request_encoding_round_trips_through_the_model():
    from adapters.soap import build_envelope, read_envelope
    from adapters.xml import xml_to_data
    from schemas.population import NAMESPACE, TraCuuThongTinCongDanRequest

    data = lookup_body(NgayThangNamSinh={"NgayThangNam": "19900515"})
    element = read_envelope(build_envelope("TraCuuThongTinCongDan", NAMESPACE, data))
    assert xml_to_data(element, TraCuuThongTinCongDanRequest) == data
