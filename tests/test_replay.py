"""Record and replay: exchanges captured from a hub's message log (``ngsp-sim record``, over the admin
API) and served back by ``ngsp-sim replay`` as the provider of a second hub, which answers the same."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import orjson

from ngsp_sim.sim import DEMO_BUSINESS
from ngsp_sim.testing.replay import FORMAT, load_fixture
from tests.helpers import ADMIN_TOKEN, BUSINESS, MOTCUA, POPULATION, MakeHub, lookup_body
from tests.processes import start

H = {"X-Road-Client": MOTCUA}


def _topology(replay_url: str) -> str:
    return f"""
agencies:
  - code: 000.00.00.G01
    name: {{vi: "Bộ Công an", en: "Ministry of Public Security"}}
    subsystems:
      - code: CSDLQGDC
        name: {{vi: "CSDLQG về dân cư", en: "Population DB"}}
        services:
          - {{code: TraCuuThongTinCongDan, adapter: population, endpoint: "{replay_url}"}}
  - code: 000.00.00.G12
    name: {{vi: "Bộ Kế hoạch và Đầu tư", en: "Ministry of Planning and Investment"}}
    subsystems:
      - code: CSDLDKDN
        name: {{vi: "CSDLQG về đăng ký doanh nghiệp", en: "Business DB"}}
        services:
          - {{code: chiTietDoanhNghiep, adapter: business, endpoint: "{replay_url}"}}
  - code: 000.00.00.H29
    name: {{vi: "UBND TP. Hồ Chí Minh", en: "Hồ Chí Minh City"}}
    subsystems:
      - code: MOTCUA
        name: {{vi: "Một cửa", en: "One-stop"}}
access:
  - {{client: {MOTCUA}, service: VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan}}
  - {{client: {MOTCUA}, service: VN/GOV/000.00.00.G12/CSDLDKDN/chiTietDoanhNghiep}}
"""


async def _cli(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ngsp_sim",
        *args,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def _calls(hub: Any) -> list[tuple[int, Any]]:
    answers = []
    for request in (
        hub.post(POPULATION, json=lookup_body(), headers=H),
        hub.get(BUSINESS, params={"msdn": DEMO_BUSINESS}, headers=H),
        hub.post(POPULATION, json=lookup_body(MaYeuCau="YC-0002"), headers=H),
    ):
        async with request as answer:
            answers.append((answer.status, await answer.json()))
    return answers


async def test_recorded_exchanges_are_replayed_as_the_provider(make_hub: MakeHub, tmp_path: Path) -> None:
    original = await make_hub()
    recorded_answers = await _calls(original)
    assert [status for status, _ in recorded_answers] == [200, 200, 200]
    await original.post(POPULATION, json={"wrong": 1}, headers=H)  # refused by the hub: nothing to replay
    fixture = tmp_path / "fixture.json"

    code, out, err = await _cli(
        "record", str(fixture), "--hub", str(original.make_url("")), env={"NGSP_SIM_ADMIN_TOKEN": ADMIN_TOKEN}
    )
    assert code == 0, err
    assert "recorded 3 exchanges of 2 services" in out and "(1 not replayable)" in out
    document = orjson.loads(fixture.read_bytes())
    assert document["format"] == FORMAT and len(load_fixture(fixture)) == 3
    assert document["exchanges"][1]["request"]["path"].endswith(f"?msdn={DEMO_BUSINESS}")

    replay = await start("replay", str(fixture), "--port", "0")
    try:
        replaying = await make_hub(_topology(replay.url))
        assert await _calls(replaying) == recorded_answers
        async with replaying.get(BUSINESS, params={"msdn": "0100109106"}, headers=H) as unknown:
            assert unknown.status == 404
            assert "no recorded exchange for GET" in (await unknown.json())["error"]
    finally:
        await replay.stop()


async def test_recording_needs_the_admin_token(tmp_path: Path) -> None:
    code, _, err = await _cli("record", str(tmp_path / "f.json"), env={"NGSP_SIM_ADMIN_TOKEN": ""})
    assert code == 2 and "admin token is needed" in err


def test_a_file_that_is_not_a_fixture_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"format": "something-else"}')
    try:
        load_fixture(path)
    except ValueError as exc:
        assert "not an ngsp-sim fixture" in str(exc)
    else:
        raise AssertionError("accepted a file that is not a fixture")
