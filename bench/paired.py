"""Paired A/B of the hub's own work per exchange across checkouts: the figure a drifting machine still shows.

    .venv/bin/python bench/paired.py OLD_CHECKOUT NEW_CHECKOUT [...] [--exchanges 800] [--rounds 24]

The hub's pipeline (``pipeline.handle``: routing, validation, the in-process agency, the message log on
SQLite; no HTTP) runs the population lookup in one long-lived process per checkout (its ``ngsp_sim``,
``adapters`` and ``schemas``, this environment's packages), 16 exchanges at a time. Blocks of
``--exchanges`` run in turn (A, B, C, then C, B, A, ...), each timed by its process's CPU time, so
neighbouring blocks saw the same machine: on a VM whose speed drifts by a factor of two within the hour
(docs/performance.md), whole benchmark runs minutes apart cannot show a 10% change, paired blocks can.
Prints each round, each checkout's median CPU per exchange, and the median of its paired ratios to the
first checkout. Loopback only (the hub's plane listens on 127.0.0.1 for its own calls); bounded.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import asyncio, sys, tempfile, time, os
from pathlib import Path
import orjson
from aiohttp.test_utils import TestServer
from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy
from ngsp_sim.app import create_app
from ngsp_sim.config import HubConfig
from ngsp_sim.hub.pipeline import Incoming
from ngsp_sim.hub.runtime import HUB
from ngsp_sim.store import store_from_url
from ngsp_sim.logging import configure_logging
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
    async def block(n):
        for _ in range(n // 16):
            await asyncio.gather(*(one() for _ in range(16)))
        await log.flush()
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
        c = time.process_time()
        await block(n)
        print((time.process_time() - c) / n * 1e6, flush=True)
    await server.close()
asyncio.run(main())
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkouts", nargs="+", type=Path, help="checkouts to compare; the first is the reference")
    parser.add_argument("--exchanges", type=int, default=800, help="exchanges per block")
    parser.add_argument("--rounds", type=int, default=24)
    args = parser.parse_args()
    trees = [str(t.resolve()) for t in args.checkouts]
    procs: dict[str, subprocess.Popen[str]] = {}
    try:
        for tree in trees:
            proc = subprocess.Popen(
                [sys.executable, "-c", CHILD],
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
