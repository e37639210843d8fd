"""Matching a person's name the way the simulated registries do: the population record's parts joined,
compared without regard to case or runs of spaces (what a clerk would accept as the same name)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["fold", "full_name", "same_name"]


def full_name(record: Mapping[str, Any]) -> str:
    """``Ho ChuDem Ten`` of a population record, without the middle name when it has none."""
    name = record["HoVaTen"]
    return " ".join(part for part in (name["Ho"], name.get("ChuDem"), name["Ten"]) if part)


def fold(text: str) -> str:
    """``text`` as compared: single spaces, case folded."""
    return " ".join(text.split()).casefold()


def same_name(given: str, record: Mapping[str, Any]) -> bool:
    return fold(given) == fold(full_name(record))
