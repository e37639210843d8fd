"""The data plane's endpoints besides the gateway style (:mod:`ngsp_sim.hub.gateway`): ``/r1/...``
(X-Road REST and its metaservices), ``/listClients``, ``/healthz``, ``/readyz`` and ``/metrics``.

Each reads the running hub from ``request.app[HUB]``; who is calling is decided by
:mod:`ngsp_sim.hub.caller`, and every exchange goes through the one pipeline.
"""

from __future__ import annotations

from aiohttp import web

from ngsp_sim.hub.caller import authenticate_r1, channel_of, operator_refusal
from ngsp_sim.hub.edge import read_body
from ngsp_sim.hub.metaservices import METASERVICES, list_clients_response, metaservice
from ngsp_sim.hub.pipeline import Incoming
from ngsp_sim.hub.responses import json_response
from ngsp_sim.hub.runtime import HUB
from ngsp_sim.store.sql import LATEST_MIGRATION

__all__ = ["healthz", "list_clients_handler", "metrics_handler", "r1_handler", "readyz"]


async def healthz(request: web.Request) -> web.Response:
    registry = request.app[HUB].pipeline.table.registry
    return json_response({"status": "ok", "services": len(registry.services)})


async def readyz(request: web.Request) -> web.Response:
    """Ready when the store answers with every migration applied, the background workers run and the
    message log keeps up (its writes succeed and its backlog is under ``ready_backlog``)."""
    hub = request.app[HUB]
    problems = []
    try:
        version = await hub.store.schema_version()
        if version < LATEST_MIGRATION:
            problems.append(f"store schema at version {version}, expected {LATEST_MIGRATION}")
    except Exception as exc:
        problems.append(f"store not reachable: {type(exc).__name__}")
    stopped = [t.get_name() for t in hub.tasks if t.done()]
    if hub.message_log is not None and not hub.message_log.running:
        stopped.append("message-log-writer")
    if stopped:
        problems.append("background workers stopped: " + ", ".join(stopped))
    if hub.message_log is not None and (backlog := hub.message_log.problem()) is not None:
        problems.append(backlog)
    status = 503 if problems else 200
    return json_response({"status": "not ready" if problems else "ready", "problems": problems}, status)


async def metrics_handler(request: web.Request) -> web.Response:
    """Prometheus text format; needs the admin token like the rest of the hub's own data."""
    hub = request.app[HUB]
    refused = operator_refusal(request, hub.guard, hub.admin_token)
    if refused is not None:
        return refused
    metrics = hub.pipeline.metrics
    body = metrics.render() if metrics is not None else b""
    return web.Response(
        body=body, content_type="text/plain", charset="utf-8", headers={"X-Content-Type-Options": "nosniff"}
    )


async def list_clients_handler(request: web.Request) -> web.Response:
    return list_clients_response(request.app[HUB].pipeline.table.registry, request)


async def r1_handler(request: web.Request) -> web.Response:
    hub = request.app[HUB]
    raw_path, _, raw_query = request.raw_path.partition("?")
    parts = raw_path.split("/")
    if request.method == "GET" and len(parts) == 7 and parts[6] in METASERVICES:
        return await metaservice(hub.pipeline.table.registry, hub.pipeline, hub.tokens, request, raw_path)
    body, rejected = await read_body(request, hub.config.max_body_size)
    client, auth_error = await authenticate_r1(request, hub.tokens, (hub.pipeline.table.registry, hub.guard))
    incoming = Incoming(
        request.method,
        raw_path,
        request.query,
        request.headers,
        body,
        rejected or auth_error,
        client=client,
        raw_query=raw_query,
        channel=channel_of(request),
    )
    outcome = await hub.pipeline.handle(incoming)
    return web.Response(status=outcome.status, body=outcome.body, headers=outcome.headers)
