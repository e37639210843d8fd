"""Routing benchmark: the population lookup (037) through the hub vs. straight to the simulated agency.

Starts two real processes on loopback, `ngsp-sim up` and `ngsp-sim agency run population`, then
drives each with the same number of concurrent aiohttp clients and prints requests/s and latency
percentiles. Bounded: a fixed number of requests per target and a time cap; everything stops by
itself.

    .venv/bin/python bench/routing.py [--concurrency 32] [--requests 5000] [--json]

The load generator shares the machine with the servers (2 cores here), so absolute figures are a
floor; the ratio routed/direct is the figure to watch.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass

import aiohttp
import orjson

from adapters.soap import build_envelope
from schemas.population import NAMESPACE

LOOKUP = {
    "MaYeuCau": "BENCH",
    "MaDVC": "1.001612",
    "MaTichHop": "037",
    "MaCanBo": "bench",
    "MaDonVi": "000.00.00.H29",
    "SoDinhDanh": "079090001234",
}


@dataclass
class Result:
    target: str
    concurrency: int
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float


@asynccontextmanager
async def process(*args: str) -> AsyncIterator[str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ngsp_sim",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    try:
        while True:
            line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
            if not line:
                raise RuntimeError(f"{args} exited before listening")
            if match := re.search(r"(http://127\.0\.0\.1:\d+)", line):
                break
        yield match.group(1)
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 30)


async def drive(url: str, body: bytes, headers: dict[str, str], concurrency: int, total: int, cap: float) -> Result:
    latencies: list[float] = []
    errors = 0
    remaining = total
    deadline = time.perf_counter() + cap
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal remaining, errors
            while remaining > 0 and time.perf_counter() < deadline:
                remaining -= 1
                start = time.perf_counter()
                async with session.post(url, data=body, headers=headers) as resp:
                    await resp.read()
                    if resp.status != 200:
                        errors += 1
                latencies.append(time.perf_counter() - start)

        # Warm up connections and caches, not counted.
        warm, remaining = remaining, min(200, total)
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        latencies.clear()
        errors, remaining = 0, warm
        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    q = statistics.quantiles(latencies, n=100)
    return Result(
        url,
        concurrency,
        len(latencies),
        errors,
        elapsed,
        len(latencies) / elapsed,
        q[49] * 1000,
        q[98] * 1000,
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--cap", type=float, default=60.0, help="seconds at most per target")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--message-log", choices=["on", "off"], default="on", help="the hub's message log")
    args = parser.parse_args()

    soap = build_envelope("TraCuuThongTinCongDan", NAMESPACE, LOOKUP)
    soap_headers = {"Content-Type": "text/xml; charset=utf-8"}
    json_headers = {"Content-Type": "application/json", "X-Road-Client": "VN/GOV/000.00.00.H29/MOTCUA"}
    results = []
    async with process("agency", "run", "population", "--port", "0") as agency:
        results.append(
            await drive(f"{agency}/dancuquocgia/ws", soap, soap_headers, args.concurrency, args.requests, args.cap)
        )
    data_dir = tempfile.mkdtemp(prefix="ngsp-bench-")
    async with process("up", "--port", "0", "--data-dir", data_dir, "--message-log", args.message_log) as hub:
        url = f"{hub}/r1/VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan"
        results.append(await drive(url, orjson.dumps(LOOKUP), json_headers, args.concurrency, args.requests, args.cap))
    direct, routed = results
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))
        return
    print(f"population lookup (037), {args.concurrency} concurrent clients, {args.requests} requests each")
    print(f"{'target':<10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, r in (("direct", direct), ("routed", routed)):
        print(f"{name:<10} {r.rps:>9.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {r.errors:>7}")
    print(f"routed/direct throughput: {routed.rps / direct.rps:.0%}; added p50: {routed.p50_ms - direct.p50_ms:.2f} ms")


if __name__ == "__main__":
    asyncio.run(main())
