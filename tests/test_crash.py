"""Nothing lost: a hub killed with SIGKILL while delivering 1,000 accepted documents delivers every one
after a restart (SQLite and PostgreSQL); and dead letters replayed with the CLI. Real processes,
a real webhook receiver on loopback."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from ngsp_sim.exchange.signing import KEY_HEADER, SIGNATURE_HEADER, verify
from tests.edxml_helpers import G01, QLVB, VDXP, edoc
from tests.helpers import ADMIN, ADMIN_TOKEN, eventually
from tests.processes import Running, run_cli, start

ENV = {"NGSP_SIM_ADMIN_TOKEN": ADMIN_TOKEN}
LAO_CAI = {"OrganId": "000.00.00.H38", "OrganName": "UBND tỉnh Lào Cai"}  # no simulated document system
DOCUMENTS = 1000
KILL_AFTER = 100


class Receiver:
    """A webhook that records every delivery; after ``hold_after`` deliveries it holds the next ones
    until ``gate`` opens, so that the hub can be killed mid-delivery at a known point."""

    def __init__(self, secret: str = "", hold_after: int = 10**9, fail: bool = False) -> None:
        self.secret, self.hold_after, self.fail = secret, hold_after, fail
        self.keys: list[str] = []
        self.bad_signatures = 0
        self.gate = asyncio.Event()
        self.reached = asyncio.Event()
        self.complete = asyncio.Event()
        self.expected = 0

    async def handle(self, request: web.Request) -> web.Response:
        if len(self.keys) >= self.hold_after:
            self.reached.set()
            await self.gate.wait()
        if self.fail:
            return web.Response(status=500)
        body = await request.read()
        try:
            verify(self.secret, body, request.headers.get(SIGNATURE_HEADER), now=time.time())
        except ValueError:
            self.bad_signatures += 1
        self.keys.append(request.headers[KEY_HEADER])
        if self.expected and len(set(self.keys)) >= self.expected:
            self.complete.set()
        return web.Response(text="ok")


async def _serve(receiver: Receiver) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/hook"


async def _hub(store_args: list[str]) -> Running:
    return await start("up", "--port", "0", "--population", "50", "--delivery-lease", "1", *store_args, env=ENV)


async def _subscribe(session: aiohttp.ClientSession, hub: str, url: str, **extra: Any) -> dict[str, Any]:
    body = {"topic": f"edoc:{LAO_CAI['OrganId']}", "url": url, **extra}
    async with session.post(f"{hub}/api/v1/subscriptions", json=body, headers=ADMIN) as resp:
        assert resp.status == 200, await resp.text()
        answer: dict[str, Any] = await resp.json()
        return answer


async def _send_all(session: aiohttp.ClientSession, hub: str, count: int) -> list[str]:
    headers = {"Content-Type": "text/xml", "X-Road-Client": QLVB[G01["OrganId"]]}
    limit = asyncio.Semaphore(16)

    async def one(n: int) -> str:
        async with (
            limit,
            session.post(
                f"{hub}/r1/{VDXP}/sendEdoc", data=edoc(G01, [LAO_CAI], number=str(n + 1)), headers=headers
            ) as resp,
        ):
            assert resp.status == 200, await resp.text()
            doc_id: str = (await resp.json())["docId"]
            return doc_id

    return list(await asyncio.gather(*(one(n) for n in range(count))))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_args(request: pytest.FixtureRequest, tmp_path: Path) -> list[str]:
    if request.param == "sqlite":
        return ["--data-dir", str(tmp_path / "data")]
    return ["--store", request.getfixturevalue("pg_url")]


async def test_sigkill_mid_delivery_loses_nothing(store_args: list[str]) -> None:
    receiver = Receiver(hold_after=KILL_AFTER)
    runner, url = await _serve(receiver)
    hub = await _hub(store_args)
    try:
        async with aiohttp.ClientSession() as session:
            sub = await _subscribe(session, hub.url, url)
            receiver.secret = sub["secret"]
            doc_ids = await _send_all(session, hub.url, DOCUMENTS)  # every one acknowledged: accepted
            await asyncio.wait_for(receiver.reached.wait(), 60)
        hub.process.kill()  # SIGKILL: no shutdown, leases and queues as they are
        assert await asyncio.wait_for(hub.process.wait(), 30) == -9
        delivered_before = len(set(receiver.keys))
        assert delivered_before < DOCUMENTS
        receiver.expected, receiver.hold_after = DOCUMENTS, 10**9
        receiver.gate.set()
        hub = await _hub(store_args)
        await asyncio.wait_for(receiver.complete.wait(), 120)
    finally:
        await hub.stop()
        await runner.cleanup()
    expected = {f"{doc_id}:{LAO_CAI['OrganId']}:{sub['id']}" for doc_id in doc_ids}
    assert set(receiver.keys) == expected  # every one delivered, none lost
    duplicates = {k: n for k, n in Counter(receiver.keys).items() if n > 1}
    keys_per_document = Counter(key.split(":", 1)[0] for key in set(receiver.keys))
    assert set(keys_per_document.values()) == {1}  # a redelivery carries its document's one key, never a new one
    assert receiver.bad_signatures == 0
    print(f"delivered before the kill: {delivered_before}; redelivered after restart: {len(duplicates)}")


async def test_dead_letters_are_listed_and_replayed_with_the_cli(tmp_path: Path) -> None:
    receiver = Receiver(fail=True)
    runner, url = await _serve(receiver)
    hub = await _hub(["--data-dir", str(tmp_path / "data")])
    cli = ["--hub", hub.url, "--admin-token", ADMIN_TOKEN]
    try:
        async with aiohttp.ClientSession() as session:
            sub = await _subscribe(session, hub.url, url, max_attempts=1)
            receiver.secret = sub["secret"]
            [doc_id] = await _send_all(session, hub.url, 1)
            listing = await eventually(
                lambda: asyncio.to_thread(run_cli, "deliveries", "list", "--status", "dead", *cli),
                lambda r: "dead 1" in r.stdout,
                every=0.25,
            )
            assert f"{doc_id}:{LAO_CAI['OrganId']}:{sub['id']}" in listing.stdout and "HTTP 500" in listing.stdout
            receiver.fail, receiver.expected = False, 1
            replay = await asyncio.to_thread(run_cli, "deliveries", "replay", *cli)
            assert replay.returncode == 0 and "replayed 1 dead delivery" in replay.stdout, replay.stderr
            await asyncio.wait_for(receiver.complete.wait(), 30)
    finally:
        await hub.stop()
        await runner.cleanup()
    assert receiver.keys == [f"{doc_id}:{LAO_CAI['OrganId']}:{sub['id']}"]
