"""A small HTTP/1.1 client for the delivery worker's webhook POSTs to plain ``http://`` subscribers.

Why not aiohttp's client, which the hub uses everywhere else: a delivery is one small signed POST
whose answer is only a status, and aiohttp's client spends most of the hub's CPU on it (measured on
the benchmark's machine: ~300-400 µs of CPU per POST to a kept-alive loopback subscriber, ~70-80 µs
for the same bytes over a kept-alive asyncio stream; docs/performance.md, the exchange axis). What it
does and no more: it writes the request, reads the status line, the headers and the body (framed by
``Content-Length``, ``chunked``, or the connection's close), and keeps the connection for the next
POST to the same host and port. No redirects (a 3xx is an answer like any other), cookies, proxies
or compression; ``https://`` and URLs carrying a user or password are not taken (:func:`plain_target`
answers ``None``) and stay with aiohttp.

Limits, since the answer comes from whoever registered the webhook: a head of at most
:data:`MAX_HEAD` bytes, a body of at most :data:`MAX_BODY` (a longer one is not read: the connection
is closed instead), header values without CR or LF (a value that has them is refused, never sent).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from yarl import URL

from ngsp_sim.errors import WebhookAnswerError

__all__ = ["MAX_BODY", "MAX_HEAD", "Http1Client", "PlainTarget", "plain_target"]

MAX_HEAD = 64 * 1024
"""Bytes of status line and headers read at most."""
MAX_BODY = 1024 * 1024
"""Bytes of an answer's body read at most; past this the connection is dropped rather than read."""
IDLE_PER_PEER = 4
"""Kept-alive connections kept per host and port (deliveries to one subscriber go one at a time)."""

Stream = tuple[asyncio.StreamReader, asyncio.StreamWriter]


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
        self._idle: dict[tuple[str, int], list[Stream]] = {}

    async def post(self, target: PlainTarget, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
        """The status of the answer to ``body`` POSTed to ``target``. Raises :class:`TimeoutError` (no
        complete answer within ``timeout`` seconds), :class:`OSError` (no connection, or it broke),
        :class:`WebhookAnswerError` (not an HTTP answer), :class:`ValueError` (a header value with CR or LF)."""
        head = _request_head(target, headers, len(body))
        async with asyncio.timeout(timeout):
            stream = self._take(target)
            if stream is not None and (status := await self._exchange(target, stream, head, body, reused=True)):
                return status
            # none kept, or the kept one had been closed by the peer before it answered: a new one
            stream = await asyncio.open_connection(target.host, target.port, limit=MAX_HEAD)
            status = await self._exchange(target, stream, head, body, reused=False)
            if status is None:  # only a reused connection answers None; a new one raised instead
                raise WebhookAnswerError("the connection closed before an answer")
            return status

    def _take(self, target: PlainTarget) -> Stream | None:
        idle = self._idle.get((target.host, target.port))
        while idle:
            reader, writer = idle.pop()
            if not reader.at_eof() and not writer.is_closing():
                return reader, writer
            writer.close()
        return None

    async def _exchange(
        self, target: PlainTarget, stream: Stream, head: bytes, body: bytes, *, reused: bool
    ) -> int | None:
        """The answer's status; ``None`` when ``reused`` and the peer had closed it before answering."""
        reader, writer = stream
        keep = False
        try:
            try:
                writer.write(head + body)
                await writer.drain()
                line = await reader.readline()
            except (ConnectionResetError, BrokenPipeError):
                if reused:
                    return None
                raise
            if not line and reused:
                return None
            status, keep = await _read_answer(reader, line)
            return status
        finally:
            if keep:
                self._keep(target, stream)
            else:
                writer.close()

    def _keep(self, target: PlainTarget, stream: Stream) -> None:
        idle = self._idle.setdefault((target.host, target.port), [])
        if len(idle) < IDLE_PER_PEER:
            idle.append(stream)
        else:
            stream[1].close()

    async def aclose(self) -> None:
        """Close every kept connection (the hub is stopping)."""
        streams = [stream for idle in self._idle.values() for stream in idle]
        self._idle.clear()
        for _, writer in streams:
            writer.close()
        for _, writer in streams:
            with contextlib.suppress(OSError):
                await writer.wait_closed()


def _request_head(target: PlainTarget, headers: Mapping[str, str], length: int) -> bytes:
    lines = [f"POST {target.path} HTTP/1.1", f"Host: {target.authority}", f"Content-Length: {length}"]
    for name, value in headers.items():
        if "\r" in name or "\n" in name or ":" in name or "\r" in value or "\n" in value:
            raise ValueError(f"header {name!r}: CR, LF (or a colon in its name) cannot be sent")
        lines.append(f"{name}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()  # UTF-8, as aiohttp's client writes a head


async def _read_answer(reader: asyncio.StreamReader, line: bytes) -> tuple[int, bool]:
    """The status of the final answer whose status line is ``line``, its body read; and whether the
    connection can carry the next request."""
    while True:
        version, status = _status_line(line)
        fields = await _read_fields(reader)
        if 100 <= status < 200:  # informational: the final answer follows
            line = await reader.readline()
            continue
        keep = version == b"HTTP/1.1" and "close" not in fields.get("connection", "").lower()
        if status in (204, 304):
            return status, keep
        if "chunked" in fields.get("transfer-encoding", "").lower():
            await _read_chunked(reader)
            return status, keep
        if (length := fields.get("content-length")) is not None:
            if not length.isdigit():
                raise WebhookAnswerError(f"Content-Length {length!r}")
            if int(length) > MAX_BODY:
                return status, False  # not read: the connection goes
            await reader.readexactly(int(length))
            return status, keep
        await _read_to_close(reader)
        return status, False


def _status_line(line: bytes) -> tuple[bytes, int]:
    parts = line.split(None, 2)
    if len(parts) < 2 or parts[0] not in (b"HTTP/1.1", b"HTTP/1.0") or not parts[1].isdigit() or len(parts[1]) != 3:
        raise WebhookAnswerError(f"not an HTTP/1.x status line: {line[:100]!r}")
    return parts[0], int(parts[1])


async def _read_fields(reader: asyncio.StreamReader) -> dict[str, str]:
    fields: dict[str, str] = {}
    size = 0
    while True:
        line = await reader.readline()
        size += len(line)
        if size > MAX_HEAD:
            raise WebhookAnswerError(f"the answer's head is over {MAX_HEAD} bytes")
        if line in (b"\r\n", b"\n"):
            return fields
        if not line.endswith(b"\n"):
            raise WebhookAnswerError("the connection closed inside the answer's head")
        name, colon, value = line.decode("latin-1").partition(":")
        if not colon:
            raise WebhookAnswerError(f"not a header line: {line[:100]!r}")
        fields[name.strip().lower()] = value.strip()


async def _read_chunked(reader: asyncio.StreamReader) -> None:
    total = 0
    while True:
        size_line = (await reader.readline()).split(b";", 1)[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError:
            raise WebhookAnswerError(f"not a chunk size: {size_line[:100]!r}") from None
        total += size
        if total > MAX_BODY:
            raise WebhookAnswerError(f"the answer's body is over {MAX_BODY} bytes")
        if size == 0:
            await _read_fields(reader)  # trailers, up to the blank line
            return
        await reader.readexactly(size + 2)


async def _read_to_close(reader: asyncio.StreamReader) -> None:
    total = 0
    while chunk := await reader.read(65536):
        total += len(chunk)
        if total > MAX_BODY:
            raise WebhookAnswerError(f"the answer's body is over {MAX_BODY} bytes")
