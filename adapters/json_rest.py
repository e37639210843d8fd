"""Providers whose native API already is JSON over REST: the adapter maps the service to the
provider's own path and method, carries query and body, and decodes the JSON reply.

Subclasses give ``native_paths`` (operation code -> path at the provider). The hub's JSON form of these
services is the provider's own JSON, wire names unchanged (e.g. the business registry's UPPERCASE).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import orjson

from adapters.base import Adapter, Exchange, HubCall, HubReply, NativeFormatError, NativeRequest

__all__ = ["JsonRestAdapter", "decode_json"]


def decode_json(body: bytes) -> Any:
    if not body:
        raise NativeFormatError("the provider answered with an empty body where JSON was expected")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise NativeFormatError(f"the provider's answer is not JSON: {exc}") from None


class JsonRestAdapter(Adapter):
    native_paths: ClassVar[Mapping[str, str]]

    def exchange(self, call: HubCall) -> Exchange:
        query: tuple[tuple[str, str], ...] = ()
        if call.query is not None:
            query = tuple(
                (k, str(v)) for k, v in call.query.model_dump(mode="json", exclude_none=True, warnings=False).items()
            )
        body = b""
        headers = {"Accept": "application/json"}
        if call.payload is not None:
            body = orjson.dumps(call.payload.model_dump(mode="json", exclude_unset=True, warnings=False))
            headers["Content-Type"] = "application/json"
        suffix = "" if call.path == "/" else call.path
        native = yield NativeRequest(
            call.method, self.native_paths[call.operation] + suffix, query=query, headers=headers, body=body
        )
        if 300 <= native.status < 400:  # returned to the caller, never followed
            location = native.headers.get("Location")
            return HubReply(native.status, None, {"Location": location} if location else {})
        return HubReply(native.status, decode_json(native.body))
