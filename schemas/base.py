"""The base every wire model shares: exact wire names, unknown fields rejected.

Rejecting unknown fields is deliberate: a connector that sends ``SoDinhdanh`` instead of ``SoDinhDanh``
gets told so, instead of a "not found" that takes an afternoon to explain.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["WireModel"]


class WireModel(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=False, frozen=True)
