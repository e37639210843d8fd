"""Current Vietnamese terms (issue 19): the thẻ căn cước, no district level, one form of address."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from schemas.administrative_units import SUCCESSORS, UNIT_TABLES, UNITS_CURRENT, current_unit
from schemas.common import CCCD

ROOT = Path(__file__).resolve().parent.parent
USER_FACING = [
    ROOT / "README.md",
    ROOT / "ngsp_sim/ui/i18n.js",
    ROOT / "ngsp_sim/registry/demo.yaml",
    ROOT / "deploy/topology.yaml",
    *sorted((ROOT / "ngsp_sim/scenarios/library").glob("*.yaml")),
]
# Abolished district level, the old identity card, the old tax authority and second-person address.
OUTDATED = re.compile(
    r"\b(?:huyện|quận|chứng minh nhân dân|CCCD card|Tổng cục Thuế|anh/chị|quý vị|bạn)\b", re.IGNORECASE
)


@pytest.mark.parametrize("path", USER_FACING, ids=lambda p: str(p.relative_to(ROOT)))
def test_user_facing_text_uses_current_terms(path: Path) -> None:
    found = [
        f"{n}: {m.group(0)}"
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        for m in OUTDATED.finditer(line)
    ]
    assert not found


def test_identity_numbers_keep_the_pre_merger_birth_codes() -> None:
    number = TypeAdapter(CCCD)
    # 074 Bình Dương joined Hồ Chí Minh City in July 2025: numbers registered there are unchanged.
    assert "74" not in UNIT_TABLES[UNITS_CURRENT] and "74" in UNIT_TABLES["2025-01"]
    assert number.validate_python("074090001234") == "074090001234"
    description = number.json_schema()["description"]
    assert "số định danh cá nhân" in description and "thẻ căn cước" in description


def test_the_current_table_has_the_34_units() -> None:
    assert len(UNIT_TABLES[UNITS_CURRENT]) == 34 and len(UNIT_TABLES["2025-01"]) == 63
    assert UNIT_TABLES[UNITS_CURRENT]["46"] == "Thành phố Huế"


def test_every_pre_merger_unit_has_a_successor_and_every_unit_a_predecessor() -> None:
    assert set(SUCCESSORS) == set(UNIT_TABLES["2025-01"])
    assert set(SUCCESSORS.values()) == set(UNIT_TABLES[UNITS_CURRENT])
    assert (current_unit("074"), current_unit("77"), current_unit("001")) == ("79", "79", "01")
    with pytest.raises(KeyError):
        current_unit("074090001234")
