"""What changed between two JSON Schemas, judged for the side that reads the data.

A request is written by the client and read by the provider: the new schema must still accept every
request the old one did, so whatever NARROWS it (a new required field, a narrower type, an enum value
or a pattern taken away) breaks existing clients. A response is written by the provider and read by the
client: the new schema must not produce anything the old one could not, so whatever WIDENS it (a new
type, a new enum value) breaks them, and so does a field that disappears or may now be missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Change", "Direction", "SchemaPair"]

Direction = Literal["request", "response"]

_LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
_NULL = {"type": "null"}
_UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")


@dataclass(frozen=True, slots=True)
class Change:
    """One difference: ``where`` it is (operation, then a pointer into the data), a ``kind`` to filter
    on, a sentence, and whether it breaks clients built on the old contract."""

    breaking: bool
    kind: str
    where: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"breaking": self.breaking, "kind": self.kind, "where": self.where, "message": self.message}


def _types(schema: dict[str, Any]) -> set[str]:
    declared = schema.get("type")
    found = {declared} if isinstance(declared, str) else set(declared or ())
    if "integer" in found and "number" in found:
        found.discard("integer")
    return found


def _closed(schema: dict[str, Any]) -> bool:
    """No property beyond those listed is accepted (pydantic's ``extra="forbid"``)."""
    return schema.get("additionalProperties") is False or schema.get("unevaluatedProperties") is False


@dataclass
class SchemaPair:
    """Compares schemas of two documents, resolving each side's local ``$ref`` in its own document."""

    old_doc: dict[str, Any]
    new_doc: dict[str, Any]
    direction: Direction

    def __post_init__(self) -> None:
        self._seen: set[tuple[int, int]] = set()

    def compare(self, old: Any, new: Any, where: str) -> Iterator[Change]:
        old, new = self.resolve(old, self.old_doc), self.resolve(new, self.new_doc)
        if not isinstance(old, dict) or not isinstance(new, dict) or (id(old), id(new)) in self._seen:
            return
        self._seen.add((id(old), id(new)))
        yield from self._type(old, new, where)
        yield from self._enum(old, new, where)
        yield from self._pattern(old, new, where)
        yield from self._bounds(old, new, where)
        yield from self._properties(old, new, where)
        if "items" in old and "items" in new:
            yield from self.compare(old["items"], new["items"], f"{where}/[]")
        yield from self._alternatives(old, new, where)

    def resolve(self, schema: Any, doc: dict[str, Any]) -> Any:
        hops = 0
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and hops < 64:
            ref: str = schema["$ref"]
            if not ref.startswith("#/"):
                raise ValueError(f"only local references are resolved, not {ref!r}")
            target: Any = doc
            for part in ref[2:].split("/"):
                key = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(target, dict) or key not in target:
                    raise ValueError(f"unresolvable reference {ref!r}")
                target = target[key]
            schema, hops = target, hops + 1
        return schema

    def _judge(self, narrows: bool, widens: bool) -> bool:
        """Breaking: narrowing what a reader accepts, for a request; widening what it gets, for a response."""
        return narrows if self.direction == "request" else widens

    def _change(self, narrows: bool, widens: bool, kind: str, where: str, message: str) -> Change:
        return Change(self._judge(narrows, widens), kind, where, message)

    def _type(self, old: dict[str, Any], new: dict[str, Any], where: str) -> Iterator[Change]:
        before, after = _types(old), _types(new)
        if not before or not after or before == after:
            return
        # integer -> number widens, number -> integer narrows: an integer is a number
        gone = {t for t in before - after if not (t == "integer" and "number" in after)}
        came = {t for t in after - before if not (t == "integer" and "number" in before)}
        text = f"type {'/'.join(sorted(before))} -> {'/'.join(sorted(after))}"
        yield self._change(bool(gone), bool(came), "type_changed", where, text)

    def _enum(self, old: dict[str, Any], new: dict[str, Any], where: str) -> Iterator[Change]:
        if "enum" not in old and "enum" not in new:
            return
        if "enum" not in new:
            yield self._change(False, True, "enum_removed", where, "no longer restricted to a list of values")
            return
        if "enum" not in old:
            yield self._change(True, False, "enum_added", where, f"now restricted to {new['enum']}")
            return
        gone = [v for v in old["enum"] if v not in new["enum"]]
        came = [v for v in new["enum"] if v not in old["enum"]]
        if gone:
            yield self._change(True, False, "enum_narrowed", where, f"values no longer allowed: {gone}")
        if came:
            yield self._change(False, True, "enum_widened", where, f"new values: {came}")

    def _pattern(self, old: dict[str, Any], new: dict[str, Any], where: str) -> Iterator[Change]:
        for key in ("pattern", "format", "const"):
            before, after = old.get(key), new.get(key)
            if before == after:
                continue
            if before is None:
                yield self._change(True, False, f"{key}_added", where, f"{key} {after!r} added")
            elif after is None:
                yield self._change(False, True, f"{key}_removed", where, f"{key} {before!r} removed")
            else:  # which of two patterns accepts more is undecidable here: both ways
                yield Change(True, f"{key}_changed", where, f"{key} {before!r} -> {after!r}")

    def _bounds(self, old: dict[str, Any], new: dict[str, Any], where: str) -> Iterator[Change]:
        for keys, tighter in ((_LOWER_BOUNDS, _gt), (_UPPER_BOUNDS, _lt)):
            for key in keys:
                before, after = old.get(key), new.get(key)
                if before == after:
                    continue
                narrows = before is None or (after is not None and tighter(after, before))
                text = f"{key} {before} -> {after}"
                yield self._change(narrows, not narrows, f"{key}_changed", where, text)

    def _properties(self, old: dict[str, Any], new: dict[str, Any], where: str) -> Iterator[Change]:
        before: dict[str, Any] = old.get("properties") or {}
        after: dict[str, Any] = new.get("properties") or {}
        was, now = set(old.get("required", ())), set(new.get("required", ()))
        for name in before.keys() - after.keys():
            at = f"{where}/{name}"
            if self.direction == "response":
                yield Change(True, "property_removed", at, "removed: clients reading it break")
            elif _closed(new):
                yield Change(True, "property_removed", at, "removed, and the schema refuses unknown properties")
            else:
                yield Change(False, "property_removed", at, "removed (still accepted as an unknown property)")
        for name in after.keys() - before.keys():
            at = f"{where}/{name}"
            if name in now and self.direction == "request":
                yield Change(True, "required_property_added", at, "new REQUIRED property")
            else:
                yield Change(False, "property_added", at, f"new {'required' if name in now else 'optional'} property")
        for name in sorted(before.keys() & after.keys()):
            at = f"{where}/{name}"
            if name in now - was:
                yield self._change(True, False, "became_required", at, "optional -> required")
            elif name in was - now:
                yield self._change(False, True, "became_optional", at, "required -> optional: may be missing")
            yield from self.compare(before[name], after[name], at)

    def _alternatives(self, old: dict[str, Any], new: dict[str, Any], where: str) -> Iterator[Change]:
        for key in ("anyOf", "oneOf"):
            before, after = old.get(key), new.get(key)
            if not isinstance(before, list) or not isinstance(after, list):
                continue
            nullable = (_NULL in before, _NULL in after)
            if nullable[0] != nullable[1]:  # Optional[X] in pydantic: anyOf [X, null]
                text = "may now be null" if nullable[1] else "may no longer be null"
                yield self._change(nullable[0], nullable[1], "nullable_changed", where, text)
            before, after = [v for v in before if v != _NULL], [v for v in after if v != _NULL]
            if len(before) == len(after):
                for i, (a, b) in enumerate(zip(before, after, strict=True)):
                    yield from self.compare(a, b, where if len(before) == 1 else f"{where}({key}[{i}])")
            else:
                text = f"{key}: {len(before)} -> {len(after)} alternatives"
                yield self._change(len(after) < len(before), len(after) > len(before), f"{key}_changed", where, text)


def _gt(a: Any, b: Any) -> bool:
    return bool(a > b)


def _lt(a: Any, b: Any) -> bool:
    return bool(a < b)
