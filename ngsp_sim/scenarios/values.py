"""Reading a JSON answer or an event by dotted path (``CongdanCollection.CongDan.0.HoVaTen.Ten``),
comparing what a step expects with what it got, and filling ``${name}`` variables into a step."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from ngsp_sim.errors import StepFailed
from ngsp_sim.scenarios.model import VARIABLE

__all__ = ["StepFailed", "brief", "check_fields", "fault_type", "matches", "pick", "substitute"]


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


def matches(data: Mapping[str, Any], match: Mapping[str, Any]) -> bool:
    try:
        check_fields(data, match)
    except StepFailed:
        return False
    return True


def brief(data: Any, limit: int = 160) -> str:
    text = orjson.dumps(data).decode() if data is not None else "(no body)"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def substitute(value: Any, variables: Mapping[str, Any]) -> Any:
    """``value`` with every ``${name}`` replaced; a whole-string ``${name}`` keeps the value's type."""
    if isinstance(value, str):
        whole = VARIABLE.fullmatch(value)
        try:
            if whole:
                return variables[whole[1]]
            return VARIABLE.sub(lambda m: str(variables[m[1]]), value)
        except KeyError as exc:
            raise StepFailed(f"variable ${{{exc.args[0]}}} has no value yet") from None
    if isinstance(value, dict):
        return {substitute(k, variables): substitute(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    return value


def fault_type(data: Any) -> str | None:
    """The X-Road error type inside a gateway-style fault (``{"fault": {"type": ...}}``), if any: what the
    ``X-Road-Error`` header says in the X-Road style."""
    fault = data.get("fault") if isinstance(data, Mapping) else None
    kind = fault.get("type") if isinstance(fault, Mapping) else None
    return kind if isinstance(kind, str) else None
