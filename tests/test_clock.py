"""The platform clock: real time that can be frozen, resumed and moved forward, exposed on the admin
API (``/api/v1/clock``), the command line (``ngsp-sim clock``) and scenario steps (``advance: 2d``);
every timer of the hub follows it."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from ngsp_sim.app import create_app
from ngsp_sim.clock import ManualClock, PlatformClock, parse_duration
from ngsp_sim.config import HubConfig, MessageLogConfig, SecurityConfig
from ngsp_sim.hub.runtime import HUB
from ngsp_sim.sim import Country
from ngsp_sim.store import SharedClock, SqliteStore, Store
from tests.helpers import ADMIN, ADMIN_TOKEN, MOTCUA, POPULATION, MakeHub, lookup_body, token_for
from tests.processes import Running, run_cli, start, stop
from tests.scenario_helpers import failures, play
from tests.test_store_contract import entry

DVCQG = "VN/GOV/000.00.00.G22/DVCQG"
PROVIDER = "VN/GOV/000.00.00.G01/CSDLQGDC"
RECEIVE = "/r1/VN/GOV/000.00.00.H29/MOTCUA/TiepNhanHoSo"
STATUS = "/r1/VN/GOV/000.00.00.H29/MOTCUA/TraCuuTrangThaiHoSo"
BUSINESS_GATEWAY = "/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=0312345673"
DAY = 86_400
FORM = {
    "MaTTHC": "1.001612",
    "ChuHoSo": "Nguyễn Văn An",
    "SoGiayToChuHoSo": "079090001234",
    "NgaySinhChuHoSo": "19900515",
    "TrichYeuHoSo": "Đăng ký thường trú",
}
ADMIN_ENV = {"NGSP_SIM_ADMIN_TOKEN": ADMIN_TOKEN}
FAST = SecurityConfig(kdf_cost=2**10)


def test_durations_read_as_seconds() -> None:
    assert [parse_duration(t) for t in ("30s", "5m", "2h", "2d", "1.5d", "90", 45)] == [
        30,
        300,
        7200,
        172_800,
        129_600,
        90,
        45,
    ]
    for bad in ("2w", "-1d", "", "d"):
        with pytest.raises(ValueError, match="is not a duration"):
            parse_duration(bad)


def test_a_frozen_clock_stands_still_and_resumes_where_it_stood() -> None:
    real = ManualClock()
    clock = PlatformClock(real)
    start_now, start_mono = clock.now(), clock.monotonic()
    clock.set_frozen(True)
    real.advance(600)  # ten real minutes pass while frozen
    assert (clock.now(), clock.monotonic()) == (start_now, start_mono)
    clock.advance(DAY)  # an advance still moves a frozen clock
    assert clock.now() == start_now + DAY and clock.state().frozen
    clock.set_frozen(False)
    real.advance(5)
    assert clock.monotonic() == start_mono + DAY + 5  # never back, the frozen stretch not counted
    state = clock.state()
    assert (state.frozen, state.offset, state.now) == (False, DAY - 600, real.now() + DAY - 600)


def test_a_clock_taken_up_from_another_replica_never_goes_back() -> None:
    real = ManualClock()
    clock = PlatformClock(real)
    clock.advance(100)
    ahead = clock.now()
    clock.adopt(50, None)  # a replica 50 s ahead of real time: this one is already further
    assert clock.now() == ahead
    clock.adopt(DAY, real.now() + DAY)  # frozen a day ahead
    assert (clock.now(), clock.state().frozen) == (real.now() + DAY, True)
    real.advance(60)
    assert clock.now() == ahead - 100 + DAY


async def test_an_advance_wakes_a_sleeper_that_is_due() -> None:
    clock = PlatformClock()
    clock.set_frozen(True)  # a frozen clock's sleeper waits for an advance, however long real time runs
    sleeper = asyncio.ensure_future(clock.sleep(3600))
    await asyncio.sleep(0)
    clock.advance(1800)
    await asyncio.sleep(0)
    assert not sleeper.done()
    clock.advance(1800)
    await asyncio.wait_for(sleeper, 5)


@pytest.fixture
def clock() -> PlatformClock:
    """The clock ``ngsp-sim up`` gives a hub (real time, controllable), for the hub fixtures here."""
    return PlatformClock()


async def _advance(hub: TestClient[Any, Any], seconds: float) -> dict[str, Any]:
    resp = await hub.post("/api/v1/clock/advance", json={"seconds": seconds}, headers=ADMIN)
    assert resp.status == 200, await resp.text()
    return dict(await resp.json())


async def test_a_day_on_the_clock_moves_a_dossier_one_step_and_expires_a_token(hub: TestClient[Any, Any]) -> None:
    received = await hub.post(RECEIVE, json=FORM, headers={"X-Road-Client": DVCQG})
    assert received.status == 200, await received.text()
    code = (await received.json())["MaHoSo"]
    token = await token_for(hub)
    assert (await hub.get(BUSINESS_GATEWAY, headers={"Authorization": f"Bearer {token}"})).status == 200
    before = await (await hub.get("/api/v1/clock", headers=ADMIN)).json()

    after = await _advance(hub, DAY)

    assert after["now_ms"] - before["now_ms"] >= DAY * 1000 and after["offset_seconds"] >= DAY
    status = await hub.post(STATUS, json={"MaHoSo": code}, headers={"X-Road-Client": DVCQG})
    assert (await status.json())["TrangThaiHoSo"] == 4  # one step: received (2) -> processing (4)
    expired = await hub.get(BUSINESS_GATEWAY, headers={"Authorization": f"Bearer {token}"})
    assert expired.status == 401 and "expired" in (await expired.text())


async def test_the_clock_freezes_and_resumes_over_the_admin_api(hub: TestClient[Any, Any]) -> None:
    frozen = await hub.put("/api/v1/clock", json={"frozen": True}, headers=ADMIN)
    assert frozen.status == 200 and (await frozen.json())["frozen"] is True
    first = await (await hub.get("/api/v1/clock", headers=ADMIN)).json()
    again = await (await hub.get("/api/v1/clock", headers=ADMIN)).json()
    assert first["now_ms"] == again["now_ms"] and first["now"].endswith("Z")
    resumed = await (await hub.put("/api/v1/clock", json={"frozen": False}, headers=ADMIN)).json()
    assert resumed["frozen"] is False and resumed["now_ms"] >= first["now_ms"]
    heard = [e.data["frozen"] for e in hub.app[HUB].feed.recent if e.kind == "clock"]
    assert heard == [True, False]


async def test_an_advance_applies_the_message_log_retention(make_hub: MakeHub) -> None:
    hub = await make_hub(message_log=MessageLogConfig(retention_days=1))
    await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA, "X-Road-Id": "old"})
    await _advance(hub, 2 * DAY)
    await hub.post(POPULATION, json=lookup_body(), headers={"X-Road-Client": MOTCUA, "X-Road-Id": "fresh"})
    await hub.app[HUB].message_log.flush()
    listed = await (await hub.get("/api/v1/messages", headers=ADMIN)).json()
    assert [m["record"]["messageId"] for m in listed["items"]] == ["fresh"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/clock/advance", {"seconds": -1}),
        ("POST", "/api/v1/clock/advance", {"seconds": "1d"}),
        ("POST", "/api/v1/clock/advance", {"seconds": 400 * DAY}),
        ("PUT", "/api/v1/clock", {"frozen": "yes"}),
        ("PUT", "/api/v1/clock", {"frozen": True, "offset": 5}),
    ],
)
async def test_a_bad_clock_change_is_refused(
    hub: TestClient[Any, Any], method: str, path: str, body: dict[str, Any]
) -> None:
    resp = await hub.request(method, path, json=body, headers=ADMIN)
    assert resp.status == 400 and (await resp.json())["error"] == "invalid"
    assert (await (await hub.get("/api/v1/clock", headers=ADMIN)).json())["offset_seconds"] == 0


async def test_the_clock_needs_the_admin_token(hub: TestClient[Any, Any]) -> None:
    assert (await hub.post("/api/v1/clock/advance", json={"seconds": DAY})).status == 401


async def test_a_manual_clock_advances_but_cannot_resume(make_hub: MakeHub) -> None:
    manual = ManualClock()
    hub = await make_hub()
    hub.app[HUB].clock = manual  # as a test's hub has it
    assert (await _advance(hub, 60))["now_ms"] == ((1_763_700_000 + 60) * 1000)
    refused = await hub.put("/api/v1/clock", json={"frozen": False}, headers=ADMIN)
    assert refused.status == 409 and "cannot resume" in (await refused.json())["message"]


async def test_each_store_keeps_the_shared_clock(store: Store) -> None:
    assert await store.get_clock() is None
    assert await store.put_clock(DAY * 1000, None) == 1
    assert await store.put_clock(DAY * 1000, 1_763_700_000_123) == 2
    assert await store.get_clock() == SharedClock(DAY * 1000, 1_763_700_000_123, 2)


async def test_log_export_ends_at_the_hubs_time_not_this_machines(tmp_path: Path) -> None:
    """Records a hub stamped two days ahead (its clock moved on) are in an export without --to."""
    store = SqliteStore(tmp_path / "ngsp-sim.sqlite3")
    await store.open()
    ahead = int(time.time() * 1000) + 2 * DAY * 1000
    await store.append_messages([entry(n, ts=ahead + n) for n in range(3)])
    await store.put_clock(2 * DAY * 1000 + 60_000, None)
    await store.close()
    out = tmp_path / "evidence.jsonl"
    made = await asyncio.to_thread(
        run_cli, "log", "export", "--data-dir", str(tmp_path), "--from", "2020-01-01T00:00:00Z", "--out", str(out)
    )
    assert made.returncode == 0 and "wrote 3 records" in made.stdout, made.stdout + made.stderr


async def test_replicas_on_one_store_share_the_clock(aiohttp_client: Any, tmp_path: Path) -> None:
    """Each replica has its own PlatformClock (as each `ngsp-sim up` process does); a change on one is
    stored before the answer, and the others take it up on their poll (called here) or at start."""

    async def replica() -> TestClient[Any, Any]:
        config = HubConfig(population=50, admin_token=ADMIN_TOKEN, data_dir=tmp_path, security=FAST)
        client: TestClient[Any, Any] = await aiohttp_client(create_app(config, country=Country.generate(7, 50, 10)))
        return client

    async def clock_of(hub: TestClient[Any, Any]) -> dict[str, Any]:
        return dict(await (await hub.get("/api/v1/clock", headers=ADMIN)).json())

    first, second = await replica(), await replica()
    await _advance(first, DAY)
    sync = second.app[HUB].clock_sync
    assert sync is not None and await sync.load()
    assert (await clock_of(second))["offset_seconds"] >= DAY - 1  # the offset as stored, to the ms
    frozen = await (await second.put("/api/v1/clock", json={"frozen": True}, headers=ADMIN)).json()
    first_sync = first.app[HUB].clock_sync
    assert first_sync is not None and await first_sync.load()
    on_first = await clock_of(first)
    # frozen too; at the stored instant, or at its own if it had already passed it (never back)
    assert on_first["frozen"] and on_first["now_ms"] >= frozen["now_ms"] - 1
    assert (await clock_of(first))["now_ms"] == on_first["now_ms"]
    third = await replica()  # started later: takes the stored clock up at start
    on_third = await clock_of(third)
    assert on_third["frozen"] and abs(on_third["now_ms"] - frozen["now_ms"]) <= 1


STORY = f"""name: clock
title: {{vi: "Đồng hồ", en: "Clock"}}
actors:
  dvcqg: {{client: {DVCQG}}}
steps:
  - call: VN/GOV/000.00.00.H29/MOTCUA/TiepNhanHoSo
    as: dvcqg
    body: {{MaTTHC: "1.001612", ChuHoSo: "Nguyễn Văn An", SoGiayToChuHoSo: "079090001234",
            NgaySinhChuHoSo: "19900515", TrichYeuHoSo: "Đăng ký thường trú"}}
    expect: {{fields: {{TrangThaiHoSo: 2}}}}
    save: {{dossier: MaHoSo}}
  - advance: 2d
  - call: VN/GOV/000.00.00.H29/MOTCUA/TraCuuTrangThaiHoSo
    as: dvcqg
    body: {{MaHoSo: "${{dossier}}"}}
    expect: {{fields: {{TrangThaiHoSo: 9}}}}  # two steps: 2 -> 4 -> 9
"""


async def test_a_scenario_step_advances_the_clock(make_hub: MakeHub, clock: PlatformClock) -> None:
    hub = await make_hub()
    before = clock.now()
    run = await play(hub, ManualClock(), source=STORY)  # nothing waits: the helper's clock never moves
    assert failures(run) == [] and run["state"] == "passed"
    step = run["steps"][1]
    assert step["title"]["en"] == "Move the clock on 2d" and step["detail"] == "the hub's clock moved on 172800 s"
    assert "2 day(s)" in step["explanation"]["en"] and "2 ngày" in step["explanation"]["vi"]
    assert clock.now() - before >= 2 * DAY
    (moved,) = [e.data for e in hub.app[HUB].feed.recent if e.kind == "clock"]  # followers hear of it
    assert moved["offset_seconds"] >= 2 * DAY and not moved["frozen"]


@pytest.fixture
async def hub_process(tmp_path: Path) -> AsyncIterator[Running]:
    running = await start("up", "--port", "0", "--population", "100", "--data-dir", str(tmp_path), env=ADMIN_ENV)
    yield running
    if running.process.returncode is None:
        await stop(running)


async def test_the_command_line_drives_the_clock_of_a_running_hub(hub_process: Running) -> None:
    """``ngsp-sim up`` runs on a controllable clock; ``ngsp-sim clock`` freezes, moves and resumes it."""

    async def cli(*args: str) -> str:
        result = await asyncio.to_thread(run_cli, "clock", *args, "--hub", hub_process.url, env=ADMIN_ENV)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert "(running)" in await cli("show")
    frozen = await cli("freeze")
    assert "(frozen" in frozen
    moved = await cli("advance", "2d")
    assert "(frozen, +" in moved
    moved_by = datetime.fromisoformat(moved.split()[0]) - datetime.fromisoformat(frozen.split()[0])
    assert abs(moved_by - timedelta(days=2)) <= timedelta(milliseconds=1)  # frozen: exactly the advance (to the ms)
    assert "(running, +" in await cli("resume")
    # a fault's --for counts on the hub's clock, two days ahead now, not on this machine's
    added = await asyncio.to_thread(
        run_cli, "chaos", "add", "down", "--target", PROVIDER, "--kind", "outage", "--for", "120",
        "--hub", hub_process.url, env=ADMIN_ENV,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    async with aiohttp.ClientSession(hub_process.url, headers=ADMIN) as session:
        async with session.get("/api/v1/clock") as r:
            clock = await r.json()
        assert clock["offset_seconds"] > DAY  # real time passing never takes a day off
        async with session.get("/api/v1/faults") as r:
            (fault,) = (await r.json())["items"]
        assert fault["start"] <= clock["now_ms"] / 1000 < fault["end"] == fault["start"] + 120
    bad = await asyncio.to_thread(run_cli, "clock", "advance", "2w", "--hub", hub_process.url, env=ADMIN_ENV)
    assert bad.returncode == 2 and "'2w' is not a duration" in bad.stderr and "Traceback" not in bad.stderr


async def test_the_clock_command_says_when_no_hub_answers() -> None:
    with socket.socket() as closed:  # bound, never listening: a connection is refused at once
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
        result = await asyncio.to_thread(run_cli, "clock", "advance", "1d", "--hub", url, env=ADMIN_ENV)
    assert result.returncode == 2 and f"no hub answers at {url}" in result.stderr
