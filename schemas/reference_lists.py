"""Shared reference lists (danh mục dùng chung, ``dmdc``): administrative units and ethnic groups.

Code tables are versioned (provinces merged and the district level was abolished on 1 July 2025):
``phienBan`` picks one, an unknown one is refused natively, and every answer names its ``PhienBan``. The
field names are illustrative.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from pydantic import Field

from schemas.base import WireModel

__all__ = ["NATIVE_PATHS", "DanhMucDanTocQuery", "DanhMucDonViHanhChinhQuery", "DanhMucResponse", "Entry"]

NATIVE_PATHS: Mapping[str, str] = MappingProxyType(
    {"danhMucDonViHanhChinh": "/dmdc/1.0/danhMucDonViHanhChinh", "danhMucDanToc": "/dmdc/1.0/danhMucDanToc"}
)


class DanhMucDonViHanhChinhQuery(WireModel):
    capDonVi: int = Field(default=1, ge=1, le=1, description="1 province (the simulator keeps provinces only)")
    phienBan: str | None = Field(
        default=None,
        pattern=r"^\d{4}-\d{2}$",
        description="Table version, yyyy-MM: 2025-07 (the 34 units from 1 July 2025, the default) or 2025-01 "
        "(the 63 before the merger)",
    )


class DanhMucDanTocQuery(WireModel):
    phienBan: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$")


class Entry(WireModel):
    Ma: str
    Ten: str


class DanhMucResponse(WireModel):
    Status: int = Field(ge=0, le=1)
    PhienBan: str | None = None
    Message: str | None = None
    Data: list[Entry] = Field(default_factory=list)
