"""The admin API under ``/api/v1``: the message log, health statistics, runtime registry changes,
faults, circuits and credentials (handlers in :mod:`ngsp_sim.admin.handlers`).

Every route needs ``Authorization: Bearer <admin token>``, checked by
:func:`ngsp_sim.hub.caller.operator_refusal` (the same check as ``/metrics``). The route table
below both registers the handlers and generates ``/api/v1/openapi.json``, so the document cannot drift
from the code.
"""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from ngsp_sim.admin.clock import advance_clock, change_clock, get_clock
from ngsp_sim.admin.document import Route, openapi_of
from ngsp_sim.admin.exchange import (
    create_subscription,
    delete_subscription,
    events,
    list_deliveries,
    list_subscriptions,
    replay_deliveries,
)
from ngsp_sim.admin.handlers import (
    Handler,
    change_handler,
    error,
    get_message,
    health,
    list_agencies,
    list_changes,
    list_circuits,
    list_credentials,
    list_faults,
    list_messages,
    list_services,
    reset_circuit,
    rotate_credential,
    verify,
)
from ngsp_sim.admin.room import glossary, reset, session
from ngsp_sim.admin.scenarios import (
    change_run,
    get_run,
    get_scenario,
    list_runs,
    list_scenarios,
    next_step,
    pause_run,
    resume_run,
    start_run,
    stop_run,
)
from ngsp_sim.admin.tryit import ExampleList, list_examples
from ngsp_sim.hub.caller import operator_refusal
from ngsp_sim.hub.runtime import HUB
from ngsp_sim.registry.changes import DeleteAccess, PutAccess, PutService, PutSubsystem, PutTier
from ngsp_sim.registry.spec import FaultSpec
from schemas.admin import (
    AgencyList,
    ChangeInfo,
    ChangeList,
    CircuitInfo,
    CircuitList,
    CredentialList,
    DeliveryList,
    FaultList,
    HealthReport,
    MessageDetail,
    MessagePage,
    ReplayRequest,
    ReplayResult,
    RotatedSecret,
    ServiceList,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionList,
    VerifyReport,
)
from schemas.clock import ClockAdvance, ClockChange, ClockInfo
from schemas.scenarios import (
    Glossary,
    ScenarioDetail,
    ScenarioList,
    ScenarioRunChange,
    ScenarioRunCreate,
    ScenarioRunInfo,
    ScenarioRunList,
    SessionInfo,
)

__all__ = ["ROUTES", "Route", "add_routes", "admin_openapi"]


@web.middleware
async def require_admin(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith("/api/v1/"):
        return await handler(request)
    hub = request.app[HUB]
    return operator_refusal(request, hub.guard, hub.admin_token) or await handler(request)


async def openapi(request: web.Request) -> web.Response:
    return web.Response(body=orjson.dumps(admin_openapi()), content_type="application/json")


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
        "GET", "/api/v1/examples", list_examples, "A valid example request per service (the try-it panel)", ExampleList
    ),
    Route("GET", "/api/v1/agencies", list_agencies, "Agencies and their subsystems, named in vi and en", AgencyList),
    Route(
        "PUT",
        "/api/v1/services/{id:(?s:.+)}",
        change_handler("put_service", "service"),
        "Register or replace a service",
        ChangeInfo,
        PutService,
        from_path="service",
    ),
    Route(
        "DELETE",
        "/api/v1/services/{id:(?s:.+)}",
        change_handler("delete_service", "service"),
        "Remove a service and its access rights",
        ChangeInfo,
    ),
    Route(
        "PUT",
        "/api/v1/subsystems/{id:(?s:.+)}",
        change_handler("put_subsystem", "subsystem"),
        "Register or rename a subsystem",
        ChangeInfo,
        PutSubsystem,
        from_path="subsystem",
    ),
    Route(
        "PUT",
        "/api/v1/access",
        change_handler("put_access"),
        "Grant (or replace) an access right",
        ChangeInfo,
        PutAccess,
    ),
    Route(
        "DELETE",
        "/api/v1/access",
        change_handler("delete_access"),
        "Revoke an access right",
        ChangeInfo,
        DeleteAccess,
    ),
    Route(
        "PUT",
        "/api/v1/tiers/{name}",
        change_handler("put_tier", "name", "name"),
        "Declare or change a throttling tier",
        ChangeInfo,
        PutTier,
        from_path="name",
    ),
    Route("GET", "/api/v1/faults", list_faults, "Injected faults and how often each hit", FaultList),
    Route(
        "PUT",
        "/api/v1/faults/{id}",
        change_handler("put_fault", "id"),
        "Inject (or change) a fault in front of a service or provider",
        ChangeInfo,
        FaultSpec,
        from_path="id",
    ),
    Route(
        "DELETE",
        "/api/v1/faults/{id}",
        change_handler("delete_fault", "id"),
        "Clear an injected fault",
        ChangeInfo,
    ),
    Route(
        "GET", "/api/v1/circuits", list_circuits, "Circuit breakers per provider: state and recent calls", CircuitList
    ),
    Route(
        "DELETE",
        "/api/v1/circuits/{id:(?s:.+)}",
        reset_circuit,
        "Close a provider's circuit and forget its failures (the provider is repaired)",
        CircuitInfo,
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
    Route(
        "GET",
        "/api/v1/subscriptions",
        list_subscriptions,
        "Webhook subscriptions (never their secrets)",
        SubscriptionList,
    ),
    Route(
        "POST",
        "/api/v1/subscriptions",
        create_subscription,
        "Subscribe a webhook to a topic; the secret is shown once",
        SubscriptionCreated,
        SubscriptionCreate,
    ),
    Route("DELETE", "/api/v1/subscriptions/{id}", delete_subscription, "Remove a subscription"),
    Route(
        "GET",
        "/api/v1/deliveries",
        list_deliveries,
        "Deliveries, newest first, and counts per status",
        DeliveryList,
        query=("status", "subscription", "limit"),
    ),
    Route(
        "POST",
        "/api/v1/deliveries/replay",
        replay_deliveries,
        "Send dead-lettered deliveries again",
        ReplayResult,
        ReplayRequest,
    ),
    Route("GET", "/api/v1/scenarios", list_scenarios, "The shipped scenarios", ScenarioList),
    Route("GET", "/api/v1/scenarios/{name}", get_scenario, "One scenario: actors and steps", ScenarioDetail),
    Route("GET", "/api/v1/scenario-runs", list_runs, "Scenario runs, newest first (the last 20)", ScenarioRunList),
    Route(
        "POST",
        "/api/v1/scenario-runs",
        start_run,
        "Start a run of a shipped scenario, or of a scenario's YAML text; progress on the live feed",
        ScenarioRunInfo,
        ScenarioRunCreate,
        status=201,
    ),
    Route("GET", "/api/v1/scenario-runs/{id}", get_run, "One scenario run, step by step", ScenarioRunInfo),
    Route(
        "POST", "/api/v1/scenario-runs/{id}/next", next_step, "Let a step-mode run take its next step", ScenarioRunInfo
    ),
    Route(
        "POST",
        "/api/v1/scenario-runs/{id}/pause",
        pause_run,
        "Hold a run before its next step (the step under way finishes)",
        ScenarioRunInfo,
    ),
    Route("POST", "/api/v1/scenario-runs/{id}/resume", resume_run, "Let a paused run go on", ScenarioRunInfo),
    Route(
        "PATCH",
        "/api/v1/scenario-runs/{id}",
        change_run,
        "A faster or slower pace for a run under way",
        ScenarioRunInfo,
        ScenarioRunChange,
    ),
    Route(
        "DELETE",
        "/api/v1/scenario-runs/{id}",
        stop_run,
        "Stop a run; its faults are cleared. The run stays readable (state stopped) among the last 20",
        ScenarioRunInfo,
    ),
    Route(
        "GET",
        "/api/v1/glossary",
        glossary,
        "Every platform error type and native code: name and one-sentence meaning in vi and en",
        Glossary,
    ),
    Route("GET", "/api/v1/clock", get_clock, "The platform clock: its time, frozen or running", ClockInfo),
    Route("PUT", "/api/v1/clock", change_clock, "Freeze the platform clock or let it run", ClockInfo, ClockChange),
    Route("POST", "/api/v1/clock/advance", advance_clock, "Move the platform clock forward", ClockInfo, ClockAdvance),
    Route("GET", "/api/v1/session", session, "The current training session", SessionInfo),
    Route(
        "POST",
        "/api/v1/reset",
        reset,
        "Start a new training session: stop runs, clear faults, close circuits, empty throttling counters "
        "(the message log stays)",
        SessionInfo,
    ),
    Route(
        "GET",
        "/api/v1/events",
        events,
        "The live feed as server-sent events (text/event-stream)",
        query=("after",),
        stream=True,
    ),
    Route("GET", "/api/v1/openapi.json", openapi, "This document"),
)


def add_routes(app: web.Application) -> None:
    app.middlewares.append(require_admin)
    allowed: dict[str, list[str]] = {}
    for route in ROUTES:
        app.router.add_route(route.method, route.path, _known_query(route.query, route.handler))
        allowed.setdefault(route.path, []).append(route.method)
    for path, methods in allowed.items():  # any other method on an admin path: 405, naming the allowed ones
        app.router.add_route("*", path, _not_allowed(sorted(methods)))
    app.router.add_route("*", "/api/v1/{tail:(?s:.*)}", _no_such_path)  # ("/api/v1/%0A" too)


async def _no_such_path(request: web.Request) -> web.StreamResponse:
    return error(404, "not_found", f"no admin API path {request.path[:200]!r}; see GET /api/v1/openapi.json")


def _known_query(names: tuple[str, ...], handler: Handler) -> Handler:
    """Refuse query parameters the route does not take, rather than ignore a misspelt filter."""

    async def checked(request: web.Request) -> web.StreamResponse:
        unknown = sorted(set(request.query) - set(names))
        if unknown:
            known = ", ".join(names) or "none"
            return error(
                400, "invalid_query", f"unknown query parameter(s) {', '.join(map(repr, unknown))}; known: {known}"
            )
        return await handler(request)

    return checked


def _not_allowed(methods: list[str]) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = error(405, "method_not_allowed", f"{request.method} is not allowed here; use {', '.join(methods)}")
        response.headers["Allow"] = ", ".join(methods)
        return response

    return handler


def admin_openapi() -> dict[str, Any]:
    """OpenAPI 3.1 of the admin API, generated from :data:`ROUTES` and their models."""
    return openapi_of(ROUTES)
