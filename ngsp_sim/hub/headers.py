"""Header hygiene between a caller and a provider: what crosses the hub, and what never does
(PR-REST 4.3), and the request hash that binds a response to the request it answers.

- **Request** (:func:`forwarded_headers`): every header the caller sent reaches the provider (user
  defined headers, ``Accept``, ``Cache-Control``, ``Pragma``, ``X-Road-*``...) except the filtered ones
  (hop-by-hop, any that ``Connection`` names, ``Host``, ``User-Agent``, ``Server``), those the hub
  handles itself (``Content-Length``, ``Expect``; ``Accept-Encoding`` and ``Content-Encoding``: the
  hub checks the decoded body and negotiates compression with the provider on its own connection;
  ``Authorization``: the hub's own access token, consumed on ``/r1`` and gateway paths, as are the
  ``AppName``/``AccessKey``/``SecretKey`` credentials;
  ``X-Road-Request-Hash`` and ``X-Road-Request-Id``, which only the hub sets) and the trace context,
  which the hub re-parents. The adapter's protocol headers (``Content-Type`` of the body it
  rendered, ``SOAPAction``...) win over the caller's: the provider receives exactly what was checked.
- **Response** (:func:`returned_headers`): the provider's headers reach the caller (``Cache-Control``,
  ``ETag``, its own ``X-*``...) except the same filtered ones, ``Content-Length``/``Content-Encoding``
  (the hub writes the body), ``Date`` and the ``X-Road-*`` headers that the hub sets itself.
- **Request hash** (:func:`request_hash`): base64 SHA-512(SHA-512(head) + SHA-512(body)), SHA-512(head)
  without a body, where the head is the request as X-Road serialises it (method, target, headers).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping

from multidict import CIMultiDict, CIMultiDictProxy

from ngsp_sim.monitoring.tracing import TraceContext

__all__ = ["HOP_BY_HOP", "forwarded_headers", "merged_headers", "request_hash", "returned_headers"]

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
FILTERED = HOP_BY_HOP | {"host", "user-agent", "server", "content-length", "expect"}
"""Never passed on, either way (PR-REST 4.3 "Filtered headers", "Specially handled headers")."""
_HUB_SET = frozenset(
    {
        "x-road-client",
        "x-road-service",
        "x-road-id",
        "x-road-request-id",
        "x-road-request-hash",
        "x-road-error",
        "x-ngsp-violations",
        "x-ngsp-tier",
    }
)
"""The headers the hub writes on a response (``X-Road-*``, observe mode's count of violations, the tier
that decided an error); a provider's own are replaced."""
_NOT_FORWARDED = FILTERED | {
    "accept-encoding",
    "content-encoding",
    "authorization",
    "x-road-request-hash",
    "x-road-request-id",
    "traceparent",
    "tracestate",
    "appname",
    "accesskey",
    "secretkey",
}
_NOT_HASHED = FILTERED | {"x-road-request-id", "x-road-request-hash"}
_NOT_RETURNED = FILTERED | _HUB_SET | {"content-encoding", "content-type", "date"}


def _connection_named(headers: Mapping[str, str] | CIMultiDictProxy[str]) -> set[str]:
    values = headers.getall("Connection", []) if isinstance(headers, CIMultiDictProxy) else [headers.get("Connection")]
    return {t.strip().lower() for v in values if v for t in v.split(",")}


def forwarded_headers(headers: CIMultiDictProxy[str], message_id: str, trace: TraceContext) -> CIMultiDict[str]:
    """What of the caller's headers reaches the provider (see above), with the hub's ``X-Road-Id`` and
    the trace context with the hub's own span as the provider's parent."""
    named = _connection_named(headers)
    out: CIMultiDict[str] = CIMultiDict(
        (k, v) for k, v in headers.items() if k.lower() not in _NOT_FORWARDED and k.lower() not in named
    )
    out["X-Road-Id"] = message_id
    out["traceparent"] = trace.header()
    if (state := headers.get("tracestate")) and "tracestate" not in named:
        out["tracestate"] = state
    return out


def merged_headers(forwarded: CIMultiDict[str], protocol: Mapping[str, str]) -> dict[str, str]:
    """The caller's forwarded headers under the adapter's ``protocol`` headers (which win, by name
    whatever its case). ``Accept`` is the caller's when it sent one: it must reach the provider."""
    out = CIMultiDict(forwarded)
    for name, value in protocol.items():
        if name.lower() == "accept" and "Accept" in forwarded:
            continue
        out[name] = value
    return {name: ", ".join(out.getall(name)) for name in dict.fromkeys(out)}  # one line per name


def returned_headers(native: Mapping[str, str]) -> dict[str, str]:
    """What of the provider's response headers reaches the caller (see above)."""
    named = _connection_named(native)
    return {k: v for k, v in native.items() if k.lower() not in _NOT_RETURNED and k.lower() not in named}


def request_hash(
    method: str,
    target: str,
    headers: Iterable[tuple[str, str]],
    request_id: str,
    body: bytes,
    generated_id: str | None = None,
) -> str:
    """``X-Road-Request-Hash`` of a request (PR-REST 4.3). The head is serialised as X-Road's own
    security server does: ``METHOD`` CRLF, the target as sent (path and query) CRLF, then each header
    the caller sent as ``Name:value`` CRLF in its order (filtered ones and any ``X-Road-Request-Id`` or
    ``-Hash`` left out), then ``X-Road-Request-Id:{request_id}`` CRLF and, when the caller sent no
    ``X-Road-Id``, ``X-Road-Id:{generated_id}`` CRLF. Every request has its own id, so two identical
    requests never share a hash."""
    lines = [method, target]
    lines += [f"{k}:{v}" for k, v in headers if k.lower() not in _NOT_HASHED]
    lines.append(f"X-Road-Request-Id:{request_id}")
    if generated_id is not None:
        lines.append(f"X-Road-Id:{generated_id}")
    head = "".join(line + "\r\n" for line in lines).encode("utf-8", "surrogateescape")
    digest = hashlib.sha512(head).digest()
    if body:
        digest = hashlib.sha512(digest + hashlib.sha512(body).digest()).digest()
    return base64.b64encode(digest).decode()
