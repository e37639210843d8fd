"""One valid example request per built-in operation, over the demo country's stable records.

These are what an integrator sees first: the Postman collection sends them, the conformance runner
starts from them, the adapter contract tests run them. Each is valid against its operation's models
(a test checks it) and each names a demo client allowed to send it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adapters.edxml import build_status
from adapters.payment import sign_init
from ngsp_sim.sim.country import (
    DEMO_BUSINESS,
    DEMO_CITIZEN,
    DEMO_CIVIL_DOSSIER,
    DEMO_DOSSIER,
    DEMO_DOSSIER_RECORD,
    DEMO_JOURNAL,
)
from ngsp_sim.sim.vdxp import DEMO_EDOC, DEMO_EDOC_ID

__all__ = ["EXAMPLES", "Example", "dossier_example", "lookup_example", "payment_init_example"]

MOTCUA_HCM = "VN/GOV/000.00.00.H29/MOTCUA"
QLVB_HCM = "VN/GOV/000.00.00.H29/QLVB"
QLVB_BCA = "VN/GOV/000.00.00.G01/QLVB"
DVCQG = "VN/GOV/000.00.00.G22/DVCQG"
G01_ORGAN = {"OrganId": "000.00.00.G01", "OrganName": "Bộ Công an"}


@dataclass(frozen=True, slots=True)
class Example:
    """A request as a client sends it through the hub: ``payload`` (JSON), ``query`` or ``xml``."""

    method: str
    payload: dict[str, Any] | None = None
    query: dict[str, str] = field(default_factory=dict)
    xml: bytes | None = None
    client: str = MOTCUA_HCM
    """A demo client subsystem the demo topology allows to send it."""
    success: tuple[str, Any] | None = None
    """The native success flag of the answer on the demo records, where the adapter's ``success_flag``
    does not say it: a dotted path into the JSON reply (``.0.`` for a list's first item) and its value."""


def lookup_example(**changes: Any) -> dict[str, Any]:
    """A valid 037 citizen lookup of the demo citizen; keyword arguments replace (None removes) fields."""
    body: dict[str, Any] = {
        "MaYeuCau": "YC-0001",
        "MaDVC": "1.001612",
        "MaTichHop": "037",
        "MaCanBo": "canbo01",
        "MaDonVi": "000.00.00.H29",
        "SoDinhDanh": DEMO_CITIZEN,
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def dossier_example(**changes: Any) -> dict[str, Any]:
    """A valid new dossier as a one-stop system syncs it to DVCQG (the demo dossier's procedure and
    applicant, just received)."""
    record = {
        **DEMO_DOSSIER_RECORD,
        "MaHoSo": "000.00.00.H29-251121-0042",
        "TrichYeuHoSo": "Đăng ký thường trú",
        "NgayTiepNhan": "20251121090000",
        "TrangThaiHoSo": 2,
    }
    record.update(changes)
    return record


DEMO_PAYMENT_SECRET = "demo-payment-secret"  # noqa: S105  DEMO-ONLY, documented in the README


def payment_init_example(
    reference: str = "TT-0001", secret: str = DEMO_PAYMENT_SECRET, **changes: Any
) -> dict[str, Any]:
    """A signed INIT of the demo payment partner, its ``MaXacThuc`` computed as integrators must."""
    message: dict[str, Any] = {
        "LoaiBanTin": "INIT",
        "PhienBan": "1.0.0",
        "MaDoiTac": "MOTCUA-HCM",
        "MaThamChieu": reference,
        "SoTien": 20000,
        "LoaiHinhThanhToan": "PAY",
        "MaKenhThanhToan": "1",
        "MaThietBi": "1",
        "NgonNgu": "vi",
        "MaTienTe": "VND",
        "MaNganHang": "970436",
        "ThongTinGiaoDich": "Le phi dang ky thuong tru",
        "ThoiGianGD": "20251121093000",
        "Ip": "10.0.0.1",
        "ThongTinBienLai": {
            "MaDichVu": "1",
            "MaDVC": "1.001612",
            "MaTTHC": "1.001612",
            "MaDonVi": "000.00.00.H29",
            "MaHoSo": DEMO_DOSSIER,
            "TKThuHuong": "0123456789",
            "MaNHThuHuong": "970436",
            "TenTKThuHuong": "Cong an Quan 1",
            "HoTenNguoiNop": "Nguyễn Văn An",
            "SoCMNDNguoiNop": DEMO_CITIZEN,
            "PhiLePhi": [{"NoiDung": "Lệ phí đăng ký thường trú", "SoTien": 20000}],
        },
    }
    message.update(changes)
    message["MaXacThuc"] = sign_init(message, secret)
    return message


_BIRTH = {
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
_LLTP = {
    "MA_DON_VI": "000.00.00.H29",
    "MA_HO_SO": "000.00.00.H29-251121-0400",
    "HO_TEN": "Nguyễn Văn An",
    "SO_DINH_DANH": DEMO_CITIZEN,
    "NGAY_SINH": "19900515",
    "LOAI_PHIEU": 1,
    "MUC_DICH": "Xin việc",
}
_PROGRESS = {
    "MaHoSo": DEMO_DOSSIER,
    "NguoiXuLy": "Trần Văn Bình",
    "ThoiDiemXuLy": "20251122100000",
    "NoiDungXuLy": "Đã thẩm định",
    "TrangThai": 9,
}
_RECEIVE = {
    "MaTTHC": "1.001612",
    "ChuHoSo": "Nguyễn Văn An",
    "SoGiayToChuHoSo": DEMO_CITIZEN,
    "NgaySinhChuHoSo": "19900515",
    "TrichYeuHoSo": "Đăng ký thường trú",
}
_EDOC_REF = {  # the document of the sendEdoc example, as its recipient (G01) names it in a status
    "OrganId": "000.00.00.H29",
    "Code": "7/UBND-VP",
    "PromulgationDate": "2025/11/21",
    "DocumentId": "000.00.00.H29,2025/11/21,7/UBND-VP",
}

_OK_VDXP = ("status", "OK")

EXAMPLES: dict[tuple[str, str], Example] = {
    ("population", "TraCuuThongTinCongDan"): Example(
        "POST", lookup_example(), success=("CongdanCollection.CongDan.0.SoDinhDanh", DEMO_CITIZEN)
    ),
    ("population", "XacThucThongTinCongDan"): Example(
        "POST",
        lookup_example(MaTichHop="033", HoVaTen="Nguyễn Văn An", NgayThangNamSinh={"NgayThangNam": "19900515"}),
        success=("TonTai", True),
    ),
    ("dvcqg", "DongBoHoSoMC"): Example("POST", {"isUpdating": False, "data": [dossier_example()]}),
    ("dvcqg", "TraCuuHoSo"): Example("POST", {"MaHoSo": DEMO_DOSSIER}),
    ("dvcqg", "CapNhatTienDoHoSoMC"): Example("POST", {"data": [_PROGRESS]}),
    ("dvcqg", "LayDanhSachTTHC"): Example("POST", {"MaLinhVuc": "HOTICH"}),
    ("dvcqg", "LayThuTuc"): Example("POST", {"MaTTHC": "1.004227"}),
    ("business", "chiTietDoanhNghiep"): Example("GET", query={"msdn": DEMO_BUSINESS}),
    ("business", "tinhTrangHoSo"): Example("GET", query={"in_journal_no": DEMO_JOURNAL}),
    ("civil_status", "dangKyHoTich"): Example("POST", _BIRTH),
    ("civil_status", "traTrangThaiHoSo"): Example("POST", {"maDonVi": "000.00.00.H29", "maHoSo": DEMO_CIVIL_DOSSIER}),
    ("tax", "ThongBaoThue"): Example(
        "POST",
        {"MaDonVi": "000.00.00.H29", "MaHoSo": DEMO_DOSSIER, "MaSoThue": DEMO_BUSINESS, "SoTien": 1_500_000},
    ),
    ("tax", "ChungTuThue"): Example("POST", {"MaSoThue": DEMO_BUSINESS, "SoQuyetDinh": "000001/TB-CT"}),
    ("criminal_records", "nhanHoSoDangKy"): Example("POST", _LLTP),
    ("criminal_records", "traTrangThaiHs"): Example("POST", {"ID": "LLTP-000001"}),
    ("reference_lists", "danhMucDonViHanhChinh"): Example("GET", query={"capDonVi": "1"}),
    ("reference_lists", "danhMucDanToc"): Example("GET"),
    ("payment", "KhoiTaoGiaoDich"): Example("POST", payment_init_example()),
    ("payment", "TraCuuGiaoDich"): Example("POST", {"MaDoiTac": "MOTCUA-HCM", "MaThamChieu": "TT-0001"}),
    ("one_stop", "TiepNhanHoSo"): Example("POST", _RECEIVE, client=DVCQG),
    ("one_stop", "TraCuuTrangThaiHoSo"): Example("POST", {"MaHoSo": DEMO_DOSSIER}, client=DVCQG),
    ("one_stop", "ChuyenBuocHoSo"): Example("POST", {"MaHoSo": DEMO_DOSSIER}, client=DVCQG),
    ("social_insurance", "getMaSoBhxhTheoTieuChi"): Example(
        "POST",
        {"hoTen": "Nguyễn Văn An", "ngaySinh": "19900515", "gioiTinh": 1, "maTinhKs": "79", "isKs": True},
    ),
    ("edxml", "sendEdoc"): Example("POST", xml=DEMO_EDOC, client=QLVB_HCM, success=_OK_VDXP),
    ("edxml", "getReceivedEdocList"): Example("GET", client=QLVB_HCM, success=_OK_VDXP),
    ("edxml", "getEdoc"): Example("GET", query={"docId": DEMO_EDOC_ID}, client=QLVB_HCM),  # what sendEdoc answered
    ("edxml", "updateStatus"): Example(
        "POST",
        xml=build_status(_EDOC_REF, G01_ORGAN, "05", "2025/11/21 09:30:00", "Đang xử lý"),
        client=QLVB_BCA,
        success=_OK_VDXP,
    ),
    ("edxml", "getAgenciesList"): Example("GET", client=QLVB_HCM, success=_OK_VDXP),
}
