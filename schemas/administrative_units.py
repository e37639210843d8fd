"""Versioned tables of province-level administrative units (đơn vị hành chính cấp tỉnh).

``2025-01`` is the 63-unit table in force until 30 June 2025 (the codes a CCCD's first three digits
still carry: see ``schemas.reference.PROVINCES``, which stays separate and unversioned). ``2025-07``
is the 34-unit table from 1 July 2025 (Quyết định 19/2025/QĐ-TTg), when provinces merged and the
district level was abolished: an address is now a province and a commune (xã, phường, đặc khu).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from schemas.reference import PROVINCES

__all__ = ["SUCCESSORS", "UNITS_CURRENT", "UNIT_TABLES", "current_unit"]

UNITS_CURRENT = "2025-07"

_UNITS_2025_07 = {
    "01": "Thành phố Hà Nội",
    "04": "Tỉnh Cao Bằng",
    "08": "Tỉnh Tuyên Quang",
    "11": "Tỉnh Điện Biên",
    "12": "Tỉnh Lai Châu",
    "14": "Tỉnh Sơn La",
    "15": "Tỉnh Lào Cai",
    "19": "Tỉnh Thái Nguyên",
    "20": "Tỉnh Lạng Sơn",
    "22": "Tỉnh Quảng Ninh",
    "24": "Tỉnh Bắc Ninh",
    "25": "Tỉnh Phú Thọ",
    "31": "Thành phố Hải Phòng",
    "33": "Tỉnh Hưng Yên",
    "37": "Tỉnh Ninh Bình",
    "38": "Tỉnh Thanh Hóa",
    "40": "Tỉnh Nghệ An",
    "42": "Tỉnh Hà Tĩnh",
    "44": "Tỉnh Quảng Trị",
    "46": "Thành phố Huế",
    "48": "Thành phố Đà Nẵng",
    "51": "Tỉnh Quảng Ngãi",
    "52": "Tỉnh Gia Lai",
    "56": "Tỉnh Khánh Hòa",
    "66": "Tỉnh Đắk Lắk",
    "68": "Tỉnh Lâm Đồng",
    "75": "Tỉnh Đồng Nai",
    "79": "Thành phố Hồ Chí Minh",
    "80": "Tỉnh Tây Ninh",
    "82": "Tỉnh Đồng Tháp",
    "86": "Tỉnh Vĩnh Long",
    "91": "Tỉnh An Giang",
    "92": "Thành phố Cần Thơ",
    "96": "Tỉnh Cà Mau",
}

UNIT_TABLES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "2025-01": MappingProxyType({code[1:]: name for code, name in PROVINCES.items()}),
        UNITS_CURRENT: MappingProxyType(_UNITS_2025_07),
    }
)
"""Version (``yyyy-MM``) to ``{two-digit code: name}``."""

_MERGED = {
    "02": "08",
    "06": "19",
    "10": "15",
    "17": "25",
    "26": "25",
    "27": "24",
    "30": "31",
    "34": "33",
    "35": "37",
    "36": "37",
    "45": "44",
    "49": "48",
    "62": "51",
    "64": "52",
    "54": "66",
    "58": "56",
    "60": "68",
    "67": "68",
    "70": "75",
    "72": "80",
    "74": "79",
    "77": "79",
    "83": "86",
    "84": "86",
    "87": "82",
    "89": "91",
    "93": "92",
    "94": "92",
    "95": "96",
}
SUCCESSORS: Mapping[str, str] = MappingProxyType({code: _MERGED.get(code, code) for code in UNIT_TABLES["2025-01"]})
"""A ``2025-01`` unit code to the ``2025-07`` unit that took it over (itself where the code was kept)."""


def current_unit(birth_code: str) -> str:
    """The ``2025-07`` unit code of the land a pre-merger code (``"74"`` or ``"074"``) now belongs to."""
    return SUCCESSORS[f"{int(birth_code):02d}"]  # a whole identity number is a KeyError, not a code
