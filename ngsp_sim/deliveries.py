"""``ngsp-sim deliveries``: see the webhook deliveries of a running hub and replay dead letters,
through its admin API."""

from __future__ import annotations

import argparse
from typing import Any

import aiohttp
import orjson

__all__ = ["add_deliveries_parser", "run_deliveries"]


def add_deliveries_parser(commands: Any) -> None:
    parser = commands.add_parser("deliveries", help="webhook deliveries and dead letters of a running hub")
    actions = parser.add_subparsers(dest="deliveries_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="deliveries, newest first, with counts per status")
    listing.add_argument("--status", choices=["pending", "failed", "delivered", "dead"])
    listing.add_argument("--limit", type=int, default=50)
    replay = actions.add_parser("replay", help="send dead-lettered deliveries again")
    replay.add_argument("ids", nargs="*", type=int, help="delivery ids; none: every dead one")
    for action in (listing, replay):
        action.add_argument("--subscription", help="only this subscription's")
        action.add_argument("--hub", default="http://127.0.0.1:8080", help="the hub's URL")
        action.add_argument("--admin-token", help="default: $NGSP_SIM_ADMIN_TOKEN")


async def _answer(resp: aiohttp.ClientResponse) -> Any:
    data = await resp.json()
    if resp.status != 200:
        problems = "; ".join(data.get("problems", []))
        raise ValueError(f"{data.get('message', resp.reason)}{': ' + problems if problems else ''}")
    return data


async def run_deliveries(args: argparse.Namespace, token: str | None) -> int:
    if not token:
        raise ValueError("give --admin-token or set NGSP_SIM_ADMIN_TOKEN")
    base = args.hub.rstrip("/") + "/api/v1/deliveries"
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as session:
        if args.deliveries_command == "replay":
            body = {"ids": args.ids, "subscription": args.subscription}
            async with session.post(f"{base}/replay", data=orjson.dumps(body)) as resp:
                data = await _answer(resp)
            print(f"replayed {data['replayed']} dead deliver{'y' if data['replayed'] == 1 else 'ies'}")
            return 0
        query = {k: v for k, v in (("status", args.status), ("subscription", args.subscription)) if v}
        async with session.get(base, params={**query, "limit": str(args.limit)}) as resp:
            data = await _answer(resp)
    print("  ".join(f"{status} {n}" for status, n in sorted(data["counts"].items())) or "no deliveries")
    for d in data["deliveries"]:
        error = f"  {d['last_error']}" if d["last_error"] else ""
        print(f"{d['id']:>7} {d['status']:<9} attempts {d['attempts']:<3} {d['subscription_id']:<20} "
              f"{d['event_type']:<15} {d['idempotency_key']}{error}")  # fmt: skip
    return 0
