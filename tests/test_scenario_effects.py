"""What a scenario run changes on the hub lasts for the run only: the throttling story assigns its tier
to the shared ethnic-groups list and puts the list back as it was however the run ends, so that
integrators (and a Postman collection run twice) are never refused outside the story."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from ngsp_sim.clock import ManualClock
from ngsp_sim.errors import ScenarioError
from ngsp_sim.monitoring.feed import read_events
from ngsp_sim.scenarios import load_scenario
from tests.helpers import ADMIN, MakeHub
from tests.scenario_helpers import failures, play

LIST = "/r1/VN/GOV/000.00.00.G22/DMDC/danhMucDanToc?phienBan=2025-01"
LAO_CAI = {"X-Road-Client": "VN/GOV/000.00.00.H38/MOTCUA"}
SERVICE = "VN/GOV/000.00.00.G22/DMDC/danhMucDanToc"


async def _statuses(hub: TestClient[Any, Any], times: int = 6) -> list[int]:
    return [(await hub.get(LIST, headers=LAO_CAI)).status for _ in range(times)]


async def test_the_demo_list_takes_any_number_of_calls_outside_the_story(make_hub: MakeHub) -> None:
    assert await _statuses(await make_hub()) == [200] * 6


async def test_the_throttling_story_throttles_for_its_run_and_puts_the_tier_back(
    make_hub: MakeHub, clock: ManualClock
) -> None:
    hub = await make_hub()
    run = await play(hub, clock, name="throttling")
    assert (run["state"], failures(run)) == ("passed", [])
    burst = run["steps"][2]
    assert len(burst["messages"]) == 4 and burst["detail"].split("; ")[-1].startswith("429 Client.Throttled")
    assert run["steps"][3]["wait_s"] == 1  # as Retry-After said
    assert run["cleanup"] == [f"tier:{SERVICE}"]
    assert await _statuses(hub) == [200] * 6


@pytest.mark.parametrize("end", ["stop", "reset"])
async def test_a_run_ended_midway_puts_the_tier_back(make_hub: MakeHub, clock: ManualClock, end: str) -> None:
    hub = await make_hub()
    async with asyncio.timeout(30), hub.get("/api/v1/events", headers=ADMIN) as feed:
        body = {"scenario": "throttling", "step": True}
        run = await (await hub.post("/api/v1/scenario-runs", json=body, headers=ADMIN)).json()
        path = f"/api/v1/scenario-runs/{run['id']}"
        assert (await hub.post(f"{path}/next", headers=ADMIN)).status == 200
        async for kind, data in read_events(feed.content):
            step = data.get("step") if kind == "scenario" else None
            if step is not None and (step["index"], step["status"]) == (0, "passed"):
                break  # the throttle step is done
        assert await _statuses(hub) == [200, 200, 200, 429, 429, 429]  # throttled while the story runs
        if end == "stop":
            assert (await hub.delete(path, headers=ADMIN)).status in (200, 204)
        else:
            assert (await hub.post("/api/v1/reset", headers=ADMIN)).status == 200
        stopped = await (await hub.get(path, headers=ADMIN)).json()
    assert stopped["state"] == "stopped" and stopped["cleanup"] == [f"tier:{SERVICE}"]
    clock.advance(3)  # the list's bucket refills; without a tier it would not matter
    assert await _statuses(hub) == [200] * 6


STORY = """name: retry
title: {vi: "Thử lại", en: "Retry"}
actors:
  motcua: {client: VN/GOV/000.00.00.H38/MOTCUA}
steps:
"""


async def test_a_retry_after_wait_without_a_retry_after_fails_the_step(make_hub: MakeHub, clock: ManualClock) -> None:
    source = STORY + "  - wait: {retry_after: true}\n"
    run = await play(await make_hub(), clock, source=source)
    assert failures(run) == ["step 1 Wait as Retry-After says: the previous answer had no Retry-After to wait for"]


def test_a_repeated_call_lists_one_status_per_call() -> None:
    source = (
        STORY
        + f"""  - call: {SERVICE}
    as: motcua
    repeat: 3
    expect: {{status: [200, 429]}}
"""
    )
    with pytest.raises(ScenarioError, match=r"my.yaml:6: steps\[0\]: expect lists 2 statuses for 3 call\(s\)"):
        load_scenario(source, "my.yaml")


@pytest.mark.parametrize(
    ("throttle", "refusal"),
    [
        ({"service": "VN/GOV/000.00.00.G22/DMDC/khongCo", "tier": "provider-guard"}, "is not registered"),
        ({"service": SERVICE, "tier": "gold"}, "unknown tier 'gold'"),
    ],
)
async def test_a_throttle_the_hub_refuses_fails_its_step(
    make_hub: MakeHub, clock: ManualClock, throttle: dict[str, str], refusal: str
) -> None:
    source = STORY + f"  - throttle: {{service: {throttle['service']}, tier: {throttle['tier']}}}\n"
    run = await play(await make_hub(), clock, source=source)
    assert run["state"] == "failed" and run["cleanup"] == []
    detail = run["steps"][0]["detail"]
    assert detail.startswith("the hub refused put_service_tier:") and refusal in detail  # the problem named
