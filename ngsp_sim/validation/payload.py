"""Payload validation that reports every violation at once, each at an RFC 6901 JSON pointer.

A JSON body is validated in pydantic's strict mode straight from its bytes (:func:`validate_json`), as
a strict provider reads it: ``"1"``, ``true`` and ``1.0`` are not integers, ``1`` and ``"true"`` are
not booleans. A type violation says which JSON type was expected and which came. Query parameters are
text by nature and are read with :func:`validate` (a number in a query string is its digits).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar, get_args

import orjson
from pydantic import BaseModel, RootModel, ValidationError
from pydantic_core import ErrorDetails

from ngsp_sim.errors import Violation

__all__ = [
    "STRICT_INTEGER",
    "explain",
    "json_pointer",
    "json_type",
    "published",
    "schema_nodes",
    "validate",
    "validate_json",
    "violations_of",
    "xml_path",
]

M = TypeVar("M", bound=BaseModel)

_MESSAGES = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field: not part of this payload's schema (check the spelling and case)",
}

_EXPECTED = {  # pydantic's type errors -> the JSON type the field takes
    "int_type": 'an integer (digits only, no fraction or exponent: 10, not 10.0, 1e1 or "10")',
    "int_from_float": 'an integer (digits only, no fraction or exponent: 10, not 10.0, 1e1 or "10")',
    "int_parsing": "an integer",
    "bool_type": 'a boolean (true or false, not 1 or "true")',
    "bool_parsing": "a boolean (true or false)",
    "float_type": "a number (not a string or a boolean)",
    "float_parsing": "a number",
    "string_type": "a string",
    "list_type": "an array",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
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


def json_type(value: Any) -> str:
    """What a decoded JSON value is, as a person names it: ``the string "1"``, ``the number 1.0``..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "the boolean " + ("true" if value else "false")
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, float):
        return f"the number {value!r}"
    kind = "number" if isinstance(value, int) else "string"
    shown = orjson.dumps(value).decode() if isinstance(value, (int, str)) else repr(value)
    return f"the {kind} {shown[:80] + '…' if len(shown) > 80 else shown}"


def explain(error: ErrorDetails) -> str:
    """One pydantic error as what was expected and, for a wrong type, which JSON type came."""
    kind = error["type"]
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {json_type(error.get('input'))}"
    return _MESSAGES.get(kind, error["msg"]).removeprefix("Value error, ")


def _discriminated(model: type[BaseModel]) -> tuple[str, frozenset[str]]:
    """(discriminator, tags) of a root model that is a discriminated union (``module``; ``LTKS``,
    ``LTKT``), or ``("", {})``. Pydantic puts the tag first in an error's location, which is not a
    place in the document, and reports a wrong or missing tag at the root rather than at the field."""
    root = model.model_fields.get("root") if issubclass(model, RootModel) else None
    if root is None or not isinstance(root.discriminator, str):
        return "", frozenset()
    tags: set[str] = set()
    for member in get_args(root.annotation):
        field = getattr(member, "model_fields", {}).get(root.discriminator)
        tags.update(get_args(field.annotation) if field is not None else ())
    return root.discriminator, frozenset(tags)


def violations_of(
    exc: ValidationError, location: str = "body", model: type[BaseModel] | None = None
) -> list[Violation]:
    field, tags = _discriminated(model) if model is not None else ("", frozenset[str]())
    out = []
    for error in exc.errors(include_url=False):
        loc, kind, message = error["loc"], error["type"], explain(error)
        if loc and loc[0] in tags:
            loc = loc[1:]
        if kind == "union_tag_not_found":
            loc, kind, message = (field,), "missing", _MESSAGES["missing"]
        elif kind == "union_tag_invalid":
            shown = ", ".join(sorted(tags))
            loc, message = (field,), f"expected one of {shown}, got {json_type((error.get('ctx') or {}).get('tag'))}"
        out.append(Violation(json_pointer(loc), message, kind, location))
    return out


def validate(
    model: type[M], data: Any, location: str = "body", *, strict: bool = False
) -> tuple[M | None, list[Violation]]:
    """The model instance, or ``None`` and the list of every violation. Lax by default (query
    parameters are text); ``strict`` for decoded JSON, such as a provider's answer."""
    try:
        return model.model_validate(data, strict=strict), []
    except ValidationError as exc:
        return None, violations_of(exc, location, model)


def validate_json(model: type[M], raw: bytes | str, location: str = "body") -> tuple[M | None, list[Violation]]:
    """``raw`` (JSON text) as ``model`` in strict mode, or ``None`` and every violation."""
    try:
        return model.model_validate_json(raw, strict=True), []
    except ValidationError as exc:
        return None, violations_of(exc, location, model)


STRICT_INTEGER = (
    'Strict: a JSON integer written without a fraction or an exponent (10; 10.0, 1e1 and "10" are refused).'
)
STRICT_BOOLEAN = 'Strict: true or false only (1 and "true" are refused).'


def schema_nodes(schema: Any) -> Iterator[dict[str, Any]]:
    """Every object of a JSON Schema (or an OpenAPI document), innermost first: for adding to each."""
    if isinstance(schema, list):
        for item in schema:
            yield from schema_nodes(item)
    elif isinstance(schema, dict):
        for value in schema.values():
            yield from schema_nodes(value)
        yield schema


def published(schema: Any) -> Any:
    """``schema`` (a JSON Schema or an OpenAPI document) with what strict validation adds to JSON
    Schema said in each ``integer`` and ``boolean``'s ``description``, so that the published document
    and the check agree (JSON Schema itself counts ``10.0`` as an integer). Changed in place."""
    for node in schema_nodes(schema):
        note = {"integer": STRICT_INTEGER, "boolean": STRICT_BOOLEAN}.get(str(node.get("type")))
        if note is not None:
            described = node.get("description")
            if not isinstance(described, str):
                node["description"] = note
            elif note not in described:
                node["description"] = f"{described.rstrip()} {note}"
    return schema
