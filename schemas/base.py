"""The base every wire model shares: exact wire names, unknown fields rejected.

Rejecting unknown fields is deliberate: a connector that sends ``SoDinhdanh`` instead of ``SoDinhDanh``
gets told so, instead of a "not found" that takes an afternoon to explain.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["INT64_MAX", "INT64_MIN", "WireModel", "exactly_one_of", "one_of_required"]


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
"""The range of a JSON integer as the real systems hold one (a 64-bit ``long``): every integer field
of a wire model is bounded by it at least, so a larger number is a violation (said in the published
schema), never an overflow in a provider or in the hub's JSON writer."""


class WireModel(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=False, frozen=True)


def one_of_required(*names: str) -> dict[str, Any]:
    """JSON Schema for "at least one of these fields, not null": what a model validator checks, said
    in the published contract too (so that generated clients and fuzzers know it).

    Said as "not all of them absent or null" rather than as a top-level ``anyOf`` of one-field
    objects: generators (openapi-python-client) read an ``anyOf`` beside ``properties`` as a union of
    those small objects and build a model holding only the first field."""
    return {"not": {"properties": {n: {"type": "null"} for n in names}}}


def exactly_one_of(*names: str) -> dict[str, Any]:
    """JSON Schema for "exactly one of these fields, not null" (``give either client or group``): what
    a model validator or a handler checks, said in the published contract too. Said as "not (none of
    them, or two of them)": a ``not`` is what generators leave alone, where a ``oneOf`` beside
    ``properties`` would make them build a model of one field."""
    null, given = {"type": "null"}, {"not": {"type": "null"}}
    none = {"properties": {n: null for n in names}}
    two = [{"required": [a, b], "properties": {a: given, b: given}} for a, b in combinations(names, 2)]
    return {"not": {"anyOf": [none, *two]}}
