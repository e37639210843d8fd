"""The connection guard: what one HTTP connection may cost the hub.

aiohttp's request handler closes an idle keep-alive connection (``keepalive_timeout``) but has no
bound on how long a client may take to send a request's head, and no bound on how many connections
are open. Without them a client that opens connections and sends nothing, or one header byte a
second (slowloris), holds a socket for an hour, and enough of them exhaust the process's file
descriptors: the store cannot open, every request fails and every failure logs a traceback.

:class:`GuardedRunner` is aiohttp's ``AppRunner`` with a request handler that adds both:

- a header deadline (``ConnectionLimits.header_timeout``), armed when a connection opens and when the
  first byte of a later request arrives, disarmed when the head is parsed. When it passes the client
  gets ``408 Request Timeout`` and the connection is closed;
- a connection limit (``max_connections``, lowered below the open-file limit): a connection above it
  is answered ``503`` with ``Retry-After: 1`` and closed before anything is read or parsed.

The count is of open sockets (decremented when a connection is lost), so it is exact, and the check
costs one comparison per accepted connection. Refusals and time-outs are logged through the standard
library (``ngsp_sim.connections``), so the log budget of :mod:`ngsp_sim.logging` bounds them.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any, cast

from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_server import Server

from ngsp_sim.config import ConnectionLimits

__all__ = ["GuardedRunner", "GuardedServer", "descriptor_budget"]

log = logging.getLogger("ngsp_sim.connections")


def _plain(status: str, text: str, *extra: str) -> bytes:
    body = (text + "\n").encode()
    head = [f"HTTP/1.1 {status}", "Content-Type: text/plain; charset=utf-8", *extra, "Connection: close"]
    return ("\r\n".join([*head, f"Content-Length: {len(body)}", "", ""])).encode() + body


_TIMED_OUT = _plain("408 Request Timeout", "408 Request Timeout: the request line and headers came too slowly")


def descriptor_budget(wanted: int) -> int:
    """``wanted`` connections, lowered to leave a quarter of the open-file limit (at least 64
    descriptors) to the store, the providers' connections and the logs."""
    if sys.platform == "win32":
        return wanted
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - max(64, soft // 4)))


class GuardedHandler(RequestHandler):
    """aiohttp's request handler with the header deadline and the connection count."""

    __slots__ = ("_counted", "_guard", "_head_deadline")

    def __init__(self, guard: GuardedServer, **kwargs: Any) -> None:
        super().__init__(guard, **kwargs)
        self._guard = guard
        self._counted = False
        self._head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        guard = self._guard
        if guard.open >= guard.limit:
            # Never started: aiohttp's connection_lost does nothing for a handler without a manager.
            self._manager, self._force_close = None, True
            guard.refused += 1
            cast(asyncio.Transport, transport).write(guard.refusal)
            transport.close()
            log.warning("connection refused: %d connections open, the limit", guard.limit)
            return
        guard.open += 1
        self._counted = True
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: BaseException | None) -> None:
        self._disarm()
        if self._counted:
            self._counted = False
            self._guard.open -= 1
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if data and self._waiter is not None and not self._waiter.done():
            self._arm()  # idle between requests: this byte starts the next request's head
        super().data_received(data)
        if self._messages:
            self._disarm()

    def _arm(self) -> None:
        if self._head_deadline is None:
            self._head_deadline = self._loop.call_later(self._guard.limits.header_timeout, self._head_too_slow)

    def _disarm(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if self.transport is None or self._messages or self._request_in_progress:
            return
        self._guard.timed_out += 1
        log.info("connection closed: no complete request head within %ss", self._guard.limits.header_timeout)
        self.transport.write(_TIMED_OUT)
        self.force_close()


class GuardedServer(Server):
    """aiohttp's low-level server making :class:`GuardedHandler` s; ``open``, ``refused`` and
    ``timed_out`` count connections (for tests and metrics)."""

    def __init__(self, plain: Server, limits: ConnectionLimits) -> None:
        super().__init__(
            plain.request_handler,
            request_factory=plain.request_factory,
            handler_cancellation=plain.handler_cancellation,
            loop=plain._loop,
            **plain._kwargs,
        )
        self.limits = limits
        self.limit = descriptor_budget(limits.max_connections)
        if self.limit < limits.max_connections:
            log.warning(
                "max_connections lowered from %d to %d to stay below the open-file limit",
                limits.max_connections,
                self.limit,
            )
        self.refusal = _plain(
            "503 Service Unavailable",
            f"503 Service Unavailable: {self.limit} connections are open, the limit; retry shortly",
            "Retry-After: 1",
        )
        self.open = self.refused = self.timed_out = 0

    def __call__(self) -> RequestHandler:
        return GuardedHandler(self, loop=self._loop, **self._kwargs)


class GuardedRunner(web.AppRunner):
    """``web.AppRunner`` whose connections are guarded by ``limits`` (idle keep-alive included)."""

    __slots__ = ("limits",)

    def __init__(self, app: web.Application, limits: ConnectionLimits, **kwargs: Any) -> None:
        super().__init__(app, keepalive_timeout=limits.keepalive_timeout, **kwargs)
        self.limits = limits

    async def _make_server(self) -> Server:
        return GuardedServer(await super()._make_server(), self.limits)

    @property
    def guard(self) -> GuardedServer:
        if not isinstance(self.server, GuardedServer):
            raise RuntimeError("the runner is not set up")
        return self.server
