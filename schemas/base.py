"""The base every wire model shares: exact wire names, unknown fields rejected.

Rejecting unknown fields is deliberate: a connector that sends ``SoDinhdanh`` instead of ``SoDinhDanh``
gets told so, instead of a "not found" that takes an afternoon to explain.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["WireModel", "one_of_required"]


class WireModel(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=False, frozen=True)


def one_of_required(*names: str) -> dict[str, Any]:
    """JSON Schema for "at least one of these fields, not null": what a model validator checks, said
    in the published contract too (so that generated clients and fuzzers know it).

    Said as "not all of them absent or null" rather than as a top-level ``anyOf`` of one-field
    objects: generators (openapi-python-client) read an ``anyOf`` beside ``properties`` as a union of
    those small objects and build a model holding only the first field."""
    return {"not": {"properties": {n: {"type": "null"} for n in names}}}
