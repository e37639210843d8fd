"""The hub's aiohttp application, built by :func:`create_app` from explicit configuration.

State lives under typed ``AppKey``s; the client session for HTTP providers is opened and closed in
``cleanup_ctx``, so an app can be started and stopped many times in one process (as tests do).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

import aiohttp
from aiohttp import web

import adapters as builtin_adapters
from adapters.base import Adapter
from ngsp_sim import sim
from ngsp_sim.clock import Clock, SystemClock
from ngsp_sim.config import HubConfig
from ngsp_sim.errors import HubError, RequestTooLarge
from ngsp_sim.hub.metaservices import METASERVICES, list_clients, metaservice
from ngsp_sim.hub.pipeline import Incoming, Pipeline
from ngsp_sim.hub.responses import json_response
from ngsp_sim.hub.routes import build_agencies, build_routes
from ngsp_sim.identifiers import SubsystemId
from ngsp_sim.registry import Registry, load_registry
from ngsp_sim.sim import Country, SimulatedAgency

__all__ = ["AGENCIES", "CONFIG", "PIPELINE", "REGISTRY", "create_app"]

CONFIG = web.AppKey("config", HubConfig)
REGISTRY = web.AppKey("registry", Registry)
PIPELINE = web.AppKey("pipeline", Pipeline)
AGENCIES = web.AppKey("agencies", Mapping[SubsystemId, SimulatedAgency])


def create_app(
    config: HubConfig,
    *,
    registry: Registry | None = None,
    clock: Clock | None = None,
    country: Country | None = None,
    adapters: Mapping[str, type[Adapter]] = builtin_adapters.BUILTIN,
    simulators: Mapping[str, type[SimulatedAgency]] = sim.BUILTIN,
) -> web.Application:
    """Build a hub. ``registry`` defaults to the topology named in ``config`` (or the demo one);
    ``clock`` and ``country`` let tests control time and data."""
    registry = registry if registry is not None else load_registry(config.topology, adapters, simulators)
    clock = clock or SystemClock()
    country = country or Country.generate(config.seed, config.population)
    app = web.Application(client_max_size=config.max_body_size)
    app[CONFIG] = config
    app[REGISTRY] = registry
    app[AGENCIES] = build_agencies(registry, simulators, country, clock)

    async def provider_session(app: web.Application) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as session:
            routes = build_routes(registry, adapters, app[AGENCIES], session, config.max_body_size)
            app[PIPELINE] = Pipeline(registry, routes, clock)
            yield

    app.cleanup_ctx.append(provider_session)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/listClients", list_clients_handler)
    app.router.add_route("*", "/r1/{tail:.*}", r1_handler)
    return app


async def healthz(request: web.Request) -> web.Response:
    registry = request.app[REGISTRY]
    return json_response({"status": "ok", "services": len(registry.services)})


async def list_clients_handler(request: web.Request) -> web.Response:
    return json_response(list_clients(request.app[REGISTRY]))


async def r1_handler(request: web.Request) -> web.Response:
    raw_path = request.raw_path.split("?", 1)[0]
    parts = raw_path.split("/")
    if request.method == "GET" and len(parts) == 7 and parts[6] in METASERVICES:
        return metaservice(request.app[REGISTRY], request.app[PIPELINE], request, raw_path)
    body_error: HubError | None = None
    body = b""
    limit = request.app[CONFIG].max_body_size
    if request.content_length is not None and request.content_length > limit:
        body_error = RequestTooLarge(f"the body of {request.content_length} bytes is over the limit of {limit}")
    else:
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            body_error = RequestTooLarge(f"the body is over the limit of {limit} bytes")
    incoming = Incoming(request.method, raw_path, request.query, request.headers, body, body_error)
    outcome = await request.app[PIPELINE].handle(incoming)
    return web.Response(status=outcome.status, body=outcome.body, headers=outcome.headers)
