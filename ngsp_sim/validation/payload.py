"""Payload validation that reports every violation at once, each at an RFC 6901 JSON pointer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ngsp_sim.errors import Violation

__all__ = ["json_pointer", "validate", "violations_of", "xml_path"]

M = TypeVar("M", bound=BaseModel)

_MESSAGES = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field: not part of this payload's schema (check the spelling and case)",
}


def json_pointer(loc: Sequence[int | str]) -> str:
    """``("data", 0, "MaHoSo")`` -> ``/data/0/MaHoSo``; ``~`` and ``/`` escaped as RFC 6901 says."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in loc)


def xml_path(root: str, pointer: str) -> str:
    """A JSON pointer into data read from XML, as an XPath-like element path: ``/To/1/OrganId`` under
    root ``edXMLEnvelope`` -> ``/edXMLEnvelope/To[2]/OrganId`` (XPath counts from 1)."""
    out = "/" + root
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        out += f"[{int(part) + 1}]" if part.isdigit() else "/" + part
    return out


def violations_of(exc: ValidationError, location: str = "body") -> list[Violation]:
    out = []
    for error in exc.errors(include_url=False):
        message = _MESSAGES.get(error["type"], error["msg"])
        if message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        out.append(Violation(json_pointer(error["loc"]), message, error["type"], location))
    return out


def validate(model: type[M], data: Any, location: str = "body") -> tuple[M | None, list[Violation]]:
    """The model instance, or ``None`` and the list of every violation."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, violations_of(exc, location)
