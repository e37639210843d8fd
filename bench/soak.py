"""Soak: the population lookup (037) at full load for minutes, with the message log on; every exchange
the hub answered must be in the log.

Starts `ngsp-sim up` as a real process on loopback (SQLite in a fresh temporary directory, or
``--store URL``), drives it with `wrk` (an aiohttp client when wrk is absent) for ``--seconds``
(default 600), and prints, every ``--interval`` seconds, the hub's RSS and its message-log queue; then
the sustained requests/s, the exchanges the hub answered (its ``ngsp_requests_total``) against the
records stored (counted in the store), and the store's bytes per 1,000 exchanges. Exits non-zero
when answered and stored differ, or when any exchange was refused or dropped. Bounded in time;
everything stops by itself.

    .venv/bin/python bench/soak.py [--seconds 600] [--concurrency 16] [--interval 30] [--store URL]
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
from prometheus_client.parser import text_string_to_metric_families
from routing import LAST_PID, LOOKUP, Result, drive, drive_wrk, process

HUB_PATH = "/r1/VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan"
HEADERS = {"Content-Type": "application/json", "X-Road-Client": "VN/GOV/000.00.00.H29/MOTCUA"}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def metrics(session: aiohttp.ClientSession, hub: str, token: str) -> dict[str, float]:
    """The hub's answered exchanges and its message-log figures."""
    async with session.get(f"{hub}/metrics", headers={"Authorization": f"Bearer {token}"}) as resp:
        text = await resp.text()
    found: dict[str, float] = {"answered": 0.0}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "ngsp_requests_total":
                found["answered"] += sample.value
            elif sample.name.startswith("ngsp_message_log_"):
                found[sample.name.removeprefix("ngsp_message_log_").removesuffix("_total")] = sample.value
    return found


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


async def sample(hub: str, token: str, pid: int, interval: float, started: float, peak: list[float]) -> None:
    async with aiohttp.ClientSession() as session:
        while True:
            await asyncio.sleep(interval)
            rss = rss_mb(pid)
            peak[0] = max(peak[0], rss)
            m = await metrics(session, hub, token)
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
    args = parser.parse_args()
    token = secrets.token_urlsafe(24)
    os.environ["NGSP_SIM_ADMIN_TOKEN"] = token  # the hub process reads it; the bench reads /metrics with it
    data_dir = Path(tempfile.mkdtemp(prefix="ngsp-soak-"))
    where = ["--store", args.store] if args.store else ["--data-dir", str(data_dir)]
    body = orjson.dumps(LOOKUP)
    peak = [0.0]
    try:
        async with process("up", "--port", "0", *where) as hub, aiohttp.ClientSession() as session:
            pid = LAST_PID[0]
            shown = args.store.split("@")[-1] if args.store else "SQLite (fresh file)"  # never a password
            print(
                f"soak: population lookup (037), {args.concurrency} connections ({args.client}), {args.seconds:g} s, "
                f"message log on, store {shown}; RSS at start {rss_mb(pid):.1f} MB",
                flush=True,
            )
            started = time.perf_counter()
            sampler = asyncio.create_task(sample(hub, token, pid, args.interval, started, peak))
            url = hub + HUB_PATH
            result: Result
            if args.client == "wrk":
                result = await drive_wrk(url, body, HEADERS, args.concurrency, args.seconds)
            else:
                result = await drive(url, body, HEADERS, args.concurrency, 10**9, args.seconds)
            sampler.cancel()
            rss_end = rss_mb(pid)
            peak[0] = max(peak[0], rss_end)
            drained_in = time.perf_counter()
            for _ in range(1200):  # the log drains within 120 s or the soak fails below
                m = await metrics(session, hub, token)
                if m.get("pending", 0) == 0:
                    break
                await asyncio.sleep(0.1)
            drained_in = time.perf_counter() - drained_in
            m = await metrics(session, hub, token)
            stored, size = await stored_and_bytes(args.store, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    answered = int(m["answered"])
    print(
        f"sustained: {result.rps:.0f} req/s with the message log on (wrk: {result.requests} requests, "
        f"{result.errors} non-2xx, p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms)"
    )
    print(f"RSS: {rss_end:.1f} MB at the end, peak sample {peak[0]:.1f} MB")
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
