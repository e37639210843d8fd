"""Durable edXML acceptance in the store alone: ``ExchangeStore.accept`` (the document, its mailbox row
and its delivery, committed before it returns) called by N concurrent senders, on SQLite and PostgreSQL.

The part of ``bench/exchange.py`` that group commit changes, without HTTP, XML parsing or the delivery
worker. Prints documents/s and this process's CPU time per document (PostgreSQL's own CPU is not in it).

    .venv/bin/python bench/accept.py [--documents 5000] [--concurrency 16] [--pg URL | --pg none]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from pathlib import Path

from log_writer import PG_DEFAULT, drop_schema, pg_reachable

from ngsp_sim.store import store_from_url
from ngsp_sim.store.exchange import NewEdoc, NewEvent, Subscription

BODY = b"<edXML>" + b"x" * 1600 + b"</edXML>"  # the size of bench/exchange.py's documents
RECIPIENT = "000.00.00.H38"


async def rate(url: str, documents: int, concurrency: int) -> tuple[float, float]:
    store = store_from_url(url)
    await store.open()
    try:
        sub = Subscription("bench", f"edoc:{RECIPIENT}", "http://127.0.0.1:1/hook", "s" * 32, 3, "api", 0)
        await store.exchange.put_subscription(sub)
        todo = iter(range(documents))

        async def sender() -> None:
            for n in todo:
                doc_id = uuid.uuid4().hex
                edoc = NewEdoc(doc_id, "edoc", "000.00.00.G01", str(n), 0, "Công văn", None, None, BODY, "0" * 64, n)
                event = NewEvent(f"edoc:{RECIPIENT}", "edoc.received", b"{}", f"{doc_id}:{RECIPIENT}")
                await store.exchange.accept(edoc, [RECIPIENT], [event])

        began, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(sender() for _ in range(concurrency)))
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    finally:
        await store.close()
    return documents / elapsed, cpu / documents


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--pg", default=PG_DEFAULT, help="PostgreSQL URL, or 'none'")
    args = parser.parse_args()
    print(f"{args.documents} documents, {args.concurrency} concurrent senders, one subscription")
    with tempfile.TemporaryDirectory(prefix="ngsp-acceptbench-") as tmp:
        docs, cpu = await rate(f"sqlite://{Path(tmp) / 'x.sqlite3'}", args.documents, args.concurrency)
        print(f"SQLite      {docs:>8.0f} documents/s  {cpu * 1e6:>6.0f} us CPU per document", flush=True)
    if args.pg != "none" and await pg_reachable(args.pg):
        url = f"{args.pg}?schema=acceptbench_{uuid.uuid4().hex[:8]}"
        try:
            docs, cpu = await rate(url, args.documents, args.concurrency)
        finally:
            await drop_schema(url)
        print(f"PostgreSQL  {docs:>8.0f} documents/s  {cpu * 1e6:>6.0f} us CPU per document", flush=True)
    else:
        print("PostgreSQL: not reachable, skipped")


if __name__ == "__main__":
    asyncio.run(main())
