"""Reading a JSON answer or an event by dotted path (``CongdanCollection.CongDan.0.HoVaTen.Ten``)
and comparing what a step expects with what it got."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from ngsp_sim.errors import StepFailed

__all__ = ["StepFailed", "check_fields", "pick"]


def pick(data: Any, path: str) -> Any:
    """The value at ``path``: mapping keys and list indexes joined by dots."""
    here = data
    walked: list[str] = []
    for part in path.split("."):
        if isinstance(here, Mapping) and part in here:
            here = here[part]
        elif isinstance(here, list) and part.lstrip("-").isdigit() and -len(here) <= int(part) < len(here):
            here = here[int(part)]
        else:
            at = ".".join(walked) or "the top level"
            if isinstance(here, Mapping):
                has = f"keys {', '.join(map(str, here))}"
            else:
                has = f"a list of {len(here)}" if isinstance(here, list) else type(here).__name__
            raise StepFailed(f"{path}: no {part!r} at {at} (found {has})")
        walked.append(part)
    return here


def check_fields(data: Any, expected: Mapping[str, Any]) -> None:
    """Every dotted path of ``expected`` holds its value in ``data`` (numbers compare as numbers)."""
    for path, want in expected.items():
        got = pick(data, path)
        same = (got == want and type(got) is type(want)) or _numbers(got, want)
        if not same:
            raise StepFailed(f"{path}: expected {_show(want)}, got {_show(got)}")


def _numbers(a: Any, b: Any) -> bool:
    numeric = (int, float)
    plain = all(isinstance(v, numeric) and not isinstance(v, bool) for v in (a, b))
    return plain and a == b


def _show(value: Any) -> str:
    return orjson.dumps(value).decode()
