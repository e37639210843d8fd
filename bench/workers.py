"""Scaling from 1 to N workers (`ngsp-sim up --workers N`): the population lookup (037) routed with the
message log on, one worker and N workers alternated for ``--rounds`` rounds (so drift of a shared machine
hits both alike), each a fresh store; medians of req/s, p50, p99 and the server's CPU time per request
(supervisor and workers, agencies in-process).

The servers may use every CPU (N workers need N cores) and wrk runs on the last one, so on a 2-core
machine wrk takes part of a core the second worker would use: the scaling figure is a floor there, and
the CPU per request is the robust figure (it shows what a second worker costs: store contention, one
more registry poll, one more log writer).

    .venv/bin/python bench/workers.py [--workers 2] [--rounds 3] [--seconds 5] [--concurrency 32] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
from dataclasses import asdict

import orjson
from routing import LAST_PID, LOOKUP, Result, drive_wrk, process

HUB_PATH = "/r1/VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan"
HEADERS = {"Content-Type": "application/json", "X-Road-Client": "VN/GOV/000.00.00.H29/MOTCUA"}


async def one(workers: int, args: argparse.Namespace) -> Result:
    data_dir = tempfile.mkdtemp(prefix="ngsp-workers-")
    every_cpu = f"0-{(os.cpu_count() or 1) - 1}"
    try:
        up = ("up", "--port", "0", "--workers", str(workers), "--data-dir", data_dir, "--log-level", "warning")
        async with process(*up, cpus=every_cpu) as hub:
            body = orjson.dumps(LOOKUP)
            return await drive_wrk(hub + HUB_PATH, body, HEADERS, args.concurrency, args.seconds, servers=LAST_PID[:])
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench/workers.py needs wrk (Debian package 'wrk')")
    runs: dict[int, list[Result]] = {1: [], args.workers: []}
    for round_ in range(args.rounds):
        for workers in runs:
            result = await one(workers, args)
            runs[workers].append(result)
            print(
                f"round {round_ + 1} workers {workers}: {result.rps:>6.0f} req/s  p50 {result.p50_ms:.2f} ms  "
                f"p99 {result.p99_ms:.2f} ms  CPU {result.cpu_us:.0f} us/req",
                file=sys.stderr,
                flush=True,
            )
    medians = {
        workers: {
            field: statistics.median(getattr(r, field) for r in results)
            for field in ("rps", "p50_ms", "p99_ms", "cpu_us")
        }
        for workers, results in runs.items()
    }
    if args.json:
        print(json.dumps({"medians": medians, "runs": {k: [asdict(r) for r in v] for k, v in runs.items()}}))
        return
    print(f"population lookup (037), message log on, {args.concurrency} connections, wrk {args.seconds:g} s")
    print(f"medians of {args.rounds} rounds; servers on every CPU ({os.cpu_count()}), wrk on the last")
    print(f"{'workers':<8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU us/req':>11}")
    for workers, m in medians.items():
        print(f"{workers:<8} {m['rps']:>8.0f} {m['p50_ms']:>8.2f} {m['p99_ms']:>8.2f} {m['cpu_us']:>11.0f}")
    one_worker, more = medians[1], medians[args.workers]
    print(f"scaling 1 -> {args.workers} workers: {more['rps'] / one_worker['rps']:.2f}x req/s")


if __name__ == "__main__":
    asyncio.run(main())
