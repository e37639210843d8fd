"""National Public Service Portal (Cổng Dịch vụ công quốc gia, DVCQG, VPCP ``000.00.00.G22``).

The native API is the ``mapi`` session envelope: ``POST mapi/login`` then ``POST mapi/g`` with
``session``, ``madonvi`` and ``service``. Through the hub a connector sends only the service's own
fields; the adapter handles the session. Sub-item fields of ``TaiLieuNop``, ``DanhSachLePhi``,
``DanhSachHoSoBoSung`` and ``DanhSachGiayToKetQua`` are illustrative.
"""

from __future__ import annotations

from pydantic import Field

from schemas.base import INT64_MAX, INT64_MIN, WireModel
from schemas.common import AgencyCode, DvcqgDateTime, MaHoSo, MaTTHC

__all__ = [
    "CALL_PATH",
    "LOGIN_PATH",
    "CapNhatTienDoHoSoMCRequest",
    "DongBoHoSoMCRequest",
    "Dossier",
    "DvcqgReply",
    "Fee",
    "LayDanhSachTTHCRequest",
    "LayDanhSachTTHCResponse",
    "LayThuTucRequest",
    "LayThuTucResponse",
    "Procedure",
    "ProcedureSummary",
    "Progress",
    "ResultDocument",
    "SubmittedFile",
    "Supplement",
    "TraCuuHoSoRequest",
    "TraCuuHoSoResponse",
]

LOGIN_PATH = "/mapi/login"
"""Where a session starts (``username``, ``password``): the adapter posts here, the simulated portal serves it."""
CALL_PATH = "/mapi/g"
"""Where every service is called inside the ``{session, madonvi, service, ...}`` envelope."""

TRANG_THAI_HO_SO = (
    "1 newly registered, 2 received, 3 not received, 4 processing, 5 supplement requested, "
    "6 financial obligation requested, 7 withdrawn by citizen, 8 processing stopped, 9 processed, "
    "10 result returned"
)


class SubmittedFile(WireModel):
    TepDinhKemId: str
    TenTepDinhKem: str
    DuongDanTaiTepTin: str | None = None
    MaThanhPhanHoSo: str | None = None


class Fee(WireModel):
    TenPhiLePhi: str
    MaPhiLePhi: str | None = None
    Gia: int = Field(ge=0, description="Amount in VND", le=INT64_MAX)
    LoaiPhiLePhi: int = Field(ge=1, le=2, description="1 fee (phí), 2 charge (lệ phí)")


class Supplement(WireModel):
    HoSoBoSungId: str
    NguoiYeuCauBoSung: str
    NoiDungBoSung: str
    NgayBoSung: DvcqgDateTime


class ResultDocument(WireModel):
    TenGiayTo: str
    GiayToId: str
    DuongDanTepTinKetQua: str | None = None


class Dossier(WireModel):
    """A dossier as a one-stop system syncs it (``DongBoHoSoMC``) and DVCQG returns it."""

    MaHoSo: MaHoSo
    MaTTHC: MaTTHC
    TenTTHC: str = Field(min_length=1)
    MaLinhVuc: str = Field(min_length=1)
    TenLinhVuc: str = Field(min_length=1)
    KenhThucHien: int = Field(ge=1, le=3, description="1 in person, 2 online, 3 by post")
    ChuHoSo: str = Field(min_length=1)
    LoaiDoiTuong: int = Field(ge=1, le=4, description="1 citizen, 2 enterprise, 3 state body, 4 other")
    MaDoiTuong: str | None = None
    SoGiayToChuHoSo: str | None = None
    Email: str | None = None
    SoDienThoai: str | None = Field(default=None, pattern=r"^\+?\d{9,15}$")
    TrichYeuHoSo: str = Field(min_length=1)
    NgayTiepNhan: DvcqgDateTime
    NgayHenTra: DvcqgDateTime
    TrangThaiHoSo: int = Field(ge=1, le=10, description=TRANG_THAI_HO_SO)
    NgayTra: DvcqgDateTime | None = None
    HinhThuc: int | None = Field(default=None, description="How the result is returned", ge=INT64_MIN, le=INT64_MAX)
    NgayKetThucXuLy: DvcqgDateTime | None = None
    DonViXuLy: str = Field(min_length=1)
    TaiLieuNop: list[SubmittedFile] = Field(default_factory=list)
    DanhSachLePhi: list[Fee] = Field(default_factory=list)
    DanhSachHoSoBoSung: list[Supplement] = Field(default_factory=list)
    DanhSachGiayToKetQua: list[ResultDocument] = Field(default_factory=list)


class DongBoHoSoMCRequest(WireModel):
    """Sync dossiers from a one-stop system. ``madonvi`` defaults to the calling client's agency."""

    madonvi: AgencyCode | None = None
    isUpdating: bool = Field(description="false for dossiers new to DVCQG, true for updates")
    data: list[Dossier] = Field(min_length=1, max_length=500)


class TraCuuHoSoRequest(WireModel):
    madonvi: AgencyCode | None = None
    MaHoSo: MaHoSo


class DvcqgReply(WireModel):
    """The mapi reply envelope: ``error_code`` 0 is success, anything else a native refusal."""

    error_code: int = Field(ge=INT64_MIN, le=INT64_MAX)
    message: str


class TraCuuHoSoResponse(DvcqgReply):
    result: Dossier | None = None


# Native ``error_code`` values of the mapi envelope. 0 is documented; the others are illustrative.
ERROR_OK = 0
ERROR_LOGIN_FAILED = 1
ERROR_SESSION_INVALID = 2
ERROR_NOT_FOUND = 3
ERROR_BAD_REQUEST = 4


class ProcedureSummary(WireModel):
    MaTTHC: MaTTHC
    TenTTHC: str
    MaLinhVuc: str
    TenLinhVuc: str


class Procedure(ProcedureSummary):
    """An administrative procedure as ``LayThuTuc`` returns it (fields beyond the codes and names are
    illustrative)."""

    CoQuanThucHien: str
    CapThucHien: str
    ThoiHanGiaiQuyet: str
    PhiLePhi: int = Field(ge=0, description="VND", le=INT64_MAX)


class LayDanhSachTTHCRequest(WireModel):
    madonvi: AgencyCode | None = None
    MaLinhVuc: str | None = Field(default=None, description="Only procedures of this field")


class LayDanhSachTTHCResponse(DvcqgReply):
    result: list[ProcedureSummary] = Field(default_factory=list)


class LayThuTucRequest(WireModel):
    madonvi: AgencyCode | None = None
    MaTTHC: MaTTHC


class LayThuTucResponse(DvcqgReply):
    result: Procedure | None = None


class Progress(WireModel):
    """One step of a dossier's processing, as a one-stop system reports it."""

    MaHoSo: MaHoSo
    NguoiXuLy: str = Field(min_length=1)
    ChucDanh: str | None = None
    ThoiDiemXuLy: DvcqgDateTime
    PhongBanXuLy: str | None = None
    NoiDungXuLy: str = Field(min_length=1)
    TrangThai: int = Field(ge=1, le=10, description=TRANG_THAI_HO_SO)
    NgayKetThucTheoQuyDinh: DvcqgDateTime | None = None


class CapNhatTienDoHoSoMCRequest(WireModel):
    madonvi: AgencyCode | None = None
    data: list[Progress] = Field(min_length=1, max_length=500)
