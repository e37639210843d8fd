"""``ngsp-sim clock show|freeze|resume|advance``: the platform clock of a running hub, through its
admin API (``/api/v1/clock``)."""

from __future__ import annotations

from typing import Any

import click

from ngsp_sim.cli.client import call_once
from ngsp_sim.cli.common import admin_options
from ngsp_sim.clock import parse_duration

__all__ = ["clock", "describe"]


@click.group()
def clock() -> None:
    """Show, freeze, resume or move forward a running hub's clock (đồng hồ của nền tảng).

    \b
    Examples:
      ngsp-sim clock show
      ngsp-sim clock advance 2d     two simulated days: dossiers move on, tokens expire
    """


def describe(info: dict[str, Any]) -> str:
    """One line for a clock as the admin API gives it."""
    state = "frozen" if info["frozen"] else "running"
    offset = round(info["offset_seconds"])
    ahead = f", {offset:+d} s from real time" if offset else ""
    return f"{info['now']} ({state}{ahead})"


@clock.command()
@admin_options()
def show(hub: str, admin_token: str | None) -> int:
    """The hub's time, whether it is frozen, and how far it is from real time."""
    print(describe(call_once(hub, admin_token, "GET", "/clock")))
    return 0


@clock.command()
@admin_options()
def freeze(hub: str, admin_token: str | None) -> int:
    """Stop the clock (advances still move it)."""
    print(describe(call_once(hub, admin_token, "PUT", "/clock", {"frozen": True})))
    return 0


@clock.command()
@admin_options()
def resume(hub: str, admin_token: str | None) -> int:
    """Let a frozen clock run again from where it stands."""
    print(describe(call_once(hub, admin_token, "PUT", "/clock", {"frozen": False})))
    return 0


@clock.command()
@click.argument("duration")
@admin_options()
def advance(duration: str, hub: str, admin_token: str | None) -> int:
    """Move the clock forward DURATION: 30s, 5m, 2h, 2d (or seconds)."""
    seconds = parse_duration(duration)
    print(describe(call_once(hub, admin_token, "POST", "/clock/advance", {"seconds": seconds})))
    return 0
