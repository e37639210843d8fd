"""Criminal-record certificates (lý lịch tư pháp), Ministry of Justice (``000.00.00.G15``).

``nhanHoSoDangKy`` answers ``STATUS`` and ``ID``; ``traTrangThaiHs`` answers states 3, 4 and 5 (from the
public description). Request fields and the meanings of the states (3 processing, 4 result ready,
5 result returned) are illustrative.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

from pydantic import Field

from schemas.base import WireModel
from schemas.common import CCCD, AgencyCode, MaHoSo, PopulationDate

__all__ = [
    "NATIVE_PATHS",
    "NhanHoSoDangKyRequest",
    "NhanHoSoDangKyResponse",
    "TraTrangThaiHsRequest",
    "TraTrangThaiHsResponse",
]

NATIVE_PATHS: Mapping[str, str] = MappingProxyType(
    {"nhanHoSoDangKy": "/lltp/api/nhanHoSoDangKy", "traTrangThaiHs": "/lltp/api/traTrangThaiHs"}
)


class NhanHoSoDangKyRequest(WireModel):
    MA_DON_VI: AgencyCode
    MA_HO_SO: MaHoSo
    HO_TEN: str = Field(min_length=1, max_length=128)
    SO_DINH_DANH: CCCD
    NGAY_SINH: PopulationDate
    LOAI_PHIEU: Literal[1, 2] = Field(description="Certificate no. 1 (for the person) or no. 2 (full record)")
    MUC_DICH: str = Field(min_length=1, max_length=256)


class NhanHoSoDangKyResponse(WireModel):
    STATUS: int = Field(ge=0, le=1)
    ID: str | None = None
    MESSAGE: str | None = None


class TraTrangThaiHsRequest(WireModel):
    ID: str = Field(min_length=1, max_length=64)


class TraTrangThaiHsResponse(WireModel):
    STATUS: int = Field(ge=0, le=1)
    TRANG_THAI: Literal[3, 4, 5] | None = Field(default=None, description="3 processing, 4 ready, 5 returned")
    MESSAGE: str | None = None
