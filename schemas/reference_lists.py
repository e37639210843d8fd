"""Shared reference lists (danh mục dùng chung, ``dmdc``): administrative units and ethnic groups.

Code tables are versioned (provinces merged in July 2025); every answer names its ``PhienBan``. The
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
    phienBan: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$", description="Table version, yyyy-MM")


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
