"""Admin API handlers for scenarios: the shipped list, one scenario's steps, and runs (start, follow,
step, pause, resume, pace, stop). The dashboard's player and ``ngsp-sim scenario run`` both drive runs
through these."""

from __future__ import annotations

import asyncio

from aiohttp import web

from ngsp_sim.admin.handlers import Handler, error, ok, parsed_body, whole_number
from ngsp_sim.errors import ScenarioError
from ngsp_sim.hub.runtime import HUB
from ngsp_sim.scenarios.model import BUILTIN_VARIABLES, Scenario, load_scenario, shipped
from ngsp_sim.scenarios.runner import ScenarioRun, step_info
from schemas.scenarios import (
    ScenarioDetail,
    ScenarioList,
    ScenarioRunChange,
    ScenarioRunCreate,
    ScenarioRunList,
    ScenarioStepInfo,
    ScenarioSummary,
    Text,
)

__all__ = [
    "change_run",
    "get_run",
    "get_scenario",
    "list_runs",
    "list_scenarios",
    "next_step",
    "pause_run",
    "resume_run",
    "start_run",
    "stop_run",
]


def _summary(s: Scenario) -> ScenarioSummary:
    summary = Text(**s.summary.model_dump()) if s.summary else None
    return ScenarioSummary(name=s.name, title=Text(**s.title.model_dump()), summary=summary, steps=len(s.steps))


def _shipped(name: str) -> Scenario | web.Response:
    scenario = shipped().get(name)
    if scenario is None:
        return error(404, "not_found", f"no scenario named {name!r}; shipped: {', '.join(shipped())}")
    return scenario


async def list_scenarios(request: web.Request) -> web.Response:
    return ok(ScenarioList(items=[_summary(s) for s in shipped().values()]))


async def get_scenario(request: web.Request) -> web.Response:
    scenario = _shipped(request.match_info["name"])
    if isinstance(scenario, web.Response):
        return scenario
    actors = {n: a.client for n, a in scenario.actors.items()}
    steps = [ScenarioStepInfo(**step_info(i, s, actors)) for i, s in enumerate(scenario.steps)]
    return ok(
        ScenarioDetail(**_summary(scenario).model_dump(), actors=actors, variables=scenario.variables, items=steps)
    )


async def start_run(request: web.Request) -> web.Response:
    form = await parsed_body(request, ScenarioRunCreate)
    if isinstance(form, web.Response):
        return form
    if (form.scenario is None) == (form.source is None):
        return error(400, "invalid", "give either scenario (a shipped scenario's name) or source (its YAML text)")
    if form.source is not None:
        try:
            scenario: Scenario | web.Response = load_scenario(form.source, "<source>")
        except ScenarioError as exc:
            return error(400, "invalid", "the scenario has problems", exc.problems)
    else:
        scenario = _shipped(str(form.scenario))
    if isinstance(scenario, web.Response):
        return scenario
    unknown = sorted(set(form.variables) - set(scenario.variables) - set(BUILTIN_VARIABLES))
    if unknown:
        declared = ", ".join(scenario.variables) or "none"
        return error(400, "invalid", f"unknown variable(s) {', '.join(unknown)}; {scenario.name} declares: {declared}")
    run = request.app[HUB].scenarios.start(scenario, step_mode=form.step, overrides=form.variables, pace=form.pace)
    return ok(run.info(), status=201)


def _run(request: web.Request) -> ScenarioRun | web.Response:
    raw = request.match_info["id"]
    number = whole_number(raw)
    run = request.app[HUB].scenarios.runs.get(number) if number is not None else None
    return run if run is not None else error(404, "not_found", f"no scenario run {raw} (the last 20 are kept)")


async def list_runs(request: web.Request) -> web.Response:
    runs = request.app[HUB].scenarios.runs
    return ok(ScenarioRunList(items=[runs[i].info() for i in sorted(runs, reverse=True)]))


async def get_run(request: web.Request) -> web.Response:
    run = _run(request)
    return run if isinstance(run, web.Response) else ok(run.info())


async def next_step(request: web.Request) -> web.Response:
    run = _run(request)
    if isinstance(run, web.Response):
        return run
    if not run.next():
        return error(409, "conflict", f"run {run.id} is {run.state}, not waiting for a next step")
    return ok(run.info())


async def stop_run(request: web.Request) -> web.Response:
    run = _run(request)
    if isinstance(run, web.Response):
        return run
    if run.task is not None and not run.task.done():
        run.task.cancel()
        await asyncio.gather(run.task, return_exceptions=True)
    return ok(run.info())


def _paced(request: web.Request) -> ScenarioRun | web.Response:
    """A run whose pace can change: one under way, not step by step (that one moves on POST .../next)."""
    run = _run(request)
    if isinstance(run, web.Response):
        return run
    if not run.live:
        return error(409, "conflict", f"run {run.id} is {run.state}: it has ended")
    if run.step_mode:
        return error(409, "conflict", f"run {run.id} goes step by step: it moves on POST .../next, not on a pace")
    return run


def _holding(paused: bool, name: str) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        run = _paced(request)
        if isinstance(run, web.Response):
            return run
        run.control(paused=paused)
        return ok(run.info())

    handler.__name__ = name  # the admin OpenAPI's operationId
    return handler


pause_run = _holding(True, "pause_run")
"""Hold a run before its next step (the step under way finishes)."""
resume_run = _holding(False, "resume_run")


async def change_run(request: web.Request) -> web.Response:
    """A faster or slower pace for a run under way."""
    form = await parsed_body(request, ScenarioRunChange)
    if isinstance(form, web.Response):
        return form
    run = _paced(request)
    if isinstance(run, web.Response):
        return run
    run.control(pace=form.pace)
    return ok(run.info())
