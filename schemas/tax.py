"""Tax (thuế) and land financial obligations at the Cục Thuế (Tax Department, formerly the General
Department of Taxation; ``000.00.18.G12``).

``ThongBaoThue`` issues a tax notice for a dossier; ``ChungTuThue`` answers whether it is paid and the
receipt. The wire names ``MaSoThue``, ``SoTien``, ``SoQuyetDinh``, ``TrangThaiThanhToan``, ``BienLai``
are from the public description; ``MaLoi`` and the other fields are illustrative.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from pydantic import Field

from schemas.base import INT64_MAX, INT64_MIN, WireModel
from schemas.common import MST, AgencyCode, MaHoSo

__all__ = [
    "NATIVE_PATHS",
    "ChungTuThueRequest",
    "ChungTuThueResponse",
    "Receipt",
    "ThongBaoThueRequest",
    "ThongBaoThueResponse",
]

NATIVE_PATHS: Mapping[str, str] = MappingProxyType(
    {"ThongBaoThue": "/thue/api/ThongBaoThue", "ChungTuThue": "/thue/api/ChungTuThue"}
)


class ThongBaoThueRequest(WireModel):
    MaDonVi: AgencyCode
    MaHoSo: MaHoSo
    MaSoThue: MST
    SoTien: int = Field(gt=0, le=10**13, description="Amount due, VND")
    LoaiNghiaVu: str = Field(default="Lệ phí trước bạ nhà, đất", description="The obligation (illustrative)")


class ThongBaoThueResponse(WireModel):
    MaLoi: str = Field(description="00 accepted, otherwise refused (illustrative)")
    MoTaLoi: str | None = None
    SoQuyetDinh: str | None = None
    SoTien: int | None = Field(default=None, ge=INT64_MIN, le=INT64_MAX)
    TrangThaiThanhToan: int | None = Field(default=None, ge=0, le=1, description="0 unpaid, 1 paid")


class ChungTuThueRequest(WireModel):
    MaSoThue: MST
    SoQuyetDinh: str = Field(min_length=1, max_length=64)


class Receipt(WireModel):
    SoBienLai: str
    NgayNop: str
    SoTien: int = Field(ge=INT64_MIN, le=INT64_MAX)


class ChungTuThueResponse(WireModel):
    MaLoi: str
    MoTaLoi: str | None = None
    TrangThaiThanhToan: int | None = Field(default=None, ge=0, le=1)
    BienLai: Receipt | None = None
