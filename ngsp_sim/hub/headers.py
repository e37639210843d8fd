"""Header hygiene between a caller and a provider: what crosses the hub, and what never does."""

from __future__ import annotations

from multidict import CIMultiDictProxy

from ngsp_sim.monitoring.tracing import TraceContext

__all__ = ["HOP_BY_HOP", "forwarded_headers"]

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)


def forwarded_headers(headers: CIMultiDictProxy[str], message_id: str, trace: TraceContext) -> dict[str, str]:
    """The caller's ``X-Road-*`` headers, minus any the ``Connection`` header marks hop-by-hop, and
    the trace context with the hub's own span as the provider's parent."""
    named = {t.strip().lower() for v in headers.getall("Connection", []) for t in v.split(",")}
    out = {
        k: v
        for k, v in headers.items()
        if k.lower().startswith("x-road-") and k.lower() not in named and k.lower() not in HOP_BY_HOP
    }
    out["X-Road-Id"] = message_id
    out["traceparent"] = trace.header()
    if (state := headers.get("tracestate")) and "tracestate" not in named:
        out["tracestate"] = state
    return out
