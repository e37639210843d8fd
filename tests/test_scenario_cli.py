"""``ngsp-sim scenario`` as a user runs it: a real process, against an in-process hub or a running one."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import aiohttp

from ngsp_sim.scenarios import shipped
from tests.helpers import ADMIN_TOKEN, xml_file
from tests.processes import run_cli, start

ENV = {"NGSP_SIM_ADMIN_TOKEN": ADMIN_TOKEN}
FAILING = """name: failing
title: {vi: "Hỏng", en: "Broken"}
actors:
  motcua: {client: VN/GOV/000.00.00.H29/MOTCUA}
steps:
  - call: VN/GOV/000.00.00.G12/CSDLDKDN/chiTietDoanhNghiep
    as: motcua
    query: {msdn: "0312345673"}
    expect: {status: 404}
  - say: {vi: "không tới", en: "never reached"}
"""


def test_list_prints_one_scenario_a_line_name_first() -> None:
    out = run_cli("scenario", "list", "--lang", "vi")
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(shipped())
    assert "Xác thực công dân tại bộ phận một cửa" in lines[0]


def test_run_in_process_shows_progress_and_writes_reports(tmp_path: Path) -> None:
    md, xml = tmp_path / "report.md", tmp_path / "report.xml"
    out = run_cli("scenario", "run", "identity-check", "--lang", "vi", "--report", str(md), "--junit", str(xml))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "[2/6] Tra cứu thông tin công dân (037)" in out.stdout
    assert "      ✓ 500 Server.ServerProxy.AccessDenied" in out.stdout
    assert out.stdout.rstrip().splitlines()[-1].startswith("identity-check: đạt, 6/6 bước")
    assert "exchange" not in out.stderr  # the hub's info log does not drown the progress display
    assert md.read_text(encoding="utf-8").startswith("# Xác thực công dân tại bộ phận một cửa")
    assert xml_file(xml).get("failures") == "0"


def test_a_broken_file_is_refused_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(FAILING.replace("as: motcua", "as: nobody"), encoding="utf-8")
    out = run_cli("scenario", "run", str(bad))
    assert out.returncode == 2
    assert f"{bad}:7: steps[0].as: unknown actor 'nobody'; declared: motcua" in out.stderr
    unknown = run_cli("scenario", "run", "no-such-story")
    assert unknown.returncode == 2 and "no scenario named 'no-such-story'" in unknown.stderr


async def test_run_against_a_running_hub_and_a_failing_step(tmp_path: Path) -> None:
    hub = await start("up", "--port", "0", "--population", "10", "--data-dir", str(tmp_path / "d"), env=ENV)
    try:
        passed = await _cli(tmp_path, "scenario", "run", "population-outage", "--hub", hub.url, env=ENV)
        assert passed.returncode == 0, passed.stdout + passed.stderr
        assert f"on {hub.url}" in passed.stdout and "population-outage: passed, 8/8 steps" in passed.stdout
        failing = tmp_path / "failing.yaml"
        failing.write_text(FAILING, encoding="utf-8")
        failed = await _cli(tmp_path, "scenario", "run", str(failing), "--hub", hub.url, "--junit", "r.xml", env=ENV)
        assert failed.returncode == 1
        assert "✗ expected status 404, the hub answered 200" in failed.stdout
        assert "failing: failed, 0/2 steps" in failed.stdout
        assert xml_file(tmp_path / "r.xml").get("skipped") == "1"
        no_token = await _cli(tmp_path, "scenario", "run", "identity-check", "--hub", hub.url, env={})
        assert no_token.returncode == 2 and "admin token is needed" in no_token.stderr
    finally:
        await hub.stop()


async def test_step_mode_waits_for_enter_and_q_stops(tmp_path: Path) -> None:
    hub = await start("up", "--port", "0", "--population", "10", "--data-dir", str(tmp_path / "d"), env=ENV)
    try:
        stepped = await _cli(
            tmp_path, "scenario", "run", "identity-check", "--hub", hub.url, "--step", env=ENV, terminal="\n" * 6
        )
        assert stepped.returncode == 0, stepped.stdout + stepped.stderr
        assert stepped.stdout.count("Enter: next step") == 6
        stopped = await _cli(
            tmp_path, "scenario", "run", "population-outage", "--hub", hub.url, "--step", env=ENV, terminal="\n\nq\n"
        )
        assert stopped.returncode == 1
        assert "population-outage: stopped, 2/8 steps" in stopped.stdout
        assert "fault population-outage was left injected; the hub cleared it" in stopped.stdout
    finally:
        await hub.stop()


async def test_step_mode_without_a_terminal_is_refused_and_starts_no_run(tmp_path: Path) -> None:
    hub = await start("up", "--port", "0", "--population", "10", "--data-dir", str(tmp_path / "d"), env=ENV)
    try:
        for stdin in ("\n" * 6, None):  # a pipe; nothing at all (stdin closed)
            refused = await _cli(
                tmp_path, "scenario", "run", "identity-check", "--hub", hub.url, "--step", env=ENV, stdin=stdin
            )
            assert refused.returncode == 2, refused.stdout + refused.stderr
            assert "--step asks before each step and needs a terminal on stdin" in refused.stderr
            assert "Traceback" not in refused.stderr and "EOFError" not in refused.stderr
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{hub.url}/api/v1/scenario-runs", headers=headers) as answer,
        ):
            assert (await answer.json())["items"] == []  # nothing was left waiting in the hub
    finally:
        await hub.stop()


async def _cli(
    cwd: Path, *args: str, env: dict[str, str], stdin: str | None = "", terminal: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``ngsp-sim ARGS`` with ``stdin`` on a pipe (None: stdin closed), or ``terminal`` typed on a
    pseudo-terminal as stdin (what --step needs)."""
    environ = {k: v for k, v in os.environ.items() if k != "NGSP_SIM_ADMIN_TOKEN"} | env
    command = [sys.executable, "-m", "ngsp_sim", *args]
    if terminal is None:
        return await asyncio.to_thread(
            subprocess.run,
            command,
            input=stdin,
            stdin=subprocess.DEVNULL if stdin is None else None,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=cwd,
            env=environ,
            preexec_fn=(lambda: os.close(0)) if stdin is None else None,
        )
    typist, tty = os.openpty()
    try:
        os.write(typist, terminal.encode())  # the terminal keeps the lines until the command reads them
        return await asyncio.to_thread(
            subprocess.run,
            command,
            stdin=tty,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=cwd,
            env=environ,
        )
    finally:
        os.close(tty)
        os.close(typist)
