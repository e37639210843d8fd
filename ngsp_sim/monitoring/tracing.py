"""W3C Trace Context (``traceparent``): the hub joins the caller's trace, or starts one, and calls the
provider as a new span of it, so an integrator can follow one request across agencies."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ngsp_sim.randomness import token_hex

__all__ = ["TraceContext", "trace_from"]

_TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")


@dataclass(frozen=True, slots=True)
class TraceContext:
    trace_id: str
    parent_id: str | None
    """The caller's span, when the caller sent a valid ``traceparent``."""
    span_id: str
    """The hub's own span: providers see it as their parent."""
    flags: str

    def header(self) -> str:
        return f"00-{self.trace_id}-{self.span_id}-{self.flags}"


def trace_from(traceparent: str | None) -> TraceContext:
    """Join a valid ``traceparent`` (version 00, non-zero ids); otherwise start a new trace."""
    match = _TRACEPARENT.fullmatch((traceparent or "").strip())
    if match and set(match[1]) != {"0"} and set(match[2]) != {"0"}:
        return TraceContext(match[1], match[2], token_hex(8), match[3])
    return TraceContext(token_hex(16), None, token_hex(8), "01")
