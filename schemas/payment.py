"""The payment platform of DVCQG (``000.00.00.G22``).

An ``INIT`` message carries the fields below and ``MaXacThuc``: the SHA-256 hex of the fields joined
with ``|`` in the listed order, followed by ``|`` and the partner's secret (the exact composition of the
real platform is not public: this one is illustrative). The reply is ``{error_code, message:
{UrlThanhToan, MaLoi, MoTaLoi}}``. ``TraCuuGiaoDich`` (illustrative) answers the payment's state.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal

from pydantic import Field

from schemas.base import INT64_MAX, INT64_MIN, WireModel
from schemas.common import CCCD, AgencyCode, DvcqgDateTime, MaHoSo, MaTTHC

__all__ = [
    "INIT_SIGNED_FIELDS",
    "NATIVE_PATHS",
    "KhoanNop",
    "KhoiTaoGiaoDichRequest",
    "KhoiTaoGiaoDichResponse",
    "PaymentMessage",
    "ThongTinBienLai",
    "TraCuuGiaoDichRequest",
    "TraCuuGiaoDichResponse",
    "sign_init",
]

NATIVE_PATHS: Mapping[str, str] = MappingProxyType(
    {"KhoiTaoGiaoDich": "/thanhtoan/api/init", "TraCuuGiaoDich": "/thanhtoan/api/query"}
)

INIT_SIGNED_FIELDS = (
    "LoaiBanTin",
    "PhienBan",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "LoaiHinhThanhToan",
    "MaKenhThanhToan",
    "MaThietBi",
    "NgonNgu",
    "MaTienTe",
    "MaNganHang",
    "ThongTinGiaoDich",
    "ThoiGianGD",
    "Ip",
)


def sign_init(message: Mapping[str, Any], secret: str) -> str:
    """``MaXacThuc`` of an ``INIT`` message (see the module docstring): what a partner sends and the
    platform checks, so it lives with the wire models that both sides import."""
    joined = "|".join([*(str(message.get(name, "")) for name in INIT_SIGNED_FIELDS), secret])
    return hashlib.sha256(joined.encode()).hexdigest()


class KhoanNop(WireModel):
    NoiDung: str
    SoTien: int = Field(gt=0, le=INT64_MAX)


class ThongTinBienLai(WireModel):
    MaDichVu: str
    MaDVC: str
    MaTTHC: MaTTHC
    MaDonVi: AgencyCode
    MaHoSo: MaHoSo
    TKThuHuong: str
    MaNHThuHuong: str
    TenTKThuHuong: str
    HoTenNguoiNop: str
    SoCMNDNguoiNop: CCCD
    PhiLePhi: list[KhoanNop] = Field(default_factory=list)
    DSKhoanNop: list[KhoanNop] = Field(default_factory=list)


class KhoiTaoGiaoDichRequest(WireModel):
    LoaiBanTin: Literal["INIT"]
    PhienBan: str = Field(default="1.0.0")
    MaDoiTac: str = Field(min_length=1, max_length=64)
    MaThamChieu: str = Field(min_length=1, max_length=64, description="The partner's unique reference")
    SoTien: int = Field(gt=0, le=10**13)
    LoaiHinhThanhToan: Literal["PAY"]
    MaKenhThanhToan: str = Field(min_length=1)
    MaThietBi: str = Field(min_length=1)
    NgonNgu: Literal["vi", "en"] = "vi"
    MaTienTe: Literal["VND"]
    MaNganHang: str = Field(min_length=1)
    ThongTinGiaoDich: str = Field(min_length=1, max_length=256)
    ThoiGianGD: DvcqgDateTime
    Ip: str = Field(min_length=3, max_length=45)
    MaXacThuc: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 hex; see the module docstring")
    ThongTinBienLai: ThongTinBienLai


class PaymentMessage(WireModel):
    UrlThanhToan: str | None = None
    MaLoi: str
    MoTaLoi: str


class KhoiTaoGiaoDichResponse(WireModel):
    error_code: str
    message: PaymentMessage


class TraCuuGiaoDichRequest(WireModel):
    MaDoiTac: str
    MaThamChieu: str


class TraCuuGiaoDichResponse(WireModel):
    error_code: str
    TrangThai: int | None = Field(
        default=None, description="0 waiting for the payer, 1 paid (illustrative)", ge=INT64_MIN, le=INT64_MAX
    )
    SoTien: int | None = Field(default=None, ge=INT64_MIN, le=INT64_MAX)
    MaGiaoDich: str | None = None
    ThoiGianThanhToan: DvcqgDateTime | None = None
