"""Paired A/B of the hub's own work per exchange across checkouts: the figure a drifting machine still shows.

    .venv/bin/python bench/paired.py OLD_CHECKOUT NEW_CHECKOUT [...] [--exchanges 800] [--rounds 24]
                                     [--workload lookup|edoc] [--store URL] [--port N]

The hub's pipeline (``pipeline.handle``: routing, validation, the in-process agency; no HTTP) runs one
workload in one long-lived process per checkout (its ``ngsp_sim``, ``adapters`` and ``schemas``, this
environment's packages), 16 exchanges at a time. ``lookup`` (the default): the population lookup, the
message log on SQLite. ``edoc``: ``sendEdoc`` of the benchmark's edXML document (message log off, as in
``bench/exchange.py``), each block timed until the last of its documents was delivered to a webhook
subscriber (a receiver process on loopback, ``--port``; 0: any free port), so the acceptance's group
commit and the delivery worker are in the figure; ``--store`` a PostgreSQL URL gives each checkout
its own schema (dropped at the end), otherwise SQLite in a temporary directory. Blocks of
``--exchanges`` run in turn (A, B, C, then C, B, A, ...), each timed by its process's CPU time, so
neighbouring blocks saw the same machine: on a VM whose speed drifts by a factor of two within the hour
(docs/performance.md), whole benchmark runs minutes apart cannot show a 10% change, paired blocks can.
Prints each round, each checkout's median CPU per exchange, and the median of its paired ratios to the
first checkout. Loopback only (the hub's plane listens on 127.0.0.1 for its own calls); bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import uuid
from pathlib import Path

HEAD = r"""
import asyncio, sys, tempfile, time, os
from pathlib import Path
import orjson
from aiohttp.test_utils import TestServer
from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy
from ngsp_sim.app import create_app
from ngsp_sim.config import HubConfig, MessageLogConfig
from ngsp_sim.hub.pipeline import Incoming
from ngsp_sim.hub.runtime import HUB
from ngsp_sim.store import store_from_url
from ngsp_sim.logging import configure_logging
STORE, HOOK = (sys.argv[1:] + ["", ""])[:2]
"""

LOOP = r"""
    await prepare(800)
    await block(800)
    try:
        import gc; gc.collect(); gc.freeze()
    except Exception: pass
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line.strip():
            break
        n = int(line)
        await prepare(n)
        c = time.process_time()
        await block(n)
        print((time.process_time() - c) / n * 1e6, flush=True)
    await server.close()
asyncio.run(main())
"""

LOOKUP_CHILD = (
    HEAD
    + r"""
LOOKUP = {
    "MaYeuCau": "BENCH", "MaDVC": "1.001612", "MaTichHop": "037", "MaCanBo": "bench",
    "MaDonVi": "000.00.00.H29", "SoDinhDanh": "079090001234",
}
PATH = "/r1/VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan"
async def main():
    configure_logging("info", stream=open(os.devnull, "w"))
    app = create_app(HubConfig(), store=store_from_url(None, Path(tempfile.mkdtemp())))
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    pipeline = app[HUB].pipeline
    log = pipeline.message_log
    body = orjson.dumps(LOOKUP)
    headers = CIMultiDictProxy(CIMultiDict({
        "Content-Type": "application/json", "X-Road-Client": "VN/GOV/000.00.00.H29/MOTCUA", "Host": "127.0.0.1",
    }))
    query = MultiDictProxy(MultiDict())
    async def one():
        out = await pipeline.handle(Incoming("POST", PATH, query, headers, body, raw_query=""))
        assert out.status == 200, out.body
    async def prepare(n):
        pass
    async def block(n):
        for _ in range(n // 16):
            await asyncio.gather(*(one() for _ in range(16)))
        await log.flush()
"""
    + LOOP
)

EDOC_CHILD = (
    HEAD
    + r"""
from adapters.edxml import build_edoc
SENDER = {"OrganId": "000.00.00.G01", "OrganName": "Bộ Công an"}
RECIPIENT = {"OrganId": "000.00.00.H38", "OrganName": "UBND tỉnh Lào Cai"}
PATH = "/r1/VN/GOV/000.00.00.G22/VDXP/sendEdoc"
async def main():
    configure_logging("info", stream=open(os.devnull, "w"))
    store = store_from_url(STORE or None, Path(tempfile.mkdtemp()))
    app = create_app(HubConfig(message_log=MessageLogConfig(enabled=False)), store=store)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    pipeline, exchange = app[HUB].pipeline, app[HUB].exchange
    await exchange.subscribe("edoc:" + RECIPIENT["OrganId"], HOOK)
    headers = CIMultiDictProxy(CIMultiDict({
        "Content-Type": "text/xml", "X-Road-Client": "VN/GOV/000.00.00.G01/QLVB", "Host": "127.0.0.1",
    }))
    query = MultiDictProxy(MultiDict())
    sent = iter(range(1, 10**9))
    bodies = []
    async def one():
        out = await pipeline.handle(Incoming("POST", PATH, query, headers, bodies.pop(), raw_query=""))
        assert out.status == 200, out.body
    async def prepare(n):  # the documents are built outside the timed block
        bodies[:] = [
            build_edoc(SENDER, [RECIPIENT], number=str(next(sent)), notation="BENCH", date="2025/11/21",
                       subject="Công văn thử tải")
            for _ in range(n - n % 16)
        ]
    async def block(n):
        target = exchange.worker.delivered + len(bodies)
        for _ in range(n // 16):
            await asyncio.gather(*(one() for _ in range(16)))
        while exchange.worker.delivered < target:
            await asyncio.sleep(0.002)
"""
    + LOOP
)

RECEIVER = r"""
import sys
from aiohttp import web
async def hook(request):
    await request.read()
    return web.Response(text="ok")
async def main():
    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", int(sys.argv[1]))
    await site.start()
    print(runner.addresses[0][1], flush=True)
    await asyncio.Event().wait()
import asyncio
asyncio.run(main())
"""


async def drop_schemas(url: str, names: list[str]) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        for name in names:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    finally:
        await conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkouts", nargs="+", type=Path, help="checkouts to compare; the first is the reference")
    parser.add_argument("--exchanges", type=int, default=800, help="exchanges per block")
    parser.add_argument("--rounds", type=int, default=24)
    parser.add_argument("--workload", choices=["lookup", "edoc"], default="lookup")
    parser.add_argument("--store", default="", help="edoc: a PostgreSQL URL (default: SQLite)")
    parser.add_argument("--port", type=int, default=0, help="edoc: the webhook receiver's port (0: any)")
    args = parser.parse_args()
    trees = [str(t.resolve()) for t in args.checkouts]
    procs: dict[str, subprocess.Popen[str]] = {}
    schemas: list[str] = []
    child, hook = LOOKUP_CHILD, ""
    receiver = None
    if args.workload == "edoc":
        child = EDOC_CHILD
        receiver = subprocess.Popen(
            [sys.executable, "-c", RECEIVER, str(args.port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert receiver.stdout is not None
        hook = f"http://127.0.0.1:{receiver.stdout.readline().strip()}/hook"
    try:
        for tree in trees:
            store = ""
            if args.store:
                schemas.append(f"paired_{uuid.uuid4().hex[:8]}")
                store = f"{args.store}?schema={schemas[-1]}"
            proc = subprocess.Popen(
                [sys.executable, "-c", child, store, hook],
                cwd=tree,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            procs[tree] = proc
            assert proc.stdout is not None
            if proc.stdout.readline().strip() != "ready":
                print(f"{tree}: the hub did not start", file=sys.stderr)
                return 2
        figures: dict[str, list[float]] = {tree: [] for tree in trees}
        for number in range(args.rounds):
            for tree in trees if number % 2 == 0 else trees[::-1]:
                proc = procs[tree]
                assert proc.stdin is not None and proc.stdout is not None
                proc.stdin.write(f"{args.exchanges}\n")
                proc.stdin.flush()
                figures[tree].append(float(proc.stdout.readline()))
            print(f"round {number + 1}: " + "  ".join(f"{figures[t][-1]:,.0f}" for t in trees), flush=True)
        first = figures[trees[0]]
        for tree in trees:
            ratios = [a / b for a, b in zip(figures[tree], first, strict=True)]
            print(
                f"{statistics.median(figures[tree]):>7,.0f} us per exchange (median)  paired ratio "
                f"{statistics.median(ratios):.3f} ({min(ratios):.2f}-{max(ratios):.2f})  {tree}"
            )
    finally:
        for proc in procs.values():
            if proc.stdin is not None:
                proc.stdin.close()
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
        if receiver is not None:
            receiver.terminate()
            receiver.wait(10)
        if schemas:
            asyncio.run(drop_schemas(args.store, schemas))
    return 0


if __name__ == "__main__":
    sys.exit(main())
