"""``ngsp-sim deliveries list|replay``: a running hub's webhook deliveries and dead letters, through
its admin API."""

from __future__ import annotations

import click

from ngsp_sim.cli.client import call_once
from ngsp_sim.cli.common import admin_options, print_table, table

__all__ = ["deliveries"]


@click.group()
def deliveries() -> None:
    """Webhook deliveries and dead letters of a running hub."""


@deliveries.command("list")
@click.option("--status", type=click.Choice(["pending", "failed", "delivered", "dead"]), help="only these")
@click.option(
    "--limit", type=click.IntRange(1, 1000), default=50, show_default=True, help="at most this many, newest first"
)
@click.option("--subscription", help="only this subscription's")
@admin_options()
def list_(status: str | None, limit: int, subscription: str | None, hub: str, admin_token: str | None) -> int:
    """Deliveries, newest first, with counts per status."""
    query = {k: v for k, v in (("status", status), ("subscription", subscription)) if v} | {"limit": str(limit)}
    data = call_once(hub, admin_token, "GET", "/deliveries", params=query)
    print("  ".join(f"{s} {n}" for s, n in sorted(data["counts"].items())) or "no deliveries")
    if data["deliveries"]:
        rows = table("ID", "STATUS", "ATTEMPTS", "SUBSCRIPTION", "EVENT", "IDEMPOTENCY KEY", "LAST ERROR")
        for d in data["deliveries"]:
            rows.add_row(
                str(d["id"]),
                d["status"],
                str(d["attempts"]),
                d["subscription_id"],
                d["event_type"],
                d["idempotency_key"],
                d["last_error"] or "",
            )
        print_table(rows)
    return 0


@deliveries.command()
@click.argument("ids", nargs=-1, type=int)
@click.option("--subscription", help="only this subscription's")
@admin_options()
def replay(ids: tuple[int, ...], subscription: str | None, hub: str, admin_token: str | None) -> int:
    """Send dead-lettered deliveries again: the IDS given (each must be dead), or every dead one."""
    body = {"ids": list(ids), "subscription": subscription}
    replayed = call_once(hub, admin_token, "POST", "/deliveries/replay", body)["replayed"]
    print(f"replayed {replayed} dead deliver{'y' if replayed == 1 else 'ies'}")
    return 0
