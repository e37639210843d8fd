"""The LGSP tier: a hub running as a province's or ministry's LGSP in front of an NGSP hub.

Its local services it serves itself. A national service (``upstream: true`` in its topology) it forwards to
the NGSP hub as its own client (the topology's ``upstream.client``, with that client's access rights
there), on the NGSP hub's real wire: ``/r1/{service}{path}`` with ``X-Road-Client`` set to the LGSP. The
call is forwarded as the caller sent it (method, path below the service, query, body, the caller's headers
as :func:`~ngsp_sim.hub.headers.forwarded_headers` passes them): the NGSP hub validates and adapts it.

- **One exchange, one identity.** The ``X-Road-Id`` the LGSP received (or generated) and its trace
  (``traceparent``, the LGSP's span as the parent) go with the call, so both hubs' message logs hold a
  record with the same ``messageId`` and ``traceId``.
- **Errors intact, the tier named.** An error the NGSP hub decided (it carries ``X-Road-Error``) reaches
  the caller with the same status, body and ``X-Road-Error``, and ``X-NGSP-Tier: ngsp`` (a gateway-style
  caller gets it as the same error's WSO2-style fault, as the LGSP renders its own); an error the LGSP
  decided itself carries ``X-NGSP-Tier: lgsp`` (the pipeline adds :data:`TIER_HEADER` to each hub's own
  errors: ``ngsp`` on a hub without upstream). A provider's own error is the provider's, passed on untagged.
- **Connection models** (Circular 13/2017/TT-BTTTT), per client subsystem (``model``):
  :func:`model_refusal`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from multidict import CIMultiDict, MultiMapping

from adapters.base import NativeRequest, NativeResponse
from ngsp_sim.config import HubConfig
from ngsp_sim.errors import AccessDenied, hub_error_of
from ngsp_sim.hub.headers import merged_headers, returned_headers
from ngsp_sim.hub.paths import R1Target
from ngsp_sim.hub.responses import Style
from ngsp_sim.identifiers import SubsystemId
from ngsp_sim.registry import Registry, Upstream

__all__ = ["TIER_HEADER", "UpstreamAnswer", "model_refusal", "upstream_answer", "upstream_of", "upstream_request"]

TIER_HEADER = "X-NGSP-Tier"
"""Names the tier that decided an error: ``lgsp`` or ``ngsp`` (ngsp-sim's own header, illustrative)."""


def upstream_of(registry: Registry, config: HubConfig) -> Upstream | None:
    """The registry's upstream, its URL replaced by ``--upstream`` when given; ``None``: not an LGSP."""
    if registry.upstream is None:
        return None
    return Upstream(config.upstream or registry.upstream.url, registry.upstream.client)


def upstream_request(
    caller: SubsystemId,
    target: R1Target,
    method: str,
    query: MultiMapping[str],
    body: bytes,
    forwarded: CIMultiDict[str],
) -> NativeRequest:
    """The call as the NGSP hub receives it from the LGSP ``caller``: ``forwarded`` carries the exchange's
    ``X-Road-Id`` and ``traceparent`` (and the caller's own headers); ``X-Road-Client`` is the LGSP's."""
    rest = "" if target.rest == "/" else target.rest
    headers = merged_headers(forwarded, {"X-Road-Client": str(caller)})
    return NativeRequest(method, f"/r1/{target.service}{rest}", tuple(query.items()), headers, body)


@dataclass(frozen=True, slots=True)
class UpstreamAnswer:
    status: int
    body: bytes
    headers: dict[str, str]
    fault: tuple[str, str] | None
    """(type, message) of an error the NGSP hub decided, for the LGSP's own record."""


def upstream_answer(response: NativeResponse, style: Style = "xroad") -> UpstreamAnswer:
    """The NGSP hub's answer as the LGSP passes it on: status and body as they are, the headers a provider's
    would pass (:func:`returned_headers`) with its ``Content-Type``, and on an error the NGSP hub decided
    its ``X-Road-Error`` and the tier that decided it. To a gateway-style caller (``style``) such an error
    is the WSO2-style fault of the same error (its code and status, NGSP's type and message), as a
    one-tier hub answers that caller: :func:`_as_fault`."""
    found = CIMultiDict(response.headers)
    headers = returned_headers(response.headers)
    if content_type := found.get("Content-Type"):
        headers["Content-Type"] = content_type
    error = found.get("X-Road-Error")
    if error is None:
        return UpstreamAnswer(response.status, response.body, headers, None)
    headers[TIER_HEADER] = found.get(TIER_HEADER, "ngsp")
    body = _error_body(response.body)
    fault = (error, str(body.get("message") or "the NGSP hub refused the call (see the response body)"))
    error_class = hub_error_of(error)
    if style != "gateway" or error_class is None:
        headers["X-Road-Error"] = error
        return UpstreamAnswer(response.status, response.body, headers, fault)
    headers["Content-Type"] = "application/json; charset=utf-8"
    detail = body.get("detail")
    rendered = error_class.fault_of(error, fault[1], str(detail) if detail else None, body.get("violations"))
    return UpstreamAnswer(error_class.gateway_status(), orjson.dumps(rendered), headers, fault)


def _error_body(body: bytes) -> dict[str, Any]:
    """The X-Road error body (``type``, ``message``, ``detail``...) as JSON, or nothing usable."""
    try:
        found = orjson.loads(body)
    except orjson.JSONDecodeError:
        return {}
    return found if isinstance(found, dict) else {}


def model_refusal(registry: Registry, client: SubsystemId, service: str, national: bool) -> AccessDenied | None:
    """Why the client's Circular 13 connection model does not let it make this call here, if it does not:

    - ``direct``: it connects to its peer directly, through no platform: every hub refuses it;
    - ``ngsp``: it connects to NGSP only: an LGSP refuses it;
    - ``lgsp``: it connects through the LGSP only (local exchange): a national service is refused;
    - ``lgsp_ngsp`` (or none given): no restriction.
    """
    sub = registry.subsystems.get(client)
    model = sub.model if sub is not None else None
    if model == "direct":
        return AccessDenied(
            f"{client} connects directly to its peer (Circular 13 model 4), not through this platform",
            detail="Thông tư 13/2017/TT-BTTTT: hệ thống kết nối trực tiếp, không qua nền tảng / "
            "connected directly, not through the platform",
        )
    if model == "ngsp" and registry.upstream is not None:
        return AccessDenied(
            f"{client} connects to NGSP only (Circular 13 model 2): call the NGSP hub, not this LGSP",
            detail="Thông tư 13/2017/TT-BTTTT: hệ thống chỉ kết nối NGSP / connected to NGSP only",
        )
    if model == "lgsp" and national:
        return AccessDenied(
            f"{client} connects through the LGSP only (local exchange, Circular 13 model 3): "
            f"{service} is a national service, reached through NGSP",
            detail="Thông tư 13/2017/TT-BTTTT: hệ thống chỉ trao đổi nội bộ qua LGSP / local exchange only",
        )
    return None
