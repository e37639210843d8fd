"""Bytes the message log takes per 1,000 exchanges in a SQLite store: population lookups through a real
hub on loopback, then the growth of the store file (WAL checkpointed) against a hub that served none,
and the stored bodies' own bytes.

    .venv/bin/python bench/log_size.py [--exchanges 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
from pathlib import Path

import aiohttp

from ngsp_sim.app import create_app
from ngsp_sim.config import ConnectionLimits, HubConfig
from ngsp_sim.contracts.examples import lookup_example
from ngsp_sim.hub.server import start_serving

POPULATION = "/r1/VN/GOV/000.00.00.G01/CSDLQGDC/TraCuuThongTinCongDan"
MOTCUA = "VN/GOV/000.00.00.H29/MOTCUA"
TOKEN = "bench-admin-token-0123"  # noqa: S105 (a throw-away hub on loopback)
BODIES = "client_request", "provider_request", "provider_response", "client_response"


async def serve(data_dir: Path, exchanges: int) -> None:
    app = create_app(HubConfig(data_dir=data_dir, port=0, population=200, admin_token=TOKEN))
    listening = await start_serving(app, "127.0.0.1", 0, ConnectionLimits())
    try:
        async with aiohttp.ClientSession(listening.url) as session:
            for n in range(exchanges):
                headers = {"X-Road-Client": MOTCUA, "X-Road-Id": f"size-{n}"}
                async with session.post(POPULATION, json=lookup_example(), headers=headers) as resp:
                    assert resp.status == 200, await resp.text()
    finally:
        await listening.close()  # stops the hub: the message log writes what is queued


def measure(db: Path) -> tuple[int, int, int]:
    """(file bytes after a WAL checkpoint, records, bytes of the stored bodies)."""
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        total = " + ".join(f"coalesce(length({b}), 0)" for b in BODIES)
        records, bodies = conn.execute(f"SELECT count(*), coalesce(sum({total}), 0) FROM messages").fetchone()  # noqa: S608
    return db.stat().st_size, int(records), int(bodies)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exchanges", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as empty, tempfile.TemporaryDirectory() as full:
        await serve(Path(empty), 0)
        await serve(Path(full), args.exchanges)
        base, _, _ = measure(Path(empty) / "ngsp-sim.sqlite3")
        size, records, bodies = measure(Path(full) / "ngsp-sim.sqlite3")
    per_1000 = (size - base) * 1000 / records
    print(f"{records} exchanges logged; store grew by {size - base:,} bytes")
    body_share = bodies * 1000 / records / 1e6
    print(f"per 1,000 exchanges: {per_1000 / 1e6:.2f} MB in the store, {body_share:.2f} MB of it bodies")


if __name__ == "__main__":
    asyncio.run(main())
