"""The hub's aiohttp application, built by :func:`create_app` from explicit configuration.

Start-up (in ``cleanup_ctx``): open the store (migrations), build the registry from the stored base
topology plus recorded changes, start the simulated agencies, the message-log writer and the background
jobs (registry polling for replicas, retention). Tear-down runs the same steps backwards and writes
the message log's last entries.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp
import orjson
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

import adapters as builtin_adapters
from adapters.base import Adapter
from ngsp_sim import sim
from ngsp_sim.clock import Clock, SystemClock
from ngsp_sim.config import HubConfig
from ngsp_sim.exchange import Exchange, WebhookSender, edoc_topic, new_subscription
from ngsp_sim.hub import admin, gateway
from ngsp_sim.hub.edge import edge_guard, parser_limits
from ngsp_sim.hub.metaservices import METASERVICES, list_clients, metaservice
from ngsp_sim.hub.pipeline import Incoming, Pipeline, RoutingTable
from ngsp_sim.hub.responses import json_response
from ngsp_sim.hub.routes import RouteState, build_routes, ensure_agencies
from ngsp_sim.hub.runtime import HubRuntime
from ngsp_sim.hub.ui import add_ui_routes
from ngsp_sim.identifiers import SubsystemId
from ngsp_sim.monitoring.feed import EventFeed
from ngsp_sim.monitoring.message_log import MessageLog
from ngsp_sim.monitoring.metrics import HubMetrics
from ngsp_sim.monitoring.otel import OtelTracing
from ngsp_sim.registry import Registry, load_spec, read_topology
from ngsp_sim.registry.source import RegistrySource
from ngsp_sim.scenarios.runner import Answer, ScenarioRuns
from ngsp_sim.security import Throttler, TokenService
from ngsp_sim.security.credentials import CredentialKeeper
from ngsp_sim.security.guard import FailedAuthGuard
from ngsp_sim.sim import AgencyContext, Country, SimulatedAgency
from ngsp_sim.sim.document_system import DocumentSystem
from ngsp_sim.store import SqliteStore, Store, store_from_url
from ngsp_sim.store.sql import LATEST_MIGRATION

__all__ = ["HUB", "create_app"]

HUB = web.AppKey("hub", HubRuntime)


def create_app(
    config: HubConfig,
    *,
    topology_text: str | None = None,
    store: Store | None = None,
    clock: Clock | None = None,
    country: Country | None = None,
    adapters: Mapping[str, type[Adapter]] = builtin_adapters.BUILTIN,
    simulators: Mapping[str, type[SimulatedAgency]] = sim.BUILTIN,
    tracer_provider: Any = None,
) -> web.Application:
    """Build a hub. ``topology_text`` (YAML) overrides ``config.topology``; ``store``, ``clock`` and
    ``country`` let tests control storage, time and data; ``tracer_provider`` (an OpenTelemetry SDK
    provider) turns on span export."""
    text, source_name = (
        (topology_text, "<given topology>") if topology_text is not None else read_topology(config.topology)
    )
    load_spec(text, source_name, adapters, simulators)  # a bad topology fails here, before anything starts
    if store is None:
        store = (
            store_from_url(config.store_url, config.data_dir, config.log_key)
            if config.store_url or config.data_dir
            else SqliteStore(":memory:")
        )
    clock = clock or SystemClock()
    country = country or Country.generate(config.seed, config.population)
    # aiohttp's own parser limits sit above ours, so that our middleware answers 414/431 itself.
    app = web.Application(
        client_max_size=config.max_body_size,
        handler_args=parser_limits(config.security),
        middlewares=[edge_guard(config.security)],
    )

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        await store.open()
        try:
            holder = f"pid {os.getpid()} on {socket.gethostname()} (port {config.port}) serving {source_name}"
            source = RegistrySource(store, adapters, simulators, clock, holder=holder,
                                    lease_seconds=config.lease_seconds)  # fmt: skip
            registry = await source.start(text, source_name)
            message_log = MessageLog(store, config.message_log) if config.message_log.enabled else None
            async with aiohttp.ClientSession() as session:
                agencies: dict[SubsystemId, SimulatedAgency] = {}
                state = RouteState(clock, config.breaker)

                feed = EventFeed()
                exchange = Exchange(
                    store.exchange, clock, config.delivery, WebhookSender(session, agencies),
                    lambda: agency_names(source.current), feed,
                )  # fmt: skip

                async def send(client: str, method: str, service: str, query: dict[str, str], body: bytes,
                               content_type: str) -> Answer:  # fmt: skip
                    """A request through this hub's pipeline as ``client`` (a full exchange, logged)."""
                    headers = CIMultiDict({"X-Road-Client": client})
                    if method != "GET":
                        headers["Content-Type"] = content_type
                    incoming = Incoming(method, f"/r1/{service}", MultiDictProxy(MultiDict(query)),
                                        CIMultiDictProxy(headers), body)  # fmt: skip
                    outcome = await pipeline.handle(incoming)
                    return Answer(outcome.status, outcome.headers, outcome.body)

                async def call_hub(client: str, service: str, body: dict[str, Any] | bytes) -> tuple[int, object]:
                    """An agency calling another through this hub, as ``client``."""
                    if isinstance(body, bytes):
                        answer = await send(client, "POST", service, {}, body, "text/xml; charset=utf-8")
                    else:
                        answer = await send(client, "POST", service, {}, orjson.dumps(body), "application/json")
                    if not answer.body:
                        return answer.status, None
                    try:
                        return answer.status, orjson.loads(answer.body)
                    except orjson.JSONDecodeError:
                        return answer.status, answer.body

                agency_context = AgencyContext(
                    country, clock, hub=call_hub, publish=exchange.publish, exchange=exchange
                )

                def table(registry: Registry) -> RoutingTable:
                    ensure_agencies(registry, simulators, agencies, agency_context)
                    return RoutingTable(
                        registry, build_routes(registry, adapters, agencies, session, config.max_body_size, state)
                    )

                metrics = HubMetrics(
                    lambda: message_log.stats() if message_log else {},
                    lambda: {b.name: b.state for b in state.breakers.values()},
                    lambda: source.current,
                )
                pipeline = Pipeline(
                    table(registry),
                    clock,
                    message_log=message_log,
                    on_miss=source.refresh,
                    throttler=Throttler(clock),
                    metrics=metrics,
                    otel=OtelTracing(tracer_provider) if tracer_provider is not None else None,
                )
                keeper = CredentialKeeper(store, clock, config.security.kdf_cost)
                await keeper.sync(registry)

                async def swap(registry: Registry) -> None:
                    pipeline.table = table(registry)
                    await keeper.sync(registry)

                source.on_change(swap)
                runtime = HubRuntime(
                    config,
                    clock,
                    store,
                    source,
                    pipeline,
                    message_log,
                    config.admin_token or secrets.token_urlsafe(24),
                    TokenService(
                        store,
                        clock,
                        ttl=config.security.token_ttl,
                        kdf_cost=config.security.kdf_cost,
                        cache_seconds=config.security.token_cache_seconds,
                    ),
                    keeper,
                    FailedAuthGuard(clock, config.security.failed_auth, metrics, config.security.trusted_proxies),
                    agencies,
                    state,
                )
                app[HUB] = runtime

                runtime.scenarios = ScenarioRuns(
                    send, source.apply, lambda provider: state.reset_breaker(provider) is not None, feed, clock,
                    config.scenario_step_timeout,
                )  # fmt: skip
                runtime.exchange, runtime.feed, pipeline.feed = exchange, feed, feed
                await sync_subscriptions(exchange, registry, agencies)
                source.on_change(lambda registry: sync_subscriptions(exchange, registry, agencies))
                if message_log is not None:
                    await message_log.start()
                await exchange.worker.start()
                runtime.every(config.registry_poll_interval, source.poll, "registry-poll")
                if config.message_log.retention_days > 0:
                    runtime.every(config.message_log.retention_interval, runtime.purge_expired, "retention")
                try:
                    yield
                finally:
                    await runtime.scenarios.stop_all()  # each clears the faults it left
                    await runtime.stop_tasks()
                    await exchange.worker.stop()
                    if message_log is not None:
                        await message_log.stop()
                    await source.stop()
        finally:
            await store.close()

    app.cleanup_ctx.append(lifecycle)
    app.on_shutdown.append(end_live_feeds)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_handler)
    app.router.add_get("/listClients", list_clients_handler)
    app.router.add_post("/token", gateway.token_handler)
    # (?s:...): a percent-encoded line feed in the path still reaches the hub's handlers and their error bodies
    app.router.add_route("*", "/r1/{tail:(?s:.*)}", r1_handler)
    admin.add_routes(app)
    add_ui_routes(app)
    app.router.add_route("*", "/{context}/{version}/{tail:(?s:.*)}", gateway.gateway_handler)  # last: a catch-all
    return app


def agency_names(registry: Registry) -> dict[str, str]:
    """Member code -> Vietnamese name of every agency (the exchange axis's address book)."""
    return {agency.member.member_code: agency.name_vi for agency in registry.agencies.values()}


async def sync_subscriptions(exchange: Exchange, registry: Registry, agencies: Mapping[SubsystemId, Any]) -> None:
    """The topology's subscriptions, plus one per simulated document system to its own documents
    (``sim://`` with a fresh secret, handed to the agency to verify its deliveries)."""
    now = int(exchange.clock.now() * 1000)
    declared = [
        new_subscription(
            s.topic, s.url, now, sub_id=s.id, secret=s.secret, max_attempts=s.max_attempts, source="topology"
        )
        for s in registry.subscriptions
    ]
    for sub_id, agency in agencies.items():
        if isinstance(agency, DocumentSystem) and agency.webhook_secret is not None:
            name = f"sim-{sub_id.member_code}-{sub_id.subsystem_code}"
            topic = edoc_topic(sub_id.member_code)
            sub = new_subscription(topic, f"sim://{sub_id}", now, sub_id=name, secret=agency.webhook_secret,
                                   source="topology")  # fmt: skip
            declared.append(sub)
    await exchange.sync_topology(declared)


async def end_live_feeds(app: web.Application) -> None:
    """Open event streams end as shutdown starts, so that they do not hold it up."""
    if HUB in app:
        app[HUB].feed.close()


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
    refused = admin.admin_refusal(request)
    if refused is not None:
        return refused
    hub = request.app[HUB]
    metrics = hub.pipeline.metrics
    body = metrics.render() if metrics is not None else b""
    return web.Response(body=body, content_type="text/plain", charset="utf-8",
                        headers={"X-Content-Type-Options": "nosniff"})  # fmt: skip


async def list_clients_handler(request: web.Request) -> web.Response:
    return json_response(list_clients(request.app[HUB].pipeline.table.registry))


async def r1_handler(request: web.Request) -> web.Response:
    hub = request.app[HUB]
    raw_path = request.raw_path.split("?", 1)[0]
    parts = raw_path.split("/")
    if request.method == "GET" and len(parts) == 7 and parts[6] in METASERVICES:
        return metaservice(hub.pipeline.table.registry, hub.pipeline, request, raw_path)
    body, rejected = await gateway.read_body(request, hub.config.max_body_size)
    client, auth_error = await gateway.authenticate_r1(request)
    incoming = Incoming(
        request.method, raw_path, request.query, request.headers, body, rejected or auth_error, client=client
    )
    outcome = await hub.pipeline.handle(incoming)
    return web.Response(status=outcome.status, body=outcome.body, headers=outcome.headers)
