"""``ngsp-sim chaos add|list|clear``: faults of a running hub, through its admin API."""

from __future__ import annotations

from typing import Any, get_args

import click

from ngsp_sim.cli.client import call_once
from ngsp_sim.cli.common import admin_options, print_table, table
from ngsp_sim.transport.faults import FaultKind

__all__ = ["chaos", "fault_body"]

KINDS = get_args(FaultKind)


@click.group()
def chaos() -> None:
    """Inject, list and clear faults on a running hub."""


@chaos.command()
@click.argument("fault_id", metavar="ID")
@click.option("--target", required=True, help="a service (…/SUBSYSTEM/SERVICE), a subsystem (…/SUBSYSTEM) or a member")
@click.option("--kind", required=True, type=click.Choice(KINDS), help="what goes wrong")
@click.option("--rate", type=float, default=1.0, show_default=True, help="share of calls hit (0-1)")
@click.option("--seed", type=int, default=0, show_default=True, help="the same seed hits the same calls")
@click.option("--latency", help="fixed:MS, uniform:MIN_MS:MAX_MS or lognormal:MEDIAN_MS[:SIGMA] (kind latency)")
@click.option("--status", type=int, default=503, show_default=True, help="HTTP status (kind error)")
@click.option("--body", help="native body answered (kind error)")
@click.option(
    "--certificate-status",
    type=click.Choice(["expired", "revoked"]),
    default="expired",
    show_default=True,
    help="kind certificate",
)
@click.option("--for", "duration", type=float, help="active for this many seconds from now")
@admin_options()
def add(fault_id: str, hub: str, admin_token: str | None, **options: Any) -> int:
    """Inject or change the fault ID (e.g. popdb-down)."""
    # --for counts on the hub's clock, which a trainer may have frozen or moved on (ngsp-sim clock)
    now = call_once(hub, admin_token, "GET", "/clock")["now_ms"] / 1000 if options["duration"] is not None else 0.0
    body = fault_body(options, now)
    change = call_once(hub, admin_token, "PUT", f"/faults/{fault_id}", body)
    print(f"injected fault {fault_id} (change {change['id']})")
    return 0


@chaos.command("list")
@admin_options()
def list_(hub: str, admin_token: str | None) -> int:
    """The faults, with how many calls each has hit."""
    faults = call_once(hub, admin_token, "GET", "/faults")["items"]
    if not faults:
        print(f"no faults on {hub}")
        return 0
    rows = table("ID", "KIND", "RATE", "HITS", "TARGET")
    for f in faults:
        rows.add_row(f["id"], f["kind"], f"{f['rate']:g}", str(f["hits"]), f["target"])
    print_table(rows)
    return 0


@chaos.command()
@click.argument("fault_id", metavar="ID")
@admin_options()
def clear(fault_id: str, hub: str, admin_token: str | None) -> int:
    """Remove the fault ID."""
    change = call_once(hub, admin_token, "DELETE", f"/faults/{fault_id}")
    print(f"cleared fault {fault_id} (change {change['id']})")
    return 0


def _latency(text: str) -> dict[str, Any]:
    kind, *values = text.split(":")
    numbers = [float(v) for v in values]
    if kind == "fixed" and len(numbers) == 1:
        return {"distribution": "fixed", "ms": numbers[0]}
    if kind == "uniform" and len(numbers) == 2:
        return {"distribution": "uniform", "min_ms": numbers[0], "max_ms": numbers[1]}
    if kind == "lognormal" and len(numbers) in (1, 2):
        return {"distribution": "lognormal", "median_ms": numbers[0], **({"sigma": numbers[1]} if numbers[1:] else {})}
    raise ValueError(f"--latency {text!r}: use fixed:MS, uniform:MIN:MAX or lognormal:MEDIAN[:SIGMA]")


def fault_body(options: dict[str, Any], now: float) -> dict[str, Any]:
    """The admin API's fault from the options of ``chaos add``; ``--for`` counts from ``now``."""
    body: dict[str, Any] = {k: options[k] for k in ("target", "kind", "rate", "seed")}
    if options["latency"]:
        body["latency"] = _latency(options["latency"])
    if options["kind"] == "error":
        body["status"] = options["status"]
        if options["body"] is not None:
            body["body"] = options["body"]
    if options["kind"] == "certificate":
        body["certificate_status"] = options["certificate_status"]
    if options["duration"] is not None:
        body["start"], body["end"] = now, now + options["duration"]
    return body
