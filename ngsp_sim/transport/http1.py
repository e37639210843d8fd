"""A small HTTP/1.1 client for the delivery worker's webhook POSTs to plain ``http://`` subscribers.

Why not aiohttp's client, which the hub uses everywhere else: a delivery is one small signed POST
whose answer is only a status, and aiohttp's client spends most of the hub's CPU on it (measured on
the benchmark's machine: ~300-400 µs of CPU per POST to a kept-alive loopback subscriber, ~70-80 µs
for the same bytes over a kept-alive asyncio stream; docs/performance.md, the exchange axis). The
HTTP/1.1 itself (writing the request; reading the status line, the headers and the body framed by
``Content-Length``, ``chunked`` or the connection's close; 1xx answers; when a connection may carry
the next request) is h11's, python-hyper's sans-I/O HTTP/1.1 library (~90 µs of CPU per POST more
than the hand-written framing it replaced, still about half of aiohttp's); this module only moves its
bytes over asyncio streams and keeps the connection for the next POST to the same host and port. No
redirects (a 3xx is an answer like any other), cookies, proxies or compression; ``https://`` and URLs
carrying a user or password are not taken (:func:`plain_target` answers ``None``) and stay with aiohttp.

Limits, since the answer comes from whoever registered the webhook: a head (informational answers
included) of at most :data:`MAX_HEAD` bytes, a body of at most :data:`MAX_BODY` (a longer one
announced by ``Content-Length`` is not read: the connection is closed instead), header values without
CR or LF (h11 refuses such a value before anything is sent). Header values are written as UTF-8, as
aiohttp's client writes them (h11 takes bytes beyond ASCII as the ``obs-text`` of RFC 9110).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import h11
from yarl import URL

from ngsp_sim.errors import WebhookAnswerError

__all__ = ["MAX_BODY", "MAX_HEAD", "Http1Client", "PlainTarget", "plain_target"]

MAX_HEAD = 64 * 1024
"""Bytes of status line and headers read at most."""
MAX_BODY = 1024 * 1024
"""Bytes of an answer's body read at most; past this the connection is dropped rather than read."""
IDLE_PER_PEER = 4
"""Kept-alive connections kept per host and port (deliveries to one subscriber go one at a time)."""
READ_SIZE = 64 * 1024

Kept = tuple[asyncio.StreamReader, asyncio.StreamWriter, h11.Connection]


@dataclass(frozen=True, slots=True)
class PlainTarget:
    host: str
    port: int
    authority: str
    """The ``Host`` header: host, and port when the URL gives one."""
    path: str
    """The request target: the URL's path and query, as written (percent-encoded)."""


@lru_cache(maxsize=256)
def plain_target(url: str) -> PlainTarget | None:
    """Where a POST to ``url`` goes, when this client takes it (``http://`` without user or password)."""
    try:
        parsed = URL(url)
    except (TypeError, ValueError):
        return None
    if parsed.scheme != "http" or parsed.user is not None or parsed.password is not None or not parsed.host:
        return None
    return PlainTarget(parsed.host, parsed.port or 80, parsed.raw_authority, parsed.raw_path_qs or "/")


class Http1Client:
    """POSTs over kept-alive HTTP/1.1 connections; :meth:`aclose` closes the idle ones."""

    def __init__(self) -> None:
        self._idle: dict[tuple[str, int], list[Kept]] = {}

    async def post(self, target: PlainTarget, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
        """The status of the answer to ``body`` POSTed to ``target``. Raises :class:`TimeoutError` (no
        complete answer within ``timeout`` seconds), :class:`OSError` (no connection, or it broke),
        :class:`WebhookAnswerError` (not an HTTP answer), :class:`ValueError` (a header value with CR or LF)."""
        request = _request(target, headers, len(body))
        async with asyncio.timeout(timeout):
            kept = self._take(target)
            if kept is not None and (status := await self._exchange(target, kept, request, body, reused=True)):
                return status
            # none kept, or the kept one had been closed by the peer before it answered: a new one
            reader, writer = await asyncio.open_connection(target.host, target.port)
            kept = reader, writer, h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD)
            status = await self._exchange(target, kept, request, body, reused=False)
            if status is None:  # only a reused connection answers None; a new one raised instead
                raise WebhookAnswerError("the connection closed before an answer")
            return status

    def _take(self, target: PlainTarget) -> Kept | None:
        idle = self._idle.get((target.host, target.port))
        while idle:
            reader, writer, conn = idle.pop()
            if not reader.at_eof() and not writer.is_closing():
                return reader, writer, conn
            writer.close()
        return None

    async def _exchange(
        self, target: PlainTarget, kept: Kept, request: h11.Request, body: bytes, *, reused: bool
    ) -> int | None:
        """The answer's status; ``None`` when ``reused`` and the peer had closed it before answering."""
        reader, writer, conn = kept
        keep = False
        try:
            try:
                writer.write(_send(conn, request) + _send(conn, h11.Data(data=body)) + _send(conn, h11.EndOfMessage()))
                await writer.drain()
                data = await reader.read(READ_SIZE)
            except (ConnectionResetError, BrokenPipeError):
                if reused:
                    return None
                raise
            if not data and reused:
                return None
            status, keep = await _read_answer(reader, conn, data)
            return status
        finally:
            if keep:
                self._keep(target, kept)
            else:
                writer.close()

    def _keep(self, target: PlainTarget, kept: Kept) -> None:
        idle = self._idle.setdefault((target.host, target.port), [])
        if len(idle) < IDLE_PER_PEER:
            idle.append(kept)
        else:
            kept[1].close()

    async def aclose(self) -> None:
        """Close every kept connection (the hub is stopping)."""
        kept = [one for idle in self._idle.values() for one in idle]
        self._idle.clear()
        for _, writer, _ in kept:
            writer.close()
        for _, writer, _ in kept:
            with contextlib.suppress(OSError):
                await writer.wait_closed()


def _request(target: PlainTarget, headers: Mapping[str, str], length: int) -> h11.Request:
    fields = [(b"Host", target.authority.encode()), (b"Content-Length", b"%d" % length)]
    fields += [(name.encode(), value.encode()) for name, value in headers.items()]  # UTF-8, as aiohttp writes
    try:
        return h11.Request(method=b"POST", target=target.path.encode(), headers=fields)
    except h11.LocalProtocolError as exc:  # h11 checks names and values (CR, LF, a colon in a name)
        raise ValueError(f"the request cannot be sent: {exc}") from None


def _send(conn: h11.Connection, event: h11.Event) -> bytes:
    return conn.send(event) or b""


async def _read_answer(reader: asyncio.StreamReader, conn: h11.Connection, data: bytes) -> tuple[int, bool]:
    """The status of the final answer that ``data`` begins, its body read; and whether the connection
    can carry the next request (then it is ready for it)."""
    status = fed = body = 0
    while True:
        conn.receive_data(data)  # b"": the peer closed
        fed += len(data)
        while (event := _next_event(conn)) is not h11.NEED_DATA:
            if isinstance(event, h11.Response):
                status = event.status_code
                if fed > MAX_HEAD and fed - len(conn.trailing_data[0]) > MAX_HEAD:  # h11 bounds incomplete heads
                    raise WebhookAnswerError(f"the answer's head is over {MAX_HEAD} bytes")
                if any(name == b"content-length" and int(value) > MAX_BODY for name, value in event.headers):
                    return status, False  # not read: the connection goes
            elif isinstance(event, h11.Data):
                body += len(event.data)
                if body > MAX_BODY:
                    raise WebhookAnswerError(f"the answer's body is over {MAX_BODY} bytes")
            elif isinstance(event, h11.EndOfMessage):
                if data and conn.our_state is h11.DONE and conn.their_state is h11.DONE:  # not framed by the close
                    conn.start_next_cycle()
                    return status, True
                return status, False
            elif isinstance(event, h11.ConnectionClosed):
                raise WebhookAnswerError("the connection closed before the answer's end")
            # an InformationalResponse (1xx): the final answer follows
        data = await reader.read(READ_SIZE)


def _next_event(conn: h11.Connection) -> h11.Event | type[h11.NEED_DATA] | type[h11.PAUSED]:
    try:
        return conn.next_event()
    except h11.RemoteProtocolError as exc:
        if exc.error_status_hint == 431:  # h11's max_incomplete_event_size: a head still incomplete
            raise WebhookAnswerError(f"the answer's head is over {MAX_HEAD} bytes") from None
        raise WebhookAnswerError(f"not an HTTP/1.x answer: {exc}") from None
