"""The admin API's handlers: message log, health, registry changes, faults, circuits, credentials.

The route table, the token check and the OpenAPI document are in :mod:`ngsp_sim.admin.api`.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import orjson
from aiohttp import web
from pydantic import BaseModel, ValidationError

from ngsp_sim.hub.responses import admin_error as error
from ngsp_sim.hub.runtime import HUB
from ngsp_sim.monitoring.outcome import judge
from ngsp_sim.registry.changes import OPERATIONS, ChangeError
from ngsp_sim.security.credentials import UnknownConsumer
from ngsp_sim.store import MessageQuery, StoredMessage, verify_chain
from ngsp_sim.validation import explain
from schemas.admin import (
    AgencyInfo,
    AgencyList,
    Body,
    ChangeInfo,
    ChangeList,
    CircuitInfo,
    CircuitList,
    CredentialInfo,
    CredentialList,
    FaultInfo,
    FaultList,
    HealthReport,
    MessageDetail,
    MessagePage,
    MessageSummary,
    Names,
    RotatedSecret,
    ServiceHealthInfo,
    ServiceInfo,
    ServiceList,
    SubsystemInfo,
    VerifyReport,
)

__all__ = ["Handler", "change_handler", "error", "int_param", "ok", "parsed_body", "whole_number"]

M = TypeVar("M", bound=BaseModel)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def ok(model: BaseModel, status: int = 200) -> web.Response:
    return web.Response(status=status, body=model.model_dump_json().encode(), content_type="application/json")


def problems_of(exc: ValidationError, whole: str = "", sep: str = "/") -> list[str]:
    """Every error of a strictly validated body as ``where: what was expected, what came``."""
    return [f"{sep.join(map(str, e['loc'])) or whole}: {explain(e)}" for e in exc.errors(include_url=False)]


async def parsed_body(request: web.Request, model: type[M]) -> M | web.Response:
    """``model`` from the JSON body (an empty body is ``{}``), validated strictly (``"1"`` is not an
    integer, ``1`` not a boolean), or the 400 to answer."""
    raw = await request.read() or b"{}"
    try:
        orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return error(400, "invalid", f"the body is not valid JSON: {exc}")
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        return error(400, "invalid", "the body breaks the schema", problems_of(exc))


_WHOLE = re.compile(r"[0-9]+")
_DIGITS = 19
"""Enough for every bound the admin API publishes (2**62, a log position, has 19 digits)."""
_HUGE = 10**_DIGITS
"""What a number of more digits reads as: beyond every range and log position."""


def whole_number(raw: str) -> int | None:
    """``raw`` as a non-negative integer when it is ASCII digits only (no sign, space, ``_``, line
    feed or other script's digits, all of which Python's ``int`` would take), else ``None``."""
    if not _WHOLE.fullmatch(raw):
        return None
    digits = raw.lstrip("0") or "0"
    return int(digits) if len(digits) <= _DIGITS else _HUGE


def int_param(request: web.Request, name: str, default: int | None = None, lo: int = 0, hi: int = 2**62) -> int | None:
    raw = request.query.get(name)
    if raw is None:  # given empty (`?limit=`) it is no whole number: refused below, as documented
        return default
    value = whole_number(raw)
    if value is None:
        raise web.HTTPBadRequest(reason=f"{name} must be a whole number (digits only)")
    if not lo <= value <= hi:
        raise web.HTTPBadRequest(reason=f"{name} must be between {lo} and {hi}")
    return value


def _summary(m: StoredMessage) -> dict[str, Any]:
    return {
        "id": m.id,
        "client": m.client,
        "service": m.service,
        "record": m.record,
        "violations": m.violations,
        "truncated": m.truncated,
        "injected": m.injected,
        **dict(zip(("decidedBy", "outcome"), judge(m.record, m.service, m.client_response), strict=True)),
    }


def _body(raw: bytes | None) -> Body | None:
    if raw is None:
        return None
    try:
        return Body(encoding="utf-8", text=raw.decode("utf-8"), size=len(raw))
    except UnicodeDecodeError:
        return Body(encoding="base64", data=base64.b64encode(raw).decode(), size=len(raw))


async def list_messages(request: web.Request) -> web.Response:
    q = request.query
    succeeded = {"true": True, "false": False, None: None}.get(q.get("succeeded"))
    if q.get("succeeded") not in (None, "true", "false"):
        return error(400, "invalid", "succeeded must be true or false")
    try:
        limit = int_param(request, "limit", 50, 1, 500) or 50
        query = MessageQuery(
            client=q.get("client") or None,
            service=q.get("service") or None,
            succeeded=succeeded,
            fault_code=q.get("fault_code") or None,
            message_id=q.get("message_id") or None,
            since_ms=int_param(request, "since"),
            until_ms=int_param(request, "until"),
            before_id=int_param(request, "cursor"),
            limit=limit,
        )
    except web.HTTPBadRequest as exc:
        return error(400, "invalid", exc.reason)
    items = await request.app[HUB].store.list_messages(query)
    next_cursor = items[-1].id if len(items) == limit else None
    return ok(MessagePage(items=[MessageSummary(**_summary(m)) for m in items], next_cursor=next_cursor))


async def get_message(request: web.Request) -> web.Response:
    pk = whole_number(request.match_info["id"])
    if pk is None:
        return error(400, "invalid", "the message id is the log position, a whole number (digits only)")
    m = await request.app[HUB].store.get_message(pk) if pk < 2**62 else None
    if m is None:
        return error(404, "not_found", f"no message {pk} in the log")
    bodies = {
        n: _body(getattr(m, n)) for n in ("client_request", "provider_request", "provider_response", "client_response")
    }
    return ok(MessageDetail(**_summary(m), bodies=bodies, prev_hash=m.prev_hash, hash=m.hash))


async def health(request: web.Request) -> web.Response:
    hub = request.app[HUB]
    try:
        period = int_param(request, "period", 3600, 1, 366 * 86400) or 3600
    except web.HTTPBadRequest as exc:
        return error(400, "invalid", exc.reason)
    until = int(hub.clock.now() * 1000) + 1
    since = until - period * 1000
    rows = await hub.store.service_health(since, until)
    services = [
        ServiceHealthInfo(
            service=h.service,
            successfulRequestCount=h.successes,
            unsuccessfulRequestCount=h.failures,
            requestMinDuration=h.min_ms,
            requestAverageDuration=h.avg_ms,
            requestMaxDuration=h.max_ms,
            lastSuccessfulRequestTimestamp=h.last_success_ms,
            lastUnsuccessfulRequestTimestamp=h.last_failure_ms,
        )
        for h in rows
    ]
    return ok(HealthReport(since=since, until=until, services=services))


async def verify(request: web.Request) -> web.Response:
    report = await verify_chain(request.app[HUB].store)
    return ok(VerifyReport(ok=report.ok, checked=report.checked, broken_id=report.broken_id, reason=report.reason))


async def list_services(request: web.Request) -> web.Response:
    registry = request.app[HUB].pipeline.table.registry
    items = [
        ServiceInfo(
            service=str(s.id),
            adapter=s.adapter,
            operation=s.operation,
            version=s.version,
            methods=sorted(s.methods),
            provider=s.endpoint or f"simulated ({registry.subsystems[s.id.subsystem].simulator})",
            timeout=s.timeout,
            disabled=s.disabled,
            mode=s.mode,
        )
        for s in sorted(registry.services.values(), key=lambda s: str(s.id))
    ]
    return ok(ServiceList(items=items))


async def _change(request: web.Request, op: str, payload: Any) -> web.Response:
    actor = f"admin@{request.remote or 'unknown'}"
    try:
        change = await request.app[HUB].source.apply(op, payload, actor)
    except ChangeError as exc:
        kind = {404: "not_found", 409: "conflict"}.get(exc.status, "invalid")
        return error(exc.status, kind, exc.message, exc.problems)
    return ok(ChangeInfo(id=change.id, op=change.op, payload=change.payload, actor=change.actor, ts_ms=change.ts_ms))


async def _json(request: web.Request) -> Any:
    try:
        return orjson.loads(await request.read() or b"{}")
    except orjson.JSONDecodeError as exc:
        raise ChangeError(f"the body is not valid JSON: {exc}") from None


def change_handler(op: str, field: str | None = None, param: str = "id") -> Handler:
    """A handler recording change ``op``: the JSON body is its payload; ``field`` (when given) is
    taken from the path parameter ``param``."""

    async def handler(request: web.Request) -> web.Response:
        try:
            body = await _json(request)
        except ChangeError as exc:
            return error(400, "invalid", exc.message)
        if field is not None:
            if not isinstance(body, dict):
                return error(400, "invalid", "the body must be a JSON object")
            body = {**body, field: request.match_info[param]}
        try:  # strictly, as the document says: a stored change may be replayed laxly, a new one may not
            OPERATIONS[op][0].model_validate(body, strict=True)
        except ValidationError as exc:
            return error(400, "invalid", f"invalid {op}", problems_of(exc, op, "."))
        return await _change(request, op, body)

    handler.__name__ = op
    return handler


async def list_agencies(request: web.Request) -> web.Response:
    """Agencies and their subsystems, with names in both languages: what the dashboard's map draws."""
    registry = request.app[HUB].pipeline.table.registry
    provided: dict[Any, list[str]] = {}
    for service_id in registry.services:
        provided.setdefault(service_id.subsystem, []).append(service_id.service_code)
    items = []
    for member, agency in registry.agencies.items():
        subs = [
            SubsystemInfo(
                id=str(s.id),
                name=Names(vi=s.name_vi, en=s.name_en),
                simulator=s.simulator,
                services=provided.get(s.id, []),
                role=s.role,
                connection=s.connection,
            )
            for s in registry.subsystems.values()
            if s.id.member == member
        ]
        items.append(
            AgencyInfo(
                member=str(member),
                code=member.member_code,
                name=Names(vi=agency.name_vi, en=agency.name_en),
                subsystems=subs,
            )
        )
    upstream = str(registry.upstream.client) if registry.upstream is not None else None
    return ok(AgencyList(items=items, tier=registry.tier, upstream=upstream))


async def list_faults(request: web.Request) -> web.Response:
    hub = request.app[HUB]
    registry = hub.pipeline.table.registry
    state = hub.routes
    items = [FaultInfo(**spec.model_dump(mode="json"), hits=state.fault(spec).hits) for spec in registry.faults]
    return ok(FaultList(items=items))


async def list_circuits(request: web.Request) -> web.Response:
    state = request.app[HUB].routes
    breakers = sorted(state.breakers.values(), key=lambda b: b.name)
    items = [CircuitInfo(provider=b.name, state=b.state, calls=b.calls, failures=b.failures) for b in breakers]
    return ok(CircuitList(items=items))


async def reset_circuit(request: web.Request) -> web.Response:
    provider = request.match_info["id"]
    state = request.app[HUB].routes
    breaker = state.reset_breaker(provider)
    if breaker is None:
        return error(404, "not_found", f"no circuit breaker for {provider}: not a provider of this hub")
    return ok(CircuitInfo(provider=breaker.name, state=breaker.state, calls=breaker.calls, failures=breaker.failures))


async def list_credentials(request: web.Request) -> web.Response:
    items = [
        CredentialInfo(consumer_key=c.consumer_key, client=c.client, source=c.source, updated_ms=c.updated_ms)
        for c in await request.app[HUB].store.list_credentials()
    ]
    return ok(CredentialList(items=items))


async def rotate_credential(request: web.Request) -> web.Response:
    hub = request.app[HUB]
    key = request.match_info["key"]
    try:
        secret = await hub.credentials.rotate(key)
    except UnknownConsumer:
        return error(404, "not_found", f"no consumer key {key!r}")
    hub.tokens.forget()
    return ok(RotatedSecret(consumer_key=key, consumer_secret=secret))


async def list_changes(request: web.Request) -> web.Response:
    changes = await request.app[HUB].store.list_changes()
    items = [ChangeInfo(id=c.id, op=c.op, payload=c.payload, actor=c.actor, ts_ms=c.ts_ms) for c in changes]
    return ok(ChangeList(items=items))
