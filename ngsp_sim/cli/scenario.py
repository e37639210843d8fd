"""``ngsp-sim scenario list`` and ``ngsp-sim scenario run NAME|FILE``.

A run always happens inside a hub, through the admin API (the same routes the dashboard's player
uses): against the hub at ``--hub URL``, or an in-process one when ``--hub`` is omitted. The command
follows the run on the live feed (``GET /api/v1/events``), prints each step as it starts and ends,
asks before each step with ``--step`` (which therefore needs a terminal on stdin), and writes
Markdown and JUnit reports.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from ngsp_sim.cli.client import AdminClient
from ngsp_sim.cli.common import admin_options
from ngsp_sim.logging import configure_logging
from ngsp_sim.monitoring.feed import read_events
from ngsp_sim.scenarios.model import Scenario, shipped, shipped_scenario
from ngsp_sim.scenarios.report import MARK, junit_report, markdown_report, outcome_line
from ngsp_sim.testing.embedded import EmbeddedHub
from schemas.scenarios import ScenarioRunInfo, ScenarioStepState

__all__ = ["scenario"]

_LANG = click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default="en",
    show_default=True,
    help="language of titles, narration and reports",
)


@dataclass(frozen=True)
class _Run:
    """What ``scenario run`` was asked for, besides where."""

    scenario: Scenario
    text: str
    overrides: dict[str, str]
    lang: str
    step: bool
    report: Path | None
    junit: Path | None


@click.group()
def scenario() -> None:
    """List or run scripted interoperability scenarios."""


@scenario.command("list")
@_LANG
def list_(lang: str) -> int:
    """The shipped scenarios, one a line, name first."""
    for found in shipped().values():
        print(f"{found.name:28} {getattr(found.title, lang)} ({len(found.steps)})")
    return 0


@scenario.command()
@click.argument("name", metavar="NAME|FILE")
@admin_options(hub_default=None)
@_LANG
@click.option("--step", is_flag=True, help="wait for Enter before each step (needs a terminal)")
@click.option("--set", "pairs", multiple=True, metavar="NAME=VALUE", help="override a variable (repeatable)")
@click.option("--report", type=click.Path(path_type=Path), help="write a Markdown report here")
@click.option("--junit", type=click.Path(path_type=Path), help="write a JUnit XML report here")
def run(
    name: str,
    hub: str | None,
    admin_token: str | None,
    lang: str,
    step: bool,
    pairs: tuple[str, ...],
    report: Path | None,
    junit: Path | None,
) -> int:
    """Run a scenario (a shipped NAME, see `scenario list`, or a scenario YAML FILE) and report each step.

    Exit 0 when every step passed, 1 when one failed or the run was stopped.
    """
    if step and (sys.stdin is None or not sys.stdin.isatty()):
        raise click.UsageError("--step asks before each step and needs a terminal on stdin; run without --step")
    found, text = shipped_scenario(name)
    asked = _Run(found, text, dict(_pair(p) for p in pairs), lang, step, report, junit)
    if hub:
        return asyncio.run(_follow(AdminClient(hub, admin_token), asked))
    configure_logging("warning", json=False)  # the progress display is the output; warnings still show
    with EmbeddedHub() as embedded:
        return asyncio.run(_follow(AdminClient(embedded.url, embedded.admin_token), asked))


def _ask(prompt: str) -> str:
    try:
        return input(prompt)
    except EOFError:  # Ctrl-D at the terminal: stop, as q does
        return "q"


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise click.BadParameter(f"takes NAME=VALUE, not {text!r}", param_hint="--set")
    return name, value


async def _follow(hub: AdminClient, asked: _Run) -> int:
    async with hub, hub.open("GET", "/events") as feed:  # listening before the run starts
        body = {"source": asked.text, "step": asked.step, "variables": asked.overrides}
        run = ScenarioRunInfo.model_validate(await hub.call("POST", "/scenario-runs", body))
        print(
            f"▶ {asked.scenario.name}: {getattr(asked.scenario.title, asked.lang)} ({len(run.steps)} steps) "
            f"on {hub.url}",
            flush=True,
        )
        progress = _Progress(len(run.steps), asked.lang, hub, run.id)
        try:
            async for kind, data in read_events(feed.content):
                if kind != "scenario" or data.get("run") != run.id:
                    continue
                if "step" in data:
                    await progress.show(ScenarioStepState.model_validate(data["step"]))
                elif data["state"] not in ("running", "waiting"):
                    break
        except (KeyboardInterrupt, asyncio.CancelledError):
            await hub.call("DELETE", f"/scenario-runs/{run.id}")
            raise
        run = ScenarioRunInfo.model_validate(await hub.call("GET", f"/scenario-runs/{run.id}"))
    print(outcome_line(run, asked.lang))
    for fault in run.cleanup:
        print(f"  (fault {fault} was left injected; the hub cleared it)")
    if asked.report:
        asked.report.write_text(markdown_report(run, asked.lang, hub.url), encoding="utf-8")
    if asked.junit:
        junit_report(asked.junit, run, asked.lang)
    return 0 if run.state == "passed" else 1


class _Progress:
    """Prints each step once as it starts (with its narration) and once as it ends; in step mode asks
    before each step and tells the hub to go on (or to stop)."""

    def __init__(self, total: int, lang: str, hub: AdminClient, run: int) -> None:
        self.total, self.lang, self.hub, self.run = total, lang, hub, run
        self.started: set[int] = set()

    async def show(self, step: ScenarioStepState) -> None:
        if step.status in ("waiting", "running") and step.index not in self.started:
            self.started.add(step.index)
            print(f"[{step.index + 1}/{self.total}] {getattr(step.title, self.lang)}", flush=True)
            if step.say is not None:
                print(f"      {getattr(step.say, self.lang)}", flush=True)
        if step.status == "waiting":
            answer = await asyncio.to_thread(_ask, "      Enter: next step; q, Enter: stop ")
            path = f"/scenario-runs/{self.run}"
            if answer.strip().lower() == "q":
                await self.hub.call("DELETE", path)
            else:
                await self.hub.call("POST", f"{path}/next")
        elif step.status in ("passed", "failed"):
            timing = f" ({step.ms:.0f} ms)" if step.ms is not None else ""
            print(f"      {MARK[step.status]} {step.detail or step.status}{timing}", flush=True)
