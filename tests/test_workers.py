"""``ngsp-sim up --workers N`` as a real process: N workers on one port and one store, one supervisor.

Which worker a connection reaches is the kernel's choice (SO_REUSEPORT spreads connections by their
addresses), so the tests open fresh connections until both workers have answered (bounded), and every
answer names its worker in ``X-NGSP-Worker``.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter, defaultdict
from importlib.resources import files
from pathlib import Path

import aiohttp

from ngsp_sim.cli.workers import WORKER_HEADER
from ngsp_sim.store import store_from_url
from tests.helpers import ADMIN, ADMIN_TOKEN, MOTCUA, POPULATION, eventually, lookup_body
from tests.processes import Running, run_cli, start, stop

ENV = {"NGSP_SIM_ADMIN_TOKEN": ADMIN_TOKEN}
MOST_CONNECTIONS = 200
"""Fresh connections a test opens at most to reach both workers (the kernel spreads them by hash)."""


async def _start(tmp_path: Path, *extra: str) -> Running:
    data = str(tmp_path / "data")
    return await start("up", "--workers", "2", "--port", "0", "--population", "50", "--data-dir", data, *extra, env=ENV)


def _worker_pids(hub: Running) -> list[int]:
    line = next(line for line in hub.banner.splitlines() if "2 workers on one port and one store" in line)
    return [int(pid) for pid in line.split("(pids ")[1].rstrip(")").split(", ")]


async def _fresh_lookup(url: str, message_id: str) -> tuple[int, int]:
    """One lookup on a connection of its own: (status, worker pid)."""
    headers = {"X-Road-Client": MOTCUA, "X-Road-Id": message_id, "Connection": "close"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{url}{POPULATION}", json=lookup_body(), headers=headers) as resp,
    ):
        await resp.read()
        return resp.status, int(resp.headers[WORKER_HEADER])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_two_workers_answer_on_one_port_and_store_every_exchange_once(tmp_path: Path, store_url: str) -> None:
    hub = await _start(tmp_path, "--store", store_url)
    pids = _worker_pids(hub)
    answered: Counter[int] = Counter()
    sent: list[str] = []
    try:
        assert len(set(pids)) == 2 and os.getpid() not in pids
        while len(answered) < 2 and len(sent) < MOST_CONNECTIONS:
            sent.append(f"w-{len(sent)}")
            status, pid = await _fresh_lookup(hub.url, sent[-1])
            assert status == 200
            answered[pid] += 1
    finally:
        code = await stop(hub)  # SIGTERM to the supervisor: every worker drains and stops
    assert code == 0
    assert set(answered) == set(pids), f"one worker answered all {len(sent)} connections: {answered}"
    assert not any(_alive(pid) for pid in pids)
    store = store_from_url(store_url, tmp_path / "data")
    await store.open()
    try:
        stored = Counter(m.record["messageId"] for m in await store.scan_messages(0, 10 * MOST_CONNECTIONS))
    finally:
        await store.close()
    assert stored == Counter(sent)  # each exchange exactly once, whichever worker answered it
    verify = ("log", "verify", "--store", store_url, "--data-dir", str(tmp_path / "data"))
    verified = await asyncio.to_thread(run_cli, *verify)
    assert verified.returncode == 0, verified.stdout + verified.stderr  # one chain, written by both workers


async def _pinned_sessions(url: str) -> dict[int, aiohttp.ClientSession]:
    """A keep-alive session per worker (one connection each, so it stays with the worker it reached)."""
    sessions: dict[int, aiohttp.ClientSession] = {}
    for _ in range(MOST_CONNECTIONS):
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1), headers=ADMIN)
        async with session.get(f"{url}/api/v1/clock") as resp:
            pid = int(resp.headers[WORKER_HEADER])
        if pid in sessions:
            await session.close()
        else:
            sessions[pid] = session
        if len(sessions) == 2:
            break
    return sessions


async def test_the_clock_advanced_through_one_worker_is_the_others(tmp_path: Path) -> None:
    hub = await _start(tmp_path)
    sessions: dict[int, aiohttp.ClientSession] = {}
    try:
        sessions = await _pinned_sessions(hub.url)
        assert len(sessions) == 2
        (one, pid_one), (other, pid_other) = ((s, p) for p, s in sessions.items())
        async with one.post(f"{hub.url}/api/v1/clock/advance", json={"seconds": 86400}) as resp:
            assert resp.status == 200 and int(resp.headers[WORKER_HEADER]) == pid_one
            advanced = (await resp.json())["now_ms"]

        async def other_clock() -> tuple[int, int]:
            async with other.get(f"{hub.url}/api/v1/clock") as resp:
                return int(resp.headers[WORKER_HEADER]), (await resp.json())["now_ms"]

        # the other worker takes the stored clock up on its next registry poll (every 2 s)
        pid, _ = await eventually(other_clock, lambda seen: seen[1] >= advanced)
        assert pid == pid_other != pid_one
    finally:
        for session in sessions.values():
            await session.close()
        stopped = await stop(hub)
    assert stopped == 0


async def _lookups_until_each_worker_answered(url: str, times: int) -> dict[int, list[tuple[int, str]]]:
    """(status, X-Road-Error or ``""``) of each lookup, by worker, each on a fresh connection, until each
    of the two workers answered ``times`` (bounded)."""
    answers: defaultdict[int, list[tuple[int, str]]] = defaultdict(list)
    for sent in range(MOST_CONNECTIONS):
        headers = {"X-Road-Client": MOTCUA, "X-Road-Id": f"e-{sent}", "Connection": "close"}
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"{url}{POPULATION}", json=lookup_body(), headers=headers) as resp,
        ):
            await resp.read()
            answers[int(resp.headers[WORKER_HEADER])].append((resp.status, resp.headers.get("X-Road-Error", "")))
        if len(answers) == 2 and all(len(seen) >= times for seen in answers.values()):
            break
    return answers


async def _each_worker_answers(tmp_path: Path, topology_text: str, times: int) -> dict[int, list[tuple[int, str]]]:
    """Two workers on ``topology_text``: each lookup's answer, by worker, until each answered ``times``."""
    topology = tmp_path / "topology.yaml"
    topology.write_text(topology_text, encoding="utf-8")
    hub = await _start(tmp_path, "--topology", str(topology))
    try:
        answers = await _lookups_until_each_worker_answered(hub.url, times)
    finally:
        stopped = await stop(hub)
    assert stopped == 0
    assert set(answers) == set(_worker_pids(hub))
    return answers


async def test_each_worker_enforces_a_tier_on_the_connections_it_accepts(tmp_path: Path) -> None:
    """Throttling buckets are per worker (README, "--workers"): a burst of 1 admits one call per worker."""
    demo = files("ngsp_sim.registry").joinpath("demo.yaml").read_text(encoding="utf-8")
    lookup = "          - code: TraCuuThongTinCongDan\n            adapter: population\n"
    assert lookup in demo
    tiered = demo.replace("provider-guard: {rate: 1, burst: 3}", "provider-guard: {rate: 0.001, burst: 1}")
    answers = await _each_worker_answers(
        tmp_path, tiered.replace(lookup, lookup + "            tier: provider-guard\n"), 2
    )
    for seen in answers.values():
        statuses = [status for status, _ in seen]
        assert statuses[0] == 200 and set(statuses[1:]) == {429}, answers


async def test_each_worker_opens_its_own_circuit_breaker(tmp_path: Path) -> None:
    """Breakers are per worker (README, "--workers"): with the provider down, each worker lets 5 calls
    fail (the breaker's minimum) before it fails fast, so the provider sees up to 5 x N calls."""
    demo = files("ngsp_sim.registry").joinpath("demo.yaml").read_text(encoding="utf-8")
    outage = "\nfaults:\n  - {id: down, target: VN/GOV/000.00.00.G01/CSDLQGDC, kind: outage}\n"
    answers = await _each_worker_answers(tmp_path, demo + outage, 7)
    for seen in answers.values():
        errors = [error for _, error in seen]
        assert errors[:5] == ["Server.ServerProxy.ServiceFailed.NetworkError"] * 5, answers
        assert set(errors[5:]) == {"Server.ServerProxy.ServiceFailed.CircuitOpen"}, answers


async def test_workers_refuse_an_in_memory_store() -> None:
    refused = await asyncio.to_thread(run_cli, "up", "--workers", "2", "--store", "sqlite:///:memory:", "--port", "0")
    assert refused.returncode == 2
    assert "--workers 2 needs a store the workers share: an in-memory store is one per process" in refused.stderr


async def test_workers_refuse_a_port_in_use(tmp_path: Path) -> None:
    """The supervisor checks the port before any worker opens the store."""
    hub = await start("up", "--port", "0", "--population", "50", "--data-dir", str(tmp_path / "one"), env=ENV)
    try:
        port = hub.url.rsplit(":", 1)[1]
        data = str(tmp_path / "two")
        refused = await asyncio.to_thread(run_cli, "up", "--workers", "2", "--port", port, "--data-dir", data)
    finally:
        stopped = await stop(hub)
    assert stopped == 0
    assert refused.returncode == 2 and "cannot listen on 127.0.0.1:" in refused.stderr
    assert not (tmp_path / "two").exists()


async def test_a_worker_that_dies_stops_the_others_and_the_supervisor_says_so(tmp_path: Path) -> None:
    """A hub never goes on silently with fewer workers than asked: exit 1, the other worker stopped."""
    hub = await _start(tmp_path)
    try:
        victim, other = _worker_pids(hub)
        os.kill(victim, signal.SIGKILL)
        code = await asyncio.wait_for(hub.process.wait(), 30)
    finally:
        stopped = await stop(hub)
    assert stopped == code == 2
    assert f"worker pid {victim} exited with -9; the others were stopped" in hub.stderr.decode()
    assert not _alive(other)
