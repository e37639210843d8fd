"""Bug 1 of issue 16, as a user met it: a second ``ngsp-sim up`` with another topology on the store of a
running hub. Real processes, real sockets. Also: the project-local default store of bug 2."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters import BUILTIN
from ngsp_sim import sim
from ngsp_sim.clock import ManualClock
from ngsp_sim.errors import StoreInUse
from ngsp_sim.registry.changes import ChangeError
from ngsp_sim.registry.loader import demo_text
from ngsp_sim.registry.source import RegistrySource
from ngsp_sim.store import SqliteStore, Store
from tests.helpers import ADMIN, ADMIN_TOKEN, MOTCUA, POPULATION, lookup_body
from tests.processes import Running, start, stop

ENV = {"NGSP_SIM_ADMIN_TOKEN": ADMIN_TOKEN}

SMALL = """\
instance: VN
agencies:
  - code: 000.00.00.G01
    name: {vi: "Bộ Công an", en: "Ministry of Public Security"}
    subsystems:
      - code: CSDLQGDC
        name: {vi: "Cơ sở dữ liệu quốc gia về dân cư", en: "National Population Database"}
        simulator: population
        services:
          - {code: TraCuuThongTinCongDan, adapter: population}
"""


async def _members(session: aiohttp.ClientSession, hub: Running) -> list[Any]:
    async with session.get(f"{hub.url}/listClients", headers={"Accept": "application/json"}) as resp:
        assert resp.status == 200
        return list((await resp.json())["member"])


async def _lookup_status(session: aiohttp.ClientSession, hub: Running) -> int:
    async with session.post(f"{hub.url}{POPULATION}", json=lookup_body(), headers={"X-Road-Client": MOTCUA}) as resp:
        return resp.status


async def _second_up(*args: str) -> tuple[int, str]:
    """Run ``ngsp-sim up ARGS`` to its end (it is expected to be refused)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ngsp_sim",
        "up",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **ENV},
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), 60)
    except TimeoutError:  # it started instead of being refused: stop it, and fail
        process.kill()
        await process.wait()
        raise AssertionError("the second hub was not refused: it started and kept running") from None
    assert process.returncode is not None
    return process.returncode, (out + err).decode()


async def test_a_second_hub_with_another_topology_is_refused_and_the_running_hub_is_unharmed(
    tmp_path: Path, store_url: str
) -> None:
    """On each backend (``store_url``: a SQLite file, a PostgreSQL schema)."""
    topology = tmp_path / "small.yaml"
    topology.write_text(SMALL, encoding="utf-8")
    first = await start("up", "--port", "0", "--population", "50", "--store", store_url, env=ENV)
    try:
        async with aiohttp.ClientSession() as session:
            before = await _members(session, first)
            assert len(before) > 4 and await _lookup_status(session, first) == 200

            code, output = await _second_up(
                "--port", "0", "--population", "50", "--store", store_url, "--topology", str(topology)
            )
            assert code == 2, output
            assert "in use by another hub with a different topology" in output
            assert f"pid {first.process.pid}" in output  # says which hub
            assert "--data-dir" in output and "--store" in output and "stop the other hub" in output
            assert "frees the store by itself 15 s after it was last alive" in output  # a killed hub
            assert "Traceback" not in output

            # The running hub re-reads the store every 2 s; a registry change makes it re-read now.
            change = {"client": MOTCUA, "service": "VN/GOV/000.00.00.G01/CSDLQGDC/XacThucThongTinCongDan"}
            async with session.put(f"{first.url}/api/v1/access", json=change, headers=ADMIN) as resp:
                assert resp.status == 200, await resp.text()
            assert await _members(session, first) == before
            assert await _lookup_status(session, first) == 200
    finally:
        assert await stop(first) == 0


async def test_a_replica_with_the_same_topology_shares_the_store(tmp_path: Path) -> None:
    data = tmp_path / "shared"
    args = ("up", "--port", "0", "--population", "50", "--data-dir", str(data))
    first = await start(*args, env=ENV)
    second = await start(*args, env=ENV)
    try:
        async with aiohttp.ClientSession() as session:
            assert await _members(session, first) == await _members(session, second)
            assert await _lookup_status(session, second) == 200
    finally:
        assert await stop(second) == 0
        assert await stop(first) == 0


async def test_a_stopped_hub_leaves_the_store_to_another_topology_at_once(tmp_path: Path) -> None:
    data = tmp_path / "shared"
    topology = tmp_path / "small.yaml"
    topology.write_text(SMALL, encoding="utf-8")
    first = await start("up", "--port", "0", "--population", "50", "--data-dir", str(data), env=ENV)
    async with aiohttp.ClientSession() as session:
        assert len(await _members(session, first)) > 1  # serving (and so past installing its signal handlers)
    assert await stop(first) == 0
    second = await start(
        "up", "--port", "0", "--population", "50", "--data-dir", str(data), "--topology", str(topology), env=ENV
    )
    try:
        async with aiohttp.ClientSession() as session:
            assert len(await _members(session, second)) == 2  # the small topology: one member, one subsystem
    finally:
        assert await stop(second) == 0


async def test_each_directory_keeps_its_own_store_by_default(tmp_path: Path) -> None:
    clones = [tmp_path / "clone-a", tmp_path / "clone-b"]
    topology = tmp_path / "small.yaml"
    topology.write_text(SMALL, encoding="utf-8")
    for clone in clones:
        clone.mkdir()
    demo = await start("up", "--port", "0", "--population", "50", env=ENV, cwd=str(clones[0]))
    try:  # a second project, another topology, no --data-dir: not refused, since its store is its own
        small = await start(
            "up", "--port", "0", "--population", "50", "--topology", str(topology), env=ENV, cwd=str(clones[1])
        )
        try:
            async with aiohttp.ClientSession() as session:
                assert len(await _members(session, small)) == 2
                assert len(await _members(session, demo)) > 2
        finally:
            assert await stop(small) == 0
    finally:
        assert await stop(demo) == 0
    for clone, hub in zip(clones, (demo, small), strict=True):
        store = clone / ".ngsp-sim" / "ngsp-sim.sqlite3"
        assert store.is_file()
        banner = hub.banner + hub.stdout.decode()
        assert f"store: sqlite:///{store} (the default, here; --data-dir to choose)" in banner


# --- the registry source itself, on one store, with the hub's clock in hand ------------------------


def _source(store: Store, clock: ManualClock, holder: str) -> RegistrySource:
    return RegistrySource(store, BUILTIN, sim.BUILTIN, clock, holder=holder, lease_seconds=15)


async def test_a_lapsed_lease_lets_another_topology_in_but_the_running_hub_keeps_its_own(tmp_path: Path) -> None:
    clock = ManualClock()
    store = SqliteStore(tmp_path / "hub.sqlite3")
    await store.open()
    try:
        demo = _source(store, clock, "the demo hub")
        members = len((await demo.start(demo_text(), "demo.yaml")).subsystems)
        small = _source(store, clock, "the small hub")
        clock.advance(14)  # the demo hub last renewed 14 s ago: still alive
        with pytest.raises(StoreInUse, match="the demo hub, alive 14 s ago"):
            await small.start(SMALL, "small.yaml")
        await demo.poll()  # renewed
        clock.advance(14)
        with pytest.raises(StoreInUse, match="alive 14 s ago"):
            await small.start(SMALL, "small.yaml")
        clock.advance(2)  # 16 s without a renewal (a hub paused, or killed): its lease has lapsed
        assert len((await small.start(SMALL, "small.yaml")).subsystems) == 1
        assert await demo.poll() is False  # the demo hub does not take up a topology that is not its own
        assert len(demo.current.subsystems) == members
        with pytest.raises(ChangeError, match="replaced by another hub") as refused:  # nor changes it
            await demo.apply("delete_access", {"client": MOTCUA, "service": POPULATION.removeprefix("/r1/")}, "x")
        assert refused.value.status == 409
        with pytest.raises(StoreInUse, match="the small hub, alive 0 s ago"):  # two live hubs now: a third waits
            await _source(store, clock, "a third hub").start(SMALL + "# v2\n", "small-v2.yaml")
    finally:
        await store.close()
