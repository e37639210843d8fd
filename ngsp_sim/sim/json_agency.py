"""The base of simulated agencies whose native API is JSON: each route names its request model from
``schemas/`` (the contract the adapter sends), and the handler receives the validated model.

A body that is not JSON, or that breaks the model, gets the agency's own refusal (its :attr:`invalid`
answer: ``{"status": 0, "errorCode": 100, ...}``, ``{"KetQua": 0, ...}``...), as the real system would
answer a request it cannot read, never a crash. The hub validates with the same models before it
forwards, so through the hub only a direct caller (``agency run``, a conformance run) meets it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, ClassVar, TypeVar

import orjson
from pydantic import BaseModel, ValidationError

from adapters.base import NativeRequest, NativeResponse
from ngsp_sim.sim.base import Handler, SimulatedAgency, json_reply

__all__ = ["JsonAgency", "read_object"]

M = TypeVar("M", bound=BaseModel)


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

    invalid: ClassVar[Mapping[str, Any]]
    """The agency's native answer to a request it cannot read."""
    invalid_status: ClassVar[int] = 200
    """Most government systems refuse inside a 200 (``status: 0``); a REST-minded one uses a 4xx."""

    def taking(
        self,
        model: type[M],
        handler: Callable[[M], Awaitable[NativeResponse]],
        invalid: Mapping[str, Any] | None = None,
    ) -> Handler:
        """A route handler: ``handler`` gets the body validated by ``model``; an unreadable body gets
        ``invalid`` (by default the agency's :attr:`invalid`)."""
        refusal = dict(self.invalid if invalid is None else invalid)

        async def handle(request: NativeRequest) -> NativeResponse:
            try:
                body = model.model_validate_json(request.body)
            except ValidationError:
                return json_reply(refusal, self.invalid_status)
            return await handler(body)

        return handle
