"""``ngsp-sim log verify`` and ``ngsp-sim log tail``: the message log, read straight from the store."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
import orjson

from ngsp_sim.cli.common import format_option, open_store, store_options
from ngsp_sim.store import Store, StoredMessage, verify_chain

__all__ = ["log"]


@click.group()
def log() -> None:
    """Read the message log: tail or verify."""


@log.command()
@store_options
def verify(data_dir: Path | None, store: str | None) -> int:
    """Check the hash chain; name the first broken record and exit 1."""
    return asyncio.run(_verify(open_store(data_dir, store)))


@log.command()
@store_options
@click.option("-n", "--lines", type=int, default=20, show_default=True, help="how many to show first")
@click.option("-f", "--follow", is_flag=True, help="keep printing new exchanges")
@format_option
def tail(data_dir: Path | None, store: str | None, lines: int, follow: bool, output: str) -> int:
    """Print the newest exchanges (and, with --follow, new ones as they happen)."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_tail(open_store(data_dir, store), lines, follow, output == "json"))
    return 0


async def _verify(store: Store) -> int:
    await store.open()
    try:
        total = await store.last_message_id()
        print(f"verifying the message log in {store.display} ({total} records at most)...", file=sys.stderr)
        report = await verify_chain(store)
    finally:
        await store.close()
    if report.ok:
        print(f"ok: {report.checked} records, hash chain intact")
        return 0
    print(f"BROKEN at record {report.broken_id}: {report.reason} ({report.checked} records before it are intact)")
    return 1


def _line(m: StoredMessage, as_json: bool) -> str:
    if as_json:
        return orjson.dumps({"id": m.id, "client": m.client, "service": m.service, **m.record}).decode()
    r = m.record
    when = datetime.fromtimestamp(r["requestInTs"] / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    took = "" if r.get("responseOutTs") is None else f"{r['responseOutTs'] - r['requestInTs']}ms"
    fault = f" {r['faultCode']}" if r.get("faultCode") else ""
    return f"{m.id:>8} {when} {m.client or '-'} -> {m.service or r.get('restPath')} {r.get('statusCode')} {took}{fault}"


async def _tail(store: Store, lines: int, follow: bool, as_json: bool) -> None:
    await store.open()
    try:
        last = await store.last_message_id()
        for m in await store.scan_messages(max(0, last - lines), lines):
            print(_line(m, as_json), flush=True)
        while follow:
            fresh = await store.scan_messages(last, 500)
            for m in fresh:
                print(_line(m, as_json), flush=True)
            last = fresh[-1].id if fresh else last
            if not fresh:
                await asyncio.sleep(0.5)
    finally:
        await store.close()
