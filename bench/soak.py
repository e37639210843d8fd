"""Soak: the population lookup (037) at full load for minutes, with the message log on; every exchange
the hub answered must be in the log.

Starts `ngsp-sim up` as a real process on loopback (SQLite in a fresh temporary directory, or
``--store URL``; ``--workers N`` for `up --workers N`), drives it with `wrk` (an aiohttp client when wrk
is absent) for ``--seconds`` (default 600), and prints, every ``--interval`` seconds, the hub's RSS and
its message-log queue; then the sustained requests/s with p50 and p99, the server's CPU time per request
(supervisor and workers, from /proc), the exchanges the hub answered (``ngsp_requests_total``, summed over
the workers) against the records stored (counted in the store), and the store's bytes per 1,000
exchanges. Exits non-zero when answered and stored differ, or when any exchange was refused or dropped.
Bounded in time; everything stops by itself.

With several workers, each figure of ``/metrics`` is one worker's: the soak opens fresh connections
until every worker (``X-NGSP-Worker``) has answered once, and sums them.

    .venv/bin/python bench/soak.py [--seconds 600] [--concurrency 16] [--interval 30] [--store URL] [--workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import orjson
from cpu import cpu_seconds
from cpu import rss_mb as tree_rss_mb
from prometheus_client.parser import text_string_to_metric_families
from routing import LAST_PID, LOOKUP, Result, drive, drive_wrk, process

HUB_PATH = "/r1/VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan"
HEADERS = {"Content-Type": "application/json", "X-Road-Client": "VN/GOV/000.00.00.H29/MOTCUA"}


def rss_mb(pid: int) -> float:
    return tree_rss_mb([pid])


async def metrics(session: aiohttp.ClientSession, hub: str, token: str, workers: int = 1) -> dict[str, float]:
    """The hub's answered exchanges and its message-log figures, summed over its ``workers``."""
    if workers == 1:
        return (await one_metrics(session, hub, token))[1]
    seen: dict[str, dict[str, float]] = {}
    for _ in range(100 * workers):  # fresh connections: the kernel picks the worker; bounded
        worker, found = await one_metrics(session, hub, token, fresh=True)
        seen[worker] = found
        if len(seen) == workers:
            break
    else:
        raise RuntimeError(f"only {len(seen)} of {workers} workers answered /metrics")
    summed: dict[str, float] = {}
    for found in seen.values():
        for name, value in found.items():
            summed[name] = summed.get(name, 0.0) + value
    return summed


async def one_metrics(
    session: aiohttp.ClientSession, hub: str, token: str, *, fresh: bool = False
) -> tuple[str, dict[str, float]]:
    """One worker's figures, and which worker it is."""
    headers = {"Authorization": f"Bearer {token}", **({"Connection": "close"} if fresh else {})}
    async with session.get(f"{hub}/metrics", headers=headers) as resp:
        text = await resp.text()
        worker = resp.headers.get("X-NGSP-Worker", "")
    found: dict[str, float] = {"answered": 0.0}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "ngsp_requests_total":
                found["answered"] += sample.value
            elif sample.name.startswith("ngsp_message_log_"):
                found[sample.name.removeprefix("ngsp_message_log_").removesuffix("_total")] = sample.value
    return worker, found


async def stored_and_bytes(store: str | None, data_dir: Path) -> tuple[int, int]:
    """(records in the message log, bytes the log takes in the store)."""
    if store is None or store.startswith("sqlite"):
        path = data_dir / "ngsp-sim.sqlite3" if store is None else Path(store.removeprefix("sqlite://"))
        with sqlite3.connect(path) as db:
            count = db.execute("SELECT count(*) FROM messages").fetchone()[0]
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
        return int(count), size  # the whole file: the log is nearly all of it
    import asyncpg

    base, _, schema = store.partition("?schema=")
    conn = await asyncpg.connect(base, server_settings={"search_path": schema or "public"})
    try:
        count = await conn.fetchval("SELECT count(*) FROM messages")
        size = await conn.fetchval("SELECT pg_total_relation_size('messages')")
    finally:
        await conn.close()
    return int(count), int(size)


async def sample(
    hub: str, token: str, pid: int, interval: float, started: float, peak: list[float], workers: int
) -> None:
    async with aiohttp.ClientSession() as session:
        while True:
            await asyncio.sleep(interval)
            rss = rss_mb(pid)
            peak[0] = max(peak[0], rss)
            m = await metrics(session, hub, token, workers)
            print(
                f"  t={time.perf_counter() - started:>4.0f}s  RSS {rss:>6.1f} MB  answered {m['answered']:>8.0f}  "
                f"written {m.get('written', 0):>8.0f}  pending {m.get('pending', 0):>6.0f}  "
                f"waited {m.get('waited', 0):>6.0f}  refused {m.get('refused', 0):.0f}",
                flush=True,
            )


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between RSS samples")
    parser.add_argument("--store", default=None, help="store URL (default: SQLite in a fresh temporary directory)")
    parser.add_argument("--client", choices=["wrk", "aiohttp"], default="wrk" if shutil.which("wrk") else "aiohttp")
    parser.add_argument("--workers", type=int, default=1, help="`up --workers N`: N hub processes on one port")
    parser.add_argument("--port", type=int, default=0, help="the hub's port; 0: any free one")
    args = parser.parse_args()
    token = secrets.token_urlsafe(24)
    os.environ["NGSP_SIM_ADMIN_TOKEN"] = token  # the hub process reads it; the bench reads /metrics with it
    data_dir = Path(tempfile.mkdtemp(prefix="ngsp-soak-"))
    where = ["--store", args.store] if args.store else ["--data-dir", str(data_dir)]
    body = orjson.dumps(LOOKUP)
    peak = [0.0]
    try:
        workers = ("--workers", str(args.workers), "--log-level", "warning")
        every_cpu = f"0-{(os.cpu_count() or 1) - 1}" if args.workers > 1 else "0"
        async with (
            process("up", "--port", str(args.port), *where, *workers, cpus=every_cpu) as hub,
            aiohttp.ClientSession() as session,
        ):
            pid = LAST_PID[0]
            shown = args.store.split("@")[-1] if args.store else "SQLite (fresh file)"  # never a password
            print(
                f"soak: population lookup (037), {args.concurrency} connections ({args.client}), {args.seconds:g} s, "
                f"message log on, store {shown}, {args.workers} worker(s); RSS at start {rss_mb(pid):.1f} MB",
                flush=True,
            )
            started = time.perf_counter()
            sampler = asyncio.create_task(sample(hub, token, pid, args.interval, started, peak, args.workers))
            url = hub + HUB_PATH
            result: Result
            if args.client == "wrk":  # CPU over the measured run only
                result = await drive_wrk(url, body, HEADERS, args.concurrency, args.seconds, servers=[pid])
            else:  # CPU over the warm-up too: a slight overestimate
                cpu_before = cpu_seconds([pid])
                result = await drive(url, body, HEADERS, args.concurrency, 10**9, args.seconds)
                result.cpu_us = (cpu_seconds([pid]) - cpu_before) / max(result.requests, 1) * 1e6
            sampler.cancel()
            rss_end = rss_mb(pid)
            peak[0] = max(peak[0], rss_end)
            drained_in = time.perf_counter()
            for _ in range(1200):  # the log drains within 120 s or the soak fails below
                m = await metrics(session, hub, token, args.workers)
                if m.get("pending", 0) == 0:
                    break
                await asyncio.sleep(0.1)
            drained_in = time.perf_counter() - drained_in
            m = await metrics(session, hub, token, args.workers)
            stored, size = await stored_and_bytes(args.store, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    answered = int(m["answered"])
    print(
        f"sustained: {result.rps:.0f} req/s with the message log on (wrk: {result.requests} requests, "
        f"{result.errors} non-2xx, p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms)"
    )
    print(
        f"CPU: {result.cpu_us:.0f} us per request (every hub process, agencies in-process); "
        f"p99/p50 {result.p99_ms / result.p50_ms:.2f}"
    )
    print(f"RSS: {rss_end:.1f} MB at the end, peak sample {peak[0]:.1f} MB (all hub processes)")
    print(
        f"answered {answered} (hub's count, warm-up included), stored {stored}, "
        f"log drained {drained_in:.1f} s after the load stopped"
    )
    counts = ", ".join(
        f"{name} {m.get(name, 0):.0f}" for name in ("written", "waited", "refused", "escaped", "dropped")
    )
    print(f"message log: {counts} (waited: exchanges held back by backpressure)")
    print(f"store: {size / stored * 1000 / 1e6:.2f} MB per 1,000 exchanges ({size / 1e6:.1f} MB for {stored})")
    ok = answered == stored and not m.get("refused") and not m.get("dropped")
    print("OK: every answered exchange is in the log" if ok else "FAILED: answered and stored differ")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
