"""A run a room can follow: its pace on the hub's clock, pause, resume and a new pace while it goes
on, plain-language explanations of each step, the narration announced as its step starts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from ngsp_sim.clock import ManualClock
from ngsp_sim.monitoring.feed import read_events
from ngsp_sim.scenarios.pacing import Pacer
from tests.helpers import ADMIN, MakeHub
from tests.scenario_helpers import play

STORY = """name: paced
title: {vi: "Có nhịp", en: "Paced"}
lesson: {vi: "Bài học.", en: "The lesson."}
actors:
  motcua: {client: VN/GOV/000.00.00.H29/MOTCUA, name: {vi: "Một cửa TP. Hồ Chí Minh", en: "HCMC one-stop"}}
steps:
  - say: {vi: "Công dân đến bộ phận một cửa. Cán bộ tiếp nhận.", en: "A citizen comes to the counter. An officer helps."}
  - call: VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan
    as: motcua
    say: {vi: "Tra cứu.", en: "A lookup."}
    body: {MaYeuCau: "YC-${run}", MaDVC: "1.001612", MaTichHop: "037", MaCanBo: c, MaDonVi: "000.00.00.H29",
           SoDinhDanh: "079090001234"}
  - say: {vi: "Thứ ba.", en: "Third."}
  - say: {vi: "Thứ tư.", en: "Fourth."}
"""


async def test_the_pacer_waits_on_the_clock_pauses_and_takes_a_new_pace() -> None:
    async with asyncio.timeout(10):
        await _pace(ManualClock())


async def _pace(clock: ManualClock) -> None:
    pacer = Pacer(clock, pace=5, idle_timeout=600)
    assert await pacer.before_step(0)  # no wait before the first step
    waiting = asyncio.create_task(pacer.before_step(1))
    await clock.until_sleeping()
    clock.advance(4.5)
    await asyncio.sleep(0)
    assert not waiting.done()
    clock.advance(0.5)
    assert await waiting
    pacer.pause()
    paused = asyncio.create_task(pacer.before_step(2))
    await clock.until_sleeping()
    clock.advance(10)  # longer than the pace: a paused run still waits
    await asyncio.sleep(0)
    assert not paused.done()
    pacer.resume()
    await clock.until_sleeping(due_in=5)
    clock.advance(5)  # the pace counts again from the resume
    assert await paused
    slower = asyncio.create_task(pacer.before_step(3))
    await clock.until_sleeping()
    pacer.set_pace(1)  # faster: counted from the start of this wait
    await clock.until_sleeping(due_in=1)
    clock.advance(1)
    assert await slower
    pacer.pause()
    forgotten = asyncio.create_task(pacer.before_step(4))
    await clock.until_sleeping()
    clock.advance(600)  # paused past the idle timeout: the run is abandoned
    assert await forgotten is False


async def _until(events: AsyncIterator[tuple[str, dict[str, Any]]], index: int, status: str) -> dict[str, Any]:
    async for kind, data in events:
        step = data.get("step") if kind == "scenario" else None
        if step is not None and (step["index"], step["status"]) == (index, status):
            return dict(step)
    raise AssertionError("the feed ended")


async def test_a_paced_run_can_be_paused_resumed_and_sped_up(make_hub: MakeHub, clock: ManualClock) -> None:
    hub = await make_hub()
    async with asyncio.timeout(30), hub.get("/api/v1/events", headers=ADMIN) as feed:
        events = read_events(feed.content)
        created = await hub.post("/api/v1/scenario-runs", json={"source": STORY, "pace": 5}, headers=ADMIN)
        run = await created.json()
        assert (run["pace"], run["paused"], run["session"]) == (5, False, 1)
        assert run["lesson"] == {"vi": "Bài học.", "en": "The lesson."}
        path = f"/api/v1/scenario-runs/{run['id']}"
        first = await _until(events, 0, "passed")
        assert first["title"] == {"vi": "Công dân đến bộ phận một cửa", "en": "A citizen comes to the counter"}
        assert first["explanation"] == first["say"]
        now = await (await hub.get(path, headers=ADMIN)).json()
        assert [s["status"] for s in now["steps"]] == ["passed", "pending", "pending", "pending"]
        await clock.until_sleeping(due_in=5)
        clock.advance(5)
        started = await _until(events, 1, "running")  # announced as it starts, narration with it
        assert started["say"] == {"vi": "Tra cứu.", "en": "A lookup."} and started["explanation"] is None
        ended = await _until(events, 1, "passed")
        assert ended["explanation"]["vi"].startswith("Một cửa TP. Hồ Chí Minh gọi dịch vụ TraCuuThongTinCongDan")
        assert "Cơ sở dữ liệu quốc gia về dân cư" in ended["explanation"]["vi"]
        assert ended["detail"].startswith("200:")  # the developer's raw text stays
        paused = await (await hub.post(f"{path}/pause", headers=ADMIN)).json()
        assert paused["paused"] is True
        clock.advance(30)
        assert (await (await hub.get(path, headers=ADMIN)).json())["steps"][2]["status"] == "pending"
        assert (await (await hub.post(f"{path}/resume", headers=ADMIN)).json())["paused"] is False
        faster = await hub.patch(path, json={"pace": 0}, headers=ADMIN)
        assert (await faster.json())["pace"] == 0
        await _until(events, 3, "passed")  # no more waiting at pace 0
    done = await (await hub.get(path, headers=ADMIN)).json()
    assert done["state"] == "passed"
    assert (await hub.post(f"{path}/pause", headers=ADMIN)).status == 409
    bad = await hub.patch(path, json={"pace": 61}, headers=ADMIN)
    assert bad.status == 400
    too_slow = await hub.post("/api/v1/scenario-runs", json={"source": STORY, "pace": -1}, headers=ADMIN)
    assert too_slow.status == 400
    stepped = await (
        await hub.post("/api/v1/scenario-runs", json={"source": STORY, "step": True}, headers=ADMIN)
    ).json()
    refused = await hub.post(f"/api/v1/scenario-runs/{stepped['id']}/pause", headers=ADMIN)
    assert refused.status == 409 and "step by step" in (await refused.json())["message"]
    await hub.delete(f"/api/v1/scenario-runs/{stepped['id']}", headers=ADMIN)


async def test_a_platform_error_is_explained_with_the_glossary(make_hub: MakeHub, clock: ManualClock) -> None:
    hub = await make_hub()
    run = await play(hub, clock, name="population-outage")
    failed_lookup = run["steps"][2]["explanation"]
    assert failed_lookup["vi"] == (
        "Một cửa TP. Hồ Chí Minh gọi TraCuuThongTinCongDan của Cơ sở dữ liệu quốc gia về dân cư; NGSP trả lỗi "
        "Server.ServerProxy.ServiceFailed.NetworkError: Nền tảng không kết nối được tới hệ thống cung cấp "
        "(mất kết nối, ngừng hoạt động)."
    )
    assert failed_lookup["en"].endswith("The platform cannot reach the provider (link lost, system down).")
    refused = run["steps"][3]["explanation"]["en"]  # a business refusal with HTTP 200
    assert "received the TiepNhanHoSo request but refused it: KetQua = 0" in refused
