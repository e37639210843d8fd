"""Real processes sharing one store: the log commands, and two hub replicas on one PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp

from ngsp_sim.store import MessageQuery, SqliteStore
from tests.helpers import ADMIN, ADMIN_TOKEN, MOTCUA, POPULATION, eventually, lookup_body
from tests.processes import run_cli, start, stop

ENV = {"NGSP_SIM_ADMIN_TOKEN": ADMIN_TOKEN}


async def _lookups(url: str, count: int, prefix: str) -> None:
    async with aiohttp.ClientSession() as session:
        for n in range(count):
            headers = {"X-Road-Client": MOTCUA, "X-Road-Id": f"{prefix}-{n}"}
            async with session.post(f"{url}{POPULATION}", json=lookup_body(), headers=headers) as resp:
                assert resp.status == 200


async def test_log_verify_passes_then_names_the_tampered_record(tmp_path: Path) -> None:
    data = tmp_path / "data"
    hub = await start("up", "--port", "0", "--population", "50", "--data-dir", str(data), env=ENV)
    await _lookups(hub.url, 6, "v")
    assert await stop(hub) == 0  # shutdown writes the queued records

    ok = await asyncio.to_thread(run_cli, "log", "verify", "--data-dir", str(data))
    assert ok.returncode == 0, ok.stderr
    assert "ok: 6 records" in ok.stdout

    store = SqliteStore(data / "ngsp-sim.sqlite3")
    await store.open()
    (victim,) = await store.list_messages(MessageQuery(message_id="v-3"))
    forged = {**victim.record, "statusCode": 500}
    await store.tamper_for_tests(victim.id, "record", json.dumps(forged))
    await store.close()

    broken = await asyncio.to_thread(run_cli, "log", "verify", "--store", f"sqlite://{data / 'ngsp-sim.sqlite3'}")
    assert broken.returncode == 1
    assert f"BROKEN at record {victim.id}" in broken.stdout
    assert "3 records before it are intact" in broken.stdout


async def test_log_tail_prints_the_newest_exchanges(tmp_path: Path) -> None:
    data = tmp_path / "data"
    hub = await start("up", "--port", "0", "--population", "50", "--data-dir", str(data), env=ENV)
    await _lookups(hub.url, 3, "t")
    await stop(hub)
    text = await asyncio.to_thread(run_cli, "log", "tail", "-n", "2", "--data-dir", str(data))
    lines = text.stdout.strip().splitlines()
    assert len(lines) == 2
    assert all(f"{MOTCUA} -> VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan 200" in line for line in lines)
    as_json = await asyncio.to_thread(run_cli, "log", "tail", "--format", "json", "--data-dir", str(data))
    ids = [json.loads(line)["messageId"] for line in as_json.stdout.splitlines()]
    assert ids == ["t-0", "t-1", "t-2"]


async def test_two_replicas_on_postgresql_share_registry_and_message_log(pg_url: str) -> None:
    args = ("up", "--port", "0", "--population", "50", "--store", pg_url)
    first = await start(*args, env=ENV)
    second = await start(*args, env=ENV)
    try:
        async with aiohttp.ClientSession() as session:
            service = "VN/GOV/000.00.00.H38/DKKD/chiTietDoanhNghiep"
            subsystem = {
                "name": {"vi": "CSDL doanh nghiệp Lào Cai", "en": "Lào Cai business registry"},
                "agency_name": {"vi": "UBND tỉnh Lào Cai", "en": "Lào Cai People's Committee"},
                "simulator": "business",
            }
            steps = [
                ("PUT", "/api/v1/subsystems/VN/GOV/000.00.00.H38/DKKD", subsystem),
                ("PUT", f"/api/v1/services/{service}", {"adapter": "business"}),
                ("PUT", "/api/v1/access", {"client": MOTCUA, "service": service}),
            ]
            for method, path, body in steps:  # registered through the first replica...
                async with session.request(method, first.url + path, json=body, headers=ADMIN) as resp:
                    assert resp.status == 200, await resp.text()
            # ...routable through the second at once (a miss makes it re-read the shared registry)
            headers = {"X-Road-Client": MOTCUA, "X-Road-Id": "via-second"}
            async with session.get(f"{second.url}/r1/{service}?msdn=0312345673", headers=headers) as resp:
                assert resp.status == 200, await resp.text()
                assert (await resp.json())["Status"] == 1
            await _lookups(first.url, 2, "via-first")

            async def seen_by(url: str, message_id: str) -> bool:
                async with session.get(f"{url}/api/v1/messages?message_id={message_id}", headers=ADMIN) as resp:
                    return len((await resp.json())["items"]) == 1

            # a message routed through one replica is visible through the other
            await eventually(lambda: seen_by(second.url, "via-first-1"))
            await eventually(lambda: seen_by(first.url, "via-second"))
            async with session.get(f"{first.url}/api/v1/messages-verify", headers=ADMIN) as resp:
                report = await resp.json()
            assert report["ok"] and report["checked"] == 3
    finally:
        assert await stop(first) == 0
        assert await stop(second) == 0


async def test_chaos_commands_against_a_running_hub(tmp_path: Path) -> None:
    hub = await start("up", "--port", "0", "--population", "20", "--data-dir", str(tmp_path / "d"), env=ENV)
    try:
        common = ("--hub", hub.url, "--admin-token", ADMIN_TOKEN)
        added = await asyncio.to_thread(
            run_cli,
            "chaos",
            "add",
            "popdb-down",
            "--target",
            "VN/GOV/000.00.00.G01/CSDLQGDC",
            "--kind",
            "outage",
            "--for",
            "600",
            *common,
        )
        assert added.returncode == 0, added.stderr
        assert "injected fault popdb-down" in added.stdout
        async with aiohttp.ClientSession() as session:
            headers = {"X-Road-Client": MOTCUA}
            async with session.post(f"{hub.url}{POPULATION}", json=lookup_body(), headers=headers) as resp:
                assert resp.headers["X-Road-Error"] == "Server.ServerProxy.ServiceFailed.NetworkError"
            listed = await asyncio.to_thread(run_cli, "chaos", "list", *common)
            header, row = (line.split() for line in listed.stdout.splitlines())
            assert dict(zip(header, row, strict=True)) == {
                "ID": "popdb-down",
                "KIND": "outage",
                "RATE": "1",
                "HITS": "1",
                "TARGET": "VN/GOV/000.00.00.G01/CSDLQGDC",
            }
            cleared = await asyncio.to_thread(run_cli, "chaos", "clear", "popdb-down", *common)
            assert cleared.returncode == 0
            async with session.post(f"{hub.url}{POPULATION}", json=lookup_body(), headers=headers) as resp:
                assert resp.status == 200
        bad = await asyncio.to_thread(
            run_cli, "chaos", "add", "x", "--target", "VN/GOV/X/Y", "--kind", "reset", *common
        )
        assert bad.returncode == 2 and "neither a declared service, subsystem nor member" in bad.stderr
        denied = await asyncio.to_thread(
            run_cli, "chaos", "list", "--hub", hub.url, "--admin-token", "wrong-token-0123"
        )
        assert denied.returncode == 2 and "not valid" in denied.stderr
    finally:
        await stop(hub)
