"""The webhook client of ``ngsp_sim.transport.http1``: what a subscriber receives, how answers are framed
and read, kept-alive connections (and the ones a subscriber closed), and what it refuses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web

from ngsp_sim.errors import WebhookAnswerError
from ngsp_sim.exchange import new_subscription
from ngsp_sim.transport import WebhookSender, http1
from ngsp_sim.transport.http1 import MAX_BODY, MAX_HEAD, Http1Client, PlainTarget, plain_target

HEADERS = {"Content-Type": "application/json", "X-NGSP-Idempotency-Key": "e1:s1"}


@asynccontextmanager
async def canned(
    answers: Callable[[int], bytes | None], close_after: bool = False
) -> AsyncIterator[tuple[int, list[bytes]]]:
    """A raw server answering its n-th request (of any connection) with ``answers(n)`` (``None``: it closes
    the connection without an answer); yields its port and the raw requests it read (head and body)."""
    seen: list[bytes] = []
    open_streams: dict[asyncio.StreamWriter, asyncio.Task[Any] | None] = {}

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        open_streams[writer] = asyncio.current_task()
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                )
                seen.append(head + await reader.readexactly(length))
                answer = answers(len(seen))
                if answer is None:
                    break
                writer.write(answer)
                await writer.drain()
                if close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1], seen
    finally:
        server.close()
        for writer in open_streams:  # each handler then ends at its next read
            writer.close()
        await asyncio.gather(*(task for task in open_streams.values() if task is not None))
        await server.wait_closed()


def target(port: int, path: str = "/hook") -> PlainTarget:
    found = plain_target(f"http://127.0.0.1:{port}{path}")
    assert found is not None
    return found


async def test_a_post_arrives_as_sent_and_the_next_one_reuses_the_connection(aiohttp_server: Any) -> None:
    received: list[tuple[str, bytes, str | None, str | None]] = []
    peers: set[Any] = set()

    async def hook(request: web.Request) -> web.Response:
        peers.add(request.transport.get_extra_info("peername") if request.transport else None)
        received.append(
            (request.path_qs, await request.read(), request.headers.get("X-NGSP-Idempotency-Key"), request.host)
        )
        return web.Response(status=202 if len(received) == 1 else 500, text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    server = await aiohttp_server(app)
    client = Http1Client()
    try:
        first = await client.post(target(server.port, "/hook?x=%20y"), b'{"a": 1}', HEADERS, 5)
        second = await client.post(target(server.port, "/hook"), b"", HEADERS, 5)
    finally:
        await client.aclose()
    assert (first, second) == (202, 500)
    assert received == [
        ("/hook?x=%20y", b'{"a": 1}', "e1:s1", f"127.0.0.1:{server.port}"),
        ("/hook", b"", "e1:s1", f"127.0.0.1:{server.port}"),
    ]
    assert len(peers) == 1  # one kept-alive connection carried both


@pytest.mark.parametrize(
    ("answer", "reused"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", True),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n", True),
        (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", True),
        (b"HTTP/1.1 204 No Content\r\n\r\n", True),
        (b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", False),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", False),
        ("HTTP/1.1 200 OK\r\nX-Note: hồ sơ\r\nContent-Length: 2\r\n\r\nok".encode(), True),
    ],
    ids=[
        "length",
        "chunked-with-trailer",
        "informational-first",
        "no-content",
        "connection-close",
        "http-1.0",
        "utf-8-header-value",
    ],
)
async def test_answers_are_read_to_their_end_and_kept_only_when_they_allow_it(answer: bytes, reused: bool) -> None:
    client = Http1Client()
    async with canned(lambda n: answer) as (port, seen):
        try:
            assert await client.post(target(port), b"x", HEADERS, 5) == 200 or answer.startswith(b"HTTP/1.1 204")
            assert bool(client._idle.get(("127.0.0.1", port))) is reused
            await client.post(target(port), b"y", HEADERS, 5)  # framing read right: the second answer is its own
        finally:
            await client.aclose()
    assert [request.rsplit(b"\r\n\r\n", 1)[1] for request in seen] == [b"x", b"y"]


async def test_an_answer_without_length_is_read_to_the_close() -> None:
    client = Http1Client()
    async with canned(lambda n: b"HTTP/1.1 503 Busy\r\n\r\nno more", close_after=True) as (port, _):
        assert await client.post(target(port), b"x", HEADERS, 5) == 503
    assert not client._idle.get(("127.0.0.1", port))


async def test_a_kept_connection_the_subscriber_closed_is_replaced_and_the_post_goes_again() -> None:
    """The subscriber closes its idle connection as the next POST arrives on it (its idle timeout): the
    POST goes once more on a new connection (deliveries are at-least-once, keyed for deduplication)."""
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    client = Http1Client()
    async with canned(lambda n: None if n == 2 else ok) as (port, seen):
        try:
            assert await client.post(target(port), b"1", HEADERS, 5) == 200
            assert await client.post(target(port), b"2", HEADERS, 5) == 200
        finally:
            await client.aclose()
    assert [request[-1:] for request in seen] == [b"1", b"2", b"2"]


async def test_a_kept_connection_closed_while_idle_is_not_used() -> None:
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    client = Http1Client()
    async with canned(lambda n: ok, close_after=True) as (port, seen):
        try:
            assert await client.post(target(port), b"1", HEADERS, 5) == 200
            await asyncio.sleep(0.05)  # the subscriber's close reaches the kept stream
            assert await client.post(target(port), b"2", HEADERS, 5) == 200
        finally:
            await client.aclose()
    assert [request[-1:] for request in seen] == [b"1", b"2"]


@pytest.mark.parametrize(
    "answer",
    [
        b"SMTP ready\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nbroken header\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
    ],
    ids=["not-http", "header-without-colon", "bad-length"],
)
async def test_what_is_not_an_http_answer_is_an_answer_error(answer: bytes) -> None:
    client = Http1Client()
    async with canned(lambda n: answer) as (port, _):
        with pytest.raises(WebhookAnswerError):
            await client.post(target(port), b"x", HEADERS, 5)
    assert not client._idle.get(("127.0.0.1", port))


@pytest.mark.parametrize(
    ("read_size", "pads", "end"),
    [
        (http1.READ_SIZE, MAX_HEAD // 1000 + 2, b"\r\n"),
        (4 * MAX_HEAD, MAX_HEAD // 1000 + 2, b"\r\n"),
        (http1.READ_SIZE, 3 * MAX_HEAD // 1000, b""),
    ],
    ids=["in-pieces", "whole", "never-ending"],
)
async def test_a_head_over_the_limit_is_refused(
    read_size: int, pads: int, end: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether the head ends in a later read, in the one read that holds it all, or not at all (h11's bound
    on a head still incomplete: the client stops reading rather than waiting for the timeout)."""
    monkeypatch.setattr(http1, "READ_SIZE", read_size)
    pad = b"X-Pad: " + b"a" * 1000 + b"\r\n"
    client = Http1Client()
    async with canned(lambda n: b"HTTP/1.1 200 OK\r\n" + pad * pads + end) as (port, _):
        with pytest.raises(WebhookAnswerError, match="head is over"):
            await client.post(target(port), b"x", HEADERS, 30)


@pytest.mark.parametrize(
    ("head", "outcome"),
    [
        (f"Content-Length: {MAX_BODY + 1}", 200),
        ("Transfer-Encoding: chunked", WebhookAnswerError),
    ],
    ids=["announced-length", "chunked"],
)
async def test_a_body_over_the_limit_is_not_read(head: str, outcome: int | type[Exception]) -> None:
    """An announced length over the limit: the status counts, the body is not read and the connection goes;
    chunks past the limit: not an answer the hub reads."""
    chunk = b"%x\r\n" % (MAX_BODY // 2) + b"a" * (MAX_BODY // 2) + b"\r\n"
    answer = f"HTTP/1.1 200 OK\r\n{head}\r\n\r\n".encode() + chunk * 3
    client = Http1Client()
    async with canned(lambda n: answer) as (port, _):
        if isinstance(outcome, int):
            assert await client.post(target(port), b"x", HEADERS, 5) == outcome
        else:
            with pytest.raises(outcome, match="body is over"):
                await client.post(target(port), b"x", HEADERS, 5)
    assert not client._idle.get(("127.0.0.1", port))


async def test_a_header_value_with_a_line_break_is_never_sent() -> None:
    client = Http1Client()
    async with canned(lambda n: b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") as (port, seen):
        with pytest.raises(ValueError, match="cannot be sent"):
            await client.post(target(port), b"x", {"X-NGSP-Idempotency-Key": "k\r\nX-Evil: 1"}, 5)
    assert seen == []


async def test_a_header_value_beyond_latin_1_is_sent_as_utf_8_like_aiohttp_sends_it() -> None:
    client = Http1Client()
    async with canned(lambda n: b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") as (port, seen):
        try:
            assert await client.post(target(port), b"x", {"X-NGSP-Idempotency-Key": "hồ-sơ:s1"}, 5) == 200
        finally:
            await client.aclose()
    assert "X-NGSP-Idempotency-Key: hồ-sơ:s1\r\n".encode() in seen[0]


async def test_no_answer_in_time_is_a_timeout_and_the_connection_is_dropped() -> None:
    client = Http1Client()
    async with canned(lambda n: b"HTTP/1.1 200 OK\r\n") as (port, _):  # the head never ends
        with pytest.raises(TimeoutError):
            await client.post(target(port), b"x", HEADERS, 0.2)
    assert not client._idle.get(("127.0.0.1", port))


@pytest.mark.parametrize(
    ("url", "taken"),
    [
        ("http://127.0.0.1:8080/hook?a=1", PlainTarget("127.0.0.1", 8080, "127.0.0.1:8080", "/hook?a=1")),
        ("http://[::1]/", PlainTarget("::1", 80, "[::1]", "/")),
        ("https://example.org/hook", None),
        ("http://user:pw@example.org/hook", None),
        ("sim://VN/GOV/000.00.00.H29/QLVB", None),
    ],
    ids=["http", "ipv6-default-port", "https", "userinfo", "sim"],
)
def test_only_plain_http_urls_are_taken(url: str, taken: PlainTarget | None) -> None:
    assert plain_target(url) == taken


async def test_the_webhook_sender_reports_what_the_subscriber_answered() -> None:
    sender = WebhookSender(None, {})  # type: ignore[arg-type]  # plain http only: no aiohttp session
    status = {1: b"200 OK", 2: b"503 Busy"}
    async with canned(lambda n: b"HTTP/1.1 " + status[n] + b"\r\nContent-Length: 0\r\n\r\n") as (port, _):
        sub = new_subscription("edoc:H29", f"http://127.0.0.1:{port}/hook", 0)
        try:
            assert await sender(sub, b"{}", dict(HEADERS), 5) is None
            assert await sender(sub, b"{}", dict(HEADERS), 5) == "HTTP 503"
        finally:
            await sender.aclose()
    assert (await sender(sub, b"{}", dict(HEADERS), 5) or "").startswith("ConnectionRefusedError")
