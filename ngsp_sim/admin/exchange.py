"""Admin API handlers for the asynchronous exchange: subscriptions, deliveries and their dead-letter
list, and the live event feed as server-sent events."""

from __future__ import annotations

import asyncio
import contextlib

import orjson
from aiohttp import web

from ngsp_sim.admin.handlers import error, int_param, ok, parsed_body, whole_number
from ngsp_sim.hub.runtime import HUB
from ngsp_sim.monitoring.feed import CLOSED
from ngsp_sim.store.exchange import Delivery, Subscription
from schemas.admin import (
    DeliveryInfo,
    DeliveryList,
    ReplayRequest,
    ReplayResult,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionInfo,
    SubscriptionList,
)

__all__ = [
    "create_subscription",
    "delete_subscription",
    "events",
    "list_deliveries",
    "list_subscriptions",
    "replay_deliveries",
]

STATUSES = ("pending", "failed", "delivered", "dead")
KEEPALIVE_SECONDS = 15.0


def _info(sub: Subscription) -> dict[str, object]:
    return {
        "id": sub.id,
        "topic": sub.topic,
        "url": sub.url,
        "max_attempts": sub.max_attempts,
        "source": sub.source,
        "created_ms": sub.created_ms,
    }


def _delivery(d: Delivery) -> DeliveryInfo:
    return DeliveryInfo(
        id=d.id,
        subscription_id=d.subscription_id,
        event_type=d.event_type,
        topic=d.topic,
        idempotency_key=d.idempotency_key,
        status=d.status,
        attempts=d.attempts,
        next_attempt_ms=d.next_attempt_ms,
        last_error=d.last_error,
        created_ms=d.created_ms,
        delivered_ms=d.delivered_ms,
    )


async def list_subscriptions(request: web.Request) -> web.Response:
    subs = await request.app[HUB].store.exchange.list_subscriptions()
    return ok(SubscriptionList(subscriptions=[SubscriptionInfo.model_validate(_info(s)) for s in subs]))


async def create_subscription(request: web.Request) -> web.Response:
    form = await parsed_body(request, SubscriptionCreate)
    if isinstance(form, web.Response):
        return form
    sub = await request.app[HUB].exchange.subscribe(
        form.topic, form.url, sub_id=form.id, secret=form.secret, max_attempts=form.max_attempts
    )
    return ok(SubscriptionCreated.model_validate({**_info(sub), "secret": sub.secret}))


async def delete_subscription(request: web.Request) -> web.Response:
    sub_id = request.match_info["id"]
    if not await request.app[HUB].store.exchange.delete_subscription(sub_id):
        return error(404, "not_found", f"no subscription {sub_id}")
    return web.json_response({"deleted": sub_id})


async def list_deliveries(request: web.Request) -> web.Response:
    status = request.query.get("status")
    if status is not None and status not in STATUSES:
        return error(400, "invalid", f"status must be one of {', '.join(STATUSES)}")
    try:
        limit = int_param(request, "limit", 100, 1, 1000) or 100
    except web.HTTPBadRequest as exc:
        return error(400, "invalid", exc.reason)
    store = request.app[HUB].store.exchange
    found = await store.list_deliveries(status, request.query.get("subscription"), limit)
    return ok(DeliveryList(deliveries=[_delivery(d) for d in found], counts=await store.counts()))


async def replay_deliveries(request: web.Request) -> web.Response:
    form = await parsed_body(request, ReplayRequest)
    if isinstance(form, web.Response):
        return form
    hub = request.app[HUB]
    named = [(i, await hub.store.exchange.get_delivery(i)) for i in form.ids]
    unknown = [f"no delivery {i}" for i, d in named if d is None]
    unknown += [f"delivery {i} is {d.status}, not dead" for i, d in named if d is not None and d.status != "dead"]
    if unknown:  # an id that cannot be replayed is a mistake to report, not "replayed 0"
        return error(404, "not_found", "only dead-lettered deliveries can be replayed", unknown)
    now = int(hub.clock.now() * 1000)
    replayed = await hub.store.exchange.replay(now, form.ids, form.subscription)
    hub.exchange.worker.wake()
    return ok(ReplayResult(replayed=replayed))


async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: ``id``, ``event`` (message, edoc, delivery, event, scenario) and JSON ``data``;
    ``Last-Event-ID`` resumes from the kept backlog; a comment line every 15 s keeps proxies open."""
    feed = request.app[HUB].feed
    last = request.headers.get("Last-Event-ID") or request.query.get("after")
    after = whole_number(last) if last else None
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )
    async with feed.listen(after) as listener:  # listening before the headers go: nothing is missed after them
        await response.prepare(request)
        with contextlib.suppress(ConnectionResetError, asyncio.CancelledError):
            while True:
                try:
                    event = await asyncio.wait_for(listener.next(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    await response.write(b": keep-alive\n\n")
                    continue
                if event.kind == CLOSED:  # the hub is shutting down: end the stream, do not hold it up
                    break
                data = orjson.dumps(event.data)
                await response.write(b"id: %d\nevent: %s\ndata: %s\n\n" % (event.id, event.kind.encode(), data))
    return response
