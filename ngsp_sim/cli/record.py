"""``ngsp-sim record FILE --hub URL`` and ``ngsp-sim replay FILE --port P``: fixtures of recorded
exchanges (the format and the provider that answers from them are :mod:`ngsp_sim.testing.replay`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from ngsp_sim.cli.client import AdminClient
from ngsp_sim.cli.common import admin_options, serve_forever
from ngsp_sim.sim.base import native_app
from ngsp_sim.testing.replay import Recorded, ReplayProvider, load_fixture, save_fixture
from schemas.admin import body_bytes

__all__ = ["record", "record_from_hub", "replay"]


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@admin_options()
@click.option("--service", "services", multiple=True, help="only this service (repeatable)")
@click.option("--client", help="only exchanges of this client subsystem")
@click.option("--limit", type=int, default=1000, show_default=True, help="at most this many of the newest exchanges")
def record(
    file: Path, hub: str, admin_token: str | None, services: tuple[str, ...], client: str | None, limit: int
) -> int:
    """Capture a running hub's exchanges into a fixture.

    Reads the message log through the admin API and writes FILE (JSON).
    """
    exchanges, skipped = asyncio.run(record_from_hub(AdminClient(hub, admin_token), list(services), client, limit))
    save_fixture(file, exchanges)
    count = len({e.service for e in exchanges})
    print(f"recorded {len(exchanges)} exchanges of {count} services to {file} ({skipped} not replayable)")
    return 0


@click.command()
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", type=int, required=True, help="port to listen on; 0 picks a free one")
def replay(file: Path, host: str, port: int) -> int:
    """Serve a fixture's answers as a provider.

    FILE is written by `ngsp-sim record`; the answers are served over HTTP.
    """
    exchanges = load_fixture(file)
    return serve_forever(
        native_app(ReplayProvider(exchanges).handle),
        host,
        port,
        lambda listening: f"replaying {len(exchanges)} recorded exchanges of {file} on {listening.url}",
    )


async def record_from_hub(
    hub: AdminClient, services: list[str], client: str | None = None, limit: int = 1000
) -> tuple[list[Recorded], int]:
    """The replayable exchanges of the hub's message log, oldest first; and how many were skipped
    (no provider reached, or bodies not kept)."""
    found: list[Recorded] = []
    skipped = 0
    async with hub:
        ids: list[int] = []
        cursor: int | None = None
        while len(ids) < limit:
            query = {"limit": str(min(200, limit - len(ids)))} | ({"client": client} if client else {})
            if cursor is not None:
                query["cursor"] = str(cursor)
            page = await hub.call("GET", "/messages", params=query)
            ids += [item["id"] for item in page["items"] if not services or item["service"] in services]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        for message_id in reversed(ids):
            detail = await hub.call("GET", f"/messages/{message_id}")
            record, bodies = detail["record"], detail["bodies"]
            request, response = body_bytes(bodies.get("provider_request")), body_bytes(bodies.get("provider_response"))
            if record.get("providerPath") is None or record.get("providerStatus") is None or response is None:
                skipped += 1
                continue
            found.append(
                Recorded(
                    detail["service"],
                    record["providerMethod"],
                    record["providerPath"],
                    request or b"",
                    int(record["providerStatus"]),
                    response,
                )
            )
    return found, skipped
