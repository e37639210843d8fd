"""Admin API handlers for running a training room: the glossary of codes, the current session, and
a reset between groups (faults, circuits, runs and counters cleared; the message log stays, as
evidence, and the dashboard shows the new session's messages only)."""

from __future__ import annotations

from aiohttp import web

from ngsp_sim.admin.handlers import ok
from ngsp_sim.hub.runtime import HUB
from ngsp_sim.scenarios.glossary import GLOSSARY
from schemas.scenarios import Glossary

__all__ = ["glossary", "reset", "session"]


async def glossary(request: web.Request) -> web.Response:
    return ok(Glossary(items=[term.entry() for term in GLOSSARY]))


async def session(request: web.Request) -> web.Response:
    return ok(request.app[HUB].scenarios.session)


async def reset(request: web.Request) -> web.Response:
    return ok(await request.app[HUB].reset())
