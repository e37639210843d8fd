"""The command line, run as a user runs it: real processes, real sockets, the README's own curls."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import defusedxml.ElementTree
import pytest

from tests.helpers import ADMIN_TOKEN, MOTCUA, POPULATION, lookup_body, readme_curls
from tests.processes import Running, run_cli, start, stop

ROOT = Path(__file__).resolve().parent.parent


ADMIN_ENV = {"NGSP_SIM_ADMIN_TOKEN": ADMIN_TOKEN}


@pytest.fixture
async def hub_process(tmp_path: Path) -> AsyncIterator[Running]:
    running = await start(
        "up", "--port", "0", "--population", "100", "--data-dir", str(tmp_path / "data"), env=ADMIN_ENV
    )
    yield running
    if running.process.returncode is None:
        await stop(running)


async def test_up_serves_the_demo_over_a_real_socket_and_stops_cleanly(hub_process: Running) -> None:
    assert "listening on" in hub_process.banner
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{hub_process.url}/healthz") as resp:
            assert (await resp.json())["status"] == "ok"
        async with session.post(
            f"{hub_process.url}{POPULATION}", json=lookup_body(), headers={"X-Road-Client": MOTCUA}
        ) as resp:
            assert resp.status == 200
            assert (await resp.json())["CongdanCollection"]["CongDan"][0]["SoDinhDanh"] == "079090001234"
    assert await stop(hub_process) == 0


async def test_logs_are_json_lines_with_the_exchange_id(hub_process: Running) -> None:
    async with aiohttp.ClientSession() as session:
        headers = {"X-Road-Client": MOTCUA, "X-Road-Id": "cli-log-test"}
        async with session.post(f"{hub_process.url}{POPULATION}", json=lookup_body(), headers=headers) as resp:
            assert resp.status == 200
    await stop(hub_process)
    events = [json.loads(line) for line in hub_process.stderr.decode().splitlines() if line]
    (exchange,) = [e for e in events if e.get("event") == "exchange"]
    assert exchange["xroad_id"] == "cli-log-test"
    assert exchange["status"] == 200 and exchange["client"] == MOTCUA


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
async def test_readme_curl_examples_work_as_printed(hub_process: Running, tmp_path: Path) -> None:
    commands = readme_curls("http://127.0.0.1:8080")
    assert len(commands) >= 8
    for command in commands:
        command = command.replace("http://127.0.0.1:8080", hub_process.url)
        command = command.replace(".venv/bin/python ", f"{sys.executable} ")
        for _ in range(50):  # the message log is written within 0.2 s; a record read at once may not be there yet
            proc = await asyncio.create_subprocess_shell(
                command,
                stdout=asyncio.subprocess.PIPE,
                env={**os.environ, **ADMIN_ENV, "PYTHONPATH": str(ROOT)},
                cwd=tmp_path,
            )
            out, _ = await asyncio.wait_for(proc.communicate(), 30)
            assert proc.returncode == 0, command
            if out.startswith(b"<?xml"):  # listClients without Accept: X-Road's text/xml clientList
                body = {"xml": defusedxml.ElementTree.fromstring(out).tag}
                assert body["xml"] == "{http://x-road.eu/xsd/xroad.xsd}clientList", command
                break
            body = json.loads(out)
            if not (isinstance(body, dict) and body.get("error") == "not_found"):
                break
            await asyncio.sleep(0.1)
        assert body, command
        if "999090001234" in command:
            assert body["type"] == "Client.SchemaViolation"
        elif "/api/v1/" in command:
            assert "error" not in body, (command, body)
        else:
            assert "type" not in body or "openapi" in body, (command, body)


async def test_generated_consumer_secret_is_shown_once(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    seen = []
    for _ in range(2):
        running = await start("up", "--port", "0", "--population", "10", "--data-dir", data, env=ADMIN_ENV)
        await stop(running)
        seen.append(running.banner + running.stdout.decode())
    assert "consumer secret generated for hotich-btp (shown once):" in seen[0]
    assert "hotich-btp" not in seen[1]


def test_catalog_lists_the_demo_services() -> None:
    result = run_cli("catalog")
    assert result.returncode == 0
    assert "VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan" in result.stdout
    assert "34 services, 9 agencies" in result.stdout


def test_catalog_of_the_built_in_lgsp_names_its_national_services_upstream() -> None:
    rows = json.loads(run_cli("catalog", "--topology", "lgsp-hcm", "--format", "json").stdout)
    providers = {r["service"]: r["provider"] for r in rows}
    assert providers["VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan"] == "upstream (NGSP)"
    assert providers["VN/GOV/000.00.00.H29/MOTCUA/TraCuuTrangThaiHoSo"] == "simulated (one_stop)"


def test_catalog_as_json() -> None:
    rows = json.loads(run_cli("catalog", "--format", "json").stdout)
    assert {r["service"] for r in rows} >= {"VN/GOV/000.00.00.G22/DVCQG/DongBoHoSoMC"}


def test_bad_topology_is_a_readable_sentence_not_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("instance: VN\nagencies:\n  - code: nope\n    name: {vi: a, en: b}\n", encoding="utf-8")
    for command in (("up", "--topology", str(bad), "--port", "0"), ("catalog", "--topology", str(bad))):
        result = run_cli(*command, *(("--data-dir", str(tmp_path / "d")) if command[0] == "up" else ()))
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert f"{bad}:3: agencies[0].code: expected a QCVN 102 agency code" in result.stderr


async def test_port_in_use_is_a_readable_sentence(hub_process: Running, tmp_path: Path) -> None:
    port = hub_process.url.rsplit(":", 1)[1]
    result = await asyncio.to_thread(run_cli, "up", "--port", port, "--data-dir", str(tmp_path / "other"))
    assert result.returncode != 0
    assert "cannot listen on 127.0.0.1:" in result.stderr and "Traceback" not in result.stderr


async def test_agency_runs_alone_speaking_its_native_api_and_says_which_paths() -> None:
    running = await start("agency", "run", "business", "--port", "0", "--population", "10")
    try:
        async with aiohttp.ClientSession() as session:
            url = f"{running.url}/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=0312345673"
            async with session.get(url) as resp:
                assert (await resp.json())["MainInformation"]["NAME"] == "CÔNG TY TNHH CÔNG NGHỆ SỐ SAO MAI"
            async with session.get(f"{running.url}/") as resp:
                assert resp.status == 200
                paths = {(p["method"], p["path"]) for p in (await resp.json())["paths"]}
    finally:
        assert await stop(running) == 0
    assert ("GET", "/apiCSDLDKDN/1.0/chiTietDoanhNghiep") in paths
    printed = running.banner + running.stdout.decode()
    for method, path in paths:
        assert re.search(rf"{method}\s+{re.escape(running.url + path)}$", printed, re.M), (method, path)


async def test_commands_that_talk_to_a_hub_say_when_none_answers(tmp_path: Path) -> None:
    with socket.socket() as closed:  # bound, never listening: a connection is refused at once
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
        commands = [
            ("chaos", "list"),
            ("chaos", "clear", "x"),
            ("chaos", "add", "x", "--target", "VN/GOV/000.00.00.G01", "--kind", "outage"),
            ("deliveries", "list"),
            ("deliveries", "replay", "1"),
            ("record", str(tmp_path / "f.json")),
            ("scenario", "run", "identity-check"),
        ]
        for command in commands:
            result = await asyncio.to_thread(run_cli, *command, "--hub", url, env=ADMIN_ENV)
            assert result.returncode != 0, command
            assert f"no hub answers at {url}; start one with `ngsp-sim up`" in result.stderr, (command, result.stderr)
            assert "Traceback" not in result.stderr and "Connect call failed" not in result.stderr


@pytest.mark.parametrize(
    "command", [("log", "tail"), ("log", "verify"), ("credentials", "list"), ("credentials", "rotate", "motcua-hcm")]
)
async def test_store_commands_in_a_directory_without_a_store_say_so_and_create_nothing(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """A newcomer in the wrong directory is told, instead of getting an empty store and a new log key."""
    result = await asyncio.to_thread(run_cli, *command, env=ADMIN_ENV, cwd=str(tmp_path))
    assert result.returncode != 0
    assert f"no store at {tmp_path / '.ngsp-sim' / 'ngsp-sim.sqlite3'}" in result.stderr, result.stderr
    assert "ngsp-sim up" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / ".ngsp-sim").exists()


async def test_up_with_a_wrong_topology_reports_it_and_writes_nothing(tmp_path: Path) -> None:
    topology = tmp_path / "bad.yaml"
    topology.write_text("agencies:\n  - nmae: x\n", encoding="utf-8")
    result = await asyncio.to_thread(
        run_cli, "up", "--port", "0", "--topology", str(topology), env=ADMIN_ENV, cwd=str(tmp_path)
    )
    assert result.returncode == 2 and "problem(s) in the topology" in result.stderr, result.stderr
    assert not (tmp_path / ".ngsp-sim").exists()  # no store, no message-log key


async def test_up_with_a_wrong_option_reports_it_and_writes_nothing(tmp_path: Path) -> None:
    env = {"NGSP_SIM_ADMIN_TOKEN": "short"}  # below the admin token's minimum length
    result = await asyncio.to_thread(run_cli, "up", "--port", "0", env=env, cwd=str(tmp_path))
    assert result.returncode == 2 and "admin token must be at least 16 characters" in result.stderr, result.stderr
    assert not (tmp_path / ".ngsp-sim").exists()  # no store, no message-log key


async def test_config_show_prints_the_store_the_hub_really_uses(tmp_path: Path) -> None:
    env = dict(ADMIN_ENV)
    shown = await asyncio.to_thread(run_cli, "config", "show", "--population", "10", env=env, cwd=str(tmp_path))
    assert shown.returncode == 0, shown.stderr
    lines = {line.split()[0]: line for line in shown.stdout.splitlines()}
    assert "None" not in shown.stdout
    assert str(tmp_path / ".ngsp-sim") in lines["data_dir"] and "from default" in lines["data_dir"]
    store = lines["store"].split()[1]
    assert store.startswith("sqlite:///") and "built-in demo country" in lines["topology"]
    running = await start("up", "--port", "0", "--population", "10", env=env, cwd=str(tmp_path))
    await stop(running)
    assert f"store: {store} " in running.banner + running.stdout.decode()
    assert await asyncio.to_thread(Path(store.removeprefix("sqlite://")).exists)


async def test_deliveries_replay_of_an_unknown_id_is_an_error(hub_process: Running) -> None:
    result = await asyncio.to_thread(run_cli, "deliveries", "replay", "999", "--hub", hub_process.url, env=ADMIN_ENV)
    assert result.returncode != 0 and "replayed" not in result.stdout
    assert "no delivery 999" in result.stderr and "Traceback" not in result.stderr


async def test_chaos_list_says_when_there_are_no_faults(hub_process: Running) -> None:
    empty = await asyncio.to_thread(run_cli, "chaos", "list", "--hub", hub_process.url, env=ADMIN_ENV)
    assert empty.returncode == 0 and empty.stdout.strip() == f"no faults on {hub_process.url}"
    target = "VN/GOV/000.00.00.G01/CSDLQGDC"
    added = await asyncio.to_thread(
        run_cli,
        "chaos",
        "add",
        "popdb-down",
        "--target",
        target,
        "--kind",
        "outage",
        "--hub",
        hub_process.url,
        env=ADMIN_ENV,
    )
    assert added.returncode == 0 and "injected fault popdb-down" in added.stdout
    listed = (await asyncio.to_thread(run_cli, "chaos", "list", "--hub", hub_process.url, env=ADMIN_ENV)).stdout
    assert listed.splitlines()[0].split() == ["ID", "KIND", "RATE", "HITS", "TARGET"]
    assert listed.splitlines()[1].split() == ["popdb-down", "outage", "1", "0", target]


async def test_the_banner_lists_every_client_grouped_by_agency(hub_process: Running) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{hub_process.url}/listClients", headers={"Accept": "application/json"}) as resp,
    ):
        members = (await resp.json())["member"]
    subsystems = [m["id"] for m in members if m["id"]["object_type"] == "SUBSYSTEM"]
    await stop(hub_process)
    banner = (hub_process.banner + hub_process.stdout.decode()).split("  metaservices:")[0]
    grouped = banner.split("by agency:\n")[1].splitlines()
    assert len(grouped) < len(subsystems) and all(len(line) <= 120 for line in grouped)
    for sub in subsystems:
        member = f"VN/{sub['member_class']}/{sub['member_code']}: "
        (line,) = [line for line in grouped if line.strip().startswith(member)]
        assert sub["subsystem_code"] in line.split(": ")[1].split("  (")[0].split(", ")
