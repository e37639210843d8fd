"""Reusable identifier and date types with precise error messages.

Each type is an ``Annotated[str, ...]``: the value stays the string the wire carries, and a failed
check raises a ``PydanticCustomError`` whose type names the rule (``cccd_province``, ``mst_checksum``…)
and whose message says what was expected. The JSON Schema of each type carries a pattern, a description
and an example, so generated OpenAPI documents say the same thing the validator does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.vn import mst as _mst

from schemas.reference import PROVINCES

__all__ = [
    "CCCD",
    "MST",
    "AgencyCode",
    "DvcqgDateTime",
    "EdxmlDate",
    "MaHoSo",
    "MaTTHC",
    "PopulationDate",
    "check_agency_code",
    "check_cccd",
    "check_mst",
]

_AGENCY_RE = re.compile(r"[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}")
_AGENCY_PATTERN = r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}$"


def _string_type(check: Callable[[str], str], *, pattern: str, description: str, example: str) -> Any:
    schema = {"type": "string", "pattern": pattern, "description": description, "examples": [example]}
    return Annotated[str, AfterValidator(check), WithJsonSchema(schema)]


def check_agency_code(value: str) -> str:
    """QCVN 102:2016 electronic agency code ``L4.L3.L2.L1``, e.g. ``000.00.00.G22``."""
    if not _AGENCY_RE.fullmatch(value):
        raise PydanticCustomError(
            "agency_code",
            "expected a QCVN 102 agency code L4.L3.L2.L1 such as 000.00.00.G22 "
            "(3, 2 and 2 digits or capitals, then a letter and 2 digits: Gnn ministry, Hnn province), "
            "got '{value}'",
            {"value": value},
        )
    return value


def check_cccd(value: str) -> str:
    """Personal identification number: 12 digits, province of birth registration, century/sex, year."""
    if not (len(value) == 12 and value.isascii() and value.isdigit()):
        raise PydanticCustomError(
            "cccd_format", "expected 12 digits (số định danh cá nhân), got '{value}'", {"value": value}
        )
    province = value[:3]
    if province not in PROVINCES:
        raise PydanticCustomError(
            "cccd_province",
            "the first 3 digits {province} are not a province code of birth registration "
            "(e.g. 001 Hà Nội, 038 Thanh Hóa, 079 Hồ Chí Minh)",
            {"province": province},
        )
    century_sex = int(value[3])
    year = 1900 + 100 * (century_sex // 2) + int(value[4:6])
    if year > date.today().year:
        raise PydanticCustomError(
            "cccd_birth_year",
            "digit 4 ({digit}: century and sex) with digits 5-6 ({yy}) give birth year {year}, "
            "which is in the future (0/1 = 1900s male/female, 2/3 = 2000s)",
            {"digit": value[3], "yy": value[4:6], "year": year},
        )
    return value


def check_mst(value: str) -> str:
    """Tax code: 10 digits with a check digit, or 13 as ``NNNNNNNNNN-NNN`` for a dependent unit."""
    try:
        if not re.fullmatch(r"\d{10}|\d{10}-\d{3}", value):
            raise InvalidFormat()
        _mst.validate(value)
    except InvalidChecksum:
        expected = _mst.calc_check_digit(value[:9])
        raise PydanticCustomError(
            "mst_checksum",
            "the 10th digit of tax code '{value}' is a wrong check digit (expected {expected})",
            {"value": value, "expected": expected},
        ) from None
    except (InvalidFormat, InvalidLength):
        raise PydanticCustomError(
            "mst_format",
            "expected a tax code (mã số thuế) of 10 digits, or 13 as NNNNNNNNNN-NNN, got '{value}'",
            {"value": value},
        ) from None
    return value


def _check_ma_tthc(value: str) -> str:
    match = re.fullmatch(r"\d\.\d{6}(?:\.(.+))?", value)
    if match is None or (match.group(1) is not None and not _AGENCY_RE.fullmatch(match.group(1))):
        raise PydanticCustomError(
            "ma_tthc",
            "expected a procedure code d.dddddd (e.g. 1.001612), optionally followed by .AGENCY "
            "(e.g. 1.011442.000.00.00.H38), got '{value}'",
            {"value": value},
        )
    return value


def _check_ma_ho_so(value: str) -> str:
    match = re.fullmatch(r"(.+)-(\d{6})-(\d{4})", value)
    if match is None or not _AGENCY_RE.fullmatch(match.group(1)):
        raise PydanticCustomError(
            "ma_ho_so",
            "expected a dossier code AGENCY-yyMMdd-NNNN (e.g. 000.00.00.H29-251121-0007), got '{value}'",
            {"value": value},
        )
    try:
        datetime.strptime(match.group(2), "%y%m%d")
    except ValueError:
        raise PydanticCustomError(
            "ma_ho_so_date",
            "the date part '{part}' of dossier code '{value}' is not a real yyMMdd date",
            {"part": match.group(2), "value": value},
        ) from None
    return value


def _date_checker(fmt: str, shown: str, example: str, rule: str) -> Callable[[str], str]:
    digits_only = "/" not in fmt
    length = len(example)

    def check(value: str) -> str:
        ok = len(value) == length and (value.isdigit() if digits_only else True)
        if ok:
            try:
                datetime.strptime(value, fmt)
            except ValueError:
                ok = False
        if not ok:
            raise PydanticCustomError(
                rule,
                "expected a date as {shown} (e.g. {example}), got '{value}'",
                {"shown": shown, "example": example, "value": value},
            )
        return value

    return check


AgencyCode = _string_type(
    check_agency_code,
    pattern=_AGENCY_PATTERN,
    description="QCVN 102:2016 electronic agency code (mã định danh điện tử cơ quan)",
    example="000.00.00.H29",
)
# The published pattern says as much of check_cccd as a pattern can: a province of birth registration,
# and a century/sex digit with a year not after 2025 (the check itself compares with today).
_CCCD_PATTERN = "^(?:" + "|".join(sorted(PROVINCES)) + r")(?:[01]\d\d|[23](?:[01]\d|2[0-5]))\d{6}$"
CCCD = _string_type(
    check_cccd,
    pattern=_CCCD_PATTERN,
    description="Personal identification number (số định danh cá nhân / CCCD): province of birth "
    "registration (3), century and sex (1), year of birth (2), serial (6)",
    example="079090001234",
)
MST = _string_type(
    check_mst,
    pattern=r"^\d{10}(-\d{3})?$",
    description="Tax code (mã số thuế); the 10th digit is a check digit. For a business, business code = tax code",
    example="0312345673",
)
MaTTHC = _string_type(
    _check_ma_tthc,
    pattern=r"^\d\.\d{6}(\.[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2})?$",
    description="Administrative procedure code (mã thủ tục hành chính)",
    example="1.001612",
)
MaHoSo = _string_type(
    _check_ma_ho_so,
    pattern=r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}-\d{6}-\d{4}$",
    description="Dossier code (mã hồ sơ): receiving agency, yyMMdd, serial",
    example="000.00.00.H29-251121-0001",
)
# Year, month and day as patterns can say them (the checks also refuse days a month does not have).
_YMD = r"((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])"
DvcqgDateTime = _string_type(
    _date_checker("%Y%m%d%H%M%S", "yyyyMMddHHmmss", "20251121093000", "dvcqg_datetime"),
    pattern=rf"^{_YMD}(?:[01]\d|2[0-3])[0-5]\d[0-5]\d$",
    description="Date-time as the National Public Service Portal writes it: yyyyMMddHHmmss",
    example="20251121093000",
)
EdxmlDate = _string_type(
    _date_checker("%Y/%m/%d", "yyyy/MM/dd", "2025/11/21", "edxml_date"),
    pattern=rf"^{_YMD.replace(')(', ')/(')}$",
    description="Date as edXML writes it: yyyy/MM/dd",
    example="2025/11/21",
)
PopulationDate = _string_type(
    _date_checker("%Y%m%d", "yyyyMMdd", "19900515", "population_date"),
    pattern=rf"^{_YMD}$",
    description="Date as the National Population Database writes it: yyyyMMdd",
    example="19900515",
)
