"""What several commands share: the options naming a hub, a store or a topology; the table console;
serving an aiohttp app in the foreground until SIGINT/SIGTERM, on uvloop's event loop where it is
installed (``NGSP_SIM_EVENT_LOOP=asyncio`` keeps the standard one)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click
from aiohttp import web
from rich.console import Console
from rich.table import Table

from ngsp_sim.cli.client import DEFAULT_HUB, TOKEN_ENV
from ngsp_sim.config import ConnectionLimits
from ngsp_sim.errors import StoreMissing
from ngsp_sim.hub.server import Listening, serve
from ngsp_sim.settings import default_data_dir
from ngsp_sim.store import DEFAULT_FILE, Store, store_from_url

__all__ = [
    "EVENT_LOOP_ENV",
    "admin_options",
    "console",
    "format_option",
    "loop_factory",
    "open_store",
    "print_table",
    "serve",
    "serve_forever",
    "store_options",
    "table",
    "topology_option",
]

F = TypeVar("F", bound=Callable[..., Any])


def console() -> Console:
    """Standard output for tables: plain text when piped (no colour, no width limit, so a line is never
    cut), a terminal's width otherwise. Markup is off: service names are printed as they are."""
    piped = not sys.stdout.isatty()
    return Console(highlight=False, markup=False, width=100_000 if piped else None, no_color=piped)


def print_table(grid: Table) -> None:
    """Print a table without the padding Rich leaves at the end of each line."""
    out = console()
    with out.capture() as captured:
        out.print(grid)
    sys.stdout.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))


def table(*columns: str) -> Table:
    """Aligned columns with a header line, no borders (greppable and readable)."""
    grid = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for column in columns:
        grid.add_column(column, no_wrap=True)
    return grid


def admin_options(hub_default: str | None = DEFAULT_HUB) -> Callable[[F], F]:
    """``--hub URL`` and ``--admin-token`` (default ``$NGSP_SIM_ADMIN_TOKEN``)."""
    hub_help = "the hub's URL" if hub_default else "a running hub's URL (default: an in-process hub on a free port)"

    def add(command: F) -> F:
        command = click.option("--admin-token", envvar=TOKEN_ENV, show_envvar=True, help="the hub's admin token")(
            command
        )
        return click.option("--hub", default=hub_default, show_default=hub_default is not None, help=hub_help)(command)

    return add


def store_options(command: F) -> F:
    """``--data-dir``, ``--store`` and ``--log-key``: which store a command reads (as ``up`` would use it)."""
    url = "store URL: sqlite:///PATH or postgresql://USER@HOST:PORT/DB[?schema=S]"
    command = click.option(
        "--log-key",
        type=click.Path(path_type=Path),
        envvar="NGSP_SIM_LOG_KEY",
        show_envvar=True,
        help="the message log's key file [default: DATA_DIR/message-log.key]",
    )(command)
    command = click.option("--store", help=url)(command)
    where = f"where the SQLite store lives  [default: {default_data_dir(os.environ)}]"
    return click.option("--data-dir", type=click.Path(path_type=Path), help=where)(command)


def open_store(
    data_dir: Path | None, store: str | None, log_key: Path | None = None, *, create_key: bool = True
) -> Store:
    """The store ``up`` would use, which must exist already: these commands read or change what a hub
    wrote, so an empty store (and a new log key) made in the wrong directory would only hide the mistake.
    With ``--store`` the data directory still says where the message log's key is (for PostgreSQL);
    commands that only check the log pass ``create_key=False``."""
    directory = data_dir or default_data_dir(os.environ)
    sqlite = directory / DEFAULT_FILE if store is None else _sqlite_file(store)
    if sqlite is not None and not sqlite.is_file():
        raise StoreMissing(str(sqlite))
    return store_from_url(store, directory, log_key, create_key=create_key)


def _sqlite_file(url: str) -> Path | None:
    """The file of a ``sqlite://`` URL (``None`` for another store or an in-memory one)."""
    if not url.startswith("sqlite://"):
        return None
    path = url.removeprefix("sqlite://")
    return None if path in (":memory:", "/:memory:") else Path(path)


def topology_option(command: F) -> F:
    return click.option(
        "--topology", type=click.Path(path_type=Path), help="topology YAML file [default: the built-in demo country]"
    )(command)


def format_option(command: F) -> F:
    return click.option(
        "--format",
        "output",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="for people or for programs",
    )(command)


EVENT_LOOP_ENV = "NGSP_SIM_EVENT_LOOP"
"""``auto`` (the default: uvloop when it is installed), ``uvloop`` (required) or ``asyncio``."""


def loop_factory(environ: Mapping[str, str] = os.environ) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The event loop a served hub or agency runs on: uvloop's (libuv, a C event loop: less CPU per
    request, docs/performance.md) when it is installed, which it is on Linux and macOS; asyncio's
    (``None``) on Windows, without uvloop, or with ``NGSP_SIM_EVENT_LOOP=asyncio``."""
    choice = environ.get(EVENT_LOOP_ENV, "auto").strip().lower() or "auto"
    if choice not in ("auto", "uvloop", "asyncio"):
        raise click.UsageError(f"{EVENT_LOOP_ENV} must be auto, uvloop or asyncio, not {choice!r}")
    if choice == "asyncio":
        return None
    try:
        import uvloop  # optional: not on Windows
    except ImportError:
        if choice == "uvloop":
            raise click.UsageError(f"{EVENT_LOOP_ENV}=uvloop, but uvloop is not installed") from None
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def serve_forever(
    app: web.Application,
    host: str,
    port: int,
    banner: Callable[[Listening], str],
    limits: ConnectionLimits | None = None,
    tls: ssl.SSLContext | None = None,
    http_port: int | None = None,
) -> int:
    """Serve in the foreground (:func:`ngsp_sim.hub.server.serve`: the port is bound before the app
    starts); ``banner`` is printed once it listens."""
    with contextlib.suppress(KeyboardInterrupt), asyncio.Runner(loop_factory=loop_factory()) as runner:
        runner.run(serve(app, host, port, banner, limits, tls, http_port))
    return 0
