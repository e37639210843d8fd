"""``ngsp-sim scenario list`` and ``ngsp-sim scenario run NAME|FILE``.

A run always happens inside a hub, through the admin API (the same routes the dashboard's player
uses): against the hub at ``--hub URL``, or an in-process one when ``--hub`` is omitted. The command
follows the run on the live feed (``GET /api/v1/events``), prints each step as it starts and ends,
asks before each step with ``--step``, and writes Markdown and JUnit reports.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from pathlib import Path
from typing import Any

import aiohttp
import orjson

from ngsp_sim.embedded import EmbeddedHub
from ngsp_sim.errors import ScenarioError
from ngsp_sim.logging import configure_logging
from ngsp_sim.monitoring.feed import read_events
from ngsp_sim.scenarios.model import Scenario, shipped, shipped_scenario
from ngsp_sim.scenarios.report import MARK, junit_report, markdown_report, outcome_line
from schemas.scenarios import ScenarioRunInfo, ScenarioStepState

__all__ = ["add_scenario_parser", "run_scenario_command"]


def add_scenario_parser(commands: Any) -> None:
    parser = commands.add_parser("scenario", help="list or run scripted interoperability scenarios")
    sub = parser.add_subparsers(dest="scenario_command", required=True)
    listing = sub.add_parser("list", help="the shipped scenarios, one a line, name first")
    listing.add_argument("--lang", choices=("vi", "en"), default="en")
    run = sub.add_parser("run", help="run a scenario (a shipped name or a YAML file) and report each step")
    run.add_argument("scenario", help="a shipped scenario's name (see 'scenario list') or a scenario YAML file")
    run.add_argument("--hub", help="a running hub's URL (default: an in-process hub on a free loopback port)")
    run.add_argument("--admin-token", help="the hub's admin token (default: $NGSP_SIM_ADMIN_TOKEN)")
    run.add_argument("--lang", choices=("vi", "en"), default="en", help="language of narration and reports")
    run.add_argument("--step", action="store_true", help="wait for Enter before each step")
    run.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="override a variable")
    run.add_argument("--report", type=Path, help="write a Markdown report here")
    run.add_argument("--junit", type=Path, help="write a JUnit XML report here")


def run_scenario_command(args: argparse.Namespace) -> int:
    try:
        if args.scenario_command == "list":
            for scenario in shipped().values():
                print(f"{scenario.name:28} {getattr(scenario.title, args.lang)} ({len(scenario.steps)})")
            return 0
        scenario, text = shipped_scenario(args.scenario)
    except ScenarioError as exc:
        print(f"ngsp-sim: {exc}", file=sys.stderr)
        return 2
    overrides = dict(_pair(p) for p in args.set)
    if args.hub:
        token = args.admin_token or os.environ.get("NGSP_SIM_ADMIN_TOKEN")
        if not token:
            raise ValueError("the hub's admin token is needed: --admin-token or $NGSP_SIM_ADMIN_TOKEN")
        return asyncio.run(_follow(args.hub.rstrip("/"), token, scenario, text, overrides, args))
    configure_logging("warning", json=False)  # the progress display is the output; warnings still show
    with EmbeddedHub() as hub:
        return asyncio.run(_follow(hub.url, hub.admin_token, scenario, text, overrides, args))


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise ValueError(f"--set takes NAME=VALUE, not {text!r}")
    return name, value


async def _follow(
    url: str, token: str, scenario: Scenario, text: str, overrides: dict[str, str], args: argparse.Namespace
) -> int:
    lang, headers = args.lang, {"Authorization": f"Bearer {token}"}
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=10)
    async with aiohttp.ClientSession(url, headers=headers, timeout=timeout) as session:
        async with session.get("/api/v1/events") as feed:  # listening before the run starts
            await _ok(feed)
            body = {"source": text, "step": args.step, "variables": overrides}
            async with session.post("/api/v1/scenario-runs", json=body) as created:
                await _ok(created)
                run = ScenarioRunInfo.model_validate(await created.json())
            title = getattr(scenario.title, lang)
            print(f"▶ {scenario.name}: {title} ({len(run.steps)} steps) on {url}", flush=True)
            progress = _Progress(len(run.steps), lang, session, run.id)
            try:
                async for kind, data in read_events(feed.content):
                    if kind != "scenario" or data.get("run") != run.id:
                        continue
                    if "step" in data:
                        step = ScenarioStepState.model_validate(data["step"])
                        await progress.show(step)
                    elif data["state"] not in ("running", "waiting"):
                        break
            except (KeyboardInterrupt, asyncio.CancelledError):
                async with session.delete(f"/api/v1/scenario-runs/{run.id}"):
                    pass
                raise
        async with session.get(f"/api/v1/scenario-runs/{run.id}") as final:
            await _ok(final)
            run = ScenarioRunInfo.model_validate(await final.json())
    print(outcome_line(run, lang))
    for fault in run.cleanup:
        print(f"  (fault {fault} was left injected; the hub cleared it)")
    if args.report:
        args.report.write_text(markdown_report(run, lang, url), encoding="utf-8")
    if args.junit:
        junit_report(args.junit, run, lang)
    return 0 if run.state == "passed" else 1


class _Progress:
    """Prints each step once as it starts (with its narration) and once as it ends; in step mode asks
    before each step and tells the hub to go on (or to stop)."""

    def __init__(self, total: int, lang: str, session: aiohttp.ClientSession, run: int) -> None:
        self.total, self.lang, self.session, self.run = total, lang, session, run
        self.started: set[int] = set()

    async def show(self, step: ScenarioStepState) -> None:
        if step.status in ("waiting", "running") and step.index not in self.started:
            self.started.add(step.index)
            print(f"[{step.index + 1}/{self.total}] {getattr(step.title, self.lang)}", flush=True)
            if step.say is not None:
                print(f"      {getattr(step.say, self.lang)}", flush=True)
        if step.status == "waiting":
            answer = await asyncio.to_thread(input, "      Enter: next step; q, Enter: stop ")
            path = f"/api/v1/scenario-runs/{self.run}"
            stop = answer.strip().lower() == "q"
            async with self.session.delete(path) if stop else self.session.post(f"{path}/next") as resp:
                await _ok(resp)
        elif step.status in ("passed", "failed"):
            timing = f" ({step.ms:.0f} ms)" if step.ms is not None else ""
            print(f"      {MARK[step.status]} {step.detail or step.status}{timing}", flush=True)


async def _ok(response: aiohttp.ClientResponse) -> None:
    if response.status >= 400:
        raw = await response.read()
        with contextlib.suppress(orjson.JSONDecodeError):
            found = orjson.loads(raw)
            problems = "".join(f"\n  - {p}" for p in found.get("problems", []))
            raise ValueError(f"the hub answered {response.status}: {found.get('message')}{problems}")
        raise ValueError(f"the hub answered {response.status}: {raw[:200].decode(errors='replace')}")
