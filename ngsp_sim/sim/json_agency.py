"""The base of simulated agencies whose native API is JSON: each route names its request model from
``schemas/`` (the contract the adapter sends), and the handler receives the validated model.

A body that is not JSON, or that breaks the model, gets the agency's own refusal (its :attr:`invalid`
answer: ``{"status": 0, "errorCode": 100, ...}``, ``{"KetQua": 0, ...}``...), as the real system would
answer a request it cannot read, never a crash. The hub validates with the same models before it
forwards, so through the hub only a direct caller (``agency run``, a conformance run) meets it. The
mechanism (:meth:`~ngsp_sim.sim.base.SimulatedAgency.taking`) lives in the base of every agency.
"""

from __future__ import annotations

from typing import Any, ClassVar

import orjson

from ngsp_sim.sim.base import SimulatedAgency

__all__ = ["JsonAgency", "read_object"]


def read_object(body: bytes) -> dict[str, Any] | None:
    """A JSON object, or None: for the native calls that no wire model describes (a session envelope
    around each service's fields, a document system's own form)."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


class JsonAgency(SimulatedAgency):
    """Subclasses set :attr:`invalid` and build routes with :meth:`taking`."""

    invalid_status: ClassVar[int] = 200
