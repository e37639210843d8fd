"""The hub's composition root: :func:`create_hub` builds the data plane's aiohttp application from
explicit configuration, and :func:`assemble` builds its :class:`HubRuntime`, complete, in one place.

Start-up is one ``cleanup_ctx`` per resource, in order, each undone in reverse at tear-down:

1. the store (opened, migrations applied; closed last);
2. the runtime: the registry (stored base topology plus recorded changes), the outgoing HTTP session,
   the simulated agencies, the pipeline, the exchange and the scenario runs, under ``app[HUB]``;
3. the message-log writer (stopping it writes the last entries);
4. the exchange's delivery worker;
5. the background jobs (registry polling for replicas, retention) and the scenario runs.

The operator's plane (admin API, dashboard) is not known here: the caller passes it in as
``planes``, installed before the gateway style's catch-all route (see :mod:`ngsp_sim.app`).
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict, Unpack

import aiohttp
import orjson
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

import adapters as builtin_adapters
from adapters.base import Adapter
from ngsp_sim import sim
from ngsp_sim.clock import Clock, PlatformClock
from ngsp_sim.config import HubConfig
from ngsp_sim.exchange import Exchange, edoc_topic, new_subscription
from ngsp_sim.hub.clocksync import ClockSync
from ngsp_sim.hub.edge import edge_guard, parser_limits
from ngsp_sim.hub.endpoints import healthz, list_clients_handler, metrics_handler, r1_handler, readyz
from ngsp_sim.hub.gateway import gateway_handler, gateway_incoming, token_handler
from ngsp_sim.hub.opmonitoring import opmonitoring_handler
from ngsp_sim.hub.pipeline import Incoming, Pipeline, RoutingTable
from ngsp_sim.hub.responses import ERROR_FORM
from ngsp_sim.hub.routes import RouteState, build_routes, ensure_agencies, trust_faults
from ngsp_sim.hub.runtime import HUB, HubRuntime
from ngsp_sim.hub.upstream import upstream_of
from ngsp_sim.identifiers import SubsystemId
from ngsp_sim.monitoring.feed import EventFeed
from ngsp_sim.monitoring.message_log import MessageLog
from ngsp_sim.monitoring.metrics import HubMetrics
from ngsp_sim.monitoring.otel import OtelTracing
from ngsp_sim.registry import Registry, load_spec, read_topology
from ngsp_sim.registry.source import RegistrySource
from ngsp_sim.scenarios.runner import Answer
from ngsp_sim.scenarios.runs import ScenarioRuns
from ngsp_sim.security import Throttler, TokenService
from ngsp_sim.security.credentials import CredentialKeeper
from ngsp_sim.security.guard import FailedAuthGuard
from ngsp_sim.sim import AgencyContext, Country, SimulatedAgency
from ngsp_sim.sim.document_system import DocumentSystem
from ngsp_sim.store import SqliteStore, Store, store_from_url
from ngsp_sim.transport import WebhookSender
from schemas.scenarios import Text

__all__ = ["HubOptions", "Plane", "assemble", "create_hub"]

Plane = Callable[[web.Application], None]
"""Adds routes to the hub's application (the admin API, the dashboard); installed in order."""

Lifecycle = Callable[[web.Application], AsyncIterator[None]]


@dataclass(frozen=True)
class Parts:
    """What :func:`create_hub` was given, resolved (store, clock and country chosen, topology read)."""

    config: HubConfig
    topology: str
    source_name: str
    store: Store
    clock: Clock
    country: Country
    adapters: Mapping[str, type[Adapter]]
    simulators: Mapping[str, type[SimulatedAgency]]
    tracer_provider: Any


class HubOptions(TypedDict, total=False):
    """What a hub may be given besides its configuration (see :func:`ngsp_sim.app.create_app`)."""

    topology_text: str | None
    store: Store | None
    clock: Clock | None
    country: Country | None
    adapters: Mapping[str, type[Adapter]]
    simulators: Mapping[str, type[SimulatedAgency]]
    tracer_provider: Any


def create_hub(config: HubConfig, *, planes: Sequence[Plane] = (), **options: Unpack[HubOptions]) -> web.Application:
    """The data plane, with ``planes`` added (see :func:`ngsp_sim.app.create_app` for the options)."""
    if unknown := sorted(options.keys() - HubOptions.__optional_keys__):
        raise TypeError(f"create_app() got unexpected keyword arguments: {', '.join(unknown)}")
    topology_text, store = options.get("topology_text"), options.get("store")
    adapters = options.get("adapters", builtin_adapters.BUILTIN)
    simulators = options.get("simulators", sim.BUILTIN)
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
    parts = Parts(
        config,
        text,
        source_name,
        store,
        options.get("clock") or PlatformClock(),
        options.get("country") or Country.generate(config.seed, config.population),
        adapters,
        simulators,
        options.get("tracer_provider"),
    )
    # aiohttp's own parser limits sit above ours, so that our middleware answers 414/431 itself.
    app = web.Application(
        client_max_size=config.max_body_size,
        handler_args=parser_limits(config.security),
        middlewares=[edge_guard(config.security)],
    )
    lifecycles: list[Lifecycle] = [
        _store(parts.store),
        _runtime(parts),
        _running(lambda hub: hub.message_log),
        _running(lambda hub: hub.exchange.worker),
        _background_jobs,
    ]
    app.cleanup_ctx.extend(lifecycles)
    app.on_shutdown.append(end_live_feeds)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_handler)
    app.router.add_get("/listClients", list_clients_handler)
    app.router.add_post("/token", token_handler)
    app.router.add_post("/", opmonitoring_handler)  # PR-OPMON, where a security server takes SOAP
    # (?s:...): a percent-encoded line feed in the path still reaches the hub's handlers and their error bodies
    app.router.add_route("*", "/r1", r1_handler)
    app.router.add_route("*", "/r1/{tail:(?s:.*)}", r1_handler)
    for plane in planes:
        plane(app)
    app.router.add_route("*", "/{context}/{version}/{tail:(?s:.*)}", gateway_handler)  # last: a catch-all
    return app


def _store(store: Store) -> Lifecycle:
    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        await store.open()
        try:
            yield
        finally:
            await store.close()

    return lifecycle


def _runtime(parts: Parts) -> Lifecycle:
    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        config = parts.config
        holder = f"pid {os.getpid()} on {socket.gethostname()} (port {config.port}) serving {parts.source_name}"
        source = RegistrySource(
            parts.store,
            parts.adapters,
            parts.simulators,
            parts.clock,
            holder=holder,
            lease_seconds=config.lease_seconds,
        )
        registry = await source.start(parts.topology, parts.source_name)
        async with aiohttp.ClientSession() as session:
            try:
                hub = app[HUB] = await assemble(parts, source, registry, session)
                app[ERROR_FORM] = lambda: hub.pipeline.table.registry.error_codes
                yield
            finally:
                await source.stop()

    return lifecycle


class _Worker(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def _running(part: Callable[[HubRuntime], _Worker | None]) -> Lifecycle:
    """A lifecycle that starts one of the runtime's workers (if it has it) and stops it at tear-down."""

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        worker = part(app[HUB])
        if worker is None:
            yield
            return
        await worker.start()
        try:
            yield
        finally:
            await worker.stop()

    return lifecycle


async def _background_jobs(app: web.Application) -> AsyncIterator[None]:
    hub = app[HUB]
    hub.every(hub.config.registry_poll_interval, hub.source.poll, "registry-poll")
    if isinstance(hub.clock, PlatformClock):  # replicas on one store share it
        hub.clock_sync = ClockSync(hub.clock, hub.store)
        await hub.clock_sync.load()
        hub.every(hub.config.registry_poll_interval, hub.clock_sync.load, "clock-poll")
    if hub.config.message_log.retention_days > 0:
        hub.every(hub.config.message_log.retention_interval, hub.purge_expired, "retention")
    try:
        yield
    finally:
        await hub.scenarios.stop_all()  # each clears the faults it left
        await hub.stop_tasks()
        if hub.clock_sync is not None:
            await hub.clock_sync.close()


async def assemble(
    parts: Parts, source: RegistrySource, registry: Registry, session: aiohttp.ClientSession
) -> HubRuntime:
    """The complete runtime of a hub whose store is open and whose registry is read. Nothing here
    starts a background task: the lifecycles after this one do."""
    config, clock, store, simulators = parts.config, parts.clock, parts.store, parts.simulators
    message_log = MessageLog(store, config.message_log) if config.message_log.enabled else None
    agencies: dict[SubsystemId, SimulatedAgency] = {}
    feed = EventFeed()
    state = RouteState(clock, config.breaker, on_change=lambda: feed.publish("faults", {}))
    exchange = Exchange(
        store.exchange,
        clock,
        config.delivery,
        WebhookSender(session, agencies),
        lambda: agency_names(source.current),
        feed,
    )

    async def send(
        client: str,
        method: str,
        service: str,
        query: dict[str, str],
        body: bytes,
        content_type: str,
        style: str = "xroad",
    ) -> Answer:
        """A request through this hub's pipeline as ``client`` (a full exchange, logged), in the X-Road
        style (``/r1/...`` with ``X-Road-Client``) or the gateway style (``/{context}/{version}/...``)."""
        headers = CIMultiDict({} if style == "gateway" else {"X-Road-Client": client})
        if method != "GET":
            headers["Content-Type"] = content_type
        query_proxy, headers_proxy = MultiDictProxy(MultiDict(query)), CIMultiDictProxy(headers)
        if style == "gateway":
            incoming = gateway_incoming(
                pipeline.table.registry, client, method, service, query_proxy, headers_proxy, body
            )
        else:
            incoming = Incoming(method, f"/r1/{service}", query_proxy, headers_proxy, body)
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

    agency_context = AgencyContext(parts.country, clock, hub=call_hub, publish=exchange.publish, exchange=exchange)

    def table(registry: Registry) -> RoutingTable:
        ensure_agencies(registry, simulators, agencies, agency_context)
        return RoutingTable(
            registry,
            build_routes(
                registry, parts.adapters, agencies, session, config.max_body_size, state, upstream_of(registry, config)
            ),
            trust_faults(registry, state),
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
        otel=OtelTracing(parts.tracer_provider) if parts.tracer_provider is not None else None,
        feed=feed,
    )
    keeper = CredentialKeeper(store, clock, config.security.kdf_cost)
    await keeper.sync(registry)

    async def swap(registry: Registry) -> None:
        pipeline.table = table(registry)
        await keeper.sync(registry)

    source.on_change(swap)
    await sync_subscriptions(exchange, registry, agencies)
    source.on_change(lambda registry: sync_subscriptions(exchange, registry, agencies))
    scenarios = ScenarioRuns(
        send,
        source.apply,
        lambda provider: state.reset_breaker(provider) is not None,
        feed,
        clock,
        config.scenario_step_timeout,
        lambda subsystem: subsystem_names(source.current, subsystem),
        lambda service: service_tier(source.current, service),
    )
    return HubRuntime(
        config=config,
        clock=clock,
        store=store,
        source=source,
        pipeline=pipeline,
        message_log=message_log,
        admin_token=config.admin_token or secrets.token_urlsafe(24),
        tokens=TokenService(
            store,
            clock,
            ttl=config.security.token_ttl,
            kdf_cost=config.security.kdf_cost,
            cache_seconds=config.security.token_cache_seconds,
        ),
        credentials=keeper,
        guard=FailedAuthGuard(clock, config.security.failed_auth, metrics, config.security.trusted_proxies),
        agencies=agencies,
        routes=state,
        exchange=exchange,
        feed=feed,
        scenarios=scenarios,
        started_ms=int(clock.now() * 1000),
    )


def subsystem_names(registry: Registry, subsystem: str) -> Text | None:
    """A subsystem's display names, or a member's (what a scenario step's explanation calls it)."""
    found = next((s for s in registry.subsystems.values() if str(s.id) == subsystem), None)
    if found is not None:
        return Text(vi=found.name_vi, en=found.name_en)
    agency = next((a for a in registry.agencies.values() if str(a.member) == subsystem), None)
    return Text(vi=agency.name_vi, en=agency.name_en) if agency is not None else None


def service_tier(registry: Registry, service: str) -> str | None:
    """The throttling tier a service has now (what a scenario run puts back when it ends)."""
    found = next((s for s in registry.services.values() if str(s.id) == service), None)
    return found.tier if found is not None else None


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
            sub = new_subscription(
                topic, f"sim://{sub_id}", now, sub_id=name, secret=agency.webhook_secret, source="topology"
            )
            declared.append(sub)
    await exchange.sync_topology(declared)


async def end_live_feeds(app: web.Application) -> None:
    """Open event streams end as shutdown starts, so that they do not hold it up."""
    if HUB in app:
        app[HUB].feed.close()
