"""Civil status (hộ tịch), Ministry of Justice (``000.00.00.G15``): interlinked birth (``LTKS``) and
death (``LTKT``) registration.

The envelope (``maDonVi``, ``module``, ``maHoSo``, ``ngayTiepNhan``, ``data``; answers ``status`` 1/0
with ``errorCode`` 100/101/106/201) follows the public description; the fields inside ``data`` and the
meaning of each error code are illustrative: 100 invalid data, 101 dossier already registered, 106 a
referenced person is not in the population database, 201 dossier not found.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, RootModel

from schemas.base import INT64_MAX, INT64_MIN, WireModel
from schemas.common import CCCD, AgencyCode, MaHoSo, PopulationDate

__all__ = [
    "NATIVE_PATHS",
    "BirthData",
    "BirthRegistration",
    "CivilStatusReply",
    "DangKyHoTichRequest",
    "DeathData",
    "DeathRegistration",
    "TraTrangThaiHoSoRequest",
    "TraTrangThaiHoSoResponse",
]

NATIVE_PATHS: Mapping[str, str] = MappingProxyType(
    {"dangKyHoTich": "/hotich/api/dangKyHoTich", "traTrangThaiHoSo": "/hotich/api/traTrangThaiHoSo"}
)


class BirthData(WireModel):
    """A child's birth, with parents identified by their citizen numbers."""

    hoTen: str = Field(min_length=1, max_length=128)
    gioiTinh: Literal["1", "2"] = Field(description="1 male, 2 female")
    ngaySinh: PopulationDate
    noiSinh: str = Field(min_length=1)
    soDinhDanhCha: CCCD | None = None
    soDinhDanhMe: CCCD


class DeathData(WireModel):
    soDinhDanh: CCCD
    ngayChet: PopulationDate
    noiChet: str = Field(min_length=1)
    nguyenNhan: str | None = None


class BirthRegistration(WireModel):
    """``module: LTKS``: the data is a birth."""

    maDonVi: AgencyCode
    module: Literal["LTKS"] = Field(description="LTKS birth registration")
    maHoSo: MaHoSo
    ngayTiepNhan: PopulationDate
    data: BirthData


class DeathRegistration(WireModel):
    """``module: LTKT``: the data is a death."""

    maDonVi: AgencyCode
    module: Literal["LTKT"] = Field(description="LTKT death registration")
    maHoSo: MaHoSo
    ngayTiepNhan: PopulationDate
    data: DeathData


class DangKyHoTichRequest(RootModel[Annotated[BirthRegistration | DeathRegistration, Field(discriminator="module")]]):
    """One interlinked registration: ``module`` says what ``data`` holds (LTKS a birth, LTKT a death),
    in the model and in the published schema alike (a discriminated ``oneOf``), so a birth's module
    with a death's data is a violation at ``/data``, never a surprise for the agency."""

    model_config = ConfigDict(frozen=True)


class CivilStatusReply(WireModel):
    status: int = Field(ge=0, le=1, description="1 accepted, 0 refused (see errorCode)")
    errorCode: int | None = Field(
        default=None, description="100, 101, 106 or 201 (illustrative meanings)", ge=INT64_MIN, le=INT64_MAX
    )
    message: str | None = None
    soDinhDanhMoi: CCCD | None = Field(default=None, description="LTKS: the number given to the child")


class TraTrangThaiHoSoRequest(WireModel):
    maDonVi: AgencyCode
    maHoSo: MaHoSo


class TraTrangThaiHoSoResponse(CivilStatusReply):
    trangThai: int | None = Field(
        default=None, description="1 received, 2 processing, 3 done (illustrative)", ge=INT64_MIN, le=INT64_MAX
    )
    module: str | None = None
