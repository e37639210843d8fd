"""Every line on standard error is JSON with ``--log-format json``, personal data masked in all of them,
and repeated lines cannot fill a disk (issue 15, finding 8 and the logging part of finding 6).

The real process is attacked with what a scanner or a broken client sends: garbage, a request line and
a header quoting a citizen number, a TLS handshake, a 70 KiB header, connections cut mid-request. Its
standard error is then read line by line.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from ngsp_sim.clock import ManualClock
from ngsp_sim.logging import LogBudget, configure_logging, get_logger, reset_logging
from tests.helpers import ADMIN_TOKEN, MOTCUA, POPULATION, lookup_body
from tests.processes import start_hub, stop

CITIZEN = "079090001234"
BOUND = 60  # seconds after which a test fails instead of hanging


async def _send(host: str, port: int, data: bytes, *, abort: bool = False) -> bytes:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(data)
    await writer.drain()
    if abort:  # a reset, not a polite close
        writer.transport.abort()
        return b""
    answer = await asyncio.wait_for(reader.read(), BOUND)
    writer.close()
    return answer


GARBAGE = [
    f"GET /{CITIZEN} HTTP/1.1 trailing\r\n\r\n".encode(),
    f"GET / HTTP/1.1\r\nHost: hub\r\nSoDinhDanh {CITIZEN}\r\n\r\n".encode(),
    f"{CITIZEN} {CITIZEN} {CITIZEN}\r\n\r\n".encode(),
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + CITIZEN.encode() + b"\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: hub\r\nX-Big: " + b"a" * 70 * 1024 + b"\r\n\r\n",
    b"\x00\xff\xfe garbage\r\n\r\n",
]


async def test_every_stderr_line_is_json_and_no_citizen_number_is_unmasked(tmp_path: Path) -> None:
    hub = await start_hub(
        tmp_path / "data",
        "--log-format",
        "json",
        "--header-timeout",
        "2",
        env={"NGSP_SIM_ADMIN_TOKEN": ADMIN_TOKEN},
    )
    try:
        host, port = hub.url.removeprefix("http://").rsplit(":", 1)
        for data in GARBAGE:
            answer = await _send(host, int(port), data)
            assert answer == b"" or answer.split(b" ")[1].startswith(b"4"), answer[:200]  # refused, never 5xx
        await _send(host, int(port), b"GET /healthz HTTP/1.1\r\nHost: hub\r\nX-Half: ", abort=True)
        silent = await _send(host, int(port), b"")  # the option reached the hub: a silent client gets 408
        assert silent.startswith(b"HTTP/1.1 408 ")
        body = json.dumps(lookup_body()).encode()
        cut = f"POST {POPULATION} HTTP/1.1\r\nHost: hub\r\nX-Road-Client: {MOTCUA}\r\n"
        cut += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        await _send(host, int(port), cut.encode() + body[:20], abort=True)
        for _ in range(60):  # a flood of one kind of garbage
            await _send(host, int(port), GARBAGE[0])
        headers = {"X-Road-Client": MOTCUA, "X-Road-Id": "after-the-garbage"}
        async with aiohttp.ClientSession() as session:
            async with session.post(
                f"{hub.url}{POPULATION}", json=lookup_body(SoDinhDanh="07909000123"), headers=headers
            ) as resp:
                assert resp.status == 400  # a violation quoting the (wrong) number, logged masked
            async with session.post(f"{hub.url}{POPULATION}", json=lookup_body(), headers=headers) as resp:
                assert resp.status == 200
    finally:
        assert await stop(hub) == 0
    text = hub.stderr.decode()
    lines = text.splitlines()
    not_json = []
    events = []
    for line in lines:
        try:
            events.append(json.loads(line))
        except ValueError:
            not_json.append(line)
    assert not_json == [], not_json
    assert CITIZEN not in text and "07909000123" not in text
    assert "079******234" in text  # the parser's message is there, masked
    refused = [e for e in events if str(e.get("event", "")).startswith("malformed HTTP request refused")]
    assert refused and all(e["level"] == "warning" and "exception" not in e for e in refused)
    assert len([e for e in refused if "BadStatusLine" in e["event"]]) == 20  # the budget of one kind
    assert sum(e.get("suppressed", 0) for e in events) >= 60 - 20
    assert any(e.get("logger") == "ngsp_sim.connections" for e in events)
    exchanges = [e for e in events if e.get("event") == "exchange" and e.get("xroad_id") == "after-the-garbage"]
    assert [e["status"] for e in exchanges] == [400, 200]


@pytest.fixture
def captured() -> Iterator[tuple[io.StringIO, ManualClock]]:
    """Logging configured as JSON into a buffer, with a budget of 3 lines a minute on a manual clock."""
    stream, clock = io.StringIO(), ManualClock()
    configure_logging("info", json=True, stream=stream, budget=LogBudget(3, 60.0, clock.monotonic))
    yield stream, clock
    reset_logging()


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_library_lines_are_json_masked_and_within_the_budget(captured: tuple[io.StringIO, ManualClock]) -> None:
    stream, clock = captured
    server = logging.getLogger("aiohttp.server")

    def fail(n: int) -> None:
        try:
            raise ValueError(f"citizen {CITIZEN} in request {n}")
        except ValueError:
            server.exception("Error handling request from %s", f"127.0.0.{n}")

    for n in range(10):
        fail(n)
    lines = _lines(stream)
    assert len(lines) == 3
    assert lines[0]["logger"] == "aiohttp.server" and lines[0]["level"] == "error"
    assert "079******234" in lines[0]["exception"] and CITIZEN not in stream.getvalue()
    clock.advance(60)
    fail(99)
    assert _lines(stream)[-1]["suppressed"] == 7


def test_the_hubs_own_warnings_are_budgeted_but_exchange_lines_never(captured: tuple[io.StringIO, ManualClock]) -> None:
    stream, _ = captured
    log = get_logger("test")
    for _ in range(10):
        log.warning("message log write failed; will retry")
        log.info("exchange", status=200, SoDinhDanh=CITIZEN)
    events = [e["event"] for e in _lines(stream)]
    assert events.count("exchange") == 10
    assert events.count("message log write failed; will retry") == 3
    assert CITIZEN not in stream.getvalue()


def test_counts_left_out_are_written_when_logging_shuts_down(captured: tuple[io.StringIO, ManualClock]) -> None:
    stream, _ = captured
    for _ in range(5):
        logging.getLogger("asyncio").error("socket.accept() out of system resource")
    (handler,) = [h for h in logging.getLogger().handlers if hasattr(h, "budget")]
    handler.close()
    last = _lines(stream)[-1]
    assert last["suppressed"] == 2 and "socket.accept() out of system resource" in last["event"]


def test_the_shutdown_summary_of_a_templated_line_shows_no_raw_placeholders(
    captured: tuple[io.StringIO, ManualClock],
) -> None:
    """Lines of one kind share a template (their values differ); the summary names the kind readably."""
    stream, _ = captured
    for seconds in range(5):
        logging.getLogger("ngsp_sim.connections").warning(
            "connection closed: no complete request head within %ss", seconds
        )
    (handler,) = [h for h in logging.getLogger().handlers if hasattr(h, "budget")]
    handler.close()
    last = _lines(stream)[-1]
    assert last["suppressed"] == 2
    assert last["event"] == "lines left out by the log budget: connection closed: no complete request head within …s"


async def test_the_event_loops_errors_warnings_and_uncaught_exceptions_are_json(
    captured: tuple[io.StringIO, ManualClock],
) -> None:
    stream, _ = captured
    asyncio.get_running_loop().call_exception_handler(
        {"message": f"Exception in callback for {CITIZEN}", "exception": OSError(f"no file for {CITIZEN}")}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        logging.captureWarnings(True)  # catch_warnings restored the hook configure_logging set
        warnings.warn(f"deprecated for {CITIZEN}", UserWarning, stacklevel=1)
    try:
        raise RuntimeError(f"crash with {CITIZEN}")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    lines = _lines(stream)
    assert [e["logger"] for e in lines] == ["asyncio", "py.warnings", "ngsp_sim"]
    assert "OSError" in lines[0]["exception"] and lines[2]["level"] == "critical"
    assert CITIZEN not in stream.getvalue()
