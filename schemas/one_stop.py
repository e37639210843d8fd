"""A provincial one-stop system (Hệ thống thông tin một cửa điện tử) as a provider: it receives
dossiers, reports their state and (for trainers) moves them a step on. Wire names are illustrative: each
province's system has its own API; these follow the DVCQG vocabulary."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TypeAlias

from pydantic import Field

from schemas.base import WireModel
from schemas.common import CCCD, MaHoSo, MaTTHC, PopulationDate

__all__ = ["NATIVE_PATHS", "OneStopReply", "TiepNhanHoSoRequest", "TraCuuTrangThaiHoSoRequest"]

NATIVE_PATHS: Mapping[str, str] = MappingProxyType(
    {
        "TiepNhanHoSo": "/motcua/api/TiepNhanHoSo",
        "TraCuuTrangThaiHoSo": "/motcua/api/TraCuuTrangThaiHoSo",
        "ChuyenBuocHoSo": "/motcua/api/ChuyenBuocHoSo",
    }
)

DossierCode: TypeAlias = MaHoSo  # a field named MaHoSo would shadow the type inside a class body


class TiepNhanHoSoRequest(WireModel):
    MaTTHC: MaTTHC
    KenhThucHien: int = Field(default=2, ge=1, le=3, description="1 in person, 2 online, 3 by post")
    ChuHoSo: str = Field(min_length=1, max_length=128)
    SoGiayToChuHoSo: CCCD
    NgaySinhChuHoSo: PopulationDate
    TrichYeuHoSo: str = Field(min_length=1, max_length=512)
    Email: str | None = None
    SoDienThoai: str | None = Field(default=None, pattern=r"^\+?\d{9,15}$")


class TraCuuTrangThaiHoSoRequest(WireModel):
    MaHoSo: MaHoSo


class OneStopReply(WireModel):
    KetQua: int = Field(ge=0, le=1, description="1 done, 0 refused (MoTa says why)")
    MoTa: str | None = None
    MaHoSo: DossierCode | None = None
    TrangThaiHoSo: int | None = Field(default=None, ge=1, le=10)
    DongBoDVCQG: bool | None = Field(default=None, description="Whether DVCQG accepted the sync/progress")
