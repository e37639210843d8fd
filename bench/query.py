"""Message-log query benchmark: filtered pages over N stored records (default 1,000,000, SQLite).

Fills a fresh store through the real write path (hash chain included), printing progress, then runs
each kind of filtered page the admin API offers many times and prints p50/p95 latency. A PostgreSQL
store is analysed after filling (as autovacuum would do in service).

    .venv/bin/python bench/query.py [--records 1000000] [--runs 200] [--store URL]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ngsp_sim.store import MessageEntry, MessageQuery, SqliteStore, Store, store_from_url
from ngsp_sim.store.postgres import PostgresStore

SERVICES = [f"VN/GOV/000.00.00.G{n:02d}/SYS{n}/service{n}" for n in range(1, 21)]
CLIENTS = [f"VN/GOV/000.00.00.H{n:02d}/MOTCUA" for n in range(10, 60)]
FAULTS = [
    "Server.ServerProxy.ServiceFailed.Timeout",
    "Server.ServerProxy.AccessDenied",
    "Client.SchemaViolation",
    "Server.ServerProxy.ServiceFailed.NetworkError",
    "Server.ServerProxy.UnknownService",
]
START_MS = 1_760_000_000_000
SPAN_MS = 30 * 86_400_000


def _entry(n: int, total: int, rng: random.Random) -> MessageEntry:
    ts = START_MS + n * SPAN_MS // total
    failed = rng.random() < 0.03
    fault = rng.choice(FAULTS) if failed else None
    record = {
        "messageId": f"bench-{n}",
        "requestInTs": ts,
        "requestOutTs": ts + 1,
        "responseInTs": ts + 20,
        "responseOutTs": ts + 21,
        "succeeded": not failed,
        "faultCode": fault,
        "statusCode": 500 if failed else 200,
        "restMethod": "POST",
    }
    return MessageEntry(
        record,
        client=rng.choice(CLIENTS),
        service=rng.choice(SERVICES),
        client_request=b'{"SoDinhDanh":"079090001234"}',
        client_response=b'{"ok":true}',
    )


async def fill(store: Store, total: int) -> float:
    rng = random.Random(42)
    began = time.perf_counter()
    batch = 5000
    for start in range(0, total, batch):
        await store.append_messages([_entry(n, total, rng) for n in range(start, min(total, start + batch))])
        done = min(total, start + batch)
        if done % 100_000 == 0 or done == total:
            print(f"  stored {done:>9,} records ({time.perf_counter() - began:5.1f} s)", file=sys.stderr, flush=True)
    return time.perf_counter() - began


async def measure(
    store: Store, name: str, make: Callable[[random.Random], MessageQuery], runs: int
) -> tuple[str, float, float, int]:
    rng = random.Random(7)
    times = []
    rows = 0
    for _ in range(runs):
        query = make(rng)
        began = time.perf_counter()
        rows = len(await store.list_messages(query))
        times.append((time.perf_counter() - began) * 1000)
    q = statistics.quantiles(times, n=100)
    return name, q[49], q[94], rows


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--store", help="store URL (default: a fresh SQLite file in a temporary directory)")
    args = parser.parse_args()
    store = store_from_url(args.store) if args.store else SqliteStore(Path(tempfile.mkdtemp()) / "bench.sqlite3")
    await store.open()
    print(f"filling {store.display} with {args.records:,} records...", file=sys.stderr)
    seconds = await fill(store, args.records)
    if isinstance(store, PostgresStore):
        # A store in service is analysed by autovacuum as records stream in; one filled in a minute has
        # no statistics yet, and PostgreSQL then walks the whole table for an X-Road-Id (~1 s).
        async with store.dialect.transaction() as tx:
            await tx.execute("ANALYZE messages")
    total = args.records
    mid_id = total // 2
    cases = [
        ("newest page, no filter", lambda r: MessageQuery()),
        ("service", lambda r: MessageQuery(service=r.choice(SERVICES))),
        ("client", lambda r: MessageQuery(client=r.choice(CLIENTS))),
        ("client + service", lambda r: MessageQuery(client=r.choice(CLIENTS), service=r.choice(SERVICES))),
        ("failures only", lambda r: MessageQuery(succeeded=False)),
        ("fault code", lambda r: MessageQuery(fault_code=r.choice(FAULTS))),
        ("one day + service", lambda r: _day(r, MessageQuery(service=r.choice(SERVICES)))),
        ("X-Road-Id", lambda r: MessageQuery(message_id=f"bench-{r.randrange(total)}")),
        ("deep page (cursor mid-log) + service", lambda r: MessageQuery(service=r.choice(SERVICES), before_id=mid_id)),
    ]
    results = [await measure(store, name, make, args.runs) for name, make in cases]
    await store.close()
    print(f"\n{total:,} records stored in {seconds:.1f} s ({total / seconds:,.0f} records/s, hash chain included)")
    print(f"{'filtered page (50 rows)':<40} {'p50 ms':>8} {'p95 ms':>8} {'rows':>5}")
    for name, p50, p95, rows in results:
        print(f"{name:<40} {p50:>8.2f} {p95:>8.2f} {rows:>5}")


def _day(rng: random.Random, query: MessageQuery) -> MessageQuery:
    day = rng.randrange(30)
    since = START_MS + day * 86_400_000
    return MessageQuery(service=query.service, since_ms=since, until_ms=since + 86_400_000)


if __name__ == "__main__":
    asyncio.run(main())
