"""Identifier and date types: what they accept, and the rule each refusal names."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from ngsp_sim.identifiers import ServiceId, SubsystemId
from schemas.common import CCCD, MST, AgencyCode, DvcqgDateTime, EdxmlDate, MaHoSo, MaTTHC, PopulationDate


def _rule(kind: Any, value: str) -> str | None:
    try:
        TypeAdapter(kind).validate_python(value)
    except ValidationError as exc:
        return str(exc.errors()[0]["type"])
    return None


@pytest.mark.parametrize(
    ("kind", "value", "rule"),
    [
        (AgencyCode, "000.00.00.G22", None),
        (AgencyCode, "000.00.18.G12", None),
        (AgencyCode, "000.00.00.H29", None),
        (AgencyCode, "G22", "agency_code"),
        (AgencyCode, "000.00.00.g22", "agency_code"),
        (CCCD, "079090001234", None),
        (CCCD, "038305000001", None),
        (CCCD, "07909000123", "cccd_format"),
        (CCCD, "07909000123a", "cccd_format"),
        (CCCD, "003090001234", "cccd_province"),
        (CCCD, "079999001234", "cccd_birth_year"),
        (MST, "0312345673", None),
        (MST, "0312345673-001", None),
        (MST, "0312345678", "mst_checksum"),
        (MST, "031234567", "mst_format"),
        (MST, "0312345673001", "mst_format"),
        (MaTTHC, "1.001612", None),
        (MaTTHC, "1.011442.000.00.00.H38", None),
        (MaTTHC, "1001612", "ma_tthc"),
        (MaTTHC, "1.011442.H38", "ma_tthc"),
        (MaHoSo, "000.00.00.H29-251121-0007", None),
        (MaHoSo, "000.00.00.H29-251321-0007", "ma_ho_so_date"),
        (MaHoSo, "H29-251121-0007", "ma_ho_so"),
        (DvcqgDateTime, "20251121093000", None),
        (DvcqgDateTime, "20251121256000", "dvcqg_datetime"),
        (DvcqgDateTime, "2025-11-21", "dvcqg_datetime"),
        (EdxmlDate, "2025/11/21", None),
        (EdxmlDate, "2025-11-21", "edxml_date"),
        (PopulationDate, "19900515", None),
        (PopulationDate, "19900230", "population_date"),
    ],
)
def test_identifier_rules(kind: Any, value: str, rule: str | None) -> None:
    assert _rule(kind, value) == rule


def test_messages_say_what_was_expected() -> None:
    with pytest.raises(ValidationError) as info:
        TypeAdapter(MST).validate_python("0312345678")
    assert "expected 3" in info.value.errors()[0]["msg"]
    with pytest.raises(ValidationError) as info:
        TypeAdapter(CCCD).validate_python("003090001234")
    assert "003" in info.value.errors()[0]["msg"]


def test_json_schema_carries_pattern_and_example() -> None:
    schema = TypeAdapter(MaHoSo).json_schema()
    assert schema["pattern"].startswith("^") and schema["examples"] == ["000.00.00.H29-251121-0001"]


def test_x_road_identifiers_parse_and_print() -> None:
    sid = ServiceId.parse("VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan")
    assert sid.subsystem == SubsystemId("VN", "GOV", "000.00.00.G01", "CSDLQGDC")
    assert str(sid) == "VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan"


@pytest.mark.parametrize("text", ["VN/GOV/X", "VN/GOV/000.00.00.H29/MỘT", "VN//000.00.00.H29/MOTCUA", "a/b/c/d/e"])
def test_bad_subsystem_identifiers_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(ValueError, match=r"expected 4 parts|allow only|empty"):
        SubsystemId.parse(text)
