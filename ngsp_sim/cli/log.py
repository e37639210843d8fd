"""``ngsp-sim log verify|tail|export|verify-bundle``: the message log, read straight from the store, and
the signed evidence bundles (:mod:`ngsp_sim.store.evidence`)."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import click
import orjson

from ngsp_sim.cli.common import format_option, open_store, store_options
from ngsp_sim.store import Store, StoredMessage, verify_chain
from ngsp_sim.store.evidence import export_bundle, parse_time, verify_bundle

__all__ = ["log"]


@click.group()
def log() -> None:
    """Read the message log: tail, verify, export evidence and check it."""


@log.command()
@store_options
def verify(data_dir: Path | None, store: str | None, log_key: Path | None) -> int:
    """Check the seals, the queryable columns and the signed head; name the first fault and exit 1."""
    return asyncio.run(_verify(open_store(data_dir, store, log_key, create_key=False)))


@log.command()
@store_options
@click.option("--from", "from_", default="0", show_default=True, help="first start time: ISO 8601 or ms (0: all)")
@click.option("--to", default=None, help="end (exclusive): ISO 8601 or ms  [default: now]")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="the bundle file to write")
def export(
    data_dir: Path | None, store: str | None, log_key: Path | None, from_: str, to: str | None, out: Path
) -> int:
    """Write a signed evidence bundle of the exchanges that started in the range; anyone can check it
    offline with `ngsp-sim log verify-bundle`."""
    try:
        from_ms, to_ms = parse_time(from_), None if to is None else parse_time(to)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return asyncio.run(_export(open_store(data_dir, store, log_key, create_key=False), from_ms, to_ms, out))


@log.command("verify-bundle")
@click.argument("bundle", type=click.Path(path_type=Path, dir_okay=False, exists=True))
def verify_bundle_command(bundle: Path) -> int:
    """Check an evidence bundle with nothing but the file; name the first record at fault and exit 1."""
    report = verify_bundle(bundle.read_bytes())
    print(report.describe())
    return 0 if report.ok else 1


@log.command()
@store_options
@click.option("-n", "--lines", type=int, default=20, show_default=True, help="how many to show first")
@click.option("-f", "--follow", is_flag=True, help="keep printing new exchanges")
@format_option
def tail(data_dir: Path | None, store: str | None, log_key: Path | None, lines: int, follow: bool, output: str) -> int:
    """Print the newest exchanges (and, with --follow, new ones as they happen)."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_tail(open_store(data_dir, store, log_key), lines, follow, output == "json"))
    return 0


async def _verify(store: Store) -> int:
    await store.open()
    try:
        total = await store.last_message_id()
        print(f"verifying the message log in {store.display} ({total} records at most)...", file=sys.stderr)
        report = await verify_chain(store)
    finally:
        await store.close()
    print(report.describe())
    return 0 if report.ok else 1


async def _export(store: Store, from_ms: int, to_ms: int | None, out: Path) -> int:
    await store.open()
    try:
        now, shared = int(time.time() * 1000), await store.get_clock()
        if shared is not None:  # the hubs' platform clock, frozen or moved on: "now" is theirs
            now = shared.now_ms(now)
        data, report, count = await export_bundle(store, from_ms, now + 1 if to_ms is None else to_ms, now)
    finally:
        await store.close()
    if not report.ok:
        print(f"not exported, the log does not verify: {report.describe()}")
        return 1
    await asyncio.to_thread(out.write_bytes, data)
    print(f"wrote {count} records to {out}, signed with key {store.key.fingerprint}")
    return 0


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
