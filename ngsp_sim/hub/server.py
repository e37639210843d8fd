"""Serving an aiohttp application on a real socket: the hub, a simulated agency, a replay provider.

The listening socket is bound *before* the application starts. A hub's start-up opens its store,
applies migrations and may replace the stored topology; a second ``ngsp-sim up`` on a port already in
use must fail without doing any of that, so :func:`start_serving` binds (and listens) first, then runs
``runner.setup()`` (the application's ``cleanup_ctx``), then serves the bound socket. Connections that
arrive during start-up wait in the kernel's queue.

Every connection is guarded (:mod:`ngsp_sim.hub.connections`): header deadline, idle keep-alive time,
connection limit.

``reuse_port`` (``SO_REUSEPORT``) lets the workers of ``ngsp-sim up --workers N`` each listen on the same
port; the kernel spreads new connections across them. Only processes of the same user can join.

With an ``ssl.SSLContext`` (``up --tls``) the port serves HTTPS only; ``http_port`` adds a plain-HTTP
listener on another port for clients whose connection type is ``http`` (the same application: each
request's connection is judged by the client's connection type, :mod:`ngsp_sim.security.isauth`).
"""

from __future__ import annotations

import asyncio
import gc
import signal
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from ngsp_sim.config import ConnectionLimits
from ngsp_sim.errors import CannotListen
from ngsp_sim.hub.connections import GuardedRunner, GuardedServer

__all__ = ["Listening", "bind", "serve", "start_serving"]


def bind(host: str, port: int, backlog: int = 128, *, reuse_port: bool = False) -> list[socket.socket]:
    """Listening sockets for every address of ``host`` (``localhost`` is 127.0.0.1 and ::1), all on one
    port (with ``port`` 0, the one the first address got). Raises :class:`CannotListen`."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise CannotListen(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sockets: list[socket.socket] = []
    try:
        for family, kind, proto, _, address in dict.fromkeys(found):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as asyncio does: restart in TIME_WAIT
            if reuse_port:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            if port == 0 and len(sockets) > 1:
                address = (address[0], sockets[0].getsockname()[1], *address[2:])
            sock.bind(address)
            sock.listen(backlog)  # a bound socket that does not listen would let another process bind too
            sock.setblocking(False)
    except OSError as exc:
        for sock in sockets:
            sock.close()
        raise CannotListen(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sockets


def _url(scheme: str, host: str, sock: socket.socket) -> str:
    return f"{scheme}://{host if ':' not in host else f'[{host}]'}:{sock.getsockname()[1]}"


@dataclass(frozen=True, slots=True)
class Listening:
    """A started application: its runner (``guard`` counts connections) and the URL it answers on
    (``https://`` with TLS); ``plain_url``: the extra plain-HTTP listener, if any."""

    runner: GuardedRunner
    url: str
    plain_url: str | None = None

    @property
    def guard(self) -> GuardedServer:
        return self.runner.guard

    async def close(self) -> None:
        await self.runner.cleanup()


async def start_serving(
    app: web.Application,
    host: str,
    port: int,
    limits: ConnectionLimits,
    tls: ssl.SSLContext | None = None,
    http_port: int | None = None,
    *,
    reuse_port: bool = False,
) -> Listening:
    """Bind, start ``app``, serve (HTTPS with ``tls``; plain HTTP on ``http_port`` as well, with
    ``tls``). A failed bind raises :class:`CannotListen` before ``app`` starts."""
    sockets = bind(host, port, limits.backlog, reuse_port=reuse_port)
    plain: list[socket.socket] = []
    runner = GuardedRunner(app, limits, access_log=None)
    try:
        if tls is not None and http_port is not None:
            plain = bind(host, http_port, limits.backlog, reuse_port=reuse_port)
        await runner.setup()
        for sock in sockets:
            await web.SockSite(runner, sock, backlog=limits.backlog, ssl_context=tls).start()
        for sock in plain:
            await web.SockSite(runner, sock, backlog=limits.backlog).start()
    except BaseException:
        await runner.cleanup()
        for sock in sockets + plain:
            sock.close()
        raise
    url = _url("https" if tls is not None else "http", host, sockets[0])
    return Listening(runner, url, _url("http", host, plain[0]) if plain else None)


def settle_heap() -> None:
    """Move everything alive once the server is up (the simulated country, the registry, the compiled
    contracts, the modules) out of the cyclic garbage collector's reach: without it every full
    collection walks them all, a pause of tens of milliseconds that every request in flight waits out
    (the latency tail, docs/performance.md). Garbage made at start-up is collected first."""
    gc.collect()
    gc.freeze()


async def serve(
    app: web.Application,
    host: str,
    port: int,
    banner: Callable[[Listening], str],
    limits: ConnectionLimits | None = None,
    tls: ssl.SSLContext | None = None,
    http_port: int | None = None,
    *,
    reuse_port: bool = False,
    announce: Callable[[str], object] = lambda text: print(text, flush=True),
) -> None:
    """Serve ``app`` until SIGINT or SIGTERM, announcing ``banner(listening)`` once it listens (printed:
    tests and scripts wait for that line; a worker of ``up --workers`` hands it to its supervisor instead)."""
    listening = await start_serving(
        app, host, port, limits or ConnectionLimits(), tls, http_port, reuse_port=reuse_port
    )
    try:
        announce(banner(listening))
        settle_heap()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        await listening.close()
