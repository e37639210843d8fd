"""Reusable identifier and date types with precise error messages.

Each type is an ``Annotated[str, ...]``: the value stays the string the wire carries, and a failed
check raises a ``PydanticCustomError`` whose type names the rule (``cccd_province``, ``mst_checksum``…)
and whose message says what was expected. The JSON Schema of each type carries a pattern, a description
and an example, so generated OpenAPI documents say the same thing the validator does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
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


def _string_type(
    check: Callable[[str], str], *, pattern: str, description: str, example: str, fmt: str | None = None
) -> Any:
    schema = {"type": "string", "pattern": pattern, "description": description, "examples": [example]}
    if fmt is not None:  # a rule no pattern can say, named so that a fuzzer can be given valid values
        schema["format"] = fmt
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
    """Số định danh cá nhân (on the thẻ căn cước; formerly CCCD): 12 digits, province of birth registration
    (a pre-July-2025 code, kept after the merger), century/sex, year."""
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
    except InvalidComponent:
        raise PydanticCustomError(
            "mst_format",
            "tax code '{value}' has digits 3-9 all 0 or a dependent unit number 000, which no tax code has",
            {"value": value},
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
    if not re.fullmatch(_YYMMDD, match.group(2)):
        raise PydanticCustomError(
            "ma_ho_so_date",
            "the date part '{part}' of dossier code '{value}' is not a real yyMMdd date",
            {"part": match.group(2), "value": value},
        )
    return value


def _calendar(year: str, leap_year: str, sep: str = "") -> str:
    """A regular expression of the real dates (no 31 April, 29 February only in a leap year) whose
    year ``year`` matches, written year, month, day with ``sep`` between: what a date check enforces,
    said in the published pattern too."""
    long_months = f"(?:0[13578]|1[02]){sep}(?:0[1-9]|[12]\\d|3[01])"
    short_months = f"(?:0[469]|11){sep}(?:0[1-9]|[12]\\d|30)"
    february = f"02{sep}(?:0[1-9]|1\\d|2[0-8])"
    return f"(?:{year}{sep}(?:{long_months}|{short_months}|{february})|{leap_year}{sep}02{sep}29)"


# 1900-2099; a leap year is divisible by 4, and 1900 is not one.
_YEAR = r"(?:19|20)\d\d"
_LEAP_YEAR = r"(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:0[048]|[2468][048]|[13579][26]))"
_YMD = _calendar(_YEAR, _LEAP_YEAR)
# yy is 1969-2068 (as strptime's %y reads it); every yy divisible by 4 is a leap year there.
_YYMMDD = _calendar(r"\d\d", r"(?:[02468][048]|[13579][26])")


def _date_checker(pattern: str, shown: str, example: str, rule: str) -> Callable[[str], str]:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise PydanticCustomError(
                rule,
                "expected a real date as {shown} (e.g. {example}), got '{value}'",
                {"shown": shown, "example": example, "value": value},
            )
        return value

    return check


def _date_type(pattern: str, shown: str, example: str, rule: str, description: str) -> Any:
    return _string_type(
        _date_checker(pattern, shown, example, rule),
        pattern=f"^{pattern}$",
        description=f"{description}; a real calendar date, years 1900-2099 (20090931 is refused: "
        "September has 30 days; 29 February only in a leap year)",
        example=example,
    )


AgencyCode = _string_type(
    check_agency_code,
    pattern=_AGENCY_PATTERN,
    description="QCVN 102:2016 electronic agency code (mã định danh điện tử cơ quan)",
    example="000.00.00.H29",
)


# The published pattern says as much of check_cccd as a pattern can: a province of birth registration,
# and a century/sex digit with a year not after this one (as the check, which compares with today).
def _up_to(n: int) -> str:
    """A regular expression of the two-digit numbers 00 to ``n``."""
    tens, ones = divmod(n, 10)
    below = f"[0-{tens - 1}]\\d|" if tens else ""
    return f"(?:{below}{tens}[0-{ones}])"


_CCCD_PATTERN = "^(?:" + "|".join(sorted(PROVINCES)) + rf")(?:[01]\d\d|[23]{_up_to(date.today().year - 2000)})\d{{6}}$"
CCCD = _string_type(
    check_cccd,
    pattern=_CCCD_PATTERN,
    description="Personal identification number (số định danh cá nhân, printed on the thẻ căn cước; formerly "
    "CCCD): province of birth registration (3, the 63 pre-July-2025 codes, which numbers keep), century and "
    "sex (1), year of birth (2), serial (6)",
    example="079090001234",
)
MST = _string_type(
    check_mst,
    pattern=r"^(?!\d\d0{7})\d{10}(-(?!000)\d{3})?$",
    description="Tax code (mã số thuế); digits 3-9 are not all 0 and a unit number is not 000; the 10th digit "
    "is a check digit, which a pattern cannot say (format "
    "vn-mst): with the first nine digits d1..d9 weighted 31, 29, 23, 19, 17, 13, 7, 5, 3, it is "
    "10 - (sum mod 11), and no code has a sum divisible by 11. 13 digits NNNNNNNNNN-NNN "
    "for a dependent unit. For a business, business code = tax code",
    fmt="vn-mst",
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
    pattern=rf"^[0-9A-Z]{{3}}\.[0-9A-Z]{{2}}\.[0-9A-Z]{{2}}\.[A-Z][0-9]{{2}}-{_YYMMDD}-\d{{4}}$",
    description="Dossier code (mã hồ sơ): receiving agency, yyMMdd (a real date: 251131 is refused), serial",
    example="000.00.00.H29-251121-0001",
)
_TIME = r"(?:[01]\d|2[0-3])[0-5]\d[0-5]\d"
DvcqgDateTime = _date_type(
    _YMD + _TIME,
    "yyyyMMddHHmmss",
    "20251121093000",
    "dvcqg_datetime",
    "Date-time as the National Public Service Portal writes it: yyyyMMddHHmmss",
)
EdxmlDate = _date_type(
    _calendar(_YEAR, _LEAP_YEAR, "/"), "yyyy/MM/dd", "2025/11/21", "edxml_date", "Date as edXML writes it: yyyy/MM/dd"
)
PopulationDate = _date_type(
    _YMD,
    "yyyyMMdd",
    "19900515",
    "population_date",
    "Date as the National Population Database writes it: yyyyMMdd",
)
