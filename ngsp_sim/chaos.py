"""``ngsp-sim chaos``: inject, list and clear faults on a running hub, through its admin API."""

from __future__ import annotations

import argparse
import time
from typing import Any

import aiohttp
import orjson

__all__ = ["add_chaos_parser", "run_chaos"]


def add_chaos_parser(commands: Any) -> None:
    chaos = commands.add_parser("chaos", help="inject faults into a running hub (through its admin API)")
    actions = chaos.add_subparsers(dest="chaos_command", required=True, metavar="ACTION")
    for name, help_text in (("add", "inject or change a fault"), ("list", "the faults"), ("clear", "remove a fault")):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("--hub", default="http://127.0.0.1:8080", help="the hub's URL")
        action.add_argument("--admin-token", help="default: $NGSP_SIM_ADMIN_TOKEN")
        if name != "list":
            action.add_argument("id", help="the fault's name, e.g. popdb-down")
    add = actions.choices["add"]
    add.add_argument("--target", required=True, help="a service (…/SUBSYSTEM/SERVICE) or a provider (…/SUBSYSTEM)")
    add.add_argument(
        "--kind",
        required=True,
        choices=["latency", "error", "timeout", "reset", "malformed", "schema_violation", "outage"],
    )
    add.add_argument("--rate", type=float, default=1.0, help="share of calls hit (0-1, default 1)")
    add.add_argument("--seed", type=int, default=0)
    add.add_argument("--latency", help="fixed:MS, uniform:MIN_MS:MAX_MS or lognormal:MEDIAN_MS[:SIGMA] (kind latency)")
    add.add_argument("--status", type=int, default=503, help="HTTP status (kind error)")
    add.add_argument("--body", help="native body answered (kind error)")
    add.add_argument("--for", dest="duration", type=float, help="active for this many seconds from now")


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


def fault_body(args: argparse.Namespace, now: float) -> dict[str, Any]:
    body: dict[str, Any] = {"target": args.target, "kind": args.kind, "rate": args.rate, "seed": args.seed}
    if args.latency:
        body["latency"] = _latency(args.latency)
    if args.kind == "error":
        body["status"] = args.status
        if args.body is not None:
            body["body"] = args.body
    if args.duration is not None:
        body["start"], body["end"] = now, now + args.duration
    return body


async def run_chaos(args: argparse.Namespace, token: str | None) -> int:
    if not token:
        raise ValueError("give --admin-token or set NGSP_SIM_ADMIN_TOKEN")
    headers = {"Authorization": f"Bearer {token}"}
    base = args.hub.rstrip("/") + "/api/v1/faults"
    async with aiohttp.ClientSession(headers=headers) as session:
        if args.chaos_command == "list":
            async with session.get(base) as resp:
                data = await resp.json()
                if resp.status != 200:
                    raise ValueError(data.get("message", resp.reason))
            for f in data["items"]:
                print(f"{f['id']:<20} {f['kind']:<17} rate {f['rate']:<5g} hits {f['hits']:<6} {f['target']}")
            return 0
        url = f"{base}/{args.id}"
        if args.chaos_command == "add":
            request = session.put(url, data=orjson.dumps(fault_body(args, time.time())))
        else:
            request = session.delete(url)
        async with request as resp:
            data = await resp.json()
            if resp.status != 200:
                problems = "; ".join(data.get("problems", []))
                raise ValueError(f"{data.get('message', resp.reason)}{': ' + problems if problems else ''}")
    print(f"{'injected' if args.chaos_command == 'add' else 'cleared'} fault {args.id} (change {data['id']})")
    return 0
