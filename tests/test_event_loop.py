"""The event loop `ngsp-sim up` and `ngsp-sim agency run` serve on: uvloop's where it is installed,
asyncio's with NGSP_SIM_EVENT_LOOP=asyncio (and on Windows, where uvloop does not exist)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import aiohttp
import click
import pytest

from ngsp_sim.cli.common import EVENT_LOOP_ENV, loop_factory
from tests.helpers import MOTCUA, POPULATION, lookup_body
from tests.processes import run_cli, start, stop

uvloop = pytest.importorskip("uvloop", reason="uvloop is not installed (Windows)")


def test_uvloop_by_default_and_asyncio_on_request() -> None:
    assert loop_factory({}) is uvloop.new_event_loop
    assert loop_factory({EVENT_LOOP_ENV: "uvloop"}) is uvloop.new_event_loop
    assert loop_factory({EVENT_LOOP_ENV: "asyncio"}) is None
    assert loop_factory({EVENT_LOOP_ENV: " AsyncIO "}) is None


def test_an_unknown_event_loop_is_a_usage_error() -> None:
    with pytest.raises(click.UsageError, match="NGSP_SIM_EVENT_LOOP must be auto, uvloop or asyncio, not 'tokio'"):
        loop_factory({EVENT_LOOP_ENV: "tokio"})


def test_uvloop_required_but_missing_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # as on Windows: importing it fails
    assert loop_factory({}) is None
    with pytest.raises(click.UsageError, match="uvloop is not installed"):
        loop_factory({EVENT_LOOP_ENV: "uvloop"})


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
async def test_up_routes_and_stops_on_either_loop(tmp_path: Path, loop: str) -> None:
    running = await start("up", "--port", "0", "--data-dir", str(tmp_path), env={EVENT_LOOP_ENV: loop})
    try:
        async with aiohttp.ClientSession() as session:
            url = running.url + POPULATION
            async with session.post(url, json=lookup_body(), headers={"X-Road-Client": MOTCUA}) as resp:
                assert resp.status == 200, await resp.text()
    finally:
        assert await stop(running) == 0


async def test_up_with_an_unknown_event_loop_says_so(tmp_path: Path) -> None:
    result = await asyncio.to_thread(run_cli, "up", "--port", "0", env={EVENT_LOOP_ENV: "tokio"}, cwd=str(tmp_path))
    assert result.returncode == 2 and "NGSP_SIM_EVENT_LOOP must be auto, uvloop or asyncio" in result.stderr
