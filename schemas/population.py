"""National Population Database (CSDL quốc gia về dân cư, Bộ Công an, ``000.00.00.G01``).

Citizen lookup, integration code ``037`` (``TraCuuThongTinCongDan``). The native API is SOAP/XML in
namespace ``http://dancuquocgia.bca``; through the hub the same names travel as JSON, as an LGSP
delivers them. Codes inside the reply (``GioiTinh``, ``DanToc``...) follow the national reference
lists; the simulator's values are illustrative.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from schemas.base import WireModel, one_of_required
from schemas.common import CCCD, AgencyCode, PopulationDate

__all__ = [
    "NATIVE_PATH",
    "Address",
    "BirthDate",
    "Citizen",
    "CitizenCollection",
    "FullName",
    "HouseholdHead",
    "Relative",
    "TraCuuThongTinCongDanRequest",
    "TraCuuThongTinCongDanResponse",
    "XacThucThongTinCongDanRequest",
    "XacThucThongTinCongDanResponse",
]

NATIVE_PATH = "/dancuquocgia/ws"
"""Where the database answers SOAP: the wire contract the adapter posts to and the simulated agency serves."""

NAMESPACE = "http://dancuquocgia.bca"


class BirthDate(WireModel):
    """Date of birth: the full date, or only the year when that is all that is known."""

    model_config = ConfigDict(json_schema_extra=one_of_required("NgayThangNam", "Nam"))

    NgayThangNam: PopulationDate | None = None
    Nam: str | None = Field(default=None, pattern=r"^\d{4}$", description="Year of birth, yyyy")

    @model_validator(mode="after")
    def _one_of(self) -> BirthDate:
        if self.NgayThangNam is None and self.Nam is None:
            raise ValueError("give NgayThangNam (yyyyMMdd) or Nam (yyyy)")
        return self


class TraCuuThongTinCongDanRequest(WireModel):
    """Lookup request (037). Identify the citizen by ``SoDinhDanh`` or by the old ``SoCMND``;
    ``HoVaTen`` and ``NgayThangNamSinh``, when given, must match too."""

    model_config = ConfigDict(json_schema_extra=one_of_required("SoDinhDanh", "SoCMND"))

    MaYeuCau: str = Field(min_length=1, max_length=64, description="Request id chosen by the caller")
    MaDVC: str = Field(min_length=1, max_length=64, description="Public service code of the caller")
    MaTichHop: Literal["037"] = Field(description="Integration code; 037 is the citizen lookup")
    MaCanBo: str = Field(min_length=1, max_length=64, description="Officer making the lookup")
    MaDonVi: AgencyCode
    TaiKhoan: str | None = Field(default=None, max_length=64)
    SoDinhDanh: CCCD | None = None
    SoCMND: str | None = Field(default=None, pattern=r"^\d{9}$", description="Old 9-digit ID card")
    HoVaTen: str | None = Field(default=None, min_length=1, max_length=128)
    NgayThangNamSinh: BirthDate | None = None

    @model_validator(mode="after")
    def _identified(self) -> TraCuuThongTinCongDanRequest:
        if self.SoDinhDanh is None and self.SoCMND is None:
            raise ValueError("identify the citizen: give SoDinhDanh (12 digits) or SoCMND (9 digits)")
        return self


class FullName(WireModel):
    Ho: str
    ChuDem: str | None = None
    Ten: str


class Address(WireModel):
    MaTinhThanh: str
    MaQuanHuyen: str | None = None
    MaPhuongXa: str | None = None
    ChiTiet: str | None = None


class Relative(WireModel):
    HoVaTen: str
    SoDinhDanh: CCCD | None = None
    QuocTich: str | None = None


class HouseholdHead(WireModel):
    QuanHe: str = Field(description="Relation of the citizen to the head of household")
    HoVaTen: str
    SoDinhDanh: CCCD | None = None


class Citizen(WireModel):
    SoDinhDanh: CCCD
    SoCMND: str | None = None
    HoVaTen: FullName
    GioiTinh: str
    DanToc: str
    TonGiao: str
    TinhTrangHonNhan: str
    NhomMau: str | None = None
    NgayThangNamSinh: BirthDate
    NoiDangKyKhaiSinh: Address
    QueQuan: Address
    ThuongTru: Address
    NoiOHienTai: Address
    Cha: Relative | None = None
    Me: Relative | None = None
    VoChong: Relative | None = None
    NguoiDaiDien: Relative | None = None
    ChuHo: HouseholdHead | None = None
    SoSoHoKhau: str | None = None


class CitizenCollection(WireModel):
    CongDan: list[Citizen] = Field(default_factory=list)


class TraCuuThongTinCongDanResponse(WireModel):
    """Lookup reply; an empty ``CongdanCollection`` is the native "not found"."""

    MaYeuCau: str
    CongdanCollection: CitizenCollection


class XacThucThongTinCongDanRequest(WireModel):
    """Yes/no verification (integration code ``033``, illustrative): does a citizen with this number,
    name and date of birth exist?"""

    MaYeuCau: str = Field(min_length=1, max_length=64)
    MaDVC: str = Field(min_length=1, max_length=64)
    MaTichHop: Literal["033"] = Field(description="Integration code; 033 is the verification")
    MaCanBo: str = Field(min_length=1, max_length=64)
    MaDonVi: AgencyCode
    SoDinhDanh: CCCD
    HoVaTen: str = Field(min_length=1, max_length=128)
    NgayThangNamSinh: BirthDate


class XacThucThongTinCongDanResponse(WireModel):
    MaYeuCau: str
    TonTai: bool = Field(description="true when number, name and date of birth all match one citizen")
