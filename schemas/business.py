"""National Business Registration Database (CSDL quốc gia về đăng ký doanh nghiệp, ``000.00.00.G12``).

REST/JSON with UPPERCASE wire names at ``/apiCSDLDKDN/1.0/...``. ``Status`` 1 means found, 0 not
found (with ``Message``). ``Member`` item fields are illustrative.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from pydantic import Field

from schemas.base import INT64_MAX, INT64_MIN, WireModel
from schemas.common import MST

__all__ = [
    "NATIVE_PATHS",
    "Activity",
    "ChiTietDoanhNghiepQuery",
    "ChiTietDoanhNghiepResponse",
    "EnterpriseInfo",
    "EnterpriseMember",
    "HeadOfficeAddress",
    "TinhTrangHoSoQuery",
    "TinhTrangHoSoResponse",
]

NATIVE_PATHS: Mapping[str, str] = MappingProxyType(
    {
        "chiTietDoanhNghiep": "/apiCSDLDKDN/1.0/chiTietDoanhNghiep",
        "tinhTrangHoSo": "/apiCSDLDKDN/1.0/tinhTrangHoSo",
    }
)


class ChiTietDoanhNghiepQuery(WireModel):
    msdn: MST = Field(description="Business code (= tax code)")


class EnterpriseInfo(WireModel):
    ENTERPRISE_GDT_CODE: MST
    ENTERPRISE_TYPE_ID: str
    ENTERPRISE_TYPE_NAME: str
    NAME: str
    SHORT_NAME: str | None = None
    FOUNDING_DATE: str
    ENTERPRISE_STATUS: str
    LEGAL_NAMES: list[str] = Field(default_factory=list)
    CAPITAL_AMOUNT: int = Field(ge=0, le=INT64_MAX)


class HeadOfficeAddress(WireModel):
    CityID: str
    DistrictID: str | None = None
    WardID: str | None = None
    AddressFullText: str


class Activity(WireModel):
    CODE: str
    NAME: str
    IS_MAIN: bool


class EnterpriseMember(WireModel):
    FULL_NAME: str
    POSITION: str | None = None
    CAPITAL_RATIO: float | None = Field(default=None, ge=0, le=100)


class ChiTietDoanhNghiepResponse(WireModel):
    Status: int = Field(ge=0, le=1)
    Message: str | None = None
    MainInformation: EnterpriseInfo | None = None
    HOAdress: HeadOfficeAddress | None = None
    BusinessActivity: list[Activity] = Field(default_factory=list)
    Member: list[EnterpriseMember] = Field(default_factory=list)


class TinhTrangHoSoQuery(WireModel):
    in_journal_no: str = Field(pattern=r"^\d{6,12}$", description="Registration dossier (journal) number")


class TinhTrangHoSoResponse(WireModel):
    """Status of a business-registration dossier (UPPERCASE fields illustrative)."""

    Status: int = Field(ge=0, le=1)
    Message: str | None = None
    IN_JOURNAL_NO: str | None = None
    ENTERPRISE_GDT_CODE: MST | None = None
    STATUS_ID: int | None = Field(default=None, ge=INT64_MIN, le=INT64_MAX)
    STATUS_NAME: str | None = None
