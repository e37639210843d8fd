"""The admin API under ``/api/v1``: the message log, health statistics and runtime registry changes.

Every route needs ``Authorization: Bearer <admin token>`` (compared in constant time). The route table
below both registers the handlers and generates ``/api/v1/openapi.json``, so the document cannot drift
from the code.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from ngsp_sim.registry.changes import ChangeError, DeleteAccess, PutAccess, PutService, PutSubsystem, PutTier
from ngsp_sim.registry.spec import FaultSpec
from ngsp_sim.security.credentials import UnknownConsumer
from ngsp_sim.store import MessageQuery, StoredMessage, verify_chain
from schemas.admin import (
    AdminError,
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
    RotatedSecret,
    ServiceHealthInfo,
    ServiceInfo,
    ServiceList,
    VerifyReport,
)

__all__ = ["ROUTES", "add_routes", "admin_openapi"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _hub(request: web.Request) -> Any:
    from ngsp_sim.hub.app import HUB

    return request.app[HUB]


def _error(status: int, error: str, message: str, problems: list[str] | None = None) -> web.Response:
    body = AdminError(error=error, message=message, problems=problems or []).model_dump()
    headers = {"WWW-Authenticate": 'Bearer realm="ngsp-sim admin"'} if status == 401 else None
    return web.Response(status=status, body=orjson.dumps(body), content_type="application/json", headers=headers)


def _ok(model: BaseModel, status: int = 200) -> web.Response:
    return web.Response(status=status, body=model.model_dump_json().encode(), content_type="application/json")


@web.middleware
async def require_admin(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith("/api/v1/"):
        return await handler(request)
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    expected = _hub(request).admin_token
    if scheme.lower() != "bearer" or not token:
        return _error(401, "unauthorized", "the admin API needs Authorization: Bearer <admin token>")
    if not hmac.compare_digest(token.strip().encode(), expected.encode()):
        return _error(401, "unauthorized", "the admin token is not valid")
    return await handler(request)


def _int(request: web.Request, name: str, default: int | None = None, lo: int = 0, hi: int = 2**62) -> int | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise web.HTTPBadRequest(reason=f"{name} must be an integer") from None
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
        return _error(400, "invalid", "succeeded must be true or false")
    try:
        limit = _int(request, "limit", 50, 1, 500) or 50
        query = MessageQuery(
            client=q.get("client") or None,
            service=q.get("service") or None,
            succeeded=succeeded,
            fault_code=q.get("fault_code") or None,
            message_id=q.get("message_id") or None,
            since_ms=_int(request, "since"),
            until_ms=_int(request, "until"),
            before_id=_int(request, "cursor"),
            limit=limit,
        )
    except web.HTTPBadRequest as exc:
        return _error(400, "invalid", exc.reason)
    items = await _hub(request).store.list_messages(query)
    next_cursor = items[-1].id if len(items) == limit else None
    return _ok(MessagePage(items=[MessageSummary(**_summary(m)) for m in items], next_cursor=next_cursor))


async def get_message(request: web.Request) -> web.Response:
    try:
        pk = int(request.match_info["id"])
    except ValueError:
        return _error(400, "invalid", "the message id is the log position, an integer")
    m = await _hub(request).store.get_message(pk)
    if m is None:
        return _error(404, "not_found", f"no message {pk} in the log")
    bodies = {
        n: _body(getattr(m, n)) for n in ("client_request", "provider_request", "provider_response", "client_response")
    }
    return _ok(MessageDetail(**_summary(m), bodies=bodies, prev_hash=m.prev_hash, hash=m.hash))


async def health(request: web.Request) -> web.Response:
    hub = _hub(request)
    try:
        period = _int(request, "period", 3600, 1, 366 * 86400) or 3600
    except web.HTTPBadRequest as exc:
        return _error(400, "invalid", exc.reason)
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
    return _ok(HealthReport(since=since, until=until, services=services))


async def verify(request: web.Request) -> web.Response:
    report = await verify_chain(_hub(request).store)
    return _ok(VerifyReport(ok=report.ok, checked=report.checked, broken_id=report.broken_id, reason=report.reason))


async def list_services(request: web.Request) -> web.Response:
    registry = _hub(request).pipeline.table.registry
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
        )
        for s in sorted(registry.services.values(), key=lambda s: str(s.id))
    ]
    return _ok(ServiceList(items=items))


async def _change(request: web.Request, op: str, payload: Any) -> web.Response:
    actor = f"admin@{request.remote or 'unknown'}"
    try:
        change = await _hub(request).source.apply(op, payload, actor)
    except ChangeError as exc:
        return _error(exc.status, "not_found" if exc.status == 404 else "invalid", exc.message, exc.problems)
    return _ok(ChangeInfo(id=change.id, op=change.op, payload=change.payload, actor=change.actor, ts_ms=change.ts_ms))


async def _json(request: web.Request) -> Any:
    try:
        return orjson.loads(await request.read() or b"{}")
    except orjson.JSONDecodeError as exc:
        raise ChangeError(f"the body is not valid JSON: {exc}") from None


def _change_handler(op: str, field: str | None = None, param: str = "id") -> Handler:
    """A handler recording change ``op``: the JSON body is its payload; ``field`` (when given) is
    taken from the path parameter ``param``."""

    async def handler(request: web.Request) -> web.Response:
        try:
            body = await _json(request)
        except ChangeError as exc:
            return _error(400, "invalid", exc.message)
        if field is not None:
            if not isinstance(body, dict):
                return _error(400, "invalid", "the body must be a JSON object")
            body = {**body, field: request.match_info[param]}
        return await _change(request, op, body)

    handler.__name__ = op
    return handler


async def list_faults(request: web.Request) -> web.Response:
    hub = _hub(request)
    registry = hub.pipeline.table.registry
    state = hub.routes
    items = [
        FaultInfo(**spec.model_dump(mode="json"), hits=state.fault(spec).hits if state else 0)
        for spec in registry.faults
    ]
    return _ok(FaultList(items=items))


async def list_circuits(request: web.Request) -> web.Response:
    state = _hub(request).routes
    breakers = sorted(state.breakers.values(), key=lambda b: b.name) if state else []
    items = [CircuitInfo(provider=b.name, state=b.state, calls=b.calls, failures=b.failures) for b in breakers]
    return _ok(CircuitList(items=items))


async def list_credentials(request: web.Request) -> web.Response:
    items = [
        CredentialInfo(consumer_key=c.consumer_key, client=c.client, source=c.source, updated_ms=c.updated_ms)
        for c in await _hub(request).store.list_credentials()
    ]
    return _ok(CredentialList(items=items))


async def rotate_credential(request: web.Request) -> web.Response:
    hub = _hub(request)
    key = request.match_info["key"]
    try:
        secret = await hub.credentials.rotate(key)
    except UnknownConsumer:
        return _error(404, "not_found", f"no consumer key {key!r}")
    hub.tokens.forget()
    return _ok(RotatedSecret(consumer_key=key, consumer_secret=secret))


async def list_changes(request: web.Request) -> web.Response:
    changes = await _hub(request).store.list_changes()
    items = [ChangeInfo(id=c.id, op=c.op, payload=c.payload, actor=c.actor, ts_ms=c.ts_ms) for c in changes]
    return _ok(ChangeList(items=items))


async def openapi(request: web.Request) -> web.Response:
    return web.Response(body=orjson.dumps(admin_openapi()), content_type="application/json")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    summary: str
    response: type[BaseModel] | None = None
    request: type[BaseModel] | None = None
    query: tuple[str, ...] = ()


ROUTES = (
    Route(
        "GET",
        "/api/v1/messages",
        list_messages,
        "List the message log, newest first",
        MessagePage,
        query=("client", "service", "succeeded", "fault_code", "message_id", "since", "until", "cursor", "limit"),
    ),
    Route("GET", "/api/v1/messages/{id}", get_message, "One message with its bodies", MessageDetail),
    Route("GET", "/api/v1/messages-verify", verify, "Check the message log's hash chain", VerifyReport),
    Route(
        "GET", "/api/v1/health", health, "Health statistics per service over a period", HealthReport, query=("period",)
    ),
    Route("GET", "/api/v1/services", list_services, "The registered services", ServiceList),
    Route(
        "PUT",
        "/api/v1/services/{id:.+}",
        _change_handler("put_service", "service"),
        "Register or replace a service",
        ChangeInfo,
        PutService,
    ),
    Route(
        "DELETE",
        "/api/v1/services/{id:.+}",
        _change_handler("delete_service", "service"),
        "Remove a service and its access rights",
        ChangeInfo,
    ),
    Route(
        "PUT",
        "/api/v1/subsystems/{id:.+}",
        _change_handler("put_subsystem", "subsystem"),
        "Register or rename a subsystem",
        ChangeInfo,
        PutSubsystem,
    ),
    Route(
        "PUT",
        "/api/v1/access",
        _change_handler("put_access"),
        "Grant (or replace) an access right",
        ChangeInfo,
        PutAccess,
    ),
    Route(
        "DELETE",
        "/api/v1/access",
        _change_handler("delete_access"),
        "Revoke an access right",
        ChangeInfo,
        DeleteAccess,
    ),
    Route(
        "PUT",
        "/api/v1/tiers/{name}",
        _change_handler("put_tier", "name", "name"),
        "Declare or change a throttling tier",
        ChangeInfo,
        PutTier,
    ),
    Route("GET", "/api/v1/faults", list_faults, "Injected faults and how often each hit", FaultList),
    Route(
        "PUT",
        "/api/v1/faults/{id}",
        _change_handler("put_fault", "id"),
        "Inject (or change) a fault in front of a service or provider",
        ChangeInfo,
        FaultSpec,
    ),
    Route(
        "DELETE",
        "/api/v1/faults/{id}",
        _change_handler("delete_fault", "id"),
        "Clear an injected fault",
        ChangeInfo,
    ),
    Route(
        "GET", "/api/v1/circuits", list_circuits, "Circuit breakers per provider: state and recent calls", CircuitList
    ),
    Route("GET", "/api/v1/credentials", list_credentials, "Consumer keys (never their secrets)", CredentialList),
    Route(
        "POST",
        "/api/v1/credentials/{key}/rotate",
        rotate_credential,
        "A new secret for a consumer key, shown once; its tokens stop working",
        RotatedSecret,
    ),
    Route("GET", "/api/v1/registry/changes", list_changes, "Every registry change: who, when, what", ChangeList),
    Route("GET", "/api/v1/openapi.json", openapi, "This document"),
)


def add_routes(app: web.Application) -> None:
    app.middlewares.append(require_admin)
    for route in ROUTES:
        app.router.add_route(route.method, route.path, route.handler)


def admin_openapi() -> dict[str, Any]:
    """OpenAPI 3.1 of the admin API, generated from :data:`ROUTES` and their models."""
    ref = "#/components/schemas/{model}"
    models = {m for r in ROUTES for m in (r.response, r.request) if m} | {AdminError}
    refs, defs = models_json_schema(
        [(m, "validation") for m in sorted(models, key=lambda m: m.__name__)], ref_template=ref
    )
    error = {"content": {"application/json": {"schema": refs[(AdminError, "validation")]}}}
    paths: dict[str, Any] = {}
    for r in ROUTES:
        path = r.path.replace("{id:.+}", "{id}")
        names = [n for n in ("id", "name", "key") if "{" + n + "}" in path]
        op: dict[str, Any] = {
            "summary": r.summary,
            "operationId": f"{r.method.lower()}_{r.handler.__name__}",
            "security": [{"adminToken": []}],
            "responses": {
                "200": {
                    "description": "OK",
                    **(
                        {"content": {"application/json": {"schema": refs[(r.response, "validation")]}}}
                        if r.response
                        else {}
                    ),
                },
                "400": {"description": "Invalid input", **error},
                "401": {"description": "Missing or wrong admin token", **error},
                "404": {"description": "Not found", **error},
            },
        }
        params = [{"name": q, "in": "query", "required": False, "schema": {"type": "string"}} for q in r.query]
        params += [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in names]
        if params:
            op["parameters"] = params
        if r.request is not None:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": refs[(r.request, "validation")]}},
            }
        paths.setdefault(path, {})[r.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "ngsp-sim admin API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": defs.get("$defs", {}),
            "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer"}},
        },
    }
