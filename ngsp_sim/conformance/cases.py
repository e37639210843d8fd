"""Requests for provider conformance, derived from a request model and one valid example.

- **valid**: the example with one to three fields replaced by values drawn (hypothesis, seeded) from the
  field's JSON Schema, kept only when the whole request still passes the model;
- **boundary**: one field at an edge of its schema (shortest and longest string, smallest and largest
  number, each enumerated value, an optional field left out), kept only when still valid;
- **invalid**: one field wrong (missing when required, of the wrong type, past a length or range, not
  matching its pattern) or one field the model does not know, kept only when the model refuses it;
- **protocol**: the example's native request damaged on the wire (:func:`protocol_cases`): a body cut
  short or empty, a query parameter given twice.

Boundary and invalid cases reach into nested objects too (``edXMLHeader/MessageHeader/Subject``), named
by their path. When the wire carries text (query parameters, XML), ``wire`` says what the provider reads
of a request: an invalid case is kept only when what arrives is still invalid (``"12345"`` for a string
field is a string once in XML, and no provider could tell).

The same seed gives the same requests, in the same order.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

__all__ = ["Case", "generate_cases", "json_bytes", "protocol_cases"]

Kind = Literal["valid", "boundary", "invalid", "protocol"]
Damage = Literal["truncated", "empty", "repeated"]
Wire = Callable[[dict[str, Any]], dict[str, Any]]
"""A request as the provider reads it back from the wire (text for query parameters and XML)."""
Path = tuple[str, ...]
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY0123456789 -"


@dataclass(frozen=True, slots=True)
class Case:
    kind: Kind
    name: str
    payload: dict[str, Any]
    damage: Damage | None = None
    """For a ``protocol`` case: what is done to the valid native request on its way (its body cut
    short or emptied, its first query parameter given twice)."""


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        target = defs[schema["$ref"].rsplit("/", 1)[-1]]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def strategy(schema: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values of a JSON Schema (the subset pydantic emits)."""
    schema = _resolve(schema, defs)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of([strategy(s, defs) for s in schema[key]])
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([strategy({**schema, "type": k}, defs) for k in kind])
    if kind == "string":
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        if "pattern" in schema:
            text = st.from_regex(schema["pattern"], fullmatch=True)
            return text.filter(lambda v: len(v) >= low and (high is None or len(v) <= high))
        return st.text(alphabet=_ALPHABET, min_size=low, max_size=max(low, min(high or 40, 40)))
    if kind == "integer":
        return st.integers(schema.get("minimum", -(10**6)), schema.get("maximum", 10**9))
    if kind == "number":
        return st.floats(schema.get("minimum", -1e6), schema.get("maximum", 1e9), allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        items = strategy(schema.get("items", {}), defs)
        return st.lists(items, min_size=schema.get("minItems", 0), max_size=min(schema.get("maxItems", 3), 3))
    if kind == "object" and "properties" in schema:
        required = set(schema.get("required", []))
        props = schema["properties"]
        return st.fixed_dictionaries(
            {k: strategy(v, defs) for k, v in props.items() if k in required},
            optional={k: strategy(v, defs) for k, v in props.items() if k not in required},
        )
    return st.none()


def _collect(values: st.SearchStrategy[Any], count: int, seed: int) -> list[Any]:
    """``count`` draws of ``values``, reproducibly from ``seed`` (hypothesis outside a test)."""
    drawn: list[Any] = []

    @hypothesis_seed(seed)
    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(values)
    def draw(value: Any) -> None:
        drawn.append(value)

    draw()
    return drawn


def json_bytes(payload: Any, *, indent: bool = False) -> bytes:
    """A case's JSON as sent and reported. The standard library's encoder, not orjson: a boundary or
    invalid case may hold an integer beyond 64 bits (one past a published ``maximum``), which orjson
    cannot write."""
    return json.dumps(payload, ensure_ascii=False, indent=2 if indent else None).encode()


def _valid(model: type[BaseModel], payload: dict[str, Any] | None) -> bool:
    """Whether the model takes ``payload`` as JSON bytes, as the hub reads a request."""
    if payload is None:
        return False
    try:
        model.model_validate_json(json_bytes(payload))
    except (ValidationError, TypeError, ValueError):
        return False
    return True


def _boundaries(name: str, prop: dict[str, Any], required: bool) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if "pattern" not in prop:
        for edge in ("minLength", "maxLength"):
            if edge in prop and prop.get("type") == "string":
                out.append((f"{name} at {edge} {prop[edge]}", "A" * max(prop[edge], 0)))
    for edge in ("minimum", "maximum"):
        if edge in prop:
            out.append((f"{name} at {edge} {prop[edge]}", prop[edge]))
    out += [(f"{name} = {value!r}", value) for value in prop.get("enum", [])]
    if not required:
        out.append((f"{name} left out", _OMIT))
    return out


def _wrongs(name: str, prop: dict[str, Any], required: bool) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if required:
        out.append((f"{name} missing", _OMIT))
    kind = prop.get("type")
    out.append((f"{name} of the wrong type", 12345 if kind in ("string", None) else "not-a-" + str(kind)))
    if "maxLength" in prop:
        out.append((f"{name} longer than maxLength {prop['maxLength']}", "A" * (prop["maxLength"] + 1)))
    if prop.get("minLength", 0) > 0:
        out.append((f"{name} shorter than minLength {prop['minLength']}", "A" * (prop["minLength"] - 1)))
    if "maximum" in prop:
        out.append((f"{name} above maximum {prop['maximum']}", prop["maximum"] + 1))
    if "minimum" in prop:
        out.append((f"{name} below minimum {prop['minimum']}", prop["minimum"] - 1))
    if "pattern" in prop:
        out.append((f"{name} not matching {prop['pattern']}", "!?"))
    return out


_OMIT = object()


def _with(payload: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    """``payload`` with the field at ``path`` set to ``value`` (or left out), copying on the way down."""
    changed = dict(payload)
    if len(path) > 1:
        changed[path[0]] = _with(changed[path[0]], path[1:], value)
    elif value is _OMIT:
        changed.pop(path[0], None)
    else:
        changed[path[0]] = value
    return changed


def _object(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any] | None:
    """The object schema a property holds (through ``$ref`` and an optional ``anyOf [X, null]``)."""
    if "properties" in prop:  # an object (its own anyOf, if any, only says which fields it needs)
        return prop
    branches = [_resolve(b, defs) for b in prop.get("anyOf", [])]
    objects = [b for b in branches if "properties" in b]
    return objects[0] if len(objects) == 1 else None


def _optional(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """An optional field (``anyOf [X, null]``) read as X, so that X's rules (pattern, lengths, range)
    give their cases too."""
    branches = prop.get("anyOf", [])
    kept = [b for b in branches if b.get("type") != "null"]
    if len(branches) == 2 and len(kept) == 1:
        return {**{k: v for k, v in prop.items() if k != "anyOf"}, **_resolve(kept[0], defs)}
    return prop


def _fields(
    schema: dict[str, Any], defs: dict[str, Any], example: dict[str, Any], path: Path = ()
) -> list[tuple[Path, dict[str, Any], bool]]:
    """(path, schema, required) of every field, nested objects the example fills included."""
    out = []
    required = set(schema.get("required", []))
    for name, raw in schema.get("properties", {}).items():
        prop = _optional(_resolve(raw, defs), defs)
        out.append(((*path, name), prop, name in required))
        inner = _object(prop, defs)
        if inner is not None and isinstance(example.get(name), dict):
            out += _fields(inner, defs, example[name], (*path, name))
    return out


def _schema(model: type[BaseModel], example: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The object schema ``example`` is an instance of, and the ``$defs`` it refers to: the model's own,
    or, for a discriminated union (``dangKyHoTich``: ``module`` LTKS or LTKT), the branch the
    example's discriminator names, so that cases vary what that branch holds."""
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    if (chosen := schema.get("discriminator")) and chosen["propertyName"] in example:
        target = chosen.get("mapping", {}).get(str(example[chosen["propertyName"]]))
        if target is not None:
            schema = _resolve({"$ref": target}, defs)
    return schema, defs


def _edges(
    model: type[BaseModel],
    example: dict[str, Any],
    kind: Kind,
    make: Callable[[str, dict[str, Any], bool], list[Any]],
    wire: Wire,
) -> list[Case]:
    schema, defs = _schema(model, example)
    cases = []
    for path, prop, required in _fields(schema, defs, example):
        for label, value in make("/".join(path), prop, required):
            payload = _with(example, path, value)
            if kind == "boundary":
                keep = _valid(model, payload)
            else:  # invalid as written, and still invalid as the provider reads it
                keep = not _valid(model, payload) and not _valid(model, _read(wire, payload))
            if keep:
                cases.append(Case(kind, f"{kind}: {label}", payload))
    return cases


def _read(wire: Wire, payload: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return wire(payload)
    except ValueError:  # what cannot even be written (an element name XML refuses) stays invalid
        return None


def _same(payload: dict[str, Any]) -> dict[str, Any]:
    return payload


def generate_cases(
    model: type[BaseModel], example: dict[str, Any], count: int = 20, seed: int = 0, wire: Wire = _same
) -> list[Case]:
    """The valid, boundary and invalid requests (at most ``count`` valid ones) from ``example``; ``wire``
    (JSON: as it is) reads a request back as the provider receives it."""
    if not _valid(model, example):
        raise ValueError(f"the example is not a valid {model.__name__}; conformance starts from a valid request")
    schema, defs = _schema(model, example)
    props = schema.get("properties", {})
    names = sorted(props)
    fields = {name: strategy(props[name], defs) for name in names}
    changes = st.lists(st.sampled_from(names), min_size=1, max_size=min(3, len(names)), unique=True).flatmap(
        lambda chosen: st.fixed_dictionaries({n: fields[n] for n in chosen})
    )
    valid: list[Case] = []
    seen: set[str] = set()
    for drawn in _collect(changes, count * 5, seed):
        payload = {**example, **drawn}
        key = repr(sorted(payload.items()))
        if key not in seen and _valid(model, payload):
            seen.add(key)
            valid.append(Case("valid", f"valid #{len(valid) + 1}: {', '.join(sorted(drawn))} drawn", payload))
        if len(valid) >= count:
            break
    cases = [Case("valid", "valid: the example", dict(example)), *valid]
    cases += _edges(model, example, "boundary", _boundaries, wire)
    cases += _edges(model, example, "invalid", _wrongs, wire)
    unknown = {**example, "TruongKhongTonTai": "x"}
    if not _valid(model, unknown) and not _valid(model, _read(wire, unknown)):
        cases.append(Case("invalid", "invalid: an unknown field TruongKhongTonTai", unknown))
    return cases


def protocol_cases(example: dict[str, Any], form: str) -> list[Case]:
    """Requests the provider cannot read, made from the valid ``example`` as ``form`` carries it
    (``json``, ``xml``, ``query``): each must be refused as the protocol refuses, never crash it."""
    if form in ("json", "xml"):
        return [
            Case("protocol", "protocol: the body cut short (not well-formed)", dict(example), "truncated"),
            Case("protocol", "protocol: an empty body", dict(example), "empty"),
        ]
    if form == "query" and example:
        first = next(iter(example))
        return [Case("protocol", f"protocol: {first} given twice", dict(example), "repeated")]
    return []
