"""Admin API handlers for the platform clock: read it, freeze or resume it, move it forward. Every
change is announced on the live feed as ``clock``, so the dashboard and scenario followers see it, and
stored for the replicas on the same store before the answer (:mod:`ngsp_sim.hub.clocksync`). An
advance applies the message log's retention at once (the periodic job runs on real time), so records
older than the retention period by the new time are gone when the answer comes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel

from ngsp_sim.admin.handlers import error, ok, parsed_body
from ngsp_sim.clock import ControllableClock
from ngsp_sim.hub.runtime import HUB, HubRuntime
from schemas.clock import ClockAdvance, ClockChange, ClockInfo

__all__ = ["advance_clock", "change_clock", "clock_info", "get_clock"]

M = TypeVar("M", bound=BaseModel)


def clock_info(clock: ControllableClock) -> ClockInfo:
    state = clock.state()
    return ClockInfo.at(state.now, frozen=state.frozen, offset=state.offset, can_resume=state.can_resume)


def _controllable(hub: HubRuntime) -> ControllableClock | web.Response:
    if isinstance(hub.clock, ControllableClock):
        return hub.clock
    return error(409, "conflict", "this hub runs on the system clock, which cannot be frozen or moved")


async def _change(
    request: web.Request, model: type[M], apply: Callable[[HubRuntime, ControllableClock, M], Awaitable[str | None]]
) -> web.Response:
    """Parse ``model``, ``apply`` it (a refusal's message is a 409), store it for the replicas, announce it."""
    hub = request.app[HUB]
    clock, body = _controllable(hub), await parsed_body(request, model)
    if isinstance(clock, web.Response):
        return clock
    if isinstance(body, web.Response):
        return body
    refusal = await apply(hub, clock, body)
    if refusal is not None:
        return error(409, "conflict", refusal)
    if hub.clock_sync is not None:
        await hub.clock_sync.settled()  # stored for the replicas before the answer
    info = clock_info(clock)
    hub.feed.publish("clock", info.model_dump())
    return ok(info)


async def get_clock(request: web.Request) -> web.Response:
    clock = _controllable(request.app[HUB])
    return clock if isinstance(clock, web.Response) else ok(clock_info(clock))


async def _freeze(hub: HubRuntime, clock: ControllableClock, body: ClockChange) -> str | None:
    if not body.frozen and not clock.state().can_resume:
        return "this hub's clock only moves when advanced: it cannot resume"
    clock.set_frozen(body.frozen)
    return None


async def _advance(hub: HubRuntime, clock: ControllableClock, body: ClockAdvance) -> str | None:
    clock.advance(body.seconds)
    if hub.message_log is not None:
        await hub.message_log.flush()  # records written before the advance are purged by the new time
    await hub.purge_expired()
    return None


async def change_clock(request: web.Request) -> web.Response:
    return await _change(request, ClockChange, _freeze)


async def advance_clock(request: web.Request) -> web.Response:
    return await _change(request, ClockAdvance, _advance)
