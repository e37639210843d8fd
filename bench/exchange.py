"""Exchange benchmark: durable edXML acceptance (sendEdoc, acknowledged only after the document, its
mailbox rows and its deliveries are committed) and webhook delivery throughput to a local receiver.

    .venv/bin/python bench/exchange.py [--documents 2000] [--concurrency 16] [--store sqlite|postgresql|both]
                                       [--pg postgresql://postgres@127.0.0.1:5432/test]

One hub process (`ngsp-sim up`) per store; a receiver subscribed to the documents' recipient verifies
each delivery's signature. Deliveries to one subscriber go in order, one at a time, so the delivery
figure is per subscriber. *hub CPU/doc*: the hub process's CPU time while the documents were sent,
divided by their number (the delivery worker runs meanwhile in the same process, so part of the
delivering is in it): the figure a busy shared machine moves least. *to delivered*: the hub's CPU time
from the first send to the last delivery, per document: everything the hub spent on a document,
accepting and delivering it (the fair figure when the worker's speed changes how much of its work
falls inside the sending). Loopback only; bounded; everything stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
from aiohttp import web
from routing import LAST_PID, process

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.edxml import build_edoc
from ngsp_sim.exchange.signing import SIGNATURE_HEADER, verify

TOKEN = "bench-admin-token"  # noqa: S105 - a loopback benchmark hub
SENDER = {"OrganId": "000.00.00.G01", "OrganName": "Bộ Công an"}
RECIPIENT = {"OrganId": "000.00.00.H38", "OrganName": "UBND tỉnh Lào Cai"}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_one(store: list[str], documents: int, concurrency: int) -> tuple[float, float, float, float]:
    received: set[str] = set()
    done = asyncio.Event()
    secret = ""

    async def hook(request: web.Request) -> web.Response:
        body = await request.read()
        verify(secret, body, request.headers.get(SIGNATURE_HEADER), time.time())
        received.add(request.headers["X-NGSP-Idempotency-Key"])
        if len(received) >= documents:
            done.set()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    os.environ["NGSP_SIM_ADMIN_TOKEN"] = TOKEN
    try:
        async with (
            process("up", "--port", "0", "--population", "50", "--message-log", "off", *store) as hub,
            aiohttp.ClientSession() as session,
        ):
            auth = {"Authorization": f"Bearer {TOKEN}"}
            body = {"topic": f"edoc:{RECIPIENT['OrganId']}", "url": url}
            async with session.post(f"{hub}/api/v1/subscriptions", json=body, headers=auth) as resp:
                secret = (await resp.json())["secret"]
            headers = {"Content-Type": "text/xml", "X-Road-Client": "VN/GOV/000.00.00.G01/QLVB"}
            bodies = [
                build_edoc(
                    SENDER,
                    [RECIPIENT],
                    number=str(n + 1),
                    notation="BENCH",
                    date="2025/11/21",
                    subject="Công văn thử tải",
                )
                for n in range(documents)
            ]
            limit = asyncio.Semaphore(concurrency)

            async def send(doc: bytes) -> None:
                async with (
                    limit,
                    session.post(f"{hub}/r1/VN/GOV/000.00.00.G22/VDXP/sendEdoc", data=doc, headers=headers) as resp,
                ):
                    await resp.read()
                    if resp.status != 200:
                        raise RuntimeError(f"sendEdoc answered {resp.status}")

            began, cpu = time.perf_counter(), cpu_seconds(LAST_PID[0])
            await asyncio.gather(*(send(doc) for doc in bodies))
            accepted = time.perf_counter() - began
            cpu_accepted = cpu_seconds(LAST_PID[0]) - cpu
            await asyncio.wait_for(done.wait(), 600)
            delivered = time.perf_counter() - began
            cpu_delivered = cpu_seconds(LAST_PID[0]) - cpu
    finally:
        await runner.cleanup()
    return documents / accepted, documents / delivered, cpu_accepted / documents, cpu_delivered / documents


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--store", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    stores = []
    if args.store in ("sqlite", "both"):
        stores.append(("sqlite", ["--data-dir", tempfile.mkdtemp(prefix="ngsp-bench-exchange-")]))
    if args.store in ("postgresql", "both"):
        stores.append(("postgresql", ["--store", f"{args.pg}?schema=bench_{uuid.uuid4().hex[:8]}"]))
    print(f"{args.documents} edXML documents, {args.concurrency} concurrent senders, one webhook subscriber")
    print(f"{'store':<11} {'accepted/s':>11} {'delivered/s':>12} {'hub CPU/doc':>12} {'to delivered':>13}")
    for name, store in stores:
        accepted, delivered, cpu, cpu_all = await run_one(store, args.documents, args.concurrency)
        print(
            f"{name:<11} {accepted:>11.0f} {delivered:>12.0f} {cpu * 1e6:>9.0f} us {cpu_all * 1e6:>10.0f} us",
            flush=True,
        )
        if name == "postgresql":
            import asyncpg

            conn = await asyncpg.connect(args.pg)
            await conn.execute(f'DROP SCHEMA IF EXISTS "{store[1].split("schema=")[1]}" CASCADE')
            await conn.close()


if __name__ == "__main__":
    asyncio.run(main())
