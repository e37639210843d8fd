"""Playing a scenario through a hub's admin API, following its progress on the live feed, and letting
the controllable clock pass when (and only when) a step waits for time or the run waits for its pace."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient

from ngsp_sim.clock import ManualClock
from ngsp_sim.monitoring.feed import read_events
from ngsp_sim.scenarios import load_scenario, shipped
from tests.helpers import ADMIN


async def play(
    hub: TestClient[Any, Any],
    clock: ManualClock,
    *,
    name: str | None = None,
    source: str | None = None,
    variables: dict[str, Any] | None = None,
    pace: float = 0,
) -> dict[str, Any]:
    """Run a shipped scenario (``name``) or YAML ``source`` to its end, ``pace`` seconds of the clock
    between steps; returns the final run."""
    steps = len((shipped()[name] if name else load_scenario(source or "", "<test>")).steps)
    body: dict[str, Any] = {"scenario": name, "pace": pace} if name else {"source": source, "pace": pace}
    if variables:
        body["variables"] = variables
    async with asyncio.timeout(60), hub.get("/api/v1/events", headers=ADMIN) as feed:  # a stuck run fails
        created = await hub.post("/api/v1/scenario-runs", json=body, headers=ADMIN)
        assert created.status == 201, await created.text()
        run_id = (await created.json())["id"]
        async for kind, data in read_events(feed.content):
            if kind != "scenario" or data["run"] != run_id:
                continue
            step = data.get("step")
            if step is None and data["state"] not in ("running", "waiting"):
                break
            if step and step["status"] == "running" and step["wait_s"]:
                await clock.until_sleeping(due_in=step["wait_s"])
                clock.advance(step["wait_s"])
            if step and step["status"] == "passed" and pace and step["index"] + 1 < steps:
                await clock.until_sleeping(due_in=pace)  # the run waits its pace before the next step
                clock.advance(pace)
    final = await hub.get(f"/api/v1/scenario-runs/{run_id}", headers=ADMIN)
    return dict(await final.json())


def failures(run: dict[str, Any]) -> list[str]:
    return [f"step {s['index'] + 1} {s['title']['en']}: {s['detail']}" for s in run["steps"] if s["status"] == "failed"]
