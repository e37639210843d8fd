"""``ngsp-sim credentials list|rotate``: the gateway style's consumer keys, read from the store."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from ngsp_sim.cli.common import open_store, print_table, store_options, table
from ngsp_sim.clock import SystemClock
from ngsp_sim.security.credentials import CredentialKeeper, UnknownConsumer
from ngsp_sim.store import Store

__all__ = ["credentials"]


@click.group()
def credentials() -> None:
    """Consumer keys and secrets (the gateway style)."""


@credentials.command("list")
@store_options
def list_(data_dir: Path | None, store: str | None, log_key: Path | None) -> int:
    """Consumer keys and their clients (never secrets)."""
    return asyncio.run(_list(open_store(data_dir, store, log_key)))


@credentials.command()
@click.argument("consumer_key")
@store_options
def rotate(consumer_key: str, data_dir: Path | None, store: str | None, log_key: Path | None) -> int:
    """A new secret for CONSUMER_KEY, printed once; its tokens stop working."""
    return asyncio.run(_rotate(open_store(data_dir, store, log_key), consumer_key))


async def _list(store: Store) -> int:
    await store.open()
    try:
        found = await store.list_credentials()
    finally:
        await store.close()
    rows = table("CONSUMER KEY", "CLIENT", "SOURCE")
    for c in found:
        rows.add_row(c.consumer_key, c.client, c.source)
    print_table(rows)
    return 0


async def _rotate(store: Store, key: str) -> int:
    await store.open()
    try:
        secret = await CredentialKeeper(store, SystemClock()).rotate(key)
    except UnknownConsumer:
        raise click.ClickException(f"no consumer key {key!r} in {store.display}") from None
    finally:
        await store.close()
    print(f"new secret for {key} (shown once; its tokens no longer work): {secret}")
    return 0
