"""How long the integrator's toolkit takes: starting and stopping an embedded hub (what the ngsp_hub
fixture costs per test), and a conformance run against a correct provider on loopback.

    python bench/toolkit.py [--hubs 10] [--examples 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import orjson
from aiohttp import web

from ngsp_sim.conformance.runner import plan, run_plan
from ngsp_sim.testing.embedded import EmbeddedHub
from schemas.one_stop import TiepNhanHoSoRequest


def hub_start_stop(count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        with EmbeddedHub():
            pass
        times.append(time.perf_counter() - started)
    return times


async def provider(request: web.Request) -> web.Response:
    try:
        TiepNhanHoSoRequest.model_validate(orjson.loads(await request.read()))
    except ValueError:
        return web.json_response({"KetQua": 0, "MoTa": "invalid"})
    return web.json_response({"KetQua": 1, "MaHoSo": "000.00.00.H29-251121-0001", "TrangThaiHoSo": 2})


async def conformance(examples: int) -> tuple[int, float]:
    app = web.Application()
    app.router.add_post("/motcua/api/TiepNhanHoSo", provider)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        started = time.perf_counter()
        prepared = plan("VN/GOV/000.00.00.H29/MOTCUA/TiepNhanHoSo", f"http://127.0.0.1:{port}", count=examples)
        results = await run_plan(prepared)
        elapsed = time.perf_counter() - started
    finally:
        await runner.cleanup()
    assert all(r.passed for r in results)
    return len(results), elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hubs", type=int, default=10)
    parser.add_argument("--examples", type=int, default=20)
    args = parser.parse_args()
    times = hub_start_stop(args.hubs)
    print(
        f"embedded hub start+stop (demo country, population 1000): median {statistics.median(times) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms over {args.hubs}"
    )
    count, elapsed = asyncio.run(conformance(args.examples))
    print(
        f"conformance of TiepNhanHoSo: {count} requests in {elapsed:.2f} s ({count / elapsed:.0f} requests/s), "
        f"including generation and the hub's start and stop"
    )


if __name__ == "__main__":
    main()
