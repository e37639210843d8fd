"""Social insurance (BHXH; placed under the Ministry of Finance here, which is illustrative): look up a
person's social-insurance number by name, date of birth, sex and province of birth registration."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from pydantic import Field

from schemas.base import WireModel
from schemas.common import PopulationDate

__all__ = ["NATIVE_PATHS", "GetMaSoBhxhRequest", "GetMaSoBhxhResponse", "SocialInsuranceMatch"]

NATIVE_PATHS: Mapping[str, str] = MappingProxyType({"getMaSoBhxhTheoTieuChi": "/bhxh/api/getMaSoBhxhTheoTieuChi"})


class GetMaSoBhxhRequest(WireModel):
    hoTen: str = Field(min_length=1, max_length=128)
    ngaySinh: PopulationDate
    gioiTinh: int = Field(ge=1, le=2, description="1 male, 2 female")
    maTinhKs: str = Field(pattern=r"^\d{2}$", description="Province of birth registration, 2 digits")
    isKs: bool = Field(description="true when the birth was registered (khai sinh) in that province")


class SocialInsuranceMatch(WireModel):
    maSoBhxh: str = Field(pattern=r"^\d{10}$")
    trangThai: int = Field(ge=0, le=2, description="0 no card, 1 active, 2 suspended (illustrative)")
    hoTen: str
    ngaySinh: PopulationDate


class GetMaSoBhxhResponse(WireModel):
    status: int = Field(ge=0, le=1)
    message: str | None = None
    data: list[SocialInsuranceMatch] = Field(default_factory=list)
